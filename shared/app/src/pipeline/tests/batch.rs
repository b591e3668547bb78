//! Lambda's batch contract: exactly the failed records come back, and one record that
//! panics fails only itself.

use super::*;
use crate::ports::{InsightsEngine, InsightsRequest};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use domain::insights::Analysis;
use domain::Transcript;

fn record(id: &str, body: &str) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.into());
    m.body = Some(body.into());
    m
}

fn failed_ids(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

#[tokio::test]
async fn a_batch_reports_only_its_failed_records() {
    let w = world();
    let id = leaving(&w);
    let mut event = SqsEvent::default();
    event.records = vec![
        record("good", &PipelineMessage::leave_requested(id).to_json()),
        record("garbage", "{not json"),
        record("unknown", r#"{"type":"self_destruct","version":1}"#),
    ];
    let response = w.pipeline.handle_batch(event).await;
    assert_eq!(failed_ids(&response), vec!["garbage", "unknown"]);
    assert_eq!(w.runtime.stopped.lock().unwrap().len(), 1);
}

/// The built-in engine, except that a transcript saying the magic word makes it panic: a
/// stand-in for any bug a crafted message could trigger.
struct PanicsOn(&'static str);

impl InsightsEngine for PanicsOn {
    async fn analyze(&self, transcript: &Transcript, _request: &InsightsRequest<'_>) -> Analysis {
        if transcript
            .segments()
            .iter()
            .any(|s| s.text.contains(self.0))
        {
            panic!("the engine met {}", self.0);
        }
        BuiltinEngine::new().analyze(transcript)
    }
}

#[tokio::test]
async fn a_panicking_message_fails_only_itself_and_the_other_nine_complete() {
    let w = world();
    let pipeline = Pipeline::new(
        w.store.clone(),
        w.queue.clone(),
        w.runtime.clone(),
        w.mailer.clone(),
        w.webhooks.clone(),
        PanicsOn("xyzzy"),
        PipelineSettings::default(),
    );
    let mut event = SqsEvent::default();
    let mut ids = Vec::new();
    for i in 0..10 {
        let id = leaving(&w);
        let text = if i == 3 {
            "the word is xyzzy"
        } else {
            "Can we ship on Friday? Yes we can."
        };
        let body = format!(
            r#"{{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[{{"speaker":"Ada","text":"{text}","start_ms":0,"end_ms":2000}}]}}"#
        );
        let (status, message) = report(&w, id, &body).await;
        assert_eq!(status, 202);
        event
            .records
            .push(record(&format!("m{i}"), &message.unwrap().to_json()));
        ids.push(id);
    }
    let response = pipeline.handle_batch(event).await;
    assert_eq!(
        failed_ids(&response),
        vec!["m3"],
        "exactly the panicking record comes back"
    );
    for (i, id) in ids.iter().enumerate() {
        let phase = w.store.session(*id).unwrap().phase;
        if i == 3 {
            assert_eq!(
                phase,
                Phase::Processing,
                "its message will come back, then the DLQ"
            );
        } else {
            assert_eq!(phase, Phase::Completed, "bot {i}");
        }
    }
    assert_eq!(w.mailer.sent.lock().unwrap().len(), 9);
}
