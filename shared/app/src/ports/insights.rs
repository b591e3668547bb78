//! The insights engine: the built-in one, or an LLM that falls back to it.

use domain::insights::Analysis;
use domain::Transcript;
use insights::BuiltinEngine;
use std::future::Future;

/// What the customer asked of the insights engine.
#[derive(Clone, Debug, Default)]
pub struct InsightsRequest<'a> {
    pub analysis_prompt: Option<&'a str>,
    pub summary_format_prompt: Option<&'a str>,
}

pub trait InsightsEngine: Send + Sync {
    /// Never fails: a provider failure falls back to the built-in engine and says why in
    /// `Analysis::insights_error`.
    fn analyze(
        &self,
        transcript: &Transcript,
        request: &InsightsRequest<'_>,
    ) -> impl Future<Output = Analysis> + Send;
}

impl InsightsEngine for BuiltinEngine {
    async fn analyze(&self, transcript: &Transcript, _request: &InsightsRequest<'_>) -> Analysis {
        BuiltinEngine::analyze(self, transcript)
    }
}
