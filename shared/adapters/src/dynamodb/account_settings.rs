//! What an account set for itself, on its `ACCOUNT` item ([`AccountSettingsStore`]): its
//! limits and its webhook endpoint, read in one `GetItem` (join reads both) that projects
//! only them, so a function that does not sign never holds the webhook signing secret;
//! and the per-minute counter of its test events.

use super::codec::{s, to_av};
use super::keys::{account_pk, ACCOUNT_SK};
use super::transactions::{outcome, Transaction};
use super::{condition_failed, counters, DynamoStore};
use app::ports::{AccountSettings, AccountSettingsStore, StoreError};
use domain::limits::{seconds_to_next_minute, LimitExceeded};
use domain::webhook_endpoint::WebhookEndpoint;
use domain::{AccountId, WebhookSecret};
use time::OffsetDateTime;

/// A rotation reads the current secret and replaces it if it is still current; a concurrent
/// rotation makes it read again, this many times at most.
const ROTATION_TRIES: usize = 3;

impl AccountSettingsStore for DynamoStore {
    async fn account_settings(&self, account: &AccountId) -> Result<AccountSettings, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .consistent_read(true)
            .projection_expression("#limits, #endpoint")
            .expression_attribute_names("#limits", "limits")
            .expression_attribute_names("#endpoint", "webhook_endpoint")
            .send()
            .await
            .map_err(|e| StoreError::unavailable("get account settings", e))?;
        let Some(mut item) = out.item else {
            return Ok(AccountSettings::default());
        };
        let limits = match item.remove("limits") {
            Some(limits) => serde_dynamo::from_attribute_value(limits)
                .map_err(|e| StoreError::corrupt("account limits", e))?,
            None => Default::default(),
        };
        let webhook_endpoint = item
            .remove("webhook_endpoint")
            .map(serde_dynamo::from_attribute_value)
            .transpose()
            .map_err(|e| StoreError::corrupt("webhook endpoint", e))?;
        Ok(AccountSettings {
            limits,
            webhook_endpoint,
        })
    }

    async fn put_webhook_endpoint(
        &self,
        account: &AccountId,
        endpoint: &WebhookEndpoint,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("SET webhook_endpoint = :endpoint")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":endpoint", to_av(endpoint)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(StoreError::corrupt(
                "account",
                "an endpoint was set for an account that does not exist",
            )),
            Err(e) => Err(StoreError::unavailable("put webhook endpoint", e)),
        }
    }

    /// Moves the current secret, as stored (ciphertext), to the previous slot under a
    /// condition that it is still current (a concurrent rotation makes this one read
    /// again), so the rotation never opens a secret: it needs the key's Encrypt only.
    async fn rotate_webhook_secret(
        &self,
        account: &AccountId,
        new: &WebhookSecret,
        previous_valid_until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        for _ in 0..ROTATION_TRIES {
            if let Some(done) = self
                .replace_secret(account, new, previous_valid_until)
                .await?
            {
                return Ok(done);
            }
        }
        Err(StoreError::unavailable(
            "rotate webhook secret",
            "rotated concurrently by every try",
        ))
    }

    async fn delete_webhook_endpoint(&self, account: &AccountId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("REMOVE webhook_endpoint")
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match result {
            // No account, no endpoint: nothing to remove.
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("delete webhook endpoint", e)),
        }
    }

    async fn count_test_event(
        &self,
        account: &AccountId,
        at: OffsetDateTime,
        limit: u32,
    ) -> Result<Option<LimitExceeded>, StoreError> {
        let item = counters::count_test_event(&self.table, account, at, limit)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(item)
            .send()
            .await;
        Ok(match outcome("count test event", result)? {
            Transaction::Committed => None,
            Transaction::ConditionFailed(_) => Some(LimitExceeded::TestEventsPerMinute {
                limit,
                retry_after_seconds: seconds_to_next_minute(at),
            }),
        })
    }
}
