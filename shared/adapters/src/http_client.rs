//! The TLS crypto provider every HTTPS client of a process uses, and reqwest clients built
//! on first use.

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
