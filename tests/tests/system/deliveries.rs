//! Deliveries against the AWS emulator: every webhook answer (500, 410, redirects, hangs),
//! SES rejections, webhook URLs aimed inside (at join in every spelling, and at send time
//! through names), header injection and HTML escaping in the email.

use adapters::http_webhooks::HttpWebhookSender;
use app::ports::HostResolver;
use app::ports::{PostOutcome, WebhookSender};
use domain::net::UrlPolicy;
use domain::{Segment, WebhookUrl};
use serde_json::{json, Value};
use std::net::IpAddr;
use std::time::Duration;
use system_tests::{emails_mentioning, meeting, unique_email, Options, Stack};

#[tokio::test]
async fn webhook_answering_500_then_200_is_retried_with_the_same_webhook_id() {
    let s = Stack::start(Options::default()).await;
    let id = s
        .join_meeting(&unique_email(), "?fail_first=1", json!({}))
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
    let s = Stack::start(Options::default()).await;
    let id = s
        .join_meeting(&unique_email(), "?status=410", json!({}))
        .await;
    s.stop_bot(&id).await;
    s.report_exit(&id, &meeting()).await;
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["deliveries"]["webhook"]["state"], "failed");
    s.drain(Duration::from_secs(2)).await;
    assert_eq!(s.env.webhooks(&id).await.len(), 1);
}

#[tokio::test]
async fn webhook_redirects_are_not_followed() {
    let s = Stack::start(Options::default()).await;
    let target = format!("http://{}/hooks/acme?landed=1", s.env.receiver);
    let query = format!("?redirect={}", url_escape(&target));
    let id = s.join_meeting(&unique_email(), &query, json!({})).await;
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
    let s = Stack::start(Options {
        webhooks: Some(webhooks),
        ..Options::default()
    })
    .await;
    let id = s
        .join_meeting(&unique_email(), "?hang_ms=3000", json!({}))
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
    let s = Stack::start(Options {
        sender: "Nobody <unverified@nowhere.test>",
        ..Options::default()
    })
    .await;
    let email = unique_email();
    let id = s.join_meeting(&email, "", json!({})).await;
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
async fn webhook_urls_aimed_inside_are_refused_at_join_in_every_spelling() {
    let s = Stack::start(Options::api()).await;
    let before = s.env.items().await;
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
        let (status, resp) = s.join_with(Some(&s.key), &body.to_string(), &[]).await;
        assert_eq!(status, 400, "{url}: {resp}");
        assert!(
            resp["detail"]
                .as_str()
                .unwrap()
                .contains("webhook_callback_url"),
            "{resp}"
        );
    }
    assert_eq!(s.env.items().await, before);
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
    let s = Stack::start(Options::default()).await;
    let email = unique_email();
    let extra = json!({"bot_config": {"bot_prompt": "x", "name": "Notes\r\nBcc: victim@evil.test\r\nX-Injected: 1", "standin": {"report": "never"}}});
    let id = s.join_meeting(&email, "", extra).await;
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
