//! `PUT`, `GET` and `DELETE /api/webhook-endpoint`: the account's webhook endpoint, where a
//! join without its own `webhook_callback_url` delivers (URL and events, taken at join: a
//! change applies to later joins). The URL is checked as join checks
//! `webhook_callback_url`: literally when parsed, its host's addresses now, and again at
//! every send. `DELETE` is idempotent: 204 whether or not there was one.

use super::address::resolved_address_refusal;
use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, limit_body, request_id, require_json};
use crate::ports::{AccountSettingsStore, Accounts, HostResolver};
use domain::net::UrlPolicy;
use domain::webhook_endpoint::{WebhookEndpoint, MAX_ENDPOINT_BODY_BYTES};
use domain::{now, AccountId};
use lambda_http::{Body, Request, Response};
use tracing::Instrument;

const OP: Operation = Operation::WebhookEndpoint;

pub struct WebhookEndpointHandler<S, D> {
    store: S,
    resolver: D,
    url_policy: UrlPolicy,
}

impl<S: Accounts + AccountSettingsStore, D: HostResolver> WebhookEndpointHandler<S, D> {
    pub fn new(store: S, resolver: D, url_policy: UrlPolicy) -> Self {
        Self {
            store,
            resolver,
            url_policy,
        }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!(
            "webhook_endpoint",
            %request_id,
            account = tracing::field::Empty
        );
        match self.route(&req).instrument(span.clone()).await {
            Ok(response) => response,
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn route(&self, req: &Request) -> Result<Response<Body>, ApiError> {
        let account = authenticate(&self.store, req.headers(), OP).await?;
        tracing::Span::current().record("account", account.as_str());
        match req.method().as_str() {
            "PUT" => self.put(req, &account).await,
            "GET" => self.get(&account).await,
            "DELETE" => self.delete(&account).await,
            method => Err(ApiError::MethodNotAllowed(method.to_owned())),
        }
    }

    async fn put(&self, req: &Request, account: &AccountId) -> Result<Response<Body>, ApiError> {
        require_json(req)?;
        let body = limit_body(req, MAX_ENDPOINT_BODY_BYTES)?;
        let endpoint = WebhookEndpoint::parse(body, self.url_policy, now())
            .map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        if let Some(why) =
            resolved_address_refusal(&self.resolver, &endpoint.url, self.url_policy).await
        {
            return Err(ApiError::InvalidRequest(format!("Field 'url' {why}")));
        }
        self.store
            .put_webhook_endpoint(account, &endpoint)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        tracing::info!(url = %endpoint.url, "webhook endpoint set");
        Ok(json_response(200, &endpoint))
    }

    async fn get(&self, account: &AccountId) -> Result<Response<Body>, ApiError> {
        let settings = self
            .store
            .account_settings(account)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        let endpoint = settings
            .webhook_endpoint
            .ok_or(ApiError::NoWebhookEndpoint)?;
        Ok(json_response(200, &endpoint))
    }

    async fn delete(&self, account: &AccountId) -> Result<Response<Body>, ApiError> {
        self.store
            .delete_webhook_endpoint(account)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        tracing::info!("webhook endpoint removed");
        Ok(Response::builder()
            .status(204)
            .body(Body::Empty)
            .expect("static response parts are valid"))
    }
}
