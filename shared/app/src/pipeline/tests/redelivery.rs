//! Redeliveries and insights re-runs through the pipeline: the same `webhook-id` and
//! payload sent again (to another URL when asked), a re-run stored as the next version with
//! the previous one kept, and its `insights_updated` webhook and email sent once.

use super::*;
use crate::ports::{DeliveryStore, Reruns};
use domain::delivery_log::{DeliveryId, Redelivery};
use domain::rerun::RerunRequest;

/// A meeting that ended with its email and webhook delivered.
async fn completed(w: &World) -> BotId {
    let id = leaving(w);
    let (_, message) = report(w, id, REPORT).await;
    run(w, &message.unwrap()).await.unwrap();
    w.queue.take();
    id
}

fn body_of(post: &(String, Vec<(String, String)>, String)) -> serde_json::Value {
    serde_json::from_str(&post.2).unwrap()
}

fn header<'a>(post: &'a (String, Vec<(String, String)>, String), name: &str) -> &'a str {
    &post.1.iter().find(|(k, _)| k == name).unwrap().1
}

#[tokio::test]
async fn a_redelivered_webhook_sends_the_same_event_to_the_new_url_once() {
    let w = world();
    let id = completed(&w).await;
    let session = w.store.session(id).unwrap();
    let url = WebhookUrl::parse("https://fixed.example.com/in", UrlPolicy::STRICT).unwrap();
    let redelivery = session
        .redelivery(DeliveryId::Webhook, Some(url), now())
        .unwrap();
    assert!(w
        .store
        .add_redelivery(id, DeliveryId::Webhook, &redelivery, 0)
        .await
        .unwrap());
    run(&w, &PipelineMessage::deliver(id)).await.unwrap();
    // The message again: nothing more is sent.
    run(&w, &PipelineMessage::deliver(id)).await.unwrap();

    let posts = w.webhooks.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2, "the original and one redelivery");
    assert_eq!(posts[1].0, "https://fixed.example.com/in");
    assert_eq!(
        header(&posts[0], "webhook-id"),
        header(&posts[1], "webhook-id")
    );
    assert_eq!(posts[0].2, posts[1].2, "the same payload");
    let after = w.store.session(id).unwrap();
    let again = &after.event_deliveries[0];
    assert_eq!((again.state, again.attempts), (DeliveryState::Delivered, 1));
    assert_eq!(again.origin.redelivers.as_deref(), Some("webhook"));
    assert_eq!(
        w.mailer.sent.lock().unwrap().len(),
        1,
        "the email is not sent again"
    );
}

#[tokio::test]
async fn a_redelivered_email_is_sent_again_and_counted() {
    let w = world();
    let id = completed(&w).await;
    let session = w.store.session(id).unwrap();
    let redelivery = session.redelivery(DeliveryId::Email, None, now()).unwrap();
    assert!(matches!(redelivery, Redelivery::Email(_)));
    assert!(w
        .store
        .add_redelivery(id, DeliveryId::Email, &redelivery, 0)
        .await
        .unwrap());
    run(&w, &PipelineMessage::deliver(id)).await.unwrap();
    run(&w, &PipelineMessage::deliver(id)).await.unwrap();
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 2);
    let later = &w.store.session(id).unwrap().later_emails[0];
    assert_eq!(later.state, DeliveryState::Delivered);
    assert_eq!(later.history.len(), 1, "its attempt is recorded");
}

#[tokio::test]
async fn a_rerun_stores_the_next_version_keeps_the_first_and_tells_once() {
    let w = world();
    let id = completed(&w).await;
    let first = w
        .store
        .view_of(w.store.session(id).unwrap())
        .await
        .unwrap()
        .analysis
        .unwrap();
    let session = w.store.session(id).unwrap();
    let request = RerunRequest {
        deliver_webhook: true,
        deliver_email: true,
        ..Default::default()
    };
    let rerun = session.rerun(request, now()).unwrap();
    assert!(w.store.request_rerun(id, &rerun).await.unwrap());
    let message = PipelineMessage::rerun_insights(id, 2);
    run(&w, &message).await.unwrap();
    run(&w, &message).await.unwrap();

    let s = w.store.session(id).unwrap();
    assert_eq!(s.insights_version, Some(2));
    assert!(s.insights_rerun.is_none());
    assert_eq!(w.store.analysis_version(id, 1).await.unwrap(), Some(first));
    let posts = w.webhooks.posts.lock().unwrap().clone();
    let updates: Vec<_> = posts
        .iter()
        .filter(|p| body_of(p)["event"] == "insights_updated")
        .collect();
    assert_eq!(updates.len(), 1, "told once");
    assert_eq!(body_of(updates[0])["insights_version"], 2);
    assert_eq!(
        w.mailer.sent.lock().unwrap().len(),
        2,
        "the meeting's email and the update"
    );
    assert_eq!(s.later_emails[0].origin.insights_version, Some(2));
}

#[tokio::test]
async fn nothing_is_delivered_once_the_data_is_deleted() {
    let w = world();
    let id = completed(&w).await;
    let mut s = w.store.session(id).unwrap();
    let redelivery = s.redelivery(DeliveryId::Webhook, None, now()).unwrap();
    w.store
        .add_redelivery(id, DeliveryId::Webhook, &redelivery, 0)
        .await
        .unwrap();
    s = w.store.session(id).unwrap();
    s.data_deleted = Some(domain::session::DataDeleted {
        at: now(),
        transcript_chunks: 1,
        results: 1,
        deliveries: 0,
    });
    w.store.put_session(s);
    run(&w, &PipelineMessage::deliver(id)).await.unwrap();
    assert_eq!(
        w.webhooks.posts.lock().unwrap().len(),
        1,
        "only the original"
    );
}
