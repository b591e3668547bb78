//! An account's API keys as it manages them: created (only the key's hash is stored, with
//! its id and prefix), listed, revoked. Looking a key up is [`super::Accounts`]'s.

use super::StoreError;
use domain::api_keys::{KeyId, KeyInfo, KeyRevoked};
use domain::{AccountId, ApiKey};
use std::future::Future;
use time::OffsetDateTime;

/// Whether a key was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCreated {
    Created,
    /// The account holds `limit` keys already; nothing was stored.
    LimitReached {
        limit: u32,
    },
}

pub trait ApiKeyStore: Send + Sync {
    /// Stores `key` (its hash) for the account as `info` describes it, unless the account
    /// holds `limit` keys already (`None`: no limit, the operator's tools). The account
    /// must exist. The one way a key comes to be.
    fn create_key(
        &self,
        account: &AccountId,
        key: &ApiKey,
        info: &KeyInfo,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<KeyCreated, StoreError>> + Send;

    /// The account's keys, oldest first (revoked ones are not listed).
    fn list_keys(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Vec<KeyInfo>, StoreError>> + Send;

    /// Revokes the account's key `id` at `at`: it stops working at once in this process
    /// and within the key cache's time everywhere. A key revoked earlier answers its first
    /// receipt; `None` when the account has no such key.
    fn revoke_key(
        &self,
        account: &AccountId,
        id: &KeyId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<KeyRevoked>, StoreError>> + Send;
}
