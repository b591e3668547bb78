//! The body of `POST /api/bot/join` (PailFlow "Start bot"), parsed once into a `JoinRequest`.
//! Every refusal names the field and what was wrong with it.

mod room;

pub use room::{room_name, RoomHosts};

use super::delivery::{parse_webhook_events, EventListError, WebhookEvent};
use super::metadata::Metadata;
use super::net::UrlPolicy;
use super::{EmailAddress, WebhookUrl};

/// What a join may ask for, from the join function's settings.
#[derive(Clone, Debug)]
pub struct JoinPolicy {
    pub url_policy: UrlPolicy,
    /// The meeting providers' hosts a `room_url` may point at.
    pub room_hosts: RoomHosts,
}

impl JoinPolicy {
    /// Production's rules: https webhooks to public addresses, Daily rooms.
    pub fn strict() -> Self {
        Self {
            url_policy: UrlPolicy::STRICT,
            room_hosts: RoomHosts::default(),
        }
    }
}
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
    /// Also email when the session fails without a transcript (the bot could not join or
    /// never reported). Off by default: the address is the customer's to protect.
    pub email_on_failure: bool,
    pub analysis_prompt: Option<String>,
    pub summary_format_prompt: Option<String>,
    pub webhook_callback_url: Option<WebhookUrl>,
    /// Which events the webhook gets: PailFlow's two unless the join names others.
    pub webhook_events: Vec<WebhookEvent>,
    /// The customer's labels for the bot.
    pub metadata: Metadata,
    /// How long the transcript and results are kept after the session ends (1–8760 hours;
    /// the account's default when absent).
    pub retention_hours: Option<u32>,
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
    /// A refusal whose sentence names its field itself (`metadata.<key>`).
    #[error("{0}")]
    Field(String),
}

/// The longest retention a join may ask for: a year.
pub const MAX_RETENTION_HOURS: u32 = 8760;

pub(crate) const MAX_PROMPT_CHARS: usize = 20_000;

impl JoinRequest {
    pub fn parse(body: &[u8], policy: &JoinPolicy) -> Result<Self, JoinRequestError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| JoinRequestError::NotJson(e.to_string()))?;
        let obj = value.as_object().ok_or(JoinRequestError::NotAnObject)?;

        let room_url = required_string(obj, "room_url", 2048)?;
        room::check(&room_url, &policy.room_hosts).map_err(|why| invalid("room_url", why))?;

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

        let process_insights = optional_bool(obj, "process_insights")?.unwrap_or(true);
        let email_on_failure = optional_bool(obj, "email_on_failure")?.unwrap_or(false);

        let email = optional_string(obj, "email", 254)?
            .map(|e| {
                EmailAddress::parse(&e)
                    .map_err(|_| invalid("email", "is not a valid email address".into()))
            })
            .transpose()?;

        let webhook_callback_url = optional_string(obj, "webhook_callback_url", 2048)?
            .map(|u| {
                WebhookUrl::parse(&u, policy.url_policy)
                    .map_err(|e| invalid("webhook_callback_url", strip_field(&e.to_string())))
            })
            .transpose()?;

        let metadata =
            Metadata::parse(obj.get("metadata")).map_err(|e| JoinRequestError::Field(e.0))?;
        let webhook_events =
            parse_webhook_events(obj.get("webhook_events")).map_err(|e| match e {
                EventListError::NotAnArray => wrong("webhook_events", "an array of event names"),
                EventListError::UnknownEvent => invalid(
                    "webhook_events",
                    "must list events among session_complete, bot_join_failed and status_change"
                        .into(),
                ),
            })?;
        let retention_hours = match obj.get("retention_hours") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(h) if (1..=u64::from(MAX_RETENTION_HOURS)).contains(&h) => Some(h as u32),
                _ => {
                    return Err(wrong(
                        "retention_hours",
                        "a whole number of hours from 1 to 8760",
                    ))
                }
            },
        };

        Ok(Self {
            webhook_events,
            metadata,
            retention_hours,
            room_url,
            bot_config: Value::Object(bot_config.clone()),
            token: optional_string(obj, "token", 4096)?,
            provider,
            process_insights,
            email,
            email_on_failure,
            analysis_prompt: optional_string(obj, "analysis_prompt", MAX_PROMPT_CHARS)?,
            summary_format_prompt: optional_string(obj, "summary_format_prompt", MAX_PROMPT_CHARS)?,
            webhook_callback_url,
            fingerprint: hex::encode(Sha256::digest(value.to_string().as_bytes())),
        })
    }
}

impl JoinRequest {
    /// A join without its own `webhook_callback_url` delivers to the account's endpoint,
    /// with the endpoint's events (its `webhook_events`, if any, go with its own URL only).
    pub fn or_account_endpoint(
        &mut self,
        endpoint: Option<&crate::webhook_endpoint::WebhookEndpoint>,
    ) {
        if let (None, Some(endpoint)) = (&self.webhook_callback_url, endpoint) {
            self.webhook_callback_url = Some(endpoint.url.clone());
            self.webhook_events = endpoint.events.clone();
        }
    }

    /// The session this join creates: phase `joining`, holding one of the account's
    /// running-bot slots until it ends.
    pub fn session(
        &self,
        bot_id: crate::BotId,
        account: crate::AccountId,
        bot_secret_hash: String,
        at: time::OffsetDateTime,
    ) -> crate::Session {
        let mut s = crate::Session::joining(
            bot_id,
            account,
            self.room_url.clone(),
            self.bot_config.clone(),
            bot_secret_hash,
            at,
        );
        s.provider = self.provider.clone();
        s.process_insights = self.process_insights;
        s.email = self.email.clone();
        s.email_on_failure = self.email_on_failure;
        s.analysis_prompt = self.analysis_prompt.clone();
        s.summary_format_prompt = self.summary_format_prompt.clone();
        s.webhook_url = self.webhook_callback_url.clone();
        s.webhook_events = self.webhook_events.clone();
        s.metadata = self.metadata.clone();
        s.retention_hours = self.retention_hours;
        s.holds_slot = true;
        // The first change, `joining`, is owed as an event too when the webhook asks.
        if s.wants(crate::delivery::WebhookEvent::StatusChange) {
            s.event_deliveries = s
                .status_changes
                .iter()
                .enumerate()
                .map(|(i, c)| crate::delivery::WebhookDelivery::for_change(bot_id, i, *c))
                .collect();
        }
        s
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

pub(crate) fn optional_string(
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

pub(crate) fn optional_bool(
    obj: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<bool>, JoinRequestError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong(field, "a boolean")),
    }
}

pub(crate) fn wrong(field: &'static str, expected: &'static str) -> JoinRequestError {
    JoinRequestError::WrongType { field, expected }
}

fn invalid(field: &'static str, problem: String) -> JoinRequestError {
    JoinRequestError::Invalid { field, problem }
}

fn strip_field(msg: &str) -> String {
    msg.trim_start_matches("webhook_callback_url ").to_owned()
}

#[cfg(test)]
mod tests;
