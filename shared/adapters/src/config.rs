//! Configuration from environment variables, read once at cold start. A missing or invalid
//! variable stops the function at init with a message naming it (see the README's table).

use crate::pipecat::PipecatConfig;
use app::pipeline::PipelineSettings;
use domain::net::UrlPolicy;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {why}")]
    Invalid { name: &'static str, why: String },
}

pub fn required(name: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing(name))
}

pub fn optional(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn flag(name: &'static str) -> Result<bool, ConfigError> {
    match optional(name)
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            name,
            why: format!("'{other}' is not true or false"),
        }),
    }
}

pub fn seconds(name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    match optional(name) {
        None => Ok(Duration::from_secs(default)),
        Some(v) => v
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| ConfigError::Invalid {
                name,
                why: format!("'{v}' is not a whole number of seconds"),
            }),
    }
}

pub fn table_name() -> Result<String, ConfigError> {
    required("TABLE_NAME")
}

/// How long a warm container remembers an API key it found (`API_KEY_CACHE_SECONDS`,
/// default 60, 0 = off): the longest a deleted key keeps working.
pub fn api_key_cache_ttl() -> Result<Duration, ConfigError> {
    seconds("API_KEY_CACHE_SECONDS", 60)
}

pub fn queue_url() -> Result<String, ConfigError> {
    required("PIPELINE_QUEUE_URL")
}

/// `WEBHOOK_ALLOW_INSECURE=true` allows plain http and loopback webhooks: local development only.
pub fn url_policy() -> Result<UrlPolicy, ConfigError> {
    Ok(if flag("WEBHOOK_ALLOW_INSECURE")? {
        UrlPolicy::LOCAL_DEVELOPMENT
    } else {
        UrlPolicy::STRICT
    })
}

/// Which Pipecat Cloud key a function needs: join starts bots, the pipeline stops them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipecatRole {
    Start,
    Stop,
}

pub fn pipecat(role: PipecatRole) -> Result<PipecatConfig, ConfigError> {
    let (public_key, private_key) = match role {
        PipecatRole::Start => (
            required("PIPECAT_PUBLIC_KEY")?,
            optional("PIPECAT_PRIVATE_KEY").unwrap_or_default(),
        ),
        PipecatRole::Stop => (
            optional("PIPECAT_PUBLIC_KEY").unwrap_or_default(),
            required("PIPECAT_PRIVATE_KEY")?,
        ),
    };
    Ok(PipecatConfig {
        api_url: optional("PIPECAT_API_URL")
            .unwrap_or_else(|| "https://api.pipecat.daily.co/v1".into()),
        agent_name: required("PIPECAT_AGENT_NAME")?,
        public_key,
        private_key,
    })
}

/// Defaults overridden by `EXIT_DEADLINE_SECONDS`, `WEBHOOK_RETRY_BASE_SECONDS`,
/// `WEBHOOK_RETRY_MAX_DELAY_SECONDS`, `WEBHOOK_RETRY_WINDOW_SECONDS`, `DELIVERY_LEASE_SECONDS`.
pub fn pipeline_settings() -> Result<PipelineSettings, ConfigError> {
    let d = PipelineSettings::default();
    Ok(PipelineSettings {
        exit_deadline: seconds("EXIT_DEADLINE_SECONDS", d.exit_deadline.as_secs())?,
        lease: seconds("DELIVERY_LEASE_SECONDS", d.lease.as_secs())?,
        webhook_retry_base: seconds("WEBHOOK_RETRY_BASE_SECONDS", d.webhook_retry_base.as_secs())?,
        webhook_retry_max_delay: seconds(
            "WEBHOOK_RETRY_MAX_DELAY_SECONDS",
            d.webhook_retry_max_delay.as_secs(),
        )?,
        webhook_retry_window: seconds(
            "WEBHOOK_RETRY_WINDOW_SECONDS",
            d.webhook_retry_window.as_secs(),
        )?,
        max_email_attempts: d.max_email_attempts,
    })
}
