//! `POST /api/webhooks/test`: sends a signed `ping` event now, to the URL given or to the
//! account's endpoint, and answers how it went: `{status_code, duration_ms, error}`. The
//! same rules as every webhook: the URL is checked as join checks `webhook_callback_url`,
//! the sender's SSRF guard checks the resolved address again, 10 s timeout, no redirects,
//! Standard Webhooks signature with the account's secret and a `webhook-id` of its own.
//! Nothing is stored and nothing is retried; an account may send
//! [`TEST_EVENTS_PER_MINUTE`] a minute.

use super::address::resolved_address_refusal;
use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, limit_body, request_id, require_json};
use crate::pipeline::webhook_signature::sign;
use crate::ports::{AccountSettingsStore, Accounts, HostResolver, PostOutcome, WebhookSender};
use domain::limits::TEST_EVENTS_PER_MINUTE;
use domain::net::UrlPolicy;
use domain::webhook_endpoint::{parse_test_event, MAX_ENDPOINT_BODY_BYTES};
use domain::{now, AccountId, WebhookUrl};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::time::{Duration, Instant};
use tracing::Instrument;

const OP: Operation = Operation::WebhookTest;

#[derive(Clone, Debug)]
pub struct WebhookTestSettings {
    pub url_policy: UrlPolicy,
    /// The sender's timeout, for the answer's sentence.
    pub timeout: Duration,
}

pub struct WebhookTestHandler<S, W, D> {
    store: S,
    webhooks: W,
    resolver: D,
    settings: WebhookTestSettings,
}

impl<S, W, D> WebhookTestHandler<S, W, D>
where
    S: Accounts + AccountSettingsStore,
    W: WebhookSender,
    D: HostResolver,
{
    pub fn new(store: S, webhooks: W, resolver: D, settings: WebhookTestSettings) -> Self {
        Self {
            store,
            webhooks,
            resolver,
            settings,
        }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!(
            "webhook_test",
            %request_id,
            account = tracing::field::Empty
        );
        match self.test(&req).instrument(span.clone()).await {
            Ok(body) => json_response(200, &body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn test(&self, req: &Request) -> Result<serde_json::Value, ApiError> {
        let account = authenticate(&self.store, req.headers(), OP).await?;
        tracing::Span::current().record("account", account.as_str());
        require_json(req)?;
        let body = limit_body(req, MAX_ENDPOINT_BODY_BYTES)?;
        let given = parse_test_event(body, self.settings.url_policy)
            .map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        let url = match given {
            Some(url) => url,
            None => self.endpoint_url(&account).await?,
        };
        if let Some(why) =
            resolved_address_refusal(&self.resolver, &url, self.settings.url_policy).await
        {
            return Err(ApiError::InvalidRequest(format!("Field 'url' {why}")));
        }
        if let Some(limit) = self
            .store
            .count_test_event(&account, now(), TEST_EVENTS_PER_MINUTE)
            .await
            .map_err(|e| ApiError::internal(OP, e))?
        {
            return Err(ApiError::LimitExceeded(limit));
        }
        let secret = self
            .store
            .signing_secrets(&account)
            .await
            .map_err(|e| ApiError::internal(OP, e))?
            .ok_or_else(|| ApiError::internal(OP, "the account has no webhook signing secret"))?;

        let at = now();
        let webhook_id = format!("msg_ping_{}", uuid_simple());
        let payload = json!({
            "event": "ping",
            "test": true,
            "sent_at": domain::rfc3339::format(at),
        })
        .to_string();
        let headers =
            sign(&webhook_id, at, &payload, &secret).map_err(|e| ApiError::internal(OP, e))?;
        let started = Instant::now();
        let outcome = self.webhooks.post(&url, &headers, &payload).await;
        let duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(?outcome, duration_ms, %webhook_id, "test event sent");
        let (status_code, error) = match outcome {
            PostOutcome::Answered(code) => (Some(code), answered_error(code)),
            PostOutcome::TimedOut => (
                None,
                Some(format!(
                    "The endpoint did not answer within {} seconds.",
                    self.settings.timeout.as_secs()
                )),
            ),
            PostOutcome::Failed(cause) => (None, Some(unreachable(&cause).to_owned())),
            PostOutcome::Blocked(_) => {
                return Err(ApiError::InvalidRequest(
                    "Field 'url' resolves to an address that is not allowed".into(),
                ))
            }
        };
        Ok(json!({
            "status_code": status_code,
            "duration_ms": duration_ms,
            "error": error,
            "webhook_id": webhook_id,
            "url": url,
        }))
    }

    async fn endpoint_url(&self, account: &AccountId) -> Result<WebhookUrl, ApiError> {
        let settings = self
            .store
            .account_settings(account)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        settings.webhook_endpoint.map(|e| e.url).ok_or_else(|| {
            ApiError::InvalidRequest(
                "Missing required field: url (the account has no webhook endpoint to test)".into(),
            )
        })
    }
}

fn uuid_simple() -> String {
    domain::BotId::new().as_uuid().simple().to_string()
}

/// Only 2xx is delivered, as for every webhook.
fn answered_error(code: u16) -> Option<String> {
    match code {
        200..=299 => None,
        300..=399 => Some(format!(
            "The endpoint answered HTTP {code}; redirects are not followed."
        )),
        _ => Some(format!(
            "The endpoint answered HTTP {code}; only 2xx counts as delivered."
        )),
    }
}

/// A fixed sentence for a request that got no answer: the HTTP client's own text (library
/// and system detail) goes to the log, never to the customer.
fn unreachable(cause: &str) -> &'static str {
    let cause = cause.to_ascii_lowercase();
    if cause.contains("dns") || cause.contains("lookup") {
        "The endpoint's host name did not resolve."
    } else if cause.contains("certificate") || cause.contains("tls") || cause.contains("handshake")
    {
        "The TLS connection to the endpoint failed; check its certificate."
    } else if cause.contains("refused") {
        "The endpoint refused the connection."
    } else {
        "The endpoint could not be reached."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_gets_fixed_sentences() {
        assert_eq!(answered_error(204), None);
        assert!(answered_error(307)
            .unwrap()
            .contains("redirects are not followed"));
        assert!(answered_error(500).unwrap().contains("HTTP 500"));
        for (cause, expect) in [
            ("error sending request: client error (Connect): dns error: failed to lookup address information", "did not resolve"),
            ("client error (Connect): invalid peer certificate: UnknownIssuer", "certificate"),
            ("tcp connect error: Connection refused (os error 111)", "refused"),
            ("connection reset by peer", "could not be reached"),
        ] {
            let said = unreachable(cause);
            assert!(said.contains(expect), "{cause}: {said}");
            assert!(!said.contains("os error") && !said.contains("client error"));
        }
    }
}
