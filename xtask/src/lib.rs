//! Developer commands (`cli`) and the local stack's servers: bootstrap of the emulator from
//! the SAM template, API keys, the Pipecat Cloud stand-in, the webhook receiver, the SQS
//! event source for the pipeline function, the end-to-end demo, the email preview, and the
//! reader of the mail the emulator accepted (`mailbox`).

pub mod accounts;
pub mod bench;
pub mod bootstrap;
pub mod cli;
pub mod cost;

pub mod demo;
pub mod email_preview;
pub mod event_source;
pub mod fault_proxy;
pub mod insights_cmd;

pub mod load;
pub mod local;
pub mod mailbox;

pub mod meeting;
pub mod receiver;
pub mod runtime_api;
pub mod seed;
pub mod standin;
pub mod transcript_files;
