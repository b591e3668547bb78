//! `DELETE /api/bot/{bot_id}/data`: removes a finished session's transcript and results,
//! cancels the deliveries that would have been made from them, and answers a receipt.
//! The session itself stays (its timeline and the receipt), so status can say what
//! happened; a second deletion answers the first one's receipt.

use super::bots::own_session;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, request_id};
use crate::ports::{Accounts, SessionStore, TranscriptStore};
use domain::rfc3339::format;
use domain::session::DataDeleted;
use domain::BotId;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument;

const OP: Operation = Operation::DeleteData;

pub struct DeleteDataHandler<S> {
    store: S,
}

/// The receipt: `{bot_id, deleted_at, deleted: {transcript_chunks, results, deliveries}}`.
#[derive(Debug, Serialize)]
pub struct Receipt {
    pub bot_id: BotId,
    pub deleted_at: String,
    pub deleted: Deleted,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    pub transcript_chunks: u32,
    pub results: u32,
    /// Deliveries still owed (email, webhook events) that were cancelled: their payloads
    /// would have been made from the deleted data. Sent payloads are never stored.
    pub deliveries: u32,
}

impl Receipt {
    fn of(bot_id: BotId, d: DataDeleted) -> Self {
        Self {
            bot_id,
            deleted_at: format(d.at),
            deleted: Deleted {
                transcript_chunks: d.transcript_chunks,
                results: d.results,
                deliveries: d.deliveries,
            },
        }
    }
}

impl<S: SessionStore + TranscriptStore + Accounts> DeleteDataHandler<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("delete_data", %request_id, bot_id = tracing::field::Empty);
        match self.delete(&req).instrument(span.clone()).await {
            Ok(receipt) => json_response(200, &receipt),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn delete(&self, req: &Request) -> Result<Receipt, ApiError> {
        let mut session = own_session(&self.store, req, OP).await?;
        let bot_id = session.bot_id;
        if let Some(earlier) = session.data_deleted {
            return Ok(Receipt::of(bot_id, earlier));
        }
        if !session.phase.is_terminal() {
            return Err(ApiError::Running {
                bot_id,
                phase: session.phase,
            });
        }
        let removed = self
            .store
            .delete_data(&session)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        let deliveries = session.cancel_owed_deliveries();
        session.data_deleted = Some(DataDeleted {
            deliveries,
            ..removed
        });
        // A concurrent deletion may have recorded its receipt first: that one is answered.
        let recorded = self
            .store
            .mark_data_deleted(&session)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        tracing::info!(
            transcript_chunks = recorded.transcript_chunks,
            results = recorded.results,
            deliveries = recorded.deliveries,
            "session data deleted"
        );
        Ok(Receipt::of(bot_id, recorded))
    }
}
