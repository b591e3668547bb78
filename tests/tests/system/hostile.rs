//! Hostile input against the real handlers and the emulator: deeply nested and huge JSON,
//! invalid UTF-8, ids with path tricks, every Authorization header variant, header
//! injection in every field that reaches an email, internal webhook targets reached through
//! names. Each is refused with a clear error, and nothing is stored or sent.

use lambda_http::{Body, Request};
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{json, request, Options, Stack};

/// A stack with one running bot of `acme`, whose join messages are already consumed.
struct Api {
    stack: Stack,
    bot: String,
}

impl std::ops::Deref for Api {
    type Target = Stack;

    fn deref(&self) -> &Stack {
        &self.stack
    }
}

async fn api() -> Api {
    let stack = Stack::start(Options {
        max_session: Duration::from_secs(3600),
        ..Options::api()
    })
    .await;
    let bot = stack
        .join_bot(&json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}}))
        .await;
    stack.env.peek().await; // the join's own messages are not what these tests look for
    Api { stack, bot }
}

fn with_body(mut req: Request, body: Body) -> Request {
    *req.body_mut() = body;
    req
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn deeply_nested_huge_and_invalid_utf8_bodies_are_refused() {
    let api = api().await;
    api.unchanged(async {
        let deep = format!(r#"{{"room_url":"https://a.daily.co/r","bot_config":{{"bot_prompt":"x","extra":{}}}}}"#, nested(100_000));
        let (status, body) = json(api.join.handle(request("POST", Some(&api.key), &deep, &[])).await);
        assert_eq!(status, 413, "100,000 levels is also 200 KB: {body}");
        let deep = format!(r#"{{"room_url":"https://a.daily.co/r","bot_config":{{"bot_prompt":"x","extra":{}}}}}"#, nested(5_000));
        let (status, body) = json(api.join.handle(request("POST", Some(&api.key), &deep, &[])).await);
        assert_eq!(status, 400, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("recursion limit"), "{body}");

        let huge = format!(r#"{{"room_url":"https://a.daily.co/r","bot_config":{{"bot_prompt":"{}"}}}}"#, "a".repeat(10 << 20));
        assert_eq!(json(api.join.handle(request("POST", Some(&api.key), &huge, &[])).await).0, 413);

        let invalid = with_body(request("POST", Some(&api.key), "", &[]), Body::Binary(b"{\"room_url\": \"\xff\xfe\"}".to_vec()));
        let (status, body) = json(api.join.handle(invalid).await);
        assert_eq!(status, 400, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));

        let secret = api.env.bot(&api.bot).await["report_secret"].as_str().unwrap().to_owned();
        let auth = format!("Bearer {secret}");
        let deep_report = format!(r#"{{"exit_reason":"stop_phrase","ended_at":"2026-01-01T00:00:00Z","transcript":{}}}"#, nested(5_000));
        assert_eq!(json(api.report.handle(request("POST", Some(&auth), &deep_report, &[("bot_id", &api.bot)])).await).0, 400);
        let invalid = with_body(request("POST", Some(&auth), "", &[("bot_id", &api.bot)]), Body::Binary(vec![0xc3, 0x28, b'{']));
        assert_eq!(json(api.report.handle(invalid).await).0, 400);
        let huge = format!(r#"{{"exit_reason":"stop_phrase","ended_at":"2026-01-01T00:00:00Z","transcript":[{{"speaker":"a","text":"{}","start_ms":0,"end_ms":1}}]}}"#, "b".repeat(6 << 20));
        assert_eq!(json(api.report.handle(request("POST", Some(&auth), &huge, &[("bot_id", &api.bot)])).await).0, 413);
    })
    .await;
}

#[tokio::test]
async fn ids_with_path_tricks_are_400_everywhere() {
    let api = api().await;
    api.unchanged(async {
        let tricks = [
            "..",
            "../../etc/passwd",
            "%2e%2e%2f%2e%2e%2f",
            "..%2F..%2Fstatus",
            &format!("{}/../x", api.bot),
            &format!("{}%00", api.bot),
            &format!("{}\u{0}", api.bot),
            "２５８b06fc-6bc9-4261-9f29-bc8a4474af0a",
            &format!(" {}", api.bot),
            &format!("{}?x=1", api.bot),
            &format!("{{{}}}", api.bot),
            &format!("urn:uuid:{}", api.bot),
            "*",
            "",
        ];
        for id in tricks {
            let (status, body) = json(
                api.stop
                    .handle(request("POST", Some(&api.key), "", &[("bot_id", id)]))
                    .await,
            );
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("invalid_request")),
                "stop {id:?}"
            );
            assert_eq!(
                json(
                    api.status
                        .handle(request("GET", Some(&api.key), "", &[("bot_id", id)]))
                        .await
                )
                .0,
                400,
                "status {id:?}"
            );
            assert_eq!(
                json(
                    api.report
                        .handle(request("POST", Some("Bearer x"), "{}", &[("bot_id", id)]))
                        .await
                )
                .0,
                400,
                "report {id:?}"
            );
            let pipecat = request(
                "DELETE",
                Some(&api.key),
                "",
                &[("agentName", "a"), ("sessionId", id)],
            );
            assert_eq!(
                json(api.stop.handle(pipecat).await).0,
                400,
                "pipecat {id:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn every_authorization_header_variant_is_refused_clearly() {
    let api = api().await;
    let token = api.key.trim_start_matches("Bearer ").to_owned();
    api.unchanged(async {
        let variants: Vec<Vec<String>> = vec![
            vec![],
            vec!["".into()],
            vec!["Bearer".into()],
            vec!["Bearer ".into()],
            vec![format!("Bearer  {token}")],
            vec![format!(" Bearer {token}")],
            vec![format!("Bearer {token} ")],
            vec![format!("Bearer\t{token}")],
            vec![format!("Basic {token}")],
            vec![format!("Token {token}")],
            vec![token.clone()],
            vec![format!("Bearer {token},Bearer {token}")],
            vec![format!("Bearer {token}"), format!("Bearer {token}")],
            vec![format!("Bearer {token}x")],
            vec![format!("Bearer {}", &token[..token.len() - 1])],
            vec!["Bearer pfk_\u{7f}".into()],
        ];
        for headers in variants {
            let mut req = request("GET", None, "", &[("bot_id", &api.bot)]);
            for h in &headers {
                match http::HeaderValue::from_str(h) {
                    Ok(v) => {
                        req.headers_mut().append("authorization", v);
                    }
                    Err(_) => {
                        req.headers_mut().append(
                            "authorization",
                            http::HeaderValue::from_bytes(h.as_bytes())
                                .unwrap_or(http::HeaderValue::from_static("x")),
                        );
                    }
                }
            }
            let (status, body) = json(api.status.handle(req).await);
            assert_eq!(status, 401, "{headers:?}");
            assert_eq!(body["error"], "authentication_error");
            assert!(
                body["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "a clear reason: {body}"
            );
        }
        // RFC 7235: the scheme is case-insensitive, so conformant clients' spellings work.
        for scheme in ["bearer", "BEARER"] {
            let auth = format!("{scheme} {token}");
            assert_eq!(
                json(
                    api.status
                        .handle(request("GET", Some(&auth), "", &[("bot_id", &api.bot)]))
                        .await
                )
                .0,
                200
            );
        }
    })
    .await;
}

#[tokio::test]
async fn crlf_in_any_field_that_reaches_an_email_is_refused_or_neutralised() {
    let api = api().await;
    api.unchanged(async {
        for (field, value) in [
            ("email", json!("ada@example.com\r\nBcc: eve@example.com")),
            ("email", json!("ada@example.com\nBcc: eve@example.com")),
            ("email", json!("Ada <ada@example.com>")),
            ("email", json!("ada@example.com, eve@example.com")),
            (
                "room_url",
                json!("https://a.daily.co/r\r\nBcc: eve@example.com"),
            ),
            ("room_url", json!("https://a.daily.co/r\n<script>")),
        ] {
            let mut body =
                json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}});
            body[field] = value.clone();
            let (status, resp) = json(
                api.join
                    .handle(request("POST", Some(&api.key), &body.to_string(), &[]))
                    .await,
            );
            assert_eq!(status, 400, "{field}={value}: {resp}");
            assert!(resp["detail"].as_str().unwrap().contains(field));
        }
    })
    .await;
    // The bot's name reaches the subject: it is accepted but made single-line (see
    // deliveries::email_fields_cannot_inject_headers_and_html_is_escaped).
}

#[tokio::test]
async fn a_webhook_host_that_resolves_to_loopback_is_refused_at_join() {
    let api = api().await;
    // A name this machine resolves to loopback through /etc/hosts (not spelled "localhost").
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let name = hosts
        .lines()
        .filter(|l| l.starts_with("127.") || l.starts_with("::1"))
        .flat_map(|l| l.split_whitespace().skip(1))
        .find(|n| !n.contains("localhost") && !n.starts_with('#'))
        .expect("this test needs /etc/hosts to map a name other than localhost to loopback (Linux does for the hostname)")
        .to_owned();
    api.unchanged(async {
        let body = json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "webhook_callback_url": format!("https://{name}/hook")});
        let (status, resp): (u16, Value) = json(api.join.handle(request("POST", Some(&api.key), &body.to_string(), &[])).await);
        assert_eq!(status, 400, "{name}: {resp}");
        assert!(resp["detail"].as_str().unwrap().contains("resolves to a loopback address"), "{resp}");
    })
    .await;
}
