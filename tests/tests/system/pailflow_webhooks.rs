//! The webhooks a PailFlow receiver gets: real events, delivered over HTTP to the receiver and
//! signed, checked against PailFlow's published field list (written out here from its
//! documentation, not from our code) and read by a receiver typed as PailFlow documents them.

use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{meeting, unique_email, Options, Stack};

/// The JSON type PailFlow documents for a field.
#[derive(Clone, Copy, Debug)]
enum Kind {
    String,
    StringOrNull,
    Number,
    StringList,
    Object(&'static [(&'static str, Kind)]),
    OneOf(&'static [&'static str]),
    Timestamp,
}

/// PailFlow's `session_complete`: `event`, `transcript_id` (string or null), `room_id`
/// (string or null), `room_name`, `duration_seconds`, `transcript_text`, `summary`,
/// `exit_reason`, `insights` with `summary`, `overall_score` (a number), `strengths` (list of
/// strings) and `weaknesses` (list of strings), and `insights_error`.
const SESSION_COMPLETE: &[(&str, Kind)] = &[
    ("event", Kind::OneOf(&["session_complete"])),
    ("transcript_id", Kind::StringOrNull),
    ("room_id", Kind::StringOrNull),
    ("room_name", Kind::String),
    ("duration_seconds", Kind::Number),
    ("transcript_text", Kind::String),
    ("summary", Kind::String),
    (
        "exit_reason",
        Kind::OneOf(&[
            "participant_left",
            "stop_phrase",
            "force_leave",
            "idle_timeout",
        ]),
    ),
    (
        "insights",
        Kind::Object(&[
            ("summary", Kind::String),
            ("overall_score", Kind::Number),
            ("strengths", Kind::StringList),
            ("weaknesses", Kind::StringList),
        ]),
    ),
    ("insights_error", Kind::StringOrNull),
];

/// PailFlow's `bot_join_failed`: `event_type: "bot_join_failed"`, `workflow_thread_id`,
/// `room_url`, `error_type` (`room_not_found`, `auth_error` or `unknown`), `error_message`,
/// `timestamp` and `duration_seconds`.
const BOT_JOIN_FAILED: &[(&str, Kind)] = &[
    ("event_type", Kind::OneOf(&["bot_join_failed"])),
    ("workflow_thread_id", Kind::String),
    ("room_url", Kind::String),
    (
        "error_type",
        Kind::OneOf(&["room_not_found", "auth_error", "unknown"]),
    ),
    ("error_message", Kind::String),
    ("timestamp", Kind::Timestamp),
    ("duration_seconds", Kind::Number),
];

/// Every field of `fields` is in `body` with its documented type.
fn check(body: &Value, fields: &[(&str, Kind)]) {
    for (name, kind) in fields {
        let value = body
            .get(name)
            .unwrap_or_else(|| panic!("{name} is missing: {body}"));
        let ok = match kind {
            Kind::String => value.is_string(),
            Kind::StringOrNull => value.is_string() || value.is_null(),
            Kind::Number => value.is_number(),
            Kind::StringList => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            Kind::Object(inner) => {
                check(value, inner);
                value.is_object()
            }
            Kind::OneOf(allowed) => value.as_str().is_some_and(|v| allowed.contains(&v)),
            Kind::Timestamp => value.as_str().is_some_and(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .is_ok()
            }),
        };
        assert!(ok, "{name} is not {kind:?}: {value}");
    }
}

/// A receiver typed from PailFlow's documentation alone: it must read our events unchanged.
#[allow(dead_code)]
#[derive(Deserialize)]
struct PailFlowSessionComplete {
    event: String,
    transcript_id: Option<String>,
    room_id: Option<String>,
    room_name: String,
    duration_seconds: f64,
    transcript_text: String,
    summary: String,
    exit_reason: String,
    insights: PailFlowInsights,
    insights_error: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct PailFlowInsights {
    summary: String,
    overall_score: f64,
    strengths: Vec<String>,
    weaknesses: Vec<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct PailFlowBotJoinFailed {
    event_type: String,
    workflow_thread_id: String,
    room_url: String,
    error_type: String,
    error_message: String,
    timestamp: String,
    duration_seconds: f64,
}

#[tokio::test]
async fn a_delivered_session_complete_has_every_pailflow_field_with_its_type() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let (status, accepted) = s.report_exit(&id, &meeting()).await;
    assert_eq!(status, 202, "{accepted}");
    s.until_settled(&id, Duration::from_secs(20)).await;
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["verified"], true);
    let body = &hooks[0]["event"];
    check(body, SESSION_COMPLETE);
    let typed: PailFlowSessionComplete = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(typed.event, "session_complete");
    assert_eq!(
        typed.room_name, "standup",
        "from https://acme.daily.co/standup"
    );
    assert_eq!(
        typed.transcript_id.as_deref(),
        accepted["exit_id"].as_str(),
        "our stored transcript's id"
    );
    assert_eq!(typed.room_id, None, "the runtime reports no room id");
    assert!((0.0..=10.0).contains(&typed.insights.overall_score));
    assert!(!typed.insights.strengths.is_empty() || !typed.insights.weaknesses.is_empty());
    // Ours beside PailFlow's, and `event_type` for receivers of the other event's shape.
    assert_eq!(body["event_type"], "session_complete");
    assert_eq!(body["bot_id"], id.as_str());
    assert!(body["qa_pairs"].is_array());
    // The status endpoint's insights carry the same score.
    let status = s.status(&id).await;
    assert_eq!(status["insights"], body["insights"]);
}

#[tokio::test]
async fn a_delivered_bot_join_failed_has_every_pailflow_field_and_its_error_type() {
    let s = Stack::start(Options::default()).await;
    for (start, error_type, code) in [
        ("not_found", "room_not_found", "room_not_found"),
        ("unauthorized", "auth_error", "auth_error"),
        ("fail", "unknown", "runtime_unavailable"),
        ("refuse", "unknown", "runtime_refused"),
    ] {
        let body = json!({
            "room_url": "https://acme.daily.co/standup",
            "bot_config": {"bot_prompt": "x", "standin": {"start": start}},
            "webhook_callback_url": s.env.webhook_url("acme", ""),
        });
        let (status, refused) = s.join_with(Some(&s.key), &body.to_string(), &[]).await;
        assert_eq!(status, 502, "{refused}");
        let id = refused["bot_id"].as_str().unwrap().to_owned();
        s.until_settled(&id, Duration::from_secs(20)).await;
        let hooks = s.env.webhooks(&id).await;
        assert_eq!(hooks.len(), 1, "{start}");
        assert_eq!(hooks[0]["verified"], true);
        let event = &hooks[0]["event"];
        check(event, BOT_JOIN_FAILED);
        let typed: PailFlowBotJoinFailed = serde_json::from_value(event.clone()).unwrap();
        assert_eq!(typed.event_type, "bot_join_failed");
        assert_eq!(typed.workflow_thread_id, id, "the bot id");
        assert_eq!(typed.error_type, error_type, "{start}");
        assert!(
            typed.error_message.ends_with(&format!("({code})")),
            "our sentence and code, never the runtime's text: {}",
            typed.error_message
        );
        assert!(typed.duration_seconds >= 0.0);
        assert_eq!(event["event"], "bot_join_failed", "{start}");
        assert_eq!(event["error_code"], code);
    }
}
