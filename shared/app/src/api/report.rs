//! `POST /v1/bots/{bot_id}/exit`: the bot runtime reports the bot's exit with its
//! transcript. Authenticated by the per-bot secret issued at join. The transcript is stored
//! first (compressed, chunked), then the exit is recorded on the session (the commit
//! point), then a small `bot_exited` message referencing it goes on the queue.

use super::auth::bearer_token;
use super::error::{into_response, ApiError, AuthProblem, Flavor, Operation};
use super::http::{json_response, limit_body, path_param, request_id, require_json};
use crate::ports::{PipelineQueue, RecordExit, SessionStore, Timeline, TranscriptStore};
use domain::exit_report::ExitReport;
use domain::messages::PipelineMessage;
use domain::session::ExitRecord;
use domain::timeline::{ChangeCode, StatusChange};
use domain::{now, BotId, BotSecret};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::time::Duration;
use tracing::Instrument;

/// Hard limit of a report body: under Lambda's 6 MB synchronous payload, and about eight
/// times a 4-hour meeting (~40,000 words is ~0.6 MB of segments).
pub const MAX_REPORT_BODY_BYTES: usize = 5 * 1024 * 1024;

pub struct ReportHandler<S, Q> {
    store: S,
    queue: Q,
}

const OP: Operation = Operation::Report;

impl<S: SessionStore + TranscriptStore, Q: PipelineQueue> ReportHandler<S, Q> {
    pub fn new(store: S, queue: Q) -> Self {
        Self { store, queue }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("report", %request_id, bot_id = tracing::field::Empty);
        match self.report(&req).instrument(span.clone()).await {
            Ok((bot_id, exit_id, duplicate)) => json_response(
                202,
                &json!({ "status": "accepted", "bot_id": bot_id, "exit_id": exit_id, "duplicate": duplicate }),
            ),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn report(&self, req: &Request) -> Result<(BotId, String, bool), ApiError> {
        let raw = path_param(req, "bot_id").unwrap_or_default();
        let bot_id = BotId::parse(&raw).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        tracing::Span::current().record("bot_id", tracing::field::display(bot_id));
        let token = bearer_token(req.headers())
            .map_err(|_| ApiError::Unauthenticated(AuthProblem::InvalidBotSecret))?;

        // Unknown bots and wrong secrets answer alike, so bot ids cannot be probed.
        let session = self
            .store
            .get_session(bot_id)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        let session = session
            .filter(|s| BotSecret::from_presented(token).matches(&s.bot_secret_hash))
            .ok_or(ApiError::Unauthenticated(AuthProblem::InvalidBotSecret))?;

        require_json(req)?;
        let body = limit_body(req, MAX_REPORT_BODY_BYTES)?;
        let report =
            ExitReport::parse(body).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;

        if let Some(exit) = &session.exit {
            if exit.exit_id == report.exit_id {
                self.enqueue(bot_id, &report.exit_id).await?;
                return Ok((bot_id, report.exit_id, true));
            }
            return Err(ApiError::Finished {
                bot_id,
                phase: session.phase,
            });
        }
        if session.phase.is_terminal() {
            return Err(ApiError::Finished {
                bot_id,
                phase: session.phase,
            });
        }

        let reported_at = now();
        let expires_at = session.data_expiry(reported_at);
        let chunks = self
            .store
            .save_transcript(bot_id, &report.exit_id, &report.transcript, expires_at)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        let exit = ExitRecord {
            exit_id: report.exit_id.clone(),
            reason: report.reason,
            ended_at: report.ended_at,
            reported_at,
            chunks,
            segments: report.transcript.segments().len() as u32,
            words: report.transcript.word_count() as u64,
            duration_ms: report.transcript.duration_ms(),
        };
        let timeline = Timeline::of(
            &session,
            vec![
                StatusChange::new(
                    ChangeCode::BotExited,
                    Some(exit.reason.into()),
                    exit.reported_at,
                ),
                StatusChange::new(ChangeCode::Processing, None, exit.reported_at),
            ],
        );
        match self
            .store
            .record_exit(bot_id, &exit, &timeline)
            .await
            .map_err(|e| ApiError::internal(OP, e))?
        {
            RecordExit::Recorded => {
                tracing::info!(
                    chunks,
                    segments = exit.segments,
                    words = exit.words,
                    reason = exit.reason.as_str(),
                    "exit recorded"
                );
                self.enqueue(bot_id, &report.exit_id).await?;
                Ok((bot_id, report.exit_id, false))
            }
            RecordExit::AlreadyRecorded => {
                self.enqueue(bot_id, &report.exit_id).await?;
                Ok((bot_id, report.exit_id, true))
            }
            RecordExit::Refused(phase) => {
                if let Err(e) = self
                    .store
                    .delete_transcript(bot_id, &report.exit_id, chunks)
                    .await
                {
                    tracing::warn!(error = %e, "could not remove the chunks of a refused report");
                }
                Err(ApiError::Finished { bot_id, phase })
            }
        }
    }

    async fn enqueue(&self, bot_id: BotId, exit_id: &str) -> Result<(), ApiError> {
        self.queue
            .send(
                &PipelineMessage::bot_exited(bot_id, exit_id.to_owned()),
                Duration::ZERO,
            )
            .await
            .map_err(|e| ApiError::internal(OP, e))
    }
}
