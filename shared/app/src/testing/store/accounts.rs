//! The in-memory store's API keys and account settings.

use super::MemStore;
use crate::ports::*;
use domain::api_keys::{KeyId, KeyInfo, KeyRevoked};
use domain::limits::{minute_window, seconds_to_next_minute, LimitExceeded};
use domain::signing::PreviousSecret;
use domain::webhook_endpoint::WebhookEndpoint;
use domain::{AccountId, ApiKey, WebhookSecret};
use time::OffsetDateTime;

impl ApiKeyStore for MemStore {
    async fn create_key(
        &self,
        account: &AccountId,
        key: &ApiKey,
        info: &KeyInfo,
        limit: Option<u32>,
    ) -> Result<KeyCreated, StoreError> {
        let mut state = self.0.lock().unwrap();
        let held = state
            .key_infos
            .values()
            .filter(|(a, _)| a == account)
            .count() as u32;
        if let Some(limit) = limit.filter(|limit| held >= *limit) {
            return Ok(KeyCreated::LimitReached { limit });
        }
        let hash = key.hash().as_str().to_owned();
        state.keys.insert(hash.clone(), account.clone());
        state
            .key_infos
            .insert(hash, (account.clone(), info.clone()));
        Ok(KeyCreated::Created)
    }

    async fn list_keys(&self, account: &AccountId) -> Result<Vec<KeyInfo>, StoreError> {
        let state = self.0.lock().unwrap();
        let mut keys: Vec<KeyInfo> = state
            .key_infos
            .values()
            .filter(|(a, _)| a == account)
            .map(|(_, info)| info.clone())
            .collect();
        keys.sort_by(|a, b| (a.created_at, &a.key_id).cmp(&(b.created_at, &b.key_id)));
        Ok(keys)
    }

    async fn revoke_key(
        &self,
        account: &AccountId,
        id: &KeyId,
        at: OffsetDateTime,
    ) -> Result<Option<KeyRevoked>, StoreError> {
        let mut state = self.0.lock().unwrap();
        if let Some(earlier) = state.revoked.get(&(account.clone(), id.clone())) {
            return Ok(Some(earlier.clone()));
        }
        let Some(hash) = state
            .key_infos
            .iter()
            .find(|(_, (a, info))| a == account && &info.key_id == id)
            .map(|(hash, _)| hash.clone())
        else {
            return Ok(None);
        };
        state.key_infos.remove(&hash);
        state.keys.remove(&hash);
        let receipt = KeyRevoked {
            key_id: id.clone(),
            revoked_at: at,
        };
        state
            .revoked
            .insert((account.clone(), id.clone()), receipt.clone());
        Ok(Some(receipt))
    }
}

impl AccountSettingsStore for MemStore {
    async fn account_settings(&self, account: &AccountId) -> Result<AccountSettings, StoreError> {
        let state = self.0.lock().unwrap();
        Ok(AccountSettings {
            limits: state.limits.get(account).cloned().unwrap_or_default(),
            webhook_endpoint: state.endpoints.get(account).cloned(),
        })
    }

    async fn put_webhook_endpoint(
        &self,
        account: &AccountId,
        endpoint: &WebhookEndpoint,
    ) -> Result<(), StoreError> {
        let mut state = self.0.lock().unwrap();
        state.endpoints.insert(account.clone(), endpoint.clone());
        Ok(())
    }

    async fn delete_webhook_endpoint(&self, account: &AccountId) -> Result<(), StoreError> {
        self.0.lock().unwrap().endpoints.remove(account);
        Ok(())
    }

    async fn rotate_webhook_secret(
        &self,
        account: &AccountId,
        new: &WebhookSecret,
        previous_valid_until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut state = self.0.lock().unwrap();
        let Some(old) = state.secrets.insert(account.clone(), new.clone()) else {
            state.secrets.remove(account);
            return Ok(false);
        };
        let previous = PreviousSecret {
            secret: old,
            valid_until: previous_valid_until,
        };
        state.previous_secrets.insert(account.clone(), previous);
        Ok(true)
    }

    async fn count_test_event(
        &self,
        account: &AccountId,
        at: OffsetDateTime,
        limit: u32,
    ) -> Result<Option<LimitExceeded>, StoreError> {
        let mut state = self.0.lock().unwrap();
        let count = state
            .test_events
            .entry((account.clone(), minute_window(at)))
            .or_default();
        if *count >= limit {
            return Ok(Some(LimitExceeded::TestEventsPerMinute {
                limit,
                retry_after_seconds: seconds_to_next_minute(at),
            }));
        }
        *count += 1;
        Ok(None)
    }
}
