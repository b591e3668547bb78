//! `POST /v1/bots/leave/{bot_id}` and the Pipecat Cloud-compatible
//! `DELETE /agents/{agentName}/sessions/{sessionId}`: record the leave request with a
//! conditional write, then put one `leave_requested` message on the pipeline queue.

use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, path_param, request_id};
use crate::lifecycle::{enqueue_leave, request_leave_and_enqueue};
use crate::ports::{Accounts, PipelineQueue, SessionStore};
use domain::session::StopDecision;
use domain::{now, BotId, Session};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use tracing::Instrument;

pub struct StopHandler<S, Q> {
    store: S,
    queue: Q,
}

const OP: Operation = Operation::Stop;

impl<S: SessionStore + Accounts, Q: PipelineQueue> StopHandler<S, Q> {
    pub fn new(store: S, queue: Q) -> Self {
        Self { store, queue }
    }

    /// Routes by path parameter: `sessionId` is the Pipecat route, `bot_id` the PailFlow one.
    pub async fn handle(&self, req: Request) -> Response<Body> {
        let (flavor, param) = match path_param(&req, "sessionId") {
            Some(id) => (Flavor::Pipecat, Some(id)),
            None => (Flavor::PailFlow, path_param(&req, "bot_id")),
        };
        let request_id = request_id(&req);
        let span = tracing::info_span!("stop", %request_id, bot_id = tracing::field::Empty, route = ?flavor);
        match self
            .stop(&req, param.as_deref())
            .instrument(span.clone())
            .await
        {
            Ok(bot_id) => match flavor {
                Flavor::PailFlow => json_response(
                    200,
                    &json!({
                        "status": "leave_requested",
                        "bot_id": bot_id,
                        "message": "Bot stop request sent. Bot will exit within 5 seconds.",
                    }),
                ),
                Flavor::Pipecat => json_response(
                    200,
                    &json!({ "status": "terminated", "session_id": bot_id }),
                ),
            },
            Err(err) => span.in_scope(|| into_response(&err, flavor, &request_id)),
        }
    }

    async fn stop(&self, req: &Request, raw_id: Option<&str>) -> Result<BotId, ApiError> {
        let account = authenticate(&self.store, req.headers(), OP).await?;
        let raw_id = raw_id.unwrap_or_default();
        let bot_id = BotId::parse(raw_id).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        tracing::Span::current().record("bot_id", tracing::field::display(bot_id));
        let not_found = || ApiError::NotFound(bot_id.to_string());

        // A concurrent stop or exit can change the session between read and write; the
        // conditional write tells, and the decision is taken again on a fresh read.
        for _ in 0..3 {
            let session: Session = self
                .store
                .get_session(bot_id)
                .await
                .map_err(|e| ApiError::internal(OP, e))?
                .filter(|s| s.account_id == account)
                .ok_or_else(not_found)?;
            match session.decide_stop() {
                StopDecision::Finished(phase) => return Err(ApiError::Finished { bot_id, phase }),
                StopDecision::AlreadyRequested { resend: false } => {
                    tracing::info!("leave already requested");
                    return Ok(bot_id);
                }
                StopDecision::AlreadyRequested { resend: true } => {
                    tracing::warn!("leave recorded earlier but never enqueued; enqueueing now");
                    enqueue_leave(&self.store, &self.queue, bot_id)
                        .await
                        .map_err(|e| ApiError::internal(OP, e))?;
                    return Ok(bot_id);
                }
                StopDecision::Request => {
                    if request_leave_and_enqueue(&self.store, &self.queue, &session, None, now())
                        .await
                        .map_err(|e| ApiError::internal(OP, e))?
                    {
                        tracing::info!("leave requested");
                        return Ok(bot_id);
                    }
                }
            }
        }
        Err(ApiError::internal(
            OP,
            "session kept changing during the stop",
        ))
    }
}
