//! API keys and account settings.

use super::StoreError;
use domain::limits::AccountLimits;
use domain::signing::SigningSecrets;
use domain::{AccountId, ApiKeyHash, WebhookSecret};
use std::future::Future;

pub trait Accounts: Send + Sync {
    /// The account an API key (by its hash) belongs to; `None` for an unknown key.
    fn account_for_key(
        &self,
        key: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<AccountId>, StoreError>> + Send;

    /// The limits the account has set for itself (none set: all defaults).
    fn account_limits(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<AccountLimits, StoreError>> + Send;

    /// The account's current webhook signing secret.
    fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<WebhookSecret>, StoreError>> + Send;

    /// What signs the account's deliveries: the current secret and, after a rotation, the
    /// one it replaced with the end of its overlap.
    fn signing_secrets(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<SigningSecrets>, StoreError>> + Send;
}
