//! `GET /api/bot/{bot_id}/status`: the seed's fields (`status`, `transcript`, `qa_pairs`,
//! `insights`, `error`...) plus `phase`, `leave_requested_at`, `exit_reason` and the
//! outcome of every delivery.

use super::bots::own_session;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, request_id};
use crate::ports::{Accounts, SessionStore, SessionView};
use domain::insights::{Insights, QaPair};
use domain::metadata::Metadata;
use domain::rfc3339::format;
use domain::session::{EmailDelivery, WebhookDelivery, WebhookEvent};
use domain::timeline::{StatusChange, SubCode};
use domain::{BotId, ExitReason, Phase, Status};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument;

pub struct StatusHandler<S> {
    store: S,
}

#[derive(Serialize)]
pub struct StatusBody {
    pub status: Status,
    pub bot_id: BotId,
    pub room_url: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub transcript: Option<String>,
    pub qa_pairs: Option<Vec<QaPair>>,
    pub insights: Option<Insights>,
    pub error: Option<String>,
    pub phase: Phase,
    pub created_at: String,
    pub leave_requested_at: Option<String>,
    pub exit_reason: Option<ExitReason>,
    pub ended_at: Option<String>,
    pub insights_error: Option<String>,
    pub deliveries: Deliveries,
    /// Why the session is in its state (the reason of its latest change).
    pub sub_code: Option<SubCode>,
    /// Every change of state, in order.
    pub status_changes: Vec<StatusChange>,
    /// The customer's labels (join's `metadata`).
    pub metadata: Metadata,
    /// The events the webhook gets.
    pub webhook_events: Vec<WebhookEvent>,
    /// When the customer deleted the session's data (transcript and results then null).
    pub data_deleted_at: Option<String>,
    /// When the transcript and results expire (the session's `retention_hours`).
    pub expires_at: Option<String>,
    /// The version of `insights`: 1 for the first analysis, one more per re-run (null
    /// while there are none).
    pub insights_version: Option<u32>,
    /// The version a re-run asked for is analysing, while it runs.
    pub insights_rerun_pending: Option<u32>,
}

#[derive(Serialize)]
pub struct Deliveries {
    pub email: Option<EmailDelivery>,
    pub webhook: Option<WebhookDelivery>,
    /// The `status_change` events, one per change (when the webhook asked for them).
    pub status_changes: Vec<WebhookDelivery>,
}

impl StatusBody {
    pub fn from_view(view: SessionView) -> Self {
        let SessionView {
            session: s,
            transcript,
            analysis,
        } = view;
        let (qa_pairs, insights, insights_error) = match analysis {
            Some(a) => (
                Some(a.qa_pairs),
                a.insights,
                a.insights_error.or_else(|| s.insights_error.clone()),
            ),
            None => (None, None, s.insights_error.clone()),
        };
        let sub_code = s.sub_code();
        let insights_version = qa_pairs.as_ref().map(|_| s.current_insights_version());
        let insights_rerun_pending = s.insights_rerun.as_ref().map(|r| r.version);
        // Every delivery is in `GET …/deliveries`; status keeps its shape: the email, the
        // final webhook and the `status_change` events.
        let status_changes = s
            .event_deliveries
            .iter()
            .filter(|d| d.change.is_some() && d.origin.redelivers.is_none())
            .cloned()
            .collect();
        let data_deleted_at = s.data_deleted.map(|d| format(d.at));
        let expires_at = s
            .data_expires_at()
            .filter(|_| s.data_deleted.is_none())
            .map(format);
        Self {
            insights_version,
            insights_rerun_pending,
            data_deleted_at,
            expires_at,
            status: s.status(),
            bot_id: s.bot_id,
            room_url: s.room_url,
            started_at: s.started_at.map(format),
            completed_at: s.completed_at.map(format),
            transcript: transcript
                .filter(|_| s.phase.is_terminal())
                .map(|t| t.to_text()),
            qa_pairs,
            insights,
            error: s.error,
            phase: s.phase,
            created_at: format(s.created_at),
            leave_requested_at: s.leave_requested_at.map(format),
            exit_reason: s.exit.as_ref().map(|e| e.reason),
            ended_at: s.exit.as_ref().map(|e| format(e.ended_at)),
            insights_error,
            sub_code,
            status_changes: s.status_changes,
            metadata: s.metadata,
            webhook_events: s.webhook_events,
            deliveries: Deliveries {
                email: s.email_delivery,
                webhook: s.webhook_delivery,
                status_changes,
            },
        }
    }
}

impl<S: SessionStore + Accounts> StatusHandler<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("status", %request_id, bot_id = tracing::field::Empty);
        match self.status(&req).instrument(span.clone()).await {
            Ok(body) => json_response(200, &body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn status(&self, req: &Request) -> Result<StatusBody, ApiError> {
        let session = own_session(&self.store, req, Operation::Status).await?;
        // Results and the transcript exist only once the session has ended, and until
        // the customer deletes them.
        let view = if session.phase.is_terminal() && session.data_deleted.is_none() {
            self.store
                .view_of(session)
                .await
                .map_err(|e| ApiError::internal(Operation::Status, e))?
        } else {
            SessionView::of_session(session)
        };
        Ok(StatusBody::from_view(view))
    }
}
