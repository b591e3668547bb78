//! The exit pipeline: the SQS consumer that makes a bot leave, finishes its session and
//! tells the customer. SQS delivers at least once and in any order, so every step is
//! idempotent and checkpointed on the session:
//!
//! 1. the exit report stored the transcript and recorded the exit (`processing`);
//! 2. `finish` writes the results and the terminal phase together with the deliveries the
//!    session owes (email, webhook) — one transactional write, so what is owed is decided
//!    exactly once;
//! 3. each delivery is claimed (a conditional write with a lease), performed, then recorded.
//!
//! The one window that cannot be closed: a crash after SES or the webhook endpoint accepted
//! but before the outcome is recorded. After the lease (2 minutes) a redelivered message
//! sends again — for webhooks with the same `webhook-id`, so receivers that deduplicate per
//! the Standard Webhooks spec see one event.

pub mod email;
pub mod webhook;

use crate::ports::{
    Accounts, BotRuntime, Claim, Finish, InsightsEngine, InsightsRequest, MailError, Mailer,
    PipelineQueue, PostOutcome, SessionStore, WebhookSender,
};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use domain::insights::Analysis;
use domain::messages::PipelineMessage;
use domain::session::{DeliveryState, WebhookAttempt, WebhookEvent};
use domain::{now, BotId, Phase, Session, Transcript};
use insights::BuiltinEngine;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tracing::Instrument;

/// SQS delays stop at 15 minutes; longer waits are chained.
pub const MAX_SQS_DELAY: Duration = Duration::from_secs(900);

#[derive(Clone, Debug)]
pub struct PipelineSettings {
    /// How long after a leave request a bot may take to report its exit.
    pub exit_deadline: Duration,
    /// How long a claimed delivery is held before another invocation may take it over.
    pub lease: Duration,
    pub webhook_retry_base: Duration,
    pub webhook_retry_max_delay: Duration,
    /// Webhook retries continue at least this long after the first attempt.
    pub webhook_retry_window: Duration,
    /// Transient SES failures are retried this many times before the email is given up.
    pub max_email_attempts: u32,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        Self {
            exit_deadline: Duration::from_secs(15 * 60),
            lease: Duration::from_secs(120),
            webhook_retry_base: Duration::from_secs(5),
            webhook_retry_max_delay: Duration::from_secs(4 * 60 * 60),
            webhook_retry_window: Duration::from_secs(24 * 60 * 60),
            max_email_attempts: 5,
        }
    }
}

/// Why a message must come back later (it is reported as a batch item failure).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Retry(pub String);

impl Retry {
    fn from<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> Retry + '_ {
        move |e| Retry(format!("{what}: {e}"))
    }
}

/// Tries to record what a send did, 4 times over about 2 s before handing the message back.
/// An outcome left unrecorded means the send is made again once its lease runs out (a
/// second email, a repeated webhook), so a transient store error here is worth waiting out
/// in place: measured under 10% injected faults, one email in 200 went out twice without it.
async fn recorded<T, E, F, Fut>(what: &str, mut write: F) -> Result<T, Retry>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    const ATTEMPTS: u32 = 4;
    let mut pause = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match write().await {
            Ok(value) => return Ok(value),
            Err(e) if attempt < ATTEMPTS => {
                tracing::warn!(error = %e, attempt, "{what} failed; trying again");
                tokio::time::sleep(pause).await;
                pause *= 3;
                attempt += 1;
            }
            Err(e) => return Err(Retry::from(what)(e)),
        }
    }
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

impl crate::ports::InsightsEngine for BuiltinEngine {
    async fn analyze(&self, transcript: &Transcript, _request: &InsightsRequest<'_>) -> Analysis {
        BuiltinEngine::analyze(self, transcript)
    }
}

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: SessionStore + Accounts,
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

    /// Lambda's SQS batch contract: the ids of the messages that failed come back, the
    /// others are deleted. Records are processed concurrently; one failure never holds
    /// back the rest of the batch.
    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        let results =
            futures_util::future::join_all(event.records.iter().map(|r| self.handle_record(r)))
                .await;
        let batch_item_failures = event
            .records
            .iter()
            .zip(results)
            .filter(|(_, ok)| !ok)
            .map(|(r, _)| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = r.message_id.clone().unwrap_or_default();
                failure
            })
            .collect();
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = batch_item_failures;
        response
    }

    async fn handle_record(&self, record: &SqsMessage) -> bool {
        let receives = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(1);
        let body = record.body.as_deref().unwrap_or_default();
        let message = match PipelineMessage::from_json(body) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(message_id = ?record.message_id, receives, error = %e, "refusing message; it goes to the dead-letter queue after the configured receives");
                return false;
            }
        };
        let span = tracing::info_span!("step", kind = message.kind(), bot_id = %message.bot_id(), receives);
        let started = Instant::now();
        let result = self.handle(&message).instrument(span.clone()).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        span.in_scope(|| match &result {
            Ok(()) => tracing::info!(elapsed_ms, "step done"),
            Err(e) => tracing::warn!(elapsed_ms, error = %e, "step will be retried"),
        });
        result.is_ok()
    }

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
            PipelineMessage::Deliver { bot_id, .. } => self.deliver(*bot_id, 1).await,
            PipelineMessage::WebhookRetry {
                bot_id,
                attempt,
                not_before,
                ..
            } => {
                let wait = *not_before - now();
                if wait.is_positive() {
                    let delay = Duration::try_from(wait)
                        .unwrap_or_default()
                        .min(MAX_SQS_DELAY);
                    return self
                        .queue
                        .send(message, delay)
                        .await
                        .map_err(Retry::from("re-schedule webhook retry"));
                }
                self.deliver(*bot_id, *attempt).await
            }
        }
    }

    async fn session(&self, bot_id: BotId) -> Result<Option<Session>, Retry> {
        self.store
            .get_session(bot_id)
            .await
            .map_err(Retry::from("read session"))
    }

    /// Ask the runtime to make the bot leave, after scheduling the exit deadline (so a
    /// runtime that never lets go still ends the session).
    async fn leave_requested(&self, bot_id: BotId) -> Result<(), Retry> {
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
        self.schedule_deadline(bot_id, deadline).await?;
        let Some(runtime_id) = session.runtime_session_id.as_deref() else {
            tracing::warn!("no runtime session recorded; the exit deadline will settle it");
            return Ok(());
        };
        match self.runtime.stop(runtime_id).await {
            Ok(outcome) => {
                tracing::info!(?outcome, "runtime asked to stop the bot");
                Ok(())
            }
            Err(e) if e.is_retryable() => Err(Retry(format!("stop bot: {e}"))),
            Err(e) => {
                tracing::error!(error = %e, "runtime refused to stop the bot; the exit deadline will settle it");
                Ok(())
            }
        }
    }

    async fn schedule_deadline(
        &self,
        bot_id: BotId,
        deadline: OffsetDateTime,
    ) -> Result<(), Retry> {
        let delay = Duration::try_from(deadline - now())
            .unwrap_or_default()
            .min(MAX_SQS_DELAY);
        self.queue
            .send(&PipelineMessage::exit_deadline(bot_id, deadline), delay)
            .await
            .map_err(Retry::from("schedule exit deadline"))
    }

    async fn bot_exited(&self, bot_id: BotId, exit_id: &str) -> Result<(), Retry> {
        let Some(session) = self.session(bot_id).await? else {
            tracing::warn!("exit for an unknown session");
            return Ok(());
        };
        match (&session.exit, session.phase) {
            (_, phase) if phase.is_terminal() => self.deliver_owed(&session, 1).await,
            (Some(exit), Phase::Processing) if exit.exit_id == exit_id => {
                self.process(session).await
            }
            _ => {
                tracing::warn!(
                    phase = session.phase.as_str(),
                    "exit message does not match the recorded exit; ignored"
                );
                Ok(())
            }
        }
    }

    /// `processing` -> `completed`: load the transcript, analyse it, store the results and
    /// the owed deliveries in one write, then deliver.
    async fn process(&self, session: Session) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let Some(exit) = session.exit.as_ref() else {
            return Ok(());
        };
        let started = Instant::now();
        let transcript = self
            .store
            .load_transcript(bot_id, exit)
            .await
            .map_err(Retry::from("load transcript"))?;
        let loaded_ms = started.elapsed().as_millis() as u64;
        let analysis = if session.process_insights {
            let request = InsightsRequest {
                analysis_prompt: session.analysis_prompt.as_deref(),
                summary_format_prompt: session.summary_format_prompt.as_deref(),
            };
            self.insights.analyze(&transcript, &request).await
        } else {
            Analysis::default()
        };
        let analysed_ms = started.elapsed().as_millis() as u64 - loaded_ms;
        let (email, webhook) = session.deliveries_for(WebhookEvent::SessionComplete, true);
        let finish = Finish {
            phase: Phase::Completed,
            at: now(),
            error: None,
            analysis: Some(&analysis),
            email,
            webhook,
        };
        let finished = self
            .store
            .finish(bot_id, &[Phase::Processing], finish)
            .await
            .map_err(Retry::from("finish session"))?;
        tracing::info!(
            finished,
            loaded_ms,
            analysed_ms,
            words = exit.words,
            qa_pairs = analysis.qa_pairs.len(),
            "session completed"
        );
        self.deliver(bot_id, 1).await
    }

    /// The deadline of a session: its maximum length (from join) or the time a leaving bot
    /// has to report (from stop). Early deliveries re-schedule themselves.
    async fn exit_deadline(&self, bot_id: BotId, deadline_at: OffsetDateTime) -> Result<(), Retry> {
        let Some(session) = self.session(bot_id).await? else {
            return Ok(());
        };
        if session.phase.is_terminal() {
            return self.deliver_owed(&session, 1).await;
        }
        let mut effective = deadline_at;
        if let (Phase::Leaving, Some(requested)) = (session.phase, session.leave_requested_at) {
            effective = effective.max(requested + self.settings.exit_deadline);
        }
        if now() < effective {
            return self.schedule_deadline(bot_id, effective).await;
        }
        match session.phase {
            Phase::Joining | Phase::InCall => {
                tracing::warn!("session reached its maximum length; asking the bot to leave");
                if self
                    .store
                    .request_leave(bot_id, now())
                    .await
                    .map_err(Retry::from("request leave"))?
                {
                    self.queue
                        .send(&PipelineMessage::leave_requested(bot_id), Duration::ZERO)
                        .await
                        .map_err(Retry::from("enqueue leave"))?;
                    self.store
                        .mark_leave_enqueued(bot_id)
                        .await
                        .map_err(Retry::from("mark leave enqueued"))?;
                }
                Ok(())
            }
            Phase::Leaving => {
                let minutes = self.settings.exit_deadline.as_secs().div_ceil(60);
                let error = format!(
                    "The bot did not report its exit within {minutes} minute{} of the leave request; no transcript was received.",
                    if minutes == 1 { "" } else { "s" }
                );
                let (email, webhook) = session.deliveries_for(WebhookEvent::SessionComplete, true);
                let finish = Finish {
                    phase: Phase::Failed,
                    at: now(),
                    error: Some(&error),
                    analysis: None,
                    email,
                    webhook,
                };
                let failed = self
                    .store
                    .finish(bot_id, &[Phase::Leaving], finish)
                    .await
                    .map_err(Retry::from("fail session"))?;
                tracing::warn!(failed, "exit deadline passed without a report");
                self.deliver(bot_id, 1).await
            }
            Phase::Processing => {
                tracing::warn!("exit recorded but not processed by the deadline; processing now");
                self.process(session).await
            }
            Phase::Completed | Phase::Failed => Ok(()),
        }
    }

    async fn deliver(&self, bot_id: BotId, webhook_attempt: u32) -> Result<(), Retry> {
        match self.session(bot_id).await? {
            Some(session) => self.deliver_owed(&session, webhook_attempt).await,
            None => Ok(()),
        }
    }

    /// Sends what a terminal session still owes. Both deliveries are tried before an
    /// error is returned, so a failing mailer never holds back the webhook.
    async fn deliver_owed(&self, session: &Session, webhook_attempt: u32) -> Result<(), Retry> {
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

    async fn send_email(&self, session: &Session) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let at = now();
        match self
            .store
            .claim_email(bot_id, at, at + self.settings.lease)
            .await
            .map_err(Retry::from("claim email"))?
        {
            Claim::Done => return Ok(()),
            Claim::Busy => return Err(Retry("email is being sent by another invocation".into())),
            Claim::Claimed => {}
        }
        let view = self
            .store
            .get_view(bot_id)
            .await
            .map_err(Retry::from("read results"))?;
        let Some(view) = view else { return Ok(()) };
        let Some(mut delivery) = view.session.email_delivery.clone() else {
            return Ok(());
        };
        let outgoing = email::compose(&view);
        let started = Instant::now();
        let result = self.mailer.send(&outgoing).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let retry = match result {
            Ok(message_id) => {
                tracing::info!(elapsed_ms, %message_id, "email sent");
                delivery.state = DeliveryState::Delivered;
                delivery.message_id = Some(message_id);
                delivery.sent_at = Some(now());
                delivery.error = None;
                None
            }
            Err(MailError::Rejected(why)) => {
                tracing::error!(elapsed_ms, error = %why, "email rejected; not retried");
                delivery.state = DeliveryState::Failed;
                delivery.error = Some(why);
                None
            }
            Err(MailError::Transient(why))
                if delivery.attempts >= self.settings.max_email_attempts =>
            {
                tracing::error!(error = %why, attempts = delivery.attempts, "email failed; giving up");
                delivery.state = DeliveryState::Failed;
                delivery.error = Some(format!(
                    "gave up after {} attempts: {why}",
                    delivery.attempts
                ));
                None
            }
            Err(MailError::Transient(why)) => {
                delivery.state = DeliveryState::Pending;
                delivery.error = Some(why.clone());
                Some(Retry(format!("email: {why}")))
            }
        };
        delivery.lease_expires_ms = 0;
        recorded("record email", || {
            self.store.record_email(bot_id, &delivery)
        })
        .await?;
        retry.map_or(Ok(()), Err)
    }

    /// Makes webhook attempt `expected` when it is due; makes sure the next retry is
    /// scheduled when this attempt was already made by an earlier delivery of the message.
    async fn drive_webhook(&self, session: &Session, expected: u32) -> Result<(), Retry> {
        let Some(delivery) = &session.webhook_delivery else {
            return Ok(());
        };
        let next = delivery.attempts + 1;
        let due = delivery.next_attempt_at.is_none_or(|t| t <= now());
        match delivery.state {
            DeliveryState::Delivered | DeliveryState::Failed => Ok(()),
            DeliveryState::Sending => self.attempt_webhook(session, next).await,
            DeliveryState::Pending
                if next == expected || (next > expected && due && delivery.attempts > 0) =>
            {
                self.attempt_webhook(session, next).await
            }
            DeliveryState::Pending if next > expected => {
                let at = delivery.next_attempt_at.unwrap_or_else(now);
                self.schedule_webhook_retry(session.bot_id, next, at).await
            }
            DeliveryState::Pending => Ok(()),
        }
    }

    async fn schedule_webhook_retry(
        &self,
        bot_id: BotId,
        attempt: u32,
        at: OffsetDateTime,
    ) -> Result<(), Retry> {
        let delay = Duration::try_from(at - now())
            .unwrap_or_default()
            .min(MAX_SQS_DELAY);
        self.queue
            .send(&PipelineMessage::webhook_retry(bot_id, attempt, at), delay)
            .await
            .map_err(Retry::from("schedule webhook retry"))
    }

    async fn attempt_webhook(&self, session: &Session, attempt: u32) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let at = now();
        match self
            .store
            .claim_webhook(bot_id, attempt, at, at + self.settings.lease)
            .await
            .map_err(Retry::from("claim webhook"))?
        {
            Claim::Done => return Ok(()),
            Claim::Busy => return Err(Retry("webhook is being sent by another invocation".into())),
            Claim::Claimed => {}
        }
        let Some(view) = self
            .store
            .get_view(bot_id)
            .await
            .map_err(Retry::from("read results"))?
        else {
            return Ok(());
        };
        let (Some(url), Some(mut delivery)) = (
            view.session.webhook_url.clone(),
            view.session.webhook_delivery.clone(),
        ) else {
            return Ok(());
        };
        let secret = self
            .store
            .webhook_secret(&view.session.account_id)
            .await
            .map_err(Retry::from("read webhook secret"))?;
        let started = Instant::now();
        let outcome = match secret {
            Some(secret) => {
                let body = webhook::payload(&view, delivery.event);
                let headers = webhook::sign(&delivery.webhook_id, at, &body, &secret)
                    .map_err(Retry::from("sign webhook"))?;
                self.webhooks.post(&url, &headers, &body).await
            }
            None => PostOutcome::Failed("the account has no webhook signing secret".into()),
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        let (status_code, error) = match &outcome {
            PostOutcome::Answered(code) if (200..300).contains(code) => (Some(*code), None),
            PostOutcome::Answered(code) => {
                (Some(*code), Some(format!("endpoint answered HTTP {code}")))
            }
            PostOutcome::TimedOut => (None, Some("no answer before the timeout".to_owned())),

            PostOutcome::Failed(e) => (None, Some(e.clone())),
            PostOutcome::Blocked(e) => (None, Some(format!("refused by the SSRF guard: {e}"))),
        };
        let record = WebhookAttempt {
            attempt,
            at,
            status_code,
            error: error.clone(),
            duration_ms,
        };
        delivery.attempts = attempt;
        delivery.first_attempt_at.get_or_insert(at);
        delivery.lease_expires_ms = 0;
        delivery.history.push(record.clone());
        if delivery.history.len() > 50 {
            delivery.history.remove(0);
        }
        let mut retry_at = None;
        match webhook::verdict(&outcome) {
            webhook::Verdict::Delivered => {
                delivery.state = DeliveryState::Delivered;
                delivery.delivered_at = Some(now());
                delivery.next_attempt_at = None;
            }
            webhook::Verdict::GiveUp => {
                delivery.state = DeliveryState::Failed;
                delivery.next_attempt_at = None;
            }
            webhook::Verdict::Retry => {
                let first = delivery.first_attempt_at.unwrap_or(at);
                if now() - first >= self.settings.webhook_retry_window {
                    delivery.state = DeliveryState::Failed;
                    delivery.next_attempt_at = None;
                } else {
                    let delay = webhook::backoff(
                        attempt,
                        self.settings.webhook_retry_base,
                        self.settings.webhook_retry_max_delay,
                    );
                    let when = now() + delay;
                    delivery.state = DeliveryState::Pending;
                    delivery.next_attempt_at = Some(when);
                    retry_at = Some(when);
                }
            }
        }
        tracing::info!(attempt, ?status_code, duration_ms, state = ?delivery.state, error = error.as_deref().unwrap_or(""), "webhook attempt");
        recorded("record webhook attempt", || {
            self.store
                .record_webhook_attempt(bot_id, &record, &delivery)
        })
        .await?;
        if let Some(when) = retry_at {
            self.schedule_webhook_retry(bot_id, attempt + 1, when)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
