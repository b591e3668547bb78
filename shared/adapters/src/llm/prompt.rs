//! What the model is asked (the system prompt with the customer's instructions, the
//! transcript, cut at a line end when too long) and how its answer is checked.

use super::LlmError;
use app::ports::InsightsRequest;
use domain::insights::ActionItem;
use domain::Transcript;
use serde::Deserialize;
use serde_json::Value;

/// Longest transcript text sent to a model (about 60,000 tokens); longer meetings are cut
/// at a line end and the prompt says so.
const MAX_TRANSCRIPT_CHARS: usize = 240_000;

/// What the model must answer with.
#[derive(Debug, Deserialize)]
pub(super) struct ModelAnswer {
    pub(super) summary: String,
    #[serde(default)]
    pub(super) action_items: Vec<ActionItem>,
    #[serde(default)]
    pub(super) decisions: Vec<String>,
    #[serde(default)]
    pub(super) topics: Vec<String>,
    #[serde(default)]
    pub(super) qa_pairs: Vec<ModelQa>,
    /// Checked one by one ([`ModelAnswer::score`]): a missing or malformed one is replaced
    /// by the built-in engine's, without refusing the rest of the answer.
    #[serde(default)]
    overall_score: Value,
    #[serde(default)]
    strengths: Value,
    #[serde(default)]
    weaknesses: Value,
}

/// The longest list of strengths or weaknesses, and the longest sentence in one, a model may
/// give.
const MAX_POINTS: usize = 10;
const MAX_POINT_CHARS: usize = 300;

/// The model's meeting score, strengths and weaknesses, each `None` when missing or not as
/// asked.
#[derive(Debug, Default, PartialEq)]
pub(super) struct ModelScore {
    pub(super) overall_score: Option<f64>,
    pub(super) strengths: Option<Vec<String>>,
    pub(super) weaknesses: Option<Vec<String>>,
}

impl ModelAnswer {
    pub(super) fn score(&self) -> ModelScore {
        let (low, high) = domain::insights::SCORE_RANGE;
        ModelScore {
            overall_score: self
                .overall_score
                .as_f64()
                .filter(|s| (low..=high).contains(s))
                .map(|s| (s * 10.0).round() / 10.0),
            strengths: points(&self.strengths),
            weaknesses: points(&self.weaknesses),
        }
    }
}

/// A list of at most `MAX_POINTS` short, non-empty sentences.
fn points(value: &Value) -> Option<Vec<String>> {
    let items = value.as_array().filter(|a| a.len() <= MAX_POINTS)?;
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.chars().count() <= MAX_POINT_CHARS)
                .map(str::to_owned)
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub(super) struct ModelQa {
    pub(super) question: String,
    pub(super) answer: String,
}

/// Parses and validates the model's answer (a bare object, or one inside a ```json fence).
pub(super) fn parse_answer(text: &str) -> Result<ModelAnswer, LlmError> {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(trimmed)
        .trim();
    let answer: ModelAnswer = serde_json::from_str(body).map_err(LlmError::Malformed)?;
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

pub(super) fn prompts(transcript: &Transcript, request: &InsightsRequest<'_>) -> (String, String) {
    let mut system = String::from(
        "You analyse meeting transcripts. Answer with one JSON object and nothing else, with keys: \
         \"summary\" (string), \"action_items\" (array of {\"task\", \"owner\" or null, \"due\" or null}), \
         \"decisions\" (array of strings), \"topics\" (array of short strings), \
         \"qa_pairs\" (array of {\"question\", \"answer\"} for questions asked and answered in the meeting), \
         \"overall_score\" (a number from 0 to 10: how effective the meeting was, judged as the analysis \
         instructions ask when there are any), \
         \"strengths\" and \"weaknesses\" (arrays of at most 5 short sentences each, every one naming what it \
         measured and its number, such as \"Dana spoke 61% of the time\" or \"3 of 7 questions were not answered\", \
         and quoting the transcript where it helps the reader find it). \
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
        format!(
            "Transcript (the first part of a longer meeting):\n{}",
            first_part(&text, MAX_TRANSCRIPT_CHARS)
        )
    } else {
        format!("Transcript:\n{text}")
    };
    (system, user)
}

/// At most `max` bytes of `text`, cut after the last whole line; in a single long line,
/// after the last whole sentence; failing that, after the last whole word.
fn first_part(text: &str, max: usize) -> &str {
    let head = &text[..text.floor_char_boundary(max)];
    let sentence_end = |h: &str| {
        h.rmatch_indices(['.', '?', '!'])
            .find(|(i, _)| h[i + 1..].starts_with(char::is_whitespace))
            .map(|(i, _)| i + 1)
    };
    let cut = head
        .rfind('\n')
        .filter(|&i| i > 0)
        .or_else(|| sentence_end(head))
        .or_else(|| head.rfind(char::is_whitespace))
        .unwrap_or(head.len());
    &head[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_strengths_and_weaknesses_are_checked_one_by_one() {
        let answer = parse_answer(
            r#"{"summary": "S", "overall_score": 7.46, "strengths": ["Bob answered 4 of 4 questions"], "weaknesses": "none"}"#,
        )
        .unwrap();
        assert_eq!(
            answer.score(),
            ModelScore {
                overall_score: Some(7.5),
                strengths: Some(vec!["Bob answered 4 of 4 questions".into()]),
                weaknesses: None,
            }
        );
        for bad in [
            r#"{"summary": "S", "overall_score": 11, "strengths": [""], "weaknesses": [1]}"#,
            r#"{"summary": "S", "overall_score": "8", "strengths": null}"#,
            r#"{"summary": "S", "overall_score": -1, "strengths": ["a","b","c","d","e","f","g","h","i","j","k"]}"#,
        ] {
            assert_eq!(
                parse_answer(bad).unwrap().score(),
                ModelScore::default(),
                "{bad}"
            );
        }
        let long = format!(
            r#"{{"summary": "S", "weaknesses": ["{}"]}}"#,
            "x".repeat(301)
        );
        assert_eq!(parse_answer(&long).unwrap().score().weaknesses, None);
    }

    #[test]
    fn a_long_transcript_is_cut_after_a_whole_line() {
        let text = "Ada: one.\nBob: two two.\nAda: three three three.";
        assert_eq!(first_part(text, 30), "Ada: one.\nBob: two two.");
    }

    #[test]
    fn a_single_long_line_is_cut_after_a_whole_sentence_not_to_nothing() {
        let text = "Ada: We ship on Friday. The build is green! Is it? Yes it is and more";
        assert_eq!(
            first_part(text, 55),
            "Ada: We ship on Friday. The build is green! Is it?"
        );
        let words = "Ada: no punctuation at all in this very long turn";
        assert_eq!(first_part(words, 20), "Ada: no punctuation");
        assert_eq!(first_part("abcdefghij", 4), "abcd");
    }
}
