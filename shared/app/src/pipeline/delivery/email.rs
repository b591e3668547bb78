//! The result email: claim, compose, send through the mailer, record the outcome.
//! Rejections are final; transient failures come back with the message, up to
//! `max_email_attempts`.

use super::super::{email_body, recorded, Pipeline, Retry};
use crate::errors::Chain;
use crate::metrics::{record, Metric};
use crate::ports::{
    BotRuntime, Claim, EmailQuota, EmailSlot, InsightsEngine, MailError, Mailer, PipelineQueue,
    Store, WebhookSender,
};
use domain::delivery::MAX_HISTORY;
use domain::limits::day_window;
use domain::now;
use domain::session::{DeliveryState, EmailDelivery, WebhookAttempt};
use domain::Session;
use std::time::Instant;

/// The email a slot names, as the session holds it.
pub(crate) fn email_of(session: &Session, slot: EmailSlot) -> Option<&EmailDelivery> {
    match slot {
        EmailSlot::Original => session.email_delivery.as_ref(),
        EmailSlot::Later(i) => session.later_emails.get(i),
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
    pub(super) async fn send_email(&self, session: &Session, slot: EmailSlot) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let at = now();
        let limits = self
            .store
            .account_limits(&session.account_id)
            .await
            .map_err(Retry::because("read account limits"))?
            .over(self.settings.limits);
        let quota = EmailQuota {
            account: session.account_id.clone(),
            day: day_window(at),
            limit: limits.emails_per_day,
        };
        match self
            .store
            .claim_email(bot_id, slot, at, at + self.settings.lease, &quota)
            .await
            .map_err(Retry::because("claim email"))?
        {
            Claim::Done => return Ok(()),
            Claim::OverQuota => {
                tracing::warn!(
                    limit = quota.limit,
                    "daily email quota reached; email not sent"
                );
                record(Metric::LimitRefused("emails_per_day"));
                return Ok(());
            }
            Claim::Busy => return Err(Retry::Busy("the email")),
            Claim::Claimed => {}
        }
        let Some(view) = self
            .store
            .get_view(bot_id)
            .await
            .map_err(Retry::because("read results"))?
        else {
            return Ok(());
        };
        let Some(mut delivery) = email_of(&view.session, slot).cloned() else {
            return Ok(());
        };
        let outgoing = email_body::compose_with(&view, self.settings.results_base_url.as_deref());
        let started = Instant::now();
        let result = self.mailer.send(&outgoing).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let retry = match result {
            Ok(message_id) => {
                tracing::info!(elapsed_ms, %message_id, "email sent");
                record(Metric::EmailSent);
                delivery.state = DeliveryState::Delivered;
                delivery.message_id = Some(message_id);
                delivery.sent_at = Some(now());
                delivery.error = None;
                None
            }
            Err(MailError::Rejected(why)) => {
                tracing::error!(elapsed_ms, error = %why, "email rejected; not retried");
                record(Metric::EmailRejected);
                delivery.state = DeliveryState::Failed;
                delivery.error = Some(why);
                None
            }
            Err(e @ MailError::Transient(_))
                if delivery.attempts >= self.settings.max_email_attempts =>
            {
                let why = Chain(&e).to_string();
                tracing::error!(error = %why, attempts = delivery.attempts, "email failed; giving up");
                record(Metric::EmailGivenUp);
                delivery.state = DeliveryState::Failed;
                delivery.error = Some(format!(
                    "gave up after {} attempts: {why}",
                    delivery.attempts
                ));
                None
            }
            Err(e @ MailError::Transient(_)) => {
                delivery.state = DeliveryState::Pending;
                delivery.error = Some(Chain(&e).to_string());
                Some(Retry::because("send email")(e))
            }
        };
        delivery.lease_expires_ms = 0;
        delivery.history.push(WebhookAttempt {
            attempt: delivery.attempts,
            at,
            status_code: None,
            error: delivery
                .error
                .clone()
                .filter(|_| delivery.state != DeliveryState::Delivered),
            duration_ms: elapsed_ms,
        });
        if delivery.history.len() > MAX_HISTORY {
            delivery.history.remove(0);
        }
        recorded("record email", || {
            self.store.record_email(bot_id, slot, &delivery)
        })
        .await?;
        retry.map_or(Ok(()), Err)
    }
}
