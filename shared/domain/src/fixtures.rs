//! Values for tests in this crate and the crates above it (feature `test-support`).

use crate::{AccountId, BotId, Phase, Session};

/// A session of account `acme` in `phase`, with nothing else set.
pub fn session(phase: Phase) -> Session {
    Session {
        bot_id: BotId::new(),
        account_id: AccountId::parse("acme").unwrap(),
        room_url: "https://acme.daily.co/standup".into(),
        provider: "daily".into(),
        bot_config: serde_json::json!({"bot_prompt": "Take notes"}),
        process_insights: true,
        email: None,
        email_on_failure: false,
        analysis_prompt: None,
        summary_format_prompt: None,
        webhook_url: None,
        phase,
        created_at: crate::now(),
        started_at: None,
        leave_requested_at: None,
        leave_enqueued: false,
        completed_at: None,
        runtime_session_id: None,
        bot_secret_hash: String::new(),
        exit: None,
        error: None,
        error_code: None,
        insights_error: None,
        holds_slot: false,
        email_delivery: None,
        webhook_delivery: None,
    }
}
