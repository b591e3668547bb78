//! The LLM engine against a real local HTTP server speaking the chat-completions protocol.

use super::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use domain::Segment;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What the server answers, in order (the last one repeats).
#[derive(Clone)]
enum Reply {
    Content(&'static str),
    Status(u16),
    Hang,
}

async fn server(replies: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let state = (Arc::new(replies), calls.clone());
    let app = Router::new()
        .route(
            "/v1/chat/completions",
            post(|State((replies, calls)): State<(Arc<Vec<Reply>>, Arc<AtomicUsize>)>, Json(body): Json<Value>| async move {
                assert!(body["messages"][1]["content"].as_str().unwrap().contains("Transcript"));
                let n = calls.fetch_add(1, Ordering::SeqCst);
                match replies[n.min(replies.len() - 1)].clone() {
                    Reply::Content(c) => (StatusCode::OK, Json(json!({"choices": [{"message": {"role": "assistant", "content": c}}]}))),
                    Reply::Status(s) => (StatusCode::from_u16(s).unwrap(), Json(json!({"error": {"message": "nope"}}))),
                    Reply::Hang => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        (StatusCode::OK, Json(json!({})))
                    }
                }
            }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), calls)
}

fn engine(base_url: String) -> LlmInsights<OpenAiChat> {
    let chat = OpenAiChat::new(OpenAiConfig {
        base_url,
        api_key: crate::secrets::LazySecret::known(domain::Secret::new("k")),
        model: "test-model".into(),
        timeout: Duration::from_secs(1),
    });
    LlmInsights::new(chat).with_schedule(&[Duration::from_millis(10), Duration::from_millis(20)])
}

fn transcript() -> Transcript {
    Transcript(vec![
        Segment {
            speaker: "Ada".into(),
            text: "Can we ship Friday?".into(),
            start_ms: 0,
            end_ms: 2000,
        },
        Segment {
            speaker: "Bob".into(),
            text: "Yes, the build is green.".into(),
            start_ms: 2000,
            end_ms: 5000,
        },
    ])
}

const GOOD: &str = r#"{"summary":"They agreed to ship on Friday.","action_items":[{"task":"Ship","owner":"Bob","due":"Friday"}],"decisions":["Ship Friday"],"topics":["release"],"qa_pairs":[{"question":"Can we ship Friday?","answer":"Yes."}]}"#;

#[tokio::test]
async fn a_good_answer_becomes_the_insights_with_counted_speaker_stats() {
    let (url, _) = server(vec![Reply::Content(GOOD)]).await;
    let request = InsightsRequest {
        analysis_prompt: Some("Focus on risks"),
        summary_format_prompt: Some("One sentence"),
    };
    let a = engine(url).analyze(&transcript(), &request).await;
    assert_eq!(a.insights_error, None);
    let i = a.insights.unwrap();
    assert_eq!(i.summary, "They agreed to ship on Friday.");
    assert_eq!(i.engine, "test-model");
    assert_eq!(i.action_items[0].owner.as_deref(), Some("Bob"));
    assert_eq!(i.speakers.len(), 2, "speaker stats are counted, not asked");
    assert_eq!(a.qa_pairs.len(), 1);
}

#[tokio::test]
async fn the_models_score_is_used_and_what_it_left_out_is_the_built_in_engines() {
    let scored = r#"{"summary":"Short.","overall_score":6,"strengths":["Bob answered Ada's question"],"weaknesses":["No owner for the release"]}"#;
    let (url, _) = server(vec![Reply::Content(scored)]).await;
    let i = engine(url)
        .analyze(&transcript(), &InsightsRequest::default())
        .await
        .insights
        .unwrap();
    assert_eq!(i.overall_score, Some(6.0));
    assert_eq!(i.strengths, ["Bob answered Ada's question"]);
    assert_eq!(i.weaknesses, ["No owner for the release"]);

    let builtin = BuiltinEngine::new()
        .analyze(&transcript())
        .insights
        .unwrap();
    let partial =
        r#"{"summary":"Short.","overall_score":"great","weaknesses":["No owner for the release"]}"#;
    let (url, _) = server(vec![Reply::Content(partial)]).await;
    let a = engine(url)
        .analyze(&transcript(), &InsightsRequest::default())
        .await;
    assert_eq!(a.insights_error, None, "the rest of the answer is used");
    let i = a.insights.unwrap();
    assert_eq!(i.summary, "Short.");
    assert_eq!(i.overall_score, builtin.overall_score);
    assert_eq!(i.strengths, builtin.strengths);
    assert_eq!(i.weaknesses, ["No owner for the release"]);
}

#[tokio::test]
async fn a_fenced_answer_is_accepted() {
    let (url, _) = server(vec![Reply::Content(
        "```json\n{\"summary\":\"Short.\"}\n```",
    )])
    .await;
    assert_eq!(
        engine(url)
            .analyze(&transcript(), &InsightsRequest::default())
            .await
            .insights
            .unwrap()
            .summary,
        "Short."
    );
}

async fn falls_back(replies: Vec<Reply>, expect: &str) -> usize {
    let (url, calls) = server(replies).await;
    let a = engine(url)
        .analyze(&transcript(), &InsightsRequest::default())
        .await;
    let err = a.insights_error.expect("an error is recorded");
    assert!(err.starts_with(expect), "{err}");
    assert!(
        !err.contains("nope") && !err.contains("127.0.0.1"),
        "nothing of the provider's answer or address reaches the customer: {err}"
    );
    let i = a.insights.unwrap();
    assert_eq!(i.engine, "builtin");
    assert!(
        !i.summary.is_empty(),
        "the built-in engine's result stands in"
    );
    calls.load(Ordering::SeqCst)
}

#[tokio::test]
async fn malformed_json_falls_back_without_retrying() {
    assert_eq!(
        falls_back(
            vec![Reply::Content("Sure! Here is the summary: ...")],
            "insights_model_invalid_answer"
        )
        .await,
        1
    );
    assert_eq!(
        falls_back(
            vec![Reply::Content(r#"{"summary": ""}"#)],
            "insights_model_invalid_answer"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn status_429_and_500_are_retried_a_bounded_number_of_times() {
    assert_eq!(
        falls_back(vec![Reply::Status(429)], "insights_model_unavailable").await,
        3
    );
    assert_eq!(
        falls_back(vec![Reply::Status(500)], "insights_model_unavailable").await,
        3
    );
    let (url, calls) = server(vec![Reply::Status(500), Reply::Content(GOOD)]).await;
    let a = engine(url)
        .analyze(&transcript(), &InsightsRequest::default())
        .await;
    assert!(a.insights_error.is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refusal_names_no_upstream_detail() {
    assert_eq!(
        falls_back(vec![Reply::Status(401)], "insights_model_refused").await,
        1
    );
}

#[tokio::test]
async fn a_hang_past_the_timeout_falls_back() {
    let started = std::time::Instant::now();
    assert_eq!(
        falls_back(vec![Reply::Hang], "insights_model_timeout").await,
        1
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_unreachable_endpoint_falls_back() {
    falls_back_to_unreachable().await;
}

async fn falls_back_to_unreachable() {
    let a = engine("http://127.0.0.1:9/v1".into())
        .analyze(&transcript(), &InsightsRequest::default())
        .await;
    let err = a.insights_error.unwrap();
    assert!(err.starts_with("insights_model_unreachable:"), "{err}");
    assert!(!err.contains("127.0.0.1:9"), "{err}");
}
