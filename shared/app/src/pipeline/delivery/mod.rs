//! `deliver` and `webhook_retry`: send what a terminal session owes its customer. Each
//! delivery is claimed (a conditional write with a lease), performed, then recorded, so a
//! redelivered message finds it claimed or done and sends nothing ([`email`], [`webhook`]).

mod email;
mod webhook;

use super::{Pipeline, Retry};
use crate::ports::{
    BotRuntime, EmailSlot, InsightsEngine, Mailer, PipelineQueue, Store, WebhookSender, WebhookSlot,
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
        let slots = std::iter::once(EmailSlot::Original)
            .chain((0..session.later_emails.len()).map(EmailSlot::Later));
        for slot in slots {
            let owed = email::email_of(session, slot).is_some_and(|d| {
                matches!(d.state, DeliveryState::Pending | DeliveryState::Sending)
            });
            if owed {
                let sent = self.send_email(session, slot).await;
                outcome = outcome.and(sent);
            }
        }
        let webhook = self
            .drive_webhook(session, WebhookSlot::Final, expected(WebhookSlot::Final))
            .await;
        outcome.and(webhook)
    }
}
