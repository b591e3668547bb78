//! DynamoDB: one table holds accounts, API key hashes, idempotency records, sessions, their
//! transcripts and results. Every item of a bot shares the partition `BOT#<id>`, so the
//! status endpoint reads a finished session in one query.
//!
//! | pk                          | sk                          | what                         |
//! |-----------------------------|-----------------------------|------------------------------|
//! | `APIKEY#<sha256 hex>`       | `APIKEY`                    | `account_id`                 |
//! | `ACCOUNT#<name>`            | `ACCOUNT`                   | `webhook_secret`             |
//! | `IDEMPOTENCY#<acct>#<hash>` | `IDEMPOTENCY`               | `bot_id`, `fingerprint`, TTL |
//! | `BOT#<uuid>`                | `SESSION`                   | the session (phase, checkpoints) |
//! | `BOT#<uuid>`                | `TRANSCRIPT#<exit>#<nnnn>`  | gzip'd JSON segments, ≤300 KB a chunk |
//! | `BOT#<uuid>`                | `RESULT`                    | gzip'd JSON Q&A pairs and insights |

use super::key_cache::KeyCache;
use super::sdk_message;

use app::ports::{
    Accounts, Claim, CreateOutcome, Finish, IdempotencyClaim, RecordExit, SessionStore,
    SessionView, StoreError,
};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use domain::insights::Analysis;
use domain::session::{EmailDelivery, ExitRecord, WebhookAttempt, WebhookDelivery};
use domain::{
    now, AccountId, ApiKey, ApiKeyHash, BotId, Phase, Session, Transcript, WebhookSecret,
};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

type Item = HashMap<String, AttributeValue>;

/// Compressed transcript bytes per item: well under DynamoDB's 400 KB item limit.
pub const TRANSCRIPT_CHUNK_BYTES: usize = 300 * 1024;
/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
    keys: Option<Arc<KeyCache>>,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn bot_pk(id: BotId) -> String {
    format!("BOT#{id}")
}

fn unavailable<E: std::error::Error + 'static>(what: &str, e: E) -> StoreError {
    StoreError::Unavailable(format!("{what}: {}", sdk_message(&e)))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn to_av<T: serde::Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| corrupt("serialise", e))
}

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(6),
    );
    enc.write_all(bytes).expect("writing to memory cannot fail");
    enc.finish().expect("writing to memory cannot fail")
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(bytes.len() * 4);
    GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| corrupt("gunzip", e))?;
    Ok(out)
}

/// An update expression built from named parts, every attribute name behind a `#`
/// placeholder so reserved words never matter.
#[derive(Default)]
struct Expr {
    sets: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, attr: &str) -> String {
        let key = format!("#{attr}");
        self.names.insert(key.clone(), attr.to_owned());
        key
    }

    fn value(&mut self, key: &str, v: AttributeValue) -> String {
        let key = format!(":{key}");
        self.values.insert(key.clone(), v);
        key
    }

    fn set(mut self, attr: &str, v: AttributeValue) -> Self {
        let (name, value) = (self.name(attr), self.value(attr, v));
        self.sets.push(format!("{name} = {value}"));
        self
    }

    /// `#phase IN (:p0, :p1, ...)`
    fn phase_in(&mut self, phases: &[Phase]) -> String {
        let name = self.name("phase");
        let values: Vec<String> = phases
            .iter()
            .enumerate()
            .map(|(i, p)| self.value(&format!("from{i}"), s(p.as_str())))
            .collect();
        format!("{name} IN ({})", values.join(", "))
    }

    fn update_expression(&self) -> String {
        format!("SET {}", self.sets.join(", "))
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
            keys: None,
        }
    }

    /// Remembers found API keys for `ttl` (see [`KeyCache`] for what that means for
    /// revocation). A zero `ttl` keeps every lookup going to the table.
    pub fn with_key_cache(mut self, ttl: std::time::Duration) -> Self {
        self.keys = (!ttl.is_zero()).then(|| Arc::new(KeyCache::new(ttl)));
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the account if needed and a new API key for it; only the key's hash is stored.
    pub async fn create_api_key(&self, account: &AccountId) -> Result<ApiKey, StoreError> {
        self.ensure_account(account).await?;
        let key = ApiKey::generate();
        self.client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(format!("APIKEY#{}", key.hash().as_str())))
            .item("sk", s("APIKEY"))
            .item("account_id", s(account.as_str()))
            .item("created_at", s(domain::rfc3339::format(now())))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| unavailable("put api key", e))?;
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
            .item("pk", s(format!("ACCOUNT#{account}")))
            .item("sk", s("ACCOUNT"))
            .item("account_id", s(account.as_str()))
            .item("webhook_secret", s(secret.expose()))
            .item("created_at", s(domain::rfc3339::format(now())))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(secret),
            // Created concurrently: the first writer's secret stands.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                self.webhook_secret(account)
                    .await?
                    .ok_or_else(|| corrupt("account", "vanished after creation"))
            }
            Err(e) => Err(unavailable("put account", e)),
        }
    }

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
            .map_err(|e| unavailable("get item", e))?;
        Ok(out.item)
    }

    async fn query_partition(
        &self,
        pk: String,
        sk_prefix: Option<&str>,
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
                .set_exclusive_start_key(start.take());
            q = match sk_prefix {
                Some(prefix) => q
                    .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", s(prefix)),
                None => q.key_condition_expression("pk = :pk"),
            };
            let out = q.send().await.map_err(|e| unavailable("query", e))?;
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
            .key("sk", s("SESSION"))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("update session", e)),
        }
    }

    fn session_item(session: &Session) -> Result<Item, StoreError> {
        let mut item: Item =
            serde_dynamo::to_item(session).map_err(|e| corrupt("serialise session", e))?;
        item.insert("pk".into(), s(bot_pk(session.bot_id)));
        item.insert("sk".into(), s("SESSION"));
        Ok(item)
    }

    fn parse_session(item: Item) -> Result<Session, StoreError> {
        serde_dynamo::from_item(item).map_err(|e| corrupt("session item", e))
    }

    fn blob(item: &Item, attr: &str) -> Result<Vec<u8>, StoreError> {
        match item.get(attr) {
            Some(AttributeValue::B(b)) => Ok(b.as_ref().to_vec()),
            _ => Err(corrupt("item", format!("attribute {attr} is not binary"))),
        }
    }

    fn decode_transcript(chunks: &[Vec<u8>]) -> Result<Transcript, StoreError> {
        let joined: Vec<u8> = chunks.concat();
        let json = gunzip(&joined)?;
        serde_json::from_slice(&json).map_err(|e| corrupt("transcript", e))
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

impl Accounts for DynamoStore {
    async fn account_for_key(&self, key: &ApiKeyHash) -> Result<Option<AccountId>, StoreError> {
        if let Some(account) = self.keys.as_ref().and_then(|c| c.get(key, Instant::now())) {
            return Ok(Some(account));
        }
        let Some(item) = self
            .get(format!("APIKEY#{}", key.as_str()), "APIKEY")
            .await?
        else {
            return Ok(None);
        };
        let account = match item.get("account_id") {
            Some(AttributeValue::S(a)) => AccountId::parse(a).map_err(|e| corrupt("api key", e))?,
            _ => return Err(corrupt("api key", "missing account_id")),
        };
        if let Some(cache) = &self.keys {
            cache.put(key.clone(), account.clone(), Instant::now());
        }
        Ok(Some(account))
    }

    async fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        let Some(item) = self.get(format!("ACCOUNT#{account}"), "ACCOUNT").await? else {
            return Ok(None);
        };
        match item.get("webhook_secret") {
            Some(AttributeValue::S(secret)) => Ok(Some(WebhookSecret::from_stored(secret.clone()))),
            _ => Err(corrupt("account", "missing webhook_secret")),
        }
    }
}

impl SessionStore for DynamoStore {
    async fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<CreateOutcome, StoreError> {
        let item = Self::session_item(session)?;
        let Some(claim) = claim else {
            self.client
                .put_item()
                .table_name(&*self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
                .map_err(|e| unavailable("put session", e))?;
            return Ok(CreateOutcome::Created);
        };

        let session_put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| corrupt("build put", e))?;
        let idem_pk = format!(
            "IDEMPOTENCY#{}#{}",
            claim.account,
            hex::encode(Sha256::digest(claim.key.as_bytes()))
        );
        let idem_put = Put::builder()
            .table_name(&*self.table)
            .item("pk", s(idem_pk.clone()))
            .item("sk", s("IDEMPOTENCY"))
            .item("bot_id", s(claim.bot_id.to_string()))
            .item("fingerprint", s(claim.fingerprint.clone()))
            .item(
                "expires_at",
                n(now().unix_timestamp() + IDEMPOTENCY_TTL_SECONDS),
            )
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| corrupt("build put", e))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(idem_put).build())
            .transact_items(TransactWriteItem::builder().put(session_put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(CreateOutcome::Created),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception()) =>
            {
                // The key was claimed before: answer with what it created.
                let item = self
                    .get(idem_pk, "IDEMPOTENCY")
                    .await?
                    .ok_or_else(|| unavailable("create session", e))?;
                let field = |name: &str| match item.get(name) {
                    Some(AttributeValue::S(v)) => Ok(v.clone()),
                    _ => Err(corrupt("idempotency record", format!("missing {name}"))),
                };
                let bot_id = BotId::parse(&field("bot_id")?)
                    .map_err(|e| corrupt("idempotency record", e))?;
                Ok(CreateOutcome::Replayed {
                    bot_id,
                    fingerprint: field("fingerprint")?,
                })
            }
            Err(e) => Err(unavailable("create session", e)),
        }
    }

    async fn get_session(&self, id: BotId) -> Result<Option<Session>, StoreError> {
        self.get(bot_pk(id), "SESSION")
            .await?
            .map(Self::parse_session)
            .transpose()
    }

    async fn get_view(&self, id: BotId) -> Result<Option<SessionView>, StoreError> {
        let items = self.query_partition(bot_pk(id), None).await?;
        let mut session = None;
        let mut result = None;
        let mut chunks: Vec<(String, Item)> = Vec::new();
        for item in items {
            let sk = match item.get("sk") {
                Some(AttributeValue::S(sk)) => sk.clone(),
                _ => continue,
            };
            match sk.as_str() {
                "SESSION" => session = Some(Self::parse_session(item)?),
                "RESULT" => result = Some(item),
                _ if sk.starts_with("TRANSCRIPT#") => chunks.push((sk, item)),
                _ => {}
            }
        }
        let Some(session) = session else {
            return Ok(None);
        };
        let transcript = match &session.exit {
            Some(exit) => {
                let prefix = format!("TRANSCRIPT#{}#", exit.exit_id);
                chunks.retain(|(sk, _)| sk.starts_with(&prefix));
                chunks.sort_by(|a, b| a.0.cmp(&b.0));
                if chunks.len() == exit.chunks as usize {
                    let bytes = chunks
                        .iter()
                        .map(|(_, item)| Self::blob(item, "data"))
                        .collect::<Result<Vec<_>, _>>()?;
                    Some(Self::decode_transcript(&bytes)?)
                } else {
                    None
                }
            }
            None => None,
        };
        let analysis = match result {
            Some(item) => {
                let json = gunzip(&Self::blob(&item, "data")?)?;
                Some(serde_json::from_slice::<Analysis>(&json).map_err(|e| corrupt("result", e))?)
            }
            None => None,
        };
        Ok(Some(SessionView {
            session,
            transcript,
            analysis,
        }))
    }

    async fn mark_started(
        &self,
        id: BotId,
        runtime_session_id: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut expr = Expr::default()
            .set("phase", s(Phase::InCall.as_str()))
            .set("started_at", to_av(&domain::rfc3339::format(at))?)
            .set("runtime_session_id", s(runtime_session_id));
        let condition = expr.phase_in(&[Phase::Joining]);
        self.update_session(id, expr, condition).await
    }

    async fn request_leave(&self, id: BotId, at: OffsetDateTime) -> Result<bool, StoreError> {
        let mut expr = Expr::default()
            .set("phase", s(Phase::Leaving.as_str()))
            .set("leave_requested_at", s(domain::rfc3339::format(at)))
            .set("leave_enqueued", AttributeValue::Bool(false));
        let condition = expr.phase_in(&[Phase::Joining, Phase::InCall]);
        self.update_session(id, expr, condition).await
    }

    async fn mark_leave_enqueued(&self, id: BotId) -> Result<(), StoreError> {
        let expr = Expr::default().set("leave_enqueued", AttributeValue::Bool(true));
        self.update_session(id, expr, "attribute_exists(pk)".into())
            .await
            .map(|_| ())
    }

    async fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
    ) -> Result<u32, StoreError> {
        let json =
            serde_json::to_vec(transcript).map_err(|e| corrupt("serialise transcript", e))?;
        let compressed = gzip(&json);
        let chunks: Vec<&[u8]> = compressed.chunks(TRANSCRIPT_CHUNK_BYTES).collect();
        let total = chunks.len() as u32;
        for (i, chunk) in chunks.into_iter().enumerate() {
            self.client
                .put_item()
                .table_name(&*self.table)
                .item("pk", s(bot_pk(id)))
                .item("sk", s(format!("TRANSCRIPT#{exit_id}#{i:04}")))
                .item("data", AttributeValue::B(Blob::new(chunk.to_vec())))
                .item("chunk", n(i))
                .item("chunks", n(total))
                .item("raw_bytes", n(json.len()))
                .send()
                .await
                .map_err(|e| unavailable("put transcript chunk", e))?;
        }
        Ok(total)
    }

    async fn delete_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        chunks: u32,
    ) -> Result<(), StoreError> {
        for i in 0..chunks {
            self.client
                .delete_item()
                .table_name(&*self.table)
                .key("pk", s(bot_pk(id)))
                .key("sk", s(format!("TRANSCRIPT#{exit_id}#{i:04}")))
                .send()
                .await
                .map_err(|e| unavailable("delete transcript chunk", e))?;
        }
        Ok(())
    }

    async fn record_exit(&self, id: BotId, exit: &ExitRecord) -> Result<RecordExit, StoreError> {
        let mut expr = Expr::default()
            .set("exit", to_av(exit)?)
            .set("phase", s(Phase::Processing.as_str()));
        let condition = expr.phase_in(&[Phase::Joining, Phase::InCall, Phase::Leaving]);
        if self.update_session(id, expr, condition).await? {
            return Ok(RecordExit::Recorded);
        }
        let session = self
            .get_session(id)
            .await?
            .ok_or_else(|| corrupt("record exit", "session vanished"))?;
        Ok(match &session.exit {
            Some(recorded) if recorded.exit_id == exit.exit_id => RecordExit::AlreadyRecorded,
            _ => RecordExit::Refused(session.phase),
        })
    }

    async fn load_transcript(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> Result<Transcript, StoreError> {
        let items = self
            .query_partition(bot_pk(id), Some(&format!("TRANSCRIPT#{}#", exit.exit_id)))
            .await?;
        if items.len() != exit.chunks as usize {
            return Err(corrupt(
                "transcript",
                format!("{} of {} chunks found", items.len(), exit.chunks),
            ));
        }
        let bytes = items
            .iter()
            .map(|item| Self::blob(item, "data"))
            .collect::<Result<Vec<_>, _>>()?;
        Self::decode_transcript(&bytes)
    }

    async fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> Result<bool, StoreError> {
        let mut expr = Expr::default()
            .set("phase", s(finish.phase.as_str()))
            .set("completed_at", s(domain::rfc3339::format(finish.at)))
            .set("email_delivery", to_av(&finish.email)?)
            .set("webhook_delivery", to_av(&finish.webhook)?);
        if let Some(error) = finish.error {
            expr = expr.set("error", s(error));
        }
        if let Some(e) = finish.analysis.and_then(|a| a.insights_error.as_deref()) {
            expr = expr.set("insights_error", s(e));
        }
        let condition = expr.phase_in(from);
        let update = Update::builder()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s("SESSION"))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .build()
            .map_err(|e| corrupt("build update", e))?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build());
        if let Some(analysis) = finish.analysis {
            let json = serde_json::to_vec(analysis).map_err(|e| corrupt("serialise result", e))?;
            let put = Put::builder()
                .table_name(&*self.table)
                .item("pk", s(bot_pk(id)))
                .item("sk", s("RESULT"))
                .item("data", AttributeValue::B(Blob::new(gzip(&json))))
                .build()
                .map_err(|e| corrupt("build put", e))?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        match tx.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("finish session", e)),
        }
    }

    async fn claim_email(
        &self,
        id: BotId,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let mut expr = Expr::default();
        let (d, st, lease) = (
            expr.name("email_delivery"),
            expr.name("state"),
            expr.name("lease_expires_ms"),
        );
        let (claimed, attempts) = (expr.name("claimed_at"), expr.name("attempts"));
        let pending = expr.value("pending", s("pending"));
        let sending = expr.value("sending", s("sending"));
        let now_ms = expr.value("now_ms", n(millis(now)));
        let until = expr.value("until", n(millis(lease_until)));
        let at = expr.value("at", s(domain::rfc3339::format(now)));
        let one = expr.value("one", n(1));
        expr.sets.push(format!(
            "{d}.{st} = {sending}, {d}.{lease} = {until}, {d}.{claimed} = {at}, {d}.{attempts} = {d}.{attempts} + {one}"
        ));
        let condition =
            format!("{d}.{st} = {pending} OR ({d}.{st} = {sending} AND {d}.{lease} < {now_ms})");
        if self.update_session(id, expr, condition).await? {
            return Ok(Claim::Claimed);
        }
        let now_ms = millis(now);
        self.claim_outcome(id, |s| {
            s.email_delivery.as_ref().is_some_and(|e| {
                e.state == domain::session::DeliveryState::Sending && e.lease_expires_ms >= now_ms
            })
        })
        .await
    }

    async fn record_email(&self, id: BotId, delivery: &EmailDelivery) -> Result<(), StoreError> {
        let mut expr = Expr::default().set("email_delivery", to_av(delivery)?);
        let (d, st) = (expr.name("email_delivery"), expr.name("state"));
        let sending = expr.value("sending", s("sending"));
        if !self
            .update_session(id, expr, format!("{d}.{st} = {sending}"))
            .await?
        {
            tracing::warn!(bot_id = %id, "email outcome not recorded: the claim was taken over");
        }
        Ok(())
    }

    async fn claim_webhook(
        &self,
        id: BotId,
        attempt: u32,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let mut expr = Expr::default();
        let (d, st, lease) = (
            expr.name("webhook_delivery"),
            expr.name("state"),
            expr.name("lease_expires_ms"),
        );
        let (claimed, attempts) = (expr.name("claimed_at"), expr.name("attempts"));
        let pending = expr.value("pending", s("pending"));
        let sending = expr.value("sending", s("sending"));
        let now_ms = expr.value("now_ms", n(millis(now)));
        let until = expr.value("until", n(millis(lease_until)));
        let at = expr.value("at", s(domain::rfc3339::format(now)));
        let prev = expr.value("prev", n(attempt.saturating_sub(1)));
        expr.sets.push(format!(
            "{d}.{st} = {sending}, {d}.{lease} = {until}, {d}.{claimed} = {at}"
        ));
        let condition = format!(
            "{d}.{attempts} = {prev} AND ({d}.{st} = {pending} OR ({d}.{st} = {sending} AND {d}.{lease} < {now_ms}))"
        );
        if self.update_session(id, expr, condition).await? {
            return Ok(Claim::Claimed);
        }
        let now_ms = millis(now);
        self.claim_outcome(id, |s| {
            s.webhook_delivery.as_ref().is_some_and(|w| {
                w.attempts + 1 == attempt
                    && w.state == domain::session::DeliveryState::Sending
                    && w.lease_expires_ms >= now_ms
            })
        })
        .await
    }

    async fn record_webhook_attempt(
        &self,
        id: BotId,
        attempt: &WebhookAttempt,
        delivery: &WebhookDelivery,
    ) -> Result<(), StoreError> {
        let mut expr = Expr::default().set("webhook_delivery", to_av(delivery)?);
        let (d, st, attempts) = (
            expr.name("webhook_delivery"),
            expr.name("state"),
            expr.name("attempts"),
        );
        let sending = expr.value("sending", s("sending"));
        let prev = expr.value("prev", n(attempt.attempt.saturating_sub(1)));
        let condition = format!("{d}.{st} = {sending} AND {d}.{attempts} = {prev}");
        if !self.update_session(id, expr, condition).await? {
            tracing::warn!(bot_id = %id, attempt = attempt.attempt, "webhook attempt not recorded: the claim was taken over");
        }
        Ok(())
    }
}
