//! The business metrics an operator alarms on (README "Metrics and alarms"). Each is one
//! `tracing` event on [`TARGET`], recorded where the outcome is decided and only by the
//! invocation that decided it (the one whose conditional write won), so a redelivered
//! message counts nothing twice. `adapters::telemetry` writes each as a CloudWatch
//! Embedded Metric Format line, whatever the log level.
//!
//! Dimensions are codes from fixed sets, never ids: a bot id as a dimension would make one
//! CloudWatch metric per meeting. The line still carries `bot_id` and `request_id` as
//! properties, searchable in Logs Insights.

use domain::limits::LimitExceeded;
use domain::timeline::SubCode;

/// The `tracing` target of metric events.
pub const TARGET: &str = "pailflow::metric";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// A session reached `completed` (with or without results).
    SessionCompleted,
    /// A session reached `failed`, and why: `bot_start_failed`, `never_joined`,
    /// `exit_deadline_exceeded`.
    SessionFailed(SubCode),
    /// A session completed without a word of transcript.
    EmptyTranscript,
    /// The bot runtime refused to start a bot; the stable reason (`auth_error`, …).
    BotStartRefused(&'static str),
    EmailSent,
    /// SES refused the email; it is not tried again.
    EmailRejected,
    /// The email failed transiently until its attempts ran out.
    EmailGivenUp,
    WebhookDelivered,
    /// A webhook event given up: 410, refused by the SSRF guard, or its retry window over.
    WebhookGivenUp,
    /// An LLM failed and the built-in engine's insights were used; the stable code
    /// (`insights_model_timeout`, …).
    LlmFallback(&'static str),
    /// An account limit refused a join or an email: `active_bots`, `joins_per_minute`,
    /// `emails_per_day`.
    LimitRefused(&'static str),
    /// A request answered 500; the operation (`join`, `stop`, …).
    ServerError(&'static str),
}

impl Metric {
    pub fn limit(limit: LimitExceeded) -> Self {
        Metric::LimitRefused(limit.name())
    }

    /// The CloudWatch metric name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::SessionCompleted => "SessionsCompleted",
            Metric::SessionFailed(_) => "SessionsFailed",
            Metric::EmptyTranscript => "EmptyTranscripts",
            Metric::BotStartRefused(_) => "BotStartsRefused",
            Metric::EmailSent => "EmailsSent",
            Metric::EmailRejected => "EmailsRejected",
            Metric::EmailGivenUp => "EmailsGivenUp",
            Metric::WebhookDelivered => "WebhooksDelivered",
            Metric::WebhookGivenUp => "WebhooksGivenUp",
            Metric::LlmFallback(_) => "LlmFallbacks",
            Metric::LimitRefused(_) => "LimitRefusals",
            Metric::ServerError(_) => "ServerErrors",
        }
    }

    /// The one dimension a metric has, if any, as (name, value). The metric is also
    /// published without it, so an alarm can watch the total.
    pub fn dimension(self) -> Option<(&'static str, &'static str)> {
        match self {
            Metric::SessionFailed(why) => Some(("Reason", why.as_str())),
            Metric::BotStartRefused(code) => Some(("Reason", code)),
            Metric::LlmFallback(code) => Some(("Code", code)),
            Metric::LimitRefused(limit) => Some(("Limit", limit)),
            Metric::ServerError(op) => Some(("Operation", op)),
            _ => None,
        }
    }
}

/// Counts one occurrence.
pub fn record(metric: Metric) {
    match metric.dimension() {
        Some((dimension, value)) => {
            tracing::info!(target: TARGET, metric = metric.name(), dimension, value, "metric")
        }
        None => tracing::info!(target: TARGET, metric = metric.name(), "metric"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_are_codes_never_ids() {
        let all = [
            Metric::SessionCompleted,
            Metric::SessionFailed(SubCode::ExitDeadlineExceeded),
            Metric::EmptyTranscript,
            Metric::BotStartRefused("auth_error"),
            Metric::EmailSent,
            Metric::EmailRejected,
            Metric::EmailGivenUp,
            Metric::WebhookDelivered,
            Metric::WebhookGivenUp,
            Metric::LlmFallback("insights_model_timeout"),
            Metric::limit(LimitExceeded::ActiveBots { limit: 1 }),
            Metric::ServerError("join"),
        ];
        for metric in all {
            if let Some((name, value)) = metric.dimension() {
                assert!(["Reason", "Code", "Limit", "Operation"].contains(&name));
                assert!(
                    value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{metric:?}: {value}"
                );
            }
        }
        assert_eq!(
            Metric::SessionFailed(SubCode::ExitDeadlineExceeded).dimension(),
            Some(("Reason", "exit_deadline_exceeded"))
        );
    }
}
