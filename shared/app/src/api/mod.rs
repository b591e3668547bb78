//! The HTTP handlers (one per Lambda binary) and their single error mapping.
//!
//! Every handler takes a `lambda_http::Request` and always answers with a response: the
//! errors of every layer become [`ApiError`], and [`error::into_response`] is the only
//! place that turns an error into a body.

mod address;
mod auth;
mod bots;
pub mod console;
pub mod delete_data;
pub mod deliveries;
pub mod error;
pub mod export;
mod http;
pub mod insights;
pub mod join;
pub mod keys;
pub mod list;
pub mod report;
pub mod status;
pub mod stop;
pub mod webhook_endpoint;
pub mod webhook_test;

pub use console::{Asset, ConsoleHandler};
pub use delete_data::DeleteDataHandler;
pub use deliveries::DeliveriesHandler;
pub use error::{ApiError, Flavor};
pub use export::ExportHandler;
pub use insights::InsightsHandler;
pub use join::{JoinHandler, JoinSettings};
pub use keys::KeysHandler;
pub use list::ListHandler;
pub use report::{ReportHandler, MAX_REPORT_BODY_BYTES};
pub use status::StatusHandler;
pub use stop::StopHandler;
pub use webhook_endpoint::WebhookEndpointHandler;
pub use webhook_test::{WebhookTestHandler, WebhookTestSettings};

/// Largest accepted join body. Bodies above it are answered 413 without being parsed.
pub const MAX_JOIN_BODY_BYTES: usize = 64 * 1024;

#[cfg(test)]
mod tests;
