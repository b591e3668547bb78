//! The body of a webhook event: PailFlow's fields with their names, types and meanings
//! (`PAILFLOW_SESSION_COMPLETE`, `PAILFLOW_BOT_JOIN_FAILED`), ours beside them (`bot_id`,
//! `qa_pairs`, `status`, …). Both events carry `event` and `event_type`, so a receiver
//! reading either works. Only our own codes and sentences describe a failure: nothing a
//! bot runtime or a model answered is sent.

use crate::ports::SessionView;
use domain::join::room_name;
use domain::rfc3339::format;
use domain::session::WebhookEvent;
use domain::{Phase, Session};
use serde_json::json;

/// PailFlow's `session_complete` fields, all always present.
pub const PAILFLOW_SESSION_COMPLETE: &[&str] = &[
    "event",
    "transcript_id",
    "room_id",
    "room_name",
    "duration_seconds",
    "transcript_text",
    "summary",
    "exit_reason",
    "insights",
    "insights_error",
];

/// PailFlow's `bot_join_failed` fields, all always present.
pub const PAILFLOW_BOT_JOIN_FAILED: &[&str] = &[
    "event_type",
    "workflow_thread_id",
    "room_url",
    "error_type",
    "error_message",
    "timestamp",
    "duration_seconds",
];

/// The event body. Built from the terminal session only, so every attempt of one event
/// sends the same bytes.
pub fn payload(view: &SessionView, event: WebhookEvent) -> String {
    let s = &view.session;
    let body = match event {
        // A status change's own delivery carries its change; this is the latest one.
        WebhookEvent::StatusChange => match s.status_changes.last() {
            Some(change) => return super::webhook_status_change::status_change_payload(s, change),
            None => json!({"event": event.as_str(), "bot_id": s.bot_id}),
        },
        WebhookEvent::InsightsUpdated => {
            return insights_updated_payload(view, view.session.current_insights_version())
        }
        WebhookEvent::BotJoinFailed => {
            let failed_at = s.completed_at.unwrap_or(s.created_at);
            let waited_ms = (failed_at - s.created_at).whole_milliseconds().max(0);
            json!({
                "event_type": event.as_str(),
                "event": event.as_str(),
                "workflow_thread_id": s.bot_id.to_string(),
                "room_url": s.room_url,
                "error_type": error_type(s.error_code.as_deref()),
                "error_message": s.error.as_deref().unwrap_or(JOIN_FAILED),
                "timestamp": format(failed_at),
                "duration_seconds": waited_ms as f64 / 1000.0,
                "bot_id": s.bot_id,
                "error_code": s.error_code,
                "metadata": s.metadata,
                "status": "failed",
                "error": s.error,
                "failed_at": s.completed_at.map(format),
            })
        }
        WebhookEvent::SessionComplete => {
            let insights = view.analysis.as_ref().and_then(|a| a.insights.as_ref());
            json!({
                "event": event.as_str(),
                "event_type": event.as_str(),
                "transcript_id": s.exit.as_ref().map(|e| e.exit_id.clone()),
                // The bot runtime reports no room id of its own (Pipecat Cloud's start
                // answers only its session id), so there is none to give.
                "room_id": null,
                "room_name": room_name(&s.room_url),
                "duration_seconds": duration_seconds(s),
                "transcript_text": view.transcript.as_ref().map(|t| t.to_text()).unwrap_or_default(),
                "summary": insights.map(|i| i.summary.clone()),
                "exit_reason": s.exit.as_ref().map(|e| e.reason),
                "insights": insights,
                "insights_error": view.analysis.as_ref().and_then(|a| a.insights_error.clone()).or_else(|| s.insights_error.clone()),
                "bot_id": s.bot_id,
                "room_url": s.room_url,
                "status": if s.phase == Phase::Completed { "completed" } else { "failed" },
                "qa_pairs": view.analysis.as_ref().map(|a| a.qa_pairs.clone()).unwrap_or_default(),
                "error": s.error,
                "started_at": s.started_at.map(format),
                "completed_at": s.completed_at.map(format),
                "metadata": s.metadata,
            })
        }
    };
    body.to_string()
}

/// The `insights_updated` event: the version the re-run stored and its results (the
/// latest, as the status route shows them).
pub fn insights_updated_payload(view: &SessionView, version: u32) -> String {
    let s = &view.session;
    let analysis = view.analysis.as_ref();
    json!({
        "event": WebhookEvent::InsightsUpdated.as_str(),
        "event_type": WebhookEvent::InsightsUpdated.as_str(),
        "bot_id": s.bot_id,
        "insights_version": version,
        "insights": analysis.and_then(|a| a.insights.as_ref()),
        "qa_pairs": analysis.map(|a| a.qa_pairs.clone()).unwrap_or_default(),
        "insights_error": analysis.and_then(|a| a.insights_error.clone()),
        "metadata": s.metadata,
    })
    .to_string()
}

/// `error_message` of a failed join with no recorded error (not expected: the join
/// handler records one with every failure).
const JOIN_FAILED: &str = "The bot could not join the meeting.";

/// PailFlow's `error_type` of a failed join: `room_not_found`, `auth_error`, or `unknown`
/// for every other reason (the finer reason is our `error_code`).
pub fn error_type(code: Option<&str>) -> &'static str {
    match code {
        Some("room_not_found") => "room_not_found",
        Some("auth_error") => "auth_error",
        _ => "unknown",
    }
}

/// Whole seconds the bot was in the meeting: from its start to the exit it reported (or
/// the length of its transcript when the start is not known); 0 without an exit.
pub fn duration_seconds(s: &Session) -> i64 {
    match (s.started_at, &s.exit) {
        (Some(started), Some(exit)) if exit.ended_at > started => {
            (exit.ended_at - started).whole_seconds()
        }
        (_, Some(exit)) => (exit.duration_ms / 1000) as i64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::fixtures::session;
    use domain::insights::{Analysis, Insights};
    use domain::session::ExitRecord;
    use domain::{ExitReason, Segment, Transcript};
    use serde_json::Value;
    use time::Duration;

    fn body(view: &SessionView, event: WebhookEvent) -> Value {
        serde_json::from_str(&payload(view, event)).unwrap()
    }

    fn completed() -> SessionView {
        let mut s = session(Phase::Completed);
        s.started_at = Some(s.created_at + Duration::seconds(2));
        s.completed_at = Some(s.created_at + Duration::seconds(700));
        s.exit = Some(ExitRecord {
            exit_id: "ab".repeat(32),
            reason: ExitReason::ParticipantLeft,
            ended_at: s.created_at + Duration::seconds(602),
            reported_at: s.created_at + Duration::seconds(603),
            chunks: 1,
            segments: 1,
            words: 2,
            duration_ms: 1000,
        });
        SessionView {
            session: s,
            transcript: Some(Transcript(vec![Segment {
                speaker: "Ada".into(),
                text: "Hello there".into(),
                start_ms: 0,
                end_ms: 1000,
            }])),
            analysis: Some(Analysis {
                qa_pairs: Vec::new(),
                insights: Some(Insights {
                    summary: "They met.".into(),
                    overall_score: Some(7.5),
                    strengths: vec!["2 of 2 questions were answered".into()],
                    weaknesses: vec!["No decision was recorded in 10 minutes".into()],
                    ..Default::default()
                }),
                insights_error: None,
            }),
        }
    }

    #[test]
    fn session_complete_has_pailflows_fields_with_their_types_and_ours_beside_them() {
        let b = body(&completed(), WebhookEvent::SessionComplete);
        for field in PAILFLOW_SESSION_COMPLETE {
            assert!(b.get(field).is_some(), "{field} is missing: {b}");
        }
        assert_eq!(
            (&b["event"], &b["event_type"]),
            (&json!("session_complete"), &json!("session_complete"))
        );
        assert_eq!(b["transcript_id"], "ab".repeat(32));
        assert_eq!(b["room_id"], Value::Null);
        assert_eq!(b["room_name"], "standup");
        assert_eq!(b["duration_seconds"], 600);
        assert_eq!(b["transcript_text"], "Ada: Hello there");
        assert_eq!(b["summary"], "They met.");
        assert_eq!(b["exit_reason"], "participant_left");
        assert_eq!(b["insights"]["summary"], "They met.");
        assert_eq!(b["insights"]["overall_score"], 7.5);
        assert_eq!(
            b["insights"]["strengths"][0],
            "2 of 2 questions were answered"
        );
        assert!(b["insights"]["weaknesses"].is_array());
        assert_eq!(b["insights_error"], Value::Null);
        for ours in ["bot_id", "qa_pairs", "status", "room_url", "completed_at"] {
            assert!(b.get(ours).is_some(), "{ours} stays");
        }
    }

    #[test]
    fn a_session_without_transcript_has_null_ids_and_zero_duration() {
        let mut view = completed();
        view.session.phase = Phase::Failed;
        view.session.exit = None;
        view.transcript = None;
        view.analysis = None;
        let b = body(&view, WebhookEvent::SessionComplete);
        assert_eq!(b["transcript_id"], Value::Null);
        assert_eq!(b["duration_seconds"], 0);
        assert_eq!(b["transcript_text"], "");
        assert_eq!(b["insights"], Value::Null);
        assert_eq!(b["status"], "failed");
    }

    #[test]
    fn bot_join_failed_has_pailflows_fields_and_maps_our_codes_to_its_error_types() {
        let mut s = session(Phase::Failed);
        s.completed_at = Some(s.created_at + Duration::milliseconds(1250));
        s.error = Some(
            "The bot runtime could not find the meeting or the bot to start. (room_not_found)"
                .into(),
        );
        s.error_code = Some("room_not_found".into());
        let view = SessionView {
            session: s.clone(),
            transcript: None,
            analysis: None,
        };
        let b = body(&view, WebhookEvent::BotJoinFailed);
        for field in PAILFLOW_BOT_JOIN_FAILED {
            assert!(b.get(field).is_some(), "{field} is missing: {b}");
        }
        assert_eq!(
            (&b["event_type"], &b["event"]),
            (&json!("bot_join_failed"), &json!("bot_join_failed"))
        );
        assert_eq!(b["workflow_thread_id"], s.bot_id.to_string());
        assert_eq!(b["room_url"], s.room_url);
        assert_eq!(b["error_type"], "room_not_found");
        assert_eq!(b["error_message"], s.error.clone().unwrap());
        assert_eq!(b["timestamp"], format(s.completed_at.unwrap()));
        assert_eq!(b["duration_seconds"], 1.25);
        assert_eq!(b["bot_id"], s.bot_id.to_string());
        for (code, error_type) in [
            (Some("auth_error"), "auth_error"),
            (Some("runtime_refused"), "unknown"),
            (Some("runtime_unavailable"), "unknown"),
            (Some("runtime_unreachable"), "unknown"),
            (None, "unknown"),
        ] {
            assert_eq!(super::error_type(code), error_type);
        }
    }
}
