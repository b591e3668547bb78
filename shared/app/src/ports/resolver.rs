//! Name resolution (DNS).

use std::future::Future;
use std::net::IpAddr;

/// Join refuses a webhook URL whose host resolves now to an address the policy refuses;
/// the webhook sender resolves through the same port and checks again at send time, so a
/// name that changes its answer later is still refused.
pub trait HostResolver: Send + Sync + Clone + 'static {
    fn lookup(&self, host: &str) -> impl Future<Output = std::io::Result<Vec<IpAddr>>> + Send;
}
