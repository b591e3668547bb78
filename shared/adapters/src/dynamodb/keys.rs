//! The key schema. One table; every item of a bot shares the partition `BOT#<id>`, so the
//! status endpoint reads a finished session in one query.
//!
//! | pk                          | sk                          | what                         |
//! |-----------------------------|-----------------------------|------------------------------|
//! | `APIKEY#<sha256 hex>`       | `APIKEY`                    | `account_id`, `key_id`       |
//! | `ACCOUNT#<name>`            | `ACCOUNT`                   | `webhook_secret_sealed` (KMS ciphertext; `webhook_secret_previous_sealed` during a rotation), `limits`, `active_bots`, `webhook_endpoint`, `key_count` |
//! | `ACCOUNT#<name>`            | `KEY#<key_id>`              | `prefix`, `created_at`, `last_used_at`, `key_hash` |
//! | `ACCOUNT#<name>`            | `REVOKED#<key_id>`          | the revocation's receipt, TTL |
//! | `LIMIT#<acct>#joins#<min>`  | `LIMIT`                     | joins in that minute, TTL    |
//! | `LIMIT#<acct>#tests#<min>`  | `LIMIT`                     | test events in that minute, TTL |
//! | `LIMIT#<acct>#emails#<day>` | `LIMIT`                     | emails that day, TTL         |
//! | `IDEMPOTENCY#<acct>#<hash>` | `IDEMPOTENCY`               | `bot_id`, `fingerprint`, TTL |
//! | `BOT#<uuid>`                | `SESSION`                   | the session (phase, checkpoints) |
//! | `BOT#<uuid>`                | `TRANSCRIPT#<exit>#<nnnn>`  | gzip'd JSON segments, ≤300 KB a chunk |
//! | `BOT#<uuid>`                | `RESULT`                    | gzip'd JSON Q&A pairs and insights |

use aws_sdk_dynamodb::types::AttributeValue;
use domain::api_keys::KeyId;
use domain::{AccountId, ApiKeyHash, BotId};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub(super) type Item = HashMap<String, AttributeValue>;

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

pub(super) const APIKEY_SK: &str = "APIKEY";
pub(super) const ACCOUNT_SK: &str = "ACCOUNT";
pub(super) const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
pub(super) const SESSION_SK: &str = "SESSION";
pub(super) const RESULT_SK: &str = "RESULT";
pub(super) const TRANSCRIPT_SK_PREFIX: &str = "TRANSCRIPT#";
pub(super) const INSIGHTS_SK_PREFIX: &str = "INSIGHTS#";

/// An earlier version of the insights (the latest is `RESULT`); sorts before `RESULT`, so
/// the status route's query from `RESULT` on never reads it.
pub(super) fn insights_sk(version: u32) -> String {
    format!("{INSIGHTS_SK_PREFIX}v{version:04}")
}

/// The table's TTL attribute (Unix seconds): DynamoDB removes an item some time after it.
pub(super) const TTL_ATTRIBUTE: &str = "expires_at";

pub(super) fn api_key_pk(key: &ApiKeyHash) -> String {
    format!("APIKEY#{}", key.as_str())
}

pub(super) fn account_pk(account: &AccountId) -> String {
    format!("ACCOUNT#{account}")
}

/// An account's key as the account sees it (in the account's partition, so the account's
/// keys are one query).
pub(super) fn key_sk(id: &KeyId) -> String {
    format!("{KEY_SK_PREFIX}{id}")
}

pub(super) const KEY_SK_PREFIX: &str = "KEY#";

/// The receipt of a revoked key, kept a while so a repeated revocation answers it.
pub(super) fn revoked_sk(id: &KeyId) -> String {
    format!("REVOKED#{id}")
}

/// The key itself is hashed: it is the customer's text, of any length and content.
pub(super) fn idempotency_pk(account: &AccountId, key: &str) -> String {
    format!(
        "IDEMPOTENCY#{account}#{}",
        hex::encode(Sha256::digest(key.as_bytes()))
    )
}

pub(super) fn bot_pk(id: BotId) -> String {
    format!("BOT#{id}")
}

/// The prefix of every chunk of one exit's transcript.
pub(super) fn transcript_prefix(exit_id: &str) -> String {
    format!("{TRANSCRIPT_SK_PREFIX}{exit_id}#")
}

pub(super) fn transcript_sk(exit_id: &str, chunk: u32) -> String {
    format!("{TRANSCRIPT_SK_PREFIX}{exit_id}#{chunk:04}")
}

pub(super) const LIMIT_SK: &str = "LIMIT";

/// The counter of an account's joins in one minute window (with a TTL).
pub(super) fn joins_pk(account: &AccountId, minute: i64) -> String {
    format!("LIMIT#{account}#joins#{minute}")
}

/// The counter of an account's test events in one minute window (with a TTL).
pub(super) fn test_events_pk(account: &AccountId, minute: i64) -> String {
    format!("LIMIT#{account}#tests#{minute}")
}

/// The counter of an account's result emails on one UTC day (with a TTL).
pub(super) fn emails_pk(account: &AccountId, day: &str) -> String {
    format!("LIMIT#{account}#emails#{day}")
}
