//! Secrets Manager: the credentials the functions hold (the Pipecat Cloud keys, the LLM
//! key). A function's settings name the secret (`…_SECRET`: its ARN or name), never its
//! value; the function reads the value once, at init, with IAM allowing it exactly the
//! secrets it needs (`infra/template.yaml`). Errors name the secret, never the value.

use aws_sdk_secretsmanager::Client;
use domain::Secret;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("reading secret {id} from Secrets Manager failed")]
    Unavailable {
        id: String,
        #[source]
        source: Box<aws_sdk_secretsmanager::Error>,
    },
    #[error("secret {0} holds no value (set it with `aws secretsmanager put-secret-value`)")]
    Empty(String),
}

/// The string value of the secret `id` (an ARN or a name).
pub async fn read(aws: &aws_config::SdkConfig, id: &str) -> Result<Secret, SecretError> {
    let out = Client::new(aws)
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| SecretError::Unavailable {
            id: id.to_owned(),
            source: Box::new(e.into()),
        })?;
    out.secret_string
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(Secret::new)
        .ok_or_else(|| SecretError::Empty(id.to_owned()))
}
