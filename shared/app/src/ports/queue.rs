//! The pipeline queue, and the one place a message is scheduled for a time.

use crate::errors::BoxError;
use domain::messages::PipelineMessage;
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// SQS delays stop at 15 minutes: a message due later is sent with the longest delay and,
/// arriving early, sends itself on again (the pipeline's `wait_until`).
pub const MAX_SQS_DELAY: Duration = Duration::from_secs(900);

#[derive(Debug, thiserror::Error)]
#[error("the pipeline queue did not take the message")]
pub struct QueueError(#[source] pub BoxError);

pub trait PipelineQueue: Send + Sync {
    /// Sends one message, visible after `delay` (at most [`MAX_SQS_DELAY`]).
    fn send(
        &self,
        message: &PipelineMessage,
        delay: Duration,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Sends `message` to become visible at `at`, or as close to it as SQS allows; a time
    /// in the past means now.
    fn send_at(
        &self,
        message: &PipelineMessage,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), QueueError>> + Send {
        let wait = Duration::try_from(at - domain::now()).unwrap_or_default();
        self.send(message, wait.min(MAX_SQS_DELAY))
    }
}
