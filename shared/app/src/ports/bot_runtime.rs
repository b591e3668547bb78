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
    /// What the customer is told (the 502's `detail`, the session's `error`, the
    /// `bot_join_failed` webhook): a stable code and sentence. The runtime's own answer,
    /// which may carry its internals, goes to the log only.
    pub fn start_failure(&self) -> StartFailure {
        match self {
            RuntimeError::Refused {
                status: 401 | 403, ..
            } => StartFailure {
                code: "auth_error",
                message: "The bot runtime did not accept the service's credentials.",
            },
            RuntimeError::Refused { status: 404, .. } => StartFailure {
                code: "room_not_found",
                message: "The bot runtime could not find the meeting or the bot to start.",
            },
            RuntimeError::Refused { .. } => StartFailure {
                code: "runtime_refused",
                message: "The bot runtime refused to start the bot.",
            },
            RuntimeError::Failed { .. } => StartFailure {
                code: "runtime_unavailable",
                message: "The bot runtime is unavailable; please try again.",
            },
            RuntimeError::Unreachable(_) => StartFailure {
                code: "runtime_unreachable",
                message: "The bot runtime could not be reached; please try again.",
            },
        }
    }

    /// 5xx, 429, timeouts and connection failures are worth another try; other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, RuntimeError::Refused { .. })
    }
}

/// Why a bot could not be started, as the customer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartFailure {
    /// `auth_error`, `room_not_found`, `runtime_refused`, `runtime_unavailable`,
    /// `runtime_unreachable`.
    pub code: &'static str,
    pub message: &'static str,
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
