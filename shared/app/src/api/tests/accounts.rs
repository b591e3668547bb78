//! The account's own routes with in-memory ports: API keys (create, list, revoke, the
//! limit, another account's key), the webhook endpoint (set, read, remove, used by a join
//! without its own URL) and the test event (signed, verified, every refusal). Each refusal
//! is checked to change nothing.

use super::*;
use crate::ports::{AccountSettingsStore, ApiKeyStore, PostOutcome};
use crate::testing::MemWebhooks;
use domain::api_keys::MAX_KEYS_PER_ACCOUNT;
use domain::limits::TEST_EVENTS_PER_MINUTE;
use domain::AccountId;

fn acme() -> AccountId {
    AccountId::parse("acme").unwrap()
}

/// Status and JSON body; an empty body (204) is `null`.
fn answer(response: lambda_http::Response<Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        Body::Empty => Value::Null,
        other => panic!("unexpected body {other:?}"),
    };
    (status, body)
}

impl World {
    async fn keys(&self, key: Option<&ApiKey>, method: &str, id: Option<&str>) -> (u16, Value) {
        let mut req = request(method, key, String::new(), &[]);
        if let Some(id) = id {
            req = req.with_path_parameters(params("key_id", id));
        }
        answer(KeysHandler::new(self.store.clone()).handle(req).await)
    }

    async fn endpoint(&self, key: Option<&ApiKey>, method: &str, body: &str) -> (u16, Value) {
        self.endpoint_with(key, method, body, MemResolver::default())
            .await
    }

    async fn endpoint_with(
        &self,
        key: Option<&ApiKey>,
        method: &str,
        body: &str,
        resolver: MemResolver,
    ) -> (u16, Value) {
        let handler = WebhookEndpointHandler::new(self.store.clone(), resolver, UrlPolicy::STRICT);
        answer(
            handler
                .handle(request(method, key, body.to_owned(), &[]))
                .await,
        )
    }

    async fn ping(&self, webhooks: &MemWebhooks, body: &str) -> (u16, Value) {
        self.ping_with(webhooks, body, MemResolver::default()).await
    }

    async fn ping_with(
        &self,
        webhooks: &MemWebhooks,
        body: &str,
        resolver: MemResolver,
    ) -> (u16, Value) {
        let handler = WebhookTestHandler::new(
            self.store.clone(),
            webhooks.clone(),
            resolver,
            WebhookTestSettings {
                url_policy: UrlPolicy::STRICT,
                timeout: Duration::from_secs(10),
            },
        );
        answer(
            handler
                .handle(request("POST", Some(&self.key), body.to_owned(), &[]))
                .await,
        )
    }

    async fn acme_keys(&self) -> Vec<domain::api_keys::KeyInfo> {
        self.store.list_keys(&acme()).await.unwrap()
    }
}

// ---- keys ----

#[tokio::test]
async fn a_key_mints_another_key_of_the_account_shown_once() {
    let w = World::new();
    let (status, created) = w.keys(Some(&w.key), "POST", None).await;
    assert_eq!(status, 201, "{created}");
    let new_key = ApiKey::parse(created["key"].as_str().unwrap()).unwrap();
    assert!(new_key
        .expose()
        .starts_with(created["prefix"].as_str().unwrap()));
    assert!(created["key_id"].as_str().unwrap().starts_with("key_"));
    assert!(created["created_at"].is_string());

    let (status, _) = w.status(Some(&new_key), &BotId::new().to_string()).await;
    assert_eq!(status, 404, "the new key works, for the same account");

    let (status, listed) = w.keys(Some(&new_key), "GET", None).await;
    assert_eq!(status, 200);
    let keys = listed["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{listed}");
    let text = listed.to_string();
    assert!(!text.contains(new_key.expose()) && !text.contains(w.key.expose()));
    assert!(!text.contains(new_key.hash().as_str()));
    for k in keys {
        let mut fields: Vec<&str> = k.as_object().unwrap().keys().map(|s| s.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["created_at", "key_id", "last_used_at", "prefix"]);
    }
    assert!(
        keys.iter().all(|k| k["last_used_at"].is_string()),
        "both keys were used: {listed}"
    );
}

#[tokio::test]
async fn keys_of_one_account_are_invisible_to_another() {
    let w = World::new();
    let (_, created) = w.keys(Some(&w.key), "POST", None).await;
    let id = created["key_id"].as_str().unwrap();
    let (status, globex) = w.keys(Some(&w.other_key), "GET", None).await;
    assert_eq!(status, 200);
    assert_eq!(globex["keys"].as_array().unwrap().len(), 1, "{globex}");
    let before = w.acme_keys().await;
    let (status, body) = w.keys(Some(&w.other_key), "DELETE", Some(id)).await;
    assert_eq!(status, 404, "{body}");
    assert_pailflow_error(&body, "not_found");
    assert_eq!(w.acme_keys().await, before, "nothing revoked");
}

#[tokio::test]
async fn a_revoked_key_is_refused_and_a_repeat_answers_the_same_receipt() {
    let w = World::new();
    let (_, created) = w.keys(Some(&w.key), "POST", None).await;
    let (new_key, id) = (
        ApiKey::parse(created["key"].as_str().unwrap()).unwrap(),
        created["key_id"].as_str().unwrap().to_owned(),
    );
    let (status, receipt) = w.keys(Some(&w.key), "DELETE", Some(&id)).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["key_id"], id);
    assert!(receipt["revoked_at"].is_string());
    let (status, body) = w.keys(Some(&new_key), "GET", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, again) = w.keys(Some(&w.key), "DELETE", Some(&id)).await;
    assert_eq!((status, &again), (200, &receipt), "idempotent");
    assert_eq!(w.acme_keys().await.len(), 1, "no longer listed");
}

#[tokio::test]
async fn revoking_the_key_in_use_is_allowed_and_it_stops_working() {
    let w = World::new();
    let id = w.store.key_id(&w.key);
    let (status, receipt) = w.keys(Some(&w.key), "DELETE", Some(id.as_str())).await;
    assert_eq!(status, 200, "{receipt}");
    let (status, body) = w.keys(Some(&w.key), "GET", None).await;
    assert_eq!(status, 401, "{body}");
    assert_pailflow_error(&body, "authentication_error");
}

#[tokio::test]
async fn an_account_holds_at_most_the_limit_of_keys() {
    let w = World::new();
    for _ in 1..MAX_KEYS_PER_ACCOUNT {
        let (status, body) = w.keys(Some(&w.key), "POST", None).await;
        assert_eq!(status, 201, "{body}");
    }
    let before = w.acme_keys().await;
    assert_eq!(before.len() as u32, MAX_KEYS_PER_ACCOUNT);
    let (status, body) = w.keys(Some(&w.key), "POST", None).await;
    assert_eq!(status, 409, "{body}");
    assert_pailflow_error(&body, "limit_exceeded");
    assert_eq!(body["limit"], "api_keys");
    assert!(body["detail"].as_str().unwrap().contains("revoke one"));
    let after = w.acme_keys().await;
    assert_eq!(after.len(), before.len(), "nothing created");
    let mine = w.store.key_id(&w.key);
    let id = after
        .iter()
        .find(|k| k.key_id != mine)
        .unwrap()
        .key_id
        .to_string();
    assert_eq!(w.keys(Some(&w.key), "DELETE", Some(&id)).await.0, 200);
    assert_eq!(
        w.keys(Some(&w.key), "POST", None).await.0,
        201,
        "a revoked key frees its place"
    );
}

#[tokio::test]
async fn key_refusals_are_clear_and_change_nothing() {
    let w = World::new();
    let before = w.acme_keys().await;
    let (status, body) = w.keys(None, "POST", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = w.keys(Some(&w.key), "DELETE", Some("pfk_not_an_id")).await;
    assert_eq!(status, 400, "{body}");
    assert_pailflow_error(&body, "invalid_request");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("is not a valid key id"));
    let (status, body) = w
        .keys(Some(&w.key), "DELETE", Some("key_000000000000000000000000"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        body["detail"],
        "API key key_000000000000000000000000 not found"
    );
    let (status, body) = w.keys(Some(&w.key), "PATCH", None).await;
    assert_eq!(status, 405, "{body}");
    assert_pailflow_error(&body, "method_not_allowed");
    let mut after = w.acme_keys().await;
    for k in after.iter_mut() {
        k.last_used_at = None;
    }
    let mut before = before;
    for k in before.iter_mut() {
        k.last_used_at = None;
    }
    assert_eq!(after, before);
}

// ---- webhook endpoint ----

const ENDPOINT: &str =
    r#"{"url":"https://hooks.example.com/pailflow","events":["session_complete","status_change"]}"#;

#[tokio::test]
async fn the_endpoint_is_set_read_and_removed() {
    let w = World::new();
    let (status, body) = w.endpoint(Some(&w.key), "GET", "").await;
    assert_eq!(status, 404, "none yet: {body}");
    assert_eq!(body["detail"], "This account has no webhook endpoint.");
    let (status, set) = w.endpoint(Some(&w.key), "PUT", ENDPOINT).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["url"], "https://hooks.example.com/pailflow");
    assert_eq!(set["events"], json!(["session_complete", "status_change"]));
    assert!(set["updated_at"].is_string());
    let (status, read) = w.endpoint(Some(&w.key), "GET", "").await;
    assert_eq!((status, &read), (200, &set));
    let (status, body) = w.endpoint(Some(&w.other_key), "GET", "").await;
    assert_eq!(
        status, 404,
        "another account's endpoint is not shown: {body}"
    );
    assert_eq!(
        w.endpoint(Some(&w.key), "DELETE", "").await,
        (204, Value::Null)
    );
    assert_eq!(
        w.endpoint(Some(&w.key), "DELETE", "").await.0,
        204,
        "idempotent"
    );
    assert_eq!(w.endpoint(Some(&w.key), "GET", "").await.0, 404);
}

#[tokio::test]
async fn endpoint_refusals_name_the_field_and_change_nothing() {
    let w = World::new();
    assert_eq!(w.endpoint(Some(&w.key), "PUT", ENDPOINT).await.0, 200);
    let before = w.store.account_settings(&acme()).await.unwrap();
    for (body, status, expect) in [
        (
            r#"{"url":"https://10.1.2.3/x"}"#.to_owned(),
            400,
            "Field 'url' points to a private address",
        ),
        (
            r#"{"url":"http://hooks.example.com/x"}"#.to_owned(),
            400,
            "Field 'url' must use https",
        ),
        (
            r#"{"events":["session_complete"]}"#.to_owned(),
            400,
            "Missing required field: url",
        ),
        (
            r#"{"url":"https://hooks.example.com/x","events":["everything"]}"#.to_owned(),
            400,
            "Field 'events' must list events",
        ),
        (
            r#"{"url":"https://hooks.example.com/x","events":[]}"#.to_owned(),
            400,
            "at least one event",
        ),
        (
            r#"{"url":"https://rebind.example.com/x"}"#.to_owned(),
            400,
            "Field 'url' resolves to a loopback address",
        ),
        (
            format!(
                r#"{{"url":"https://hooks.example.com/{}"}}"#,
                "a".repeat(9000)
            ),
            413,
            "the limit is 8192 bytes",
        ),
    ] {
        let resolver = MemResolver::with(&[("rebind.example.com", "127.0.0.1")]);
        let (got, answer) = w.endpoint_with(Some(&w.key), "PUT", &body, resolver).await;
        assert_eq!(got, status, "{answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains(expect),
            "{expect}: {answer}"
        );
    }
    assert_eq!(w.store.account_settings(&acme()).await.unwrap(), before);
}

#[tokio::test]
async fn a_join_without_its_own_url_delivers_to_the_endpoint_one_with_overrides_it() {
    let w = World::new();
    assert_eq!(w.endpoint(Some(&w.key), "PUT", ENDPOINT).await.0, 200);
    let plain = w.joined_bot().await;
    let s = w.store.session(plain).unwrap();
    assert_eq!(
        s.webhook_url.as_ref().map(|u| u.as_str()),
        Some("https://hooks.example.com/pailflow")
    );
    assert_eq!(
        s.webhook_events,
        vec![
            domain::session::WebhookEvent::SessionComplete,
            domain::session::WebhookEvent::StatusChange
        ]
    );
    assert!(
        !s.event_deliveries.is_empty(),
        "status_change from the endpoint's events is owed from the first change"
    );

    let mut own = join_body();
    own["webhook_callback_url"] = json!("https://own.example.com/hook");
    let (status, body) = w.join(own).await;
    assert_eq!(status, 200, "{body}");
    let s = w
        .store
        .session(BotId::parse(body["bot_id"].as_str().unwrap()).unwrap())
        .unwrap();
    assert_eq!(
        s.webhook_url.unwrap().as_str(),
        "https://own.example.com/hook"
    );
    assert_eq!(s.webhook_events, domain::delivery::default_webhook_events());

    let (status, body) = w.join_with_key(&w.other_key, join_body()).await;
    assert_eq!(status, 200, "{body}");
    let s = w
        .store
        .session(BotId::parse(body["bot_id"].as_str().unwrap()).unwrap())
        .unwrap();
    assert!(
        s.webhook_url.is_none(),
        "another account's endpoint is not used"
    );
}

impl World {
    async fn join_with_key(&self, key: &ApiKey, body: Value) -> (u16, Value) {
        respond(
            self.join_handler()
                .handle(request("POST", Some(key), body.to_string(), &[]))
                .await,
        )
    }
}

// ---- test event ----

#[tokio::test]
async fn a_test_event_is_signed_with_the_account_secret_and_answers_how_it_went() {
    let w = World::new();
    let hooks = MemWebhooks::default();
    let (status, body) = w
        .ping(&hooks, r#"{"url":"https://hooks.example.com/test"}"#)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_code"], 200);
    assert!(body["error"].is_null());
    assert!(body["duration_ms"].is_u64());
    let posts = hooks.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 1);
    let (url, headers, payload) = &posts[0];
    assert_eq!(url, "https://hooks.example.com/test");
    let event: Value = serde_json::from_str(payload).unwrap();
    assert_eq!(event["event"], "ping");
    let mut map = ::http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            ::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    assert_eq!(map["webhook-id"].to_str().unwrap(), body["webhook_id"]);
    assert!(body["webhook_id"]
        .as_str()
        .unwrap()
        .starts_with("msg_ping_"));
    let secret = crate::ports::Accounts::webhook_secret(&w.store, &acme())
        .await
        .unwrap()
        .unwrap();
    standardwebhooks::Webhook::new(secret.expose())
        .unwrap()
        .verify(payload.as_bytes(), &map)
        .expect("signed with the account's secret");

    // Each test event is its own event.
    w.ping(&hooks, r#"{"url":"https://hooks.example.com/test"}"#)
        .await;
    let ids: Vec<String> = hooks
        .posts
        .lock()
        .unwrap()
        .iter()
        .map(|(_, h, _)| h.iter().find(|(k, _)| k == "webhook-id").unwrap().1.clone())
        .collect();
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_failed_test_event_says_why_in_a_fixed_sentence() {
    let w = World::new();
    for (outcome, code, expect) in [
        (PostOutcome::Answered(500), json!(500), "answered HTTP 500"),
        (
            PostOutcome::Answered(302),
            json!(302),
            "redirects are not followed",
        ),
        (PostOutcome::TimedOut, Value::Null, "within 10 seconds"),
        (
            PostOutcome::Failed("tcp connect error: Connection refused (os error 111)".into()),
            Value::Null,
            "refused the connection",
        ),
    ] {
        let hooks = MemWebhooks::default();
        hooks.outcomes.lock().unwrap().push(outcome);
        let (status, body) = w
            .ping(&hooks, r#"{"url":"https://hooks.example.com/t"}"#)
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status_code"], code);
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(expect), "{error}");
        assert!(!error.contains("os error"), "{error}");
    }
}

#[tokio::test]
async fn without_a_url_the_test_goes_to_the_account_endpoint() {
    let w = World::new();
    let hooks = MemWebhooks::default();
    let (status, body) = w.ping(&hooks, "{}").await;
    assert_eq!(status, 400, "no endpoint: {body}");
    assert!(body["detail"].as_str().unwrap().contains("url"));
    assert!(hooks.posts.lock().unwrap().is_empty());
    assert_eq!(w.endpoint(Some(&w.key), "PUT", ENDPOINT).await.0, 200);
    let (status, body) = w.ping(&hooks, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["url"], "https://hooks.example.com/pailflow");
    assert_eq!(
        hooks.posts.lock().unwrap()[0].0,
        "https://hooks.example.com/pailflow"
    );
}

#[tokio::test]
async fn test_event_refusals_name_the_url_and_send_nothing() {
    let w = World::new();
    let hooks = MemWebhooks::default();
    let resolver = MemResolver::with(&[("rebind.example.com", "10.0.0.7")]);
    for (body, expect) in [
        (
            r#"{"url":"https://169.254.169.254/latest/meta-data"}"#,
            "Field 'url' points to the cloud metadata service",
        ),
        (
            r#"{"url":"https://[::1]/"}"#,
            "Field 'url' points to a loopback address",
        ),
        (
            r#"{"url":"ftp://hooks.example.com/"}"#,
            "Field 'url' must be an https URL",
        ),
        (
            r#"{"url":"https://rebind.example.com/"}"#,
            "Field 'url' resolves to a private address",
        ),
        (
            r#"{"url":"https://hooks.example.com/","extra":1}"#,
            "Unknown field 'extra'",
        ),
        ("[1]", "must be a JSON object"),
    ] {
        let (status, answer) = w.ping_with(&hooks, body, resolver.clone()).await;
        assert_eq!(status, 400, "{answer}");
        assert_pailflow_error(&answer, "invalid_request");
        assert!(
            answer["detail"].as_str().unwrap().contains(expect),
            "{expect}: {answer}"
        );
    }
    // The sender's own guard (the name changed its answer after the check): still 400.
    hooks
        .outcomes
        .lock()
        .unwrap()
        .push(PostOutcome::Blocked("10.0.0.7 is a private address".into()));
    let (status, answer) = w
        .ping(&hooks, r#"{"url":"https://hooks.example.com/"}"#)
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["detail"],
        "Field 'url' resolves to an address that is not allowed"
    );
    assert_eq!(
        hooks.posts.lock().unwrap().len(),
        1,
        "only the last was sent"
    );
    assert_eq!(
        w.store.test_events("acme"),
        1,
        "refused before sending: not counted"
    );
}

#[tokio::test]
async fn test_events_are_limited_per_minute() {
    let w = World::new();
    let hooks = MemWebhooks::default();
    for _ in 0..TEST_EVENTS_PER_MINUTE {
        let (status, body) = w
            .ping(&hooks, r#"{"url":"https://hooks.example.com/t"}"#)
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = w
        .ping(&hooks, r#"{"url":"https://hooks.example.com/t"}"#)
        .await;
    assert_eq!(status, 429, "{body}");
    assert_pailflow_error(&body, "limit_exceeded");
    assert_eq!(body["limit"], "test_events_per_minute");
    assert_eq!(
        hooks.posts.lock().unwrap().len() as u32,
        TEST_EVENTS_PER_MINUTE,
        "the refused one was not sent"
    );
}

// ---- webhook secret rotation ----

impl World {
    async fn rotate(&self, key: Option<&ApiKey>, method: &str, body: &str) -> (u16, Value) {
        let mut req = request(method, key, body.to_owned(), &[]);
        *req.uri_mut() = "/api/webhook-secret/rotate".parse().unwrap();
        answer(KeysHandler::new(self.store.clone()).handle(req).await)
    }

    async fn signing(&self) -> domain::signing::SigningSecrets {
        crate::ports::Accounts::signing_secrets(&self.store, &acme())
            .await
            .unwrap()
            .unwrap()
    }
}

#[tokio::test]
async fn a_rotation_shows_the_new_secret_once_and_keeps_the_old_one_for_the_overlap() {
    let w = World::new();
    let old = w.signing().await.current;
    let before = domain::now();
    let (status, body) = w.rotate(Some(&w.key), "POST", "").await;
    assert_eq!(status, 200, "{body}");
    let secret = body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    let until = time::OffsetDateTime::parse(
        body["previous_valid_until"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(until >= before + time::Duration::hours(24));
    assert!(until <= domain::now() + time::Duration::hours(24));

    let signing = w.signing().await;
    assert_eq!(signing.current.expose(), secret);
    let previous = signing.previous.clone().unwrap();
    assert_eq!(previous.secret, old);
    assert_eq!(previous.valid_until, until);
    assert_eq!(signing.valid_at(domain::now()).len(), 2);

    // Another account's secret did not move.
    let globex = AccountId::parse("globex").unwrap();
    let other = crate::ports::Accounts::signing_secrets(&w.store, &globex)
        .await
        .unwrap()
        .unwrap();
    assert!(other.previous.is_none());
}

#[tokio::test]
async fn a_test_event_during_the_overlap_verifies_with_either_secret_and_after_it_only_the_new() {
    let w = World::new();
    let old = w.signing().await.current;
    let verify = |secret: &str, hooks: &MemWebhooks| {
        let posts = hooks.posts.lock().unwrap();
        let (_, headers, payload) = posts.last().unwrap();
        let mut map = ::http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                ::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        standardwebhooks::Webhook::new(secret)
            .unwrap()
            .verify(payload.as_bytes(), &map)
            .is_ok()
    };
    let hooks = MemWebhooks::default();
    let (_, body) = w
        .rotate(Some(&w.key), "POST", r#"{"overlap_hours": 1}"#)
        .await;
    let new = body["secret"].as_str().unwrap().to_owned();
    w.ping(&hooks, r#"{"url":"https://hooks.example.com/test"}"#)
        .await;
    assert!(verify(&new, &hooks), "the new secret verifies");
    assert!(verify(old.expose(), &hooks), "the old secret verifies");

    // An overlap of zero ends the previous secret at once: only the newest verifies.
    let (_, body) = w
        .rotate(Some(&w.key), "POST", r#"{"overlap_hours": 0}"#)
        .await;
    let newest = body["secret"].as_str().unwrap().to_owned();
    w.ping(&hooks, r#"{"url":"https://hooks.example.com/test"}"#)
        .await;
    assert!(verify(&newest, &hooks));
    assert!(!verify(&new, &hooks));
    assert!(!verify(old.expose(), &hooks));
}

#[tokio::test]
async fn rotation_refusals_are_clear_and_change_nothing() {
    let w = World::new();
    let before = w.signing().await;
    for (key, method, body, status, detail) in [
        (None, "POST", "", 401, None),
        (
            Some(&w.key),
            "POST",
            r#"{"overlap_hours": 169}"#,
            400,
            Some("Field 'overlap_hours' must be a whole number of hours from 0 to 168"),
        ),
        (
            Some(&w.key),
            "POST",
            r#"{"overlap": 1}"#,
            400,
            Some("Unknown field 'overlap'; the body has overlap_hours"),
        ),
        (Some(&w.key), "POST", "not json", 400, None),
        (Some(&w.key), "GET", "", 405, None),
    ] {
        let (got, answer) = w.rotate(key, method, body).await;
        assert_eq!(got, status, "{method} {body}: {answer}");
        if let Some(detail) = detail {
            assert_eq!(answer["detail"], detail);
        }
    }
    let big = format!(r#"{{"overlap_hours": 1, "x": "{}"}}"#, "a".repeat(2000));
    let (got, _) = w.rotate(Some(&w.key), "POST", &big).await;
    assert_eq!(got, 413);
    assert_eq!(w.signing().await, before);
}
