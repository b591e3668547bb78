//! The AWS configuration all SDK clients of a container share: credentials and region from
//! the environment (`AWS_ENDPOINT_URL`, set only for the local emulator, redirects every
//! client), one HTTPS client (rustls on ring), and the SDK's retry policy, set here and
//! nowhere else. Each call is reported to X-Ray when the invocation is traced ([`crate::xray`]);
//! nowhere else: standard mode, 3 attempts with exponential backoff for throttling,
//! 5xx and connection errors. The service's own retries (`app::retry`) say where they add
//! to it.

use crate::http_client::install_crypto_provider;
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
        .http_client(crate::xray::traced(http))
        .retry_config(RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS))
        .load()
        .await
}
