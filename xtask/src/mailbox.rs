//! The mail the emulator's SES accepted, read from its model dump
//! (`GET {emulator}/moto-api/data.json`, `ses.RawMessage`): the one reader of that dump's
//! mail, for the load run's checks and the system tests.

use crate::local;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// One message as the emulator recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentMessage {
    pub destinations: Vec<String>,
    /// The MIME message as sent (headers and body).
    pub raw_data: Option<String>,
}

/// Reading the dump failed.
#[derive(Debug, thiserror::Error)]
#[error("reading the emulator's sent emails")]
pub struct DumpError(#[source] reqwest::Error);

/// moto builds the dump by walking its models while other requests change them, and then
/// answers 500 now and then: a few tries, a moment apart.
const DUMP_SCHEDULE: &[Duration] = &[Duration::from_millis(200), Duration::from_millis(500)];

/// Every raw message the emulator accepted, oldest first.
pub async fn sent() -> Result<Vec<SentMessage>, String> {
    // The dump holds every session and message of the run (tens of MB after 1,000 meetings):
    // a client of its own with room to be slow.
    let client = crate::local::http_builder()
        .timeout(Duration::from_secs(900))
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("{}/moto-api/data.json", local::emulator_url());
    let read = || async {
        client
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(DumpError)?
            .json::<Value>()
            .await
            .map_err(DumpError)
    };
    let data = app::retry::run_with_retries(read, |_| true, DUMP_SCHEDULE)
        .await
        .map_err(|e| app::errors::Chain(&e).to_string())?;
    Ok(messages_of(&data))
}

/// The messages in a model dump.
pub fn messages_of(dump: &Value) -> Vec<SentMessage> {
    dump["ses"]["RawMessage"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| SentMessage {
            destinations: m["destinations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d.as_str().unwrap_or_default().to_owned())
                .collect(),
            raw_data: m["raw_data"].as_str().map(str::to_owned),
        })
        .collect()
}

/// How many messages went to each address.
pub fn count_per_destination(messages: &[SentMessage]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for address in messages.iter().flat_map(|m| &m.destinations) {
        *counts.entry(address.clone()).or_default() += 1;
    }
    counts
}

/// The raw messages that mention `needle` (a bot id, an address).
pub fn mentioning(messages: &[SentMessage], needle: &str) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| m.raw_data.as_deref())
        .filter(|raw| raw.contains(needle))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dump() -> Value {
        json!({"ses": {"RawMessage": [
            {"destinations": ["a@example.com"], "raw_data": "To: a@example.com\r\n\r\nbot 1"},
            {"destinations": ["a@example.com", "b@example.com"], "raw_data": "bot 2"},
            {"destinations": ["c@example.com"]},
        ]}})
    }

    #[test]
    fn messages_are_counted_per_destination() {
        let counts = count_per_destination(&messages_of(&dump()));
        assert_eq!(counts["a@example.com"], 2);
        assert_eq!(counts["b@example.com"], 1);
        assert_eq!(counts["c@example.com"], 1);
        assert_eq!(counts.len(), 3);
    }

    #[test]
    fn only_raw_messages_holding_the_needle_are_returned() {
        let messages = messages_of(&dump());
        assert_eq!(mentioning(&messages, "bot 2"), vec!["bot 2".to_owned()]);
        assert_eq!(mentioning(&messages, "a@example.com").len(), 1);
        assert!(mentioning(&messages, "c@example.com").is_empty());
    }

    #[test]
    fn a_dump_without_mail_has_no_messages() {
        assert!(messages_of(&json!({})).is_empty());
        assert!(messages_of(&json!({"ses": {}})).is_empty());
    }
}
