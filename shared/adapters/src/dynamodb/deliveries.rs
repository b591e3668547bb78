//! Delivery claims and outcomes on the session item: a claim is a conditional write that
//! takes a pending (or lease-expired) delivery for `lease` milliseconds; the outcome is
//! written only while the claim is still this invocation's.

use super::codec::{millis, n, rfc3339, s, to_av};
use super::expr::Expr;
use super::DynamoStore;
use app::ports::{Claim, DeliveryStore, StoreError};
use domain::session::{DeliveryState, EmailDelivery, WebhookAttempt, WebhookDelivery};
use domain::BotId;
use time::OffsetDateTime;

impl DeliveryStore for DynamoStore {
    async fn claim_email(
        &self,
        id: BotId,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let mut expr = Expr::default();
        let (d, st, lease) = (
            expr.name("email_delivery"),
            expr.name("state"),
            expr.name("lease_expires_ms"),
        );
        let (claimed, attempts) = (expr.name("claimed_at"), expr.name("attempts"));
        let pending = expr.value("pending", s("pending"));
        let sending = expr.value("sending", s("sending"));
        let now_ms = expr.value("now_ms", n(millis(now)));
        let until = expr.value("until", n(millis(lease_until)));
        let at = expr.value("at", rfc3339(now));
        let one = expr.value("one", n(1));
        expr.sets.push(format!(
            "{d}.{st} = {sending}, {d}.{lease} = {until}, {d}.{claimed} = {at}, {d}.{attempts} = {d}.{attempts} + {one}"
        ));
        let condition =
            format!("{d}.{st} = {pending} OR ({d}.{st} = {sending} AND {d}.{lease} < {now_ms})");
        if self.update_session(id, expr, condition).await? {
            return Ok(Claim::Claimed);
        }
        let now_ms = millis(now);
        self.claim_outcome(id, |s| {
            s.email_delivery
                .as_ref()
                .is_some_and(|e| e.state == DeliveryState::Sending && e.lease_expires_ms >= now_ms)
        })
        .await
    }

    async fn record_email(&self, id: BotId, delivery: &EmailDelivery) -> Result<(), StoreError> {
        let mut expr = Expr::default().set("email_delivery", to_av(delivery)?);
        let (d, st) = (expr.name("email_delivery"), expr.name("state"));
        let sending = expr.value("sending", s("sending"));
        if !self
            .update_session(id, expr, format!("{d}.{st} = {sending}"))
            .await?
        {
            tracing::warn!(bot_id = %id, "email outcome not recorded: the claim was taken over");
        }
        Ok(())
    }

    async fn claim_webhook(
        &self,
        id: BotId,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let mut expr = Expr::default();
        let (d, st, lease) = (
            expr.name("webhook_delivery"),
            expr.name("state"),
            expr.name("lease_expires_ms"),
        );
        let (claimed, attempts) = (expr.name("claimed_at"), expr.name("attempts"));
        let pending = expr.value("pending", s("pending"));
        let sending = expr.value("sending", s("sending"));
        let now_ms = expr.value("now_ms", n(millis(now)));
        let until = expr.value("until", n(millis(lease_until)));
        let at = expr.value("at", rfc3339(now));
        let prev = expr.value("prev", n(attempt.saturating_sub(1)));
        expr.sets.push(format!(
            "{d}.{st} = {sending}, {d}.{lease} = {until}, {d}.{claimed} = {at}"
        ));
        let condition = format!(
            "{d}.{attempts} = {prev} AND ({d}.{st} = {pending} OR ({d}.{st} = {sending} AND {d}.{lease} < {now_ms}))"
        );
        if self.update_session(id, expr, condition).await? {
            return Ok(Claim::Claimed);
        }
        let now_ms = millis(now);
        self.claim_outcome(id, |s| {
            s.webhook_delivery.as_ref().is_some_and(|w| {
                w.attempts + 1 == attempt
                    && w.state == DeliveryState::Sending
                    && w.lease_expires_ms >= now_ms
            })
        })
        .await
    }

    async fn record_webhook_attempt(
        &self,
        id: BotId,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> Result<(), StoreError> {
        let mut expr = Expr::default().set("webhook_delivery", to_av(delivery)?);
        let (d, st, attempts) = (
            expr.name("webhook_delivery"),
            expr.name("state"),
            expr.name("attempts"),
        );
        let sending = expr.value("sending", s("sending"));
        let prev = expr.value("prev", n(attempt.attempt.saturating_sub(1)));
        let condition = format!("{d}.{st} = {sending} AND {d}.{attempts} = {prev}");
        if !self.update_session(id, expr, condition).await? {
            tracing::warn!(bot_id = %id, attempt = attempt.attempt, "webhook attempt not recorded: the claim was taken over");
        }
        Ok(())
    }
}
