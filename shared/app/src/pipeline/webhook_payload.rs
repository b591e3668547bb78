//! The body of a webhook event, with PailFlow's field names.

use crate::ports::SessionView;
use domain::rfc3339::format;
use domain::session::WebhookEvent;
use domain::Phase;
use serde_json::json;

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
        WebhookEvent::BotJoinFailed => json!({
            "event": event.as_str(),
            "bot_id": s.bot_id,
            "room_url": s.room_url,
            "status": "failed",
            "error": s.error,
            "failed_at": s.completed_at.map(format),
        }),
        WebhookEvent::SessionComplete => {
            let insights = view.analysis.as_ref().and_then(|a| a.insights.as_ref());
            let duration_seconds = match (s.started_at, &s.exit) {
                (Some(started), Some(exit)) if exit.ended_at > started => {
                    (exit.ended_at - started).whole_seconds()
                }
                (_, Some(exit)) => (exit.duration_ms / 1000) as i64,
                _ => 0,
            };
            json!({
                "event": event.as_str(),
                "bot_id": s.bot_id,
                "room_url": s.room_url,
                "status": if s.phase == Phase::Completed { "completed" } else { "failed" },
                "exit_reason": s.exit.as_ref().map(|e| e.reason),
                "duration_seconds": duration_seconds,
                "transcript_text": view.transcript.as_ref().map(|t| t.to_text()).unwrap_or_default(),
                "summary": insights.map(|i| i.summary.clone()),
                "insights": insights,
                "insights_error": view.analysis.as_ref().and_then(|a| a.insights_error.clone()).or_else(|| s.insights_error.clone()),
                "qa_pairs": view.analysis.as_ref().map(|a| a.qa_pairs.clone()).unwrap_or_default(),
                "error": s.error,
                "started_at": s.started_at.map(format),
                "completed_at": s.completed_at.map(format),
            })
        }
    };
    body.to_string()
}
