//! `leave_requested`: schedule the exit deadline, then ask the bot runtime to make the bot
//! leave (in that order, so a runtime that never lets go still ends the session).

use super::{Pipeline, Retry};
use crate::errors::Chain;
use crate::ports::{
    BotRuntime, InsightsEngine, Mailer, PipelineQueue, RuntimeError, Store, WebhookSender,
};
use crate::retry::run_with_retries;
use domain::messages::PipelineMessage;
use domain::{now, BotId, Phase};
use std::time::Duration;

/// Stopping is idempotent (a second DELETE answers 404, already gone), so a transient
/// failure is tried again in place, 3 tries over about half a second: otherwise the bot
/// stays in the meeting until the message comes back, a visibility timeout later.
const STOP_SCHEDULE: &[Duration] = &[Duration::from_millis(100), Duration::from_millis(400)];

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub(super) async fn leave_requested(&self, bot_id: BotId) -> Result<(), Retry> {
        let Some(session) = self.session(bot_id).await? else {
            tracing::warn!("leave requested for an unknown session");
            return Ok(());
        };
        if session.phase != Phase::Leaving {
            tracing::info!(
                phase = session.phase.as_str(),
                "bot already gone; nothing to stop"
            );
            return Ok(());
        }
        let requested = session.leave_requested_at.unwrap_or_else(now);
        let deadline = requested + self.settings.exit_deadline;
        self.queue
            .send_at(&PipelineMessage::exit_deadline(bot_id, deadline), deadline)
            .await
            .map_err(Retry::because("schedule exit deadline"))?;
        let Some(runtime_id) = session.runtime_session_id.as_deref() else {
            tracing::warn!("no runtime session recorded; the exit deadline will settle it");
            return self.deliver_owed(&session, None).await;
        };
        let stop = run_with_retries(
            || self.runtime.stop(runtime_id),
            RuntimeError::is_retryable,
            STOP_SCHEDULE,
        );
        match stop.await {
            Ok(outcome) => tracing::info!(?outcome, "runtime asked to stop the bot"),
            Err(e) if e.is_retryable() => return Err(Retry::because("stop bot")(e)),
            Err(e) => {
                tracing::error!(error = %Chain(&e), "runtime refused to stop the bot; the exit deadline will settle it");
            }
        }
        // The `leave_requested` status change, when the webhook asked for it.
        self.deliver_owed(&session, None).await
    }
}
