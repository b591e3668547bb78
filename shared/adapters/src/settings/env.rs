//! Reading the environment: where a variable comes from (the process, or a map in tests)
//! and how each kind of value is parsed. Every refusal names the variable.

use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {why}")]
    Invalid { name: &'static str, why: String },
}

/// A source of environment variables.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;

    /// A set, non-blank variable.
    fn optional(&self, name: &'static str) -> Option<String> {
        self.var(name).filter(|v| !v.trim().is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError::Missing(name))
    }

    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self
            .optional(name)
            .map(|v| v.to_ascii_lowercase())
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

    /// A whole number, `default` when unset.
    fn count(&self, name: &'static str, default: u32) -> Result<u32, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(v) => v.trim().parse::<u32>().map_err(|_| ConfigError::Invalid {
                name,
                why: format!("'{v}' is not a whole number"),
            }),
        }
    }

    /// Whole seconds up to `max`, `default` when unset.
    fn seconds_at_most(
        &self,
        name: &'static str,
        default: u64,
        max: Duration,
    ) -> Result<Duration, ConfigError> {
        let value = self.seconds(name, default)?;
        if value > max {
            return Err(ConfigError::Invalid {
                name,
                why: format!(
                    "{} s is more than the limit of {} s",
                    value.as_secs(),
                    max.as_secs()
                ),
            });
        }
        Ok(value)
    }

    /// Whole seconds, `default` when unset.
    fn seconds(&self, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
        match self.optional(name) {
            None => Ok(Duration::from_secs(default)),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| ConfigError::Invalid {
                    name,
                    why: format!("'{v}' is not a whole number of seconds"),
                }),
        }
    }
}

/// The process's environment, as Lambda sets it from the template.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for HashMap<&str, &str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_owned())
    }
}
