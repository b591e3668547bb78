//! The domain: pure types and rules of the meeting-bot backend (no AWS, no HTTP, no async
//! runtime). Constructors reject bad input once, at the edge.

pub mod account;
pub mod api_keys;
pub mod delivery;
pub mod delivery_log;
pub mod email;
pub mod exit_report;
pub mod ids;
pub mod insights;
pub mod join;
pub mod limits;
pub mod listing;
pub mod messages;
pub mod metadata;
pub mod net;
pub mod plain_text;
pub mod rerun;
pub mod secret;
pub mod session;
pub mod signing;
pub mod timeline;
pub mod transcript;
pub mod transcript_export;
pub mod webhook_endpoint;
pub mod webhook_url;

/// Test values shared with the crates above (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;

pub use account::{AccountId, ApiKey, ApiKeyHash, BotSecret, WebhookSecret};
pub use email::EmailAddress;
pub use ids::BotId;
pub use secret::Secret;
pub use session::{ExitReason, Phase, Session, Status};
pub use transcript::{Segment, Transcript};
pub use webhook_url::WebhookUrl;

/// Current time, truncated to whole milliseconds so that stored and re-read values compare equal.
pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap_or(now)
}

/// RFC 3339 timestamps in every stored item and every response.
pub mod rfc3339 {
    pub use time::serde::rfc3339::option;
    pub use time::serde::rfc3339::{deserialize, serialize};

    pub fn format(t: time::OffsetDateTime) -> String {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}
