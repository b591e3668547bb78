//! Optional LLM insights: an OpenAI-compatible chat-completions endpoint or Amazon Bedrock
//! (Converse). The model is asked for one JSON object; its answer is validated; any failure
//! (timeout, 429/5xx after bounded retries, malformed JSON) falls back to the built-in
//! engine's result, with `insights_error` saying why. Speaker statistics and duration always
//! come from the built-in engine: they are counted, not guessed.

use app::ports::{InsightsEngine, InsightsRequest};
use domain::insights::{ActionItem, Analysis, Insights, QaPair};
use domain::Transcript;
use insights::BuiltinEngine;
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::time::Duration;

/// Longest transcript text sent to a model (about 60,000 tokens); longer meetings are cut
/// at a line end and the prompt says so.
const MAX_TRANSCRIPT_CHARS: usize = 240_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LlmError {
    #[error("the model did not answer within {0} s")]
    Timeout(u64),
    #[error("the model endpoint answered HTTP {status}: {detail}")]
    Http { status: u16, detail: String },
    #[error("the model could not be reached: {0}")]
    Unreachable(String),
    #[error("the model's answer is not the JSON asked for: {0}")]
    Invalid(String),
}

impl LlmError {
    fn is_retryable(&self) -> bool {
        match self {
            LlmError::Http { status, .. } => *status == 429 || *status >= 500,
            LlmError::Unreachable(_) => true,
            LlmError::Timeout(_) | LlmError::Invalid(_) => false,
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

#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub timeout: Duration,
}

#[derive(Clone)]
pub struct OpenAiChat {
    http: super::LazyHttp,
    config: std::sync::Arc<OpenAiConfig>,
}

impl OpenAiChat {
    pub fn new(config: OpenAiConfig) -> Self {
        let timeout = config.timeout;
        let http = super::LazyHttp::new(move || {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(5))
        });

        Self {
            http,
            config: std::sync::Arc::new(config),
        }
    }
}

impl ChatModel for OpenAiChat {
    fn name(&self) -> &str {
        &self.config.model
    }

    async fn complete(&self, system: &str, user: &str) -> Result<String, LlmError> {
        let body = json!({
            "model": self.config.model,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        });
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .get()
            .post(url)
            .bearer_auth(&self.config.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    LlmError::Timeout(self.config.timeout.as_secs())
                } else {
                    LlmError::Unreachable(e.to_string())
                }
            })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| {
            if e.is_timeout() {
                LlmError::Timeout(self.config.timeout.as_secs())
            } else {
                LlmError::Unreachable(e.to_string())
            }
        })?;
        if !(200..300).contains(&status) {
            return Err(LlmError::Http {
                status,
                detail: text.chars().take(200).collect(),
            });
        }
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| LlmError::Invalid(format!("response body: {e}")))?;
        value["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                LlmError::Invalid("no choices[0].message.content in the response".into())
            })
    }
}

#[derive(Clone)]
pub struct BedrockChat {
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
    timeout: Duration,
}

impl BedrockChat {
    pub fn new(aws: &aws_config::SdkConfig, model_id: String, timeout: Duration) -> Self {
        Self {
            client: aws_sdk_bedrockruntime::Client::new(aws),
            model_id,
            timeout,
        }
    }
}

impl ChatModel for BedrockChat {
    fn name(&self) -> &str {
        &self.model_id
    }

    async fn complete(&self, system: &str, user: &str) -> Result<String, LlmError> {
        use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
        use aws_sdk_bedrockruntime::types::{
            ContentBlock, ConversationRole, ConverseOutput, InferenceConfiguration, Message,
            SystemContentBlock,
        };
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(user.to_owned()))
            .build()
            .map_err(|e| LlmError::Invalid(e.to_string()))?;
        let call = self
            .client
            .converse()
            .model_id(&self.model_id)
            .system(SystemContentBlock::Text(system.to_owned()))
            .messages(message)
            .inference_config(
                InferenceConfiguration::builder()
                    .max_tokens(4000)
                    .temperature(0.2)
                    .build(),
            )
            .send();
        let output = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| LlmError::Timeout(self.timeout.as_secs()))?
            .map_err(|e| {
                let code = e
                    .as_service_error()
                    .and_then(|s| s.code())
                    .unwrap_or("")
                    .to_owned();
                let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
                if status == 0 {
                    LlmError::Unreachable(crate::sdk_message(&e))
                } else {
                    LlmError::Http {
                        status,
                        detail: code,
                    }
                }
            })?;
        match output.output {
            Some(ConverseOutput::Message(m)) => m
                .content
                .into_iter()
                .find_map(|c| match c {
                    ContentBlock::Text(t) => Some(t),
                    _ => None,
                })
                .ok_or_else(|| LlmError::Invalid("the answer has no text".into())),
            _ => Err(LlmError::Invalid("the answer has no message".into())),
        }
    }
}

/// What the model must answer with.
#[derive(Debug, Deserialize)]
struct ModelAnswer {
    summary: String,
    #[serde(default)]
    action_items: Vec<ActionItem>,
    #[serde(default)]
    decisions: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    qa_pairs: Vec<ModelQa>,
}

#[derive(Debug, Deserialize)]
struct ModelQa {
    question: String,
    answer: String,
}

/// Parses and validates the model's answer (a bare object, or one inside a ```json fence).
fn parse_answer(text: &str) -> Result<ModelAnswer, LlmError> {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(trimmed)
        .trim();
    let answer: ModelAnswer =
        serde_json::from_str(body).map_err(|e| LlmError::Invalid(e.to_string()))?;
    if answer.summary.trim().is_empty() {
        return Err(LlmError::Invalid("the summary is empty".into()));
    }
    if answer.summary.len() > 20_000
        || answer.action_items.len() > 100
        || answer.qa_pairs.len() > 100
    {
        return Err(LlmError::Invalid("the answer is implausibly long".into()));
    }
    Ok(answer)
}

fn prompts(transcript: &Transcript, request: &InsightsRequest<'_>) -> (String, String) {
    let mut system = String::from(
        "You analyse meeting transcripts. Answer with one JSON object and nothing else, with keys: \
         \"summary\" (string), \"action_items\" (array of {\"task\", \"owner\" or null, \"due\" or null}), \
         \"decisions\" (array of strings), \"topics\" (array of short strings), \
         \"qa_pairs\" (array of {\"question\", \"answer\"} for questions asked and answered in the meeting). \
         Use only what the transcript says.",
    );
    if let Some(p) = request.analysis_prompt {
        system.push_str("\nAnalysis instructions from the customer: ");
        system.push_str(p);
    }
    if let Some(p) = request.summary_format_prompt {
        system.push_str("\nFormat the summary as follows: ");
        system.push_str(p);
    }
    let text = transcript.to_text();
    let user = if text.len() > MAX_TRANSCRIPT_CHARS {
        let cut = text[..text.floor_char_boundary(MAX_TRANSCRIPT_CHARS)]
            .rfind('\n')
            .unwrap_or(0);
        format!(
            "Transcript (the first part of a longer meeting):\n{}",
            &text[..cut]
        )
    } else {
        format!("Transcript:\n{text}")
    };
    (system, user)
}

pub struct LlmInsights<C> {
    model: C,
    builtin: BuiltinEngine,
    retries: u32,
    backoff: Duration,
}

impl<C: ChatModel> LlmInsights<C> {
    pub fn new(model: C) -> Self {
        Self {
            model,
            builtin: BuiltinEngine::new(),
            retries: 2,
            backoff: Duration::from_millis(500),
        }
    }

    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    async fn ask(
        &self,
        transcript: &Transcript,
        request: &InsightsRequest<'_>,
    ) -> Result<ModelAnswer, LlmError> {
        let (system, user) = prompts(transcript, request);
        let mut attempt = 0;
        loop {
            match self
                .model
                .complete(&system, &user)
                .await
                .and_then(|t| parse_answer(&t))
            {
                Err(e) if e.is_retryable() && attempt < self.retries => {
                    attempt += 1;
                    tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
                }
                other => return other,
            }
        }
    }
}

impl<C: ChatModel> InsightsEngine for LlmInsights<C> {
    async fn analyze(&self, transcript: &Transcript, request: &InsightsRequest<'_>) -> Analysis {
        let counted = self.builtin.analyze(transcript);
        if transcript.is_empty() {
            return counted;
        }
        match self.ask(transcript, request).await {
            Ok(answer) => {
                let base = counted.insights.unwrap_or_default();
                Analysis {
                    qa_pairs: answer
                        .qa_pairs
                        .into_iter()
                        .map(|q| QaPair {
                            question: q.question,
                            answer: q.answer,
                            asked_by: None,
                            answered_by: None,
                        })
                        .collect(),
                    insights: Some(Insights {
                        summary: answer.summary,
                        action_items: answer.action_items,
                        decisions: answer.decisions,
                        topics: answer.topics,
                        engine: self.model.name().to_owned(),
                        ..base
                    }),
                    insights_error: None,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, model = self.model.name(), "LLM insights failed; using the built-in engine");
                Analysis {
                    insights_error: Some(format!("{e}; the built-in engine's insights are shown")),
                    ..counted
                }
            }
        }
    }
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
    /// `INSIGHTS_PROVIDER`: `builtin` (default), `openai` (`OPENAI_BASE_URL`, `OPENAI_API_KEY`,
    /// `OPENAI_MODEL`) or `bedrock` (`BEDROCK_MODEL_ID`); `LLM_TIMEOUT_SECONDS` bounds each call.
    pub fn from_env(aws: &aws_config::SdkConfig) -> Result<Self, crate::config::ConfigError> {
        use crate::config::{optional, required, seconds, ConfigError};
        let timeout = seconds("LLM_TIMEOUT_SECONDS", 30)?;
        match optional("INSIGHTS_PROVIDER")
            .as_deref()
            .unwrap_or("builtin")
        {
            "builtin" => Ok(Self::Builtin(BuiltinEngine::new())),
            "openai" => Ok(Self::OpenAi(LlmInsights::new(OpenAiChat::new(
                OpenAiConfig {
                    base_url: optional("OPENAI_BASE_URL")
                        .unwrap_or_else(|| "https://api.openai.com/v1".into()),
                    api_key: required("OPENAI_API_KEY")?,
                    model: optional("OPENAI_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
                    timeout,
                },
            )))),
            "bedrock" => Ok(Self::Bedrock(LlmInsights::new(BedrockChat::new(
                aws,
                required("BEDROCK_MODEL_ID")?,
                timeout,
            )))),
            other => Err(ConfigError::Invalid {
                name: "INSIGHTS_PROVIDER",
                why: format!("'{other}' is not builtin, openai or bedrock"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a real local HTTP server speaking the chat-completions protocol.
    use super::*;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::{Json, Router};
    use domain::Segment;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// What the server answers, in order (the last one repeats).
    #[derive(Clone)]
    enum Reply {
        Content(&'static str),
        Status(u16),
        Hang,
    }

    async fn server(replies: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let state = (Arc::new(replies), calls.clone());
        let app = Router::new()
            .route(
                "/v1/chat/completions",
                post(|State((replies, calls)): State<(Arc<Vec<Reply>>, Arc<AtomicUsize>)>, Json(body): Json<Value>| async move {
                    assert!(body["messages"][1]["content"].as_str().unwrap().contains("Transcript"));
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    match replies[n.min(replies.len() - 1)].clone() {
                        Reply::Content(c) => (StatusCode::OK, Json(json!({"choices": [{"message": {"role": "assistant", "content": c}}]}))),
                        Reply::Status(s) => (StatusCode::from_u16(s).unwrap(), Json(json!({"error": {"message": "nope"}}))),
                        Reply::Hang => {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            (StatusCode::OK, Json(json!({})))
                        }
                    }
                }),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}/v1"), calls)
    }

    fn engine(base_url: String) -> LlmInsights<OpenAiChat> {
        let chat = OpenAiChat::new(OpenAiConfig {
            base_url,
            api_key: "k".into(),
            model: "test-model".into(),
            timeout: Duration::from_secs(1),
        });
        LlmInsights::new(chat).with_backoff(Duration::from_millis(10))
    }

    fn transcript() -> Transcript {
        Transcript(vec![
            Segment {
                speaker: "Ada".into(),
                text: "Can we ship Friday?".into(),
                start_ms: 0,
                end_ms: 2000,
            },
            Segment {
                speaker: "Bob".into(),
                text: "Yes, the build is green.".into(),
                start_ms: 2000,
                end_ms: 5000,
            },
        ])
    }

    const GOOD: &str = r#"{"summary":"They agreed to ship on Friday.","action_items":[{"task":"Ship","owner":"Bob","due":"Friday"}],"decisions":["Ship Friday"],"topics":["release"],"qa_pairs":[{"question":"Can we ship Friday?","answer":"Yes."}]}"#;

    #[tokio::test]
    async fn a_good_answer_becomes_the_insights_with_counted_speaker_stats() {
        let (url, _) = server(vec![Reply::Content(GOOD)]).await;
        let request = InsightsRequest {
            analysis_prompt: Some("Focus on risks"),
            summary_format_prompt: Some("One sentence"),
        };
        let a = engine(url).analyze(&transcript(), &request).await;
        assert_eq!(a.insights_error, None);
        let i = a.insights.unwrap();
        assert_eq!(i.summary, "They agreed to ship on Friday.");
        assert_eq!(i.engine, "test-model");
        assert_eq!(i.action_items[0].owner.as_deref(), Some("Bob"));
        assert_eq!(i.speakers.len(), 2, "speaker stats are counted, not asked");
        assert_eq!(a.qa_pairs.len(), 1);
    }

    #[tokio::test]
    async fn a_fenced_answer_is_accepted() {
        let (url, _) = server(vec![Reply::Content(
            "```json\n{\"summary\":\"Short.\"}\n```",
        )])
        .await;
        assert_eq!(
            engine(url)
                .analyze(&transcript(), &InsightsRequest::default())
                .await
                .insights
                .unwrap()
                .summary,
            "Short."
        );
    }

    async fn falls_back(replies: Vec<Reply>, expect: &str) -> usize {
        let (url, calls) = server(replies).await;
        let a = engine(url)
            .analyze(&transcript(), &InsightsRequest::default())
            .await;
        let err = a.insights_error.expect("an error is recorded");
        assert!(err.contains(expect), "{err}");
        let i = a.insights.unwrap();
        assert_eq!(i.engine, "builtin");
        assert!(
            !i.summary.is_empty(),
            "the built-in engine's result stands in"
        );
        calls.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn malformed_json_falls_back_without_retrying() {
        assert_eq!(
            falls_back(
                vec![Reply::Content("Sure! Here is the summary: ...")],
                "not the JSON"
            )
            .await,
            1
        );
        assert_eq!(
            falls_back(
                vec![Reply::Content(r#"{"summary": ""}"#)],
                "summary is empty"
            )
            .await,
            1
        );
    }

    #[tokio::test]
    async fn status_429_and_500_are_retried_a_bounded_number_of_times() {
        assert_eq!(falls_back(vec![Reply::Status(429)], "HTTP 429").await, 3);
        assert_eq!(falls_back(vec![Reply::Status(500)], "HTTP 500").await, 3);
        let (url, calls) = server(vec![Reply::Status(500), Reply::Content(GOOD)]).await;
        let a = engine(url)
            .analyze(&transcript(), &InsightsRequest::default())
            .await;
        assert!(a.insights_error.is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_hang_past_the_timeout_falls_back() {
        let started = std::time::Instant::now();
        assert_eq!(falls_back(vec![Reply::Hang], "within 1 s").await, 1);
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_falls_back() {
        falls_back_to_unreachable().await;
    }

    async fn falls_back_to_unreachable() {
        let a = engine("http://127.0.0.1:9/v1".into())
            .analyze(&transcript(), &InsightsRequest::default())
            .await;
        assert!(a.insights_error.unwrap().contains("could not be reached"));
    }
}
