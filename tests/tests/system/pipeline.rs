//! The exit pipeline against the AWS emulator: SQS with Lambda's batch semantics, SES
//! (moto records every raw message), webhooks over real HTTP to the receiver, the stand-in
//! bot runtime. Redelivery, reordering, deadlines, every webhook answer, SSRF, escaping.

use app::pipeline::PipelineSettings;
use app::ports::PipelineQueue;
use domain::messages::PipelineMessage;
use domain::{BotId, Segment, Transcript};
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{emails_mentioning, json, meeting, request, unique_email, Options, Stack};

#[tokio::test]
async fn a_meeting_completes_with_results_one_email_and_one_verified_webhook() {
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
    s.stop_bot(&id).await;
    s.drain(Duration::from_millis(500)).await;
    assert_eq!(
        s.env.bot(&id).await["stopped"],
        true,
        "the runtime was asked to stop the bot"
    );
    let (status, accepted) = s.report_exit(&id, &meeting()).await;
    assert_eq!(status, 202, "{accepted}");
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "completed");
    assert!(done["transcript"]
        .as_str()
        .unwrap()
        .starts_with("Ada: Good morning everyone"));
    assert!(!done["qa_pairs"].as_array().unwrap().is_empty());
    assert!(done["insights"]["summary"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(done["exit_reason"], "participant_left");

    let emails = emails_mentioning(&email).await;
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].contains("multipart/alternative")
            && emails[0].contains("text/html")
            && emails[0].contains("text/plain")
    );
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        hooks[0]["verified"], true,
        "signature verifies with the account's secret"
    );
    assert_eq!(hooks[0]["event"]["event"], "session_complete");
    assert!(hooks[0]["event"]["transcript_text"]
        .as_str()
        .unwrap()
        .contains("Bob:"));
}

#[tokio::test]
async fn every_message_delivered_three_times_gives_one_email_and_one_webhook_event() {
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
    let bot = BotId::parse(&id).unwrap();
    s.stop_bot(&id).await;
    // Two extra copies of the stop's message, then of the exit's: SQS may deliver any number.
    for _ in 0..2 {
        s.env
            .queue
            .send(&PipelineMessage::leave_requested(bot), Duration::ZERO)
            .await
            .unwrap();
    }
    let (_, accepted) = s.report_exit(&id, &meeting()).await;
    let exit = PipelineMessage::bot_exited(bot, accepted["exit_id"].as_str().unwrap().to_owned());
    for _ in 0..2 {
        s.env.queue.send(&exit, Duration::ZERO).await.unwrap();
        s.env
            .queue
            .send(&PipelineMessage::deliver(bot), Duration::ZERO)
            .await
            .unwrap();
    }
    s.until_settled(&id, Duration::from_secs(20)).await;
    s.drain(Duration::from_secs(2)).await;
    assert_eq!(emails_mentioning(&email).await.len(), 1);
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
}

#[tokio::test]
async fn bot_exited_before_leave_requested_is_processed_first_and_the_leave_does_nothing() {
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
    s.stop_bot(&id).await;
    let leave = s.env.peek().await; // hide the leave message until the exit is processed
    assert_eq!(leave.len(), 1);
    let (status, _) = s.report_exit(&id, &meeting()).await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_secs(2)).await; // the hidden leave message stays invisible 30 s
    let before = s.env.bot(&id).await["stopped"].clone();
    assert_eq!(before, false);
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "completed");
    // Now the late leave_requested: handled as a no-op.
    let late = PipelineMessage::leave_requested(BotId::parse(&id).unwrap());
    s.pipeline.handle(&late).await.unwrap();
    assert_eq!(
        s.env.bot(&id).await["stopped"],
        false,
        "a bot that has left is not stopped again"
    );
    assert_eq!(emails_mentioning(&email).await.len(), 1);
}

#[tokio::test]
async fn stuck_bot_that_never_reports_fails_at_the_deadline_and_the_customer_is_told_once() {
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let id = s
        .join_meeting(&email, "", json!({"email_on_failure": true}))
        .await;
    s.stop_bot(&id).await;
    let failed = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["phase"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("did not report its exit within 1 minute"),
        "{failed}"
    );
    s.drain(Duration::from_secs(3)).await;
    assert_eq!(emails_mentioning(&email).await.len(), 1);
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["event"]["status"], "failed");
    // The late report is refused and stores nothing.
    assert_eq!(s.report_exit(&id, &meeting()).await.0, 409);
    assert!(!s
        .env
        .items()
        .await
        .iter()
        .any(|i| format!("{:?}", i.get("sk")).contains("TRANSCRIPT")));
}

#[tokio::test]
async fn a_four_hour_transcript_is_stored_and_returned_in_full() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let segments = xtask::meeting::generate(40_000);
    let expected = Transcript(segments.clone()).to_text();
    assert!(expected.len() > 200_000);
    let (status, body) = s.report_exit(&id, &segments).await;
    assert_eq!(status, 202, "{body}");
    let done = s.until_settled(&id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["transcript"].as_str().unwrap(), expected);
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(
        hooks[0]["event"]["transcript_text"].as_str().unwrap(),
        expected
    );
}

#[tokio::test]
async fn an_over_limit_transcript_is_413_and_stores_nothing() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let before = s.env.items().await;
    let huge: Vec<Segment> = (0..600)
        .map(|i| Segment {
            speaker: "Ada".into(),
            text: "word ".repeat(2000),
            start_ms: i,
            end_ms: i + 1,
        })
        .collect();
    let (status, body) = s.report_exit(&id, &huge).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("5242880"));
    assert_eq!(s.env.items().await, before);
}

#[tokio::test]
async fn wrong_bot_secrets_are_401_and_change_nothing() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    let other = s.join_meeting(&unique_email(), "", json!({})).await;
    let others_secret = s.env.bot(&other).await["report_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = s.env.items().await;
    let body =
        json!({"exit_reason": "stop_phrase", "ended_at": "2026-01-15T10:30:00Z", "transcript": []})
            .to_string();
    for auth in [
        Some("Bearer pfb_wrong".to_owned()),
        Some(format!("Bearer {others_secret}")),
        Some(s.key.clone()),
        None,
    ] {
        let (status, resp) = json(
            s.report
                .handle(request("POST", auth.as_deref(), &body, &[("bot_id", &id)]))
                .await,
        );
        assert_eq!(status, 401, "{auth:?}: {resp}");
        assert_eq!(resp["detail"], "Bot secret authentication failed.");
    }
    assert_eq!(s.env.items().await, before);
    assert!(s.env.visible_messages().await.is_empty());
}

#[tokio::test]
async fn malformed_messages_reach_the_dead_letter_queue_without_holding_back_the_batch() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    let sqs = aws_sdk_sqs::Client::new(&s.env.aws);
    for body in ["{not json", r#"{"type":"self_destruct","version":1}"#] {
        sqs.send_message()
            .queue_url(&s.env.queue_url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    s.drain(Duration::from_millis(600)).await;
    assert_eq!(
        s.env.bot(&id).await["stopped"],
        true,
        "the good message in the same batch went through"
    );
    // maxReceiveCount is 5 (from the template); visibility here is 2 s.
    let mut dead = Vec::new();
    for _ in 0..12 {
        s.drain(Duration::from_millis(2200)).await;
        dead.extend(s.env.dead_letters().await);
        if dead.len() >= 2 {
            break;
        }
    }
    dead.sort();
    assert_eq!(
        dead,
        vec![
            r#"{"type":"self_destruct","version":1}"#.to_owned(),
            "{not json".to_owned()
        ]
    );
}

#[tokio::test]
async fn stuck_runtime_refusing_the_stop_is_retried_and_the_session_still_ends() {
    // The pipeline tries the stop 3 times in place; the deadline sits well after that.
    let defaults = Options::default();
    let s = Stack::start(Options {
        pipeline: PipelineSettings {
            exit_deadline: Duration::from_secs(10),
            ..defaults.pipeline
        },
        ..Options::default()
    })
    .await;

    let email = unique_email();
    let extra = json!({"email_on_failure": true, "bot_config": {"bot_prompt": "x", "standin": {"report": "never", "stop_failures": 2}}});
    let id = s.join_meeting(&email, "", extra).await;
    s.stop_bot(&id).await;
    let failed = s.until_settled(&id, Duration::from_secs(30)).await;
    assert_eq!(
        s.env.bot(&id).await["stopped"],
        true,
        "the third stop attempt went through"
    );
    assert_eq!(
        failed["status"], "failed",
        "the bot never reported, so the deadline ended it"
    );
    assert_eq!(emails_mentioning(&email).await.len(), 1);
    assert_eq!(s.env.webhooks(&id).await.len(), 1);
}

/// An engine whose results are far over DynamoDB's 400 KB item limit, even compressed.
struct Oversize;

impl app::ports::InsightsEngine for Oversize {
    async fn analyze(
        &self,
        _transcript: &domain::Transcript,
        _request: &app::ports::InsightsRequest<'_>,
    ) -> domain::insights::Analysis {
        // Random hex does not compress below half its size: 1.2 MB of it stays > 400 KB.
        let noise: String = (0..40_000)
            .map(|_| uuid::Uuid::new_v4().simple().to_string())
            .collect();
        domain::insights::Analysis {
            insights: Some(domain::insights::Insights {
                summary: noise,
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

#[tokio::test]
async fn an_oversize_result_completes_the_session_with_a_clear_error_and_one_email() {
    let s = Stack::start(Options::default()).await;
    let pipeline = app::pipeline::Pipeline::new(
        s.env.store.clone(),
        s.env.queue.clone(),
        s.env.runtime(),
        adapters::ses::SesMailer::from_config(&s.env.aws, system_tests::SENDER).unwrap(),
        adapters::http_webhooks::HttpWebhookSender::new(domain::net::UrlPolicy::LOCAL_DEVELOPMENT),
        Oversize,
        Options::default().pipeline,
    );
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
    s.stop_bot(&id).await;
    let (status, _) = s.report_exit(&id, &meeting()).await;
    assert_eq!(status, 202);
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let done = loop {
        s.env.poll(|e| pipeline.handle_batch(e)).await;
        let st = s.status(&id).await;
        if st["status"] == "completed" && st["deliveries"]["email"]["state"] == "delivered" {
            break st;
        }
        assert!(tokio::time::Instant::now() < until, "not settled: {st}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        done["insights_error"]
            .as_str()
            .unwrap()
            .contains("too large to store"),
        "{}",
        done["insights_error"]
    );
    assert_eq!(done["insights"], Value::Null);
    assert!(
        done["transcript"].as_str().unwrap().contains("Ada:"),
        "the transcript is whole"
    );
    assert_eq!(
        emails_mentioning(&email).await.len(),
        1,
        "the customer is told once"
    );
}
