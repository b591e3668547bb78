//! The delivery log and redeliveries: every delivery listed with its address and attempts;
//! a settled one sent again (queued, the same `webhook-id`), anything else refused with a
//! clear error and nothing changed.

use super::*;
use domain::session::{DeliveryState, EmailDelivery, WebhookDelivery, WebhookEvent};
use domain::WebhookUrl;

impl World {
    fn deliveries_handler(&self) -> DeliveriesHandler<MemStore, MemQueue, MemResolver> {
        let resolver = MemResolver::with(&[("inside.example.com", "10.0.0.7")]);
        DeliveriesHandler::new(
            self.store.clone(),
            self.queue.clone(),
            resolver,
            UrlPolicy::STRICT,
        )
    }

    async fn delivery_log(&self, key: Option<&ApiKey>, id: &str) -> (u16, Value) {
        let req =
            request("GET", key, String::new(), &[]).with_path_parameters(params("bot_id", id));
        respond(self.deliveries_handler().handle(req).await)
    }

    async fn redeliver(
        &self,
        key: Option<&ApiKey>,
        id: &str,
        delivery: &str,
        body: &str,
    ) -> (u16, Value) {
        let mut p = params("bot_id", id);
        p.insert("delivery_id".into(), delivery.into());
        let req = request("POST", key, body.to_owned(), &[]).with_path_parameters(p);
        respond(self.deliveries_handler().handle(req).await)
    }

    /// A completed bot whose email and webhook are in `state`.
    async fn delivered_bot(&self, state: DeliveryState) -> BotId {
        let id = self.joined_bot().await;
        let mut s = self.store.session(id).unwrap();
        s.phase = Phase::Completed;
        s.completed_at = Some(domain::now());
        s.webhook_url =
            Some(WebhookUrl::parse("https://hooks.example.com/a", UrlPolicy::STRICT).unwrap());
        let mut email = EmailDelivery::pending(s.email.clone().unwrap());
        email.state = state;
        let mut hook = WebhookDelivery::new(WebhookEvent::SessionComplete, id);
        hook.state = state;
        s.email_delivery = Some(email);
        s.webhook_delivery = Some(hook);
        self.store.put_session(s);
        self.queue.take();
        id
    }
}

#[tokio::test]
async fn the_log_lists_the_email_and_the_webhook() {
    let w = World::new();
    let id = w.delivered_bot(DeliveryState::Delivered).await;
    let (status, body) = w.delivery_log(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let log = body["deliveries"].as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["delivery_id"], "email");
    assert_eq!(log[0]["channel"], "email");
    assert_eq!(log[0]["to"], "ada@example.com");
    assert_eq!(log[1]["delivery_id"], "webhook");
    assert_eq!(log[1]["url"], "https://hooks.example.com/a");
    assert_eq!(
        log[1]["webhook_id"],
        format!("msg_{}_session_complete", id.as_uuid().simple())
    );
    for (key, raw, expect) in [
        (Some(&w.other_key), id.to_string(), 404),
        (Some(&w.key), "nope".to_string(), 400),
        (None, id.to_string(), 401),
    ] {
        assert_eq!(w.delivery_log(key, &raw).await.0, expect, "{raw}");
    }
}

#[tokio::test]
async fn a_settled_webhook_is_redelivered_with_its_webhook_id_and_queued() {
    let w = World::new();
    let id = w.delivered_bot(DeliveryState::Failed).await;
    let body = r#"{"url": "https://fixed.example.com/in"}"#;
    let (status, answer) = w
        .redeliver(Some(&w.key), &id.to_string(), "webhook", body)
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["delivery_id"], "event-0");
    assert_eq!(
        answer["webhook_id"],
        format!("msg_{}_session_complete", id.as_uuid().simple())
    );
    let s = w.store.session(id).unwrap();
    let again = &s.event_deliveries[0];
    assert_eq!(
        again.url.as_ref().unwrap().to_string(),
        "https://fixed.example.com/in"
    );
    assert_eq!(again.state, DeliveryState::Pending);
    assert_eq!(w.queue.messages(), vec![PipelineMessage::deliver(id)]);

    // Asked again before it was attempted: the same redelivery, queued again, none added.
    let (status, again) = w
        .redeliver(Some(&w.key), &id.to_string(), "webhook", "")
        .await;
    assert_eq!((status, &again["delivery_id"]), (202, &json!("event-0")));
    assert_eq!(w.store.session(id).unwrap().event_deliveries.len(), 1);
    // With its own URL it is another request: refused while the first is pending.
    let (status, body) = w
        .redeliver(
            Some(&w.key),
            &id.to_string(),
            "webhook",
            r#"{"url": "https://x.example.com/"}"#,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_pailflow_error(&body, "conflict");
}

#[tokio::test]
async fn a_delivery_still_being_delivered_is_not_sent_again() {
    let w = World::new();
    for state in [DeliveryState::Pending, DeliveryState::Sending] {
        let id = w.delivered_bot(state).await;
        let before = w.store.session(id).unwrap();
        for delivery in ["email", "webhook"] {
            let (status, body) = w
                .redeliver(Some(&w.key), &id.to_string(), delivery, "")
                .await;
            assert_eq!(status, 409, "{state:?} {delivery}: {body}");
            assert!(body["detail"]
                .as_str()
                .unwrap()
                .contains("still being delivered"));
        }
        assert_eq!(w.store.session(id).unwrap(), before);
        assert!(w.queue.messages().is_empty());
    }
}

#[tokio::test]
async fn bad_redeliveries_are_refused_with_the_field_named_and_change_nothing() {
    let w = World::new();
    let id = w.delivered_bot(DeliveryState::Delivered).await;
    let before = w.store.session(id).unwrap();
    let bot = id.to_string();
    for (delivery, body, status, says) in [
        (
            "webhook",
            r#"{"url": "http://hooks.example.com/x"}"#,
            400,
            "Field 'url'",
        ),
        (
            "webhook",
            r#"{"url": "https://10.0.0.1/x"}"#,
            400,
            "Field 'url'",
        ),
        (
            "webhook",
            r#"{"url": "https://inside.example.com/x"}"#,
            400,
            "resolves to",
        ),
        (
            "webhook",
            r#"{"url": 7}"#,
            400,
            "Field 'url' must be a string",
        ),
        (
            "webhook",
            r#"{"urls": "https://a.example.com"}"#,
            400,
            "Field 'urls' is not known",
        ),
        ("webhook", "not json", 400, "not valid JSON"),
        (
            "email",
            r#"{"url": "https://a.example.com/"}"#,
            400,
            "webhook deliveries only",
        ),
        ("event-3", "", 404, "Delivery 'event-3' not found"),
        ("email-0", "", 404, "Delivery 'email-0' not found"),
        ("../../RESULT", "", 404, "not found"),
    ] {
        let (got, answer) = w.redeliver(Some(&w.key), &bot, delivery, body).await;
        assert_eq!(got, status, "{delivery} {body}: {answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    let huge = format!(r#"{{"url": "https://a.example.com/{}"}}"#, "a".repeat(5000));
    assert_eq!(
        w.redeliver(Some(&w.key), &bot, "webhook", &huge).await.0,
        413
    );
    assert_eq!(
        w.redeliver(Some(&w.other_key), &bot, "webhook", "").await.0,
        404
    );
    assert_eq!(w.redeliver(None, &bot, "webhook", "").await.0, 401);
    assert_eq!(w.store.session(id).unwrap(), before);
    assert!(w.queue.messages().is_empty());
}

#[tokio::test]
async fn a_bot_whose_data_was_deleted_is_not_redelivered() {
    let w = World::new();
    let id = w.delivered_bot(DeliveryState::Delivered).await;
    let mut s = w.store.session(id).unwrap();
    s.data_deleted = Some(domain::session::DataDeleted {
        at: domain::now(),
        transcript_chunks: 0,
        results: 0,
        deliveries: 0,
    });
    w.store.put_session(s);
    let (status, body) = w
        .redeliver(Some(&w.key), &id.to_string(), "webhook", "")
        .await;
    assert_eq!(status, 410, "{body}");
    assert_pailflow_error(&body, "gone");
}
