//! The system tests, one binary: the real handlers and pipeline against the AWS emulator
//! with the real SDK clients, the Pipecat stand-in and the webhook receiver over HTTP
//! (fixtures in `tests/src`), and the local stack end to end. `make test` starts the
//! emulator and the stack first.

mod accounts;
mod api;
mod deletion;
mod deliveries;
mod docs;
mod drift;
mod end_to_end;
mod export;
mod hostile;
mod limits;
mod list;
mod pailflow_webhooks;
mod pipeline;
mod redelivery;
mod secrets;
mod template;
mod timeline;
