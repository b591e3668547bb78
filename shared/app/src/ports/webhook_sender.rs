//! Webhook POSTs to customer endpoints, through the SSRF guard.

use domain::WebhookUrl;
use std::future::Future;

/// The outcome of one webhook POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostOutcome {
    /// The endpoint answered with this status (any status: the caller decides).
    Answered(u16),
    /// No answer within the timeout.
    TimedOut,
    /// The request could not be made (connection refused or reset, DNS failure).
    Failed(String),
    /// The URL resolved to an address the SSRF guard refuses.
    Blocked(String),
}

pub trait WebhookSender: Send + Sync {
    /// POSTs `body` with `headers`; never follows redirects.
    fn post(
        &self,
        url: &WebhookUrl,
        headers: &[(String, String)],
        body: &str,
    ) -> impl Future<Output = PostOutcome> + Send;
}
