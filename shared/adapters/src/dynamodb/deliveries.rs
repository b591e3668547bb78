//! Delivery claims and outcomes on the session item: a claim is a conditional write that
//! takes a pending (or lease-expired) delivery for `lease` milliseconds; the outcome is
//! written only while the claim is still this invocation's.

use super::codec::{millis, n, rfc3339, s, to_av};
use super::counters;
use super::expr::Expr;
use super::keys::{bot_pk, SESSION_SK};
use super::transactions::{outcome, Transaction};
use super::DynamoStore;
use app::ports::{Claim, DeliveryStore, EmailQuota, EmailSlot, StoreError, WebhookSlot};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use domain::delivery_log::{DeliveryId, Redelivery};
use domain::limits::LimitExceeded;
use domain::session::{DeliveryState, EmailDelivery, WebhookAttempt, WebhookDelivery};
use domain::BotId;
use time::OffsetDateTime;

/// The path of a webhook delivery on the session item.
fn webhook_path(expr: &mut Expr, slot: WebhookSlot) -> String {
    match slot {
        WebhookSlot::Final => expr.name("webhook_delivery"),
        WebhookSlot::Event(i) => format!("{}[{i}]", expr.name("event_deliveries")),
    }
}

/// The path of an email delivery on the session item.
fn email_path(expr: &mut Expr, slot: EmailSlot) -> String {
    match slot {
        EmailSlot::Original => expr.name("email_delivery"),
        EmailSlot::Later(i) => format!("{}[{i}]", expr.name("later_emails")),
    }
}

fn email_of(session: &domain::Session, slot: EmailSlot) -> Option<&EmailDelivery> {
    match slot {
        EmailSlot::Original => session.email_delivery.as_ref(),
        EmailSlot::Later(i) => session.later_emails.get(i),
    }
}

/// The delivery a slot names, as the session holds it.
fn webhook_of(session: &domain::Session, slot: WebhookSlot) -> Option<&WebhookDelivery> {
    match slot {
        WebhookSlot::Final => session.webhook_delivery.as_ref(),
        WebhookSlot::Event(i) => session.event_deliveries.get(i),
    }
}

/// How the first claim of an email ended.
enum FirstClaim {
    Claimed,
    /// The day's quota is used up; nothing was written.
    OverQuota,
    /// The email was claimed or attempted before: a later claim, not counted again.
    NotFirst,
}

/// The claim of the session's email: `pending` (or `sending` whose lease ran out) ->
/// `sending` until `lease_until`, one more attempt. `first` claims only a never-attempted
/// email (the one counted against the quota).
fn email_claim(
    slot: EmailSlot,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    first: bool,
) -> (Expr, String) {
    let mut expr = Expr::default();
    let d = email_path(&mut expr, slot);
    let (st, lease) = (expr.name("state"), expr.name("lease_expires_ms"));
    let (claimed, attempts) = (expr.name("claimed_at"), expr.name("attempts"));
    let pending = expr.value("pending", s("pending"));
    let sending = expr.value("sending", s("sending"));
    let until = expr.value("until", n(millis(lease_until)));
    let at = expr.value("at", rfc3339(now));
    let one = expr.value("one", n(1));
    expr.sets.push(format!(
        "{d}.{st} = {sending}, {d}.{lease} = {until}, {d}.{claimed} = {at}, {d}.{attempts} = {d}.{attempts} + {one}"
    ));
    let condition = if first {
        let zero = expr.value("zero", n(0));
        format!("{d}.{st} = {pending} AND {d}.{attempts} = {zero}")
    } else {
        let now_ms = expr.value("now_ms", n(millis(now)));
        format!("{d}.{st} = {pending} OR ({d}.{st} = {sending} AND {d}.{lease} < {now_ms})")
    };
    (expr, condition)
}

impl DynamoStore {
    /// The first claim of an email and its count against the day's quota, in one
    /// transaction: an email is counted once, however often its claim is retried.
    async fn first_email_claim(
        &self,
        id: BotId,
        slot: EmailSlot,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        quota: &EmailQuota,
    ) -> Result<FirstClaim, StoreError> {
        let (expr, condition) = email_claim(slot, now, lease_until, true);
        let claim = Update::builder()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s(SESSION_SK))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .build()
            .map_err(|e| StoreError::corrupt("request", e))?;
        let count =
            counters::count_email(&self.table, &quota.account, &quota.day, quota.limit, now)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(claim).build())
            .transact_items(count)
            .send()
            .await;
        Ok(match outcome("claim email", result)? {
            Transaction::Committed => FirstClaim::Claimed,
            Transaction::ConditionFailed(failed) if failed.contains(&0) => FirstClaim::NotFirst,
            Transaction::ConditionFailed(_) => FirstClaim::OverQuota,
        })
    }

    /// Settles a never-attempted email as failed: the day's quota is used up.
    async fn fail_over_quota(
        &self,
        id: BotId,
        slot: EmailSlot,
        quota: &EmailQuota,
    ) -> Result<(), StoreError> {
        let mut expr = Expr::default();
        let d = email_path(&mut expr, slot);
        let (st, error, attempts) = (
            expr.name("state"),
            expr.name("error"),
            expr.name("attempts"),
        );
        let failed = expr.value("failed", s("failed"));
        let pending = expr.value("pending", s("pending"));
        let zero = expr.value("zero", n(0));
        let why = expr.value(
            "why",
            s(LimitExceeded::EmailsPerDay { limit: quota.limit }.describe()),
        );
        expr.sets
            .push(format!("{d}.{st} = {failed}, {d}.{error} = {why}"));
        self.update_session(
            id,
            expr,
            format!("{d}.{st} = {pending} AND {d}.{attempts} = {zero}"),
        )
        .await
        .map(|_| ())
    }
}

impl DeliveryStore for DynamoStore {
    async fn claim_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        quota: &EmailQuota,
    ) -> Result<Claim, StoreError> {
        match self
            .first_email_claim(id, slot, now, lease_until, quota)
            .await?
        {
            FirstClaim::Claimed => return Ok(Claim::Claimed),
            FirstClaim::OverQuota => {
                self.fail_over_quota(id, slot, quota).await?;
                return Ok(Claim::OverQuota);
            }
            FirstClaim::NotFirst => {}
        }
        let (expr, condition) = email_claim(slot, now, lease_until, false);
        if self.update_session(id, expr, condition).await? {
            return Ok(Claim::Claimed);
        }
        let now_ms = millis(now);
        self.claim_outcome(id, |s| {
            email_of(s, slot)
                .is_some_and(|e| e.state == DeliveryState::Sending && e.lease_expires_ms >= now_ms)
        })
        .await
    }

    async fn record_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        delivery: &EmailDelivery,
    ) -> Result<(), StoreError> {
        let mut expr = Expr::default();
        let d = email_path(&mut expr, slot);
        let value = expr.value("delivery", to_av(delivery)?);
        expr.sets.push(format!("{d} = {value}"));
        let st = expr.name("state");
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
        slot: WebhookSlot,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let mut expr = Expr::default();
        let d = webhook_path(&mut expr, slot);
        let (st, lease) = (expr.name("state"), expr.name("lease_expires_ms"));
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
            webhook_of(s, slot).is_some_and(|w| {
                w.attempts + 1 == attempt
                    && w.state == DeliveryState::Sending
                    && w.lease_expires_ms >= now_ms
            })
        })
        .await
    }

    async fn add_redelivery(
        &self,
        id: BotId,
        original: DeliveryId,
        redelivery: &Redelivery,
        expected: usize,
    ) -> Result<bool, StoreError> {
        let mut expr = Expr::default();
        let (list, value) = match redelivery {
            Redelivery::Webhook(d) => (expr.name("event_deliveries"), to_av(d)?),
            Redelivery::Email(d) => (expr.name("later_emails"), to_av(d)?),
        };
        let added = expr.value("added", AttributeValue::L(vec![value]));
        let empty = expr.value("empty", AttributeValue::L(Vec::new()));
        expr.sets.push(format!(
            "{list} = list_append(if_not_exists({list}, {empty}), {added})"
        ));
        let original = match original {
            DeliveryId::Email => email_path(&mut expr, EmailSlot::Original),
            DeliveryId::LaterEmail(i) => email_path(&mut expr, EmailSlot::Later(i)),
            DeliveryId::Webhook => webhook_path(&mut expr, WebhookSlot::Final),
            DeliveryId::Event(i) => webhook_path(&mut expr, WebhookSlot::Event(i)),
        };
        let st = expr.name("state");
        let delivered = expr.value("delivered", s("delivered"));
        let failed = expr.value("failed", s("failed"));
        let count = expr.value("count", n(expected));
        let size = if expected == 0 {
            format!("(attribute_not_exists({list}) OR size({list}) = {count})")
        } else {
            format!("size({list}) = {count}")
        };
        let condition = format!("{original}.{st} IN ({delivered}, {failed}) AND {size}");
        self.update_session(id, expr, condition).await
    }

    async fn record_webhook_attempt(
        &self,
        id: BotId,
        slot: WebhookSlot,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> Result<(), StoreError> {
        let mut expr = Expr::default();
        let d = webhook_path(&mut expr, slot);
        let value = expr.value("delivery", to_av(delivery)?);
        expr.sets.push(format!("{d} = {value}"));
        let (st, attempts) = (expr.name("state"), expr.name("attempts"));
        let sending = expr.value("sending", s("sending"));
        let prev = expr.value("prev", n(attempt.attempt.saturating_sub(1)));
        let condition = format!("{d}.{st} = {sending} AND {d}.{attempts} = {prev}");
        if !self.update_session(id, expr, condition).await? {
            tracing::warn!(bot_id = %id, attempt = attempt.attempt, "webhook attempt not recorded: the claim was taken over");
        }
        Ok(())
    }
}
