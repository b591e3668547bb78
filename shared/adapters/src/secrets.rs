//! Secrets Manager: the credentials the functions hold (the Pipecat Cloud keys, the LLM
//! key). A function's settings name the secret (`…_SECRET`: its ARN or name), never its
//! value; the function reads the value once, on its first use (not at init: a cold start
//! that never calls Pipecat or the LLM does not wait for Secrets Manager), with IAM allowing
//! it exactly the secrets it needs (`infra/template.yaml`). Errors name the secret, never
//! the value.

use aws_sdk_secretsmanager::Client;
use domain::Secret;
use std::sync::Arc;
use tokio::sync::OnceCell;

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
pub async fn read(aws: &aws_types::SdkConfig, id: &str) -> Result<Secret, SecretError> {
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

/// A credential a client holds: read from Secrets Manager on its first use, then kept for
/// the life of the container. A failed read is not kept: the next use reads again.
#[derive(Clone)]
pub struct LazySecret(Arc<Lazy>);

enum Lazy {
    /// Given as it is (tests, local tools).
    Known(Secret),
    /// The client is built on first use too: building an SDK client costs init time.
    Stored {
        aws: Box<aws_types::SdkConfig>,
        id: String,
        value: OnceCell<Secret>,
    },
}

impl LazySecret {
    /// The secret `id` (an ARN or a name), read when first needed.
    pub fn stored(aws: &aws_types::SdkConfig, id: &str) -> Self {
        Self(Arc::new(Lazy::Stored {
            aws: Box::new(aws.clone()),
            id: id.to_owned(),
            value: OnceCell::new(),
        }))
    }

    pub fn known(value: Secret) -> Self {
        Self(Arc::new(Lazy::Known(value)))
    }

    pub async fn get(&self) -> Result<&Secret, SecretError> {
        match &*self.0 {
            Lazy::Known(value) => Ok(value),
            Lazy::Stored { aws, id, value } => value.get_or_try_init(|| read(aws, id)).await,
        }
    }
}

impl std::fmt::Debug for LazySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            Lazy::Known(_) => f.write_str("LazySecret(given)"),
            Lazy::Stored { id, .. } => write!(f, "LazySecret({id})"),
        }
    }
}
