//! SQS: the pipeline queue. Messages are small JSON documents (see
//! [`domain::messages`]); transcripts travel by reference, never in a message.

use app::ports::{PipelineQueue, QueueError, MAX_SQS_DELAY};
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

    pub fn from_config(aws: &aws_types::SdkConfig, queue_url: impl Into<Arc<str>>) -> Self {
        Self::new(Client::new(aws), queue_url)
    }
}

impl PipelineQueue for SqsQueue {
    async fn send(&self, message: &PipelineMessage, delay: Duration) -> Result<(), QueueError> {
        let kind = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(message.kind())
            .build()
            .map_err(|e| QueueError(e.into()))?;
        self.client
            .send_message()
            .queue_url(&*self.queue_url)
            .message_body(message.to_json())
            .message_attributes("type", kind)
            .delay_seconds(delay.min(MAX_SQS_DELAY).as_secs() as i32)
            .send()
            .await
            .map_err(|e| QueueError(e.into()))?;
        tracing::debug!(kind = message.kind(), bot_id = %message.bot_id(), delay_s = delay.as_secs(), "message enqueued");
        Ok(())
    }
}
