//! What a session owes its customer and how each delivery went: the email, and the
//! webhook events (each with a stable `webhook-id` and every attempt recorded). Each is
//! claimed, made, then recorded, so a redelivered pipeline message never sends it twice.

use crate::timeline::StatusChange;
use crate::BotId;
use crate::EmailAddress;
use crate::WebhookUrl;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
    /// Every attempt, oldest first (at most [`MAX_HISTORY`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<WebhookAttempt>,
    /// What this email is beyond the session's own: a redelivery or an insights update.
    #[serde(default, flatten)]
    pub origin: Origin,
}

/// Attempts kept in a delivery's history; older ones are dropped.
pub const MAX_HISTORY: usize = 50;

/// Where a delivery after the session's own came from. Empty for the deliveries the
/// session owes by itself (its email, its final webhook, its `status_change` events).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The delivery id this one sends again (`POST …/deliveries/{id}/redeliver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivers: Option<String>,
    /// The insights version an `insights_updated` delivery tells about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights_version: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub created_at: Option<OffsetDateTime>,
}

impl EmailDelivery {
    /// A new email to `to`, not yet attempted.
    pub fn pending(to: EmailAddress) -> Self {
        Self {
            state: DeliveryState::Pending,
            to,
            attempts: 0,
            claimed_at: None,
            lease_expires_ms: 0,
            sent_at: None,
            message_id: None,
            error: None,
            history: Vec::new(),
            origin: Origin::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookEvent {
    SessionComplete,
    BotJoinFailed,
    /// One change of the session's lifecycle (join's `webhook_events` opts in).
    StatusChange,
    /// The insights were analysed again (`POST /api/bot/{bot_id}/insights` asked for it).
    InsightsUpdated,
}

impl WebhookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::SessionComplete => "session_complete",
            WebhookEvent::BotJoinFailed => "bot_join_failed",
            WebhookEvent::StatusChange => "status_change",
            WebhookEvent::InsightsUpdated => "insights_updated",
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
    /// For a `status_change` event: the change it tells about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<StatusChange>,
    /// Where it goes when not to the session's webhook URL (a redelivery to a fixed URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrl>,
    #[serde(default, flatten)]
    pub origin: Origin,
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
            change: None,
            url: None,
            origin: Origin::default(),
        }
    }

    /// The `status_change` event of the session's `index`-th change: its `webhook-id` is
    /// stable per change, so a repeated attempt is the same event.
    pub fn for_change(bot_id: BotId, index: usize, change: StatusChange) -> Self {
        Self {
            webhook_id: format!(
                "msg_{}_status_{index}_{}",
                bot_id.as_uuid().simple(),
                change.code.as_str()
            ),
            change: Some(change),
            ..Self::new(WebhookEvent::StatusChange, bot_id)
        }
    }
}

/// The events a join's webhook gets when it names none: PailFlow's.
pub fn default_webhook_events() -> Vec<WebhookEvent> {
    vec![WebhookEvent::SessionComplete, WebhookEvent::BotJoinFailed]
}

/// Why a list of event names was refused; the caller names the field.
#[derive(Debug, PartialEq, Eq)]
pub enum EventListError {
    NotAnArray,
    UnknownEvent,
}

/// The events a list names, each once, in the order given: join's `webhook_events` and the
/// account endpoint's `events`. Absent or null: PailFlow's two.
pub fn parse_webhook_events(
    value: Option<&serde_json::Value>,
) -> Result<Vec<WebhookEvent>, EventListError> {
    let items = match value {
        None | Some(serde_json::Value::Null) => return Ok(default_webhook_events()),
        Some(serde_json::Value::Array(items)) => items,
        Some(_) => return Err(EventListError::NotAnArray),
    };
    let mut events = Vec::new();
    for item in items {
        let event = match item.as_str() {
            Some("session_complete") => WebhookEvent::SessionComplete,
            Some("bot_join_failed") => WebhookEvent::BotJoinFailed,
            Some("status_change") => WebhookEvent::StatusChange,
            _ => return Err(EventListError::UnknownEvent),
        };
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}
