//! The exit pipeline: the SQS consumer that makes a bot leave, finishes its session and
//! tells the customer. SQS delivers at least once and in any order, so every step is
//! idempotent and checkpointed on the session (ARCHITECTURE.md, "Exactly once"):
//!
//! 1. the exit report stored the transcript and recorded the exit (`processing`);
//! 2. `finish` writes the results and the terminal phase together with the deliveries the
//!    session owes (email, webhook) — one transactional write, so what is owed is decided
//!    exactly once;
//! 3. each delivery is claimed (a conditional write with a lease), performed, then recorded.
//!
//! One file per message kind: [`leave`] (`leave_requested`), [`exit`] (`bot_exited`),
//! [`deadline`] (`exit_deadline`), [`delivery`] (`deliver`, `webhook_retry`); [`batch`] is
//! Lambda's SQS batch contract.

mod batch;
mod deadline;
mod delivery;
pub mod email_body;
mod exit;
mod leave;
mod rerun;
mod settings;
pub mod webhook_payload;
pub mod webhook_signature;
pub mod webhook_status_change;

pub use settings::PipelineSettings;

use crate::errors::BoxError;
use crate::ports::{
    BotRuntime, InsightsEngine, Mailer, PipelineQueue, Store, StoreError, WebhookSender,
    WebhookSlot,
};
use crate::retry::run_with_retries;
use domain::messages::PipelineMessage;
use domain::{now, BotId, Session};
use std::time::Duration;
use time::OffsetDateTime;

/// Why a message must come back later (it is reported as a batch item failure).
#[derive(Debug, thiserror::Error)]
pub enum Retry {
    #[error("{step} failed")]
    Failed {
        step: &'static str,
        #[source]
        source: BoxError,
    },
    /// Another invocation holds the claim: the message comes back after it.
    #[error("{0} is being sent by another invocation")]
    Busy(&'static str),
    /// Handling the message panicked (a bug): it fails alone and comes back.
    #[error("handling the message panicked: {0}")]
    Panicked(String),
}

impl Retry {
    /// `map_err(Retry::because("claim email"))`
    pub fn because<E: Into<BoxError>>(step: &'static str) -> impl FnOnce(E) -> Retry {
        move |e| Retry::Failed {
            step,
            source: e.into(),
        }
    }
}

/// Tries to record what a send did, 4 times over about 2 s, before handing the message
/// back. An outcome left unrecorded means the send is made again once its lease runs out
/// (a second email, a repeated webhook), so a transient store error here is worth waiting
/// out in place: measured under 10% injected faults, one email in 200 went out twice
/// without it. Stacked on the SDK's own 3 tries on purpose, for that reason.
const RECORD_SCHEDULE: &[Duration] = &[
    Duration::from_millis(100),
    Duration::from_millis(300),
    Duration::from_millis(900),
];

async fn recorded<T, F, Fut>(step: &'static str, write: F) -> Result<T, Retry>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    run_with_retries(write, |_| true, RECORD_SCHEDULE)
        .await
        .map_err(Retry::because(step))
}

pub struct Pipeline<S, Q, R, M, W, I> {
    pub(crate) store: S,
    pub(crate) queue: Q,
    pub(crate) runtime: R,
    pub(crate) mailer: M,
    pub(crate) webhooks: W,
    pub(crate) insights: I,
    pub(crate) settings: PipelineSettings,
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
    pub fn new(
        store: S,
        queue: Q,
        runtime: R,
        mailer: M,
        webhooks: W,
        insights: I,
        settings: PipelineSettings,
    ) -> Self {
        Self {
            store,
            queue,
            runtime,
            mailer,
            webhooks,
            insights,
            settings,
        }
    }

    /// Handles one message; an error means it must come back later.
    pub async fn handle(&self, message: &PipelineMessage) -> Result<(), Retry> {
        match message {
            PipelineMessage::LeaveRequested { bot_id, .. } => self.leave_requested(*bot_id).await,
            PipelineMessage::BotExited {
                bot_id, exit_id, ..
            } => self.bot_exited(*bot_id, exit_id).await,
            PipelineMessage::ExitDeadline {
                bot_id,
                deadline_at,
                ..
            } => self.exit_deadline(*bot_id, *deadline_at).await,
            PipelineMessage::Deliver { bot_id, .. } => self.deliver(*bot_id, None).await,
            PipelineMessage::RerunInsights {
                bot_id,
                insights_version,
                ..
            } => self.rerun_insights(*bot_id, *insights_version).await,
            PipelineMessage::WebhookRetry {
                bot_id,
                event,
                attempt,
                not_before,
                ..
            } => {
                if self.wait_until(message, *not_before).await? {
                    return Ok(());
                }
                let slot = event.map_or(WebhookSlot::Final, WebhookSlot::Event);
                let retry = delivery::Retrying {
                    slot,
                    attempt: *attempt,
                };
                self.deliver(*bot_id, Some(retry)).await
            }
        }
    }

    async fn session(&self, bot_id: BotId) -> Result<Option<Session>, Retry> {
        self.store
            .get_session(bot_id)
            .await
            .map_err(Retry::because("read session"))
    }

    /// A message that arrived before `due` goes back on the queue for the rest of the wait
    /// (SQS delays stop at 15 minutes, so long waits are chained). True when it was sent on.
    async fn wait_until(
        &self,
        message: &PipelineMessage,
        due: OffsetDateTime,
    ) -> Result<bool, Retry> {
        if due <= now() {
            return Ok(false);
        }
        self.queue
            .send_at(message, due)
            .await
            .map_err(Retry::because("re-schedule message"))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
