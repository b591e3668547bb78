//! Sessions and their lifecycle: every phase change is one conditional write, so
//! concurrent stops, reports and deadlines cannot both win.

use super::StoreError;
use domain::insights::Analysis;
use domain::limits::LimitExceeded;
use domain::session::{EmailDelivery, ExitRecord, WebhookDelivery};
use domain::{AccountId, BotId, Phase, Session, Transcript};
use std::future::Future;
use time::OffsetDateTime;

/// An `Idempotency-Key` claimed together with the session it created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub account: AccountId,
    pub key: String,
    pub fingerprint: String,
    pub bot_id: BotId,
}

/// The limits a new session must fit in, checked in the same write that creates it, so
/// they hold exactly however many joins race: the account's running bots (one slot per
/// session, freed when it ends) and its joins in the minute of `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    pub active_bots: u32,
    pub joins_per_minute: u32,
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The key was used before: this is the bot it created and the body it was created with.
    Replayed {
        bot_id: BotId,
        fingerprint: String,
    },
    /// A limit is reached: nothing was stored.
    Refused(LimitExceeded),
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
    /// The stable code of `error`, when it has one (a failed join's reason).
    pub error_code: Option<&'a str>,
    pub analysis: Option<&'a Analysis>,
    pub email: Option<EmailDelivery>,
    pub webhook: Option<WebhookDelivery>,
    /// The account whose running-bot slot this session holds, freed in the same write
    /// (the transition happens once, so the slot is freed once).
    pub frees_slot_of: Option<&'a AccountId>,
}

/// A session and, once it has them, its transcript and results.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub session: Session,
    pub transcript: Option<Transcript>,
    pub analysis: Option<Analysis>,
}

pub trait SessionStore: Send + Sync {
    /// Creates a session in phase `joining`, claiming the idempotency key and a slot of the
    /// account's limits in the same write. A replayed key wins over a limit.
    fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
        admission: &Admission,
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

    /// The transcript and results of a session already read (and checked to be the
    /// caller's): nothing of another account's bot is read or decompressed.
    fn view_of(
        &self,
        session: Session,
    ) -> impl Future<Output = Result<SessionView, StoreError>> + Send;

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

    /// The `leave_requested` message is on the queue (the outbox flag of a stop).
    fn mark_leave_enqueued(&self, id: BotId)
        -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records the exit (the commit point of a report): a running session -> `processing`.
    fn record_exit(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> impl Future<Output = Result<RecordExit, StoreError>> + Send;

    /// Moves the session to a terminal phase from one of `from`, storing results and the
    /// deliveries it owes in the same write. False when the session was not in `from`.
    fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
