//! A session's lifecycle as a customer follows it: each change of state with a code, the
//! reason for it (`sub_code`) and when. Written by the same conditional writes that change
//! the state, so the timeline can never disagree with `status`.

use crate::session::ExitReason;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeCode {
    Joining,
    InCall,
    LeaveRequested,
    BotExited,
    Processing,
    Completed,
    Failed,
}

impl ChangeCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeCode::Joining => "joining",
            ChangeCode::InCall => "in_call",
            ChangeCode::LeaveRequested => "leave_requested",
            ChangeCode::BotExited => "bot_exited",
            ChangeCode::Processing => "processing",
            ChangeCode::Completed => "completed",
            ChangeCode::Failed => "failed",
        }
    }
}

/// Why a session is in its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubCode {
    /// The four ways a bot reports it left.
    ParticipantLeft,
    StopPhrase,
    ForceLeave,
    IdleTimeout,
    /// The bot runtime refused to start the bot.
    BotStartFailed,
    /// Stopped or timed out before the bot was in the call.
    NeverJoined,
    /// Asked to leave, the bot never reported within the exit deadline.
    ExitDeadlineExceeded,
    /// The session reached its maximum length and was asked to leave.
    MaxDurationReached,
    /// The bot exited with no speech: the meeting completed without a transcript to analyse.
    EmptyTranscript,
    /// The insights could not be produced or stored.
    InsightsFailed,
}

impl From<ExitReason> for SubCode {
    fn from(reason: ExitReason) -> Self {
        match reason {
            ExitReason::ParticipantLeft => SubCode::ParticipantLeft,
            ExitReason::StopPhrase => SubCode::StopPhrase,
            ExitReason::ForceLeave => SubCode::ForceLeave,
            ExitReason::IdleTimeout => SubCode::IdleTimeout,
        }
    }
}

impl SubCode {
    pub fn as_str(self) -> &'static str {
        match self {
            SubCode::ParticipantLeft => "participant_left",
            SubCode::StopPhrase => "stop_phrase",
            SubCode::ForceLeave => "force_leave",
            SubCode::IdleTimeout => "idle_timeout",
            SubCode::BotStartFailed => "bot_start_failed",
            SubCode::NeverJoined => "never_joined",
            SubCode::ExitDeadlineExceeded => "exit_deadline_exceeded",
            SubCode::MaxDurationReached => "max_duration_reached",
            SubCode::EmptyTranscript => "empty_transcript",
            SubCode::InsightsFailed => "insights_failed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub code: ChangeCode,
    #[serde(default)]
    pub sub_code: Option<SubCode>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl StatusChange {
    pub fn new(code: ChangeCode, sub_code: Option<SubCode>, at: OffsetDateTime) -> Self {
        Self { code, sub_code, at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_names() {
        let change = StatusChange::new(
            ChangeCode::LeaveRequested,
            Some(SubCode::MaxDurationReached),
            crate::now(),
        );
        let json = serde_json::to_value(change).unwrap();
        assert_eq!(json["code"], "leave_requested");
        assert_eq!(json["sub_code"], "max_duration_reached");
        for code in [
            ChangeCode::InCall,
            ChangeCode::BotExited,
            ChangeCode::Failed,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        assert_eq!(
            serde_json::to_value(SubCode::from(ExitReason::IdleTimeout)).unwrap(),
            "idle_timeout"
        );
    }
}
