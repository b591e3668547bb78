//! The application layer: what the service does, with no AWS SDK in sight.
//!
//! - [`ports`]: the small traits the handlers are generic over; `adapters` implements them
//!   with the real systems, [`testing`] in memory for unit tests.
//! - [`api`]: the HTTP handlers (one per Lambda binary) and their single error mapping.
//! - [`pipeline`]: the SQS consumer that makes a bot leave, finishes its session and tells
//!   the customer, exactly once.
//! - [`lifecycle`]: steps both share; [`retry`]: the one retry helper; [`errors`]: causes.
//! - [`metrics`]: the business metrics an operator alarms on.

pub mod api;
pub mod errors;
pub mod lifecycle;
pub mod metrics;
pub mod pipeline;
pub mod ports;
pub mod retry;

/// In-memory ports: unit tests and the handler benches only, never a running system.
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
