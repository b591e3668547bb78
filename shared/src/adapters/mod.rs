//! One module per real system. Each adapter implements a port from [`crate::ports`] with
//! the real client, built once per container and shared across invocations.

pub mod dynamodb;
pub mod llm;

pub mod pipecat;
pub mod ses;
pub mod sqs;
pub mod webhook;

/// The AWS configuration from the environment. `AWS_ENDPOINT_URL` (set only for the local
/// emulator) redirects every client; without it the clients talk to real AWS.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

impl dynamodb::DynamoStore {
    pub fn from_config(aws: &aws_config::SdkConfig, table: impl Into<std::sync::Arc<str>>) -> Self {
        Self::new(aws_sdk_dynamodb::Client::new(aws), table)
    }
}

impl sqs::SqsQueue {
    pub fn from_config(
        aws: &aws_config::SdkConfig,
        queue_url: impl Into<std::sync::Arc<str>>,
    ) -> Self {
        Self::new(aws_sdk_sqs::Client::new(aws), queue_url)
    }
}

impl ses::SesMailer {
    pub fn from_config(
        aws: &aws_config::SdkConfig,
        sender: &str,
    ) -> Result<Self, ses::InvalidSender> {
        Self::new(aws_sdk_ses::Client::new(aws), sender)
    }
}

/// The full message of an SDK error, including the service's own code and text.
pub(crate) fn sdk_message<E: std::error::Error + 'static>(e: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()
}
