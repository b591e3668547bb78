//! `exit_deadline`: no session stays running forever. The deadline is either the session's
//! maximum length (scheduled at join) or the time a leaving bot has to report (scheduled
//! by `leave_requested`); an early delivery sends itself on until the time has come.

use super::{Pipeline, Retry};
use crate::lifecycle::request_leave_and_enqueue;
use crate::metrics::{record, Metric};
use crate::ports::Timeline;
use crate::ports::{
    BotRuntime, Finish, InsightsEngine, Mailer, PipelineQueue, Store, WebhookSender,
};
use domain::messages::PipelineMessage;
use domain::session::{Outcome, WebhookEvent};
use domain::timeline::{ChangeCode, SubCode};
use domain::{now, BotId, Phase, Session};
use time::OffsetDateTime;

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub(super) async fn exit_deadline(
        &self,
        bot_id: BotId,
        deadline_at: OffsetDateTime,
    ) -> Result<(), Retry> {
        let Some(session) = self.session(bot_id).await? else {
            return Ok(());
        };
        if session.phase.is_terminal() {
            return self.deliver_owed(&session, None).await;
        }
        // A leave requested after this deadline was scheduled gives the bot its full time.
        let mut due = deadline_at;
        if let (Phase::Leaving, Some(requested)) = (session.phase, session.leave_requested_at) {
            due = due.max(requested + self.settings.exit_deadline);
        }
        if self
            .wait_until(&PipelineMessage::exit_deadline(bot_id, due), due)
            .await?
        {
            return Ok(());
        }
        match session.phase {
            Phase::Joining | Phase::InCall => {
                tracing::warn!("session reached its maximum length; asking the bot to leave");
                let reason = Some(SubCode::MaxDurationReached);
                request_leave_and_enqueue(&self.store, &self.queue, &session, reason, now())
                    .await
                    .map_err(Retry::because("request leave"))?;
                Ok(())
            }
            Phase::Leaving => self.fail_unreported(session).await,
            Phase::Processing => {
                tracing::warn!("exit recorded but not processed by the deadline; processing now");
                self.complete(session).await
            }
            Phase::Completed | Phase::Failed => Ok(()),
        }
    }

    /// A bot that was asked to leave and never reported: the session fails with a clear
    /// error, and the customer is told once.
    async fn fail_unreported(&self, session: Session) -> Result<(), Retry> {
        let minutes = self.settings.exit_deadline.as_secs().div_ceil(60);
        let error = format!(
            "The bot did not report its exit within {minutes} minute{} of the leave request; no transcript was received.",
            if minutes == 1 { "" } else { "s" }
        );
        let (email, webhook) =
            session.deliveries_for(WebhookEvent::SessionComplete, Outcome::NoTranscript);
        let at = now();
        // A bot that was never in the call (stopped while joining) never joined.
        let why = if session.started_at.is_none() {
            SubCode::NeverJoined
        } else {
            SubCode::ExitDeadlineExceeded
        };
        let finish = Finish {
            timeline: Timeline::change(&session, ChangeCode::Failed, Some(why), at),
            phase: Phase::Failed,
            at,
            error: Some(&error),
            error_code: None,
            analysis: None,
            email,
            webhook,
            frees_slot_of: session.slot(),
            expires_at: session.data_expiry(at),
        };
        let failed = self
            .store
            .finish(session.bot_id, &[Phase::Leaving], finish)
            .await
            .map_err(Retry::because("fail session"))?;
        tracing::warn!(failed, "exit deadline passed without a report");
        if failed {
            record(Metric::SessionFailed(why));
        }
        self.deliver(session.bot_id, None).await
    }
}
