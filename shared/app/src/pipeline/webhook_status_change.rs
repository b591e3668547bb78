//! The body of a `status_change` event: which change, why, when, and the bot's metadata.

use domain::rfc3339::format;
use domain::timeline::StatusChange;
use domain::Session;
use serde_json::json;

/// Built from the change recorded on the session, so every attempt sends the same bytes.
pub fn status_change_payload(session: &Session, change: &StatusChange) -> String {
    json!({
        "event": "status_change",
        "bot_id": session.bot_id,
        "code": change.code,
        "sub_code": change.sub_code,
        "at": format(change.at),
        "metadata": session.metadata,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::fixtures::session;
    use domain::timeline::{ChangeCode, SubCode};
    use domain::Phase;

    #[test]
    fn the_event_names_the_change_and_carries_the_metadata() {
        let mut s = session(Phase::Leaving);
        s.metadata = domain::metadata::Metadata::parse(Some(&json!({"team": "sales"}))).unwrap();
        let change = StatusChange::new(
            ChangeCode::LeaveRequested,
            Some(SubCode::MaxDurationReached),
            domain::now(),
        );
        let body: serde_json::Value =
            serde_json::from_str(&status_change_payload(&s, &change)).unwrap();
        assert_eq!(body["event"], "status_change");
        assert_eq!(body["bot_id"], s.bot_id.to_string());
        assert_eq!(body["code"], "leave_requested");
        assert_eq!(body["sub_code"], "max_duration_reached");
        assert_eq!(body["metadata"]["team"], "sales");
        assert!(body["at"].as_str().unwrap().ends_with('Z'));
    }
}
