//! Lifecycle steps the API and the pipeline share: a stop and a session reaching its
//! maximum length both ask the bot to leave the same way.

use crate::ports::{PipelineQueue, QueueError, SessionStore, StoreError, Timeline};
use domain::messages::PipelineMessage;
use domain::timeline::{ChangeCode, SubCode};
use domain::BotId;
use domain::Session;
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum LeaveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Records a leave request (`joining|in_call -> leaving`, one conditional write) and puts
/// one `leave_requested` message on the queue. False when the session was past the point a
/// leave can be requested (another stop, an exit or a deadline came first).
///
/// `sub_code` says why on the timeline: `None` for the customer's stop,
/// `max_duration_reached` when the session ran out of time.
pub async fn request_leave_and_enqueue<S: SessionStore, Q: PipelineQueue>(
    store: &S,
    queue: &Q,
    session: &Session,
    sub_code: Option<SubCode>,
    at: OffsetDateTime,
) -> Result<bool, LeaveError> {
    let timeline = Timeline::change(session, ChangeCode::LeaveRequested, sub_code, at);
    if !store.request_leave(session.bot_id, at, &timeline).await? {
        return Ok(false);
    }
    enqueue_leave(store, queue, session.bot_id).await?;
    Ok(true)
}

/// The outbox step of a leave request: the message, then the flag that says it was sent.
/// A crash between the two leaves the flag unset, and the next stop sends it again.
pub async fn enqueue_leave<S: SessionStore, Q: PipelineQueue>(
    store: &S,
    queue: &Q,
    bot_id: BotId,
) -> Result<(), LeaveError> {
    queue
        .send(&PipelineMessage::leave_requested(bot_id), Duration::ZERO)
        .await?;
    store.mark_leave_enqueued(bot_id).await?;
    Ok(())
}
