//! Fixtures of the system tests (`tests/tests/system`): the [`Emulator`] (fresh AWS
//! resources per test), the [`Stack`] of real handlers and pipeline over it with one
//! join/stop/status helper, and small request/response helpers.

mod emulator;
mod stack;

pub use emulator::{Emulator, PRIVATE_KEY, PUBLIC_KEY};
pub use stack::{Options, RealPipeline, Stack, SENDER};

use domain::ApiKey;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// Raw SES messages the emulator accepted that mention `needle` (a bot id, an address).
pub async fn emails_mentioning(needle: &str) -> Vec<String> {
    let sent = xtask::mailbox::sent().await.unwrap();
    xtask::mailbox::mentioning(&sent, needle)
}

pub fn request(method: &str, auth: Option<&str>, body: &str, path: &[(&str, &str)]) -> Request {
    let mut builder = http::Request::builder()
        .method(method)
        .uri("/")
        .header("content-type", "application/json")
        .header("host", "api.test");
    if let Some(auth) = auth {
        builder = builder.header("authorization", auth);
    }
    let params: HashMap<String, String> = path
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    builder
        .body(if body.is_empty() {
            Body::Empty
        } else {
            Body::Text(body.to_owned())
        })
        .unwrap()
        .with_path_parameters(params)
}

pub fn bearer(key: &ApiKey) -> String {
    format!("Bearer {}", key.expose())
}

pub fn json(response: Response<Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        Body::Binary(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, body)
}

/// Polls `check` until it is true or `within` passes.
pub async fn eventually<F: FnMut() -> Fut, Fut: std::future::Future<Output = bool>>(
    within: Duration,
    mut check: F,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// An address no other test uses, so its emails can be counted.
pub fn unique_email() -> String {
    format!(
        "team-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// A generated meeting of 300 segments (the stand-in bot's script).
pub fn meeting() -> Vec<domain::Segment> {
    xtask::meeting::generate(300)
}
