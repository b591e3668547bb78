//! Each function's settings: one typed value per function, built once at init from every
//! environment variable the function reads (the README's configuration table). A missing
//! or invalid variable stops the function at init with a message naming it. Credentials are
//! never in the environment: a variable names the Secrets Manager secret that holds one
//! (`…_SECRET`), whose value the function reads once at init ([`crate::secrets`]) into a
//! [`domain::Secret`], so every settings value can be logged with `{:?}`.

mod credentials;
mod env;
mod routes;

pub use credentials::{InsightsSettings, PipecatKey, PipecatSettings};
pub use env::{ConfigError, Env, ProcessEnv};
pub use routes::*;

use app::api::JoinSettings;
use app::pipeline::PipelineSettings;
use app::retry::Backoff;
use credentials::{insights, pipecat};
use domain::join::RoomHosts;
use domain::limits::Limits;
use domain::net::UrlPolicy;
use std::time::Duration;

/// `RUST_LOG` (a level, optionally per target), `AWS_LAMBDA_LOG_LEVEL` (Lambda's level,
/// which replaces `RUST_LOG`'s default level), `AWS_LAMBDA_LOG_FORMAT` (`JSON` gives JSON
/// lines), `METRICS_NAMESPACE` (default `PailFlow`) and `AWS_XRAY_DAEMON_ADDRESS`: see
/// [`crate::telemetry`] and [`crate::xray`].
#[derive(Clone, Debug)]
pub struct LogSettings {
    pub filter: Option<String>,
    pub lambda_level: Option<String>,
    pub json: bool,
    pub metrics_namespace: String,
    /// `AWS_XRAY_DAEMON_ADDRESS` (set by Lambda with active tracing): where the SDK calls'
    /// subsegments go ([`crate::xray`]).
    pub xray_daemon: Option<String>,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            filter: None,
            lambda_level: None,
            json: false,
            metrics_namespace: "PailFlow".into(),
            xray_daemon: None,
        }
    }
}

/// The longest a warm container may remember an API key: a revoked key keeps working for
/// at most this long.
pub const MAX_API_KEY_CACHE: Duration = Duration::from_secs(60);

/// `TABLE_NAME` and `API_KEY_CACHE_SECONDS` (default and at most 60, 0 = off).
#[derive(Clone, Debug)]
pub struct TableSettings {
    pub table: String,
    pub api_key_cache: Duration,
}

#[derive(Clone, Debug)]
pub struct JoinFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub queue_url: String,
    pub pipecat: PipecatSettings,
    pub url_policy: UrlPolicy,
    pub room_hosts: RoomHosts,
    pub max_session: Duration,
    pub public_base_url: PublicBaseUrl,
    pub limits: Limits,
}

/// The API's public origin, where the bot reports its exit: given (`PUBLIC_BASE_URL`, the
/// local stack), or the name of the SSM parameter the template writes it to
/// (`PUBLIC_BASE_URL_PARAMETER`: the template cannot hand the function its own API's URL in
/// an environment variable without a circular reference). Never taken from a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicBaseUrl {
    Value(String),
    Parameter(String),
}

impl JoinFunction {
    /// The join handler's settings, reading the public base URL's parameter if it is one.
    pub async fn join_settings(
        &self,
        aws: &aws_types::SdkConfig,
    ) -> Result<JoinSettings, Box<dyn std::error::Error + Send + Sync>> {
        let public_base_url = match &self.public_base_url {
            PublicBaseUrl::Value(url) => url.clone(),
            PublicBaseUrl::Parameter(name) => {
                let mut values = crate::parameters::read(aws, &[name]).await?;
                let url = values.remove(name.as_str()).unwrap_or_default();
                checked_base_url("PUBLIC_BASE_URL_PARAMETER", &url, self.url_policy)?
            }
        };
        Ok(JoinSettings {
            url_policy: self.url_policy,
            room_hosts: self.room_hosts.clone(),
            limits: self.limits,
            public_base_url,
            max_session: self.max_session,
        })
    }
}

/// An origin the bot can reach: `https://host[:port]` (plain http only for local
/// development), nothing after the host but an optional `/`.
fn checked_base_url(
    name: &'static str,
    value: &str,
    policy: UrlPolicy,
) -> Result<String, ConfigError> {
    let invalid = |why: &str| ConfigError::Invalid {
        name,
        why: format!("'{value}' {why}"),
    };
    let url = url::Url::parse(value).map_err(|_| invalid("is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_insecure_local => {}
        _ => return Err(invalid("must be an https URL")),
    }
    if url.host().is_none() || !url.username().is_empty() || url.query().is_some() {
        return Err(invalid("must be an origin such as https://api.example.com"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

#[derive(Clone, Debug)]
pub struct ReportFunction {
    pub log: LogSettings,
    pub table: String,
    pub queue_url: String,
}

#[derive(Clone, Debug)]
pub struct PipelineFunction {
    pub log: LogSettings,
    pub table: String,
    pub queue_url: String,
    pub pipecat: PipecatSettings,
    pub ses_sender: String,
    pub url_policy: UrlPolicy,
    pub insights: InsightsSettings,
    pub pipeline: PipelineSettings,
    /// The KMS key the accounts' webhook signing secrets are encrypted under
    /// (`WEBHOOK_SECRET_KEY_ID`): the pipeline signs, so it decrypts.
    pub webhook_secret_key: String,
}

fn log(env: &impl Env) -> LogSettings {
    LogSettings {
        filter: env.optional("RUST_LOG"),
        lambda_level: env.optional("AWS_LAMBDA_LOG_LEVEL"),
        json: env
            .optional("AWS_LAMBDA_LOG_FORMAT")
            .is_some_and(|v| v.eq_ignore_ascii_case("json")),
        metrics_namespace: env
            .optional("METRICS_NAMESPACE")
            .unwrap_or_else(|| LogSettings::default().metrics_namespace),
        xray_daemon: env.optional("AWS_XRAY_DAEMON_ADDRESS"),
    }
}

fn table(env: &impl Env) -> Result<TableSettings, ConfigError> {
    Ok(TableSettings {
        table: env.required("TABLE_NAME")?,
        api_key_cache: env.seconds_at_most(
            "API_KEY_CACHE_SECONDS",
            MAX_API_KEY_CACHE.as_secs(),
            MAX_API_KEY_CACHE,
        )?,
    })
}

/// `WEBHOOK_ALLOW_INSECURE=true` allows plain http and loopback webhooks: local development only.
fn url_policy(env: &impl Env) -> Result<UrlPolicy, ConfigError> {
    Ok(if env.flag("WEBHOOK_ALLOW_INSECURE")? {
        UrlPolicy::LOCAL_DEVELOPMENT
    } else {
        UrlPolicy::STRICT
    })
}

/// Defaults (production's) overridden by `EXIT_DEADLINE_SECONDS`, `DELIVERY_LEASE_SECONDS`,
/// `WEBHOOK_RETRY_BASE_SECONDS`, `WEBHOOK_RETRY_MAX_DELAY_SECONDS`,
/// `WEBHOOK_RETRY_WINDOW_SECONDS`; and the optional `RESULTS_BASE_URL`.
fn pipeline(env: &impl Env) -> Result<PipelineSettings, ConfigError> {
    let d = PipelineSettings::default();
    Ok(PipelineSettings {
        exit_deadline: env.seconds("EXIT_DEADLINE_SECONDS", d.exit_deadline.as_secs())?,
        lease: env.seconds("DELIVERY_LEASE_SECONDS", d.lease.as_secs())?,
        webhook_backoff: Backoff {
            base: env.seconds(
                "WEBHOOK_RETRY_BASE_SECONDS",
                d.webhook_backoff.base.as_secs(),
            )?,
            max: env.seconds(
                "WEBHOOK_RETRY_MAX_DELAY_SECONDS",
                d.webhook_backoff.max.as_secs(),
            )?,
        },
        webhook_retry_window: env.seconds(
            "WEBHOOK_RETRY_WINDOW_SECONDS",
            d.webhook_retry_window.as_secs(),
        )?,
        max_email_attempts: d.max_email_attempts,
        limits: limits(env)?,
        results_base_url: env
            .optional("RESULTS_BASE_URL")
            .map(|url| results_base_url(&url, url_policy(env)?))
            .transpose()?,
    })
}

/// `RESULTS_BASE_URL`: an https URL (plain http only for local development) without
/// credentials, optionally with a `{bot_id}` placeholder; it becomes the email's link to
/// the full results.
fn results_base_url(value: &str, policy: UrlPolicy) -> Result<String, ConfigError> {
    let invalid = |why: &str| ConfigError::Invalid {
        name: "RESULTS_BASE_URL",
        why: format!("'{value}' {why}"),
    };
    let url = url::Url::parse(value).map_err(|_| invalid("is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_insecure_local => {}
        _ => return Err(invalid("must be an https URL")),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must be an https URL without user name or password",
        ));
    }
    Ok(value.trim().to_owned())
}

/// The limits of accounts that have not set their own: `ACCOUNT_ACTIVE_BOTS`,
/// `ACCOUNT_JOINS_PER_MINUTE`, `ACCOUNT_EMAILS_PER_DAY`.
fn limits(env: &impl Env) -> Result<Limits, ConfigError> {
    let d = Limits::default();
    Ok(Limits {
        active_bots: env.count("ACCOUNT_ACTIVE_BOTS", d.active_bots)?,
        joins_per_minute: env.count("ACCOUNT_JOINS_PER_MINUTE", d.joins_per_minute)?,
        emails_per_day: env.count("ACCOUNT_EMAILS_PER_DAY", d.emails_per_day)?,
    })
}

/// Settings read from the environment once, at init.
pub trait FromEnv: Sized {
    fn read(env: &impl Env) -> Result<Self, ConfigError>;

    fn from_env() -> Result<Self, ConfigError> {
        Self::read(&ProcessEnv)
    }
}

impl FromEnv for JoinFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        let url_policy = url_policy(env)?;
        let public_base_url = match (
            env.optional("PUBLIC_BASE_URL"),
            env.optional("PUBLIC_BASE_URL_PARAMETER"),
        ) {
            (Some(url), _) => {
                PublicBaseUrl::Value(checked_base_url("PUBLIC_BASE_URL", &url, url_policy)?)
            }
            (None, Some(name)) => PublicBaseUrl::Parameter(name),
            (None, None) => return Err(ConfigError::Missing("PUBLIC_BASE_URL")),
        };
        Ok(Self {
            log: log(env),
            table: table(env)?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
            pipecat: pipecat(env, PipecatKey::Public)?,
            url_policy,
            room_hosts: match env.optional("ROOM_URL_HOSTS") {
                None => RoomHosts::default(),
                Some(list) => RoomHosts::parse(&list).map_err(|why| ConfigError::Invalid {
                    name: "ROOM_URL_HOSTS",
                    why,
                })?,
            },
            max_session: env.seconds("MAX_SESSION_SECONDS", 6 * 60 * 60)?,
            public_base_url,
            limits: limits(env)?,
        })
    }
}

impl FromEnv for ReportFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: env.required("TABLE_NAME")?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
        })
    }
}

impl FromEnv for PipelineFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: env.required("TABLE_NAME")?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
            pipecat: pipecat(env, PipecatKey::Private)?,
            ses_sender: env.required("SES_SENDER")?,
            url_policy: url_policy(env)?,
            insights: insights(env)?,
            pipeline: pipeline(env)?,
            webhook_secret_key: env.required("WEBHOOK_SECRET_KEY_ID")?,
        })
    }
}

#[cfg(test)]
mod tests;
