//! The results model: Q&A pairs and the `insights` object (see `openapi.yaml`, `Insights`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QaPair {
    pub question: String,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub task: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub due: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeakerStats {
    pub speaker: String,
    pub talk_time_seconds: f64,
    pub word_count: u64,
    /// Share of all words spoken, 0..=1.
    pub share: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub summary: String,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
    #[serde(default)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    /// The meeting's most characteristic words, strongest first.
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub speakers: Vec<SpeakerStats>,
    #[serde(default)]
    pub duration_seconds: f64,
    #[serde(default)]
    pub word_count: u64,
    /// Which engine produced these insights (`builtin`, or the LLM model name).
    #[serde(default)]
    pub engine: String,
    /// How effective the meeting was, from 0 to 10 (PailFlow's `overall_score`): computed
    /// from measured signals by the built-in engine (README, "The meeting score"), or
    /// given by the model. Absent from results stored before it existed.
    #[serde(default)]
    pub overall_score: Option<f64>,
    /// What went well, one short sentence each, naming the signal and its number.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// What held the meeting back, one short sentence each, naming the signal and its
    /// number and pointing at the place in the transcript where it can be seen.
    #[serde(default)]
    pub weaknesses: Vec<String>,
}

/// The lowest and highest `overall_score`.
pub const SCORE_RANGE: (f64, f64) = (0.0, 10.0);

/// What the insights step stores for a session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub qa_pairs: Vec<QaPair>,
    pub insights: Option<Insights>,
    /// Why the configured LLM provider was not used, when the built-in engine stood in.
    #[serde(default)]
    pub insights_error: Option<String>,
}
