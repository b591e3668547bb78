//! The pipeline's rules with in-memory ports: ordering, redelivery, deadlines, delivery
//! outcomes. The same code runs against the emulator in `tests/`.

use super::*;
use crate::api::ReportHandler;
use crate::ports::{Accounts, MailError, PostOutcome, RuntimeError, SessionStore};
use crate::retry::Backoff;
use crate::testing::{FakeRuntime, MemMailer, MemQueue, MemStore, MemWebhooks};
use domain::fixtures::session;
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::session::DeliveryState;
use domain::{now, BotId, Phase};
use domain::{BotSecret, EmailAddress, WebhookUrl};
use insights::BuiltinEngine;
use lambda_http::{Body, RequestExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type TestPipeline =
    Pipeline<MemStore, MemQueue, FakeRuntime, MemMailer, MemWebhooks, BuiltinEngine>;

struct World {
    store: MemStore,
    queue: MemQueue,
    runtime: FakeRuntime,
    mailer: MemMailer,
    webhooks: MemWebhooks,
    pipeline: TestPipeline,
}

fn world() -> World {
    let (store, queue, runtime, mailer, webhooks) = (
        MemStore::default(),
        MemQueue::default(),
        FakeRuntime::default(),
        MemMailer::default(),
        MemWebhooks::default(),
    );
    store.add_key("acme");
    let settings = PipelineSettings {
        webhook_backoff: Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_secs(4 * 60 * 60),
        },
        ..Default::default()
    };
    let pipeline = Pipeline::new(
        store.clone(),
        queue.clone(),
        runtime.clone(),
        mailer.clone(),
        webhooks.clone(),
        BuiltinEngine::new(),
        settings,
    );
    World {
        store,
        queue,
        runtime,
        mailer,
        webhooks,
        pipeline,
    }
}

const SECRET: &str = "pfb_test_secret";

/// A session in the call with an email and a webhook, as join leaves it.
fn in_call(w: &World) -> BotId {
    let mut s = session(Phase::InCall);
    s.email = Some(EmailAddress::parse("ada@example.com").unwrap());
    s.webhook_url =
        Some(WebhookUrl::parse("https://hooks.example.com/bots", UrlPolicy::STRICT).unwrap());
    s.runtime_session_id = Some("rt-1".into());
    s.bot_secret_hash = BotSecret::from_presented(SECRET).hash();
    let id = s.bot_id;
    w.store.put_session(s);
    id
}

fn leaving(w: &World) -> BotId {
    let id = in_call(w);
    let mut s = w.store.session(id).unwrap();
    s.phase = Phase::Leaving;
    s.leave_requested_at = Some(now());
    s.leave_enqueued = true;
    w.store.put_session(s);
    id
}

const REPORT: &str = r#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[
 {"speaker":"Ada","text":"Can we ship on Friday?","start_ms":0,"end_ms":2000},
 {"speaker":"Bob","text":"Yes, the build is green.","start_ms":2000,"end_ms":4000}]}"#;

/// The bot reports its exit through the real report handler; returns the message it enqueued.
async fn report(w: &World, id: BotId, body: &str) -> (u16, Option<PipelineMessage>) {
    let handler = ReportHandler::new(w.store.clone(), w.queue.clone());
    let req = ::http::Request::builder()
        .method("POST")
        .header("authorization", format!("Bearer {SECRET}"))
        .header("content-type", "application/json")
        .body(Body::Text(body.to_owned()))
        .unwrap()
        .with_path_parameters(HashMap::from([("bot_id".to_owned(), id.to_string())]));
    let status = handler.handle(req).await.status().as_u16();
    (
        status,
        w.queue.take().into_iter().map(|(m, _)| m).next_back(),
    )
}

async fn run(w: &World, message: &PipelineMessage) -> Result<(), Retry> {
    w.pipeline.handle(message).await
}

#[tokio::test]
async fn a_meeting_completes_with_one_email_and_one_signed_webhook() {
    let w = world();
    let id = leaving(&w);
    run(&w, &PipelineMessage::leave_requested(id))
        .await
        .unwrap();
    assert_eq!(w.runtime.stopped.lock().unwrap().as_slice(), ["rt-1"]);
    assert!(
        matches!(w.queue.take().as_slice(), [(PipelineMessage::ExitDeadline { .. }, d)] if *d > Duration::ZERO)
    );

    let (status, message) = report(&w, id, REPORT).await;
    assert_eq!(status, 202);
    let message = message.unwrap();
    assert!(matches!(message, PipelineMessage::BotExited { .. }));
    run(&w, &message).await.unwrap();

    let s = w.store.session(id).unwrap();
    assert_eq!(s.phase, Phase::Completed);
    assert!(s.completed_at.is_some());
    assert_eq!(
        s.email_delivery.as_ref().unwrap().state,
        DeliveryState::Delivered
    );
    assert_eq!(
        s.webhook_delivery.as_ref().unwrap().state,
        DeliveryState::Delivered
    );
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 1);
    let posts = w.webhooks.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 1);
    let (url, headers, body) = &posts[0];
    assert_eq!(url, "https://hooks.example.com/bots");
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "session_complete");
    assert_eq!(payload["exit_reason"], "participant_left");
    assert!(payload["transcript_text"]
        .as_str()
        .unwrap()
        .contains("Ada: Can we ship on Friday?"));
    let secret = w
        .store
        .webhook_secret(&s.account_id)
        .await
        .unwrap()
        .unwrap();
    let mut map = ::http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            ::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    standardwebhooks::Webhook::new(secret.expose())
        .unwrap()
        .verify(body.as_bytes(), &map)
        .unwrap();

    let view = w.store.get_view(id).await.unwrap().unwrap();
    let analysis = view.analysis.unwrap();
    assert_eq!(analysis.qa_pairs.len(), 1);
    assert_eq!(analysis.qa_pairs[0].answer, "Yes, the build is green.");
}

#[tokio::test]
async fn every_message_delivered_three_times_sends_one_email_and_one_webhook_event() {
    let w = world();
    let id = leaving(&w);
    let leave = PipelineMessage::leave_requested(id);
    for _ in 0..3 {
        run(&w, &leave).await.unwrap();
    }
    let (_, exited) = report(&w, id, REPORT).await;
    // A retried identical report is the same exit.
    let (status, again) = report(&w, id, REPORT).await;
    assert_eq!(status, 202);
    assert_eq!(exited, again);
    let exited = exited.unwrap();
    for _ in 0..3 {
        run(&w, &exited).await.unwrap();
    }
    for _ in 0..3 {
        run(&w, &PipelineMessage::deliver(id)).await.unwrap();
        run(&w, &PipelineMessage::exit_deadline(id, now()))
            .await
            .unwrap();
    }
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 1);
    assert_eq!(w.webhooks.posts.lock().unwrap().len(), 1);
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Completed);
}

#[tokio::test]
async fn bot_exited_before_leave_requested_is_processed_and_the_late_leave_does_nothing() {
    let w = world();
    let id = leaving(&w);
    let (_, exited) = report(&w, id, REPORT).await;
    run(&w, &exited.unwrap()).await.unwrap();
    run(&w, &PipelineMessage::leave_requested(id))
        .await
        .unwrap();
    assert!(
        w.runtime.stopped.lock().unwrap().is_empty(),
        "a bot that is gone is not stopped"
    );
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Completed);
}

#[tokio::test]
async fn a_bot_that_never_reports_fails_at_the_deadline_and_the_customer_is_told_once() {
    let w = world();
    let id = leaving(&w);
    let mut s = w.store.session(id).unwrap();
    s.email_on_failure = true;
    w.store.put_session(s);
    // Early: the deadline re-schedules itself instead of failing the session.
    run(
        &w,
        &PipelineMessage::exit_deadline(id, now() - time::Duration::hours(1)),
    )
    .await
    .unwrap();
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Leaving);
    assert!(matches!(
        w.queue.take().as_slice(),
        [(PipelineMessage::ExitDeadline { .. }, _)]
    ));

    let mut s = w.store.session(id).unwrap();
    s.leave_requested_at = Some(now() - time::Duration::minutes(16));
    w.store.put_session(s);
    for _ in 0..3 {
        run(&w, &PipelineMessage::exit_deadline(id, now()))
            .await
            .unwrap();
    }
    let s = w.store.session(id).unwrap();
    assert_eq!(s.phase, Phase::Failed);
    assert!(s
        .error
        .as_deref()
        .unwrap()
        .contains("did not report its exit within 15 minutes"));
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 1);
    let posts = w.webhooks.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 1);
    assert!(posts[0].2.contains(r#""status":"failed""#));
    // A report arriving after the deadline is refused and changes nothing.
    assert_eq!(report(&w, id, REPORT).await.0, 409);
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Failed);
}

#[tokio::test]
async fn a_session_past_its_maximum_length_is_asked_to_leave() {
    let w = world();
    let id = in_call(&w);
    run(&w, &PipelineMessage::exit_deadline(id, now()))
        .await
        .unwrap();
    assert_eq!(w.store.session(id).unwrap().phase, Phase::Leaving);
    assert_eq!(
        w.queue.messages(),
        vec![PipelineMessage::leave_requested(id)]
    );
}

#[tokio::test]
async fn webhook_500_then_200_is_retried_with_the_same_webhook_id() {
    let w = world();
    let id = leaving(&w);
    w.webhooks
        .outcomes
        .lock()
        .unwrap()
        .push(PostOutcome::Answered(500));
    let (_, exited) = report(&w, id, REPORT).await;
    run(&w, &exited.unwrap()).await.unwrap();
    let wd = w.store.session(id).unwrap().webhook_delivery.unwrap();
    assert_eq!((wd.state, wd.attempts), (DeliveryState::Pending, 1));
    let retry = w
        .queue
        .take()
        .into_iter()
        .map(|(m, _)| m)
        .find(|m| matches!(m, PipelineMessage::WebhookRetry { .. }))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    run(&w, &retry).await.unwrap();
    run(&w, &retry).await.unwrap(); // a duplicate of the retry does nothing
    let wd = w.store.session(id).unwrap().webhook_delivery.unwrap();
    assert_eq!((wd.state, wd.attempts), (DeliveryState::Delivered, 2));
    assert_eq!(
        wd.history.iter().map(|a| a.status_code).collect::<Vec<_>>(),
        vec![Some(500), Some(200)]
    );
    let posts = w.webhooks.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2);
    let id_of = |i: usize| {
        posts[i]
            .1
            .iter()
            .find(|(k, _)| k == "webhook-id")
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(id_of(0), id_of(1));
    assert_eq!(posts[0].2, posts[1].2, "every attempt sends the same body");
}

#[tokio::test]
async fn webhook_410_stops_retrying() {
    let w = world();
    let id = leaving(&w);
    w.webhooks
        .outcomes
        .lock()
        .unwrap()
        .push(PostOutcome::Answered(410));
    let (_, exited) = report(&w, id, REPORT).await;
    run(&w, &exited.unwrap()).await.unwrap();
    let wd = w.store.session(id).unwrap().webhook_delivery.unwrap();
    assert_eq!(wd.state, DeliveryState::Failed);
    assert!(!w
        .queue
        .messages()
        .iter()
        .any(|m| matches!(m, PipelineMessage::WebhookRetry { .. })));
}

#[tokio::test]
async fn ses_rejection_is_recorded_and_not_retried() {
    let w = world();
    let id = leaving(&w);
    w.mailer
        .results
        .lock()
        .unwrap()
        .push(Err(MailError::Rejected(
            "MessageRejected: Email address not verified".into(),
        )));
    let (_, exited) = report(&w, id, REPORT).await;
    run(&w, &exited.clone().unwrap()).await.unwrap();
    run(&w, &exited.unwrap()).await.unwrap();
    let email = w.store.session(id).unwrap().email_delivery.unwrap();
    assert_eq!(email.state, DeliveryState::Failed);
    assert!(email.error.unwrap().contains("not verified"));
    assert_eq!(email.attempts, 1);
    assert_eq!(
        w.webhooks.posts.lock().unwrap().len(),
        1,
        "the webhook still goes out"
    );
}

#[tokio::test]
async fn transient_ses_failure_is_retried_by_redelivery() {
    let w = world();
    let id = leaving(&w);
    w.mailer
        .results
        .lock()
        .unwrap()
        .push(Err(MailError::Transient(Arc::new(std::io::Error::other(
            "Throttling",
        )))));
    let (_, exited) = report(&w, id, REPORT).await;
    let exited = exited.unwrap();
    assert!(run(&w, &exited).await.is_err());
    run(&w, &exited).await.unwrap();
    let email = w.store.session(id).unwrap().email_delivery.unwrap();
    assert_eq!((email.state, email.attempts), (DeliveryState::Delivered, 2));
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_runtime_failing_the_stop_is_retried_after_the_deadline_is_scheduled() {
    let w = world();
    let id = leaving(&w);
    let busy = || {
        Err(RuntimeError::Failed {
            status: 503,
            detail: "busy".into(),
        })
    };
    // Three tries in place (stopping is idempotent), then the message comes back.
    w.runtime
        .stop_results
        .lock()
        .unwrap()
        .extend([busy(), busy(), busy()]);
    assert!(run(&w, &PipelineMessage::leave_requested(id))
        .await
        .is_err());
    assert_eq!(w.runtime.stopped.lock().unwrap().len(), 3);
    assert!(matches!(
        w.queue.messages().as_slice(),
        [PipelineMessage::ExitDeadline { .. }]
    ));
    run(&w, &PipelineMessage::leave_requested(id))
        .await
        .unwrap();
    assert_eq!(w.runtime.stopped.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn a_stop_failing_once_is_tried_again_in_place() {
    let w = world();
    let id = leaving(&w);
    w.runtime
        .stop_results
        .lock()
        .unwrap()
        .push(Err(RuntimeError::Failed {
            status: 503,
            detail: "busy".into(),
        }));
    run(&w, &PipelineMessage::leave_requested(id))
        .await
        .unwrap();
    assert_eq!(w.runtime.stopped.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_report_with_the_wrong_secret_is_401_and_changes_nothing() {
    let w = world();
    let id = leaving(&w);
    let other = leaving(&w);
    let mut o = w.store.session(other).unwrap();
    o.bot_secret_hash = BotSecret::from_presented("pfb_other_bots_secret").hash();
    w.store.put_session(o);
    let before = w.store.session(id).unwrap();
    // A wrong secret, another bot's secret, an empty one, and none at all.
    for auth in [
        Some("Bearer wrong"),
        Some("Bearer pfb_other_bots_secret"),
        Some("Bearer "),
        None,
    ] {
        let handler = ReportHandler::new(w.store.clone(), w.queue.clone());
        let mut req = ::http::Request::builder().method("POST");
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let req = req
            .body(Body::Text(REPORT.into()))
            .unwrap()
            .with_path_parameters(HashMap::from([("bot_id".to_owned(), id.to_string())]));
        assert_eq!(handler.handle(req).await.status().as_u16(), 401, "{auth:?}");
    }
    assert_eq!(w.store.session(id).unwrap(), before);
    assert!(w.queue.messages().is_empty());
}

#[tokio::test]
async fn an_over_limit_report_is_413_and_stores_nothing() {
    let w = world();
    let id = leaving(&w);
    let big = format!(
        r#"{{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[{{"speaker":"A","text":"{}","start_ms":0,"end_ms":1}}]}}"#,
        "x".repeat(crate::api::report::MAX_REPORT_BODY_BYTES)
    );
    assert_eq!(report(&w, id, &big).await, (413, None));
    let s = w.store.session(id).unwrap();
    assert_eq!(s.phase, Phase::Leaving);
    assert!(s.exit.is_none());
}

#[tokio::test(start_paused = true)]
async fn an_outcome_is_recorded_through_transient_store_errors_then_handed_back() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let throttled = || StoreError::unavailable("record email", "throttled");
    let calls = AtomicU32::new(0);
    let flaky = || async {
        match calls.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => Err(throttled()),
            _ => Ok(7),
        }
    };
    assert_eq!(super::recorded("record email", flaky).await.unwrap(), 7);
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let calls = AtomicU32::new(0);
    let down = || async {
        calls.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(throttled())
    };
    let error = super::recorded("record email", down).await.unwrap_err();
    assert_eq!(
        crate::errors::Chain(&error).to_string(),
        "record email failed: record email failed: throttled"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "four tries, then the message goes back"
    );
}

mod batch;

#[tokio::test]
async fn a_failure_without_a_transcript_is_not_mailed_unless_asked() {
    let w = world();
    let id = leaving(&w);
    let mut s = w.store.session(id).unwrap();
    s.leave_requested_at = Some(now() - time::Duration::minutes(16));
    w.store.put_session(s);
    run(&w, &PipelineMessage::exit_deadline(id, now()))
        .await
        .unwrap();
    let s = w.store.session(id).unwrap();
    assert_eq!(s.phase, Phase::Failed);
    assert!(s.email_delivery.is_none(), "no email owed");
    assert!(w.mailer.sent.lock().unwrap().is_empty());
    assert_eq!(
        w.webhooks.posts.lock().unwrap().len(),
        1,
        "the webhook still tells the customer"
    );
}

mod limits;
mod metrics;
mod redelivery;

/// A status_change webhook carries the session's own fields only: sending one reads no
/// transcript or results, so a session with the events reads them as often as one without.
#[tokio::test]
async fn status_change_webhooks_read_no_transcript_or_results() {
    async fn meeting(status_changes: bool) -> (usize, usize) {
        let w = world();
        let id = leaving(&w);
        if status_changes {
            let mut s = w.store.session(id).unwrap();
            s.webhook_events
                .push(domain::session::WebhookEvent::StatusChange);
            w.store.put_session(s);
        }
        let (_, message) = report(&w, id, REPORT).await;
        run(&w, &message.expect("the report enqueues the exit"))
            .await
            .unwrap();
        let changes = w
            .webhooks
            .posts
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, body)| body.contains(r#""event":"status_change""#))
            .count();
        (changes, w.store.result_reads())
    }
    let (no_changes, reads_without) = meeting(false).await;
    let (changes, reads_with) = meeting(true).await;
    assert_eq!(no_changes, 0);
    assert!(changes >= 1, "the completion is a status change");
    assert_eq!(
        reads_with, reads_without,
        "{changes} status_change webhooks read results"
    );
}
