//! The small traits the handlers are generic over. Each has one real adapter in
//! `adapters` and an in-memory implementation used only by unit tests (`testing`).

use domain::insights::Analysis;
use domain::messages::PipelineMessage;
use domain::session::{EmailDelivery, ExitRecord, WebhookAttempt, WebhookDelivery};
use domain::{
    AccountId, ApiKeyHash, BotId, BotSecret, Phase, Session, Transcript, WebhookSecret, WebhookUrl,
};
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;
use time::OffsetDateTime;

/// A store or queue that did not answer as expected. Always logged with context; never
/// shown to the customer beyond a generic 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// API keys and account settings.
pub trait Accounts: Send + Sync {
    fn account_for_key(
        &self,
        key: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<AccountId>, StoreError>> + Send;
    fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<WebhookSecret>, StoreError>> + Send;
}

/// An `Idempotency-Key` claimed together with the session it created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub account: AccountId,
    pub key: String,
    pub fingerprint: String,
    pub bot_id: BotId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The key was used before: this is the bot it created and the body it was created with.
    Replayed {
        bot_id: BotId,
        fingerprint: String,
    },
}

/// How recording a bot's exit report ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordExit {
    Recorded,
    /// This very report was recorded before (a retry of the same body).
    AlreadyRecorded,
    /// A different report was recorded first, or the session has already ended.
    Refused(Phase),
}

/// A terminal transition: what the session becomes and what it owes its customer.
#[derive(Clone, Debug)]
pub struct Finish<'a> {
    pub phase: Phase,
    pub at: OffsetDateTime,
    pub error: Option<&'a str>,
    pub analysis: Option<&'a Analysis>,
    pub email: Option<EmailDelivery>,
    pub webhook: Option<WebhookDelivery>,
}

/// A session and, once it has them, its transcript and results.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub session: Session,
    pub transcript: Option<Transcript>,
    pub analysis: Option<Analysis>,
}

/// The answer to a claim on a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This invocation holds the delivery until its lease runs out.
    Claimed,
    /// Another invocation holds a live lease: try again later.
    Busy,
    /// Nothing to do: delivered, given up, never owed, or this attempt already made.
    Done,
}

pub trait SessionStore: Send + Sync {
    /// Creates a session in phase `joining`, claiming the idempotency key in the same write.
    fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
    ) -> impl Future<Output = Result<CreateOutcome, StoreError>> + Send;

    fn get_session(
        &self,
        id: BotId,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// The session with its transcript and results, in one read.
    fn get_view(
        &self,
        id: BotId,
    ) -> impl Future<Output = Result<Option<SessionView>, StoreError>> + Send;

    /// `joining` -> `in_call`. False when the session is no longer joining.
    fn mark_started(
        &self,
        id: BotId,
        runtime_session_id: &str,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a stop: `joining|in_call` -> `leaving` with `leave_requested_at`, only if no
    /// leave was requested before. False when the condition did not hold.
    fn request_leave(
        &self,
        id: BotId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The `leave_requested` message is on the queue.
    fn mark_leave_enqueued(&self, id: BotId)
        -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores the transcript (compressed, chunked) under the exit id; returns the chunk count.
    fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Removes chunks stored for an exit that was then not recorded.
    fn delete_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        chunks: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records the exit (the commit point of a report): a running session -> `processing`.
    fn record_exit(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> impl Future<Output = Result<RecordExit, StoreError>> + Send;

    fn load_transcript(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> impl Future<Output = Result<Transcript, StoreError>> + Send;

    /// Moves the session to a terminal phase from one of `from`, storing results and the
    /// deliveries it owes in the same write. False when the session was not in `from`.
    fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Claims the pending email for sending until `lease_until`: `pending` (or `sending`
    /// whose lease has run out) -> `sending`.
    fn claim_email(
        &self,
        id: BotId,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    fn record_email(
        &self,
        id: BotId,
        delivery: &EmailDelivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Claims webhook attempt number `attempt` (1-based) until `lease_until`: only when
    /// `attempts == attempt - 1` and the delivery is pending (or its lease has run out).
    fn claim_webhook(
        &self,
        id: BotId,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Records one attempt and the resulting delivery state (held by the claim).
    fn record_webhook_attempt(
        &self,
        id: BotId,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[derive(Debug, thiserror::Error)]
#[error("pipeline queue unavailable: {0}")]
pub struct QueueError(pub String);

pub trait PipelineQueue: Send + Sync {
    /// Sends one message, visible after `delay` (at most 15 minutes).
    fn send(
        &self,
        message: &PipelineMessage,
        delay: Duration,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}

/// What the bot runtime needs to start a bot.
#[derive(Clone, Debug)]
pub struct StartBot<'a> {
    pub bot_id: BotId,
    pub room_url: &'a str,
    pub token: Option<&'a str>,
    pub provider: &'a str,
    pub bot_config: &'a serde_json::Value,
    /// Where the bot reports its exit, and the secret it authenticates with.
    pub report_url: String,
    pub report_secret: &'a BotSecret,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopOutcome {
    Stopped,
    /// The runtime does not know the session (404): the bot is already gone.
    AlreadyGone,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum RuntimeError {
    #[error("the bot runtime refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("the bot runtime failed (HTTP {status}): {detail}")]
    Failed { status: u16, detail: String },
    #[error("the bot runtime could not be reached: {0}")]
    Unreachable(String),
}

impl RuntimeError {
    /// 5xx, 429, timeouts and connection failures are worth another try; other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, RuntimeError::Refused { .. })
    }
}

pub trait BotRuntime: Send + Sync {
    /// Starts the bot; returns the runtime's session id.
    fn start(
        &self,
        request: StartBot<'_>,
    ) -> impl Future<Output = Result<String, RuntimeError>> + Send;
    fn stop(
        &self,
        runtime_session_id: &str,
    ) -> impl Future<Output = Result<StopOutcome, RuntimeError>> + Send;
}

/// A composed email, ready for the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub bot_id: BotId,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// The provider refused this message (unverified sender, invalid recipient...): final.
    #[error("rejected: {0}")]
    Rejected(String),
    /// Throttling, 5xx, network: worth another try.
    #[error("temporarily unavailable: {0}")]
    Transient(String),
}

pub trait Mailer: Send + Sync {
    /// Sends the email; returns the provider's message id.
    fn send(&self, email: &OutgoingEmail)
        -> impl Future<Output = Result<String, MailError>> + Send;
}

/// The outcome of one webhook POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostOutcome {
    /// The endpoint answered with this status (any status: the caller decides).
    Answered(u16),
    /// No answer within the timeout.
    TimedOut,
    /// The request could not be made (connection refused or reset, DNS failure).
    Failed(String),
    /// The URL resolved to an address the SSRF guard refuses.
    Blocked(String),
}

pub trait WebhookSender: Send + Sync {
    /// POSTs `body` with `headers`; never follows redirects.
    fn post(
        &self,
        url: &WebhookUrl,
        headers: &[(String, String)],
        body: &str,
    ) -> impl Future<Output = PostOutcome> + Send;
}

/// Name resolution (DNS). Join refuses a webhook URL whose host resolves now to an address
/// the policy refuses; the webhook sender resolves through the same port and checks again
/// at send time, so a name that changes its answer later is still refused.
pub trait HostResolver: Send + Sync + Clone + 'static {
    fn lookup(&self, host: &str) -> impl Future<Output = std::io::Result<Vec<IpAddr>>> + Send;
}

/// What the customer asked of the insights engine.
#[derive(Clone, Debug, Default)]
pub struct InsightsRequest<'a> {
    pub analysis_prompt: Option<&'a str>,
    pub summary_format_prompt: Option<&'a str>,
}

pub trait InsightsEngine: Send + Sync {
    /// Never fails: a provider failure falls back to the built-in engine and says why in
    /// `Analysis::insights_error`.
    fn analyze(
        &self,
        transcript: &Transcript,
        request: &InsightsRequest<'_>,
    ) -> impl Future<Output = Analysis> + Send;
}
