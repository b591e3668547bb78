//! Lambda's SQS batch contract: the ids of the messages that failed come back, the others
//! are deleted. Records are processed concurrently; one failure never holds back the rest
//! of the batch. A message that cannot be parsed, and one whose handling panics, fail only
//! themselves: each record's future is run under `catch_unwind` (the release profile
//! unwinds on panic for this), so a bug a crafted message triggers cannot take the other
//! nine records of its batch down with it; the message comes back and, after the queue's
//! receive limit, rests in the dead-letter queue.

use super::{Pipeline, Retry};
use crate::errors::Chain;
use crate::ports::{BotRuntime, InsightsEngine, Mailer, PipelineQueue, Store, WebhookSender};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use domain::messages::PipelineMessage;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use tracing::Instrument;

impl<S, Q, R, M, W, I> Pipeline<S, Q, R, M, W, I>
where
    S: Store,
    Q: PipelineQueue,
    R: BotRuntime,
    M: Mailer,
    W: WebhookSender,
    I: InsightsEngine,
{
    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        let results =
            futures_util::future::join_all(event.records.iter().map(|r| self.handle_record(r)))
                .await;
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = event
            .records
            .iter()
            .zip(results)
            .filter(|(_, ok)| !ok)
            .map(|(r, _)| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = r.message_id.clone().unwrap_or_default();
                failure
            })
            .collect();
        response
    }

    async fn handle_record(&self, record: &SqsMessage) -> bool {
        let receives = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(1);
        let body = record.body.as_deref().unwrap_or_default();
        let message = match PipelineMessage::from_json(body) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(message_id = ?record.message_id, receives, error = %e, "refusing message; it goes to the dead-letter queue after the configured receives");
                return false;
            }
        };
        let span = tracing::info_span!("step", kind = message.kind(), bot_id = %message.bot_id(), receives);
        let started = Instant::now();
        let handled = AssertUnwindSafe(self.handle(&message).instrument(span.clone()))
            .catch_unwind()
            .await;
        let result: Result<(), Retry> =
            handled.unwrap_or_else(|panic| Err(Retry::Panicked(panic_message(&*panic))));
        let elapsed_ms = started.elapsed().as_millis() as u64;
        span.in_scope(|| match &result {
            Ok(()) => tracing::info!(elapsed_ms, "step done"),
            Err(e) => tracing::warn!(elapsed_ms, error = %Chain(e), "step will be retried"),
        });
        result.is_ok()
    }
}

/// The text a panic was raised with (`panic!("...")` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
