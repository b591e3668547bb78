//! The AWS configuration all SDK clients of a container share: credentials and region from
//! the environment (`AWS_ENDPOINT_URL`, set only for the local emulator, redirects every
//! client), one HTTPS client (rustls on ring; each call reported to X-Ray when the
//! invocation is traced, [`crate::xray`]), and the SDK's retry policy, set here and nowhere
//! else: standard mode, 3 attempts with exponential backoff for throttling, 5xx and
//! connection errors. The service's own retries (`app::retry`) say where they add to it.
//!
//! The configuration is built here from the environment Lambda sets (`AWS_REGION`, the
//! role's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`; locally also
//! `AWS_ENDPOINT_URL`), not with aws-config: its region and credential chains (profiles,
//! IMDS, SSO, web identity with its own STS client) are ~300 KB of every binary's code
//! (PERFORMANCE.md, `cargo bloat`) and none of them applies on Lambda. Credentials are read
//! from the environment when a call needs them; an unset variable fails that call with an
//! error naming it. The CA store is loaded on the first HTTPS request, not at init.

use crate::http_client::install_crypto_provider;
use aws_credential_types::provider::{
    error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::Region;
use aws_types::SdkConfig;
use std::time::Duration;

/// Attempts per SDK call, the first included.
pub const SDK_MAX_ATTEMPTS: u32 = 3;

/// How long a connection to an AWS endpoint may take to open (aws-config's default).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

pub async fn config() -> SdkConfig {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    install_crypto_provider();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(
            env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .map(Region::new),
        )
        .credentials_provider(SharedCredentialsProvider::new(EnvironmentCredentials))
        .http_client(crate::xray::traced(http))
        .retry_config(RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        )
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new());
    if let Some(url) = env("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    config.build()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The role's credentials, as Lambda puts them in the environment.
#[derive(Debug)]
struct EnvironmentCredentials;

/// Credentials from `var` (the environment, or a test's map).
fn credentials_from(var: impl Fn(&str) -> Option<String>) -> Result<Credentials, CredentialsError> {
    let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) else {
        return Err(CredentialsError::not_loaded(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
        ));
    };
    Ok(Credentials::new(
        id,
        secret,
        var("AWS_SESSION_TOKEN"),
        None,
        "environment",
    ))
}

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(credentials_from(env))
    }
}

/// An SDK client built on its first use. Building one (its runtime plugins, endpoint
/// resolver and retry setup) costs init time that a cold start which never calls the service
/// should not pay: the pipeline's SES client when no email is owed, its KMS client when no
/// webhook is signed.
pub struct LazyClient<C> {
    aws: SdkConfig,
    build: fn(&SdkConfig) -> C,
    client: std::sync::OnceLock<C>,
}

impl<C> LazyClient<C> {
    pub fn new(aws: &SdkConfig, build: fn(&SdkConfig) -> C) -> Self {
        Self {
            aws: aws.clone(),
            build,
            client: std::sync::OnceLock::new(),
        }
    }

    pub fn get(&self) -> &C {
        self.client.get_or_init(|| (self.build)(&self.aws))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        credentials_from(|name| vars.get(name).map(|v| (*v).to_owned()))
    }

    #[test]
    fn the_roles_credentials_come_from_the_environment() {
        let creds = from(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
        ])
        .unwrap();
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(creds.secret_access_key(), "secret");
        assert_eq!(creds.session_token(), Some("token"));
    }

    #[test]
    fn a_missing_key_is_an_error_naming_the_variables() {
        let e = from(&[("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")]).unwrap_err();
        assert!(matches!(e, CredentialsError::CredentialsNotLoaded(_)));
        let text = format!("{:?}", e);
        assert!(text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
    }
}
