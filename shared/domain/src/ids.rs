//! Bot ids are UUIDs; anything else is refused at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BotId(Uuid);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "'{0}' is not a valid bot id: expected a UUID such as 258b06fc-6bc9-4261-9f29-bc8a4474af0a"
)]
pub struct InvalidBotId(pub String);

impl BotId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// Accepts only the canonical hyphenated form (36 characters), case-insensitive.
    /// Braced, URN and simple forms are refused so one bot has exactly one spelling.
    pub fn parse(s: &str) -> Result<Self, InvalidBotId> {
        let shown: String = s.chars().take(64).collect();
        if s.len() != 36 {
            return Err(InvalidBotId(shown));
        }
        Uuid::try_parse(s)
            .map(Self)
            .map_err(|_| InvalidBotId(shown))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for BotId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for BotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl TryFrom<String> for BotId {
    type Error = InvalidBotId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BotId> for String {
    fn from(id: BotId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uuid_is_accepted_and_printed_lowercase() {
        let id = BotId::parse("258B06FC-6BC9-4261-9F29-BC8A4474AF0A").unwrap();
        assert_eq!(id.to_string(), "258b06fc-6bc9-4261-9f29-bc8a4474af0a");
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "abc",
            "258b06fc6bc942619f29bc8a4474af0a",
            "{258b06fc-6bc9-4261-9f29-bc8a4474af0a}",
            "../../etc/passwd",
            "258b06fc-6bc9-4261-9f29-bc8a4474af0g",
            "258b06fc-6bc9-4261-9f29-bc8a4474af0a/..",
        ] {
            assert!(BotId::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
