//! The delivery checkpoints in memory, with the DynamoDB adapter's conditions.

use super::{ms, webhook_mut, MemStore};
use crate::ports::*;
use domain::delivery_log::{DeliveryId, Redelivery};
use domain::limits::LimitExceeded;
use domain::session::{DeliveryState, EmailDelivery, WebhookAttempt, WebhookDelivery};
use domain::{BotId, Session};
use time::OffsetDateTime;

fn email_mut(s: &mut Session, slot: EmailSlot) -> Option<&mut EmailDelivery> {
    match slot {
        EmailSlot::Original => s.email_delivery.as_mut(),
        EmailSlot::Later(i) => s.later_emails.get_mut(i),
    }
}

impl DeliveryStore for MemStore {
    async fn claim_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        quota: &EmailQuota,
    ) -> Result<Claim, StoreError> {
        let mut state = self.0.lock().unwrap();
        let Some(first) = state
            .sessions
            .get_mut(&id)
            .and_then(|s| email_mut(s, slot))
            .map(|d| d.state == DeliveryState::Pending && d.attempts == 0)
        else {
            return Ok(Claim::Done);
        };
        if first {
            let used = state
                .emails
                .entry((quota.account.clone(), quota.day.clone()))
                .or_default();
            if *used >= quota.limit {
                let d = state
                    .sessions
                    .get_mut(&id)
                    .and_then(|s| email_mut(s, slot))
                    .expect("read above");
                d.state = DeliveryState::Failed;
                d.error = Some(LimitExceeded::EmailsPerDay { limit: quota.limit }.describe());
                return Ok(Claim::OverQuota);
            }
            *used += 1;
        }
        let s = state.sessions.get_mut(&id).expect("read above");
        Ok(match email_mut(s, slot) {
            Some(d)
                if d.state == DeliveryState::Pending
                    || (d.state == DeliveryState::Sending && d.lease_expires_ms < ms(now)) =>
            {
                d.state = DeliveryState::Sending;
                d.lease_expires_ms = ms(lease_until);
                d.claimed_at = Some(now);
                d.attempts += 1;
                Claim::Claimed
            }
            Some(d) if d.state == DeliveryState::Sending => Claim::Busy,
            _ => Claim::Done,
        })
    }

    async fn record_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        delivery: &EmailDelivery,
    ) -> Result<(), StoreError> {
        self.update(id, |s| {
            if let Some(d) = email_mut(s, slot).filter(|d| d.state == DeliveryState::Sending) {
                *d = delivery.clone();
            }
        });
        Ok(())
    }

    async fn add_redelivery(
        &self,
        id: BotId,
        original: DeliveryId,
        redelivery: &Redelivery,
        expected: usize,
    ) -> Result<bool, StoreError> {
        Ok(self
            .update(id, |s| {
                let settled =
                    |state| matches!(state, DeliveryState::Delivered | DeliveryState::Failed);
                let original_settled = match original {
                    DeliveryId::Email | DeliveryId::LaterEmail(_) => {
                        s.email_of(original).is_some_and(|d| settled(d.state))
                    }
                    _ => s.webhook(original).is_some_and(|d| settled(d.state)),
                };
                match redelivery {
                    Redelivery::Webhook(d)
                        if original_settled && s.event_deliveries.len() == expected =>
                    {
                        s.event_deliveries.push(d.clone());
                        true
                    }
                    Redelivery::Email(d)
                        if original_settled && s.later_emails.len() == expected =>
                    {
                        s.later_emails.push(d.clone());
                        true
                    }
                    _ => false,
                }
            })
            .unwrap_or(false))
    }

    async fn claim_webhook(
        &self,
        id: BotId,
        slot: WebhookSlot,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        Ok(self
            .update(id, |s| match webhook_mut(s, slot) {
                Some(w)
                    if w.attempts + 1 == attempt
                        && (w.state == DeliveryState::Pending
                            || (w.state == DeliveryState::Sending
                                && w.lease_expires_ms < ms(now))) =>
                {
                    w.state = DeliveryState::Sending;
                    w.lease_expires_ms = ms(lease_until);
                    w.claimed_at = Some(now);
                    Claim::Claimed
                }
                Some(w) if w.attempts + 1 == attempt && w.state == DeliveryState::Sending => {
                    Claim::Busy
                }
                _ => Claim::Done,
            })
            .unwrap_or(Claim::Done))
    }

    async fn record_webhook_attempt(
        &self,
        id: BotId,
        slot: WebhookSlot,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> Result<(), StoreError> {
        self.update(id, |s| {
            if let Some(w) = webhook_mut(s, slot) {
                if w.state == DeliveryState::Sending && w.attempts + 1 == attempt.attempt {
                    *w = delivery.clone();
                }
            }
        });
        Ok(())
    }
}
