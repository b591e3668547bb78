//! Handler behaviour with in-memory ports: every contract answer and every refusal, each
//! checked to leave the store and the queue unchanged.

use super::*;
use crate::ports::RuntimeError;
use crate::testing::{FakeRuntime, MemQueue, MemResolver, MemStore};
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::{ApiKey, BotId, Phase};
use lambda_http::{Body, Request, RequestExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

struct World {
    store: MemStore,
    queue: MemQueue,
    runtime: FakeRuntime,
    key: ApiKey,
    other_key: ApiKey,
}

impl World {
    fn new() -> Self {
        let store = MemStore::default();
        let key = store.add_key("acme");
        let other_key = store.add_key("globex");
        Self {
            store,
            queue: MemQueue::default(),
            runtime: FakeRuntime::default(),
            key,
            other_key,
        }
    }

    fn join_handler(&self) -> JoinHandler<MemStore, FakeRuntime, MemQueue, MemResolver> {
        let settings = JoinSettings {
            url_policy: UrlPolicy::STRICT,
            room_hosts: domain::join::RoomHosts::default(),
            public_base_url: "https://api.example.com".into(),
            max_session: Duration::from_secs(3600),
            limits: domain::limits::Limits::default(),
        };
        JoinHandler::new(
            self.store.clone(),
            self.runtime.clone(),
            self.queue.clone(),
            MemResolver::default(),
            settings,
        )
    }

    fn stop_handler(&self) -> StopHandler<MemStore, MemQueue> {
        StopHandler::new(self.store.clone(), self.queue.clone())
    }

    fn status_handler(&self) -> StatusHandler<MemStore> {
        StatusHandler::new(self.store.clone())
    }

    async fn join(&self, body: Value) -> (u16, Value) {
        call_join(
            self,
            request("POST", Some(&self.key), body.to_string(), &[]),
            &[],
        )
        .await
    }

    async fn joined_bot(&self) -> BotId {
        let (status, body) = self.join(join_body()).await;
        assert_eq!(status, 200, "{body}");
        BotId::parse(body["bot_id"].as_str().unwrap()).unwrap()
    }

    async fn stop(&self, key: Option<&ApiKey>, id: &str) -> (u16, Value) {
        let req =
            request("POST", key, String::new(), &[]).with_path_parameters(params("bot_id", id));
        respond(self.stop_handler().handle(req).await)
    }

    async fn pipecat_stop(&self, key: Option<&ApiKey>, id: &str) -> (u16, Value) {
        let mut p = params("sessionId", id);
        p.insert("agentName".into(), "meeting-bot".into());
        let req = request("DELETE", key, String::new(), &[]).with_path_parameters(p);
        respond(self.stop_handler().handle(req).await)
    }

    async fn status(&self, key: Option<&ApiKey>, id: &str) -> (u16, Value) {
        let req =
            request("GET", key, String::new(), &[]).with_path_parameters(params("bot_id", id));
        respond(self.status_handler().handle(req).await)
    }

    fn set_phase(&self, id: BotId, phase: Phase) {
        let mut s = self.store.session(id).unwrap();
        s.phase = phase;
        self.store.put_session(s);
    }
}

async fn call_join(w: &World, req: Request, _: &[()]) -> (u16, Value) {
    respond(w.join_handler().handle(req).await)
}

fn params(name: &str, value: &str) -> HashMap<String, String> {
    HashMap::from([(name.to_owned(), value.to_owned())])
}

fn join_body() -> Value {
    json!({
        "room_url": "https://acme.daily.co/standup",
        "bot_config": {"bot_prompt": "Take notes", "name": "Notetaker"},
        "email": "ada@example.com",
    })
}

fn request(method: &str, key: Option<&ApiKey>, body: String, headers: &[(&str, &str)]) -> Request {
    let mut builder = ::http::Request::builder()
        .method(method)
        .uri("/x")
        .header("content-type", "application/json");
    if let Some(key) = key {
        builder = builder.header("authorization", format!("Bearer {}", key.expose()));
    }
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
        .body(if body.is_empty() {
            Body::Empty
        } else {
            Body::Text(body)
        })
        .unwrap()
}

fn respond(response: lambda_http::Response<Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("unexpected body {other:?}"),
    };
    (status, body)
}

fn assert_pailflow_error(body: &Value, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

// ---- join ----

#[tokio::test]
async fn join_answers_started_and_starts_the_bot_once() {
    let w = World::new();
    let (status, body) = w.join(join_body()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "started");
    assert_eq!(body["room_url"], "https://acme.daily.co/standup");
    let id = BotId::parse(body["bot_id"].as_str().unwrap()).unwrap();
    let started = w.runtime.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1);
    assert_eq!(
        started[0].1,
        format!("https://api.example.com/v1/bots/{id}/exit")
    );
    let session = w.store.session(id).unwrap();
    assert_eq!(session.phase, Phase::InCall);
    assert_eq!(
        session.runtime_session_id.as_deref(),
        Some(format!("rt-{id}").as_str())
    );
    // The session limit is scheduled, nothing else.
    assert!(matches!(
        w.queue.messages().as_slice(),
        [PipelineMessage::ExitDeadline { .. }]
    ));
}

#[tokio::test]
async fn join_auth_failures_are_401_and_create_nothing() {
    let w = World::new();
    let body = join_body().to_string();
    let bad_headers: [&[(&str, &str)]; 4] = [
        &[],
        &[("authorization", "Basic abc")],
        &[("authorization", "Bearer pfk_not_a_real_key")],
        &[("authorization", "Bearer ")],
    ];
    for headers in bad_headers {
        let (status, resp) = call_join(&w, request("POST", None, body.clone(), headers), &[]).await;
        assert_eq!(status, 401, "{headers:?}");
        assert_pailflow_error(&resp, "authentication_error");
        assert_eq!(resp["detail"], "API key authentication failed.");
        assert_eq!(
            resp["message"],
            "Please verify your API key or contact support."
        );
    }
    assert_eq!(w.store.session_count(), 0);
    assert!(w.queue.messages().is_empty());
    assert!(w.runtime.started.lock().unwrap().is_empty());
}

#[tokio::test]
async fn join_bad_bodies_are_refused_with_clear_errors_and_create_nothing() {
    let w = World::new();
    let mut cases: Vec<(Request, u16, &str, &str)> = vec![
        (request("POST", Some(&w.key), "{not json".into(), &[]), 400, "invalid_request", "not valid JSON"),
        (request("POST", Some(&w.key), "[]".into(), &[]), 400, "invalid_request", "JSON object"),
        (
            request("POST", Some(&w.key), json!({"bot_config": {"bot_prompt": "x"}}).to_string(), &[]),
            400,
            "invalid_request",
            "Missing required field: room_url",
        ),
        (
            request("POST", Some(&w.key), json!({"room_url": "https://a.daily.co/r"}).to_string(), &[]),
            400,
            "invalid_request",
            "Missing required field: bot_config",
        ),
        (
            request("POST", Some(&w.key), json!({"room_url": "https://a.daily.co/r", "bot_config": {}}).to_string(), &[]),
            400,
            "invalid_request",
            "bot_config.bot_prompt",
        ),
        (
            request("POST", Some(&w.key), json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "process_insights": "yes"}).to_string(), &[]),
            400,
            "invalid_request",
            "Field 'process_insights' must be a boolean",
        ),
        (
            request("POST", Some(&w.key), json!({"room_url": 7, "bot_config": {"bot_prompt": "x"}}).to_string(), &[]),
            400,
            "invalid_request",
            "Field 'room_url' must be a string",
        ),
        (
            request("POST", Some(&w.key), json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "webhook_callback_url": "https://169.254.169.254/"}).to_string(), &[]),
            400,
            "invalid_request",
            "webhook_callback_url",
        ),
    ];
    let mut wrong_type = request("POST", Some(&w.key), join_body().to_string(), &[]);
    wrong_type
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    cases.push((
        wrong_type,
        415,
        "unsupported_media_type",
        "application/json",
    ));
    let huge = json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x".repeat(MAX_JOIN_BODY_BYTES)}});
    cases.push((
        request("POST", Some(&w.key), huge.to_string(), &[]),
        413,
        "payload_too_large",
        "limit is 65536 bytes",
    ));

    for (req, status, code, detail) in cases {
        let (got, body) = call_join(&w, req, &[]).await;
        assert_eq!(got, status, "{body}");
        assert_pailflow_error(&body, code);
        assert!(
            body["detail"].as_str().unwrap().contains(detail),
            "{body} lacks {detail}"
        );
    }
    assert_eq!(w.store.session_count(), 0);
    assert!(w.queue.messages().is_empty());
    assert!(w.runtime.started.lock().unwrap().is_empty());
}

#[tokio::test]
async fn join_replayed_with_the_same_idempotency_key_returns_the_same_bot_and_starts_nothing() {
    let w = World::new();
    let body = join_body().to_string();
    let first = call_join(
        &w,
        request(
            "POST",
            Some(&w.key),
            body.clone(),
            &[("idempotency-key", "k-1")],
        ),
        &[],
    )
    .await;
    let second = call_join(
        &w,
        request("POST", Some(&w.key), body, &[("idempotency-key", "k-1")]),
        &[],
    )
    .await;
    assert_eq!(first.0, 200);
    assert_eq!(first, second);
    assert_eq!(w.runtime.started.lock().unwrap().len(), 1);
    assert_eq!(w.store.session_count(), 1);
    // The same key under another account is another request.
    let other = call_join(
        &w,
        request(
            "POST",
            Some(&w.other_key),
            join_body().to_string(),
            &[("idempotency-key", "k-1")],
        ),
        &[],
    )
    .await;
    assert_ne!(other.1["bot_id"], first.1["bot_id"]);
}

#[tokio::test]
async fn join_replayed_with_a_different_body_is_422_and_starts_nothing() {
    let w = World::new();
    let (status, _) = call_join(
        &w,
        request(
            "POST",
            Some(&w.key),
            join_body().to_string(),
            &[("idempotency-key", "k-2")],
        ),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let mut changed = join_body();
    changed["room_url"] = json!("https://acme.daily.co/other");
    let (status, body) = call_join(
        &w,
        request(
            "POST",
            Some(&w.key),
            changed.to_string(),
            &[("idempotency-key", "k-2")],
        ),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert_pailflow_error(&body, "idempotency_error");
    assert_eq!(w.runtime.started.lock().unwrap().len(), 1);
    assert_eq!(w.store.session_count(), 1);
}

#[tokio::test]
async fn join_refused_by_the_runtime_is_502_and_the_session_is_failed() {
    let w = World::new();
    *w.runtime.start_error.lock().unwrap() = Some(RuntimeError::Failed {
        status: 503,
        detail: "no capacity".into(),
    });
    let mut body = join_body();
    body["webhook_callback_url"] = json!("https://hooks.example.com/bots");
    let (status, resp) = w.join(body).await;
    assert_eq!(status, 502);
    assert_pailflow_error(&resp, "bot_start_failed");
    let detail = resp["detail"].as_str().unwrap();
    assert_eq!(
        detail,
        "The bot runtime is unavailable; please try again. (runtime_unavailable)"
    );
    let id = BotId::parse(resp["bot_id"].as_str().unwrap()).unwrap();
    let session = w.store.session(id).unwrap();
    assert_eq!(session.phase, Phase::Failed);
    assert_eq!(session.error_code.as_deref(), Some("runtime_unavailable"));
    let error = session.error.unwrap();
    assert!(
        !detail.contains("no capacity") && !error.contains("no capacity") && !error.contains("503"),
        "the runtime's own answer never reaches the customer: {error}"
    );
    // The bot_join_failed webhook is owed and its delivery enqueued.
    assert_eq!(
        session.webhook_delivery.unwrap().event.as_str(),
        "bot_join_failed"
    );
    assert!(matches!(
        w.queue.messages().as_slice(),
        [PipelineMessage::Deliver { .. }]
    ));
    let (_, status_body) = w.status(Some(&w.key), &id.to_string()).await;
    assert_eq!(status_body["status"], "failed");
}

// ---- stop ----

#[tokio::test]
async fn stop_records_the_leave_request_and_enqueues_one_message() {
    let w = World::new();
    let id = w.joined_bot().await;
    w.queue.take();
    let (status, body) = w.stop(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "leave_requested", "bot_id": id.to_string(), "message": "Bot stop request sent. Bot will exit within 5 seconds."})
    );
    assert_eq!(
        w.queue.messages(),
        vec![PipelineMessage::leave_requested(id)]
    );
    let session = w.store.session(id).unwrap();
    assert_eq!(session.phase, Phase::Leaving);
    assert!(session.leave_requested_at.is_some() && session.leave_enqueued);
}

#[tokio::test]
async fn stop_twice_answers_200_and_sends_nothing_new() {
    let w = World::new();
    let id = w.joined_bot().await;
    w.queue.take();
    assert_eq!(w.stop(Some(&w.key), &id.to_string()).await.0, 200);
    let first_request = w.store.session(id).unwrap().leave_requested_at;
    let (status, body) = w.stop(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "leave_requested");
    assert_eq!(w.queue.messages().len(), 1);
    assert_eq!(
        w.store.session(id).unwrap().leave_requested_at,
        first_request
    );
}

#[tokio::test]
async fn stop_that_recorded_but_could_not_enqueue_is_completed_by_the_retry() {
    let w = World::new();
    let id = w.joined_bot().await;
    w.queue.take();
    // As if the first stop crashed between the conditional write and the queue.
    let mut s = w.store.session(id).unwrap();
    s.phase = Phase::Leaving;
    s.leave_requested_at = Some(domain::now());
    s.leave_enqueued = false;
    w.store.put_session(s);
    assert_eq!(w.stop(Some(&w.key), &id.to_string()).await.0, 200);
    assert_eq!(
        w.queue.messages(),
        vec![PipelineMessage::leave_requested(id)]
    );
    assert!(w.store.session(id).unwrap().leave_enqueued);
}

#[tokio::test]
async fn stop_of_completed_and_of_failed_bot_is_409() {
    for (phase, word) in [(Phase::Completed, "completed"), (Phase::Failed, "failed")] {
        let w = World::new();
        let id = w.joined_bot().await;
        w.set_phase(id, phase);
        w.queue.take();
        let before = w.store.session(id).unwrap();
        let (status, body) = w.stop(Some(&w.key), &id.to_string()).await;
        assert_eq!(status, 409);
        assert_pailflow_error(&body, "conflict");
        assert!(body["detail"].as_str().unwrap().contains(word));
        assert!(w.queue.messages().is_empty());
        assert_eq!(w.store.session(id).unwrap(), before);
    }
}

#[tokio::test]
async fn stop_of_unknown_other_accounts_and_malformed_ids() {
    let w = World::new();
    let id = w.joined_bot().await;
    w.queue.take();
    let before = w.store.session(id).unwrap();

    let unknown = BotId::new().to_string();
    let (status, body) = w.stop(Some(&w.key), &unknown).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], format!("Bot session {unknown} not found"));
    assert_eq!(body["message"], "The specified bot session does not exist.");

    let (status, body) = w.stop(Some(&w.other_key), &id.to_string()).await;
    assert_eq!(
        status, 404,
        "another account's bot is not found, never forbidden"
    );
    assert_pailflow_error(&body, "not_found");

    for bad in [
        "not-a-uuid",
        "../../etc/passwd",
        "258b06fc6bc942619f29bc8a4474af0a",
        "",
    ] {
        let (status, body) = w.stop(Some(&w.key), bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_pailflow_error(&body, "invalid_request");
    }

    let (status, body) = w.stop(None, &id.to_string()).await;
    assert_eq!(status, 401);
    assert_pailflow_error(&body, "authentication_error");

    assert!(w.queue.messages().is_empty());
    assert_eq!(w.store.session(id).unwrap(), before);
}

#[tokio::test]
async fn pipecat_stop_answers_terminated_and_errors_as_error_and_code() {
    let w = World::new();
    let id = w.joined_bot().await;
    w.queue.take();
    let (status, body) = w.pipecat_stop(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "terminated", "session_id": id.to_string()})
    );
    assert_eq!(
        w.queue.messages(),
        vec![PipelineMessage::leave_requested(id)]
    );
    let (status, _) = w.pipecat_stop(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200, "repeated stop answers 200 again");
    assert_eq!(w.queue.messages().len(), 1);

    for (key, raw, expect_status, expect_code) in [
        (Some(&w.key), "nope".to_string(), 400, "invalid_request"),
        (Some(&w.key), BotId::new().to_string(), 404, "not_found"),
        (Some(&w.other_key), id.to_string(), 404, "not_found"),
        (None, id.to_string(), 401, "authentication_error"),
    ] {
        let (status, body) = w.pipecat_stop(key, &raw).await;
        assert_eq!(status, expect_status, "{body}");
        assert_eq!(body["code"], expect_code);
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert!(body.get("detail").is_none());
    }
}

// ---- status ----

#[tokio::test]
async fn status_of_a_running_then_leaving_bot() {
    let w = World::new();
    let id = w.joined_bot().await;
    let (status, body) = w.status(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "running");
    assert_eq!(body["phase"], "in_call");
    assert_eq!(body["bot_id"], id.to_string());
    assert!(body["started_at"].is_string());
    assert!(
        body["completed_at"].is_null()
            && body["transcript"].is_null()
            && body["leave_requested_at"].is_null()
    );

    w.stop(Some(&w.key), &id.to_string()).await;
    let (_, body) = w.status(Some(&w.key), &id.to_string()).await;
    assert_eq!(body["status"], "running");
    assert_eq!(body["phase"], "leaving");
    assert!(body["leave_requested_at"].is_string());
}

#[tokio::test]
async fn status_refusals() {
    let w = World::new();
    let id = w.joined_bot().await;
    assert_eq!(w.status(Some(&w.other_key), &id.to_string()).await.0, 404);
    assert_eq!(
        w.status(Some(&w.key), &BotId::new().to_string()).await.0,
        404
    );
    assert_eq!(w.status(Some(&w.key), "xyz").await.0, 400);
    assert_eq!(w.status(None, &id.to_string()).await.0, 401);
}

#[tokio::test]
async fn status_checks_the_account_before_reading_a_transcript_or_results() {
    let w = World::new();
    let id = w.joined_bot().await;
    let mut s = w.store.session(id).unwrap();
    s.phase = Phase::Completed;
    w.store.put_session(s);
    assert_eq!(w.status(Some(&w.other_key), &id.to_string()).await.0, 404);
    assert_eq!(
        w.store.result_reads(),
        0,
        "another account's bot: nothing but the session read"
    );
    assert_eq!(w.status(Some(&w.key), &id.to_string()).await.0, 200);
    assert_eq!(w.store.result_reads(), 1);
}

mod accounts;
mod delete_data;
mod deliveries;
mod export;
mod insights;
mod limits;
mod observability;
