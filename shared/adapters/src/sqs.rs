//! SQS: the pipeline queue. Messages are small JSON documents (see
//! [`domain::messages`]); transcripts travel by reference, never in a message.

use super::sdk_message;
use app::ports::{PipelineQueue, QueueError};
use aws_sdk_sqs::types::MessageAttributeValue;
use aws_sdk_sqs::Client;
use domain::messages::PipelineMessage;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: Arc<str>,
}

impl SqsQueue {
    pub fn new(client: Client, queue_url: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

impl PipelineQueue for SqsQueue {
    async fn send(&self, message: &PipelineMessage, delay: Duration) -> Result<(), QueueError> {
        let kind = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(message.kind())
            .build()
            .map_err(|e| QueueError(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&*self.queue_url)
            .message_body(message.to_json())
            .message_attributes("type", kind)
            .delay_seconds(delay.as_secs().min(900) as i32)
            .send()
            .await
            .map_err(|e| QueueError(sdk_message(&e)))?;
        tracing::debug!(kind = message.kind(), bot_id = %message.bot_id(), delay_s = delay.as_secs(), "message enqueued");
        Ok(())
    }
}
