//! Transcript files the stand-in bot can "hear": whatever the insights engine's loader
//! reads (QMSum meetings, exit-report JSON, bare segment arrays).

use shared::domain::Segment;

pub fn load(json: &str) -> Result<Vec<Segment>, String> {
    shared::insights::formats::load_transcript(json)
        .map(|t| t.0)
        .map_err(|e| e.to_string())
}
