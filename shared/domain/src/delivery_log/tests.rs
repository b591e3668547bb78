use super::*;
use crate::delivery::WebhookEvent;
use crate::fixtures::session;
use crate::net::UrlPolicy;
use crate::timeline::{ChangeCode, StatusChange};
use crate::{EmailAddress, Phase};

fn ended() -> Session {
    let mut s = session(Phase::Completed);
    s.completed_at = Some(crate::now());
    s.webhook_url =
        Some(WebhookUrl::parse("https://hooks.example.com/a", UrlPolicy::STRICT).unwrap());
    s.email_delivery = Some(EmailDelivery::pending(
        EmailAddress::parse("ada@example.com").unwrap(),
    ));
    s.webhook_delivery = Some(WebhookDelivery::new(
        WebhookEvent::SessionComplete,
        s.bot_id,
    ));
    let change = StatusChange::new(ChangeCode::Completed, None, crate::now());
    s.event_deliveries = vec![WebhookDelivery::for_change(s.bot_id, 0, change)];
    s
}

fn settle(s: &mut Session, state: DeliveryState) {
    s.email_delivery.as_mut().unwrap().state = state;
    s.webhook_delivery.as_mut().unwrap().state = state;
    for d in &mut s.event_deliveries {
        d.state = state;
    }
}

#[test]
fn delivery_ids_read_back_and_refuse_anything_else() {
    for id in [
        DeliveryId::Email,
        DeliveryId::Webhook,
        DeliveryId::Event(0),
        DeliveryId::Event(12),
        DeliveryId::LaterEmail(3),
    ] {
        assert_eq!(DeliveryId::parse(&id.to_string()), Some(id));
    }
    for bad in [
        "",
        "EMAIL",
        "event-",
        "event--1",
        "event-x",
        "event-99999",
        "webhook-0",
        "email-1-2",
        "../RESULT",
    ] {
        assert_eq!(DeliveryId::parse(bad), None, "{bad}");
    }
}

#[test]
fn the_log_lists_every_delivery_with_its_address() {
    let s = ended();
    let log = s.delivery_log();
    let ids: Vec<&str> = log.iter().map(|e| e.delivery_id.as_str()).collect();
    assert_eq!(ids, ["email", "webhook", "event-0"]);
    assert_eq!(log[0].channel, Channel::Email);
    assert_eq!(log[0].to.as_deref(), Some("ada@example.com"));
    assert_eq!(log[0].event, "session_complete");
    assert_eq!(log[1].url.as_deref(), Some("https://hooks.example.com/a"));
    assert_eq!(log[2].event, "status_change");
    assert!(log.iter().all(|e| e.created_at.is_some()));
}

#[test]
fn a_settled_webhook_is_sent_again_with_its_webhook_id_to_a_new_url() {
    let mut s = ended();
    settle(&mut s, DeliveryState::Failed);
    let url = WebhookUrl::parse("https://other.example.com/b", UrlPolicy::STRICT).unwrap();
    let Redelivery::Webhook(again) = s
        .redelivery(DeliveryId::Event(0), Some(url.clone()), crate::now())
        .unwrap()
    else {
        panic!("a webhook");
    };
    let original = &s.event_deliveries[0];
    assert_eq!(again.webhook_id, original.webhook_id);
    assert_eq!(again.change, original.change);
    assert_eq!(again.event, WebhookEvent::StatusChange);
    assert_eq!((again.state, again.attempts), (DeliveryState::Pending, 0));
    assert_eq!(again.url, Some(url));
    assert_eq!(again.origin.redelivers.as_deref(), Some("event-0"));
}

#[test]
fn nothing_is_sent_again_while_it_or_its_redelivery_is_being_delivered() {
    let mut s = ended();
    for state in [DeliveryState::Pending, DeliveryState::Sending] {
        settle(&mut s, state);
        for id in [DeliveryId::Email, DeliveryId::Webhook, DeliveryId::Event(0)] {
            assert_eq!(
                s.redelivery(id, None, crate::now()),
                Err(RedeliveryRefused::InProgress(id.to_string()))
            );
        }
    }
    settle(&mut s, DeliveryState::Delivered);
    let again = s
        .redelivery(DeliveryId::Webhook, None, crate::now())
        .unwrap();
    let Redelivery::Webhook(d) = again else {
        panic!()
    };
    s.event_deliveries.push(d);
    assert_eq!(
        s.redelivery(DeliveryId::Webhook, None, crate::now()),
        Err(RedeliveryRefused::AlreadyRedelivering("webhook".into()))
    );
    // The email can still be sent again: it is another delivery.
    assert!(matches!(
        s.redelivery(DeliveryId::Email, None, crate::now()),
        Ok(Redelivery::Email(_))
    ));
}

#[test]
fn refusals_name_what_was_wrong() {
    let mut s = ended();
    settle(&mut s, DeliveryState::Delivered);
    let url = WebhookUrl::parse("https://other.example.com/b", UrlPolicy::STRICT).unwrap();
    assert_eq!(
        s.redelivery(DeliveryId::Email, Some(url), crate::now()),
        Err(RedeliveryRefused::UrlForEmail)
    );
    assert_eq!(
        s.redelivery(DeliveryId::Event(7), None, crate::now()),
        Err(RedeliveryRefused::NotFound("event-7".into()))
    );
    assert_eq!(
        s.redelivery(DeliveryId::LaterEmail(0), None, crate::now()),
        Err(RedeliveryRefused::NotFound("email-0".into()))
    );
    for _ in 0..MAX_REDELIVERIES {
        match s
            .redelivery(DeliveryId::Webhook, None, crate::now())
            .unwrap()
        {
            Redelivery::Webhook(mut d) => {
                d.state = DeliveryState::Delivered;
                s.event_deliveries.push(d);
            }
            Redelivery::Email(_) => panic!(),
        }
    }
    assert_eq!(
        s.redelivery(DeliveryId::Webhook, None, crate::now()),
        Err(RedeliveryRefused::TooMany)
    );
}
