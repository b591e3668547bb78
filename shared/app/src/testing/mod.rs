//! In-memory implementations of the ports, for unit tests and the handler benches only
//! (feature `test-support`), never a running system.

mod fakes;
pub mod metrics;
mod store;

pub use fakes::*;
pub use store::MemStore;
