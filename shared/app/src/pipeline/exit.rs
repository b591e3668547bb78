//! `bot_exited`: the bot reported; load its transcript, analyse it, and in one write store
//! the results, complete the session and record the deliveries it owes; then deliver.

use super::{Pipeline, Retry};
use crate::errors::Chain;
use crate::metrics::{record, Metric};
use crate::ports::Timeline;
use crate::ports::{
    BotRuntime, Finish, InsightsEngine, InsightsRequest, Mailer, PipelineQueue, Store, StoreError,
    WebhookSender,
};
use domain::insights::Analysis;
use domain::session::{Outcome, WebhookEvent};
use domain::timeline::{ChangeCode, SubCode};
use domain::{now, BotId, Phase, Session};
use std::time::Instant;

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub(super) async fn bot_exited(&self, bot_id: BotId, exit_id: &str) -> Result<(), Retry> {
        let Some(session) = self.session(bot_id).await? else {
            tracing::warn!("exit for an unknown session");
            return Ok(());
        };
        match (&session.exit, session.phase) {
            (_, phase) if phase.is_terminal() => self.deliver_owed(&session, None).await,
            (Some(exit), Phase::Processing) if exit.exit_id == exit_id => {
                self.complete(session).await
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
    pub(super) async fn complete(&self, session: Session) -> Result<(), Retry> {
        let bot_id = session.bot_id;
        let Some(exit) = session.exit.as_ref() else {
            return Ok(());
        };
        let started = Instant::now();
        let transcript = self
            .store
            .load_transcript(bot_id, exit)
            .await
            .map_err(Retry::because("load transcript"))?;
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
        let (email, webhook) =
            session.deliveries_for(WebhookEvent::SessionComplete, Outcome::Transcript);
        let at = now();
        // The bot exited with no speech: completed, and the timeline says so.
        let why = if exit.words == 0 {
            SubCode::EmptyTranscript
        } else {
            SubCode::from(exit.reason)
        };
        let finish = Finish {
            timeline: Timeline::change(&session, ChangeCode::Completed, Some(why), at),
            phase: Phase::Completed,
            at,
            error: None,
            error_code: None,
            analysis: Some(&analysis),
            email,
            webhook,
            frees_slot_of: session.slot(),
            expires_at: session.data_expiry(at),
        };
        let finished = match self
            .store
            .finish(bot_id, &[Phase::Processing], finish)
            .await
        {
            Err(e @ StoreError::TooLarge { .. }) => {
                tracing::error!(error = %Chain(&e), "the results are too large to store; completing without them");
                self.complete_without_results(&session).await?
            }
            other => other.map_err(Retry::because("finish session"))?,
        };
        if finished {
            record(Metric::SessionCompleted);
            if exit.words == 0 {
                record(Metric::EmptyTranscript);
            }
        }
        tracing::info!(
            finished,
            loaded_ms,
            analysed_ms,
            words = exit.words,
            qa_pairs = analysis.qa_pairs.len(),
            "session completed"
        );
        self.deliver(bot_id, None).await
    }

    /// The session completes with its transcript and a clear `insights_error` instead of
    /// results the store refused as too large; the customer is told once, as always.
    async fn complete_without_results(&self, session: &Session) -> Result<bool, Retry> {
        let refused = Analysis {
            insights_error: Some(RESULTS_TOO_LARGE.to_owned()),
            ..Analysis::default()
        };
        let (email, webhook) =
            session.deliveries_for(WebhookEvent::SessionComplete, Outcome::Transcript);
        let at = now();
        let finish = Finish {
            timeline: Timeline::change(
                session,
                ChangeCode::Completed,
                Some(SubCode::InsightsFailed),
                at,
            ),
            phase: Phase::Completed,
            at,
            error: None,
            error_code: None,
            analysis: Some(&refused),
            email,
            webhook,
            frees_slot_of: session.slot(),
            expires_at: session.data_expiry(at),
        };
        self.store
            .finish(session.bot_id, &[Phase::Processing], finish)
            .await
            .map_err(Retry::because("finish session without results"))
    }
}

/// `insights_error` of a meeting whose results could not be stored.
pub(crate) const RESULTS_TOO_LARGE: &str =
    "The insights of this meeting are too large to store, so none are shown; the transcript is complete.";
