//! Values for tests in this crate and the crates above it (feature `test-support`).

use crate::{AccountId, BotId, Phase, Session};

/// A session of account `acme` in `phase`, with nothing else set.
pub fn session(phase: Phase) -> Session {
    let mut s = Session::joining(
        BotId::new(),
        AccountId::parse("acme").unwrap(),
        "https://acme.daily.co/standup".into(),
        serde_json::json!({"bot_prompt": "Take notes"}),
        String::new(),
        crate::now(),
    );
    s.phase = phase;
    s
}
