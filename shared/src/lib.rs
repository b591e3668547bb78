//! The meeting-bot backend as a library. The Lambda binaries in `functions/` only wire
//! configuration and AWS clients to the handlers that live here.
//!
//! - [`domain`]: pure types and rules (ids, keys, sessions, transcripts, insights model).
//! - [`ports`]: the small traits the handlers are generic over.
//! - [`adapters`]: one module per real system (DynamoDB, SQS, SES, webhooks, Pipecat Cloud).
//! - [`api`]: the HTTP handlers and their single error mapping.
//! - [`pipeline`]: the SQS consumer that finishes a meeting.
//! - [`insights`]: the built-in, offline insights engine.

pub mod adapters;
pub mod api;
pub mod config;
pub mod domain;
pub mod insights;
pub mod pipeline;
pub mod ports;
pub mod telemetry;

/// In-memory ports: unit tests and the handler benches only, never a running system.
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

// The binaries build on these; re-exported so each needs only `shared` and `tokio`.
pub use aws_lambda_events;
pub use lambda_http;
pub use lambda_runtime;
