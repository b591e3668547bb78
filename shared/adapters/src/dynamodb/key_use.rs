//! When this process last wrote each key's `last_used_at`, so a busy container writes it at
//! most once a minute per key instead of on every request. Across containers the write is
//! conditional on the stored value being a minute old ([`super::api_keys`]), so many
//! containers seeing one key still write about once a minute between them.
//! Entries are bounded; when full, the tracker starts over (at worst one extra write).

use domain::api_keys::{KeyId, LAST_USED_RESOLUTION_SECONDS};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_ENTRIES: usize = 1024;
const RESOLUTION: Duration = Duration::from_secs(LAST_USED_RESOLUTION_SECONDS as u64);

#[derive(Debug, Default)]
pub struct KeyUse {
    written: Mutex<HashMap<KeyId, Instant>>,
}

impl KeyUse {
    /// Whether the key's use is due to be written at `now`; if so, it counts as written.
    pub fn due(&self, key: &KeyId, now: Instant) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(last) = written.get(key) {
            if now.saturating_duration_since(*last) < RESOLUTION {
                return false;
            }
        }
        if written.len() >= MAX_ENTRIES && !written.contains_key(key) {
            written.clear();
        }
        written.insert(key.clone(), now);
        true
    }

    pub fn forget(&self, key: &KeyId) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_due_once_a_minute() {
        let uses = KeyUse::default();
        let (k, t0) = (KeyId::generate(), Instant::now());
        assert!(uses.due(&k, t0), "first use");
        assert!(!uses.due(&k, t0 + Duration::from_secs(1)));
        assert!(!uses.due(&k, t0 + Duration::from_secs(59)));
        assert!(uses.due(&k, t0 + Duration::from_secs(60)));
        assert!(uses.due(&KeyId::generate(), t0), "each key on its own");
    }

    #[test]
    fn the_tracker_stays_bounded() {
        let uses = KeyUse::default();
        let t0 = Instant::now();
        for _ in 0..MAX_ENTRIES * 3 {
            uses.due(&KeyId::generate(), t0);
        }
        assert!(uses.written.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
