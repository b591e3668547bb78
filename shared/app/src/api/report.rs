//! `POST /v1/bots/{bot_id}/exit`: the bot runtime reports the bot's exit with its
//! transcript. Authenticated by the per-bot secret issued at join. The transcript is stored
//! first (compressed, chunked), then the exit is recorded on the session (the commit
//! point), then a small `bot_exited` message referencing it goes on the queue.

use super::auth::bearer_token;
use super::error::{into_response, ApiError, AuthProblem, Flavor, Operation};
use super::http::{json_response, limit_body, path_param, require_json};
use crate::ports::{PipelineQueue, RecordExit, SessionStore};
use domain::messages::PipelineMessage;
use domain::session::ExitRecord;
use domain::{now, BotId, BotSecret, ExitReason, Segment, Transcript};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use time::OffsetDateTime;
use tracing::Instrument;

/// Hard limit of a report body: under Lambda's 6 MB synchronous payload, and about eight
/// times a 4-hour meeting (~40,000 words is ~0.6 MB of segments).
pub const MAX_REPORT_BODY_BYTES: usize = 5 * 1024 * 1024;
const MAX_SEGMENTS: usize = 100_000;
const MAX_SPEAKER_CHARS: usize = 200;
const MAX_SEGMENT_CHARS: usize = 20_000;

#[derive(Clone, Debug, Default)]
pub struct ReportSettings {}

pub struct ReportHandler<S, Q> {
    store: S,
    queue: Q,
}

const OP: Operation = Operation::Report;

/// A parsed exit report.
#[derive(Debug, PartialEq)]
pub struct ExitReport {
    pub reason: ExitReason,
    pub ended_at: OffsetDateTime,
    pub transcript: Transcript,
    pub exit_id: String,
}

impl<S: SessionStore, Q: PipelineQueue> ReportHandler<S, Q> {
    pub fn new(store: S, queue: Q, _settings: ReportSettings) -> Self {
        Self { store, queue }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let span = tracing::info_span!("report", bot_id = tracing::field::Empty);
        match self.report(&req).instrument(span).await {
            Ok((bot_id, exit_id, duplicate)) => json_response(
                202,
                &json!({ "status": "accepted", "bot_id": bot_id, "exit_id": exit_id, "duplicate": duplicate }),
            ),
            Err(err) => into_response(&err, Flavor::PailFlow),
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
        let report = parse_report(body).map_err(ApiError::InvalidRequest)?;

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

        let chunks = self
            .store
            .save_transcript(bot_id, &report.exit_id, &report.transcript)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        let exit = ExitRecord {
            exit_id: report.exit_id.clone(),
            reason: report.reason,
            ended_at: report.ended_at,
            reported_at: now(),
            chunks,
            segments: report.transcript.segments().len() as u32,
            words: report.transcript.word_count() as u64,
            duration_ms: report.transcript.duration_ms(),
        };
        match self
            .store
            .record_exit(bot_id, &exit)
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

/// Parses and validates a report body; every refusal names the field.
pub fn parse_report(body: &[u8]) -> Result<ExitReport, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("Request body is not valid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or("Request body must be a JSON object")?;
    let reason = match obj.get("exit_reason") {
        None | Some(Value::Null) => return Err("Missing required field: exit_reason".into()),
        Some(Value::String(s)) => ExitReason::parse(s).ok_or_else(|| {
            format!("Field 'exit_reason' must be one of participant_left, stop_phrase, force_leave, idle_timeout; got '{}'", s.chars().take(40).collect::<String>())
        })?,
        Some(_) => return Err("Field 'exit_reason' must be a string".into()),
    };
    let ended_at = match obj.get("ended_at") {
        None | Some(Value::Null) => return Err("Missing required field: ended_at".into()),
        Some(Value::String(s)) => {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(
                |_| {
                    "Field 'ended_at' must be an RFC 3339 timestamp such as 2025-01-15T10:30:00Z"
                        .to_string()
                },
            )?
        }
        Some(_) => return Err("Field 'ended_at' must be a string".into()),
    };
    let items = match obj.get("transcript") {
        None | Some(Value::Null) => return Err("Missing required field: transcript".into()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("Field 'transcript' must be an array of segments".into()),
    };
    if items.len() > MAX_SEGMENTS {
        return Err(format!(
            "Field 'transcript' has {} segments; the limit is {MAX_SEGMENTS}",
            items.len()
        ));
    }
    let segments = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_segment(i, v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ExitReport {
        reason,
        ended_at,
        transcript: Transcript(segments),
        exit_id: hex::encode(Sha256::digest(value.to_string().as_bytes())),
    })
}

fn parse_segment(i: usize, v: &Value) -> Result<Segment, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("transcript[{i}] must be an object"))?;
    let string = |field: &str, max: usize| -> Result<String, String> {
        match obj.get(field) {
            Some(Value::String(s)) if s.chars().count() > max => Err(format!(
                "transcript[{i}].{field} is longer than {max} characters"
            )),
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => {
                Err(format!("Missing required field: transcript[{i}].{field}"))
            }
            Some(_) => Err(format!("Field 'transcript[{i}].{field}' must be a string")),
        }
    };
    let millis = |field: &str| -> Result<u64, String> {
        match obj.get(field) {
            Some(n) if n.is_u64() => Ok(n.as_u64().unwrap_or_default()),
            None | Some(Value::Null) => {
                Err(format!("Missing required field: transcript[{i}].{field}"))
            }
            Some(_) => Err(format!(
                "Field 'transcript[{i}].{field}' must be a non-negative integer (milliseconds)"
            )),
        }
    };
    let speaker = string("speaker", MAX_SPEAKER_CHARS)?;
    if speaker.trim().is_empty() {
        return Err(format!("Field 'transcript[{i}].speaker' must not be empty"));
    }
    let (start_ms, end_ms) = (millis("start_ms")?, millis("end_ms")?);
    if end_ms < start_ms {
        return Err(format!(
            "transcript[{i}] ends (end_ms {end_ms}) before it starts (start_ms {start_ms})"
        ));
    }
    Ok(Segment {
        speaker,
        text: string("text", MAX_SEGMENT_CHARS)?,
        start_ms,
        end_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_report_parses_and_its_id_is_stable() {
        let body = br#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"Ada","text":"Hi","start_ms":0,"end_ms":500}]}"#;
        let a = parse_report(body).unwrap();
        let b = parse_report(body).unwrap();
        assert_eq!(a.reason, ExitReason::ParticipantLeft);
        assert_eq!(a.transcript.segments().len(), 1);
        assert_eq!(a.exit_id, b.exit_id);
    }

    #[test]
    fn bad_reports_name_the_problem() {
        for (body, expect) in [
            (
                r#"{"ended_at":"2025-01-15T10:30:00Z","transcript":[]}"#,
                "exit_reason",
            ),
            (
                r#"{"exit_reason":"bored","ended_at":"2025-01-15T10:30:00Z","transcript":[]}"#,
                "must be one of",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"yesterday","transcript":[]}"#,
                "RFC 3339",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":"hi"}"#,
                "array",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"A","text":"x","start_ms":-1,"end_ms":2}]}"#,
                "start_ms",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"A","text":"x","start_ms":5,"end_ms":2}]}"#,
                "before it starts",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"","text":"x","start_ms":0,"end_ms":2}]}"#,
                "speaker",
            ),
            ("not json", "not valid JSON"),
        ] {
            let err = parse_report(body.as_bytes()).unwrap_err();
            assert!(err.contains(expect), "{body}: {err}");
        }
    }
}
