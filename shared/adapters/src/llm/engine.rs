//! An LLM as the insights engine: ask, validate, retry what is worth retrying, and fall back
//! to the built-in engine with `insights_error` saying why.

use super::prompt::{parse_answer, prompts, ModelAnswer};
use super::{ChatModel, LlmError};
use app::errors::Chain;
use app::metrics::{record, Metric};
use app::ports::{InsightsEngine, InsightsRequest};
use app::retry::run_with_retries;
use domain::insights::{Analysis, Insights, QaPair};
use domain::Transcript;
use insights::BuiltinEngine;
use std::time::Duration;

/// Waits before the second and third tries of a model call that answered 429 or 5xx or
/// could not be reached. A timeout or a malformed answer is not tried again: the meeting
/// would wait minutes for insights the built-in engine gives at once.
const MODEL_SCHEDULE: &[Duration] = &[Duration::from_millis(500), Duration::from_millis(1000)];

pub struct LlmInsights<C> {
    model: C,
    builtin: BuiltinEngine,
    schedule: Vec<Duration>,
}

impl<C: ChatModel> LlmInsights<C> {
    pub fn new(model: C) -> Self {
        Self {
            model,
            builtin: BuiltinEngine::new(),
            schedule: MODEL_SCHEDULE.to_vec(),
        }
    }

    /// Another retry schedule (tests use short waits).
    pub fn with_schedule(mut self, schedule: &[Duration]) -> Self {
        self.schedule = schedule.to_vec();
        self
    }

    async fn ask(
        &self,
        transcript: &Transcript,
        request: &InsightsRequest<'_>,
    ) -> Result<ModelAnswer, LlmError> {
        let (system, user) = prompts(transcript, request);
        run_with_retries(
            || async {
                let text = self.model.complete(&system, &user).await?;
                parse_answer(&text)
            },
            LlmError::is_retryable,
            &self.schedule,
        )
        .await
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
                // Field by field: what the model did not give as asked is the built-in
                // engine's, measured on the same transcript.
                let score = answer.score();
                if score.overall_score.is_none()
                    || score.strengths.is_none()
                    || score.weaknesses.is_none()
                {
                    tracing::info!(model = self.model.name(), ?score, "the model's score is incomplete; the built-in engine's stands in where it is missing");
                }
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
                        overall_score: score.overall_score.or(base.overall_score),
                        strengths: score.strengths.unwrap_or(base.strengths.clone()),
                        weaknesses: score.weaknesses.unwrap_or(base.weaknesses.clone()),
                        ..base
                    }),
                    // The counted statistics may cover only part of a hostile transcript:
                    // the built-in engine's note says so.
                    insights_error: counted.insights_error,
                }
            }
            Err(e) => {
                tracing::warn!(error = %Chain(&e), model = self.model.name(), "LLM insights failed; using the built-in engine");
                record(Metric::LlmFallback(e.code()));
                let error = match &counted.insights_error {
                    Some(partial) => format!("{} {partial}", e.customer_message()),
                    None => e.customer_message(),
                };
                Analysis {
                    insights_error: Some(error),
                    ..counted
                }
            }
        }
    }
}
