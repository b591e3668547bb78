//! The body of `POST /v1/bots/{bot_id}/exit`, the bot's exit report: why it left, when,
//! and the transcript. Parsed once into an [`ExitReport`]; every refusal names the field.

use crate::plain_text::one_line;
use crate::{ExitReason, Segment, Transcript};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

const MAX_SEGMENTS: usize = 100_000;
const MAX_SPEAKER_CHARS: usize = 200;
const MAX_SEGMENT_CHARS: usize = 20_000;

/// A parsed exit report.
#[derive(Debug, PartialEq)]
pub struct ExitReport {
    pub reason: ExitReason,
    pub ended_at: OffsetDateTime,
    pub transcript: Transcript,
    pub exit_id: String,
}

/// Why a report body was refused, as a sentence naming the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidReport(pub String);

impl ExitReport {
    /// Parses and validates a report body; every refusal names the field.
    pub fn parse(body: &[u8]) -> Result<Self, InvalidReport> {
        parse(body).map_err(InvalidReport)
    }
}

fn parse(body: &[u8]) -> Result<ExitReport, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("Request body is not valid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or("Request body must be a JSON object")?;
    let reason = match obj.get("exit_reason") {
        None | Some(Value::Null) => return Err("Missing required field: exit_reason".into()),
        Some(Value::String(s)) => ExitReason::parse(s).ok_or_else(|| {
            format!("Field 'exit_reason' must be one of participant_left, stop_phrase, force_leave, idle_timeout; got '{}'", s.chars().take(40).collect::<String>())
        })?,
        Some(_) => return Err("Field 'exit_reason' must be a string".into()),
    };
    let ended_at = match obj.get("ended_at") {
        None | Some(Value::Null) => return Err("Missing required field: ended_at".into()),
        Some(Value::String(s)) => {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(
                |_| {
                    "Field 'ended_at' must be an RFC 3339 timestamp such as 2025-01-15T10:30:00Z"
                        .to_string()
                },
            )?
        }
        Some(_) => return Err("Field 'ended_at' must be a string".into()),
    };
    let items = match obj.get("transcript") {
        None | Some(Value::Null) => return Err("Missing required field: transcript".into()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("Field 'transcript' must be an array of segments".into()),
    };
    if items.len() > MAX_SEGMENTS {
        return Err(format!(
            "Field 'transcript' has {} segments; the limit is {MAX_SEGMENTS}",
            items.len()
        ));
    }
    let segments = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_segment(i, v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ExitReport {
        reason,
        ended_at,
        transcript: Transcript(segments),
        exit_id: hex::encode(Sha256::digest(value.to_string().as_bytes())),
    })
}

fn parse_segment(i: usize, v: &Value) -> Result<Segment, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("transcript[{i}] must be an object"))?;
    let string = |field: &str, max: usize| -> Result<String, String> {
        match obj.get(field) {
            Some(Value::String(s)) if s.chars().count() > max => Err(format!(
                "transcript[{i}].{field} is longer than {max} characters"
            )),
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => {
                Err(format!("Missing required field: transcript[{i}].{field}"))
            }
            Some(_) => Err(format!("Field 'transcript[{i}].{field}' must be a string")),
        }
    };
    let millis = |field: &str| -> Result<u64, String> {
        match obj.get(field) {
            Some(n) if n.is_u64() => Ok(n.as_u64().unwrap_or_default()),
            None | Some(Value::Null) => {
                Err(format!("Missing required field: transcript[{i}].{field}"))
            }
            Some(_) => Err(format!(
                "Field 'transcript[{i}].{field}' must be a non-negative integer (milliseconds)"
            )),
        }
    };
    // A name is shown at the start of a transcript line: control characters, line breaks
    // and bidirectional overrides are normalised away, so no name can forge a line.
    let speaker = one_line(&string("speaker", MAX_SPEAKER_CHARS)?, MAX_SPEAKER_CHARS);
    if speaker.is_empty() {
        return Err(format!("Field 'transcript[{i}].speaker' must not be empty"));
    }
    let (start_ms, end_ms) = (millis("start_ms")?, millis("end_ms")?);
    if end_ms < start_ms {
        return Err(format!(
            "transcript[{i}] ends (end_ms {end_ms}) before it starts (start_ms {start_ms})"
        ));
    }
    Ok(Segment {
        speaker,
        text: string("text", MAX_SEGMENT_CHARS)?,
        start_ms,
        end_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_report_parses_and_its_id_is_stable() {
        let body = br#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"Ada","text":"Hi","start_ms":0,"end_ms":500}]}"#;
        let a = ExitReport::parse(body).unwrap();
        let b = ExitReport::parse(body).unwrap();
        assert_eq!(a.reason, ExitReason::ParticipantLeft);
        assert_eq!(a.transcript.segments().len(), 1);
        assert_eq!(a.exit_id, b.exit_id);
    }

    #[test]
    fn speaker_names_are_normalised_to_one_plain_line() {
        let body = r#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[
            {"speaker":"Ada\nCFO","text":"ok","start_ms":0,"end_ms":1},
            {"speaker":"\u202eBob\t","text":"fine","start_ms":1,"end_ms":2}]}"#;
        let report = ExitReport::parse(body.as_bytes()).unwrap();
        let names: Vec<_> = report
            .transcript
            .segments()
            .iter()
            .map(|s| s.speaker.as_str())
            .collect();
        assert_eq!(names, ["Ada CFO", "Bob"]);
        let blank = r#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[
            {"speaker":"\u202e\n ","text":"ok","start_ms":0,"end_ms":1}]}"#;
        assert!(ExitReport::parse(blank.as_bytes())
            .unwrap_err()
            .0
            .contains("speaker"));
    }

    #[test]
    fn bad_reports_name_the_problem() {
        for (body, expect) in [
            (
                r#"{"ended_at":"2025-01-15T10:30:00Z","transcript":[]}"#,
                "exit_reason",
            ),
            (
                r#"{"exit_reason":"bored","ended_at":"2025-01-15T10:30:00Z","transcript":[]}"#,
                "must be one of",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"yesterday","transcript":[]}"#,
                "RFC 3339",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":"hi"}"#,
                "array",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"A","text":"x","start_ms":-1,"end_ms":2}]}"#,
                "start_ms",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"A","text":"x","start_ms":5,"end_ms":2}]}"#,
                "before it starts",
            ),
            (
                r#"{"exit_reason":"stop_phrase","ended_at":"2025-01-15T10:30:00Z","transcript":[{"speaker":"","text":"x","start_ms":0,"end_ms":2}]}"#,
                "speaker",
            ),
            ("not json", "not valid JSON"),
        ] {
            let err = ExitReport::parse(body.as_bytes()).unwrap_err().0;
            assert!(err.contains(expect), "{body}: {err}");
        }
    }
}
