//! A local stand-in for the Pipecat Cloud REST API that plays the bot:
//! `POST /v1/public/{agent}/start` starts a session, `DELETE /v1/agents/{agent}/sessions/{id}`
//! stops it (200 `terminated`, 404 unknown, 400 malformed), and the "bot" then reports its
//! exit with a transcript to the report URL it was given, as a real bot would.
//!
//! Per-bot behaviour for tests comes from `bot_config.standin` (`start`: `refuse` (400),
//! `fail` (503), `not_found` (404) or `unauthorized` (401); `stop_failures`: n; `report`:
//! `never`; `words`: n; `transcript_file`: QMSum path; `exit_reason`), so concurrent tests
//! never share switches. Without `words` or a file, the bot reports the written meeting of
//! `meeting`. `POST /_control/sessions/{id}/end` makes a bot leave on its own.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use domain::Segment;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
struct BotSession {
    bot_id: String,
    report_url: String,
    report_secret: String,
    config: Value,
    stopped: bool,
    stop_failures_left: u64,
}

#[derive(Clone)]
struct AppState {
    sessions: Arc<Mutex<HashMap<String, BotSession>>>,
    public_key: String,
    private_key: String,
    http: reqwest::Client,
}

fn app(public_key: String, private_key: String) -> Router {
    let state = AppState {
        sessions: Arc::default(),
        public_key,
        private_key,
        http: crate::local::http(),
    };
    Router::new()
        .route("/v1/public/{agent}/start", post(start))
        .route("/v1/agents/{agent}/sessions/{id}", delete(stop))
        .route("/_control/sessions/{id}/end", post(end_on_its_own))
        .route("/_control/sessions", get(list))
        .route("/_control/bots/{bot_id}", get(bot))
        .with_state(state)
}

/// Serves on `addr` until the process ends (`make up`).
pub async fn serve(addr: &str) -> Result<(), String> {
    // The keys `xtask bootstrap` stores in the emulator's Secrets Manager for the functions.
    let public_key = crate::local::local_secret("PIPECAT_PUBLIC_KEY_SECRET");
    let private_key = crate::local::local_secret("PIPECAT_PRIVATE_KEY_SECRET");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("bind {addr}: {e}"))?;
    println!("pipecat stand-in listening on http://{addr}");
    axum::serve(listener, app(public_key.into(), private_key.into()))
        .await
        .map_err(|e| e.to_string())
}

/// Serves on an ephemeral loopback port in the background (tests); returns the address.
pub async fn spawn(public_key: &str, private_key: &str) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let app = app(public_key.to_owned(), private_key.to_owned());
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

fn error(status: StatusCode, message: &str) -> (StatusCode, Json<Value>) {
    (
        status,
        Json(json!({ "error": message, "code": status.as_u16().to_string() })),
    )
}

async fn start(
    State(state): State<AppState>,
    Path(agent): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if bearer(&headers) != state.public_key {
        return error(StatusCode::UNAUTHORIZED, "Invalid public API key");
    }
    let bot = &body["body"];
    let config = bot["bot_config"].clone();
    match config["standin"]["start"].as_str() {
        Some("refuse") => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Agent '{agent}' is not ready"),
            )
        }
        Some("fail") => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "No capacity to start the agent",
            )
        }
        Some("not_found") => {
            return error(StatusCode::NOT_FOUND, &format!("Agent '{agent}' not found"))
        }
        Some("unauthorized") => return error(StatusCode::UNAUTHORIZED, "Invalid public API key"),
        _ => {}
    }
    let (Some(bot_id), Some(url), Some(secret)) = (
        bot["bot_id"].as_str(),
        bot["report"]["url"].as_str(),
        bot["report"]["secret"].as_str(),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body.bot_id and body.report are required",
        );
    };
    let id = uuid::Uuid::new_v4().to_string();
    let session = BotSession {
        bot_id: bot_id.to_owned(),
        report_url: url.to_owned(),
        report_secret: secret.to_owned(),
        stop_failures_left: config["standin"]["stop_failures"].as_u64().unwrap_or(0),
        config,
        stopped: false,
    };
    println!(
        "start agent={agent} session={id} bot={bot_id} room={}",
        bot["room_url"].as_str().unwrap_or("")
    );
    state.sessions.lock().unwrap().insert(id.clone(), session);
    (
        StatusCode::OK,
        Json(json!({ "status": "started", "sessionId": id })),
    )
}

async fn stop(
    State(state): State<AppState>,
    Path((agent, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    if bearer(&headers) != state.private_key {
        return error(StatusCode::UNAUTHORIZED, "Invalid private API key");
    }
    if uuid::Uuid::parse_str(&id).is_err() {
        return error(StatusCode::BAD_REQUEST, "Invalid session ID format");
    }
    let session = {
        let mut sessions = state.sessions.lock().unwrap();
        let Some(session) = sessions.get_mut(&id) else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Session {id} not found for agent {agent}"),
            );
        };
        if session.stop_failures_left > 0 {
            session.stop_failures_left -= 1;
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Transient failure stopping the session",
            );
        }
        if session.stopped {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Session {id} not found for agent {agent}"),
            );
        }
        session.stopped = true;
        session.clone()
    };
    println!("stop session={id} bot={}", session.bot_id);
    tokio::spawn(leave_and_report(
        state.http.clone(),
        session,
        "force_leave".into(),
        Duration::from_millis(800),
    ));
    (
        StatusCode::OK,
        Json(json!({ "status": "terminated", "session_id": id })),
    )
}

/// The bot leaves without a stop call (participants left, stop phrase, idle timeout).
async fn end_on_its_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> (StatusCode, Json<Value>) {
    let reason = body
        .as_ref()
        .and_then(|b| b["exit_reason"].as_str())
        .unwrap_or("participant_left")
        .to_owned();
    let session = {
        let mut sessions = state.sessions.lock().unwrap();
        match sessions.get_mut(&id) {
            Some(s) if !s.stopped => {
                s.stopped = true;
                s.clone()
            }
            _ => return error(StatusCode::NOT_FOUND, "no running session with that id"),
        }
    };
    tokio::spawn(leave_and_report(
        state.http.clone(),
        session,
        reason,
        Duration::ZERO,
    ));
    (
        StatusCode::OK,
        Json(json!({ "status": "ending", "session_id": id })),
    )
}

async fn list(State(state): State<AppState>) -> Json<Value> {
    let sessions = state.sessions.lock().unwrap();
    Json(json!(sessions
        .iter()
        .map(|(id, s)| json!({ "session_id": id, "bot_id": s.bot_id, "stopped": s.stopped }))
        .collect::<Vec<_>>()))
}

/// What the runtime knows of a bot, for tests that play the bot themselves.
async fn bot(
    State(state): State<AppState>,
    Path(bot_id): Path<String>,
) -> (StatusCode, Json<Value>) {
    let sessions = state.sessions.lock().unwrap();
    match sessions.iter().find(|(_, s)| s.bot_id == bot_id) {
        Some((id, s)) => (
            StatusCode::OK,
            Json(
                json!({ "session_id": id, "report_url": s.report_url, "report_secret": s.report_secret, "stopped": s.stopped }),
            ),
        ),
        None => error(StatusCode::NOT_FOUND, "no session for that bot"),
    }
}

fn transcript_for(config: &Value) -> Vec<Segment> {
    let file = config["standin"]["transcript_file"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            std::env::var("STANDIN_TRANSCRIPT_FILE")
                .ok()
                .filter(|f| !f.is_empty())
        });
    if let Some(path) = file {
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                crate::transcript_files::load_transcript(&t)
                    .map(|t| t.0)
                    .map_err(|e| e.to_string())
            }) {
            Ok(t) => return t,
            Err(e) => eprintln!("cannot use transcript {path}: {e}; generating one"),
        }
    }
    match config["standin"]["words"].as_u64() {
        Some(words) => crate::meeting::generate(words as usize),
        None => crate::meeting::written(),
    }
}

/// Leave the meeting, then report the exit with retries, as a bot process would.
async fn leave_and_report(
    http: reqwest::Client,
    session: BotSession,
    reason: String,
    delay: Duration,
) {
    tokio::time::sleep(delay).await;
    if session.config["standin"]["report"].as_str() == Some("never") {
        println!(
            "bot {} left without reporting (as configured)",
            session.bot_id
        );
        return;
    }
    let reason = session.config["standin"]["exit_reason"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or(reason);
    let ended_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let body = json!({ "exit_reason": reason, "ended_at": ended_at, "transcript": transcript_for(&session.config) });
    for attempt in 1..=8u32 {
        let result = http
            .post(&session.report_url)
            .bearer_auth(&session.report_secret)
            .json(&body)
            .send()
            .await;
        match result {
            Ok(r) if r.status().is_success() => {
                println!(
                    "bot {} reported its exit ({reason}) on attempt {attempt}",
                    session.bot_id
                );
                return;
            }
            Ok(r) if r.status().is_client_error() => {
                println!(
                    "bot {} report refused: HTTP {}: {}",
                    session.bot_id,
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
                return;
            }
            Ok(r) => println!(
                "bot {} report attempt {attempt}: HTTP {}",
                session.bot_id,
                r.status()
            ),
            Err(e) => println!("bot {} report attempt {attempt}: {e}", session.bot_id),
        }
        tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(attempt))).await;
    }
    println!("bot {} gave up reporting its exit", session.bot_id);
}
