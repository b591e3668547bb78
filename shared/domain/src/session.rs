//! A bot's session: its lifecycle (phase), what the customer asked for, and the checkpoints
//! of the exit pipeline. The phase moves only forward:
//!
//! ```text
//! joining -> in_call -> leaving -> processing -> completed
//!    |          |          |           |
//!    +----------+----------+-----------+------> failed
//! in_call -> processing (the bot left on its own)
//! ```

pub use crate::delivery::{
    DeliveryState, EmailDelivery, WebhookAttempt, WebhookDelivery, WebhookEvent,
};

use super::{AccountId, BotId, EmailAddress, WebhookUrl};
use crate::metadata::Metadata;
use crate::timeline::{ChangeCode, StatusChange, SubCode};
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
    /// Which events the webhook gets (`session_complete` and `bot_join_failed` unless the
    /// join named others).
    #[serde(default = "crate::delivery::default_webhook_events")]
    pub webhook_events: Vec<WebhookEvent>,
    /// The customer's labels (join's `metadata`).
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Hours the transcript and results are kept after the session ends (join's
    /// `retention_hours`; the account's default when absent).
    #[serde(default)]
    pub retention_hours: Option<u32>,
    /// Every change of state, in order, each written with the change itself.
    #[serde(default)]
    pub status_changes: Vec<StatusChange>,
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
    /// Set once the customer deleted the session's data: what was removed, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_deleted: Option<DataDeleted>,
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
    /// Every webhook after the final one, in the order they were owed: the `status_change`
    /// events (one per change, when `webhook_events` asks for them), `insights_updated`
    /// events and redeliveries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_deliveries: Vec<WebhookDelivery>,
    /// Every email after the session's own: redeliveries and insights updates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub later_emails: Vec<EmailDelivery>,
    /// The version of the stored insights: 1 for the analysis the session ended with, one
    /// more for each re-run (`None`: 1, or no insights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights_version: Option<u32>,
    /// A re-run of the insights asked for and not yet done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights_rerun: Option<crate::rerun::Rerun>,
}

/// The receipt of a deletion of a session's data (`DELETE /api/bot/{bot_id}/data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataDeleted {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub transcript_chunks: u32,
    pub results: u32,
    pub deliveries: u32,
}

/// The error of a delivery cancelled because the customer deleted the session's data.
pub const DATA_DELETED: &str = "cancelled: the session's data was deleted";

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
    /// A new session in phase `joining`, with the defaults of a join that asked for
    /// nothing optional (no email, no webhook, insights on, provider `daily`).
    pub fn joining(
        bot_id: BotId,
        account_id: AccountId,
        room_url: String,
        bot_config: serde_json::Value,
        bot_secret_hash: String,
        created_at: OffsetDateTime,
    ) -> Self {
        Self {
            bot_id,
            account_id,
            room_url,
            provider: "daily".into(),
            bot_config,
            process_insights: true,
            email: None,
            email_on_failure: false,
            analysis_prompt: None,
            summary_format_prompt: None,
            webhook_url: None,
            webhook_events: crate::delivery::default_webhook_events(),
            metadata: Metadata::default(),
            retention_hours: None,
            status_changes: vec![StatusChange::new(ChangeCode::Joining, None, created_at)],
            phase: Phase::Joining,
            created_at,
            started_at: None,
            leave_requested_at: None,
            leave_enqueued: false,
            completed_at: None,
            runtime_session_id: None,
            bot_secret_hash,
            exit: None,
            data_deleted: None,
            error: None,
            error_code: None,
            insights_error: None,
            holds_slot: false,
            email_delivery: None,
            webhook_delivery: None,
            later_emails: Vec::new(),
            insights_version: None,
            insights_rerun: None,
            event_deliveries: Vec::new(),
        }
    }

    /// When the session's transcript and results expire (DynamoDB's TTL then removes
    /// them): `retention_hours` after the bot reported its exit, or, without one, after
    /// the session ended. `None`: kept until deleted (or not ended yet).
    pub fn data_expires_at(&self) -> Option<OffsetDateTime> {
        self.data_expiry(self.completed_at?)
    }

    /// [`Session::data_expires_at`] for a session ending at `ended`.
    pub fn data_expiry(&self, ended: OffsetDateTime) -> Option<OffsetDateTime> {
        let hours = self.retention_hours?;
        let from = self.exit.as_ref().map_or(ended, |e| e.reported_at);
        Some(from + time::Duration::hours(i64::from(hours)))
    }

    /// What the list shows of the session.
    pub fn summary(&self) -> crate::listing::BotSummary {
        crate::listing::BotSummary {
            bot_id: self.bot_id,
            status: self.status(),
            phase: self.phase,
            sub_code: self.sub_code(),
            room_url: self.room_url.clone(),
            created_at: self.created_at,
            completed_at: self.completed_at,
            exit_reason: self.exit.as_ref().map(|e| e.reason),
            metadata: self.metadata.clone(),
        }
    }

    /// Cancels the deliveries still waiting to be sent (their payloads would be made from
    /// data being deleted): each becomes `failed`. Returns how many there were. One being
    /// sent at this moment (`sending`) was composed already and is left to finish.
    pub fn cancel_owed_deliveries(&mut self) -> u32 {
        let mut cancelled = 0;
        if let Some(email) = self
            .email_delivery
            .as_mut()
            .filter(|d| d.state == DeliveryState::Pending)
        {
            email.state = DeliveryState::Failed;
            email.error = Some(DATA_DELETED.to_owned());
            cancelled += 1;
        }
        let webhooks = self
            .webhook_delivery
            .iter_mut()
            .chain(&mut self.event_deliveries);
        for hook in webhooks.filter(|d| d.state == DeliveryState::Pending) {
            hook.state = DeliveryState::Failed;
            hook.next_attempt_at = None;
            cancelled += 1;
        }
        cancelled
    }

    /// Why the session is in its state: the reason of its latest change.
    pub fn sub_code(&self) -> Option<SubCode> {
        self.status_changes.last().and_then(|c| c.sub_code)
    }

    /// Whether the customer's webhook asked for `event`.
    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.webhook_url.is_some() && self.webhook_events.contains(&event)
    }

    /// The `status_change` deliveries owed for `changes`, about to be appended to the
    /// timeline (none unless the webhook asked for them).
    pub fn change_deliveries(&self, changes: &[StatusChange]) -> Vec<WebhookDelivery> {
        if !self.wants(WebhookEvent::StatusChange) {
            return Vec::new();
        }
        let first = self.status_changes.len();
        changes
            .iter()
            .enumerate()
            .map(|(i, change)| WebhookDelivery::for_change(self.bot_id, first + i, *change))
            .collect()
    }

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
            .map(EmailDelivery::pending);
        let webhook = self
            .wants(event)
            .then(|| WebhookDelivery::new(event, self.bot_id));
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
