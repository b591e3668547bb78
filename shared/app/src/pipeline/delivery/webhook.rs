//! The webhook state machine: which attempt is due, claim it, sign and POST, record the
//! outcome, schedule the next try. Only 2xx is delivered; 410 and the SSRF guard stop it;
//! everything else is retried with backoff for at least the retry window.

use super::super::webhook_payload::{insights_updated_payload, payload};
use super::super::webhook_signature::sign;
use super::super::webhook_status_change::status_change_payload;
use super::super::{recorded, Pipeline, Retry};
use crate::metrics::{self, Metric};
use crate::ports::{
    BotRuntime, Claim, InsightsEngine, Mailer, PipelineQueue, PostOutcome, SessionView, Store,
    WebhookSender, WebhookSlot,
};
use domain::delivery::MAX_HISTORY;
use domain::messages::PipelineMessage;
use domain::session::{DeliveryState, WebhookAttempt, WebhookDelivery};
use domain::{now, BotId, Session};
use std::time::Instant;
use time::OffsetDateTime;

/// The delivery a slot names, as the session holds it.
pub(crate) fn webhook_of(session: &Session, slot: WebhookSlot) -> Option<&WebhookDelivery> {
    match slot {
        WebhookSlot::Final => session.webhook_delivery.as_ref(),
        WebhookSlot::Event(i) => session.event_deliveries.get(i),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered,
    /// 410 Gone, or refused by the SSRF guard: never retried.
    GiveUp,
    Retry,
}

/// Only 2xx is success. 410 stops retrying; everything else (429, 5xx, other 4xx, an
/// unfollowed redirect, timeouts, connection failures) is retried with backoff.
pub(crate) fn verdict(outcome: &PostOutcome) -> Verdict {
    match outcome {
        PostOutcome::Answered(code) if (200..300).contains(code) => Verdict::Delivered,
        PostOutcome::Answered(410) | PostOutcome::Blocked(_) => Verdict::GiveUp,
        _ => Verdict::Retry,
    }
}

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    /// Makes webhook attempt `expected` when it is due; makes sure the next retry is
    /// scheduled when this attempt was already made by an earlier delivery of the message.
    pub(super) async fn drive_webhook(
        &self,
        session: &Session,
        slot: WebhookSlot,
        expected: u32,
    ) -> Result<(), Retry> {
        let Some(delivery) = webhook_of(session, slot) else {
            return Ok(());
        };
        let next = delivery.attempts + 1;
        let due = delivery.next_attempt_at.is_none_or(|t| t <= now());
        match delivery.state {
            DeliveryState::Delivered | DeliveryState::Failed => Ok(()),
            DeliveryState::Sending => self.attempt_webhook(session, slot, next).await,
            DeliveryState::Pending
                if next == expected || (next > expected && due && delivery.attempts > 0) =>
            {
                self.attempt_webhook(session, slot, next).await
            }
            DeliveryState::Pending if next > expected => {
                let at = delivery.next_attempt_at.unwrap_or_else(now);
                self.schedule_webhook_retry(session.bot_id, slot, next, at)
                    .await
            }
            DeliveryState::Pending => Ok(()),
        }
    }

    async fn schedule_webhook_retry(
        &self,
        bot_id: BotId,
        slot: WebhookSlot,
        attempt: u32,
        at: OffsetDateTime,
    ) -> Result<(), Retry> {
        let event = match slot {
            WebhookSlot::Final => None,
            WebhookSlot::Event(i) => Some(i),
        };
        self.queue
            .send_at(
                &PipelineMessage::webhook_retry(bot_id, event, attempt, at),
                at,
            )
            .await
            .map_err(Retry::because("schedule webhook retry"))
    }

    async fn attempt_webhook(
        &self,
        session: &Session,
        slot: WebhookSlot,
        attempt: u32,
    ) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let at = now();
        match self
            .store
            .claim_webhook(bot_id, slot, attempt, at, at + self.settings.lease)
            .await
            .map_err(Retry::because("claim webhook"))?
        {
            Claim::Done | Claim::OverQuota => return Ok(()),
            Claim::Busy => return Err(Retry::Busy("the webhook")),
            Claim::Claimed => {}
        }
        // A status change carries only the session's fields: the transcript and results
        // (most of the partition's bytes) are read only for a payload that holds them.
        let change_only = webhook_of(session, slot).is_some_and(|d| d.change.is_some());
        let view = if change_only {
            self.store
                .get_session(bot_id)
                .await
                .map(|s| s.map(SessionView::of_session))
        } else {
            self.store.get_view(bot_id).await
        };
        let Some(view) = view.map_err(Retry::because("read results"))? else {
            return Ok(());
        };
        let Some(mut delivery) = webhook_of(&view.session, slot).cloned() else {
            return Ok(());
        };
        // A redelivery may go to its own URL; every other delivery to the session's.
        let Some(url) = delivery.url.clone().or(view.session.webhook_url.clone()) else {
            return Ok(());
        };
        let secret = self
            .store
            .signing_secrets(&view.session.account_id)
            .await
            .map_err(Retry::because("read webhook secret"))?;
        let started = Instant::now();
        let outcome = match secret {
            Some(secret) => {
                let body = match (delivery.change, delivery.origin.insights_version) {
                    (Some(change), _) => status_change_payload(&view.session, &change),
                    (None, Some(version)) => insights_updated_payload(&view, version),
                    (None, None) => payload(&view, delivery.event),
                };
                let headers = sign(&delivery.webhook_id, at, &body, &secret)
                    .map_err(Retry::because("sign webhook"))?;
                self.webhooks.post(&url, &headers, &body).await
            }
            None => PostOutcome::Failed("the account has no webhook signing secret".into()),
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        let (status_code, error) = match &outcome {
            PostOutcome::Answered(code) if (200..300).contains(code) => (Some(*code), None),
            PostOutcome::Answered(code) => {
                (Some(*code), Some(format!("endpoint answered HTTP {code}")))
            }
            PostOutcome::TimedOut => (None, Some("no answer before the timeout".to_owned())),
            PostOutcome::Failed(e) => (None, Some(e.clone())),
            PostOutcome::Blocked(e) => (None, Some(format!("refused by the SSRF guard: {e}"))),
        };
        let record = WebhookAttempt {
            attempt,
            at,
            status_code,
            error: error.clone(),
            duration_ms,
        };
        delivery.attempts = attempt;
        delivery.first_attempt_at.get_or_insert(at);
        delivery.lease_expires_ms = 0;
        delivery.history.push(record.clone());
        if delivery.history.len() > MAX_HISTORY {
            delivery.history.remove(0);
        }
        let mut retry_at = None;
        match verdict(&outcome) {
            Verdict::Delivered => {
                delivery.state = DeliveryState::Delivered;
                delivery.delivered_at = Some(now());
                delivery.next_attempt_at = None;
            }
            Verdict::GiveUp => {
                delivery.state = DeliveryState::Failed;
                delivery.next_attempt_at = None;
            }
            Verdict::Retry => {
                let first = delivery.first_attempt_at.unwrap_or(at);
                if now() - first >= self.settings.webhook_retry_window {
                    delivery.state = DeliveryState::Failed;
                    delivery.next_attempt_at = None;
                } else {
                    let when = now() + self.settings.webhook_backoff.delay(attempt);
                    delivery.state = DeliveryState::Pending;
                    delivery.next_attempt_at = Some(when);
                    retry_at = Some(when);
                }
            }
        }
        tracing::info!(attempt, ?status_code, duration_ms, state = ?delivery.state, error = error.as_deref().unwrap_or(""), "webhook attempt");
        match delivery.state {
            DeliveryState::Delivered => metrics::record(Metric::WebhookDelivered),
            DeliveryState::Failed => metrics::record(Metric::WebhookGivenUp),
            DeliveryState::Pending | DeliveryState::Sending => {}
        }
        recorded("record webhook attempt", || {
            self.store
                .record_webhook_attempt(bot_id, slot, &record, &delivery)
        })
        .await?;
        if let Some(when) = retry_at {
            self.schedule_webhook_retry(bot_id, slot, attempt + 1, when)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_2xx_delivers_and_410_stops() {
        assert_eq!(verdict(&PostOutcome::Answered(200)), Verdict::Delivered);
        assert_eq!(verdict(&PostOutcome::Answered(204)), Verdict::Delivered);
        assert_eq!(verdict(&PostOutcome::Answered(410)), Verdict::GiveUp);
        assert_eq!(verdict(&PostOutcome::Blocked("x".into())), Verdict::GiveUp);
        for retry in [
            PostOutcome::Answered(301),
            PostOutcome::Answered(429),
            PostOutcome::Answered(500),
            PostOutcome::TimedOut,
            PostOutcome::Failed("reset".into()),
        ] {
            assert_eq!(verdict(&retry), Verdict::Retry, "{retry:?}");
        }
    }
}
