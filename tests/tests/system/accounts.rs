//! The account's own routes against the emulator with the real SDK: API keys minted,
//! listed, used and revoked (refused at once where revoked and within the cache time
//! elsewhere), the key limit under concurrency, `last_used_at` written at most once a
//! minute across containers; the webhook endpoint used by a join without its own URL and
//! overridden by one with; a test event received and verified by the local receiver.

use adapters::dynamodb::DynamoStore;
use app::api::{KeysHandler, StatusHandler};
use app::ports::{Accounts, ApiKeyStore};
use domain::{AccountId, ApiKey};
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{bearer, json as answer, meeting, request, Options, Stack};

fn acme() -> AccountId {
    AccountId::parse("acme").unwrap()
}

/// The new key and its id from a 201.
fn minted(body: &Value) -> (ApiKey, String) {
    (
        ApiKey::parse(body["key"].as_str().unwrap()).unwrap(),
        body["key_id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_key_minted_through_the_api_is_listed_works_and_once_revoked_is_refused() {
    let s = Stack::start(Options::api()).await;
    let (status, created) = s.keys_as(Some(&s.key), "POST", None).await;
    assert_eq!(status, 201, "{created}");
    let (key, id) = minted(&created);
    let new = bearer(&key);
    let (status, _) = s.list_as(Some(&new), &[]).await;
    assert_eq!(status, 200, "the new key works for the same account");

    let (status, listed) = s.keys_as(Some(&new), "GET", None).await;
    assert_eq!(status, 200, "{listed}");
    let keys = listed["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "the fixture's key and the new one: {listed}");
    let mine = keys.iter().find(|k| k["key_id"] == id.as_str()).unwrap();
    assert_eq!(mine["prefix"], created["prefix"]);
    assert_eq!(mine["created_at"], created["created_at"]);
    assert!(mine["last_used_at"].is_string(), "{mine}");
    let stored = format!("{:?}", s.env.items().await);
    assert!(!listed.to_string().contains(key.expose()));
    assert!(!listed.to_string().contains(key.hash().as_str()));
    assert!(!stored.contains(key.expose()), "only the hash is stored");

    let (status, receipt) = s.keys_as(Some(&s.key), "DELETE", Some(&id)).await;
    assert_eq!(status, 200, "{receipt}");
    let (status, body) = s.list_as(Some(&new), &[]).await;
    assert_eq!(status, 401, "refused at once without a cache: {body}");
    let (status, again) = s.keys_as(Some(&s.key), "DELETE", Some(&id)).await;
    assert_eq!((status, &again), (200, &receipt), "the same receipt again");
    let (_, listed) = s.keys_as(Some(&s.key), "GET", None).await;
    assert_eq!(listed["keys"].as_array().unwrap().len(), 1, "{listed}");
}

#[tokio::test]
async fn another_accounts_key_is_404_and_nothing_changes() {
    let s = Stack::start(Options::api()).await;
    let (_, created) = s.keys_as(Some(&s.key), "POST", None).await;
    let (key, id) = minted(&created);
    s.unchanged(async {
        let (status, body) = s.keys_as(Some(&s.other), "DELETE", Some(&id)).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"], "not_found");
        let (status, body) = s.keys_as(Some(&s.key), "DELETE", Some("key_../../x")).await;
        assert_eq!(status, 400, "{body}");
        let (status, body) = s
            .keys_as(Some(&s.key), "DELETE", Some("key_000000000000000000000000"))
            .await;
        assert_eq!(status, 404, "{body}");
        let (status, listed) = s.keys_as(Some(&s.other), "GET", None).await;
        assert_eq!(status, 200);
        assert!(!listed.to_string().contains(&id), "{listed}");
    })
    .await;
    let (status, _) = s.list_as(Some(&bearer(&key)), &[]).await;
    assert_eq!(status, 200, "still works");
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once_where_revoked_and_within_the_cache_time_elsewhere() {
    let s = Stack::start(Options::api()).await;
    let table = s.env.names.table.clone();
    let container = |ttl: u64| {
        DynamoStore::from_config(&s.env.aws, table.clone()).with_key_cache(Duration::from_secs(ttl))
    };
    // Two warm containers with the production cache, shortened to 2 s for the test.
    let keys = KeysHandler::new(container(2));
    let status = StatusHandler::new(container(2));
    let (code, created) = answer(keys.handle(request("POST", Some(&s.key), "", &[])).await);
    assert_eq!(code, 201, "{created}");
    let (key, id) = minted(&created);
    let auth = bearer(&key);
    let bot = [("bot_id", "00000000-0000-4000-8000-000000000000")];
    let status_code = |auth: String| {
        let status = &status;
        async move {
            status
                .handle(request("GET", Some(&auth), "", &bot))
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        status_code(auth.clone()).await,
        404,
        "accepted (no such bot)"
    );
    assert_eq!(
        answer(keys.handle(request("GET", Some(&auth), "", &[])).await).0,
        200
    );

    // The key revokes itself.
    let (code, receipt) = answer(
        keys.handle(request("DELETE", Some(&auth), "", &[("key_id", &id)]))
            .await,
    );
    assert_eq!(code, 200, "{receipt}");
    assert_eq!(
        answer(keys.handle(request("GET", Some(&auth), "", &[])).await).0,
        401,
        "refused at once on the container that revoked it"
    );
    assert_eq!(
        status_code(auth.clone()).await,
        404,
        "another warm container still knows it, for at most its cache time"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        status_code(auth).await,
        401,
        "after the cache time it is refused everywhere"
    );
}

#[tokio::test]
async fn the_key_limit_holds_under_concurrent_creation() {
    let s = Stack::start(Options::api()).await;
    let tries =
        futures_util::future::join_all((0..30).map(|_| s.keys_as(Some(&s.key), "POST", None)))
            .await;
    let created = tries.iter().filter(|(code, _)| *code == 201).count();
    let refused: Vec<&Value> = tries
        .iter()
        .filter(|(code, _)| *code == 409)
        .map(|(_, b)| b)
        .collect();
    let limit = domain::api_keys::MAX_KEYS_PER_ACCOUNT as usize;
    assert_eq!(created, limit - 1, "the fixture's key counts: {tries:?}");
    assert_eq!(refused.len(), 30 - (limit - 1), "{tries:?}");
    assert!(refused.iter().all(|b| b["limit"] == "api_keys"));
    assert_eq!(s.env.store.list_keys(&acme()).await.unwrap().len(), limit);
}

#[tokio::test]
async fn last_used_at_is_written_at_most_once_a_minute_across_containers() {
    let s = Stack::start(Options::api()).await;
    let key = s.env.api_key("acme").await;
    let last_used = || async {
        let keys = s.env.store.list_keys(&acme()).await.unwrap();
        let prefix = domain::api_keys::prefix_of(&key);
        keys.into_iter()
            .find(|k| k.prefix == prefix)
            .unwrap()
            .last_used_at
    };
    assert_eq!(last_used().await, None, "never used");
    let a = DynamoStore::from_config(&s.env.aws, s.env.names.table.clone());
    a.account_for_key(&key.hash()).await.unwrap();
    let first = last_used().await.expect("the first use is written");
    tokio::time::sleep(Duration::from_millis(20)).await;
    a.account_for_key(&key.hash()).await.unwrap();
    assert_eq!(
        last_used().await,
        Some(first),
        "not again from this container"
    );
    let b = DynamoStore::from_config(&s.env.aws, s.env.names.table.clone());
    b.account_for_key(&key.hash()).await.unwrap();
    assert_eq!(
        last_used().await,
        Some(first),
        "another container's write is refused by the condition"
    );
}

#[tokio::test]
async fn a_join_without_its_own_url_delivers_to_the_account_endpoint_and_one_with_overrides_it() {
    let s = Stack::start(Options::default()).await;
    let endpoint = s.env.webhook_url("acme", "?via=endpoint");
    let body = json!({"url": endpoint, "events": ["session_complete", "status_change"]});
    let (status, set) = s.endpoint_as(Some(&s.key), "PUT", &body.to_string()).await;
    assert_eq!(status, 200, "{set}");
    let (status, read) = s.endpoint_as(Some(&s.key), "GET", "").await;
    assert_eq!((status, &read), (200, &set));

    let plain = s
        .join_bot(&json!({
            "room_url": "https://acme.daily.co/standup",
            "bot_config": {"bot_prompt": "Take notes", "standin": {"report": "never"}},
        }))
        .await;
    s.stop_bot(&plain).await;
    s.drain(Duration::from_millis(500)).await;
    assert_eq!(s.report_exit(&plain, &meeting()).await.0, 202);
    let done = s.until_settled(&plain, Duration::from_secs(20)).await;
    assert_eq!(
        done["deliveries"]["webhook"]["state"], "delivered",
        "{done}"
    );
    let hooks = s.env.webhooks(&plain).await;
    let events: Vec<&str> = hooks
        .iter()
        .map(|h| h["event"]["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"session_complete"), "{events:?}");
    assert!(
        events.contains(&"status_change"),
        "the endpoint's events: {events:?}"
    );
    assert!(hooks.iter().all(|h| h["verified"] == true));
    let session =
        app::ports::SessionStore::get_session(&s.env.store, domain::BotId::parse(&plain).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(session.webhook_url.unwrap().as_str(), endpoint);

    // A join with its own URL: that URL, the join's events (PailFlow's two by default).
    let own_url = s.env.webhook_url("acme", "?via=join");
    let own = s
        .join_meeting("ada@example.com", "?via=join", json!({}))
        .await;
    let session =
        app::ports::SessionStore::get_session(&s.env.store, domain::BotId::parse(&own).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(session.webhook_url.unwrap().as_str(), own_url);
    s.drain(Duration::from_millis(500)).await;
    assert!(
        s.env.webhooks(&own).await.is_empty(),
        "no status_change events: the endpoint's events do not apply"
    );

    // Removed: later joins deliver nowhere; DELETE again is the same.
    assert_eq!(s.endpoint_as(Some(&s.key), "DELETE", "").await.0, 204);
    assert_eq!(s.endpoint_as(Some(&s.key), "DELETE", "").await.0, 204);
    assert_eq!(s.endpoint_as(Some(&s.key), "GET", "").await.0, 404);
    let after = s
        .join_bot(
            &json!({"room_url": "https://acme.daily.co/x", "bot_config": {"bot_prompt": "x"}}),
        )
        .await;
    let session =
        app::ports::SessionStore::get_session(&s.env.store, domain::BotId::parse(&after).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert!(session.webhook_url.is_none());
}

#[tokio::test]
async fn endpoint_refusals_name_the_field_and_change_nothing() {
    let s = Stack::start(Options::api()).await;
    let good = json!({"url": "https://hooks.example.com/pf"}).to_string();
    assert_eq!(s.endpoint_as(Some(&s.key), "PUT", &good).await.0, 200);
    s.unchanged(async {
        for (body, expect) in [
            (
                json!({"url": "https://127.0.0.1/x"}),
                "Field 'url' points to a loopback address",
            ),
            (
                json!({"url": "https://[fd00:ec2::254]/"}),
                "Field 'url' points to the cloud metadata service",
            ),
            (
                json!({"url": "https://2130706433/"}),
                "Field 'url' points to a loopback address",
            ),
            (
                json!({"url": "http://hooks.example.com/"}),
                "Field 'url' must use https",
            ),
            (
                json!({"url": "https://hooks.example.com/", "events": ["all"]}),
                "Field 'events' must list events",
            ),
            (
                json!({"url": "https://hooks.example.com/", "events": []}),
                "at least one event",
            ),
        ] {
            let (status, answer) = s.endpoint_as(Some(&s.key), "PUT", &body.to_string()).await;
            assert_eq!(status, 400, "{answer}");
            assert!(
                answer["detail"].as_str().unwrap().contains(expect),
                "{expect}: {answer}"
            );
        }
        let (status, _) = s.endpoint_as(None, "PUT", &good).await;
        assert_eq!(status, 401);
        let (status, body) = s.endpoint_as(Some(&s.other), "GET", "").await;
        assert_eq!(status, 404, "another account has none: {body}");
    })
    .await;
}

#[tokio::test]
async fn a_test_event_is_received_and_verified_by_the_local_receiver() {
    let s = Stack::start(Options::default()).await;
    let url = s.env.webhook_url("acme", "");
    let (status, body) = s
        .ping_as(Some(&s.key), &json!({"url": url}).to_string())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_code"], 200);
    assert_eq!(body["error"], Value::Null);
    assert!(body["duration_ms"].is_u64());
    let got = s.env.received(body["webhook_id"].as_str().unwrap()).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["verified"], true, "signed with acme's secret");
    assert_eq!(got[0]["event"]["event"], "ping");

    // The endpoint answers 500: said, not retried.
    let (status, body) = s
        .ping_as(
            Some(&s.key),
            &json!({"url": format!("{url}?status=500")}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_code"], 500);
    assert!(
        body["error"].as_str().unwrap().contains("HTTP 500"),
        "{body}"
    );
    assert_eq!(
        s.env
            .received(body["webhook_id"].as_str().unwrap())
            .await
            .len(),
        1
    );

    // A redirect is not followed (the target would have received it a second time).
    let (status, body) = s
        .ping_as(
            Some(&s.key),
            &json!({"url": format!("{url}?redirect={url}")}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_code"], 307);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("redirects are not followed"));
    assert_eq!(
        s.env
            .received(body["webhook_id"].as_str().unwrap())
            .await
            .len(),
        1
    );

    // Without a URL: the account's endpoint.
    let endpoint = json!({"url": format!("{url}?via=endpoint")}).to_string();
    assert_eq!(s.endpoint_as(Some(&s.key), "PUT", &endpoint).await.0, 200);
    let (status, body) = s.ping_as(Some(&s.key), "{}").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["url"], format!("{url}?via=endpoint"));
    assert_eq!(
        s.env.received(body["webhook_id"].as_str().unwrap()).await[0]["verified"],
        true
    );
}

#[tokio::test]
async fn a_test_event_to_an_inside_address_is_400_and_sends_nothing() {
    let s = Stack::start(Options::api()).await;
    let receiver = s.env.receiver;
    s.unchanged(async {
        for (url, expect) in [
            (
                format!("http://{receiver}/hooks/acme"),
                "Field 'url' must use https",
            ),
            (
                format!("https://{receiver}/hooks/acme"),
                "Field 'url' points to a loopback address",
            ),
            (
                "https://169.254.169.254/latest/meta-data".to_owned(),
                "Field 'url' points to the cloud metadata service",
            ),
            (
                "https://localhost/".to_owned(),
                "Field 'url' points to a loopback address",
            ),
            (
                "https://metadata.google.internal/".to_owned(),
                "Field 'url' points to an internal host name",
            ),
            (
                "https://0x7f000001/".to_owned(),
                "Field 'url' points to a loopback address",
            ),
        ] {
            let (status, body) = s
                .ping_as(Some(&s.key), &json!({"url": url}).to_string())
                .await;
            assert_eq!(status, 400, "{url}: {body}");
            assert_eq!(body["error"], "invalid_request");
            assert!(
                body["detail"].as_str().unwrap().contains(expect),
                "{expect}: {body}"
            );
        }
        let (status, body) = s.ping_as(Some(&s.key), "{}").await;
        assert_eq!(status, 400, "no URL and no endpoint: {body}");
    })
    .await;
    let all = reqwest::get(format!("http://{receiver}/events"))
        .await
        .unwrap()
        .json::<Vec<Value>>()
        .await
        .unwrap();
    assert!(all.is_empty(), "nothing reached the receiver: {all:?}");
}

#[tokio::test]
async fn test_events_are_limited_per_minute() {
    let s = Stack::start(Options::default()).await;
    let body = json!({"url": s.env.webhook_url("acme", "")}).to_string();
    let limit = domain::limits::TEST_EVENTS_PER_MINUTE;
    // All in one minute window: start early in a minute.
    let second = time::OffsetDateTime::now_utc().second();
    if second > 45 {
        tokio::time::sleep(Duration::from_secs(61 - u64::from(second))).await;
    }
    for _ in 0..limit {
        let (status, answer) = s.ping_as(Some(&s.key), &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, refused) = s.ping_as(Some(&s.key), &body).await;
    assert_eq!(status, 429, "{refused}");
    assert_eq!(refused["error"], "limit_exceeded");
    assert_eq!(refused["limit"], "test_events_per_minute");
    let (status, _) = s
        .ping_as(
            Some(&s.other),
            &json!({"url": s.env.webhook_url("globex", "")}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "another account has its own count");
}

/// Whether `secret` verifies a delivery as the receiver recorded it (the reference
/// `standardwebhooks` library, as a customer's receiver would).
fn verifies(secret: &str, received: &Value) -> bool {
    let mut headers = http::HeaderMap::new();
    for (name, field) in [
        ("webhook-id", "webhook_id"),
        ("webhook-timestamp", "webhook_timestamp"),
        ("webhook-signature", "webhook_signature"),
    ] {
        headers.insert(name, received[field].as_str().unwrap().parse().unwrap());
    }
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(received["body"].as_str().unwrap().as_bytes(), &headers)
        .is_ok()
}

#[tokio::test]
async fn a_rotation_keeps_every_delivery_verifiable_with_either_secret_until_the_overlap_ends() {
    let s = Stack::start(Options::default()).await;
    let old = s.env.store.webhook_secret(&acme()).await.unwrap().unwrap();
    let (status, rotated) = s.rotate_as(Some(&s.key), r#"{"overlap_hours": 1}"#).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old.expose());

    // A meeting's webhook during the overlap: two signatures, each secret verifies it.
    let bot = s.join_meeting("ada@example.com", "", json!({})).await;
    s.stop_bot(&bot).await;
    s.drain(Duration::from_millis(500)).await;
    assert_eq!(s.report_exit(&bot, &meeting()).await.0, 202);
    let done = s.until_settled(&bot, Duration::from_secs(20)).await;
    assert_eq!(
        done["deliveries"]["webhook"]["state"], "delivered",
        "{done}"
    );
    let hooks = s.env.webhooks(&bot).await;
    assert!(!hooks.is_empty());
    for hook in &hooks {
        assert_eq!(hook["verified"], true, "{hook}");
        let signature = hook["webhook_signature"].as_str().unwrap();
        assert_eq!(signature.matches("v1,").count(), 2, "{signature}");
        assert!(verifies(&new, hook), "the new secret verifies");
        assert!(verifies(old.expose(), hook), "the old secret verifies");
    }

    // A rotation with no overlap ends the previous secret at once: one signature, the
    // newest secret only.
    let (status, rotated) = s.rotate_as(Some(&s.key), r#"{"overlap_hours": 0}"#).await;
    assert_eq!(status, 200, "{rotated}");
    let newest = rotated["secret"].as_str().unwrap().to_owned();
    let url = s.env.webhook_url("acme", "");
    let (status, body) = s
        .ping_as(Some(&s.key), &json!({"url": url}).to_string())
        .await;
    assert_eq!(status, 200, "{body}");
    let got = s.env.received(body["webhook_id"].as_str().unwrap()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0]["verified"], true,
        "the receiver reads the rotated secret"
    );
    assert_eq!(
        got[0]["webhook_signature"]
            .as_str()
            .unwrap()
            .matches("v1,")
            .count(),
        1
    );
    assert!(verifies(&newest, &got[0]));
    assert!(!verifies(&new, &got[0]));
    assert!(!verifies(old.expose(), &got[0]));

    // Refusals change nothing; another account's secret never moved.
    let before = s.env.store.signing_secrets(&acme()).await.unwrap();
    let (status, body) = s
        .rotate_as(Some(&s.key), r#"{"overlap_hours": 1000}"#)
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(s.rotate_as(None, "").await.0, 401);
    assert_eq!(s.env.store.signing_secrets(&acme()).await.unwrap(), before);
    let globex = AccountId::parse("globex").unwrap();
    if let Some(other) = s.env.store.signing_secrets(&globex).await.unwrap() {
        assert!(other.previous.is_none());
    }
}
