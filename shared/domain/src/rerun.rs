//! A re-run of a session's insights (`POST /api/bot/{bot_id}/insights`): the body, the
//! rules for when one may start, and what the session records until it is done.

use crate::join::{optional_string, wrong, JoinRequestError, MAX_PROMPT_CHARS};
use crate::{Phase, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Insights versions a session may have: the first analysis and 19 re-runs. Each version is
/// one stored item; the bound keeps a session's storage and a customer's LLM spend finite.
pub const MAX_INSIGHTS_VERSION: u32 = 20;

/// The body: other prompts than the join's, and which deliveries tell about the result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RerunRequest {
    pub analysis_prompt: Option<String>,
    pub summary_format_prompt: Option<String>,
    pub deliver_webhook: bool,
    pub deliver_email: bool,
}

/// A re-run asked for and not yet done, as the session holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rerun {
    /// The version the re-run will store.
    pub version: u32,
    #[serde(default)]
    pub analysis_prompt: Option<String>,
    #[serde(default)]
    pub summary_format_prompt: Option<String>,
    #[serde(default)]
    pub deliver_webhook: bool,
    #[serde(default)]
    pub deliver_email: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
}

/// Why a re-run cannot start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RerunRefused {
    #[error("the bot is still running (phase '{}'); its insights can be analysed again once it has finished", .0.as_str())]
    Running(Phase),
    #[error("the bot has no transcript to analyse")]
    NoTranscript,
    #[error("version {0} of the insights is still being analysed")]
    InProgress(u32),
    #[error("the insights were analysed {MAX_INSIGHTS_VERSION} times, the most a bot allows")]
    TooMany,
}

impl RerunRequest {
    /// An empty body is the join's prompts again and no deliveries.
    pub fn parse(body: &[u8]) -> Result<Self, JoinRequestError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let value: Value =
            serde_json::from_slice(body).map_err(|e| JoinRequestError::NotJson(e.to_string()))?;
        let obj = value.as_object().ok_or(JoinRequestError::NotAnObject)?;
        let empty = Map::new();
        let deliver = match obj.get("deliver") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(d)) => d,
            Some(_) => return Err(wrong("deliver", "an object")),
        };
        let flag = |field: &'static str, key: &str| match deliver.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(wrong(field, "a boolean")),
        };
        if let Some(unknown) = deliver
            .keys()
            .find(|k| !matches!(k.as_str(), "webhook" | "email"))
        {
            return Err(JoinRequestError::Field(format!(
                "Field 'deliver.{}' is not known; 'deliver' takes 'webhook' and 'email'",
                crate::plain_text::one_line(unknown, 64)
            )));
        }
        Ok(Self {
            analysis_prompt: optional_string(obj, "analysis_prompt", MAX_PROMPT_CHARS)?,
            summary_format_prompt: optional_string(obj, "summary_format_prompt", MAX_PROMPT_CHARS)?,
            deliver_webhook: flag("deliver.webhook", "webhook")?,
            deliver_email: flag("deliver.email", "email")?,
        })
    }
}

impl Session {
    /// The version of the insights stored now (1 once the session has its first analysis).
    pub fn current_insights_version(&self) -> u32 {
        self.insights_version.unwrap_or(1)
    }

    /// The re-run `request` starts on this session, or why it cannot.
    pub fn rerun(&self, request: RerunRequest, at: OffsetDateTime) -> Result<Rerun, RerunRefused> {
        if !self.phase.is_terminal() {
            return Err(RerunRefused::Running(self.phase));
        }
        if self.exit.is_none() {
            return Err(RerunRefused::NoTranscript);
        }
        if let Some(pending) = &self.insights_rerun {
            return Err(RerunRefused::InProgress(pending.version));
        }
        let version = self.current_insights_version() + 1;
        if version > MAX_INSIGHTS_VERSION {
            return Err(RerunRefused::TooMany);
        }
        Ok(Rerun {
            version,
            analysis_prompt: request
                .analysis_prompt
                .or_else(|| self.analysis_prompt.clone()),
            summary_format_prompt: request
                .summary_format_prompt
                .or_else(|| self.summary_format_prompt.clone()),
            deliver_webhook: request.deliver_webhook,
            deliver_email: request.deliver_email,
            requested_at: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::session;
    use crate::session::{ExitReason, ExitRecord};

    fn ended() -> Session {
        let mut s = session(Phase::Completed);
        s.analysis_prompt = Some("Focus on risks".into());
        s.exit = Some(ExitRecord {
            exit_id: "e".into(),
            reason: ExitReason::ParticipantLeft,
            ended_at: crate::now(),
            reported_at: crate::now(),
            chunks: 1,
            segments: 1,
            words: 3,
            duration_ms: 1000,
        });
        s
    }

    #[test]
    fn the_body_takes_prompts_and_deliveries_and_names_what_is_wrong() {
        let r = RerunRequest::parse(
            br#"{"analysis_prompt": "Decisions only", "deliver": {"webhook": true}}"#,
        )
        .unwrap();
        assert_eq!(r.analysis_prompt.as_deref(), Some("Decisions only"));
        assert!(r.deliver_webhook && !r.deliver_email);
        assert_eq!(RerunRequest::parse(b"").unwrap(), RerunRequest::default());
        for (body, says) in [
            (r#"[]"#, "must be a JSON object"),
            (r#"{"#, "not valid JSON"),
            (r#"{"deliver": true}"#, "Field 'deliver' must be an object"),
            (
                r#"{"deliver": {"webhook": "yes"}}"#,
                "Field 'deliver.webhook' must be a boolean",
            ),
            (
                r#"{"deliver": {"webhooks": true}}"#,
                "Field 'deliver.webhooks' is not known",
            ),
            (
                r#"{"analysis_prompt": 7}"#,
                "Field 'analysis_prompt' must be a string",
            ),
        ] {
            let err = RerunRequest::parse(body.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{body}: {err}");
        }
        let long = format!(
            r#"{{"summary_format_prompt": "{}"}}"#,
            "x".repeat(MAX_PROMPT_CHARS + 1)
        );
        assert!(RerunRequest::parse(long.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("longer than"));
    }

    #[test]
    fn a_rerun_is_the_next_version_with_the_joins_prompts_unless_replaced() {
        let s = ended();
        let r = s.rerun(RerunRequest::default(), crate::now()).unwrap();
        assert_eq!(r.version, 2);
        assert_eq!(r.analysis_prompt.as_deref(), Some("Focus on risks"));
        let asked = RerunRequest {
            analysis_prompt: Some("Other".into()),
            ..Default::default()
        };
        assert_eq!(
            s.rerun(asked, crate::now())
                .unwrap()
                .analysis_prompt
                .as_deref(),
            Some("Other")
        );
    }

    #[test]
    fn a_rerun_waits_for_the_end_a_transcript_and_the_previous_rerun() {
        let mut s = ended();
        s.phase = Phase::Processing;
        assert_eq!(
            s.rerun(RerunRequest::default(), crate::now()),
            Err(RerunRefused::Running(Phase::Processing))
        );
        s.phase = Phase::Failed;
        s.exit = None;
        assert_eq!(
            s.rerun(RerunRequest::default(), crate::now()),
            Err(RerunRefused::NoTranscript)
        );
        let mut s = ended();
        s.insights_rerun = Some(s.rerun(RerunRequest::default(), crate::now()).unwrap());
        assert_eq!(
            s.rerun(RerunRequest::default(), crate::now()),
            Err(RerunRefused::InProgress(2))
        );
        s.insights_rerun = None;
        s.insights_version = Some(MAX_INSIGHTS_VERSION);
        assert_eq!(
            s.rerun(RerunRequest::default(), crate::now()),
            Err(RerunRefused::TooMany)
        );
    }
}
