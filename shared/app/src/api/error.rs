//! One error type for the HTTP layer and the one function that turns it into a response.
//! Texts follow PailFlow's and Pipecat Cloud's API documents word for word where they give
//! one (`openapi.yaml` records them).

use super::http::json_response;
use crate::errors::{BoxError, Chain};
use crate::metrics::{record, Metric};
use domain::limits::LimitExceeded;
use domain::{BotId, Phase};
use lambda_http::{Body, Response};
use serde_json::{json, Value};

/// Which contract's error shape to answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// PailFlow: `{"error", "detail", "message"}`.
    PailFlow,
    /// Pipecat Cloud: `{"error", "code"}`.
    Pipecat,
}

/// The operation a 500 happened in; it picks the seed's `detail` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Join,
    Stop,
    Status,
    Report,
    List,
    DeleteData,
    Export,
    Deliveries,
    Redeliver,
    Insights,
    Rerun,
    Keys,
    WebhookEndpoint,
    WebhookTest,
    WebhookSecret,
}

impl Operation {
    /// The operation's name in logs and in the `ServerErrors` metric.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Join => "join",
            Operation::Stop => "stop",
            Operation::Status => "status",
            Operation::Report => "report",
            Operation::List => "list",
            Operation::DeleteData => "delete_data",
            Operation::Export => "export",
            Operation::Deliveries => "deliveries",
            Operation::Redeliver => "redeliver",
            Operation::Insights => "insights",
            Operation::Rerun => "rerun",
            Operation::Keys => "keys",
            Operation::WebhookEndpoint => "webhook_endpoint",
            Operation::WebhookTest => "webhook_test",
            Operation::WebhookSecret => "webhook_secret",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthProblem {
    MissingHeader,
    MalformedHeader,
    InvalidKey,
    InvalidBotSecret,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication failed: {0:?}")]
    Unauthenticated(AuthProblem),
    #[error("bot session {0} not found")]
    NotFound(String),
    #[error("API key {0} not found")]
    KeyNotFound(String),
    #[error("the account has no webhook endpoint")]
    NoWebhookEndpoint,
    #[error("the account holds {limit} API keys, its most")]
    KeyLimit { limit: u32 },
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    #[error("bot session {0} has no transcript yet")]
    NoTranscript(BotId),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("unsupported content type: {0}")]
    UnsupportedMediaType(String),
    #[error("body of {size} bytes exceeds the limit of {limit} bytes")]
    PayloadTooLarge { size: usize, limit: usize },
    #[error("bot {bot_id} has already finished ({phase:?})")]
    Finished { bot_id: BotId, phase: Phase },
    #[error("bot {bot_id} is still running ({phase:?})")]
    Running { bot_id: BotId, phase: Phase },
    /// The bot is there, but what the request names under it is not (a delivery, a version).
    #[error("{0}")]
    Missing(String),
    /// The request conflicts with the bot's state; the sentence says how.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the data of bot {bot_id} was deleted")]
    DataDeleted { bot_id: BotId, at: String },
    #[error("idempotency key reused with a different body")]
    IdempotencyMismatch { key: String },
    #[error("limit {} exceeded", .0.name())]
    LimitExceeded(LimitExceeded),
    #[error("bot {bot_id} could not be started: {detail}")]
    BotStartFailed { bot_id: BotId, detail: String },
    #[error("internal error during {op:?}")]
    Internal {
        op: Operation,
        #[source]
        source: BoxError,
    },
}

impl ApiError {
    pub fn internal(op: Operation, source: impl Into<BoxError>) -> Self {
        ApiError::Internal {
            op,
            source: source.into(),
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            ApiError::Unauthenticated(_) => 401,
            ApiError::NotFound(_) | ApiError::Missing(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::NoTranscript(_) => 404,
            ApiError::KeyNotFound(_) | ApiError::NoWebhookEndpoint => 404,
            ApiError::KeyLimit { .. } => 409,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::InvalidRequest(_) => 400,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::Finished { .. } | ApiError::Running { .. } => 409,
            ApiError::DataDeleted { .. } => 410,
            ApiError::IdempotencyMismatch { .. } => 422,
            ApiError::LimitExceeded(_) => 429,
            ApiError::BotStartFailed { .. } => 502,
            ApiError::Internal { .. } => 500,
        }
    }

    /// `(error code, detail, message)` in the PailFlow vocabulary.
    fn parts(&self) -> (&'static str, String, &'static str) {
        match self {
            ApiError::Unauthenticated(AuthProblem::InvalidBotSecret) => (
                "authentication_error",
                "Bot secret authentication failed.".into(),
                "Only the bot this session started can report its exit.",
            ),
            ApiError::Unauthenticated(_) => (
                "authentication_error",
                "API key authentication failed.".into(),
                "Please verify your API key or contact support.",
            ),
            ApiError::NotFound(id) => (
                "not_found",
                format!("Bot session {id} not found"),
                "The specified bot session does not exist.",
            ),
            ApiError::KeyNotFound(id) => (
                "not_found",
                format!("API key {id} not found"),
                "The specified API key does not exist.",
            ),
            ApiError::NoWebhookEndpoint => (
                "not_found",
                "This account has no webhook endpoint.".into(),
                "Set one with PUT /api/webhook-endpoint.",
            ),
            ApiError::KeyLimit { limit } => (
                "limit_exceeded",
                format!("This account holds {limit} API keys, the most it may; revoke one (DELETE /api/keys/{{key_id}}) before creating another."),
                "The account holds as many API keys as it may.",
            ),
            ApiError::MethodNotAllowed(method) => (
                "method_not_allowed",
                format!("Method {method} is not allowed on this route."),
                "Use a method the API documents for this route.",
            ),
            ApiError::NoTranscript(id) => (
                "not_found",
                format!("Bot session {id} has no transcript yet."),
                "The transcript is available once the bot has left the meeting and its results are processed.",
            ),
            ApiError::Missing(detail) => (
                "not_found",
                detail.clone(),
                "The specified resource does not exist.",
            ),
            ApiError::Conflict(detail) => (
                "conflict",
                detail.clone(),
                "The request conflicts with the bot's current state.",
            ),
            ApiError::InvalidRequest(detail) => (
                "invalid_request",
                detail.clone(),
                "The request was not valid. Check the detail and try again.",
            ),
            ApiError::UnsupportedMediaType(got) => (
                "unsupported_media_type",
                format!("Content-Type must be application/json, got '{got}'."),
                "Send the request body as JSON.",
            ),
            ApiError::PayloadTooLarge { size, limit } => (
                "payload_too_large",
                format!("Request body is {size} bytes; the limit is {limit} bytes."),
                "The request body is too large.",
            ),
            ApiError::Finished { bot_id, phase } => (
                "conflict",
                match phase {
                    Phase::Completed => format!("Bot session {bot_id} has already completed."),
                    Phase::Failed => format!("Bot session {bot_id} has already failed."),
                    _ => format!("Bot session {bot_id} has already left the meeting; its results are being processed."),
                },
                "The bot has already left the meeting.",
            ),
            ApiError::Running { bot_id, phase } => (
                "conflict",
                format!(
                    "Bot session {bot_id} is still running (phase '{}'); this can be done once it has completed or failed.",
                    phase.as_str()
                ),
                "Stop the bot and wait for it to finish, then try again.",
            ),
            ApiError::DataDeleted { bot_id, at } => (
                "gone",
                format!("The data of bot session {bot_id} was deleted at {at}."),
                "The customer deleted this meeting's data; it cannot be read any more.",
            ),
            ApiError::IdempotencyMismatch { key } => (
                "idempotency_error",
                format!("Idempotency-Key '{key}' was already used with a different request body."),
                "Use a new Idempotency-Key for a different request.",
            ),
            ApiError::LimitExceeded(limit) => (
                "limit_exceeded",
                limit.describe(),
                "Too many requests for this account. Try again after the time in Retry-After.",
            ),
            ApiError::BotStartFailed { detail, .. } => (
                "bot_start_failed",
                detail.clone(),
                "The bot could not join the meeting. Please try again.",
            ),
            ApiError::Internal { op, .. } => (
                "server_error",
                match op {
                    Operation::Join => "Failed to start bot. Please try again.",
                    Operation::Stop => "Failed to stop bot. Please try again.",
                    Operation::Status => "Failed to get bot status. Please try again.",
                    Operation::Report => "Failed to record the bot's exit. Please try again.",
                    Operation::List => "Failed to list bots. Please try again.",
                    Operation::DeleteData => "Failed to delete the bot's data. Please try again.",
                    Operation::Export => "Failed to export the transcript. Please try again.",
                    Operation::Deliveries => "Failed to read the deliveries. Please try again.",
                    Operation::Redeliver => "Failed to redeliver. Please try again.",
                    Operation::Insights => "Failed to read the insights. Please try again.",
                    Operation::Rerun => "Failed to start the insights re-run. Please try again.",
                    Operation::Keys => "Failed to manage the API keys. Please try again.",
                    Operation::WebhookEndpoint => {
                        "Failed to manage the webhook endpoint. Please try again."
                    }
                    Operation::WebhookTest => "Failed to send the test event. Please try again.",
                    Operation::WebhookSecret => {
                        "Failed to rotate the webhook secret. Please try again."
                    }
                }
                .into(),
                "An error occurred while processing your request.",
            ),
        }
    }

    /// Fields added to the body beyond the contract's own.
    fn extra(&self) -> Option<(&'static str, Value)> {
        match self {
            ApiError::Unauthenticated(p) => Some((
                "reason",
                json!(match p {
                    AuthProblem::MissingHeader => "Missing Authorization header; expected 'Authorization: Bearer <api key>'.",
                    AuthProblem::MalformedHeader => "Malformed Authorization header; expected exactly one 'Authorization: Bearer <api key>'.",
                    AuthProblem::InvalidKey => "The API key is not valid.",
                    AuthProblem::InvalidBotSecret => "The bot secret is missing or not valid for this bot.",
                }),
            )),
            ApiError::BotStartFailed { bot_id, .. } => Some(("bot_id", json!(bot_id))),
            ApiError::LimitExceeded(limit) => Some(("limit", json!(limit.name()))),
            ApiError::KeyLimit { .. } => Some(("limit", json!("api_keys"))),
            _ => None,
        }
    }
}

/// The one place an error becomes a response. 500s are logged here with their cause and
/// answered without it. Every error body carries `request_id`, API Gateway's id of the
/// request (`http::request_id`): the id a customer quotes, and the one every log line of
/// the request carries. Call it inside the request's span, so its log line has them too.
pub fn into_response(err: &ApiError, flavor: Flavor, request_id: &str) -> Response<Body> {
    let status = err.status_code();
    if let ApiError::Internal { op, .. } = err {
        tracing::error!(op = op.as_str(), error = %Chain(err), "request failed");
        record(Metric::ServerError(op.as_str()));
    } else {
        tracing::info!(status, error = %err, "request refused");
    }
    let (code, detail, message) = err.parts();
    let mut body = match flavor {
        Flavor::PailFlow => json!({ "error": code, "detail": detail, "message": message }),
        Flavor::Pipecat => json!({ "error": detail, "code": code }),
    };
    if let (Flavor::PailFlow, Some((key, value))) = (flavor, err.extra()) {
        body[key] = value;
    }
    body["request_id"] = json!(request_id);
    let mut response = json_response(status, &body);
    if let ApiError::LimitExceeded(limit) = err {
        response.headers_mut().insert(
            "retry-after",
            retry_after(*limit).to_string().parse().expect("digits"),
        );
    }
    if status == 401 {
        let challenge = if flavor == Flavor::PailFlow {
            "Bearer"
        } else {
            "Bearer realm=\"pipecat\""
        };
        response.headers_mut().insert(
            "www-authenticate",
            challenge.parse().expect("static header"),
        );
    }
    response
}

/// Seconds a client should wait: the next minute window for joins; for running bots, a
/// minute (slots free as sessions end, which cannot be predicted).
fn retry_after(limit: LimitExceeded) -> u32 {
    match limit {
        LimitExceeded::JoinsPerMinute {
            retry_after_seconds,
            ..
        }
        | LimitExceeded::TestEventsPerMinute {
            retry_after_seconds,
            ..
        } => retry_after_seconds,
        LimitExceeded::ActiveBots { .. } | LimitExceeded::EmailsPerDay { .. } => 60,
    }
}
