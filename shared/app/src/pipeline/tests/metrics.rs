//! The business metrics the pipeline records: each outcome counted once, by the invocation
//! whose write decided it, however often its messages arrive.

use super::*;
use crate::testing::metrics::{names, recorded, Recorded};

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_unstable();
    names
}

#[tokio::test]
async fn a_completed_meeting_is_counted_once_however_often_its_message_arrives() {
    let w = world();
    let id = leaving(&w);
    let (_, exited) = report(&w, id, REPORT).await;
    let exited = exited.unwrap();
    let (_, metrics) = recorded(async {
        for _ in 0..3 {
            run(&w, &exited).await.unwrap();
        }
    })
    .await;
    assert_eq!(
        sorted(names(&metrics)),
        ["EmailsSent", "SessionsCompleted", "WebhooksDelivered"]
    );
}

#[tokio::test]
async fn an_empty_transcript_is_counted_with_its_completion() {
    let w = world();
    let id = leaving(&w);
    let empty =
        r#"{"exit_reason":"participant_left","ended_at":"2025-01-15T10:30:00Z","transcript":[]}"#;
    let (status, exited) = report(&w, id, empty).await;
    assert_eq!(status, 202);
    let (_, metrics) = recorded(run(&w, &exited.unwrap())).await;
    let names = names(&metrics);
    assert!(names.contains(&"SessionsCompleted"), "{names:?}");
    assert!(names.contains(&"EmptyTranscripts"), "{names:?}");
}

#[tokio::test]
async fn a_bot_that_never_reports_is_one_deadline_failure() {
    let w = world();
    let id = leaving(&w);
    let mut s = w.store.session(id).unwrap();
    s.started_at = Some(now() - time::Duration::minutes(30));
    s.leave_requested_at = Some(now() - time::Duration::minutes(16));
    w.store.put_session(s);
    let (_, metrics) = recorded(async {
        for _ in 0..3 {
            run(&w, &PipelineMessage::exit_deadline(id, now()))
                .await
                .unwrap();
        }
    })
    .await;
    let failed: Vec<&Recorded> = metrics
        .iter()
        .filter(|m| m.name == "SessionsFailed")
        .collect();
    assert_eq!(
        failed,
        [&Recorded::new(
            "SessionsFailed",
            Some("Reason=exit_deadline_exceeded")
        )]
    );
}

#[tokio::test]
async fn a_rejected_email_and_a_webhook_given_up_are_counted() {
    let w = world();
    let id = leaving(&w);
    w.mailer
        .results
        .lock()
        .unwrap()
        .push(Err(MailError::Rejected("MessageRejected".into())));
    w.webhooks
        .outcomes
        .lock()
        .unwrap()
        .push(PostOutcome::Answered(410));
    let (_, exited) = report(&w, id, REPORT).await;
    let exited = exited.unwrap();
    let (_, metrics) = recorded(async {
        run(&w, &exited).await.unwrap();
        run(&w, &exited).await.unwrap();
    })
    .await;
    assert_eq!(
        sorted(names(&metrics)),
        ["EmailsRejected", "SessionsCompleted", "WebhooksGivenUp"]
    );
}
