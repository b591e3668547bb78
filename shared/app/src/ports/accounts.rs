//! API keys and account settings.

use super::StoreError;
use domain::{AccountId, ApiKeyHash, WebhookSecret};
use std::future::Future;

pub trait Accounts: Send + Sync {
    /// The account an API key (by its hash) belongs to; `None` for an unknown key.
    fn account_for_key(
        &self,
        key: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<AccountId>, StoreError>> + Send;

    fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<Option<WebhookSecret>, StoreError>> + Send;
}
