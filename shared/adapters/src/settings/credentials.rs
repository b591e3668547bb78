//! The credentials' settings: which Secrets Manager secret holds each key a function uses
//! (`…_SECRET`), read by the client on its first use. A credential given in the environment
//! itself is refused.

use super::env::{ConfigError, Env};
use crate::llm::{InsightsProvider, OpenAiConfig};
use crate::pipecat::PipecatConfig;
use crate::secrets::LazySecret;
use std::time::Duration;

/// Which Pipecat Cloud key a function holds: join starts bots (public key), the pipeline
/// stops them (private key). Each reads only its own secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipecatKey {
    Public,
    Private,
}

/// `PIPECAT_API_URL` (default Pipecat Cloud's), `PIPECAT_AGENT_NAME`, and the secret
/// holding the one key the function uses: `PIPECAT_PUBLIC_KEY_SECRET` (join) or
/// `PIPECAT_PRIVATE_KEY_SECRET` (pipeline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipecatSettings {
    pub api_url: String,
    pub agent_name: String,
    pub key: PipecatKey,
    pub key_secret: String,
}

impl PipecatSettings {
    /// The client's configuration, with the key read from its secret on first use.
    pub fn config(&self, aws: &aws_types::SdkConfig) -> PipecatConfig {
        let key = LazySecret::stored(aws, &self.key_secret);
        let (public_key, private_key) = match self.key {
            PipecatKey::Public => (Some(key), None),
            PipecatKey::Private => (None, Some(key)),
        };
        PipecatConfig {
            api_url: self.api_url.clone(),
            agent_name: self.agent_name.clone(),
            public_key,
            private_key,
        }
    }
}

pub(super) fn pipecat(env: &impl Env, key: PipecatKey) -> Result<PipecatSettings, ConfigError> {
    let key_secret = match key {
        PipecatKey::Public => secret_name(env, "PIPECAT_PUBLIC_KEY_SECRET", "PIPECAT_PUBLIC_KEY")?,
        PipecatKey::Private => {
            secret_name(env, "PIPECAT_PRIVATE_KEY_SECRET", "PIPECAT_PRIVATE_KEY")?
        }
    };
    Ok(PipecatSettings {
        api_url: env
            .optional("PIPECAT_API_URL")
            .unwrap_or_else(|| "https://api.pipecat.daily.co/v1".into()),
        agent_name: env.required("PIPECAT_AGENT_NAME")?,
        key,
        key_secret,
    })
}

/// The name of the secret holding a credential (`name`); a credential given in the
/// environment itself (`plain`, the variable earlier versions read) is refused, so no
/// deployment keeps one there by mistake.
fn secret_name(
    env: &impl Env,
    name: &'static str,
    plain: &'static str,
) -> Result<String, ConfigError> {
    if env.optional(plain).is_some() {
        return Err(ConfigError::Invalid {
            name: plain,
            why: format!(
                "credentials are not read from the environment; store the value in Secrets Manager and name the secret in {name}"
            ),
        });
    }
    env.required(name)
}

/// `INSIGHTS_PROVIDER`: `builtin` (default), `openai` (`OPENAI_BASE_URL`,
/// `OPENAI_API_KEY_SECRET`, `OPENAI_MODEL`) or `bedrock` (`BEDROCK_MODEL_ID`);
/// `LLM_TIMEOUT_SECONDS` bounds each call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsightsSettings {
    Builtin,
    OpenAi {
        base_url: String,
        model: String,
        timeout: Duration,
        /// The secret holding the API key.
        key_secret: String,
    },
    Bedrock {
        model_id: String,
        timeout: Duration,
    },
}

impl InsightsSettings {
    /// The provider, with the OpenAI key read from its secret on first use.
    pub fn provider(&self, aws: &aws_types::SdkConfig) -> InsightsProvider {
        match self {
            InsightsSettings::Builtin => InsightsProvider::Builtin,
            InsightsSettings::OpenAi {
                base_url,
                model,
                timeout,
                key_secret,
            } => InsightsProvider::OpenAi(OpenAiConfig {
                base_url: base_url.clone(),
                api_key: LazySecret::stored(aws, key_secret),
                model: model.clone(),
                timeout: *timeout,
            }),
            InsightsSettings::Bedrock { model_id, timeout } => InsightsProvider::Bedrock {
                model_id: model_id.clone(),
                timeout: *timeout,
            },
        }
    }
}

pub(super) fn insights(env: &impl Env) -> Result<InsightsSettings, ConfigError> {
    let timeout = env.seconds("LLM_TIMEOUT_SECONDS", 30)?;
    match env
        .optional("INSIGHTS_PROVIDER")
        .as_deref()
        .unwrap_or("builtin")
    {
        "builtin" => Ok(InsightsSettings::Builtin),
        "openai" => Ok(InsightsSettings::OpenAi {
            base_url: env
                .optional("OPENAI_BASE_URL")
                .unwrap_or_else(|| "https://api.openai.com/v1".into()),
            model: env
                .optional("OPENAI_MODEL")
                .unwrap_or_else(|| "gpt-4o-mini".into()),
            timeout,
            key_secret: secret_name(env, "OPENAI_API_KEY_SECRET", "OPENAI_API_KEY")?,
        }),
        "bedrock" => Ok(InsightsSettings::Bedrock {
            model_id: env.required("BEDROCK_MODEL_ID")?,
            timeout,
        }),
        other => Err(ConfigError::Invalid {
            name: "INSIGHTS_PROVIDER",
            why: format!("'{other}' is not builtin, openai or bedrock"),
        }),
    }
}
