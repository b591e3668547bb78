//! The adapters: one module per real system, each implementing a port of `app` with the
//! real client, built once per container and shared across invocations; and what each
//! function needs at init: [`settings`], [`telemetry`], the [`aws`] configuration.
//!
//! - [`dynamodb`]: the store ports on one table.
//! - [`sqs`]: the pipeline queue. [`ses`]: email.
//! - [`pipecat`]: the bot runtime (Pipecat Cloud's REST API).
//! - [`http_webhooks`] and [`dns`]: webhook POSTs behind the SSRF guard.
//! - [`llm`]: OpenAI-compatible and Bedrock insights, falling back to the built-in engine.
//! - [`secrets`]: the credentials, read once at init; [`kms`]: the key webhook signing
//!   secrets are encrypted under.

pub mod aws;
pub mod dns;
pub mod dynamodb;
mod http_client;
pub mod http_webhooks;
pub mod kms;
pub mod llm;
pub mod parameters;
pub mod pipecat;
pub mod secrets;
pub mod ses;
pub mod settings;
pub mod sqs;
pub mod telemetry;
pub mod xray;

pub use http_client::install_crypto_provider;
