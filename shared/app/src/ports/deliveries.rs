//! The delivery checkpoints on a session: each email or webhook attempt is claimed with a
//! lease (a conditional write), made, then recorded, so a redelivered message never sends
//! twice while the claim lives.

use super::StoreError;
use domain::delivery_log::{DeliveryId, Redelivery};
use domain::session::{EmailDelivery, WebhookAttempt, WebhookDelivery};
use domain::{AccountId, BotId};
use std::future::Future;
use time::OffsetDateTime;

/// The answer to a claim on a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This invocation holds the delivery until its lease runs out.
    Claimed,
    /// Another invocation holds a live lease: try again later.
    Busy,
    /// Nothing to do: delivered, given up, never owed, or this attempt already made.
    Done,
    /// The account's daily email quota is used up: the email is not sent, and the store
    /// has recorded it as failed with the quota's message.
    OverQuota,
}

/// Which of a session's webhook deliveries: the final event (`session_complete` or
/// `bot_join_failed`), or the `status_change` event at this index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookSlot {
    Final,
    Event(usize),
}

/// Which of a session's emails: its own, or the `n`-th after it (a redelivery or an
/// insights update).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailSlot {
    Original,
    Later(usize),
}

/// The daily email quota a first send is counted against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailQuota {
    pub account: AccountId,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub limit: u32,
}

pub trait DeliveryStore: Send + Sync {
    /// Claims the pending email for sending until `lease_until`: `pending` (or `sending`
    /// whose lease has run out) -> `sending`. The first claim of an email also counts it
    /// against `quota`, in the same write; a full quota is [`Claim::OverQuota`].
    fn claim_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        quota: &EmailQuota,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    fn record_email(
        &self,
        id: BotId,
        slot: EmailSlot,
        delivery: &EmailDelivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Claims webhook attempt number `attempt` (1-based) until `lease_until`: only when
    /// `attempts == attempt - 1` and the delivery is pending (or its lease has run out).
    fn claim_webhook(
        &self,
        id: BotId,
        slot: WebhookSlot,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Appends a delivery the customer asked for (a redelivery of `original`), only while
    /// `original` is settled (delivered or failed) and the session holds `expected` deliveries
    /// of that kind, so two concurrent requests cannot both add one. False when either
    /// condition failed: read the session again and decide anew.
    fn add_redelivery(
        &self,
        id: BotId,
        original: DeliveryId,
        redelivery: &Redelivery,
        expected: usize,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records one attempt and the resulting delivery state (held by the claim).
    fn record_webhook_attempt(
        &self,
        id: BotId,
        slot: WebhookSlot,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
