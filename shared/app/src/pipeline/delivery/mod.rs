//! `deliver` and `webhook_retry`: send what a terminal session owes its customer. Each
//! delivery is claimed (a conditional write with a lease), performed, then recorded, so a
//! redelivered message finds it claimed or done and sends nothing ([`email`], [`webhook`]).

mod email;
mod webhook;

use super::{Pipeline, Retry};
use crate::ports::{BotRuntime, InsightsEngine, Mailer, PipelineQueue, Store, WebhookSender};
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
    pub(super) async fn deliver(&self, bot_id: BotId, webhook_attempt: u32) -> Result<(), Retry> {
        match self.session(bot_id).await? {
            Some(session) => self.deliver_owed(&session, webhook_attempt).await,
            None => Ok(()),
        }
    }

    /// Sends what a terminal session still owes. Both deliveries are tried before an
    /// error is returned, so a failing mailer never holds back the webhook.
    pub(super) async fn deliver_owed(
        &self,
        session: &Session,
        webhook_attempt: u32,
    ) -> Result<(), Retry> {
        if !session.phase.is_terminal() {
            return Ok(());
        }
        let email = match &session.email_delivery {
            Some(d) if matches!(d.state, DeliveryState::Pending | DeliveryState::Sending) => {
                self.send_email(session).await
            }
            _ => Ok(()),
        };
        let webhook = self.drive_webhook(session, webhook_attempt).await;
        email.and(webhook)
    }
}
