//! The lifecycle timeline and `status_change` webhooks against the emulator: every change
//! is written with the state change itself (list_append in the same conditional write), and
//! each owed event is sent once, signed, with its own stable `webhook-id`.

use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;
use system_tests::{meeting, unique_email, Options, Stack};

fn codes(status: &Value) -> Vec<(String, Value)> {
    status["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["sub_code"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_meeting_has_its_whole_timeline_and_one_status_change_event_per_change() {
    let s = Stack::start(Options::default()).await;
    let extra = json!({
        "webhook_events": ["status_change", "session_complete"],
        "metadata": {"team": "sales", "deal": "4711"},
    });
    let id = s.join_meeting(&unique_email(), "", extra).await;
    s.stop_bot(&id).await;
    s.drain(Duration::from_millis(500)).await;
    let (status, _) = s.report_exit(&id, &meeting()).await;
    assert_eq!(status, 202);
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    // Every message handled again: nothing new is sent.
    for m in s.env.visible_messages().await {
        let _ = s.pipeline.handle(&m).await;
    }
    s.drain(Duration::from_secs(2)).await;
    let done_again = s.status(&id).await;
    assert_eq!(done_again["status_changes"], done["status_changes"]);

    assert_eq!(
        codes(&done),
        vec![
            ("joining".to_owned(), Value::Null),
            ("in_call".to_owned(), Value::Null),
            ("leave_requested".to_owned(), Value::Null),
            ("bot_exited".to_owned(), json!("participant_left")),
            ("processing".to_owned(), Value::Null),
            ("completed".to_owned(), json!("participant_left")),
        ]
    );
    assert_eq!(done["sub_code"], "participant_left");
    assert_eq!(done["metadata"], json!({"team": "sales", "deal": "4711"}));
    let at: Vec<&str> = done["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["at"].as_str().unwrap())
        .collect();
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "in order");

    let hooks = s.env.webhooks(&id).await;
    let changes: Vec<&Value> = hooks
        .iter()
        .filter(|h| h["event"]["event"] == "status_change")
        .collect();
    assert_eq!(changes.len(), 6, "{hooks:#?}");
    assert!(changes.iter().all(|h| h["verified"] == true));
    let ids: HashSet<&str> = changes
        .iter()
        .map(|h| h["webhook_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6, "each change its own webhook-id");
    let completed = changes
        .iter()
        .find(|h| h["event"]["code"] == "completed")
        .unwrap();
    assert_eq!(completed["event"]["sub_code"], "participant_left");
    assert_eq!(completed["event"]["metadata"]["deal"], "4711");
    let complete: Vec<&Value> = hooks
        .iter()
        .filter(|h| h["event"]["event"] == "session_complete")
        .collect();
    assert_eq!(complete.len(), 1);
    assert_eq!(
        complete[0]["event"]["metadata"],
        json!({"team": "sales", "deal": "4711"}),
        "every event carries the bot's metadata"
    );
    let statuses = &done["deliveries"]["status_changes"];
    assert_eq!(statuses.as_array().unwrap().len(), 6);
    assert!(statuses
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["state"] == "delivered"));
}

#[tokio::test]
async fn without_status_change_in_webhook_events_none_is_sent() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(codes(&done).len(), 6, "the timeline is kept either way");
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 1, "PailFlow's default: session_complete only");
    assert_eq!(hooks[0]["event"]["event"], "session_complete");
}

#[tokio::test]
async fn a_refused_start_ends_failed_with_bot_start_failed() {
    let s = Stack::start(Options::api()).await;
    let body = json!({"room_url": "https://acme.daily.co/r", "bot_config": {"bot_prompt": "x", "standin": {"start": "refuse"}}});
    let (status, answer) = s.join_with(Some(&s.key), &body.to_string(), &[]).await;
    assert_eq!(status, 502);
    let failed = s.status(answer["bot_id"].as_str().unwrap()).await;
    assert_eq!(
        codes(&failed),
        vec![
            ("joining".to_owned(), Value::Null),
            ("failed".to_owned(), json!("bot_start_failed")),
        ]
    );
    assert_eq!(failed["sub_code"], "bot_start_failed");
}

#[tokio::test]
async fn a_bot_exiting_with_no_speech_completes_with_empty_transcript() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let (status, _) = s.report_exit(&id, &[]).await;
    assert_eq!(status, 202);
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["sub_code"], "empty_transcript");
    assert_eq!(codes(&done).last().unwrap().0, "completed");
}

#[tokio::test]
async fn a_stuck_bot_fails_with_exit_deadline_exceeded() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let failed = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(failed["sub_code"], "exit_deadline_exceeded");
    assert_eq!(codes(&failed).last().unwrap().0, "failed");
}
