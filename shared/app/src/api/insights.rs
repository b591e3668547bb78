//! `POST /api/bot/{bot_id}/insights`: analyse an ended bot's transcript again (other prompts,
//! optionally telling the webhook and the email); `GET /api/bot/{bot_id}/insights?version=N`:
//! the latest insights or an earlier version.

use super::bots::{data_kept, own_session};
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, limit_body, query_param, request_id, require_json};
use super::MAX_JOIN_BODY_BYTES;
use crate::errors::Chain;
use crate::ports::{Accounts, PipelineQueue, Reruns, SessionStore};
use domain::insights::Analysis;
use domain::messages::PipelineMessage;
use domain::rerun::{RerunRefused, RerunRequest};
use domain::{now, Session};
use lambda_http::{http::Method, Body, Request, Response};
use serde_json::{json, Value};
use std::time::Duration;
use tracing::Instrument;

pub struct InsightsHandler<S, Q> {
    store: S,
    queue: Q,
}

impl<S, Q> InsightsHandler<S, Q>
where
    S: Accounts + SessionStore + Reruns,
    Q: PipelineQueue,
{
    pub fn new(store: S, queue: Q) -> Self {
        Self { store, queue }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("insights", %request_id, bot_id = tracing::field::Empty);
        let answer = if req.method() == Method::POST {
            self.rerun(&req).instrument(span.clone()).await
        } else {
            self.read(&req).instrument(span.clone()).await
        };
        match answer {
            Ok((status, body)) => json_response(status, &body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn rerun(&self, req: &Request) -> Result<(u16, Value), ApiError> {
        const OP: Operation = Operation::Rerun;
        let mut session = own_session(&self.store, req, OP).await?;
        data_kept(&session)?;
        require_json(req)?;
        let body = limit_body(req, MAX_JOIN_BODY_BYTES)?;
        let request =
            RerunRequest::parse(body).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        let bot_id = session.bot_id;
        for _ in 0..3 {
            let rerun = session
                .rerun(request.clone(), now())
                .map_err(|refused| refusal(&session, refused))?;
            if self
                .store
                .request_rerun(bot_id, &rerun)
                .await
                .map_err(|e| ApiError::internal(OP, e))?
            {
                let message = PipelineMessage::rerun_insights(bot_id, rerun.version);
                if let Err(e) = self.queue.send(&message, Duration::ZERO).await {
                    tracing::error!(error = %Chain(&e), "could not queue the re-run; forgetting it");
                    if let Err(e) = self.store.cancel_rerun(bot_id, rerun.version).await {
                        tracing::error!(error = %Chain(&e), "could not forget the unqueued re-run");
                    }
                    return Err(ApiError::internal(OP, e));
                }
                tracing::info!(version = rerun.version, "insights re-run queued");
                return Ok((
                    202,
                    json!({"status": "accepted", "bot_id": bot_id, "version": rerun.version}),
                ));
            }
            // Another request started one, or the data was deleted, meanwhile.
            session = own_session(&self.store, req, OP).await?;
            data_kept(&session)?;
        }
        Err(ApiError::internal(
            OP,
            "session kept changing during the re-run request",
        ))
    }

    async fn read(&self, req: &Request) -> Result<(u16, Value), ApiError> {
        const OP: Operation = Operation::Insights;
        let session = own_session(&self.store, req, OP).await?;
        data_kept(&session)?;
        let latest = session.current_insights_version();
        let version = match query_param(req, "version") {
            None => latest,
            Some(raw) => raw.parse::<u32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
                ApiError::InvalidRequest(
                    "Query parameter 'version' must be a whole number from 1".into(),
                )
            })?,
        };
        let missing = || {
            ApiError::Missing(format!(
                "Version {version} of the insights of bot session {} not found",
                session.bot_id
            ))
        };
        if version > latest || !session.phase.is_terminal() {
            return Err(missing());
        }
        let analysis = if version == latest {
            let view = self
                .store
                .view_of(session.clone())
                .await
                .map_err(|e| ApiError::internal(OP, e))?;
            view.analysis
        } else {
            self.store
                .analysis_version(session.bot_id, version)
                .await
                .map_err(|e| ApiError::internal(OP, e))?
        };
        let analysis = analysis.ok_or_else(missing)?;
        Ok((200, body(&session, version, analysis)))
    }
}

fn body(session: &Session, version: u32, analysis: Analysis) -> Value {
    json!({
        "bot_id": session.bot_id,
        "version": version,
        "latest_version": session.current_insights_version(),
        "rerun_pending": session.insights_rerun.as_ref().map(|r| r.version),
        "qa_pairs": analysis.qa_pairs,
        "insights": analysis.insights,
        "insights_error": analysis.insights_error,
    })
}

fn refusal(session: &Session, refused: RerunRefused) -> ApiError {
    match refused {
        RerunRefused::Running(phase) => ApiError::Running {
            bot_id: session.bot_id,
            phase,
        },
        other => ApiError::Conflict(format!(
            "Bot session {} cannot be analysed again: {other}.",
            session.bot_id
        )),
    }
}
