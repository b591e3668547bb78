//! The exit pipeline against the AWS emulator: SQS with Lambda's batch semantics, SES
//! (moto records every raw message), webhooks over real HTTP to the receiver, the stand-in
//! bot runtime. Redelivery, reordering, deadlines, every webhook answer, SSRF, escaping.

use adapters::dynamodb::DynamoStore;
use adapters::pipecat::PipecatRuntime;
use adapters::ses::SesMailer;
use adapters::sqs::SqsQueue;
use adapters::{dns::SystemResolver, http_webhooks::HttpWebhookSender};
use app::api::{JoinHandler, JoinSettings, ReportHandler, StatusHandler, StopHandler};
use app::pipeline::{Pipeline, PipelineSettings};
use app::ports::HostResolver;
use app::ports::{PipelineQueue, PostOutcome, WebhookSender};
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::{BotId, Segment, Transcript, WebhookUrl};
use insights::BuiltinEngine;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::time::Duration;
use system_tests::{bearer, emails_mentioning, json, request, Emulator};

type RealPipeline =
    Pipeline<DynamoStore, SqsQueue, PipecatRuntime, SesMailer, HttpWebhookSender, BuiltinEngine>;

struct Stack {
    env: Emulator,
    join: JoinHandler<DynamoStore, PipecatRuntime, SqsQueue, SystemResolver>,
    stop: StopHandler<DynamoStore, SqsQueue>,
    status: StatusHandler<DynamoStore>,
    report: ReportHandler<DynamoStore, SqsQueue>,
    pipeline: RealPipeline,
    key: String,
}

const SENDER: &str = "PailFlow Bots <bots@pailflow.test>";

fn settings() -> PipelineSettings {
    PipelineSettings {
        webhook_backoff: app::retry::Backoff {
            base: Duration::from_millis(500),
            max: Duration::from_secs(4 * 60 * 60),
        },
        exit_deadline: Duration::from_secs(2),
        ..Default::default()
    }
}

async fn stack_with(
    settings: PipelineSettings,
    sender: &str,
    webhooks: HttpWebhookSender,
) -> Stack {
    let env = Emulator::start(2).await;
    let join_settings = JoinSettings {
        url_policy: UrlPolicy::LOCAL_DEVELOPMENT,
        public_base_url: None,
        max_session: Duration::from_secs(6 * 3600),
    };
    let pipeline = Pipeline::new(
        env.store.clone(),
        env.queue.clone(),
        env.runtime(),
        SesMailer::from_config(&env.aws, sender).unwrap(),
        webhooks,
        BuiltinEngine::new(),
        settings,
    );
    Stack {
        join: JoinHandler::new(
            env.store.clone(),
            env.runtime(),
            env.queue.clone(),
            SystemResolver,
            join_settings,
        ),
        stop: StopHandler::new(env.store.clone(), env.queue.clone()),
        status: StatusHandler::new(env.store.clone()),
        report: ReportHandler::new(env.store.clone(), env.queue.clone()),
        pipeline,
        key: bearer(&env.api_key("acme").await),
        env,
    }
}

async fn stack() -> Stack {
    stack_with(
        settings(),
        SENDER,
        HttpWebhookSender::new(UrlPolicy::LOCAL_DEVELOPMENT),
    )
    .await
}

fn unique_email() -> String {
    format!(
        "team-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

impl Stack {
    /// Joins a bot whose stand-in never reports by itself: the test plays the bot.
    async fn join_bot(&self, email: &str, webhook_query: &str, extra: Value) -> String {
        let mut body = json!({
            "room_url": "https://acme.daily.co/standup",
            "bot_config": {"bot_prompt": "Take notes", "name": "Notetaker", "standin": {"report": "never"}},
            "email": email,
            "webhook_callback_url": self.env.webhook_url("acme", webhook_query),
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (status, resp) = json(
            self.join
                .handle(request("POST", Some(&self.key), &body.to_string(), &[]))
                .await,
        );
        assert_eq!(status, 200, "{resp}");
        resp["bot_id"].as_str().unwrap().to_owned()
    }

    async fn stop_bot(&self, id: &str) {
        let (status, body) = json(
            self.stop
                .handle(request("POST", Some(&self.key), "", &[("bot_id", id)]))
                .await,
        );
        assert_eq!(status, 200, "{body}");
    }

    async fn status(&self, id: &str) -> Value {
        json(
            self.status
                .handle(request("GET", Some(&self.key), "", &[("bot_id", id)]))
                .await,
        )
        .1
    }

    /// Plays the bot: reports its exit with the secret the runtime was given.
    async fn report_exit(&self, id: &str, segments: &[Segment]) -> (u16, Value) {
        let secret = self.env.bot(id).await["report_secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({"exit_reason": "participant_left", "ended_at": "2026-01-15T10:30:00Z", "transcript": segments});
        json(
            self.report
                .handle(request(
                    "POST",
                    Some(&format!("Bearer {secret}")),
                    &body.to_string(),
                    &[("bot_id", id)],
                ))
                .await,
        )
    }

    /// Runs the pipeline on whatever becomes visible during `window`.
    async fn drain(&self, window: Duration) {
        let until = tokio::time::Instant::now() + window;
        while tokio::time::Instant::now() < until {
            if self.env.poll(|e| self.pipeline.handle_batch(e)).await == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// Runs the pipeline until the session is terminal and its deliveries are settled.
    async fn until_settled(&self, id: &str, within: Duration) -> Value {
        let until = tokio::time::Instant::now() + within;
        loop {
            self.env.poll(|e| self.pipeline.handle_batch(e)).await;
            let s = self.status(id).await;
            let settled = |d: &Value| {
                d.is_null() || matches!(d["state"].as_str(), Some("delivered" | "failed"))
            };
            if matches!(s["status"].as_str(), Some("completed" | "failed"))
                && settled(&s["deliveries"]["email"])
                && settled(&s["deliveries"]["webhook"])
            {
                return s;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "not settled in time: {s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn meeting() -> Vec<Segment> {
    xtask::meeting::generate(300)
}

#[tokio::test]
async fn a_meeting_completes_with_results_one_email_and_one_verified_webhook() {
    let s = stack().await;
    let email = unique_email();
    let id = s.join_bot(&email, "", json!({})).await;
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
    let s = stack().await;
    let email = unique_email();
    let id = s.join_bot(&email, "", json!({})).await;
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
    let s = stack().await;
    let email = unique_email();
    let id = s.join_bot(&email, "", json!({})).await;
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
    let s = stack().await;
    let email = unique_email();
    let id = s.join_bot(&email, "", json!({})).await;
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
async fn webhook_answering_500_then_200_is_retried_with_the_same_webhook_id() {
    let s = stack().await;
    let id = s
        .join_bot(&unique_email(), "?fail_first=1", json!({}))
        .await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(30)).await;
    let webhook = &done["deliveries"]["webhook"];
    assert_eq!(webhook["state"], "delivered");
    assert_eq!(webhook["attempts"], 2);
    let codes: Vec<_> = webhook["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, vec![json!(500), json!(200)]);
    let hooks = s.env.webhooks(&id).await;
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0]["webhook_id"], hooks[1]["webhook_id"]);
    assert_ne!(hooks[0]["webhook_timestamp"], Value::Null);
    assert!(hooks.iter().all(|h| h["verified"] == true));
}

#[tokio::test]
async fn webhook_answering_410_is_not_retried() {
    let s = stack().await;
    let id = s.join_bot(&unique_email(), "?status=410", json!({})).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["deliveries"]["webhook"]["state"], "failed");
    s.drain(Duration::from_secs(2)).await;
    assert_eq!(s.env.webhooks(&id).await.len(), 1);
}

#[tokio::test]
async fn webhook_redirects_are_not_followed() {
    let s = stack().await;
    let target = format!("http://{}/hooks/acme?landed=1", s.env.receiver);
    let query = format!("?redirect={}", url_escape(&target));
    let id = s.join_bot(&unique_email(), &query, json!({})).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    s.drain(Duration::from_secs(2)).await;
    let status = s.status(&id).await;
    let first = &status["deliveries"]["webhook"]["history"][0];
    assert_eq!(first["status_code"], 307);
    assert_eq!(
        status["deliveries"]["webhook"]["state"], "pending",
        "a redirect is a failed attempt, retried later"
    );
    let hooks = s.env.webhooks(&id).await;
    assert!(
        hooks.iter().all(|h| h["answered"] == 307),
        "the redirect target was never called: {hooks:?}"
    );
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn webhook_hanging_past_the_timeout_is_a_failed_attempt() {
    let webhooks = HttpWebhookSender::with_timeout(
        UrlPolicy::LOCAL_DEVELOPMENT,
        adapters::dns::SystemResolver,
        Duration::from_secs(1),
    );
    let s = stack_with(settings(), SENDER, webhooks).await;
    let id = s
        .join_bot(&unique_email(), "?hang_ms=3000", json!({}))
        .await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    s.drain(Duration::from_secs(3)).await;
    let attempt = &s.status(&id).await["deliveries"]["webhook"]["history"][0];
    assert_eq!(attempt["status_code"], Value::Null);
    assert_eq!(attempt["error"], "no answer before the timeout");
    assert!(attempt["duration_ms"].as_u64().unwrap() < 2500);
}

#[tokio::test]
async fn ses_rejection_is_recorded_on_the_session_and_not_retried() {
    let s = stack_with(
        settings(),
        "Nobody <unverified@nowhere.test>",
        HttpWebhookSender::new(UrlPolicy::LOCAL_DEVELOPMENT),
    )
    .await;
    let email = unique_email();
    let id = s.join_bot(&email, "", json!({})).await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    let delivery = &done["deliveries"]["email"];
    assert_eq!(delivery["state"], "failed");
    assert_eq!(delivery["attempts"], 1);
    assert!(
        delivery["error"]
            .as_str()
            .unwrap()
            .contains("MessageRejected"),
        "{delivery}"
    );
    assert!(emails_mentioning(&email).await.is_empty());
    assert_eq!(
        done["deliveries"]["webhook"]["state"], "delivered",
        "the webhook still goes out"
    );
}

#[tokio::test]
async fn a_four_hour_transcript_is_stored_and_returned_in_full() {
    let s = stack().await;
    let id = s.join_bot(&unique_email(), "", json!({})).await;
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
    let s = stack().await;
    let id = s.join_bot(&unique_email(), "", json!({})).await;
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
    let s = stack().await;
    let id = s.join_bot(&unique_email(), "", json!({})).await;
    let other = s.join_bot(&unique_email(), "", json!({})).await;
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
async fn webhook_urls_aimed_inside_are_refused_at_join_in_every_spelling() {
    let env = Emulator::start(30).await;
    let settings = JoinSettings {
        url_policy: UrlPolicy::STRICT,
        public_base_url: None,
        max_session: Duration::from_secs(60),
    };
    let join = JoinHandler::new(
        env.store.clone(),
        env.runtime(),
        env.queue.clone(),
        SystemResolver,
        settings,
    );
    let key = bearer(&env.api_key("acme").await);
    let before = env.items().await;
    for url in [
        "http://hooks.example.com/",
        "https://127.0.0.1/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0177.0.0.1/",
        "https://127.1/",
        "https://0.0.0.0/",
        "https://10.0.0.5/",
        "https://172.16.3.4/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "https://[::1]/",
        "https://[::]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:a9fe:a9fe]/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://localhost/",
        "https://foo.localhost./",
        "https://metadata.google.internal/",
    ] {
        let body = json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "webhook_callback_url": url});
        let (status, resp) = json(
            join.handle(request("POST", Some(&key), &body.to_string(), &[]))
                .await,
        );
        assert_eq!(status, 400, "{url}: {resp}");
        assert!(
            resp["detail"]
                .as_str()
                .unwrap()
                .contains("webhook_callback_url"),
            "{resp}"
        );
    }
    assert_eq!(env.items().await, before);
}

/// A resolver that answers every name with one address, as a hostile DNS record would.
#[derive(Clone)]
struct ResolvesTo(IpAddr);

impl HostResolver for ResolvesTo {
    async fn lookup(&self, _host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(vec![self.0])
    }
}

#[tokio::test]
async fn names_that_resolve_inside_are_refused_at_send_time() {
    for ip in [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00:ec2::254",
    ] {
        let sender =
            HttpWebhookSender::with_resolver(UrlPolicy::STRICT, ResolvesTo(ip.parse().unwrap()));
        let url = WebhookUrl::parse("https://hooks.example.com/bots", UrlPolicy::STRICT).unwrap();
        let outcome = sender.post(&url, &[], "{}").await;
        assert!(
            matches!(&outcome, PostOutcome::Blocked(why) if why.contains("hooks.example.com")),
            "{ip}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn email_fields_cannot_inject_headers_and_html_is_escaped() {
    let s = stack().await;
    let email = unique_email();
    let extra = json!({"bot_config": {"bot_prompt": "x", "name": "Notes\r\nBcc: victim@evil.test\r\nX-Injected: 1", "standin": {"report": "never"}}});
    let id = s.join_bot(&email, "", extra).await;
    s.stop_bot(&id).await;
    let hostile = vec![
        Segment {
            speaker: "<b>Mallory</b>".into(),
            text: "<script>alert('x')</script> Can we ship?".into(),
            start_ms: 0,
            end_ms: 1000,
        },
        Segment {
            speaker: "Bob".into(),
            text: "Yes <img src=x onerror=alert(1)>".into(),
            start_ms: 1000,
            end_ms: 2000,
        },
    ];
    s.report_exit(&id, &hostile).await;
    s.until_settled(&id, Duration::from_secs(20)).await;
    let raw = emails_mentioning(&email).await;
    assert_eq!(raw.len(), 1);
    let raw = &raw[0];
    let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
    assert!(
        !headers
            .lines()
            .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Injected:")),
        "{headers}"
    );
    assert!(headers.contains("Subject: Notes Bcc: victim@evil.test X-Injected: 1: meeting summary"));
    let html_start = raw.find("Content-Type: text/html").unwrap();
    let html = decode_quoted_printable(&raw[html_start..]);
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;Mallory&lt;/b&gt;"));
}

/// Enough quoted-printable decoding to read an HTML part back.
fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn malformed_messages_reach_the_dead_letter_queue_without_holding_back_the_batch() {
    let s = stack().await;
    let id = s.join_bot(&unique_email(), "", json!({})).await;
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
    // Retries come back after the 2 s visibility timeout: the third attempt is ~4 s after
    // the first, so the deadline sits well after it.
    let s = stack_with(
        PipelineSettings {
            exit_deadline: Duration::from_secs(10),
            ..settings()
        },
        SENDER,
        HttpWebhookSender::new(UrlPolicy::LOCAL_DEVELOPMENT),
    )
    .await;

    let email = unique_email();
    let extra = json!({"bot_config": {"bot_prompt": "x", "standin": {"report": "never", "stop_failures": 2}}});
    let id = s.join_bot(&email, "", extra).await;
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
