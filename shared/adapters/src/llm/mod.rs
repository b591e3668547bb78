//! Optional LLM insights: an OpenAI-compatible chat-completions endpoint ([`openai`]) or
//! Amazon Bedrock Converse ([`bedrock`]). The model is asked for one JSON object
//! ([`prompt`]); its answer is validated; any failure (timeout, 429/5xx after bounded
//! retries, malformed JSON) falls back to the built-in engine's result, with
//! `insights_error` saying why ([`engine`]). Speaker statistics and duration always come
//! from the built-in engine: they are counted, not guessed.

mod bedrock;
mod engine;
mod openai;
mod prompt;

pub use bedrock::BedrockChat;
pub use engine::LlmInsights;
pub use openai::{OpenAiChat, OpenAiConfig};

use app::errors::BoxError;
use app::ports::{InsightsEngine, InsightsRequest};
use domain::insights::Analysis;
use domain::Transcript;
use insights::BuiltinEngine;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the model did not answer within {0} s")]
    Timeout(u64),
    #[error("the model endpoint answered HTTP {status}: {detail}")]
    Http { status: u16, detail: String },
    #[error("the model could not be reached")]
    Unreachable(#[source] BoxError),
    #[error("the model's answer is not the JSON asked for: {0}")]
    Invalid(String),
    #[error("the model's answer is not the JSON asked for")]
    Malformed(#[source] serde_json::Error),
    #[error("the request to the model could not be built")]
    Request(#[source] BoxError),
}

/// The end of every `insights_error` of a model failure.
const FALLBACK: &str = "the built-in engine's insights are shown.";

impl LlmError {
    /// What the customer reads in `insights_error`: a stable code and sentence. The cause
    /// (status, the provider's text, its URL) goes to the log only.
    pub fn customer_message(&self) -> String {
        let (code, what) = self.code_and_sentence();
        format!("{code}: {what}; {FALLBACK}")
    }

    /// The stable code alone (`insights_model_timeout`, …): the `LlmFallbacks` metric's.
    pub fn code(&self) -> &'static str {
        self.code_and_sentence().0
    }

    fn code_and_sentence(&self) -> (&'static str, &'static str) {
        match self {
            LlmError::Timeout(_) => (
                "insights_model_timeout",
                "The insights model did not answer in time",
            ),
            LlmError::Http { status, .. } if *status == 429 || *status >= 500 => (
                "insights_model_unavailable",
                "The insights model was unavailable",
            ),
            LlmError::Http { .. } => (
                "insights_model_refused",
                "The insights model refused the request",
            ),
            LlmError::Unreachable(_) => (
                "insights_model_unreachable",
                "The insights model could not be reached",
            ),
            LlmError::Invalid(_) | LlmError::Malformed(_) => (
                "insights_model_invalid_answer",
                "The insights model's answer was not usable",
            ),
            LlmError::Request(_) => (
                "insights_model_request",
                "The request to the insights model could not be made",
            ),
        }
    }

    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            LlmError::Http { status, .. } => *status == 429 || *status >= 500,
            LlmError::Unreachable(_) => true,
            LlmError::Timeout(_)
            | LlmError::Invalid(_)
            | LlmError::Malformed(_)
            | LlmError::Request(_) => false,
        }
    }
}

/// A chat model: one system prompt, one user message, one text answer.
pub trait ChatModel: Send + Sync {
    fn name(&self) -> &str;
    fn complete(
        &self,
        system: &str,
        user: &str,
    ) -> impl Future<Output = Result<String, LlmError>> + Send;
}

/// Which engine the pipeline uses (`INSIGHTS_PROVIDER`, read by the pipeline's settings).
#[derive(Clone, Debug)]
pub enum InsightsProvider {
    Builtin,
    OpenAi(OpenAiConfig),
    Bedrock { model_id: String, timeout: Duration },
}

/// The engine chosen by configuration (`INSIGHTS_PROVIDER`).
pub enum ConfiguredInsights {
    Builtin(BuiltinEngine),
    OpenAi(LlmInsights<OpenAiChat>),
    Bedrock(LlmInsights<BedrockChat>),
}

impl InsightsEngine for ConfiguredInsights {
    async fn analyze(&self, transcript: &Transcript, request: &InsightsRequest<'_>) -> Analysis {
        match self {
            ConfiguredInsights::Builtin(e) => e.analyze(transcript),
            ConfiguredInsights::OpenAi(e) => e.analyze(transcript, request).await,
            ConfiguredInsights::Bedrock(e) => e.analyze(transcript, request).await,
        }
    }
}

impl ConfiguredInsights {
    /// The engine of `provider`; the Bedrock client is built only when it is chosen.
    pub fn new(provider: InsightsProvider, aws: &aws_types::SdkConfig) -> Self {
        match provider {
            InsightsProvider::Builtin => Self::Builtin(BuiltinEngine::new()),
            InsightsProvider::OpenAi(config) => {
                Self::OpenAi(LlmInsights::new(OpenAiChat::new(config)))
            }
            InsightsProvider::Bedrock { model_id, timeout } => {
                Self::Bedrock(LlmInsights::new(BedrockChat::new(aws, model_id, timeout)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
