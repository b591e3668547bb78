//! A fault-injecting HTTP proxy for the chaos suite: placed between the functions and the
//! emulator, and between the pipeline and the bot runtime and the webhook receiver. At the
//! configured rate a request gets one fault — a 5xx, a throttling error in the protocol's
//! own format, a connection reset, or a delay — always *before* it is forwarded, so a
//! failed request had no effect upstream (the window where an upstream effect happens but
//! its answer is lost is the one documented in the README and measured separately).

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rand::Rng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
pub struct Stats {
    pub forwarded: AtomicU64,
    pub server_errors: AtomicU64,
    pub throttles: AtomicU64,
    pub resets: AtomicU64,
    pub delays: AtomicU64,
}

impl Stats {
    pub fn line(&self) -> String {
        format!(
            "forwarded {} | injected: 5xx {} throttling {} resets {} delays {}",
            self.forwarded.load(Ordering::Relaxed),
            self.server_errors.load(Ordering::Relaxed),
            self.throttles.load(Ordering::Relaxed),
            self.resets.load(Ordering::Relaxed),
            self.delays.load(Ordering::Relaxed)
        )
    }
}

struct Proxy {
    upstream: String,
    rate: f64,
    http: reqwest::Client,
    stats: Arc<Stats>,
}

/// Returned to hyper to make it drop the connection without an answer.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("injected connection reset")
    }
}

impl std::error::Error for Reset {}

fn throttling(req_content_type: &str, signed_for_aws: bool) -> Response<Full<Bytes>> {
    // Plain HTTP APIs (the bot runtime, webhook endpoints) throttle with 429.
    if !signed_for_aws {
        return Response::builder()
            .status(429)
            .header("retry-after", "1")
            .body(Full::new(Bytes::from_static(b"rate limited (injected)")))
            .expect("static response");
    }
    // JSON protocols (DynamoDB, SQS) name the error in `__type`; query protocols (SES) in XML.
    let (content_type, body) = if req_content_type.contains("json") {
        (
            "application/x-amz-json-1.0",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded (injected)"}"#.to_owned(),
        )
    } else {
        (
            "text/xml",
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded (injected)</Message></Error><RequestId>fault</RequestId></ErrorResponse>".to_owned(),
        )
    };
    Response::builder()
        .status(400)
        .header("content-type", content_type)
        .header("x-amzn-errortype", "ThrottlingException")
        .header("x-amzn-query-error", "Throttling;Sender")
        .body(Full::new(Bytes::from(body)))
        .expect("static response")
}

impl Proxy {
    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Reset> {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let signed_for_aws = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"));
        let fault = {
            let mut rng = rand::rng();
            if rng.random_bool(self.rate) {
                Some(rng.random_range(0..4))
            } else {
                None
            }
        };
        match fault {
            Some(0) => {
                self.stats.server_errors.fetch_add(1, Ordering::Relaxed);
                let status = if rand::rng().random_bool(0.5) {
                    500
                } else {
                    503
                };
                return Ok(Response::builder()
                    .status(status)
                    .body(Full::new(Bytes::from_static(b"injected server error")))
                    .expect("static"));
            }
            Some(1) => {
                self.stats.throttles.fetch_add(1, Ordering::Relaxed);
                return Ok(throttling(&content_type, signed_for_aws));
            }
            Some(2) => {
                self.stats.resets.fetch_add(1, Ordering::Relaxed);
                return Err(Reset);
            }
            Some(_) => {
                self.stats.delays.fetch_add(1, Ordering::Relaxed);
                let ms = rand::rng().random_range(100..1500);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            None => {}
        }
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map_err(|_| Reset)?.to_bytes();
        let forward = forward_request(&self.http, &self.upstream, &parts, body);
        let upstream = forward.send().await.map_err(|_| Reset)?;
        self.stats.forwarded.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::builder().status(upstream.status().as_u16());
        for (name, value) in upstream.headers() {
            if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                response = response.header(name, value);
            }
        }
        let bytes = upstream.bytes().await.map_err(|_| Reset)?;
        Ok(response.body(Full::new(bytes)).expect("copied response"))
    }
}

/// Serves until the process ends, printing its counters every 10 s.
pub async fn serve(listen: &str, upstream: &str, rate: f64) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("bind {listen}: {e}"))?;
    let stats = Arc::new(Stats::default());
    let proxy = Arc::new(Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        rate,
        http: crate::local::http_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?,
        stats: stats.clone(),
    });
    println!("fault proxy {listen} -> {upstream}, fault rate {rate}");
    let reporter = stats.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            println!("{}", reporter.line());
        }
    });
    loop {
        let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let proxy = proxy.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let proxy = proxy.clone();
                async move { proxy.handle(req).await }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The request as received, sent on to `base` (same method, path, query, headers and body;
/// hop-by-hop lengths left to the client). The fault proxy and the cost meter both forward.
pub(crate) fn forward_request(
    http: &reqwest::Client,
    base: &str,
    parts: &hyper::http::request::Parts,
    body: hyper::body::Bytes,
) -> reqwest::RequestBuilder {
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut forward = http
        .request(parts.method.clone(), format!("{base}{path}"))
        .body(body);
    for (name, value) in &parts.headers {
        if name != "content-length" && name != "connection" {
            forward = forward.header(name, value);
        }
    }
    forward
}
