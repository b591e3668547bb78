//! Per-account limits at join: running bots, joins a minute, recipient domains. Over a
//! limit: 429 in PailFlow's error shape with `Retry-After`, nothing stored, started or sent.

use super::*;
use crate::ports::{Finish, SessionStore};
use domain::limits::AccountLimits;

impl World {
    /// A join's status, body and `Retry-After` header.
    async fn join_with_headers(&self, body: Value) -> (u16, Value, Option<String>) {
        let response = self
            .join_handler()
            .handle(request("POST", Some(&self.key), body.to_string(), &[]))
            .await;
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let (status, body) = respond(response);
        (status, body, retry_after)
    }

    /// Nothing stored, started or enqueued since `sessions` sessions and `started` starts.
    fn nothing_new(&self, sessions: usize, started: usize, messages: usize) {
        assert_eq!(self.store.session_count(), sessions, "a session was stored");
        assert_eq!(
            self.runtime.started.lock().unwrap().len(),
            started,
            "a bot was started"
        );
        assert_eq!(self.queue.messages().len(), messages, "a message was sent");
    }
}

#[tokio::test]
async fn over_the_running_bots_limit_is_429_and_nothing_starts_until_a_slot_frees() {
    let w = World::new();
    w.store.set_limits(
        "acme",
        AccountLimits {
            active_bots: Some(2),
            ..Default::default()
        },
    );
    let first = w.joined_bot().await;
    w.joined_bot().await;
    let (sessions, started, messages) = (
        w.store.session_count(),
        w.runtime.started.lock().unwrap().len(),
        w.queue.messages().len(),
    );
    let (status, body, retry_after) = w.join_with_headers(join_body()).await;
    assert_eq!(status, 429, "{body}");
    assert_pailflow_error(&body, "limit_exceeded");
    assert_eq!(body["limit"], "active_bots");
    assert!(body["detail"].as_str().unwrap().contains("2 bots running"));
    assert_eq!(retry_after.as_deref(), Some("60"));
    w.nothing_new(sessions, started, messages);
    assert_eq!(w.store.active_bots("acme"), 2);

    // The first session ends: its slot is freed, once, and a join fits again.
    let session = w.store.session(first).unwrap();
    let finish = |at| Finish {
        phase: Phase::Completed,
        at,
        error: None,
        error_code: None,
        analysis: None,
        email: None,
        webhook: None,
        frees_slot_of: session.slot(),
        expires_at: None,
        timeline: Default::default(),
    };
    assert!(w
        .store
        .finish(first, &[Phase::InCall], finish(domain::now()))
        .await
        .unwrap());
    assert!(!w
        .store
        .finish(first, &[Phase::InCall], finish(domain::now()))
        .await
        .unwrap());
    assert_eq!(w.store.active_bots("acme"), 1, "freed exactly once");
    w.joined_bot().await;
    // Another account is not limited by acme's bots.
    assert_eq!(w.store.active_bots("globex"), 0);
}

#[tokio::test]
async fn over_the_joins_per_minute_limit_is_429_with_the_seconds_to_the_next_minute() {
    let w = World::new();
    w.store.set_limits(
        "acme",
        AccountLimits {
            joins_per_minute: Some(1),
            ..Default::default()
        },
    );
    w.joined_bot().await;
    // A minute boundary may fall between two joins, never between three in a row.
    let (mut status, mut body, mut retry_after) = w.join_with_headers(join_body()).await;
    if status == 200 {
        (status, body, retry_after) = w.join_with_headers(join_body()).await;
    }
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["limit"], "joins_per_minute");
    let seconds: u32 = retry_after.unwrap().parse().unwrap();
    assert!((1..=60).contains(&seconds), "{seconds}");
    let joined = w.store.session_count();
    assert!(joined <= 2);
    w.nothing_new(joined, joined, joined);
}

#[tokio::test]
async fn a_limit_of_zero_refuses_the_first_join() {
    let w = World::new();
    w.store.set_limits(
        "acme",
        AccountLimits {
            active_bots: Some(0),
            ..Default::default()
        },
    );
    let (status, body, _) = w.join_with_headers(join_body()).await;
    assert_eq!((status, body["limit"].as_str()), (429, Some("active_bots")));
    w.nothing_new(0, 0, 0);
}

#[tokio::test]
async fn an_email_outside_the_accounts_domains_is_refused_at_join() {
    let w = World::new();
    w.store.set_limits(
        "acme",
        AccountLimits {
            email_domains: Some(vec!["acme.com".into()]),
            ..Default::default()
        },
    );
    let (status, body, _) = w.join_with_headers(join_body()).await;
    assert_eq!(status, 400, "ada@example.com is not at acme.com: {body}");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("Field 'email'"));
    w.nothing_new(0, 0, 0);
    let mut body = join_body();
    body["email"] = json!("ada@acme.com");
    assert_eq!(w.join_with_headers(body).await.0, 200);
}
