//! Transcript files the tools read: QMSum meetings (the quality benchmark, the demo and the
//! stand-in bot), the exit report the bot writes, or a bare array of segments.

use domain::transcript::{Segment, Transcript};
use insights::{count_words, MS_PER_WORD};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("neither a QMSum meeting, an exit report nor an array of segments")]
    UnknownShape,
}

#[derive(Deserialize)]
struct QmsumTurn {
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    content: String,
}

#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    query: String,
    #[serde(default)]
    answer: String,
}

/// Reads a transcript from any of the supported shapes.
///
/// QMSum turns carry no times, so they get consecutive ones from their word counts at
/// 150 words a minute: durations and talk times then come out as for a real meeting.
pub fn load_transcript(json: &str) -> Result<Transcript, FormatError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    let segments = match value {
        serde_json::Value::Object(mut obj) => {
            if let Some(turns) = obj.remove("meeting_transcripts") {
                return Ok(from_qmsum(serde_json::from_value(turns)?));
            }
            obj.remove("transcript").ok_or(FormatError::UnknownShape)?
        }
        array @ serde_json::Value::Array(_) => array,
        _ => return Err(FormatError::UnknownShape),
    };
    Ok(Transcript(serde_json::from_value::<Vec<Segment>>(
        segments,
    )?))
}

/// The human-written summary of a QMSum meeting: the answer to "Summarize the whole
/// meeting." or, where the file asks it differently ("What was the meeting about?"), to its
/// first general query.
pub fn reference_summary(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Meeting {
        #[serde(default)]
        general_query_list: Vec<Query>,
    }
    let meeting: Meeting = serde_json::from_str(json).ok()?;
    let queries = meeting.general_query_list;
    let chosen = queries
        .iter()
        .find(|q| {
            q.query
                .trim_start()
                .to_lowercase()
                .starts_with("summarize the whole meeting")
        })
        .or_else(|| queries.first())?;
    let answer = chosen.answer.trim();
    (!answer.is_empty()).then(|| answer.to_owned())
}

fn from_qmsum(turns: Vec<QmsumTurn>) -> Transcript {
    let mut at = 0u64;
    let segments = turns
        .into_iter()
        .map(|t| {
            let start_ms = at;
            at += count_words(&t.content) as u64 * MS_PER_WORD;
            Segment {
                speaker: t.speaker,
                text: t.content,
                start_ms,
                end_ms: at,
            }
        })
        .collect();
    Transcript(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qmsum_turns_get_times_from_their_words() {
        let json = r#"{"meeting_transcripts":[{"speaker":"A","content":"Hello there {vocalsound} ."},{"speaker":"B","content":"Hi ."}],
            "general_query_list":[{"query":"Summarize the whole meeting.","answer":" They met. "}]}"#;
        let t = load_transcript(json).unwrap();
        assert_eq!(t.0.len(), 2);
        assert_eq!((t.0[0].start_ms, t.0[0].end_ms), (0, 800));
        assert_eq!((t.0[1].start_ms, t.0[1].end_ms), (800, 1200));
        assert_eq!(reference_summary(json).as_deref(), Some("They met."));
    }

    #[test]
    fn exit_report_and_bare_array_are_read() {
        let seg = r#"[{"speaker":"Ada","text":"Hi","start_ms":5,"end_ms":900}]"#;
        let report = format!(
            r#"{{"exit_reason":"left","ended_at":"2025-01-01T00:00:00Z","transcript":{seg}}}"#
        );
        assert_eq!(load_transcript(&report).unwrap().0[0].end_ms, 900);
        assert_eq!(load_transcript(seg).unwrap().0[0].speaker, "Ada");
    }

    #[test]
    fn other_shapes_are_rejected() {
        assert!(matches!(
            load_transcript(r#"{"foo":1}"#),
            Err(FormatError::UnknownShape)
        ));
        assert!(matches!(
            load_transcript("42"),
            Err(FormatError::UnknownShape)
        ));
        assert!(matches!(load_transcript("{"), Err(FormatError::Json(_))));
        assert_eq!(reference_summary(r#"{"meeting_transcripts":[]}"#), None);
    }
}
