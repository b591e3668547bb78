//! `deliver` and `webhook_retry`: send what a terminal session owes its customer. Each
//! delivery is claimed (a conditional write with a lease), performed, then recorded, so a
//! redelivered message finds it claimed or done and sends nothing ([`email`], [`webhook`]).

mod email;
mod webhook;

use super::{Pipeline, Retry};
use crate::ports::{
    BotRuntime, InsightsEngine, Mailer, PipelineQueue, Store, WebhookSender, WebhookSlot,
};

/// A webhook retry message: which delivery, and the attempt it is meant to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Retrying {
    pub slot: WebhookSlot,
    pub attempt: u32,
}
use domain::session::DeliveryState;
use domain::{BotId, Session};

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub(super) async fn deliver(
        &self,
        bot_id: BotId,
        retry: Option<Retrying>,
    ) -> Result<(), Retry> {
        match self.session(bot_id).await? {
            Some(session) => self.deliver_owed(&session, retry).await,
            None => Ok(()),
        }
    }

    /// Sends what the session owes: its `status_change` events at any time, the email and
    /// the final webhook once it has ended. Every delivery is tried before an error is
    /// returned, so a failing mailer or endpoint never holds back the others.
    pub(super) async fn deliver_owed(
        &self,
        session: &Session,
        retry: Option<Retrying>,
    ) -> Result<(), Retry> {
        let expected = |slot| match retry {
            Some(r) if r.slot == slot => r.attempt,
            _ => 1,
        };
        // The customer deleted the session's data: nothing is composed from it any more
        // (the deletion cancelled what was owed; this covers a retry already in flight).
        if session.data_deleted.is_some() {
            return Ok(());
        }
        let mut outcome = Ok(());
        for i in 0..session.event_deliveries.len() {
            let slot = WebhookSlot::Event(i);
            let sent = self.drive_webhook(session, slot, expected(slot)).await;
            outcome = outcome.and(sent);
        }
        if !session.phase.is_terminal() {
            return outcome;
        }
        let email = match &session.email_delivery {
            Some(d) if matches!(d.state, DeliveryState::Pending | DeliveryState::Sending) => {
                self.send_email(session).await
            }
            _ => Ok(()),
        };
        let webhook = self
            .drive_webhook(session, WebhookSlot::Final, expected(WebhookSlot::Final))
            .await;
        outcome.and(email).and(webhook)
    }
}
