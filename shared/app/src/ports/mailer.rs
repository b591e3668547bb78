//! Email (SES): one composed message, sent once per claim.

use crate::errors::SharedError;
use domain::BotId;
use std::future::Future;

/// A composed email, ready for the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub bot_id: BotId,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message (unverified sender, invalid recipient...): final.
    #[error("rejected: {0}")]
    Rejected(String),
    /// Throttling, 5xx, network: worth another try.
    #[error("temporarily unavailable")]
    Transient(#[source] SharedError),
}

pub trait Mailer: Send + Sync {
    /// Sends the email; returns the provider's message id.
    fn send(&self, email: &OutgoingEmail)
        -> impl Future<Output = Result<String, MailError>> + Send;
}
