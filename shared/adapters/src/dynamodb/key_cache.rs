//! API-key lookups remembered per container for a short time, so a busy warm function does
//! not read DynamoDB for the key on every request.
//!
//! Only keys that were found are remembered: a key created a moment ago works at once.
//! The price is revocation: a revoked key keeps working in a container that already saw
//! it for at most the time to live (`API_KEY_CACHE_SECONDS`, default 60; 0 turns the
//! cache off); the container that revokes it forgets it at once ([`KeyCache::remove`]).
//! Entries are bounded; when full, the cache starts over.

use domain::api_keys::KeyId;
use domain::{AccountId, ApiKeyHash};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept at most; a container serves one request at a time, so this is plenty.
const MAX_ENTRIES: usize = 1024;

#[derive(Debug)]
pub struct KeyCache {
    ttl: Duration,
    entries: Mutex<HashMap<ApiKeyHash, (KeyOwner, Instant)>>,
}

/// Whose a key is: the account, and the key's id (keys created before ids existed have
/// none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOwner {
    pub account: AccountId,
    pub key_id: Option<KeyId>,
}

impl KeyCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    /// The owner of a key seen less than the time to live before `now`.
    pub fn get(&self, key: &ApiKeyHash, now: Instant) -> Option<KeyOwner> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, seen)| now.saturating_duration_since(*seen) < self.ttl)
            .map(|(account, _)| account.clone())
    }

    pub fn put(&self, key: ApiKeyHash, owner: KeyOwner, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (owner, now));
    }

    /// Forgets a key (it was revoked here): the next lookup asks the store.
    pub fn remove(&self, key: &ApiKeyHash) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ApiKey;

    fn key() -> ApiKeyHash {
        ApiKey::generate().hash()
    }

    fn owner(account: &str) -> KeyOwner {
        KeyOwner {
            account: AccountId::parse(account).unwrap(),
            key_id: Some(KeyId::generate()),
        }
    }

    #[test]
    fn a_found_key_is_remembered_until_its_time_to_live_passes() {
        let cache = KeyCache::new(Duration::from_secs(60));
        let (k, acme, t0) = (key(), owner("acme"), Instant::now());
        assert_eq!(cache.get(&k, t0), None);
        cache.put(k.clone(), acme.clone(), t0);
        assert_eq!(cache.get(&k, t0 + Duration::from_secs(59)), Some(acme));
        assert_eq!(
            cache.get(&k, t0 + Duration::from_secs(60)),
            None,
            "after the time to live the store is asked again (revocation takes effect)"
        );
        assert_eq!(
            cache.get(&key(), t0),
            None,
            "another key is not confused with it"
        );
    }

    #[test]
    fn a_zero_time_to_live_turns_the_cache_off() {
        let cache = KeyCache::new(Duration::ZERO);
        let (k, t0) = (key(), Instant::now());
        cache.put(k.clone(), owner("acme"), t0);
        assert_eq!(cache.get(&k, t0), None);
    }

    #[test]
    fn a_removed_key_is_forgotten_at_once() {
        let cache = KeyCache::new(Duration::from_secs(60));
        let (k, other, t0) = (key(), key(), Instant::now());
        cache.put(k.clone(), owner("acme"), t0);
        cache.put(other.clone(), owner("acme"), t0);
        cache.remove(&k);
        assert_eq!(cache.get(&k, t0), None);
        assert!(
            cache.get(&other, t0).is_some(),
            "only that key is forgotten"
        );
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = KeyCache::new(Duration::from_secs(60));
        let t0 = Instant::now();
        let acme = owner("acme");
        for _ in 0..MAX_ENTRIES * 3 {
            cache.put(key(), acme.clone(), t0);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
