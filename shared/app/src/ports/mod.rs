//! The small traits the handlers are generic over. Each has one real adapter in the
//! `adapters` crate and an in-memory implementation for unit tests ([`crate::testing`]).
//! Every error here keeps its cause (`#[source]`); [`crate::errors::Chain`] prints it.

mod account_settings;
mod accounts;
mod api_keys;
mod bot_runtime;
mod deliveries;
mod insights;
mod mailer;
mod queue;
mod reruns;
mod resolver;
mod sessions;
mod transcripts;
mod webhook_sender;

pub use account_settings::{AccountSettings, AccountSettingsStore};
pub use accounts::Accounts;
pub use api_keys::{ApiKeyStore, KeyCreated};
pub use bot_runtime::{BotRuntime, RuntimeError, StartBot, StartFailure, StopOutcome};
pub use deliveries::{Claim, DeliveryStore, EmailQuota, EmailSlot, WebhookSlot};
pub use insights::{InsightsEngine, InsightsRequest};
pub use mailer::{MailError, Mailer, OutgoingEmail};
pub use queue::{PipelineQueue, QueueError, MAX_SQS_DELAY};
pub use reruns::{RerunDone, Reruns};
pub use resolver::HostResolver;
pub use sessions::{
    Admission, CreateOutcome, Finish, IdempotencyClaim, RecordExit, SessionStore, SessionView,
    Timeline,
};
pub use transcripts::TranscriptStore;
pub use webhook_sender::{PostOutcome, WebhookSender};

use crate::errors::BoxError;

/// The table did not answer as expected. Logged with its cause; a customer sees only a
/// generic 500 (or the message comes back later).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Network, throttling, a 5xx: worth another try.
    #[error("{operation} failed")]
    Unavailable {
        operation: &'static str,
        #[source]
        source: BoxError,
    },
    /// The write is larger than the store accepts (DynamoDB's 400 KB item): retrying
    /// will not help; the caller stores less or refuses.
    #[error("{operation} is too large to store")]
    TooLarge {
        operation: &'static str,
        #[source]
        source: BoxError,
    },
    /// What is stored cannot be read back (a bug or a hand edit): retrying will not help.
    #[error("stored {what} is corrupt")]
    Corrupt {
        what: &'static str,
        #[source]
        source: BoxError,
    },
}

impl StoreError {
    pub fn unavailable(operation: &'static str, source: impl Into<BoxError>) -> Self {
        StoreError::Unavailable {
            operation,
            source: source.into(),
        }
    }

    pub fn too_large(operation: &'static str, source: impl Into<BoxError>) -> Self {
        StoreError::TooLarge {
            operation,
            source: source.into(),
        }
    }

    pub fn corrupt(what: &'static str, source: impl Into<BoxError>) -> Self {
        StoreError::Corrupt {
            what,
            source: source.into(),
        }
    }
}

/// Everything the handlers need of the table, as one bound.
pub trait Store: Accounts + SessionStore + TranscriptStore + DeliveryStore + Reruns {}

impl<T: Accounts + SessionStore + TranscriptStore + DeliveryStore + Reruns> Store for T {}
