//! Accounts and API keys: only a key's SHA-256 is stored; each account has a Standard
//! Webhooks signing secret, created with it and stored encrypted, and after a rotation the
//! secret it replaced with the end of its overlap ([`super::webhook_secrets`]).

use super::api_keys::Insert;
use super::codec::{s, string, to_av};
use super::key_cache::KeyOwner;
use super::keys::{account_pk, api_key_pk, ACCOUNT_SK, APIKEY_SK};
use super::DynamoStore;
use app::ports::{Accounts, StoreError};
use domain::api_keys::{KeyId, KeyInfo};
use domain::limits::AccountLimits;
use domain::signing::SigningSecrets;
use domain::{AccountId, ApiKey, ApiKeyHash, WebhookSecret};
use std::time::Instant;

impl DynamoStore {
    /// Creates the account if needed and a new API key for it (the operator's tools, which
    /// are not held to the API's limit on keys); only the key's hash is stored.
    pub async fn create_api_key(&self, account: &AccountId) -> Result<ApiKey, StoreError> {
        self.ensure_account(account).await?;
        let key = ApiKey::generate();
        let info = KeyInfo::new(KeyId::generate(), &key, domain::now());
        match self.insert_key(account, &key, &info, None).await? {
            Insert::Created => Ok(key),
            Insert::LimitReached(_) | Insert::Exists => Err(StoreError::corrupt(
                "api key",
                "a freshly generated key or id is stored already",
            )),
        }
    }

    /// Stores a given key with a given id for the account, creating the account if needed
    /// (the local development account's fixed keys). A key or id already stored, or
    /// revoked, is left as it is.
    pub async fn put_api_key(
        &self,
        account: &AccountId,
        key: &ApiKey,
        id: &KeyId,
    ) -> Result<(), StoreError> {
        self.ensure_account(account).await?;
        let info = KeyInfo::new(id.clone(), key, domain::now());
        self.insert_key(account, key, &info, None).await?;
        Ok(())
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
    /// Also records the key's use (`last_used_at`, at most once a minute).
    async fn account_for_key(&self, key: &ApiKeyHash) -> Result<Option<AccountId>, StoreError> {
        let cached = self.keys.as_ref().and_then(|c| c.get(key, Instant::now()));
        let owner = match cached {
            Some(owner) => owner,
            None => {
                let Some(item) = self.get(api_key_pk(key), APIKEY_SK).await? else {
                    return Ok(None);
                };
                let account = string(&item, "account_id")
                    .ok_or_else(|| StoreError::corrupt("api key", "missing account_id"))?;
                let owner = KeyOwner {
                    account: AccountId::parse(account)
                        .map_err(|e| StoreError::corrupt("api key", e))?,
                    // Keys created before keys had ids have none (and no `last_used_at`).
                    key_id: string(&item, "key_id")
                        .map(KeyId::parse)
                        .transpose()
                        .map_err(|e| StoreError::corrupt("api key", e))?,
                };
                if let Some(cache) = &self.keys {
                    cache.put(key.clone(), owner.clone(), Instant::now());
                }
                owner
            }
        };
        if let Some(id) = &owner.key_id {
            self.note_key_use(&owner.account, id).await;
        }
        Ok(Some(owner.account))
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
        Ok(self.signing_secrets(account).await?.map(|s| s.current))
    }

    async fn signing_secrets(
        &self,
        account: &AccountId,
    ) -> Result<Option<SigningSecrets>, StoreError> {
        let Some(item) = self.get(account_pk(account), ACCOUNT_SK).await? else {
            return Ok(None);
        };
        self.open_secrets(account, &item).await.map(Some)
    }
}
