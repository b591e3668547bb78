//! Messages on the pipeline queue. Each is typed and versioned; a consumer refuses a
//! version it does not know rather than guessing.

use super::BotId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub const MESSAGE_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PipelineMessage {
    /// From stop: ask the bot runtime to leave, then schedule the exit deadline.
    LeaveRequested { version: u32, bot_id: BotId },
    /// From the exit report: the transcript is stored; finish the session.
    BotExited {
        version: u32,
        bot_id: BotId,
        exit_id: String,
    },
    /// A bot that has not reported by `deadline_at` is finished as failed. Chained: SQS
    /// delays stop at 15 minutes, so an early delivery re-schedules itself.
    ExitDeadline {
        version: u32,
        bot_id: BotId,
        #[serde(with = "time::serde::rfc3339")]
        deadline_at: OffsetDateTime,
    },
    /// Send (or re-send) what a terminal session owes: the email and the webhook.
    Deliver { version: u32, bot_id: BotId },
    /// Analyse the transcript again as the session's pending re-run asks and store it as
    /// `insights_version`.
    RerunInsights {
        version: u32,
        bot_id: BotId,
        insights_version: u32,
    },
    /// A delayed webhook retry; `attempt` is the attempt number it is meant to make, so a
    /// duplicate of an attempt already made does nothing.
    WebhookRetry {
        version: u32,
        bot_id: BotId,
        /// The `status_change` event's index; absent for the final event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<usize>,
        attempt: u32,
        #[serde(with = "time::serde::rfc3339")]
        not_before: OffsetDateTime,
    },
}

impl PipelineMessage {
    pub fn bot_id(&self) -> BotId {
        match self {
            PipelineMessage::LeaveRequested { bot_id, .. }
            | PipelineMessage::BotExited { bot_id, .. }
            | PipelineMessage::ExitDeadline { bot_id, .. }
            | PipelineMessage::Deliver { bot_id, .. }
            | PipelineMessage::RerunInsights { bot_id, .. }
            | PipelineMessage::WebhookRetry { bot_id, .. } => *bot_id,
        }
    }

    pub fn version(&self) -> u32 {
        match self {
            PipelineMessage::LeaveRequested { version, .. }
            | PipelineMessage::BotExited { version, .. }
            | PipelineMessage::ExitDeadline { version, .. }
            | PipelineMessage::Deliver { version, .. }
            | PipelineMessage::RerunInsights { version, .. }
            | PipelineMessage::WebhookRetry { version, .. } => *version,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            PipelineMessage::LeaveRequested { .. } => "leave_requested",
            PipelineMessage::BotExited { .. } => "bot_exited",
            PipelineMessage::ExitDeadline { .. } => "exit_deadline",
            PipelineMessage::Deliver { .. } => "deliver",
            PipelineMessage::RerunInsights { .. } => "rerun_insights",
            PipelineMessage::WebhookRetry { .. } => "webhook_retry",
        }
    }

    pub fn rerun_insights(bot_id: BotId, insights_version: u32) -> Self {
        PipelineMessage::RerunInsights {
            version: MESSAGE_VERSION,
            bot_id,
            insights_version,
        }
    }

    pub fn leave_requested(bot_id: BotId) -> Self {
        PipelineMessage::LeaveRequested {
            version: MESSAGE_VERSION,
            bot_id,
        }
    }

    pub fn bot_exited(bot_id: BotId, exit_id: String) -> Self {
        PipelineMessage::BotExited {
            version: MESSAGE_VERSION,
            bot_id,
            exit_id,
        }
    }

    pub fn exit_deadline(bot_id: BotId, deadline_at: OffsetDateTime) -> Self {
        PipelineMessage::ExitDeadline {
            version: MESSAGE_VERSION,
            bot_id,
            deadline_at,
        }
    }

    pub fn deliver(bot_id: BotId) -> Self {
        PipelineMessage::Deliver {
            version: MESSAGE_VERSION,
            bot_id,
        }
    }

    pub fn webhook_retry(
        bot_id: BotId,
        event: Option<usize>,
        attempt: u32,
        not_before: OffsetDateTime,
    ) -> Self {
        PipelineMessage::WebhookRetry {
            version: MESSAGE_VERSION,
            bot_id,
            event,
            attempt,
            not_before,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("pipeline messages always serialise")
    }

    /// Parses a queue body; unknown types, unknown versions and garbage are errors.
    pub fn from_json(body: &str) -> Result<Self, String> {
        let msg: Self =
            serde_json::from_str(body).map_err(|e| format!("malformed pipeline message: {e}"))?;
        if msg.version() != MESSAGE_VERSION {
            return Err(format!(
                "unsupported {} message version {}",
                msg.kind(),
                msg.version()
            ));
        }
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_with_type_and_version() {
        let id = BotId::new();
        let msg = PipelineMessage::leave_requested(id);
        let json = msg.to_json();
        assert!(json.contains(r#""type":"leave_requested""#) && json.contains(r#""version":1"#));
        assert_eq!(PipelineMessage::from_json(&json).unwrap(), msg);
    }

    #[test]
    fn unknown_types_versions_and_garbage_are_refused() {
        let id = BotId::new();
        assert!(PipelineMessage::from_json(&format!(
            r#"{{"type":"explode","version":1,"bot_id":"{id}"}}"#
        ))
        .is_err());
        assert!(PipelineMessage::from_json(&format!(
            r#"{{"type":"leave_requested","version":2,"bot_id":"{id}"}}"#
        ))
        .is_err());
        assert!(PipelineMessage::from_json("not json").is_err());
        assert!(PipelineMessage::from_json(
            r#"{"type":"leave_requested","version":1,"bot_id":"nope"}"#
        )
        .is_err());
    }
}
