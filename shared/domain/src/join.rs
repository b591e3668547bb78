//! The body of `POST /api/bot/join` (PailFlow "Start bot"), parsed once into a `JoinRequest`.
//! Every refusal names the field and what was wrong with it.

use super::net::UrlPolicy;
use super::{EmailAddress, WebhookUrl};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq)]
pub struct JoinRequest {
    pub room_url: String,
    /// The whole `bot_config` object as sent (unknown keys are passed on to the bot).
    pub bot_config: Value,
    pub token: Option<String>,
    pub provider: String,
    pub process_insights: bool,
    pub email: Option<EmailAddress>,
    pub analysis_prompt: Option<String>,
    pub summary_format_prompt: Option<String>,
    pub webhook_callback_url: Option<WebhookUrl>,
    /// SHA-256 of the canonical JSON body: an `Idempotency-Key` replay must match it.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JoinRequestError {
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
}

const MAX_PROMPT_CHARS: usize = 20_000;

impl JoinRequest {
    pub fn parse(body: &[u8], policy: UrlPolicy) -> Result<Self, JoinRequestError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| JoinRequestError::NotJson(e.to_string()))?;
        let obj = value.as_object().ok_or(JoinRequestError::NotAnObject)?;

        let room_url = required_string(obj, "room_url", 2048)?;
        // The URL parser would silently drop tabs and line breaks; the URL is shown in emails
        // and webhooks as given, so it must not carry any.
        if room_url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(invalid(
                "room_url",
                "must not contain spaces or control characters".into(),
            ));
        }
        let parsed = url::Url::parse(&room_url)
            .map_err(|e| invalid("room_url", format!("is not a valid URL ({e})")))?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host().is_none() {
            return Err(invalid("room_url", "must be an http(s) meeting URL".into()));
        }

        let bot_config = match obj.get("bot_config") {
            None | Some(Value::Null) => return Err(JoinRequestError::Missing("bot_config")),
            Some(Value::Object(cfg)) => cfg,
            Some(_) => return Err(wrong("bot_config", "an object")),
        };
        parse_bot_config(bot_config)?;

        let provider = optional_string(obj, "provider", 32)?.unwrap_or_else(|| "daily".to_owned());
        if provider.is_empty()
            || !provider
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(invalid(
                "provider",
                "must be a provider name such as 'daily'".into(),
            ));
        }

        let process_insights = match obj.get("process_insights") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(wrong("process_insights", "a boolean")),
        };

        let email = optional_string(obj, "email", 254)?
            .map(|e| {
                EmailAddress::parse(&e)
                    .map_err(|_| invalid("email", "is not a valid email address".into()))
            })
            .transpose()?;

        let webhook_callback_url = optional_string(obj, "webhook_callback_url", 2048)?
            .map(|u| {
                WebhookUrl::parse(&u, policy)
                    .map_err(|e| invalid("webhook_callback_url", strip_field(&e.to_string())))
            })
            .transpose()?;

        Ok(Self {
            room_url,
            bot_config: Value::Object(bot_config.clone()),
            token: optional_string(obj, "token", 4096)?,
            provider,
            process_insights,
            email,
            analysis_prompt: optional_string(obj, "analysis_prompt", MAX_PROMPT_CHARS)?,
            summary_format_prompt: optional_string(obj, "summary_format_prompt", MAX_PROMPT_CHARS)?,
            webhook_callback_url,
            fingerprint: hex::encode(Sha256::digest(value.to_string().as_bytes())),
        })
    }
}

fn parse_bot_config(cfg: &Map<String, Value>) -> Result<(), JoinRequestError> {
    match cfg.get("bot_prompt") {
        None | Some(Value::Null) => return Err(JoinRequestError::Missing("bot_config.bot_prompt")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(invalid("bot_config.bot_prompt", "must not be empty".into()))
        }
        Some(Value::String(s)) if s.chars().count() > MAX_PROMPT_CHARS => {
            return Err(invalid(
                "bot_config.bot_prompt",
                format!("is longer than {MAX_PROMPT_CHARS} characters"),
            ))
        }
        Some(Value::String(_)) => {}
        Some(_) => return Err(wrong("bot_config.bot_prompt", "a string")),
    }
    for (field, max) in [
        ("name", 200),
        ("video_mode", 64),
        ("bot_greeting", 4000),
        ("stop_phrase", 200),
        ("voice", 200),
        ("bot_image", 2048),
    ] {
        match cfg.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() > max => {
                return Err(invalid(
                    config_field(field),
                    format!("is longer than {max} characters"),
                ))
            }
            Some(Value::String(_)) => {}
            Some(_) => return Err(wrong(config_field(field), "a string")),
        }
    }
    Ok(())
}

fn config_field(field: &str) -> &'static str {
    match field {
        "name" => "bot_config.name",
        "video_mode" => "bot_config.video_mode",
        "bot_greeting" => "bot_config.bot_greeting",
        "stop_phrase" => "bot_config.stop_phrase",
        "voice" => "bot_config.voice",
        _ => "bot_config.bot_image",
    }
}

fn required_string(
    obj: &Map<String, Value>,
    field: &'static str,
    max: usize,
) -> Result<String, JoinRequestError> {
    match optional_string(obj, field, max)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(invalid(field, "must not be empty".into())),
        None => Err(JoinRequestError::Missing(field)),
    }
}

fn optional_string(
    obj: &Map<String, Value>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, JoinRequestError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(invalid(field, format!("is longer than {max} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong(field, "a string")),
    }
}

fn wrong(field: &'static str, expected: &'static str) -> JoinRequestError {
    JoinRequestError::WrongType { field, expected }
}

fn invalid(field: &'static str, problem: String) -> JoinRequestError {
    JoinRequestError::Invalid { field, problem }
}

fn strip_field(msg: &str) -> String {
    msg.trim_start_matches("webhook_callback_url ").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<JoinRequest, JoinRequestError> {
        JoinRequest::parse(v.to_string().as_bytes(), UrlPolicy::STRICT)
    }

    fn minimal() -> Value {
        json!({"room_url": "https://acme.daily.co/standup", "bot_config": {"bot_prompt": "Take notes"}})
    }

    #[test]
    fn minimal_body_gets_the_documented_defaults() {
        let r = parse(minimal()).unwrap();
        assert_eq!(r.provider, "daily");
        assert!(r.process_insights);
        assert!(r.email.is_none() && r.webhook_callback_url.is_none() && r.token.is_none());
    }

    #[test]
    fn fingerprint_ignores_key_order_and_whitespace() {
        let a = JoinRequest::parse(
            br#"{"room_url":"https://a.daily.co/x","bot_config":{"bot_prompt":"p"}}"#,
            UrlPolicy::STRICT,
        )
        .unwrap();
        let b = JoinRequest::parse(b"{ \"bot_config\": {\"bot_prompt\": \"p\"},\n \"room_url\": \"https://a.daily.co/x\" }", UrlPolicy::STRICT).unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn missing_required_fields_are_named() {
        assert_eq!(
            parse(json!({"bot_config": {"bot_prompt": "x"}})).unwrap_err(),
            JoinRequestError::Missing("room_url")
        );
        assert_eq!(
            parse(json!({"room_url": "https://a.daily.co/x"})).unwrap_err(),
            JoinRequestError::Missing("bot_config")
        );
        assert_eq!(
            parse(json!({"room_url": "https://a.daily.co/x", "bot_config": {}})).unwrap_err(),
            JoinRequestError::Missing("bot_config.bot_prompt")
        );
    }

    #[test]
    fn wrong_types_are_named() {
        let mut v = minimal();
        v["process_insights"] = json!("yes");
        assert_eq!(
            parse(v).unwrap_err().to_string(),
            "Field 'process_insights' must be a boolean"
        );
        let mut v = minimal();
        v["room_url"] = json!(42);
        assert_eq!(
            parse(v).unwrap_err().to_string(),
            "Field 'room_url' must be a string"
        );
        let mut v = minimal();
        v["bot_config"] = json!("prompt");
        assert_eq!(
            parse(v).unwrap_err().to_string(),
            "Field 'bot_config' must be an object"
        );
        let mut v = minimal();
        v["bot_config"]["name"] = json!(["x"]);
        assert_eq!(
            parse(v).unwrap_err().to_string(),
            "Field 'bot_config.name' must be a string"
        );
    }

    #[test]
    fn bad_values_are_refused() {
        for (field, value) in [
            ("email", json!("not-an-email")),
            ("email", json!("a@b.com\r\nBcc: x@y.com")),
            ("webhook_callback_url", json!("http://example.com/hook")),
            ("webhook_callback_url", json!("https://169.254.169.254/")),
            ("room_url", json!("not a url")),
            ("room_url", json!("https://a.daily.co/r\r\nBcc: x@y.com")),
            ("room_url", json!("https://a.daily.co/r\tx")),
            ("room_url", json!("ftp://x.daily.co/r")),
            ("provider", json!("Daily Co")),
        ] {
            let mut v = minimal();
            v[field] = value.clone();
            assert!(parse(v).is_err(), "{field}={value} should be refused");
        }
    }

    #[test]
    fn non_json_and_non_objects_are_refused() {
        assert!(matches!(
            JoinRequest::parse(b"room_url=x", UrlPolicy::STRICT),
            Err(JoinRequestError::NotJson(_))
        ));
        assert_eq!(
            JoinRequest::parse(b"[1]", UrlPolicy::STRICT).unwrap_err(),
            JoinRequestError::NotAnObject
        );
    }
}
