//! An account's API keys ([`ApiKeyStore`]): each key is two items written in one
//! transaction, the lookup item (`APIKEY#<hash>`, what a request's key is found by) and
//! the account's view of it (`KEY#<id>` in the account's partition, what the list reads),
//! with the account's `key_count` as the conditional counter that holds the limit.
//! Revoking deletes both, leaves a receipt (`REVOKED#<id>`, kept 30 days) and forgets the
//! key in this process's cache; `last_used_at` is written at most once a minute.

use super::codec::{millis, n, rfc3339, s, string};
use super::keys::{
    account_pk, api_key_pk, key_sk, revoked_sk, Item, ACCOUNT_SK, APIKEY_SK, KEY_SK_PREFIX,
    TTL_ATTRIBUTE,
};
use super::transactions::{outcome, Transaction};
use super::{condition_failed, DynamoStore, SortKey};
use app::ports::{ApiKeyStore, KeyCreated, StoreError};
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use domain::api_keys::{
    KeyId, KeyInfo, KeyRevoked, LAST_USED_RESOLUTION_SECONDS, REVOKED_RECEIPT_DAYS,
};
use domain::{AccountId, ApiKey, ApiKeyHash};
use std::time::Instant;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::corrupt("request", e)
}

/// What storing a key came to.
pub(super) enum Insert {
    Created,
    LimitReached(u32),
    /// The key, or a key with its id (live or revoked), is stored already.
    Exists,
}

impl DynamoStore {
    /// Stores a key: its lookup item, the account's view of it, and one more in the
    /// account's `key_count` (refused at `limit`). The account must exist.
    pub(super) async fn insert_key(
        &self,
        account: &AccountId,
        key: &ApiKey,
        info: &KeyInfo,
        limit: Option<u32>,
    ) -> Result<Insert, StoreError> {
        let table = &*self.table;
        let hash = key.hash();
        let lookup = Put::builder()
            .table_name(table)
            .item("pk", s(api_key_pk(&hash)))
            .item("sk", s(APIKEY_SK))
            .item("account_id", s(account.as_str()))
            .item("key_id", s(info.key_id.as_str()))
            .item("created_at", rfc3339(info.created_at))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        // No `account_id` or `created_ms` here: the ByAccount index lists sessions only.
        let view = Put::builder()
            .table_name(table)
            .item("pk", s(account_pk(account)))
            .item("sk", s(key_sk(&info.key_id)))
            .item("key_id", s(info.key_id.as_str()))
            .item("prefix", s(&info.prefix))
            .item("created_at", rfc3339(info.created_at))
            .item("key_hash", s(hash.as_str()))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let never_revoked = ConditionCheck::builder()
            .table_name(table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(revoked_sk(&info.key_id)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut count = Update::builder()
            .table_name(table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("ADD key_count :one")
            .expression_attribute_values(":one", n(1));
        count = match limit {
            Some(limit) => count
                .condition_expression(
                    "attribute_exists(pk) AND (attribute_not_exists(key_count) OR key_count < :limit)",
                )
                .expression_attribute_values(":limit", n(limit)),
            None => count.condition_expression("attribute_exists(pk)"),
        };
        let items = vec![
            TransactWriteItem::builder().put(lookup).build(),
            TransactWriteItem::builder().put(view).build(),
            TransactWriteItem::builder()
                .condition_check(never_revoked)
                .build(),
            TransactWriteItem::builder()
                .update(count.build().map_err(build_error)?)
                .build(),
        ];
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let failed = match outcome("create api key", result)? {
            Transaction::Committed => return Ok(Insert::Created),
            Transaction::ConditionFailed(failed) => failed,
        };
        if failed.iter().any(|i| *i < 3) {
            return Ok(Insert::Exists);
        }
        match (limit, self.get(account_pk(account), ACCOUNT_SK).await?) {
            (Some(limit), Some(_)) => Ok(Insert::LimitReached(limit)),
            _ => Err(StoreError::corrupt(
                "account",
                "a key was stored for an account that does not exist",
            )),
        }
    }

    /// Writes the key's `last_used_at`, at most once a minute: skipped when this process
    /// wrote it less than a minute ago, and conditional on the stored value being a minute
    /// old, so concurrent containers do not all write. A failure is logged, never the
    /// request's: the key was valid.
    pub(super) async fn note_key_use(&self, account: &AccountId, id: &KeyId) {
        if !self.key_use.due(id, Instant::now()) {
            return;
        }
        let at = domain::now();
        let cutoff = millis(at) - LAST_USED_RESOLUTION_SECONDS * 1000;
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(key_sk(id)))
            .update_expression("SET last_used_at = :at, last_used_ms = :ms")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(last_used_ms) OR last_used_ms <= :cutoff)",
            )
            .expression_attribute_values(":at", rfc3339(at))
            .expression_attribute_values(":ms", n(millis(at)))
            .expression_attribute_values(":cutoff", n(cutoff))
            .send()
            .await;
        match result {
            Ok(_) => tracing::debug!(key_id = %id, "key use recorded"),
            Err(e) if condition_failed(&e) => {}
            Err(e) => {
                tracing::warn!(key_id = %id, error = %app::errors::Chain(&e), "could not record the key's use")
            }
        }
    }

    async fn receipt(
        &self,
        account: &AccountId,
        id: &KeyId,
    ) -> Result<Option<KeyRevoked>, StoreError> {
        let Some(item) = self.get(account_pk(account), &revoked_sk(id)).await? else {
            return Ok(None);
        };
        // Past its expiry the receipt is gone as far as the customer is concerned, even
        // before DynamoDB's TTL sweep removes it.
        let expired = match item.get(TTL_ATTRIBUTE) {
            Some(aws_sdk_dynamodb::types::AttributeValue::N(t)) => t
                .parse::<i64>()
                .is_ok_and(|t| t < domain::now().unix_timestamp()),
            _ => false,
        };
        if expired {
            return Ok(None);
        }
        Ok(Some(KeyRevoked {
            key_id: id.clone(),
            revoked_at: timestamp(&item, "revoked_at")?
                .ok_or_else(|| StoreError::corrupt("revoked key", "missing revoked_at"))?,
        }))
    }
}

fn timestamp(item: &Item, attr: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    string(item, attr)
        .map(|t| OffsetDateTime::parse(t, &Rfc3339).map_err(|e| StoreError::corrupt("api key", e)))
        .transpose()
}

fn key_info(item: &Item) -> Result<KeyInfo, StoreError> {
    let key_id =
        string(item, "key_id").ok_or_else(|| StoreError::corrupt("api key", "missing key_id"))?;
    Ok(KeyInfo {
        key_id: KeyId::parse(key_id).map_err(|e| StoreError::corrupt("api key", e))?,
        prefix: string(item, "prefix").unwrap_or_default().to_owned(),
        created_at: timestamp(item, "created_at")?
            .ok_or_else(|| StoreError::corrupt("api key", "missing created_at"))?,
        last_used_at: timestamp(item, "last_used_at")?,
    })
}

impl ApiKeyStore for DynamoStore {
    async fn create_key(
        &self,
        account: &AccountId,
        key: &ApiKey,
        info: &KeyInfo,
        limit: Option<u32>,
    ) -> Result<KeyCreated, StoreError> {
        match self.insert_key(account, key, info, limit).await? {
            Insert::Created => Ok(KeyCreated::Created),
            Insert::LimitReached(limit) => Ok(KeyCreated::LimitReached { limit }),
            Insert::Exists => Err(StoreError::corrupt(
                "api key",
                "a freshly generated key or id is stored already",
            )),
        }
    }

    async fn list_keys(&self, account: &AccountId) -> Result<Vec<KeyInfo>, StoreError> {
        let items = self
            .query_partition(account_pk(account), Some(SortKey::Prefix(KEY_SK_PREFIX)))
            .await?;
        let mut keys = items.iter().map(key_info).collect::<Result<Vec<_>, _>>()?;
        keys.sort_by(|a, b| (a.created_at, &a.key_id).cmp(&(b.created_at, &b.key_id)));
        Ok(keys)
    }

    async fn revoke_key(
        &self,
        account: &AccountId,
        id: &KeyId,
        at: OffsetDateTime,
    ) -> Result<Option<KeyRevoked>, StoreError> {
        let Some(view) = self.get(account_pk(account), &key_sk(id)).await? else {
            return self.receipt(account, id).await;
        };
        let hash = string(&view, "key_hash")
            .map(|h| ApiKeyHash::from_stored(h.to_owned()))
            .ok_or_else(|| StoreError::corrupt("api key", "missing key_hash"))?;
        let table = &*self.table;
        let remove_view = Delete::builder()
            .table_name(table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(key_sk(id)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(build_error)?;
        let remove_lookup = Delete::builder()
            .table_name(table)
            .key("pk", s(api_key_pk(&hash)))
            .key("sk", s(APIKEY_SK))
            .build()
            .map_err(build_error)?;
        let receipt = Put::builder()
            .table_name(table)
            .item("pk", s(account_pk(account)))
            .item("sk", s(revoked_sk(id)))
            .item("key_id", s(id.as_str()))
            .item("revoked_at", rfc3339(at))
            .item(
                TTL_ATTRIBUTE,
                n(at.unix_timestamp() + REVOKED_RECEIPT_DAYS * 24 * 60 * 60),
            )
            .build()
            .map_err(build_error)?;
        let uncount = Update::builder()
            .table_name(table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("ADD key_count :minus_one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":minus_one", n(-1))
            .build()
            .map_err(build_error)?;
        let items = vec![
            TransactWriteItem::builder().delete(remove_view).build(),
            TransactWriteItem::builder().delete(remove_lookup).build(),
            TransactWriteItem::builder().put(receipt).build(),
            TransactWriteItem::builder().update(uncount).build(),
        ];
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        // Revoked here: forgotten here at once, whoever's revocation won.
        if let Some(cache) = &self.keys {
            cache.remove(&hash);
        }
        self.key_use.forget(id);
        match outcome("revoke api key", result)? {
            Transaction::Committed => Ok(Some(KeyRevoked {
                key_id: id.clone(),
                revoked_at: at,
            })),
            // A concurrent revocation came first: its receipt is the answer.
            Transaction::ConditionFailed(_) => self.receipt(account, id).await,
        }
    }
}
