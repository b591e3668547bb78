//! Accounts and API keys: only a key's SHA-256 is stored; each account has a Standard
//! Webhooks signing secret, created with it.

use super::codec::{rfc3339, s, string};
use super::keys::{account_pk, api_key_pk, ACCOUNT_SK, APIKEY_SK};
use super::{condition_failed, DynamoStore};
use app::ports::{Accounts, StoreError};
use domain::{now, AccountId, ApiKey, ApiKeyHash, WebhookSecret};
use std::time::Instant;

impl DynamoStore {
    /// Creates the account if needed and a new API key for it; only the key's hash is stored.
    pub async fn create_api_key(&self, account: &AccountId) -> Result<ApiKey, StoreError> {
        self.ensure_account(account).await?;
        let key = ApiKey::generate();
        self.client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(api_key_pk(&key.hash())))
            .item("sk", s(APIKEY_SK))
            .item("account_id", s(account.as_str()))
            .item("created_at", rfc3339(now()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| StoreError::unavailable("put api key", e))?;
        Ok(key)
    }

    /// The account's webhook signing secret, creating the account on first use.
    pub async fn ensure_account(&self, account: &AccountId) -> Result<WebhookSecret, StoreError> {
        if let Some(secret) = self.webhook_secret(account).await? {
            return Ok(secret);
        }
        let secret = WebhookSecret::generate();
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(account_pk(account)))
            .item("sk", s(ACCOUNT_SK))
            .item("account_id", s(account.as_str()))
            .item("webhook_secret", s(secret.expose()))
            .item("created_at", rfc3339(now()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(secret),
            // Created concurrently: the first writer's secret stands.
            Err(e) if condition_failed(&e) => self
                .webhook_secret(account)
                .await?
                .ok_or_else(|| StoreError::corrupt("account", "vanished after creation")),
            Err(e) => Err(StoreError::unavailable("put account", e)),
        }
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

    async fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        let Some(item) = self.get(account_pk(account), ACCOUNT_SK).await? else {
            return Ok(None);
        };
        match string(&item, "webhook_secret") {
            Some(secret) => Ok(Some(WebhookSecret::from_stored(secret.to_owned()))),
            None => Err(StoreError::corrupt("account", "missing webhook_secret")),
        }
    }
}
