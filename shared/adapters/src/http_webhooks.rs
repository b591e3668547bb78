//! Webhook POSTs over HTTPS with the SSRF guard applied where it cannot be bypassed: names
//! resolve through [`GuardedResolver`], IP literals are checked before connecting,
//! redirects are never followed, and no proxy is used. Signing happens before, in
//! `app::pipeline::webhook_signature`.

use crate::dns::{BlockedAddress, GuardedResolver, SystemResolver};
use crate::http_client::LazyHttp;
use app::errors::Chain;
use app::ports::{HostResolver, PostOutcome, WebhookSender};
use domain::net::UrlPolicy;
use domain::WebhookUrl;
use std::error::Error as StdError;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct HttpWebhookSender {
    http: LazyHttp,
    policy: UrlPolicy,
}

impl HttpWebhookSender {
    pub fn new(policy: UrlPolicy) -> Self {
        Self::with_resolver(policy, SystemResolver)
    }

    pub fn with_resolver<R: HostResolver>(policy: UrlPolicy, resolver: R) -> Self {
        Self::with_timeout(policy, resolver, WEBHOOK_TIMEOUT)
    }

    pub fn with_timeout<R: HostResolver>(
        policy: UrlPolicy,
        resolver: R,
        timeout: Duration,
    ) -> Self {
        let http = LazyHttp::new(move || {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .dns_resolver(Arc::new(GuardedResolver::new(resolver.clone(), policy)))
                .user_agent("pailflow-webhooks/1")
        });
        Self { http, policy }
    }
}

fn blocked_in_chain(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(blocked) = s.downcast_ref::<BlockedAddress>() {
            return Some(blocked.to_string());
        }
        source = s.source();
    }
    None
}

impl WebhookSender for HttpWebhookSender {
    async fn post(
        &self,
        url: &WebhookUrl,
        headers: &[(String, String)],
        body: &str,
    ) -> PostOutcome {
        // IP literals never reach the resolver: check them here, under the current policy.
        if let Some(host) = url.as_url().host() {
            let literal = match host {
                url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
                url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
                url::Host::Domain(_) => None,
            };
            if let Some(why) = literal.and_then(|ip| self.policy.refuses(ip)) {
                return PostOutcome::Blocked(format!("{url} points to {why}"));
            }
        }
        let mut request = self
            .http
            .get()
            .post(url.as_url().clone())
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let started = Instant::now();
        let outcome = match request.body(body.to_owned()).send().await {
            Ok(response) => PostOutcome::Answered(response.status().as_u16()),
            Err(e) if e.is_timeout() => PostOutcome::TimedOut,
            Err(e) => match blocked_in_chain(&e) {
                Some(why) => PostOutcome::Blocked(why),
                // "error sending request" alone says nothing; the causes say what happened.
                None => PostOutcome::Failed(Chain(&e).to_string()),
            },
        };
        tracing::debug!(
            ?outcome,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "webhook post"
        );
        outcome
    }
}
