//! Name resolution with the SSRF guard: the system resolver behind the [`HostResolver`]
//! port, and a reqwest resolver that answers only with addresses the policy allows, so a
//! webhook can never be sent to an internal address however its name resolves.

use app::ports::HostResolver;
use domain::net::UrlPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};

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
