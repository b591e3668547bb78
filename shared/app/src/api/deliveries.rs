//! `GET /api/bot/{bot_id}/deliveries`: every email and webhook of a bot with each attempt;
//! `POST /api/bot/{bot_id}/deliveries/{delivery_id}/redeliver`: send one again (the same
//! `webhook-id` and payload, a fresh timestamp and signature), optionally to another URL.

use super::address::resolved_address_refusal;
use super::bots::{data_kept, own_session};
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, limit_body, path_param, request_id, require_json};
use crate::errors::Chain;
use crate::ports::{Accounts, DeliveryStore, HostResolver, PipelineQueue, SessionStore};
use domain::delivery_log::{DeliveryId, Redelivery, RedeliveryRefused};
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::session::DeliveryState;
use domain::{now, Session, WebhookUrl};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use std::time::Duration;
use tracing::Instrument;

/// Largest redeliver body: `{"url": …}` and nothing else.
pub const MAX_REDELIVER_BODY_BYTES: usize = 4 * 1024;

pub struct DeliveriesHandler<S, Q, D> {
    store: S,
    queue: Q,
    resolver: D,
    url_policy: UrlPolicy,
}

impl<S, Q, D> DeliveriesHandler<S, Q, D>
where
    S: Accounts + SessionStore + DeliveryStore,
    Q: PipelineQueue,
    D: HostResolver,
{
    pub fn new(store: S, queue: Q, resolver: D, url_policy: UrlPolicy) -> Self {
        Self {
            store,
            queue,
            resolver,
            url_policy,
        }
    }

    /// Routes by the path: a `delivery_id` parameter is a redelivery.
    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("deliveries", %request_id, bot_id = tracing::field::Empty);
        let answer = match path_param(&req, "delivery_id") {
            Some(id) => self.redeliver(&req, &id).instrument(span.clone()).await,
            None => self.log(&req).instrument(span.clone()).await,
        };
        match answer {
            Ok((status, body)) => json_response(status, &body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn log(&self, req: &Request) -> Result<(u16, Value), ApiError> {
        let session = own_session(&self.store, req, Operation::Deliveries).await?;
        Ok((200, json!({ "deliveries": session.delivery_log() })))
    }

    async fn redeliver(&self, req: &Request, raw_id: &str) -> Result<(u16, Value), ApiError> {
        const OP: Operation = Operation::Redeliver;
        let mut session = own_session(&self.store, req, OP).await?;
        let not_found = || ApiError::Missing(format!("Delivery '{}' not found", short(raw_id)));
        let id = DeliveryId::parse(raw_id).ok_or_else(not_found)?;
        // The payload is made from the bot's data: nothing to send once it is deleted.
        data_kept(&session)?;
        let url = self.url_of(req).await?;
        let bot_id = session.bot_id;
        for _ in 0..3 {
            let redelivery = match session.redelivery(id, url.clone(), now()) {
                Ok(r) => r,
                Err(RedeliveryRefused::AlreadyRedelivering(_)) if url.is_none() => {
                    // Asked again before the first request's redelivery was attempted (its
                    // message may have been lost): the same redelivery, queued again.
                    if let Some(waiting) = never_attempted_redelivery_of(&session, id) {
                        self.enqueue(&session).await?;
                        return Ok((202, accepted(&session, waiting)));
                    }
                    return Err(refusal(RedeliveryRefused::AlreadyRedelivering(
                        id.to_string(),
                    )));
                }
                Err(refused) => return Err(refusal(refused)),
            };
            let added = redelivery.id_on(&session);
            let expected = match &redelivery {
                Redelivery::Webhook(_) => session.event_deliveries.len(),
                Redelivery::Email(_) => session.later_emails.len(),
            };
            if self
                .store
                .add_redelivery(bot_id, id, &redelivery, expected)
                .await
                .map_err(|e| ApiError::internal(OP, e))?
            {
                let mut appended = session.clone();
                match redelivery {
                    Redelivery::Webhook(d) => appended.event_deliveries.push(d),
                    Redelivery::Email(d) => appended.later_emails.push(d),
                }
                self.enqueue(&appended).await?;
                tracing::info!(original = %id, redelivery = %added, "redelivery queued");
                return Ok((202, accepted(&appended, added)));
            }
            // The session changed between read and write (a concurrent request, the
            // pipeline recording an attempt): decide again on a fresh read.
            session = own_session(&self.store, req, OP).await?;
        }
        Err(ApiError::internal(
            OP,
            "session kept changing during the redelivery",
        ))
    }

    /// The body's optional `url`: checked as join checks `webhook_callback_url`.
    async fn url_of(&self, req: &Request) -> Result<Option<WebhookUrl>, ApiError> {
        let body = limit_body(req, MAX_REDELIVER_BODY_BYTES)?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        require_json(req)?;
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::InvalidRequest(format!("Request body is not valid JSON: {e}"))
        })?;
        let obj = value
            .as_object()
            .ok_or_else(|| ApiError::InvalidRequest("Request body must be a JSON object".into()))?;
        if let Some(other) = obj.keys().find(|k| k.as_str() != "url") {
            return Err(ApiError::InvalidRequest(format!(
                "Field '{}' is not known; the body takes only 'url'",
                short(other)
            )));
        }
        let raw = match obj.get("url") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.len() <= 2048 => s,
            Some(Value::String(_)) => {
                return Err(ApiError::InvalidRequest(
                    "Field 'url' is longer than 2048 characters".into(),
                ))
            }
            Some(_) => {
                return Err(ApiError::InvalidRequest(
                    "Field 'url' must be a string".into(),
                ))
            }
        };
        let url = WebhookUrl::parse(raw, self.url_policy).map_err(|e| {
            ApiError::InvalidRequest(format!(
                "Field 'url' {}",
                e.to_string().trim_start_matches("webhook_callback_url ")
            ))
        })?;
        if let Some(why) = resolved_address_refusal(&self.resolver, &url, self.url_policy).await {
            return Err(ApiError::InvalidRequest(format!("Field 'url' {why}")));
        }
        Ok(Some(url))
    }

    async fn enqueue(&self, session: &Session) -> Result<(), ApiError> {
        self.queue
            .send(&PipelineMessage::deliver(session.bot_id), Duration::ZERO)
            .await
            .map_err(|e| {
                tracing::error!(error = %Chain(&e), "could not queue the redelivery");
                ApiError::internal(Operation::Redeliver, e)
            })
    }
}

/// A redelivery of `id` that no attempt has been made for yet.
fn never_attempted_redelivery_of(session: &Session, id: DeliveryId) -> Option<DeliveryId> {
    let name = id.to_string();
    let waiting = |origin: &domain::delivery::Origin, state, attempts| {
        origin.redelivers.as_deref() == Some(name.as_str())
            && state == DeliveryState::Pending
            && attempts == 0
    };
    session
        .event_deliveries
        .iter()
        .position(|d| waiting(&d.origin, d.state, d.attempts))
        .map(DeliveryId::Event)
        .or_else(|| {
            session
                .later_emails
                .iter()
                .position(|d| waiting(&d.origin, d.state, d.attempts))
                .map(DeliveryId::LaterEmail)
        })
}

fn accepted(session: &Session, id: DeliveryId) -> Value {
    json!({
        "status": "accepted",
        "delivery_id": id.to_string(),
        "webhook_id": session.webhook(id).map(|d| d.webhook_id.clone()),
    })
}

fn refusal(refused: RedeliveryRefused) -> ApiError {
    match refused {
        RedeliveryRefused::NotFound(_) => ApiError::Missing(refused.to_string()),
        RedeliveryRefused::UrlForEmail => ApiError::InvalidRequest(refused.to_string()),
        RedeliveryRefused::InProgress(_)
        | RedeliveryRefused::AlreadyRedelivering(_)
        | RedeliveryRefused::TooMany => ApiError::Conflict(refused.to_string()),
    }
}

/// A customer's text quoted back: one line, at most 64 characters.
fn short(s: &str) -> String {
    domain::plain_text::one_line(s, 64)
}
