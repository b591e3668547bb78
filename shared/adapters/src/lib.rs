//! One module per real system. Each adapter implements a port from [`crate::ports`] with
//! the real client, built once per container and shared across invocations.

pub mod config;
pub mod dynamodb;
pub mod key_cache;
pub mod llm;

pub mod pipecat;
pub mod ses;
pub mod sqs;
pub mod telemetry;
pub mod webhook;

/// Makes ring the process's TLS crypto provider, once; every HTTPS client (the SDK's and
/// reqwest's) uses it.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Fails only if a provider is installed already, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A reqwest client built on first use. Building one loads the system certificate store
/// (milliseconds of a cold start); a function should not pay that for a client it may not
/// need in this container (the pipeline's webhook client when no session has a webhook).
#[derive(Clone)]
pub struct LazyHttp {
    client: std::sync::Arc<std::sync::OnceLock<reqwest::Client>>,
    build: std::sync::Arc<dyn Fn() -> reqwest::ClientBuilder + Send + Sync>,
}

impl LazyHttp {
    pub fn new(build: impl Fn() -> reqwest::ClientBuilder + Send + Sync + 'static) -> Self {
        Self {
            client: Default::default(),
            build: std::sync::Arc::new(build),
        }
    }

    pub fn get(&self) -> &reqwest::Client {
        self.client.get_or_init(|| {
            install_crypto_provider();
            (self.build)()
                .build()
                .expect("the HTTP client configuration is static and valid")
        })
    }
}

/// The AWS configuration from the environment, with one HTTPS client (rustls on ring) that
/// every SDK client of the container shares. `AWS_ENDPOINT_URL` (set only for the local
/// emulator) redirects every client; without it the clients talk to real AWS.
pub async fn aws_config() -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    install_crypto_provider();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await
}

impl dynamodb::DynamoStore {
    pub fn from_config(aws: &aws_config::SdkConfig, table: impl Into<std::sync::Arc<str>>) -> Self {
        Self::new(aws_sdk_dynamodb::Client::new(aws), table)
    }
}

impl sqs::SqsQueue {
    pub fn from_config(
        aws: &aws_config::SdkConfig,
        queue_url: impl Into<std::sync::Arc<str>>,
    ) -> Self {
        Self::new(aws_sdk_sqs::Client::new(aws), queue_url)
    }
}

impl ses::SesMailer {
    pub fn from_config(
        aws: &aws_config::SdkConfig,
        sender: &str,
    ) -> Result<Self, ses::InvalidSender> {
        Self::new(aws_sdk_ses::Client::new(aws), sender)
    }
}

/// The full message of an SDK error, including the service's own code and text.
pub(crate) fn sdk_message<E: std::error::Error + 'static>(e: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()
}
