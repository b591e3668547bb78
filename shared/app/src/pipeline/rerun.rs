//! `rerun_insights`: the customer asked for the transcript to be analysed again. Analyse it
//! with the re-run's prompts, store the result as the next version in one write (the one
//! it replaces kept as its version), add the deliveries asked for, then deliver.

use super::{Pipeline, Retry};
use crate::errors::Chain;
use crate::ports::{
    BotRuntime, InsightsEngine, InsightsRequest, Mailer, PipelineQueue, RerunDone, Store,
    StoreError, WebhookSender,
};
use domain::delivery::Origin;
use domain::session::{EmailDelivery, WebhookDelivery, WebhookEvent};
use domain::{now, BotId};

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub(super) async fn rerun_insights(&self, bot_id: BotId, version: u32) -> Result<(), Retry> {
        let Some(view) = self
            .store
            .get_view(bot_id)
            .await
            .map_err(Retry::because("read session"))?
        else {
            return Ok(());
        };
        let session = &view.session;
        let Some(rerun) = session
            .insights_rerun
            .clone()
            .filter(|r| r.version == version)
        else {
            // Done by an earlier delivery of this message: what it owes may still be due.
            return self.deliver_owed(session, None).await;
        };
        let Some(transcript) = view
            .transcript
            .as_ref()
            .filter(|_| session.data_deleted.is_none())
        else {
            tracing::warn!(
                version,
                "nothing to analyse again (data deleted or missing); re-run dropped"
            );
            return self
                .store
                .cancel_rerun(bot_id, version)
                .await
                .map_err(Retry::because("cancel re-run"));
        };
        let request = InsightsRequest {
            analysis_prompt: rerun.analysis_prompt.as_deref(),
            summary_format_prompt: rerun.summary_format_prompt.as_deref(),
        };
        let analysis = self.insights.analyze(transcript, &request).await;
        let at = now();
        let origin = Origin {
            redelivers: None,
            insights_version: Some(version),
            created_at: Some(at),
        };
        let webhook =
            (rerun.deliver_webhook && session.webhook_url.is_some()).then(|| WebhookDelivery {
                webhook_id: format!("msg_{}_insights_{version}", bot_id.as_uuid().simple()),
                origin: origin.clone(),
                ..WebhookDelivery::new(WebhookEvent::InsightsUpdated, bot_id)
            });
        let email = session
            .email
            .clone()
            .filter(|_| rerun.deliver_email)
            .map(|to| EmailDelivery {
                origin,
                ..EmailDelivery::pending(to)
            });
        let done = RerunDone {
            version,
            previous: view.analysis.as_ref(),
            analysis: &analysis,
            webhook,
            email,
            expires_at: session.data_expires_at(),
        };
        let stored = match self.store.finish_rerun(bot_id, done).await {
            Err(e @ StoreError::TooLarge { .. }) => {
                tracing::error!(version, error = %Chain(&e), "the re-run's results are too large to store; re-run dropped");
                return self
                    .store
                    .cancel_rerun(bot_id, version)
                    .await
                    .map_err(Retry::because("cancel re-run"));
            }
            other => other.map_err(Retry::because("store re-run"))?,
        };
        tracing::info!(
            version,
            stored,
            qa_pairs = analysis.qa_pairs.len(),
            "insights analysed again"
        );
        self.deliver(bot_id, None).await
    }
}
