//! `POST /api/keys`, `GET /api/keys`, `DELETE /api/keys/{key_id}`: a key of the account
//! mints another key for the same account (shown once), lists the account's keys (never a
//! key or its hash), and revokes one. Revoking the key the request is made with is allowed:
//! the answer is the receipt, and that key is refused from then on (at once on the
//! container that revoked it, within `API_KEY_CACHE_SECONDS` on every other).
//!
//! `POST /api/webhook-secret/rotate`, the account's other credential, is served here too: a
//! new signing secret (shown once) and the end of the old one's overlap.

use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, path_param, request_id};
use super::http::{limit_body, require_json};
use crate::ports::{AccountSettingsStore, Accounts, ApiKeyStore, KeyCreated};
use domain::api_keys::{KeyId, KeyInfo, MAX_KEYS_PER_ACCOUNT};
use domain::signing::{RotateRequest, MAX_ROTATE_BODY_BYTES};
use domain::{now, AccountId, ApiKey, WebhookSecret};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use tracing::Instrument;

const OP: Operation = Operation::Keys;

pub struct KeysHandler<S> {
    store: S,
}

impl<S: Accounts + ApiKeyStore + AccountSettingsStore> KeysHandler<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!(
            "keys",
            %request_id,
            account = tracing::field::Empty,
            key_id = tracing::field::Empty
        );
        match self.route(&req).instrument(span.clone()).await {
            Ok(response) => response,
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn route(&self, req: &Request) -> Result<Response<Body>, ApiError> {
        let account = authenticate(&self.store, req.headers(), OP).await?;
        tracing::Span::current().record("account", account.as_str());
        if req.uri().path().ends_with("/webhook-secret/rotate") {
            return match req.method().as_str() {
                "POST" => self.rotate(&account, req).await,
                method => Err(ApiError::MethodNotAllowed(method.to_owned())),
            };
        }
        match (req.method().as_str(), path_param(req, "key_id")) {
            ("POST", None) => self.create(&account).await,
            ("GET", None) => self.list(&account).await,
            ("DELETE", Some(id)) => self.revoke(&account, &id).await,
            (method, _) => Err(ApiError::MethodNotAllowed(method.to_owned())),
        }
    }

    /// `{key_id, key, prefix, created_at}`: the only time the key is shown.
    async fn create(&self, account: &AccountId) -> Result<Response<Body>, ApiError> {
        let key = ApiKey::generate();
        let info = KeyInfo::new(KeyId::generate(), &key, now());
        match self
            .store
            .create_key(account, &key, &info, Some(MAX_KEYS_PER_ACCOUNT))
            .await
            .map_err(|e| ApiError::internal(OP, e))?
        {
            KeyCreated::Created => {}
            KeyCreated::LimitReached { limit } => return Err(ApiError::KeyLimit { limit }),
        }
        tracing::Span::current().record("key_id", info.key_id.as_str());
        tracing::info!("api key created");
        Ok(json_response(
            201,
            &json!({
                "key_id": info.key_id,
                "key": key.expose(),
                "prefix": info.prefix,
                "created_at": domain::rfc3339::format(info.created_at),
            }),
        ))
    }

    async fn list(&self, account: &AccountId) -> Result<Response<Body>, ApiError> {
        let keys = self
            .store
            .list_keys(account)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        Ok(json_response(200, &json!({ "keys": keys })))
    }

    /// Another account's key is unknown here (404), as an unknown id is.
    async fn revoke(&self, account: &AccountId, raw: &str) -> Result<Response<Body>, ApiError> {
        let id = KeyId::parse(raw).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        tracing::Span::current().record("key_id", id.as_str());
        let receipt = self
            .store
            .revoke_key(account, &id, now())
            .await
            .map_err(|e| ApiError::internal(OP, e))?
            .ok_or_else(|| ApiError::KeyNotFound(id.to_string()))?;
        tracing::info!("api key revoked");
        Ok(json_response(200, &receipt))
    }

    /// `{secret, previous_valid_until}`: the new secret, shown this once (`make
    /// webhook-secret` shows it again to an operator); the old one keeps signing beside it
    /// until `previous_valid_until`.
    async fn rotate(&self, account: &AccountId, req: &Request) -> Result<Response<Body>, ApiError> {
        require_json(req)?;
        let body = limit_body(req, MAX_ROTATE_BODY_BYTES)?;
        let request =
            RotateRequest::parse(body).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        let secret = WebhookSecret::generate();
        let until = request.previous_valid_until(now());
        let rotated = self
            .store
            .rotate_webhook_secret(account, &secret, until)
            .await
            .map_err(|e| ApiError::internal(Operation::WebhookSecret, e))?;
        if !rotated {
            return Err(ApiError::internal(
                Operation::WebhookSecret,
                "an authenticated account has no account item",
            ));
        }
        tracing::info!(
            overlap_hours = request.overlap_hours,
            "webhook secret rotated"
        );
        Ok(json_response(
            200,
            &json!({
                "secret": secret.expose(),
                "previous_valid_until": domain::rfc3339::format(until),
            }),
        ))
    }
}
