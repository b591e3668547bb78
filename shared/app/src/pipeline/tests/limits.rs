//! Limits the pipeline keeps: a session frees its running-bot slot once when it ends, and
//! result emails stop at the account's daily quota (the webhook still goes out).

use super::*;
use domain::limits::AccountLimits;

/// A leaving session that holds a slot, counted the way join counts it.
async fn holding_a_slot(w: &World) -> BotId {
    let id = leaving(w);
    let mut s = w.store.session(id).unwrap();
    s.holds_slot = true;
    let admission = crate::ports::Admission {
        active_bots: 100,
        joins_per_minute: 100,
        at: now(),
    };
    let created = w.store.create_session(&s, None, &admission).await.unwrap();
    assert_eq!(created, crate::ports::CreateOutcome::Created);
    id
}

#[tokio::test]
async fn a_session_frees_its_slot_once_however_often_its_exit_is_delivered() {
    let w = world();
    let id = holding_a_slot(&w).await;
    assert_eq!(w.store.active_bots("acme"), 1);
    let (_, message) = report(&w, id, REPORT).await;
    let message = message.unwrap();
    for _ in 0..3 {
        run(&w, &message).await.unwrap();
    }
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Completed);
    assert_eq!(w.store.active_bots("acme"), 0, "freed exactly once");
}

#[tokio::test]
async fn emails_stop_at_the_daily_quota_and_the_webhook_still_goes_out() {
    let w = world();
    w.store.set_limits(
        "acme",
        AccountLimits {
            emails_per_day: Some(1),
            ..Default::default()
        },
    );
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = leaving(&w);
        let (_, message) = report(&w, id, REPORT).await;
        let message = message.unwrap();
        run(&w, &message).await.unwrap();
        // Redelivered: the email is counted once, not per claim.
        run(&w, &message).await.unwrap();
        ids.push(id);
    }
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 1);
    let first = w.store.session(ids[0]).unwrap().email_delivery.unwrap();
    assert_eq!(first.state, DeliveryState::Delivered);
    let second = w.store.session(ids[1]).unwrap().email_delivery.unwrap();
    assert_eq!(second.state, DeliveryState::Failed);
    assert!(
        second
            .error
            .as_deref()
            .unwrap()
            .starts_with("email_quota_exceeded:"),
        "{second:?}"
    );
    assert_eq!(second.attempts, 0, "never sent");
    assert_eq!(w.webhooks.posts.lock().unwrap().len(), 2);
}
