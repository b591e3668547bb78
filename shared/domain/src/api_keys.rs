//! An account's API keys as the account manages them: each has an id, a prefix it can be
//! recognised by, and when it was created and last used. The key itself is shown once,
//! when it is created; afterwards only its SHA-256 is stored (`account.rs`).

use crate::ApiKey;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// The most keys an account may hold at once: `POST /api/keys` refuses past it (409); the
/// operator's tools (`make api-key`) are not held to it.
pub const MAX_KEYS_PER_ACCOUNT: u32 = 20;

/// How long a revoked key's receipt is kept, so a repeated `DELETE /api/keys/{key_id}`
/// answers it again; afterwards the id is unknown (404).
pub const REVOKED_RECEIPT_DAYS: i64 = 30;

/// How often a key's `last_used_at` is written at most (per key, across containers).
pub const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// Characters of a key shown as its prefix: `pfk_` and the first 8 of its random part,
/// enough to tell keys apart, far too few to guess the rest.
const PREFIX_CHARS: usize = 12;

/// A key's id: `key_` and 24 lowercase hex digits. Never the key, never its hash.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a valid key id: expected key_ and 24 hex digits, such as key_3f2a9c0d1e4b5a6f7c8d9e0f")]
pub struct InvalidKeyId(pub String);

impl KeyId {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 12];
        getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
        Self(format!("key_{}", hex::encode(bytes)))
    }

    pub fn parse(s: &str) -> Result<Self, InvalidKeyId> {
        let ok = s.strip_prefix("key_").is_some_and(|digits| {
            digits.len() == 24
                && digits
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidKeyId(s.chars().take(64).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for KeyId {
    type Error = InvalidKeyId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<KeyId> for String {
    fn from(id: KeyId) -> String {
        id.0
    }
}

/// What the account sees of one of its keys (`GET /api/keys`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub key_id: KeyId,
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Updated at most once a minute; `None` until the key is first used.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl KeyInfo {
    /// A key about to be stored.
    pub fn new(key_id: KeyId, key: &ApiKey, created_at: OffsetDateTime) -> Self {
        Self {
            key_id,
            prefix: prefix_of(key),
            created_at,
            last_used_at: None,
        }
    }
}

/// The receipt of a revocation (`DELETE /api/keys/{key_id}`), the same on every repeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyRevoked {
    pub key_id: KeyId,
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
}

/// The first characters of a key (`pfk_` and 8 more), shown in place of the key.
pub fn prefix_of(key: &ApiKey) -> String {
    key.expose().chars().take(PREFIX_CHARS).collect()
}

/// Whether a key last written as used at `last` is due for another write at `now`.
pub fn last_used_is_stale(last: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    last.is_none_or(|t| now - t >= time::Duration::seconds(LAST_USED_RESOLUTION_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_and_are_unique() {
        let (a, b) = (KeyId::generate(), KeyId::generate());
        assert_ne!(a, b);
        assert_eq!(KeyId::parse(a.as_str()).unwrap(), a);
        assert_eq!(a.as_str().len(), 28);
    }

    #[test]
    fn anything_else_is_not_a_key_id() {
        for bad in [
            "",
            "key_",
            "key_3F2A9C0D1E4B5A6F7C8D9E0F",
            "key_3f2a9c0d1e4b5a6f7c8d9e0",
            "key_3f2a9c0d1e4b5a6f7c8d9e0f0",
            "pfk_3f2a9c0d1e4b5a6f7c8d9e0f",
            "key_3f2a9c0d1e4b5a6f7c8d9e0g",
            "key_../../3f2a9c0d1e4b5a6f7c",
        ] {
            assert!(KeyId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_prefix_is_short_and_never_the_key() {
        let key = ApiKey::generate();
        let prefix = prefix_of(&key);
        assert!(prefix.starts_with("pfk_"));
        assert_eq!(prefix.len(), 12);
        assert!(key.expose().len() > 40);
        let info = KeyInfo::new(KeyId::generate(), &key, crate::now());
        let shown = serde_json::to_string(&info).unwrap();
        assert!(!shown.contains(key.expose()));
        assert!(!shown.contains(key.hash().as_str()));
    }

    #[test]
    fn last_used_is_written_at_most_once_a_minute() {
        let t0 = crate::now();
        assert!(last_used_is_stale(None, t0));
        assert!(!last_used_is_stale(
            Some(t0),
            t0 + time::Duration::seconds(59)
        ));
        assert!(last_used_is_stale(
            Some(t0),
            t0 + time::Duration::seconds(60)
        ));
    }
}
