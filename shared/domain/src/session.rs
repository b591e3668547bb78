//! A bot's session: its lifecycle (phase), what the customer asked for, and the checkpoints
//! of the exit pipeline. The phase moves only forward:
//!
//! ```text
//! joining -> in_call -> leaving -> processing -> completed
//!    |          |          |           |
//!    +----------+----------+-----------+------> failed
//! in_call -> processing (the bot left on its own)
//! ```

use super::{AccountId, BotId, EmailAddress, WebhookUrl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Joining,
    InCall,
    Leaving,
    Processing,
    Completed,
    Failed,
}

impl Phase {
    pub fn status(self) -> Status {
        match self {
            Phase::Completed => Status::Completed,
            Phase::Failed => Status::Failed,
            _ => Status::Running,
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Completed | Phase::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Joining => "joining",
            Phase::InCall => "in_call",
            Phase::Leaving => "leaving",
            Phase::Processing => "processing",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
        }
    }
}

/// The seed's `status`: exactly one of `running`, `completed`, `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Completed,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    ParticipantLeft,
    StopPhrase,
    ForceLeave,
    IdleTimeout,
}

impl ExitReason {
    pub const ALL: [ExitReason; 4] = [
        ExitReason::ParticipantLeft,
        ExitReason::StopPhrase,
        ExitReason::ForceLeave,
        ExitReason::IdleTimeout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::ParticipantLeft => "participant_left",
            ExitReason::StopPhrase => "stop_phrase",
            ExitReason::ForceLeave => "force_leave",
            ExitReason::IdleTimeout => "idle_timeout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The bot's exit as recorded by the report endpoint; the transcript itself is stored in
/// chunks next to the session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExitRecord {
    /// SHA-256 of the report body: a retried identical report is recognised as the same exit.
    pub exit_id: String,
    pub reason: ExitReason,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    pub chunks: u32,
    pub segments: u32,
    pub words: u64,
    pub duration_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Decided, not yet attempted (or waiting for a retry).
    Pending,
    /// Claimed by one pipeline invocation that is sending it now.
    Sending,
    Delivered,
    /// Given up: refused permanently, or retries exhausted.
    Failed,
}

/// The email checkpoint. Decided when the session becomes terminal, then claimed, then
/// recorded, so that redelivered pipeline messages never send it twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailDelivery {
    pub state: DeliveryState,
    pub to: EmailAddress,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    /// End of the current claim in Unix milliseconds (a number, so conditions can compare it).
    #[serde(default)]
    pub lease_expires_ms: i64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookEvent {
    SessionComplete,
    BotJoinFailed,
}

impl WebhookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::SessionComplete => "session_complete",
            WebhookEvent::BotJoinFailed => "bot_join_failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    pub attempt: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default)]
    pub status_code: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// The webhook checkpoint: one event, one stable `webhook-id`, every attempt recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub event: WebhookEvent,
    pub webhook_id: String,
    pub state: DeliveryState,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub lease_expires_ms: i64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub first_attempt_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub history: Vec<WebhookAttempt>,
}

impl WebhookDelivery {
    pub fn new(event: WebhookEvent, bot_id: BotId) -> Self {
        Self {
            event,
            webhook_id: format!("msg_{}_{}", bot_id.as_uuid().simple(), event.as_str()),
            state: DeliveryState::Pending,
            attempts: 0,
            claimed_at: None,
            lease_expires_ms: 0,
            first_attempt_at: None,
            next_attempt_at: None,
            delivered_at: None,
            history: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub bot_id: BotId,
    pub account_id: AccountId,
    pub room_url: String,
    pub provider: String,
    /// The customer's `bot_config` object, kept exactly as sent.
    #[serde(with = "json_string")]
    pub bot_config: serde_json::Value,
    pub process_insights: bool,
    #[serde(default)]
    pub email: Option<EmailAddress>,
    /// Email also when the session fails without a transcript (join's `email_on_failure`).
    #[serde(default)]
    pub email_on_failure: bool,
    #[serde(default)]
    pub analysis_prompt: Option<String>,
    #[serde(default)]
    pub summary_format_prompt: Option<String>,
    #[serde(default)]
    pub webhook_url: Option<WebhookUrl>,
    pub phase: Phase,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub leave_requested_at: Option<OffsetDateTime>,
    /// The `leave_requested` message is on the queue (the outbox flag of a stop).
    #[serde(default)]
    pub leave_enqueued: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub runtime_session_id: Option<String>,
    pub bot_secret_hash: String,
    #[serde(default)]
    pub exit: Option<ExitRecord>,
    #[serde(default)]
    pub error: Option<String>,
    /// The stable code of `error` when there is one (a failed join's `auth_error`,
    /// `room_not_found`, `runtime_refused`, `runtime_unavailable`, `runtime_unreachable`).
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub insights_error: Option<String>,
    /// The session holds one of its account's running-bot slots until it ends.
    #[serde(default)]
    pub holds_slot: bool,
    #[serde(default)]
    pub email_delivery: Option<EmailDelivery>,
    #[serde(default)]
    pub webhook_delivery: Option<WebhookDelivery>,
}

/// Whether a session that ends has a meeting to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The bot reported a transcript.
    Transcript,
    /// The bot could not join, or never reported.
    NoTranscript,
}

/// What a stop request does to a session, decided from its current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopDecision {
    /// Record the leave request and enqueue `leave_requested`.
    Request,
    /// Already leaving: answer 200 again; re-send the message only if the first stop
    /// recorded the request but could not enqueue it.
    AlreadyRequested { resend: bool },
    /// The bot has finished (or left on its own and is being processed): 409.
    Finished(Phase),
}

impl Session {
    pub fn status(&self) -> Status {
        self.phase.status()
    }

    /// The account whose running-bot slot ending this session frees, if it holds one.
    pub fn slot(&self) -> Option<&AccountId> {
        self.holds_slot.then_some(&self.account_id)
    }

    pub fn decide_stop(&self) -> StopDecision {
        match (self.phase, self.leave_requested_at) {
            (Phase::Completed | Phase::Failed, _) => StopDecision::Finished(self.phase),
            (_, Some(_)) => StopDecision::AlreadyRequested {
                resend: !self.leave_enqueued,
            },
            (Phase::Joining | Phase::InCall, None) => StopDecision::Request,
            (phase, None) => StopDecision::Finished(phase),
        }
    }

    /// The deliveries a terminal session owes its customer, decided once when it ends.
    /// `outcome` says whether there is a meeting to tell about: a session that failed
    /// without a transcript (the bot never joined, or never reported) is mailed only if the
    /// customer asked for failure mail; the webhook is always owed.
    pub fn deliveries_for(
        &self,
        event: WebhookEvent,
        outcome: Outcome,
    ) -> (Option<EmailDelivery>, Option<WebhookDelivery>) {
        let send_email = match outcome {
            Outcome::Transcript => true,
            Outcome::NoTranscript => self.email_on_failure,
        };
        let email = self
            .email
            .clone()
            .filter(|_| send_email)
            .map(|to| EmailDelivery {
                state: DeliveryState::Pending,
                to,
                attempts: 0,
                claimed_at: None,
                lease_expires_ms: 0,
                sent_at: None,
                message_id: None,
                error: None,
            });
        let webhook = self
            .webhook_url
            .as_ref()
            .map(|_| WebhookDelivery::new(event, self.bot_id));
        (email, webhook)
    }
}

/// `bot_config` is stored as a JSON string so DynamoDB keeps it byte-for-byte.
mod json_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &serde_json::Value, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<serde_json::Value, D::Error> {
        let raw = String::deserialize(d)?;
        serde_json::from_str(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::session;

    #[test]
    fn status_is_running_until_terminal() {
        for p in [
            Phase::Joining,
            Phase::InCall,
            Phase::Leaving,
            Phase::Processing,
        ] {
            assert_eq!(p.status(), Status::Running);
        }
        assert_eq!(Phase::Completed.status(), Status::Completed);
        assert_eq!(Phase::Failed.status(), Status::Failed);
    }

    #[test]
    fn stop_decisions_follow_the_lifecycle() {
        assert_eq!(session(Phase::InCall).decide_stop(), StopDecision::Request);
        assert_eq!(session(Phase::Joining).decide_stop(), StopDecision::Request);
        let mut leaving = session(Phase::Leaving);
        leaving.leave_requested_at = Some(crate::now());
        assert_eq!(
            leaving.decide_stop(),
            StopDecision::AlreadyRequested { resend: true }
        );
        leaving.leave_enqueued = true;
        assert_eq!(
            leaving.decide_stop(),
            StopDecision::AlreadyRequested { resend: false }
        );
        assert_eq!(
            session(Phase::Completed).decide_stop(),
            StopDecision::Finished(Phase::Completed)
        );
        assert_eq!(
            session(Phase::Failed).decide_stop(),
            StopDecision::Finished(Phase::Failed)
        );
        assert_eq!(
            session(Phase::Processing).decide_stop(),
            StopDecision::Finished(Phase::Processing)
        );
    }

    #[test]
    fn webhook_id_is_stable_per_bot_and_event() {
        let id = BotId::new();
        let a = WebhookDelivery::new(WebhookEvent::SessionComplete, id);
        let b = WebhookDelivery::new(WebhookEvent::SessionComplete, id);
        let c = WebhookDelivery::new(WebhookEvent::BotJoinFailed, id);
        assert_eq!(a.webhook_id, b.webhook_id);
        assert_ne!(a.webhook_id, c.webhook_id);
    }
}
