//! Webhook delivery over HTTPS with the SSRF guard applied where it cannot be bypassed: the
//! resolver refuses names that resolve to internal addresses, IP literals are checked before
//! connecting, redirects are never followed, and no proxy is used.

use app::ports::{HostResolver, PostOutcome, WebhookSender};
use domain::net::UrlPolicy;
use domain::WebhookUrl;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Raised by the resolver when a name resolves to an address the policy refuses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {why}, which is not allowed")]
pub struct BlockedAddress {
    host: String,
    why: &'static str,
}

/// A resolver that answers only with addresses the policy allows.
#[derive(Clone)]
pub struct GuardedResolver<R = SystemResolver> {
    inner: R,
    policy: UrlPolicy,
}

/// The system resolver (getaddrinfo through tokio): the [`HostResolver`] of every function.
#[derive(Clone, Default)]
pub struct SystemResolver;

impl HostResolver for SystemResolver {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(tokio::net::lookup_host((host, 0))
            .await?
            .map(|a| a.ip())
            .collect())
    }
}

impl<R: HostResolver> GuardedResolver<R> {
    pub fn new(inner: R, policy: UrlPolicy) -> Self {
        Self { inner, policy }
    }
}

impl<R: HostResolver> Resolve for GuardedResolver<R> {
    fn resolve(&self, name: Name) -> Resolving {
        let (inner, policy) = (self.inner.clone(), self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let ips = inner.lookup(&host).await?;
            if let Some(why) = ips.iter().find_map(|ip| policy.refuses(*ip)) {
                return Err(
                    Box::new(BlockedAddress { host, why }) as Box<dyn StdError + Send + Sync>
                );
            }
            let addrs: Addrs = Box::new(
                ips.into_iter()
                    .map(|ip| SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            Ok(addrs)
        })
    }
}

#[derive(Clone)]
pub struct HttpWebhookSender {
    http: super::LazyHttp,
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
        let http = super::LazyHttp::new(move || {
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

/// "error sending request" alone says nothing; the causes say what happened.
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
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
                None => PostOutcome::Failed(error_chain(&e)),
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
