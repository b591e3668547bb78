//! Developer commands and the local stack's servers: bootstrap of the emulator from the
//! SAM template, API keys, the Pipecat Cloud stand-in, the webhook receiver, the SQS event
//! source for the pipeline function, and the end-to-end demo.

pub mod bench;
pub mod bootstrap;

pub mod demo;
pub mod event_source;
pub mod fault_proxy;
pub mod insights_cmd;

pub mod load;
pub mod local;
pub mod mailbox;

pub mod meeting;
pub mod receiver;
pub mod runtime_api;
pub mod standin;
pub mod transcript_files;
