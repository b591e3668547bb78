//! The settings of the HTTP functions that read only the table, the pipeline queue and
//! the URL policy (every route but join and the exit report).

use super::{log, table, url_policy, ConfigError, Env, FromEnv, LogSettings, TableSettings};
use domain::net::UrlPolicy;

#[derive(Clone, Debug)]
pub struct StopFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub queue_url: String,
}

#[derive(Clone, Debug)]
pub struct StatusFunction {
    pub log: LogSettings,
    pub table: TableSettings,
}

/// `GET /api/bots`: reads the account's sessions through the table's index.
#[derive(Clone, Debug)]
pub struct ListFunction {
    pub log: LogSettings,
    pub table: TableSettings,
}

/// `DELETE /api/bot/{bot_id}/data`: removes a finished session's transcript and results.
#[derive(Clone, Debug)]
pub struct DeleteFunction {
    pub log: LogSettings,
    pub table: TableSettings,
}

/// The transcript export reads what the status route reads: the table and the key cache.
#[derive(Clone, Debug)]
pub struct ExportFunction {
    pub log: LogSettings,
    pub table: TableSettings,
}

/// `GET /api/bot/{bot_id}/deliveries` and `POST …/deliveries/{delivery_id}/redeliver`:
/// reads the session, appends a redelivery, queues it; checks a new URL as join does.
#[derive(Clone, Debug)]
pub struct DeliveriesFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub queue_url: String,
    pub url_policy: UrlPolicy,
}

/// `POST /api/bot/{bot_id}/insights` (queues a re-run) and `GET …/insights?version=N`.
#[derive(Clone, Debug)]
pub struct AnalysisFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub queue_url: String,
}

/// `POST`, `GET /api/keys` and `DELETE /api/keys/{key_id}`: the account's API keys.
#[derive(Clone, Debug)]
pub struct KeysFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    /// `WEBHOOK_SECRET_KEY_ID`: a rotation encrypts the new secret (Encrypt only).
    pub webhook_secret_key: String,
}

/// `PUT`, `GET`, `DELETE /api/webhook-endpoint`: checks the URL as join does.
#[derive(Clone, Debug)]
pub struct EndpointFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub url_policy: UrlPolicy,
}

/// `GET /console`: serves embedded files; it reads no table and holds no secret.
#[derive(Clone, Debug)]
pub struct ConsoleFunction {
    pub log: LogSettings,
}

/// `POST /api/webhooks/test`: signs and sends a `ping` through the webhook sender.
#[derive(Clone, Debug)]
pub struct PingFunction {
    pub log: LogSettings,
    pub table: TableSettings,
    pub url_policy: UrlPolicy,
    /// `WEBHOOK_SECRET_KEY_ID`: the ping signs, so it decrypts the account's secrets.
    pub webhook_secret_key: String,
}

impl FromEnv for StopFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
        })
    }
}

impl FromEnv for StatusFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
        })
    }
}

impl FromEnv for ListFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
        })
    }
}

impl FromEnv for DeleteFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
        })
    }
}

impl FromEnv for ExportFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
        })
    }
}

impl FromEnv for DeliveriesFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
            url_policy: url_policy(env)?,
        })
    }
}

impl FromEnv for AnalysisFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            queue_url: env.required("PIPELINE_QUEUE_URL")?,
        })
    }
}

impl FromEnv for KeysFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            webhook_secret_key: env.required("WEBHOOK_SECRET_KEY_ID")?,
        })
    }
}

impl FromEnv for EndpointFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            url_policy: url_policy(env)?,
        })
    }
}

impl FromEnv for ConsoleFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self { log: log(env) })
    }
}

impl FromEnv for PingFunction {
    fn read(env: &impl Env) -> Result<Self, ConfigError> {
        Ok(Self {
            log: log(env),
            table: table(env)?,
            url_policy: url_policy(env)?,
            webhook_secret_key: env.required("WEBHOOK_SECRET_KEY_ID")?,
        })
    }
}
