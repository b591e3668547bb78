//! A local webhook receiver, standing in for a customer's endpoint: verifies each
//! Standard Webhooks signature with the account's secret, prints every event, and keeps
//! them for `GET /events`. Query parameters script its answers for tests: `fail_first=N`
//! (the first N attempts of each webhook-id answer `fail_status`, default 500),
//! `status=410`, `hang_ms=N`, `redirect=URL`. `GET /events` filters by `bot_id` or
//! `webhook_id` (a test event has no bot).

use adapters::dynamodb::DynamoStore;
use app::ports::Accounts;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::AccountId;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, Serialize)]
pub struct Received {
    pub account: String,
    pub webhook_id: String,
    pub webhook_timestamp: String,
    pub verified: bool,
    /// The `webhook-signature` header as received (two `v1,` entries during a rotation's
    /// overlap) and the raw body, so a test can verify with a secret of its own.
    pub webhook_signature: String,
    pub body: String,
    pub answered: u16,
    pub attempt: u32,
    pub event: Value,
}

#[derive(Clone)]
struct AppState {
    store: DynamoStore,
    secrets: Arc<Mutex<HashMap<String, String>>>,
    events: Arc<Mutex<Vec<Received>>>,
    attempts: Arc<Mutex<HashMap<String, u32>>>,
}

fn app(store: DynamoStore) -> Router {
    let state = AppState {
        store,
        secrets: Arc::default(),
        events: Arc::default(),
        attempts: Arc::default(),
    };
    Router::new()
        .route("/hooks/{account}", post(receive))
        .route("/events", get(events))
        .with_state(state)
}

/// Serves on `addr` until the process ends (`make up`).
pub async fn serve(addr: &str) -> Result<(), String> {
    let store = crate::local::store().await;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("bind {addr}: {e}"))?;
    println!("webhook receiver listening on http://{addr}");
    axum::serve(listener, app(store))
        .await
        .map_err(|e| e.to_string())
}

/// Serves on an ephemeral loopback port in the background (tests); returns the address.
pub async fn spawn(store: DynamoStore) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app(store)).await });
    addr
}

/// The account's current secret, remembered; `fresh` reads it again (after a rotation).
async fn secret_for(state: &AppState, account: &str, fresh: bool) -> Option<String> {
    if let Some(s) = state
        .secrets
        .lock()
        .unwrap()
        .get(account)
        .filter(|_| !fresh)
    {
        return Some(s.clone());
    }
    let id = AccountId::parse(account).ok()?;
    let secret = state.store.webhook_secret(&id).await.ok().flatten()?;
    state
        .secrets
        .lock()
        .unwrap()
        .insert(account.to_owned(), secret.expose().to_owned());
    Some(secret.expose().to_owned())
}

async fn receive(
    State(state): State<AppState>,
    Path(account): Path<String>,
    Query(script): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let webhook_id = header("webhook-id");
    let attempt = {
        let mut attempts = state.attempts.lock().unwrap();
        let n = attempts.entry(webhook_id.clone()).or_default();
        *n += 1;
        *n
    };
    let verifies = |secret: Option<String>| {
        secret.is_some_and(|secret| {
            standardwebhooks::Webhook::new(&secret).is_ok_and(|w| w.verify(&body, &headers).is_ok())
        })
    };
    // The remembered secret, or, when it does not verify, the one stored now (rotated).
    let verified = verifies(secret_for(&state, &account, false).await)
        || verifies(secret_for(&state, &account, true).await);
    let number = |k: &str| script.get(k).and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = number("hang_ms") {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let status = if script.contains_key("redirect") {
        307
    } else if let Some(code) = number("status") {
        code as u16
    } else if number("fail_first").is_some_and(|n| u64::from(attempt) <= n) {
        number("fail_status").unwrap_or(500) as u16
    } else {
        200
    };
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    println!(
        "webhook {} bot={} webhook-id={webhook_id} attempt={attempt} signature {} -> {status}",
        event["event"].as_str().unwrap_or("?"),
        event["bot_id"].as_str().unwrap_or("?"),
        if verified { "verified" } else { "INVALID" },
    );
    state.events.lock().unwrap().push(Received {
        account,
        webhook_id,
        webhook_timestamp: header("webhook-timestamp"),
        verified,
        webhook_signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered: status,
        attempt,
        event,
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    match script.get("redirect") {
        Some(target) => (status, [("location", target.clone())], "").into_response(),
        None => (status, Json(json!({ "received": true }))).into_response(),
    }
}

async fn events(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Vec<Received>> {
    let events = state.events.lock().unwrap();
    Json(
        events
            .iter()
            .filter(|e| {
                q.get("bot_id")
                    .is_none_or(|b| e.event["bot_id"].as_str() == Some(b))
                    && q.get("webhook_id").is_none_or(|id| &e.webhook_id == id)
            })
            .cloned()
            .collect(),
    )
}
