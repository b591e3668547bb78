//! The bot runtime (Pipecat Cloud or anything speaking its API): starts and stops bots.

use crate::errors::SharedError;
use domain::{BotId, BotSecret};
use std::future::Future;

/// What the bot runtime needs to start a bot.
#[derive(Clone, Debug)]
pub struct StartBot<'a> {
    pub bot_id: BotId,
    pub room_url: &'a str,
    pub token: Option<&'a str>,
    pub provider: &'a str,
    pub bot_config: &'a serde_json::Value,
    /// Where the bot reports its exit, and the secret it authenticates with.
    pub report_url: String,
    pub report_secret: &'a BotSecret,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopOutcome {
    Stopped,
    /// The runtime does not know the session (404): the bot is already gone.
    AlreadyGone,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the bot runtime refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("the bot runtime failed (HTTP {status}): {detail}")]
    Failed { status: u16, detail: String },
    #[error("the bot runtime could not be reached")]
    Unreachable(#[source] SharedError),
}

impl RuntimeError {
    /// 5xx, 429, timeouts and connection failures are worth another try; other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, RuntimeError::Refused { .. })
    }
}

pub trait BotRuntime: Send + Sync {
    /// Starts the bot; returns the runtime's session id.
    fn start(
        &self,
        request: StartBot<'_>,
    ) -> impl Future<Output = Result<String, RuntimeError>> + Send;

    fn stop(
        &self,
        runtime_session_id: &str,
    ) -> impl Future<Output = Result<StopOutcome, RuntimeError>> + Send;
}
