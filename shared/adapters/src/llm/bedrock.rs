//! Amazon Bedrock's Converse API, with the model id from the pipeline's settings.

use super::{ChatModel, LlmError};
use std::time::Duration;

#[derive(Clone)]
pub struct BedrockChat {
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
    timeout: Duration,
}

impl BedrockChat {
    pub fn new(aws: &aws_types::SdkConfig, model_id: String, timeout: Duration) -> Self {
        Self {
            client: aws_sdk_bedrockruntime::Client::new(aws),
            model_id,
            timeout,
        }
    }
}

impl ChatModel for BedrockChat {
    fn name(&self) -> &str {
        &self.model_id
    }

    async fn complete(&self, system: &str, user: &str) -> Result<String, LlmError> {
        use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
        use aws_sdk_bedrockruntime::types::{
            ContentBlock, ConversationRole, ConverseOutput, InferenceConfiguration, Message,
            SystemContentBlock,
        };
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(user.to_owned()))
            .build()
            .map_err(|e| LlmError::Request(e.into()))?;
        let call = self
            .client
            .converse()
            .model_id(&self.model_id)
            .system(SystemContentBlock::Text(system.to_owned()))
            .messages(message)
            .inference_config(
                InferenceConfiguration::builder()
                    .max_tokens(4000)
                    .temperature(0.2)
                    .build(),
            )
            .send();
        let output = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| LlmError::Timeout(self.timeout.as_secs()))?
            .map_err(|e| {
                let code = e
                    .as_service_error()
                    .and_then(|s| s.code())
                    .unwrap_or("")
                    .to_owned();
                let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
                if status == 0 {
                    LlmError::Unreachable(e.into())
                } else {
                    LlmError::Http {
                        status,
                        detail: code,
                    }
                }
            })?;
        match output.output {
            Some(ConverseOutput::Message(m)) => m
                .content
                .into_iter()
                .find_map(|c| match c {
                    ContentBlock::Text(t) => Some(t),
                    _ => None,
                })
                .ok_or_else(|| LlmError::Invalid("the answer has no text".into())),
            _ => Err(LlmError::Invalid("the answer has no message".into())),
        }
    }
}
