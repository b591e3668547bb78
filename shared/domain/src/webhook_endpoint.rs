//! The account's webhook endpoint (`PUT /api/webhook-endpoint`): where a join without its
//! own `webhook_callback_url` delivers, and which events it gets. Also the body of a test
//! event (`POST /api/webhooks/test`). The URL passes the same literal checks as join's;
//! resolved addresses are checked by the handler and again at send time.

use super::delivery::{parse_webhook_events, EventListError, WebhookEvent};
use super::net::UrlPolicy;
use super::WebhookUrl;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Largest accepted body of the endpoint and test-event routes; larger ones are 413.
pub const MAX_ENDPOINT_BODY_BYTES: usize = 8 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub url: WebhookUrl,
    pub events: Vec<WebhookEvent>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A refusal naming the field, worded like join's.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointBodyError {
    #[error("Request body is not valid JSON: {0}")]
    NotJson(String),
    #[error("Request body must be a JSON object")]
    NotAnObject,
    #[error("Missing required field: {0}")]
    Missing(&'static str),
    #[error("Field '{field}' must be {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("Field '{field}' {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("Unknown field '{field}'; the body has {known}")]
    Unknown { field: String, known: &'static str },
}

impl WebhookEndpoint {
    /// `{"url", "events"}`: `url` required, `events` as join's `webhook_events` (absent:
    /// PailFlow's two), at least one.
    pub fn parse(
        body: &[u8],
        policy: UrlPolicy,
        at: OffsetDateTime,
    ) -> Result<Self, EndpointBodyError> {
        let obj = object(body, &["url", "events"], "url and events")?;
        let url = url_field(&obj, policy)?.ok_or(EndpointBodyError::Missing("url"))?;
        let events = parse_webhook_events(obj.get("events")).map_err(|e| match e {
            EventListError::NotAnArray => EndpointBodyError::WrongType {
                field: "events",
                expected: "an array of event names",
            },
            EventListError::UnknownEvent => EndpointBodyError::Invalid {
                field: "events",
                problem:
                    "must list events among session_complete, bot_join_failed and status_change"
                        .into(),
            },
        })?;
        if events.is_empty() {
            return Err(EndpointBodyError::Invalid {
                field: "events",
                problem: "must list at least one event (DELETE /api/webhook-endpoint removes the endpoint)".into(),
            });
        }
        Ok(Self {
            url,
            events,
            updated_at: at,
        })
    }
}

/// The body of a test event: `{"url"}`; without `url` (or with an empty body) the test goes
/// to the account's endpoint.
pub fn parse_test_event(
    body: &[u8],
    policy: UrlPolicy,
) -> Result<Option<WebhookUrl>, EndpointBodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let obj = object(body, &["url"], "url")?;
    url_field(&obj, policy)
}

/// The body as a JSON object with only `known` fields, refused naming the first other.
pub(crate) fn object(
    body: &[u8],
    known: &[&str],
    known_text: &'static str,
) -> Result<Map<String, Value>, EndpointBodyError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| EndpointBodyError::NotJson(e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(EndpointBodyError::NotAnObject);
    };
    if let Some(field) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(EndpointBodyError::Unknown {
            field: field
                .chars()
                .take(64)
                .collect::<String>()
                .escape_default()
                .to_string(),
            known: known_text,
        });
    }
    Ok(obj)
}

fn url_field(
    obj: &Map<String, Value>,
    policy: UrlPolicy,
) -> Result<Option<WebhookUrl>, EndpointBodyError> {
    match obj.get("url") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            WebhookUrl::parse(s, policy)
                .map(Some)
                .map_err(|e| EndpointBodyError::Invalid {
                    field: "url",
                    problem: e.0,
                })
        }
        Some(_) => Err(EndpointBodyError::WrongType {
            field: "url",
            expected: "a string",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<WebhookEndpoint, EndpointBodyError> {
        WebhookEndpoint::parse(body.as_bytes(), UrlPolicy::STRICT, crate::now())
    }

    #[test]
    fn an_endpoint_with_events_as_join_names_them() {
        let e = parse(r#"{"url":"https://hooks.example.com/pf","events":["status_change","session_complete","status_change"]}"#).unwrap();
        assert_eq!(e.url.as_str(), "https://hooks.example.com/pf");
        assert_eq!(
            e.events,
            vec![WebhookEvent::StatusChange, WebhookEvent::SessionComplete]
        );
        let defaults = parse(r#"{"url":"https://hooks.example.com/pf"}"#).unwrap();
        assert_eq!(
            defaults.events,
            crate::delivery::default_webhook_events(),
            "without events: PailFlow's two, as at join"
        );
    }

    #[test]
    fn every_refusal_names_its_field() {
        for (body, expect) in [
            ("", "not valid JSON"),
            ("[]", "must be a JSON object"),
            (
                r#"{"events":["session_complete"]}"#,
                "Missing required field: url",
            ),
            (r#"{"url":7}"#, "Field 'url' must be a string"),
            (
                r#"{"url":"http://hooks.example.com/"}"#,
                "Field 'url' must use https",
            ),
            (
                r#"{"url":"https://10.0.0.1/"}"#,
                "Field 'url' points to a private",
            ),
            (
                r#"{"url":"https://169.254.169.254/"}"#,
                "Field 'url' points to",
            ),
            (
                r#"{"url":"https://localhost/"}"#,
                "Field 'url' points to a loopback",
            ),
            (
                r#"{"url":"https://hooks.example.com/","events":"session_complete"}"#,
                "Field 'events' must be an array",
            ),
            (
                r#"{"url":"https://hooks.example.com/","events":["meeting_over"]}"#,
                "Field 'events' must list events among",
            ),
            (
                r#"{"url":"https://hooks.example.com/","events":[]}"#,
                "Field 'events' must list at least one",
            ),
            (
                r#"{"url":"https://hooks.example.com/","event":["session_complete"]}"#,
                "Unknown field 'event'",
            ),
        ] {
            let e = parse(body).unwrap_err().to_string();
            assert!(e.contains(expect), "{body}: {e}");
        }
    }

    #[test]
    fn a_test_event_goes_to_the_url_given_or_to_the_endpoint() {
        let p = UrlPolicy::STRICT;
        assert_eq!(parse_test_event(b"", p), Ok(None));
        assert_eq!(parse_test_event(b"{}", p), Ok(None));
        assert_eq!(
            parse_test_event(br#"{"url":"https://hooks.example.com/t"}"#, p)
                .unwrap()
                .unwrap()
                .as_str(),
            "https://hooks.example.com/t"
        );
        let inside = parse_test_event(br#"{"url":"https://[::1]/"}"#, p).unwrap_err();
        assert!(
            inside.to_string().starts_with("Field 'url' points to"),
            "{inside}"
        );
        assert!(parse_test_event(br#"{"url":"https://a.example/","x":1}"#, p).is_err());
    }
}
