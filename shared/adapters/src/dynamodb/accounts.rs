//! Accounts and API keys: only a key's SHA-256 is stored; each account has a Standard
//! Webhooks signing secret, created with it and stored encrypted under the webhook secret
//! key ([`crate::kms`]): only a holder of that key reads it.

use super::codec::{blob, rfc3339, s, string, to_av};
use super::keys::{account_pk, api_key_pk, Item, ACCOUNT_SK, APIKEY_SK};
use super::{condition_failed, DynamoStore};
use crate::kms::WebhookSecretKey;
use app::ports::{Accounts, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use domain::limits::AccountLimits;
use domain::{now, AccountId, ApiKey, ApiKeyHash, WebhookSecret};
use std::time::Instant;

/// The encrypted secret (KMS ciphertext).
const SEALED: &str = "webhook_secret_sealed";
/// The secret as earlier versions stored it, in plain text: read, and encrypted in place
/// by [`DynamoStore::ensure_account`].
const PLAIN: &str = "webhook_secret";

impl DynamoStore {
    /// Creates the account if needed and a new API key for it; only the key's hash is stored.
    pub async fn create_api_key(&self, account: &AccountId) -> Result<ApiKey, StoreError> {
        self.ensure_account(account).await?;
        let key = ApiKey::generate();
        self.put_api_key(account, &key).await?;
        Ok(key)
    }

    /// Stores a given key's hash for the account (the local development account's fixed
    /// key); a key already stored is left as it is.
    pub async fn put_api_key(&self, account: &AccountId, key: &ApiKey) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(api_key_pk(&key.hash())))
            .item("sk", s(APIKEY_SK))
            .item("account_id", s(account.as_str()))
            .item("created_at", rfc3339(now()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("put api key", e)),
        }
    }

    /// Creates the account, with a new webhook signing secret, if it does not exist; an
    /// account whose secret is still in plain text gets it encrypted. Needs the webhook
    /// secret key (to encrypt), not the right to decrypt.
    pub async fn ensure_account(&self, account: &AccountId) -> Result<(), StoreError> {
        match self.get(account_pk(account), ACCOUNT_SK).await? {
            Some(item) if item.contains_key(SEALED) => Ok(()),
            Some(item) => match string(&item, PLAIN) {
                Some(plain) => {
                    let secret = WebhookSecret::from_stored(plain.to_owned());
                    self.seal_in_place(account, &secret).await
                }
                None => Err(StoreError::corrupt("account", "no webhook secret")),
            },
            None => self.create_account(account).await,
        }
    }

    async fn create_account(&self, account: &AccountId) -> Result<(), StoreError> {
        let sealed = self
            .webhook_key()?
            .seal(account, &WebhookSecret::generate())
            .await?;
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(account_pk(account)))
            .item("sk", s(ACCOUNT_SK))
            .item("account_id", s(account.as_str()))
            .item(SEALED, AttributeValue::B(sealed.into()))
            .item("created_at", rfc3339(now()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            // Created concurrently: the first writer's secret stands.
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("put account", e)),
        }
    }

    /// Replaces a plain-text secret with its ciphertext, if it is still the same.
    async fn seal_in_place(
        &self,
        account: &AccountId,
        secret: &WebhookSecret,
    ) -> Result<(), StoreError> {
        let sealed = self.webhook_key()?.seal(account, secret).await?;
        let update = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("SET #sealed = :sealed REMOVE #plain")
            .condition_expression("#plain = :plain")
            .expression_attribute_names("#sealed", SEALED)
            .expression_attribute_names("#plain", PLAIN)
            .expression_attribute_values(":sealed", AttributeValue::B(sealed.into()))
            .expression_attribute_values(":plain", s(secret.expose()))
            .send()
            .await;
        match update {
            Ok(_) => Ok(()),
            // Encrypted concurrently.
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("encrypt account secret", e)),
        }
    }

    fn webhook_key(&self) -> Result<&WebhookSecretKey, StoreError> {
        self.webhook_key.as_ref().ok_or_else(|| {
            StoreError::unavailable(
                "use webhook secrets",
                "this process holds no webhook secret key (WEBHOOK_SECRET_KEY_ID)",
            )
        })
    }

    async fn open_secret(
        &self,
        account: &AccountId,
        item: &Item,
    ) -> Result<WebhookSecret, StoreError> {
        if item.contains_key(SEALED) {
            let sealed = blob(item, SEALED)?;
            return self.webhook_key()?.open(account, &sealed).await;
        }
        match string(item, PLAIN) {
            Some(plain) => {
                tracing::warn!("webhook secret stored in plain text; `make webhook-secret` for the account encrypts it");
                Ok(WebhookSecret::from_stored(plain.to_owned()))
            }
            None => Err(StoreError::corrupt("account", "no webhook secret")),
        }
    }
}

impl DynamoStore {
    /// Sets (or, with `None`, clears) the account's own limits; the account must exist.
    pub async fn set_account_limits(
        &self,
        account: &AccountId,
        limits: &AccountLimits,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("SET #limits = :limits")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#limits", "limits")
            .expression_attribute_values(":limits", to_av(limits)?)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("set account limits", e))?;
        Ok(())
    }
}

impl Accounts for DynamoStore {
    async fn account_for_key(&self, key: &ApiKeyHash) -> Result<Option<AccountId>, StoreError> {
        if let Some(account) = self.keys.as_ref().and_then(|c| c.get(key, Instant::now())) {
            return Ok(Some(account));
        }
        let Some(item) = self.get(api_key_pk(key), APIKEY_SK).await? else {
            return Ok(None);
        };
        let account = string(&item, "account_id")
            .ok_or_else(|| StoreError::corrupt("api key", "missing account_id"))?;
        let account = AccountId::parse(account).map_err(|e| StoreError::corrupt("api key", e))?;
        if let Some(cache) = &self.keys {
            cache.put(key.clone(), account.clone(), Instant::now());
        }
        Ok(Some(account))
    }

    async fn account_limits(&self, account: &AccountId) -> Result<AccountLimits, StoreError> {
        let Some(mut item) = self.get(account_pk(account), ACCOUNT_SK).await? else {
            return Ok(AccountLimits::default());
        };
        match item.remove("limits") {
            Some(limits) => serde_dynamo::from_attribute_value(limits)
                .map_err(|e| StoreError::corrupt("account limits", e)),
            None => Ok(AccountLimits::default()),
        }
    }

    async fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        let Some(item) = self.get(account_pk(account), ACCOUNT_SK).await? else {
            return Ok(None);
        };
        self.open_secret(account, &item).await.map(Some)
    }
}
