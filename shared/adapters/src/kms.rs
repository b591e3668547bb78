//! KMS: the key the accounts' webhook signing secrets are encrypted under
//! (`WEBHOOK_SECRET_KEY_ID`). The table holds only the ciphertext, so reading the table is
//! not reading a secret: in production the key's policy lets only the pipeline (which
//! signs) decrypt (`infra/template.yaml`, `WebhookSecretKey`). The account is the
//! encryption context, so one account's ciphertext cannot be passed off as another's.

use crate::aws::LazyClient;
use app::ports::StoreError;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::Client;
use domain::{AccountId, WebhookSecret};
use std::sync::Arc;

/// The encryption context's key: the account a secret belongs to.
const CONTEXT_KEY: &str = "account_id";

#[derive(Clone)]
pub struct WebhookSecretKey {
    /// Built on the first seal or open: a cold start that signs nothing never builds it.
    client: Arc<LazyClient<Client>>,
    key_id: Arc<str>,
}

impl WebhookSecretKey {
    /// `key_id`: the key's ARN, id, alias ARN or `alias/name`.
    pub fn new(aws: &aws_types::SdkConfig, key_id: impl Into<Arc<str>>) -> Self {
        Self {
            client: Arc::new(LazyClient::new(aws, Client::new)),
            key_id: key_id.into(),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The secret encrypted for the account.
    pub async fn seal(
        &self,
        account: &AccountId,
        secret: &WebhookSecret,
    ) -> Result<Vec<u8>, StoreError> {
        let out = self
            .client
            .get()
            .encrypt()
            .key_id(&*self.key_id)
            .plaintext(Blob::new(secret.expose().as_bytes()))
            .encryption_context(CONTEXT_KEY, account.as_str())
            .send()
            .await
            .map_err(|e| StoreError::unavailable("encrypt webhook secret", e))?;
        out.ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| StoreError::unavailable("encrypt webhook secret", "no ciphertext"))
    }

    /// The account's secret from its ciphertext. A ciphertext of another key or another
    /// account does not decrypt.
    pub async fn open(
        &self,
        account: &AccountId,
        ciphertext: &[u8],
    ) -> Result<WebhookSecret, StoreError> {
        let out = self
            .client
            .get()
            .decrypt()
            .key_id(&*self.key_id)
            .ciphertext_blob(Blob::new(ciphertext))
            .encryption_context(CONTEXT_KEY, account.as_str())
            .send()
            .await
            .map_err(|e| {
                // A ciphertext that is not this key's, or not this account's, will never
                // decrypt: the stored item is wrong, not the service.
                let code = e.as_service_error().and_then(|s| {
                    aws_sdk_kms::error::ProvideErrorMetadata::code(s).map(str::to_owned)
                });
                match code.as_deref() {
                    Some("InvalidCiphertextException" | "IncorrectKeyException") => {
                        StoreError::corrupt("webhook secret", e)
                    }
                    _ => StoreError::unavailable("decrypt webhook secret", e),
                }
            })?;
        let plaintext = out
            .plaintext
            .map(Blob::into_inner)
            .ok_or_else(|| StoreError::corrupt("webhook secret", "no plaintext"))?;
        let text = String::from_utf8(plaintext)
            .map_err(|_| StoreError::corrupt("webhook secret", "not UTF-8"))?;
        Ok(WebhookSecret::from_stored(text))
    }
}
