//! Accounts and their secrets. API keys and bot secrets are stored only as SHA-256 hashes;
//! the plain value is shown once, when it is created.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// An account name: 1–64 characters of `a-z`, `0-9`, `-`, `_`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid account name '{0}': use 1-64 characters of a-z, 0-9, '-' and '_'")]
pub struct InvalidAccountId(pub String);

impl AccountId {
    pub fn parse(s: &str) -> Result<Self, InvalidAccountId> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidAccountId(s.chars().take(64).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountId {
    type Error = InvalidAccountId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AccountId> for String {
    fn from(a: AccountId) -> String {
        a.0
    }
}

/// A customer's API key as presented in `Authorization: Bearer <key>`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

const API_KEY_PREFIX: &str = "pfk_";

impl ApiKey {
    /// A new key: `pfk_` followed by 32 random bytes in URL-safe base64.
    pub fn generate() -> Self {
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        Self(format!("{API_KEY_PREFIX}{body}"))
    }

    /// Any token of visible ASCII up to 256 characters can be looked up; whether it is a
    /// key is decided by the store. Longer or binary tokens are refused without a lookup.
    pub fn parse(token: &str) -> Option<Self> {
        let ok =
            !token.is_empty() && token.len() <= 256 && token.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(token.to_owned()))
    }

    pub fn hash(&self) -> ApiKeyHash {
        ApiKeyHash(sha256_hex(&self.0))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// Hex SHA-256 of an API key: the only form in which keys are stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiKeyHash(String);

impl ApiKeyHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A hash as the store holds it (to forget a revoked key in a cache).
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// The per-bot secret the bot runtime uses to report its exit. Stored as a hash.
#[derive(Clone, PartialEq, Eq)]
pub struct BotSecret(String);

impl BotSecret {
    pub fn generate() -> Self {
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        Self(format!("pfb_{body}"))
    }

    pub fn from_presented(token: &str) -> Self {
        Self(token.to_owned())
    }

    pub fn hash(&self) -> String {
        sha256_hex(&self.0)
    }

    /// Constant-time comparison of this secret's hash with a stored hash.
    pub fn matches(&self, stored_hash: &str) -> bool {
        let presented = self.hash();
        presented.as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BotSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BotSecret(***)")
    }
}

/// A Standard Webhooks signing secret, `whsec_` + base64 of 32 random bytes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn generate() -> Self {
        let body = base64::engine::general_purpose::STANDARD.encode(random_bytes::<32>());
        Self(format!("whsec_{body}"))
    }

    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_unique_and_hash_to_64_hex_chars() {
        let a = ApiKey::generate();
        let b = ApiKey::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("pfk_"));
        assert_eq!(a.hash().as_str().len(), 64);
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn key_debug_output_hides_the_key() {
        let key = ApiKey::generate();
        assert!(!format!("{key:?}").contains(key.expose()));
    }

    #[test]
    fn tokens_with_spaces_or_controls_are_not_keys() {
        assert!(ApiKey::parse("").is_none());
        assert!(ApiKey::parse("a b").is_none());
        assert!(ApiKey::parse("a\r\nb").is_none());
        assert!(ApiKey::parse(&"x".repeat(257)).is_none());
        assert!(ApiKey::parse("pfk_abc").is_some());
    }

    #[test]
    fn bot_secret_matches_only_its_own_hash() {
        let secret = BotSecret::generate();
        let other = BotSecret::generate();
        assert!(secret.matches(&secret.hash()));
        assert!(!other.matches(&secret.hash()));
        assert!(!BotSecret::from_presented("").matches(&secret.hash()));
    }

    #[test]
    fn account_names_are_restricted() {
        assert!(AccountId::parse("acme-1").is_ok());
        assert!(AccountId::parse("").is_err());
        assert!(AccountId::parse("Acme").is_err());
        assert!(AccountId::parse("a/b").is_err());
    }

    #[test]
    fn webhook_secret_is_a_valid_standard_webhooks_secret() {
        let secret = WebhookSecret::generate();
        assert!(secret.expose().starts_with("whsec_"));
        standardwebhooks::Webhook::new(secret.expose()).unwrap();
    }
}
