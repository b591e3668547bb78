//! What an account has set for itself, read in one go: its limits and its webhook
//! endpoint. Also the per-minute counter of its test events.

use super::StoreError;
use domain::limits::{AccountLimits, LimitExceeded};
use domain::webhook_endpoint::WebhookEndpoint;
use domain::{AccountId, WebhookSecret};
use std::future::Future;
use time::OffsetDateTime;

/// The account's own settings (none set: all defaults, no endpoint).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountSettings {
    pub limits: AccountLimits,
    /// Where a join without its own `webhook_callback_url` delivers.
    pub webhook_endpoint: Option<WebhookEndpoint>,
}

pub trait AccountSettingsStore: Send + Sync {
    /// The account's limits and webhook endpoint, in one read.
    fn account_settings(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<AccountSettings, StoreError>> + Send;

    /// Sets (replaces) the account's webhook endpoint; the account must exist.
    fn put_webhook_endpoint(
        &self,
        account: &AccountId,
        endpoint: &WebhookEndpoint,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes the account's webhook endpoint, if it has one.
    fn delete_webhook_endpoint(
        &self,
        account: &AccountId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes `new` the account's signing secret and keeps the one it replaces signing until
    /// `previous_valid_until` (a previous one still in its overlap ends). Returns `false`
    /// when the account does not exist.
    fn rotate_webhook_secret(
        &self,
        account: &AccountId,
        new: &WebhookSecret,
        previous_valid_until: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Counts one test event in the minute of `at`, unless `limit` were passed: then
    /// nothing is counted and the limit is returned.
    fn count_test_event(
        &self,
        account: &AccountId,
        at: OffsetDateTime,
        limit: u32,
    ) -> impl Future<Output = Result<Option<LimitExceeded>, StoreError>> + Send;
}
