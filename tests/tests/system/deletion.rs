//! Deletion and retention against the emulator: `DELETE /api/bot/{bot_id}/data` removes the
//! transcript chunks and the results (the session stays, with its receipt), cancels what
//! was still owed, and is refused for a running bot or another account's; `retention_hours`
//! writes DynamoDB's TTL attribute on the very items a deletion removes.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;
use system_tests::{meeting, unique_email, Options, Stack};

type Item = HashMap<String, AttributeValue>;

/// The bot's items in the table, by sort key.
async fn items_of(s: &Stack, id: &str) -> Vec<(String, Item)> {
    let pk = format!("BOT#{id}");
    s.env
        .items()
        .await
        .into_iter()
        .filter(|i| i.get("pk").and_then(|v| v.as_s().ok()) == Some(&pk))
        .map(|i| (i["sk"].as_s().unwrap().clone(), i))
        .collect()
}

fn epoch(item: &Item) -> Option<i64> {
    item.get("expires_at")
        .map(|v| v.as_n().unwrap().parse().unwrap())
}

fn rfc3339(at: &Value) -> i64 {
    time::OffsetDateTime::parse(
        at.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp()
}

#[tokio::test]
async fn a_finished_meetings_data_is_deleted_with_a_receipt_and_expires_by_ttl_before() {
    let s = Stack::start(Options::default()).await;
    let extra = json!({"retention_hours": 2, "metadata": {"case": "deletion"}});
    let id = s.join_meeting(&unique_email(), "", extra).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "completed");
    assert!(done["transcript"].is_string());

    // Retention: every transcript chunk and the results carry the TTL attribute, two hours
    // after the exit was reported; status shows the same instant.
    let items = items_of(&s, &id).await;
    let data: Vec<&(String, Item)> = items.iter().filter(|(sk, _)| sk != "SESSION").collect();
    let chunks = data
        .iter()
        .filter(|(sk, _)| sk.starts_with("TRANSCRIPT#"))
        .count();
    assert!(
        chunks >= 1 && data.iter().any(|(sk, _)| sk == "RESULT"),
        "{items:?}"
    );
    let expires = rfc3339(&done["expires_at"]);
    for (sk, item) in &data {
        assert_eq!(epoch(item), Some(expires), "{sk} carries the TTL");
    }
    let exited = done["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "bot_exited")
        .unwrap();
    assert_eq!(expires - rfc3339(&exited["at"]), 2 * 3600);
    assert_eq!(
        epoch(&items.iter().find(|(sk, _)| sk == "SESSION").unwrap().1),
        None,
        "the session itself is kept"
    );

    // Another account's deletion is 404 and changes nothing.
    s.unchanged(async {
        let (status, body) = s.delete_data_as(Some(&s.other), &id).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"], "not_found");
    })
    .await;

    let (status, receipt) = s.delete_data_as(Some(&s.key), &id).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["bot_id"], id);
    assert_eq!(
        receipt["deleted"],
        json!({"transcript_chunks": chunks, "results": 1, "deliveries": 0}),
        "everything was delivered already: nothing owed to cancel"
    );
    let left: Vec<String> = items_of(&s, &id)
        .await
        .into_iter()
        .map(|(sk, _)| sk)
        .collect();
    assert_eq!(left, vec!["SESSION".to_owned()], "only the session is left");

    let after = s.status(&id).await;
    assert_eq!(after["data_deleted_at"], receipt["deleted_at"]);
    for field in ["transcript", "qa_pairs", "insights", "expires_at"] {
        assert!(after[field].is_null(), "{field}: {after}");
    }
    assert_eq!(after["status"], "completed");
    assert_eq!(
        after["status_changes"], done["status_changes"],
        "the timeline is kept"
    );
    assert_eq!(after["metadata"], json!({"case": "deletion"}));

    // Deleting again answers the same receipt and changes nothing.
    s.unchanged(async {
        let (status, again) = s.delete_data_as(Some(&s.key), &id).await;
        assert_eq!((status, &again), (200, &receipt));
    })
    .await;
}

#[tokio::test]
async fn a_running_bots_data_is_not_deleted() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.unchanged(async {
        let (status, body) = s.delete_data_as(Some(&s.key), &id).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"], "conflict");
        assert!(
            body["detail"].as_str().unwrap().contains("in_call"),
            "{body}"
        );
        let (status, _) = s.delete_data_as(None, &id).await;
        assert_eq!(status, 401);
        let (status, _) = s.delete_data_as(Some(&s.key), "not-a-bot").await;
        assert_eq!(status, 400);
    })
    .await;
}

#[tokio::test]
async fn deletion_cancels_a_webhook_still_being_retried() {
    let s = Stack::start(Options::default()).await;
    let id = s
        .join_meeting(&unique_email(), "?status=500", json!({}))
        .await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    // Completed, its webhook refused once and waiting for its retry.
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let pending = loop {
        s.env.poll(|e| s.pipeline.handle_batch(e)).await;
        let st = s.status(&id).await;
        let hook = &st["deliveries"]["webhook"];
        if st["status"] == "completed" && hook["state"] == "pending" && hook["attempts"] == 1 {
            break st;
        }
        assert!(tokio::time::Instant::now() < until, "never pending: {st}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(pending["deliveries"]["email"]["state"], "delivered");

    let (status, receipt) = s.delete_data_as(Some(&s.key), &id).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(
        receipt["deleted"]["deliveries"], 1,
        "the webhook still owed"
    );
    let attempts = s.env.webhooks(&id).await.len();
    // The retry comes due and finds nothing to send.
    s.drain(Duration::from_secs(3)).await;
    assert_eq!(
        s.env.webhooks(&id).await.len(),
        attempts,
        "no attempt after the deletion"
    );
    let after = s.status(&id).await;
    assert_eq!(after["deliveries"]["webhook"]["state"], "failed");
    assert!(after["transcript"].is_null());
}
