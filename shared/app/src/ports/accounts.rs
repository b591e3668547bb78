//! API keys and account settings.

use super::StoreError;
use domain::limits::AccountLimits;
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

    fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<WebhookSecret>, StoreError>> + Send;
}
