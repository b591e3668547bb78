//! CPU per request of the stop and status handlers with in-memory ports: what our code
//! costs on top of DynamoDB and SQS round trips (`make bench`; goal ≤ 100 µs).

use app::api::{JoinHandler, JoinSettings, StatusHandler, StopHandler};
use app::ports::{Finish, SessionStore, TranscriptStore};
use app::testing::{FakeRuntime, MemQueue, MemResolver, MemStore};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use domain::insights::Analysis;
use domain::net::UrlPolicy;
use domain::session::ExitRecord;
use domain::{now, BotId, ExitReason, Phase, Session, Transcript};
use insights::BuiltinEngine;
use lambda_http::{Body, Request, RequestExt};
use std::collections::HashMap;
use std::time::Duration;

fn request(method: &str, key: &str, id: &BotId) -> Request {
    http::Request::builder()
        .method(method)
        .header("authorization", key)
        .body(Body::Empty)
        .unwrap()
        .with_path_parameters(HashMap::from([("bot_id".to_owned(), id.to_string())]))
}

/// A store with one account and one in-call session made by the real join handler.
fn world(rt: &tokio::runtime::Runtime) -> (MemStore, String, Session) {
    let store = MemStore::default();
    let key = format!("Bearer {}", store.add_key("acme").expose());
    let settings = JoinSettings {
        url_policy: UrlPolicy::STRICT,
        room_hosts: domain::join::RoomHosts::default(),
        public_base_url: "https://api.example.com".into(),
        max_session: Duration::from_secs(3600),
        limits: domain::limits::Limits::default(),
    };
    let join = JoinHandler::new(
        store.clone(),
        FakeRuntime::default(),
        MemQueue::default(),
        MemResolver::default(),
        settings,
    );
    let body = r#"{"room_url":"https://acme.daily.co/standup","bot_config":{"bot_prompt":"Take notes"},"email":"ada@example.com"}"#;
    let req = http::Request::builder()
        .method("POST")
        .header("authorization", &key)
        .header("content-type", "application/json")
        .body(Body::Text(body.into()))
        .unwrap();
    let response = rt.block_on(join.handle(req));
    let id: serde_json::Value = match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        _ => panic!("join answered without a body"),
    };
    let id = BotId::parse(id["bot_id"].as_str().unwrap()).unwrap();
    let session = store.session(id).unwrap();
    (store, key, session)
}

fn stop(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (store, key, template) = world(&rt);
    let handler = StopHandler::new(store.clone(), MemQueue::default());
    c.bench_function("handler/stop/in_call", |b| {
        b.to_async(&rt).iter_batched(
            || {
                let mut s = template.clone();
                s.bot_id = BotId::new();
                store.put_session(s.clone());
                request("POST", &key, &s.bot_id)
            },
            |req| handler.handle(req),
            BatchSize::SmallInput,
        )
    });
}

fn status(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (store, key, running) = world(&rt);
    let handler = StatusHandler::new(store.clone());
    c.bench_function("handler/status/running", |b| {
        b.to_async(&rt)
            .iter(|| handler.handle(request("GET", &key, &running.bot_id)))
    });

    // A completed 1-hour meeting: ~10,000 words of transcript, Q&A and insights in the answer.
    let mut done = running.clone();
    done.bot_id = BotId::new();
    done.phase = Phase::Processing;
    store.put_session(done.clone());
    let transcript = Transcript(
        (0..1000u64)
            .map(|i| domain::Segment {
                speaker: format!("Speaker {}", i % 4),
                text: "we should ship the release on friday if the load tests pass".into(),
                start_ms: i * 4000,
                end_ms: i * 4000 + 3800,
            })
            .collect(),
    );
    let analysis: Analysis = BuiltinEngine::new().analyze(&transcript);
    rt.block_on(async {
        store
            .save_transcript(done.bot_id, "exit", &transcript, None)
            .await
            .unwrap();
        let exit = ExitRecord {
            exit_id: "exit".into(),
            reason: ExitReason::ForceLeave,
            ended_at: now(),
            reported_at: now(),
            chunks: 1,
            segments: 1000,
            words: 10_000,
            duration_ms: 4_000_000,
        };
        store
            .record_exit(done.bot_id, &exit, &Default::default())
            .await
            .unwrap();
        let finish = Finish {
            phase: Phase::Completed,
            at: now(),
            error: None,
            error_code: None,
            analysis: Some(&analysis),
            email: None,
            webhook: None,
            frees_slot_of: None,
            expires_at: None,
            timeline: Default::default(),
        };
        assert!(store
            .finish(done.bot_id, &[Phase::Processing], finish)
            .await
            .unwrap());
    });
    c.bench_function("handler/status/completed_1h_meeting", |b| {
        b.to_async(&rt)
            .iter(|| handler.handle(request("GET", &key, &done.bot_id)))
    });
}

criterion_group!(handlers, stop, status);
criterion_main!(handlers);
