//! `GET /api/bot/{bot_id}/transcript?format=json|txt|srt|vtt|md`: the transcript of an
//! ended bot as a file, rendered by `domain::transcript_export`.

use super::auth::authenticate;
use super::bots::{data_kept, session_of};
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{query_param, request_id, text_response};
use crate::ports::{Accounts, SessionStore, TranscriptStore};
use domain::transcript_export::ExportFormat;
use lambda_http::{Body, Request, Response};
use tracing::Instrument;

pub struct ExportHandler<S> {
    store: S,
}

impl<S: SessionStore + TranscriptStore + Accounts> ExportHandler<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("export", %request_id, bot_id = tracing::field::Empty);
        match self.export(&req).instrument(span.clone()).await {
            Ok((format, body)) => text_response(200, format.content_type(), body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn export(&self, req: &Request) -> Result<(ExportFormat, String), ApiError> {
        let account = authenticate(&self.store, req.headers(), Operation::Export).await?;
        // The format is the request's alone: refused before anything is read.
        let format = match query_param(req, "format") {
            Some(raw) => {
                ExportFormat::parse(&raw).map_err(|e| ApiError::InvalidRequest(e.to_string()))?
            }
            None => ExportFormat::DEFAULT,
        };
        let session = session_of(&self.store, &account, req, Operation::Export).await?;
        let bot_id = session.bot_id;
        // A deleted transcript is gone for good (410), answered before anything else is
        // read. A transcript is shown once the session has ended (as the status route shows
        // it), and only if the bot reported one.
        data_kept(&session)?;
        let exit = session
            .exit
            .as_ref()
            .filter(|_| session.phase.is_terminal())
            .ok_or(ApiError::NoTranscript(bot_id))?;
        let transcript = self
            .store
            .load_transcript(bot_id, exit)
            .await
            .map_err(|e| ApiError::internal(Operation::Export, e))?;
        tracing::info!(
            format = format.as_str(),
            segments = transcript.segments().len(),
            "transcript exported"
        );
        Ok((format, format.render(&transcript)))
    }
}
