//! A bot's metadata: the customer's own labels (`{"team": "sales", "deal": "4711"}`), given
//! at join, returned by status and the list, sent in every webhook payload, and filterable
//! in the list (`metadata.team=sales`). Bounded so it never weighs on a session item.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub const MAX_KEYS: usize = 16;
pub const MAX_KEY_CHARS: usize = 64;
pub const MAX_VALUE_CHARS: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<String, String>);

/// Why metadata was refused: a sentence naming the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidMetadata(pub String);

/// A key: 1–64 characters of `A-Z a-z 0-9 _ . -`.
pub fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl Metadata {
    /// Parses the join's `metadata` field (absent or `null`: empty).
    pub fn parse(value: Option<&Value>) -> Result<Self, InvalidMetadata> {
        let object = match value {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(Value::Object(o)) => o,
            Some(_) => {
                return Err(InvalidMetadata(
                    "Field 'metadata' must be an object of string values".into(),
                ))
            }
        };
        if object.len() > MAX_KEYS {
            return Err(InvalidMetadata(format!(
                "Field 'metadata' has {} keys; the limit is {MAX_KEYS}",
                object.len()
            )));
        }
        let mut map = BTreeMap::new();
        for (key, value) in object {
            if !valid_key(key) {
                let shown: String = key.chars().take(MAX_KEY_CHARS).collect();
                return Err(InvalidMetadata(format!(
                    "Field 'metadata' has the key '{}': keys are 1-64 characters of A-Z, a-z, 0-9, '_', '.' and '-'",
                    shown.escape_default()
                )));
            }
            match value {
                Value::String(s) if s.chars().count() <= MAX_VALUE_CHARS => {
                    map.insert(key.clone(), s.clone());
                }
                Value::String(_) => {
                    return Err(InvalidMetadata(format!(
                        "Field 'metadata.{key}' is longer than {MAX_VALUE_CHARS} characters"
                    )))
                }
                _ => {
                    return Err(InvalidMetadata(format!(
                        "Field 'metadata.{key}' must be a string"
                    )))
                }
            }
        }
        Ok(Self(map))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_within_the_limits_are_kept() {
        let m = Metadata::parse(Some(
            &json!({"team": "sales", "deal.id": "4711", "A_b-9": ""}),
        ))
        .unwrap();
        assert_eq!(m.get("team"), Some("sales"));
        assert_eq!(m.iter().count(), 3);
        assert!(Metadata::parse(None).unwrap().is_empty());
        assert!(Metadata::parse(Some(&json!(null))).unwrap().is_empty());
    }

    #[test]
    fn every_refusal_names_the_field() {
        let many: serde_json::Map<String, Value> =
            (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
        for (value, expect) in [
            (json!("x"), "Field 'metadata' must be an object"),
            (json!([1]), "Field 'metadata' must be an object"),
            (Value::Object(many), "has 17 keys; the limit is 16"),
            (json!({"": "v"}), "has the key ''"),
            (json!({"a b": "v"}), "has the key 'a b'"),
            (json!({"x".repeat(65): "v"}), "keys are 1-64 characters"),
            (json!({"k": 1}), "Field 'metadata.k' must be a string"),
            (
                json!({"k": {"nested": "v"}}),
                "Field 'metadata.k' must be a string",
            ),
            (
                json!({"k": "v".repeat(501)}),
                "Field 'metadata.k' is longer than 500",
            ),
        ] {
            let e = Metadata::parse(Some(&value)).unwrap_err().0;
            assert!(e.contains(expect), "{value}: {e}");
        }
    }
}
