//! Transcript files the stand-in bot can "hear": QMSum meetings or exit-report JSON.

use shared::domain::Segment;

pub fn load(json: &str) -> Result<Vec<Segment>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if let Some(turns) = value["meeting_transcripts"].as_array() {
        let mut clock = 0u64;
        return Ok(turns
            .iter()
            .map(|t| {
                let text = t["content"].as_str().unwrap_or_default().to_owned();
                let duration = text.split_whitespace().count() as u64 * 400;
                let segment = Segment {
                    speaker: t["speaker"].as_str().unwrap_or("Speaker").to_owned(),
                    text,
                    start_ms: clock,
                    end_ms: clock + duration,
                };
                clock += duration;
                segment
            })
            .collect());
    }
    let segments = value.get("transcript").cloned().unwrap_or(value);
    serde_json::from_value(segments).map_err(|e| e.to_string())
}
