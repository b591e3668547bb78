//! In-memory implementations of the ports, for unit tests and the handler benches only
//! (feature `test-support`), never a running system.

mod fakes;
mod store;

pub use fakes::*;
pub use store::MemStore;
