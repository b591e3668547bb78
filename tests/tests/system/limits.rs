//! Per-account limits against the emulator: the counters are conditional writes in the
//! same transaction as what they count, so they hold exactly under concurrency, a session
//! frees its slot once however its messages are redelivered, and emails stop at the quota.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::limits::AccountLimits;
use domain::AccountId;
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{emails_mentioning, meeting, unique_email, Options, Stack};

async fn set(s: &Stack, limits: AccountLimits) {
    s.env
        .store
        .set_account_limits(&AccountId::parse("acme").unwrap(), &limits)
        .await
        .unwrap();
}

/// The account item's count of running bots.
async fn active_bots(s: &Stack) -> i64 {
    let items = s.env.items().await;
    let account = items
        .iter()
        .find(|i| i.get("pk") == Some(&AttributeValue::S("ACCOUNT#acme".into())))
        .expect("the account item");
    match account.get("active_bots") {
        Some(AttributeValue::N(n)) => n.parse().unwrap(),
        _ => 0,
    }
}

fn body() -> Value {
    json!({"room_url": "https://acme.daily.co/r", "bot_config": {"bot_prompt": "x", "standin": {"report": "never"}}})
}

#[tokio::test]
async fn twelve_racing_joins_under_a_limit_of_four_start_exactly_four() {
    let s = Stack::start(Options::api()).await;
    set(
        &s,
        AccountLimits {
            active_bots: Some(4),
            ..Default::default()
        },
    )
    .await;
    let body = body().to_string();
    let joins = (0..12).map(|_| s.join_with(Some(&s.key), &body, &[]));
    let answers = futures_util::future::join_all(joins).await;
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 429)
        .map(|(_, b)| b)
        .collect();
    assert_eq!((ok, refused.len()), (4, 8), "{answers:?}");
    assert!(refused.iter().all(|b| b["limit"] == "active_bots"));
    assert_eq!(active_bots(&s).await, 4);
    let sessions = s
        .env
        .items()
        .await
        .iter()
        .filter(|i| i.get("sk") == Some(&AttributeValue::S("SESSION".into())))
        .count();
    assert_eq!(sessions, 4, "a refused join stores nothing");
}

#[tokio::test]
async fn a_session_frees_its_slot_once_when_its_messages_come_three_times() {
    let s = Stack::start(Options::default()).await;
    set(
        &s,
        AccountLimits {
            active_bots: Some(1),
            ..Default::default()
        },
    )
    .await;
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
    assert_eq!(active_bots(&s).await, 1);
    assert_eq!(
        s.join_with(Some(&s.key), &body().to_string(), &[]).await.0,
        429
    );
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    // Every message of the session handled three times over.
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < until && s.status(&id).await["status"] != "completed" {
        for m in s.env.visible_messages().await {
            for _ in 0..3 {
                let _ = s.pipeline.handle(&m).await;
            }
        }
        s.drain(Duration::from_millis(300)).await;
    }
    assert_eq!(s.status(&id).await["status"], "completed");
    assert_eq!(active_bots(&s).await, 0, "freed exactly once");
    assert_eq!(
        s.join_with(Some(&s.key), &body().to_string(), &[]).await.0,
        200
    );
}

#[tokio::test]
async fn joins_over_the_minute_limit_are_429_with_retry_after() {
    let s = Stack::start(Options::api()).await;
    set(
        &s,
        AccountLimits {
            joins_per_minute: Some(2),
            ..Default::default()
        },
    )
    .await;
    let body = body().to_string();
    let (mut ok, mut refused) = (0, 0);
    // Five joins in a row span at most two minute windows: at most four fit.
    for _ in 0..5 {
        let response = s
            .join
            .handle(system_tests::request("POST", Some(&s.key), &body, &[]))
            .await;
        match response.status().as_u16() {
            200 => ok += 1,
            429 => {
                refused += 1;
                let seconds: u32 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&seconds), "{seconds}");
                let (_, answer) = system_tests::json(response);
                assert_eq!(answer["limit"], "joins_per_minute");
            }
            other => panic!("{other}"),
        }
    }
    assert!(ok <= 4 && refused >= 1, "{ok} started, {refused} refused");
    assert_eq!(active_bots(&s).await, ok, "a refused join takes no slot");
}

#[tokio::test]
async fn the_daily_email_quota_stops_emails_but_not_webhooks() {
    let s = Stack::start(Options::default()).await;
    set(
        &s,
        AccountLimits {
            emails_per_day: Some(1),
            ..Default::default()
        },
    )
    .await;
    let (first, second) = (unique_email(), unique_email());
    let mut states = Vec::new();
    for email in [&first, &second] {
        let id = s.join_meeting(email, "", json!({})).await;
        s.stop_bot(&id).await;
        s.report_exit(&id, &meeting()).await;
        let done = s.until_settled(&id, Duration::from_secs(20)).await;
        states.push(done["deliveries"]["email"].clone());
        assert_eq!(done["deliveries"]["webhook"]["state"], "delivered");
    }
    assert_eq!(states[0]["state"], "delivered");
    assert_eq!(states[1]["state"], "failed");
    assert!(states[1]["error"]
        .as_str()
        .unwrap()
        .starts_with("email_quota_exceeded:"));
    assert_eq!(emails_mentioning(&first).await.len(), 1);
    assert_eq!(
        emails_mentioning(&second).await.len(),
        0,
        "nothing sent over the quota"
    );
}
