//! The AWS configuration all SDK clients of a container share: credentials and region from
//! the environment (`AWS_ENDPOINT_URL`, set only for the local emulator, redirects every
//! client), one HTTPS client (rustls on ring; each call reported to X-Ray when the
//! invocation is traced, [`crate::xray`]), and the SDK's retry policy, set here and nowhere
//! else: standard mode, 3 attempts with exponential backoff for throttling, 5xx and
//! connection errors. The service's own retries (`app::retry`) say where they add to it.
//!
//! Credentials come from the environment, where Lambda puts the function role's: the SDK's
//! default chain would also build a web-identity provider whose STS client validates the
//! HTTPS client at once, loading the system's CA store during init (most of a cold start's
//! init time, PERFORMANCE.md); with this provider the CA store is loaded on the first HTTPS
//! request instead.

use crate::http_client::install_crypto_provider;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// Attempts per SDK call, the first included.
pub const SDK_MAX_ATTEMPTS: u32 = 3;

pub async fn config() -> SdkConfig {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    install_crypto_provider();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .http_client(crate::xray::traced(http))
        .retry_config(RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS))
        .load()
        .await
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
