//! The delivery log, redeliveries and insights re-runs against the emulator, through the
//! real pipeline and the verifying webhook receiver: a failed webhook sent again to a fixed
//! URL with its `webhook-id`; a redelivery refused while the pipeline's own retry is due and
//! never sent twice at once; an email redelivery counted against the quota; a re-run stored
//! as version 2 with version 1 kept, told by a signed `insights_updated` event and an email.

use domain::limits::AccountLimits;
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{emails_mentioning, meeting, unique_email, Options, Stack};

/// A meeting joined with `query` on its webhook URL, stopped, reported and settled.
async fn settled_meeting(s: &Stack, email: &str, query: &str) -> (String, Value) {
    let id = s.join_meeting(email, query, json!({})).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(30)).await;
    (id, done)
}

fn entry<'a>(log: &'a Value, id: &str) -> &'a Value {
    log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["delivery_id"] == id)
        .unwrap_or_else(|| panic!("no delivery {id} in {log}"))
}

#[tokio::test]
async fn a_failed_webhook_is_sent_again_to_a_fixed_url_with_its_webhook_id() {
    let s = Stack::start(Options::default()).await;
    let (id, done) = settled_meeting(&s, &unique_email(), "?status=410").await;
    assert_eq!(done["deliveries"]["webhook"]["state"], "failed");
    let log = s.deliveries(&id).await;
    let webhook = entry(&log, "webhook");
    assert_eq!(webhook["history"][0]["status_code"], 410);
    assert!(webhook["url"].as_str().unwrap().ends_with("?status=410"));
    assert_eq!(entry(&log, "email")["state"], "delivered");

    let fixed = s.env.webhook_url("acme", "");
    let (status, answer) = s
        .redeliver(&id, "webhook", &json!({ "url": fixed }).to_string())
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["webhook_id"], webhook["webhook_id"]);
    let again = answer["delivery_id"].as_str().unwrap().to_owned();
    s.drain(Duration::from_secs(2)).await;

    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 2, "{hooks:#?}");
    assert_eq!(hooks[0]["webhook_id"], hooks[1]["webhook_id"]);
    assert_eq!(hooks[0]["event"], hooks[1]["event"], "the same payload");
    assert_eq!(
        (hooks[0]["answered"].clone(), hooks[1]["answered"].clone()),
        (json!(410), json!(200))
    );
    assert!(hooks.iter().all(|h| h["verified"] == true), "{hooks:#?}");
    let log = s.deliveries(&id).await;
    let redelivered = entry(&log, &again);
    assert_eq!(redelivered["state"], "delivered");
    assert_eq!(redelivered["redelivers"], "webhook");
    assert_eq!(redelivered["url"], fixed);
    assert_eq!(
        entry(&log, "webhook")["state"],
        "failed",
        "the original keeps its outcome"
    );
}

#[tokio::test]
async fn a_redelivery_never_races_the_pipelines_own_retry() {
    let s = Stack::start(Options::default()).await;
    let id = s
        .join_meeting(&unique_email(), "?fail_first=1", json!({}))
        .await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    // Completed, its first attempt refused, the retry due in half a second.
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        s.env.poll(|e| s.pipeline.handle_batch(e)).await;
        if s.status(&id).await["deliveries"]["webhook"]["attempts"] == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < until);
    }
    let before = s.env.items().await;
    let (status, body) = s.redeliver(&id, "webhook", "").await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("still being delivered"));
    assert_eq!(s.env.items().await, before, "nothing recorded");

    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["deliveries"]["webhook"]["state"], "delivered");
    // Two requests at once: one redelivery, sent once.
    let (a, b) = tokio::join!(
        s.redeliver(&id, "webhook", ""),
        s.redeliver(&id, "webhook", "")
    );
    let accepted: Vec<&Value> = [&a, &b]
        .into_iter()
        .filter(|(c, _)| *c == 202)
        .map(|(_, v)| v)
        .collect();
    assert!(!accepted.is_empty(), "{a:?} {b:?}");
    assert!(accepted
        .iter()
        .all(|v| v["delivery_id"] == accepted[0]["delivery_id"]));
    assert!(
        [&a, &b].iter().all(|(c, _)| *c == 202 || *c == 409),
        "{a:?} {b:?}"
    );
    s.drain(Duration::from_secs(2)).await;
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 3, "500, 200, and one redelivery: {hooks:#?}");
    let log = s.deliveries(&id).await;
    let redeliveries = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["redelivers"] == "webhook")
        .count();
    assert_eq!(redeliveries, 1);
}

#[tokio::test]
async fn an_email_redelivery_counts_against_the_daily_quota() {
    let s = Stack::start(Options::default()).await;
    let account = domain::AccountId::parse("acme").unwrap();
    let limits = AccountLimits {
        emails_per_day: Some(1),
        ..AccountLimits::default()
    };
    s.env
        .store
        .set_account_limits(&account, &limits)
        .await
        .unwrap();
    let email = unique_email();
    let (id, done) = settled_meeting(&s, &email, "").await;
    assert_eq!(done["deliveries"]["email"]["state"], "delivered");
    let (status, answer) = s.redeliver(&id, "email", "").await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["webhook_id"], Value::Null);
    s.drain(Duration::from_secs(2)).await;
    let log = s.deliveries(&id).await;
    let again = entry(&log, answer["delivery_id"].as_str().unwrap());
    assert_eq!(again["state"], "failed");
    assert_eq!(
        emails_mentioning(&email).await.len(),
        1,
        "over the quota: not sent"
    );

    s.env
        .store
        .set_account_limits(&account, &AccountLimits::default())
        .await
        .unwrap();
    let (status, answer) = s.redeliver(&id, "email", "").await;
    assert_eq!(status, 202, "{answer}");
    s.drain(Duration::from_secs(2)).await;
    assert_eq!(emails_mentioning(&email).await.len(), 2);
}

#[tokio::test]
async fn insights_run_again_as_version_two_and_version_one_is_kept() {
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let (id, done) = settled_meeting(&s, &email, "").await;
    assert_eq!(done["insights_version"], 1);
    let (status, first) = s.insights_version(&id, None).await;
    assert_eq!(status, 200, "{first}");

    let body = json!({"analysis_prompt": "Focus on decisions", "deliver": {"webhook": true, "email": true}});
    let (status, answer) = s.rerun_insights(&id, &body.to_string()).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["version"], 2);
    let (status, busy) = s.rerun_insights(&id, "").await;
    assert_eq!(status, 409, "{busy}");
    s.drain(Duration::from_secs(2)).await;

    let after = s.status(&id).await;
    assert_eq!(after["insights_version"], 2);
    assert_eq!(after["insights_rerun_pending"], Value::Null);
    let (status, v1) = s.insights_version(&id, Some(1)).await;
    assert_eq!(status, 200, "{v1}");
    assert_eq!(v1["qa_pairs"], first["qa_pairs"]);
    assert_eq!(v1["latest_version"], 2);
    let (_, v2) = s.insights_version(&id, None).await;
    assert_eq!(v2["version"], 2);

    let hooks = s.env.webhooks(&id).await;
    let updated: Vec<&Value> = hooks
        .iter()
        .filter(|h| h["event"]["event"] == "insights_updated")
        .collect();
    assert_eq!(updated.len(), 1, "{hooks:#?}");
    assert_eq!(updated[0]["verified"], true);
    assert_eq!(updated[0]["event"]["insights_version"], 2);
    assert_eq!(
        emails_mentioning(&email).await.len(),
        2,
        "the meeting's email and the update"
    );

    // Deleting the data removes every version.
    let (status, receipt) = s.delete_data_as(Some(&s.key), &id).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["deleted"]["results"], 2);
    let (status, _) = s.insights_version(&id, Some(1)).await;
    assert_eq!(status, 410);
}
