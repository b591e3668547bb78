//! DynamoDB: the store ports ([`app::ports::Store`]) on one table. [`keys`] is the key
//! schema; each port has its file: [`accounts`], [`sessions`] (the lifecycle's
//! conditional writes), [`transcripts`], [`deliveries`] (claims and outcomes).

mod account_settings;
mod accounts;
mod api_keys;
mod codec;
mod counters;
mod deliveries;
mod expr;
mod key_cache;
mod key_use;
mod keys;
mod listing;
mod reruns;
mod sessions;
mod transactions;
mod transcripts;
mod webhook_secrets;

pub use codec::TRANSCRIPT_CHUNK_BYTES;
pub use key_cache::{KeyCache, KeyOwner};
pub use keys::IDEMPOTENCY_TTL_SECONDS;

use crate::kms::WebhookSecretKey;
use app::ports::{Claim, SessionStore, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use codec::s;
use domain::{BotId, Session};
use expr::Expr;
use keys::{bot_pk, Item, SESSION_SK};
use std::sync::Arc;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
    keys: Option<Arc<KeyCache>>,
    /// Encrypts and decrypts webhook signing secrets; only what creates accounts or signs
    /// holds it.
    webhook_key: Option<WebhookSecretKey>,
    /// When this process last wrote each key's `last_used_at`.
    key_use: Arc<key_use::KeyUse>,
}

/// Which sort keys of a partition a query reads.
#[derive(Clone, Copy)]
enum SortKey<'a> {
    Prefix(&'a str),
    From(&'a str),
}

/// A conditional write whose condition did not hold, as opposed to a failed call.
fn condition_failed<E, R>(e: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
            keys: None,
            webhook_key: None,
            key_use: Arc::default(),
        }
    }

    pub fn from_config(aws: &aws_types::SdkConfig, table: impl Into<Arc<str>>) -> Self {
        Self::new(Client::new(aws), table)
    }

    /// Remembers found API keys for `ttl` (see [`KeyCache`] for what that means for
    /// revocation). A zero `ttl` keeps every lookup going to the table.
    pub fn with_key_cache(mut self, ttl: std::time::Duration) -> Self {
        self.keys = (!ttl.is_zero()).then(|| Arc::new(KeyCache::new(ttl)));
        self
    }

    /// The key webhook signing secrets are encrypted under: for the pipeline (it signs)
    /// and the tools that create accounts or print a secret.
    pub fn with_webhook_key(mut self, key: WebhookSecretKey) -> Self {
        self.webhook_key = Some(key);
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// A consistent read of one item.
    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("get item", e))?;
        Ok(out.item)
    }

    /// Every item of a partition, or those whose sort key matches `sk`, following the
    /// query's pages.
    async fn query_partition(
        &self,
        pk: String,
        sk: Option<SortKey<'_>>,
    ) -> Result<Vec<Item>, StoreError> {
        self.query_partition_projected(pk, sk, None).await
    }

    /// Every sort key of a partition (the items' other attributes are not read).
    async fn partition_keys(&self, pk: String) -> Result<Vec<String>, StoreError> {
        let items = self.query_partition_projected(pk, None, Some("sk")).await?;
        Ok(items
            .iter()
            .filter_map(|item| match item.get("sk") {
                Some(AttributeValue::S(sk)) => Some(sk.clone()),
                _ => None,
            })
            .collect())
    }

    async fn query_partition_projected(
        &self,
        pk: String,
        sk: Option<SortKey<'_>>,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&*self.table)
                .consistent_read(true)
                .expression_attribute_values(":pk", s(pk.clone()))
                .set_projection_expression(projection.map(str::to_owned))
                .set_exclusive_start_key(start.take());
            q = match sk {
                Some(SortKey::Prefix(prefix)) => q
                    .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
                    .expression_attribute_values(":sk", s(prefix)),
                Some(SortKey::From(first)) => q
                    .key_condition_expression("pk = :pk AND sk >= :sk")
                    .expression_attribute_values(":sk", s(first)),
                None => q.key_condition_expression("pk = :pk"),
            };
            let out = q
                .send()
                .await
                .map_err(|e| StoreError::unavailable("query", e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Runs an update on the session item under `condition`; false when the condition failed.
    async fn update_session(
        &self,
        id: BotId,
        expr: Expr,
        condition: String,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s(SESSION_SK))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::unavailable("update session", e)),
        }
    }

    /// Reads a delivery claim's outcome when the conditional claim failed.
    async fn claim_outcome(
        &self,
        id: BotId,
        busy: impl Fn(&Session) -> bool,
    ) -> Result<Claim, StoreError> {
        Ok(match self.get_session(id).await? {
            Some(session) if busy(&session) => Claim::Busy,
            _ => Claim::Done,
        })
    }
}
