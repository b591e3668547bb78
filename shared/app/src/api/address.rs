//! The send-time rule applied at request time too: a webhook URL whose name resolves to an
//! address the policy refuses is refused when it is given (join, redelivery), not only when
//! the first delivery is attempted.

use crate::ports::HostResolver;
use domain::net::UrlPolicy;
use domain::WebhookUrl;
use std::time::Duration;

/// `Some(reason)` when the webhook URL's host resolves now to an address the policy
/// refuses. A name that does not resolve (yet) is accepted here: the sender resolves it
/// again, through the same guard, at every attempt.
pub(super) async fn resolved_address_refusal<D: HostResolver>(
    resolver: &D,
    url: &WebhookUrl,
    policy: UrlPolicy,
) -> Option<String> {
    let host = url
        .as_url()
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None; // literals were checked when the URL was parsed
    }
    let lookup = tokio::time::timeout(Duration::from_secs(2), resolver.lookup(host));
    let ips = lookup.await.ok()?.ok()?;
    ips.iter()
        .find_map(|ip| policy.refuses(*ip))
        .map(|why| format!("resolves to {why}, which is not allowed"))
}
