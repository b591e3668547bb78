//! Join, stop, status and the Pipecat-compatible stop against the AWS emulator with the
//! real SDK clients and the Pipecat stand-in over HTTP. Every refusal is checked to leave
//! the table and the queue exactly as they were.

use adapters::dns::SystemResolver;
use adapters::pipecat::PipecatRuntime;
use app::api::{JoinHandler, JoinSettings};
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::BotId;
use serde_json::{json, Value};
use std::time::Duration;
use system_tests::{bearer, json, request, Emulator, Options, Stack};

async fn api() -> Stack {
    Stack::start(Options::api()).await
}

fn body() -> Value {
    json!({"room_url": "https://acme.daily.co/standup", "bot_config": {"bot_prompt": "Take notes"}, "email": "ada@example.com"})
}

async fn joined(api: &Stack) -> String {
    api.join_bot(&body()).await
}

#[tokio::test]
async fn join_status_stop_status_leaves_one_leave_requested_message() {
    let api = api().await;
    let id = joined(&api).await;
    let (status, running) = api.status_as(Some(&api.key), &id).await;
    assert_eq!(status, 200);
    assert_eq!(
        (running["status"].as_str(), running["phase"].as_str()),
        (Some("running"), Some("in_call"))
    );
    assert!(
        api.env.bot(&id).await["session_id"].is_string(),
        "the stand-in started the bot"
    );

    let (status, stopped) = api.stop_as(Some(&api.key), &id).await;
    assert_eq!(status, 200);
    assert_eq!(
        stopped,
        json!({"status": "leave_requested", "bot_id": id, "message": "Bot stop request sent. Bot will exit within 5 seconds."})
    );
    let (_, leaving) = api.status_as(Some(&api.key), &id).await;
    assert_eq!(
        (leaving["status"].as_str(), leaving["phase"].as_str()),
        (Some("running"), Some("leaving"))
    );
    assert!(leaving["leave_requested_at"].is_string());

    let messages = api.env.visible_messages().await;
    assert_eq!(
        messages,
        vec![PipelineMessage::leave_requested(BotId::parse(&id).unwrap())],
        "the session limit is delayed, not visible"
    );
}

#[tokio::test]
async fn stop_twice_answers_200_and_sends_one_message() {
    let api = api().await;
    let id = joined(&api).await;
    assert_eq!(api.stop_as(Some(&api.key), &id).await.0, 200);
    let after_first = api.env.items().await;
    assert_eq!(api.stop_as(Some(&api.key), &id).await.0, 200);
    assert_eq!(
        api.env.items().await,
        after_first,
        "the repeated stop changed nothing"
    );
    assert_eq!(api.leave_messages().await, 1);
}

#[tokio::test]
async fn stop_of_a_completed_and_of_a_failed_bot_is_409_and_changes_nothing() {
    let api = api().await;
    // A failed bot: the runtime refused to start it.
    let refused = json!({"room_url": "https://acme.daily.co/r", "bot_config": {"bot_prompt": "x", "standin": {"start": "fail"}}});
    let (status, failed) = api
        .join_with(Some(&api.key), &refused.to_string(), &[])
        .await;
    assert_eq!(status, 502);
    let failed_id = failed["bot_id"].as_str().unwrap().to_owned();
    // A completed bot: stopped, then finished through the store as the pipeline does.
    let done_id = joined(&api).await;
    let id = BotId::parse(&done_id).unwrap();
    let finish = app::ports::Finish {
        phase: domain::Phase::Completed,
        at: domain::now(),
        error: None,
        error_code: None,
        analysis: None,
        email: None,
        webhook: None,
        frees_slot_of: None,
        expires_at: None,
        timeline: Default::default(),
    };
    assert!(
        app::ports::SessionStore::finish(&api.env.store, id, &[domain::Phase::InCall], finish)
            .await
            .unwrap()
    );

    let before = api.env.items().await;
    for (bot, word) in [(&failed_id, "failed"), (&done_id, "completed")] {
        let (status, body) = api.stop_as(Some(&api.key), bot).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"], "conflict");
        assert!(body["detail"].as_str().unwrap().contains(word));
    }
    assert_eq!(api.env.items().await, before);
    assert_eq!(api.leave_messages().await, 0);
}

#[tokio::test]
async fn auth_failures_unknown_foreign_and_malformed_ids_change_nothing() {
    let api = api().await;
    let id = joined(&api).await;
    let before = api.env.items().await;
    for auth in [
        None,
        Some("Basic YTpi"),
        Some("Bearer pfk_wrong"),
        Some("Bearer "),
        Some("Bearer  pfk_x"),
    ] {
        let (status, resp) = api.stop_as(auth, &id).await;
        assert_eq!(status, 401, "{auth:?}");
        assert_eq!(resp["error"], "authentication_error");
        assert_eq!(resp["detail"], "API key authentication failed.");
        assert_eq!(api.status_as(auth, &id).await.0, 401);
        let (status, _) = api.join_with(auth, &body().to_string(), &[]).await;
        assert_eq!(status, 401);
    }
    let unknown = BotId::new().to_string();
    let (status, body) = api.stop_as(Some(&api.key), &unknown).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (
            404,
            Some(format!("Bot session {unknown} not found").as_str())
        )
    );
    assert_eq!(
        api.stop_as(Some(&api.other), &id).await.0,
        404,
        "another account's bot is not found"
    );
    assert_eq!(api.status_as(Some(&api.other), &id).await.0, 404);
    for bad in [
        "nope",
        "../../etc/passwd",
        "258b06fc6bc942619f29bc8a4474af0a",
    ] {
        let (status, body) = api.stop_as(Some(&api.key), bad).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
        assert_eq!(api.status_as(Some(&api.key), bad).await.0, 400);
    }
    assert_eq!(api.env.items().await, before);
    assert_eq!(api.leave_messages().await, 0);
}

#[tokio::test]
async fn bad_join_bodies_are_refused_and_store_nothing() {
    let api = api().await;
    let before = api.env.items().await;
    let huge = json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x".repeat(70_000)}}).to_string();
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("not json".into(), vec![], 400, "not valid JSON"),
        (body().to_string(), vec![("content-type", "text/plain")], 415, "application/json"),
        (json!({"bot_config": {"bot_prompt": "x"}}).to_string(), vec![], 400, "Missing required field: room_url"),
        (json!({"room_url": "https://a.daily.co/r"}).to_string(), vec![], 400, "Missing required field: bot_config"),
        (json!({"room_url": "https://a.daily.co/r", "bot_config": {"name": "x"}}).to_string(), vec![], 400, "bot_config.bot_prompt"),
        (json!({"room_url": ["x"], "bot_config": {"bot_prompt": "x"}}).to_string(), vec![], 400, "Field 'room_url' must be a string"),
        (json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "process_insights": 1}).to_string(), vec![], 400, "must be a boolean"),
        (json!({"room_url": "https://a.daily.co/r", "bot_config": {"bot_prompt": "x"}, "email": "x@y.com\r\nBcc: z@w.com"}).to_string(), vec![], 400, "email"),
        (huge, vec![], 413, "limit is 65536 bytes"),
    ];
    for (body, headers, status, detail) in cases {
        let (got, resp) = api.join_with(Some(&api.key), &body, &headers).await;
        assert_eq!(got, status, "{resp}");
        assert!(
            resp["detail"].as_str().unwrap().contains(detail),
            "{resp} lacks {detail}"
        );
        assert!(resp["message"].is_string());
    }
    assert_eq!(api.env.items().await, before);
    assert!(api.env.visible_messages().await.is_empty());
}

#[tokio::test]
async fn join_replayed_with_the_same_key_returns_the_same_bot_and_a_different_body_is_422() {
    let api = api().await;
    let idem = [("idempotency-key", "order-42")];
    let first = api
        .join_with(Some(&api.key), &body().to_string(), &idem)
        .await;
    assert_eq!(first.0, 200);
    let after_first = api.env.items().await;
    let replay = api
        .join_with(Some(&api.key), &body().to_string(), &idem)
        .await;
    assert_eq!(replay, first);
    assert_eq!(
        api.env.items().await,
        after_first,
        "the replay created nothing"
    );
    let mut other = body();
    other["room_url"] = json!("https://acme.daily.co/elsewhere");
    let (status, resp) = api
        .join_with(Some(&api.key), &other.to_string(), &idem)
        .await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (422, Some("idempotency_error"))
    );
    assert_eq!(api.env.items().await, after_first);
}

#[tokio::test]
async fn runtime_refusal_is_502_and_records_the_session_as_failed() {
    let api = api().await;
    let refused = json!({"room_url": "https://acme.daily.co/r", "bot_config": {"bot_prompt": "x", "standin": {"start": "refuse"}}});
    let (status, body) = api
        .join_with(Some(&api.key), &refused.to_string(), &[])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("bot_start_failed"))
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("(runtime_refused)"), "{body}");
    assert!(
        !detail.contains("not ready"),
        "the runtime's own text stays in the logs: {body}"
    );
    let id = body["bot_id"].as_str().unwrap();
    let (_, status_body) = api.status_as(Some(&api.key), id).await;
    assert_eq!(status_body["status"], "failed");
    let error = status_body["error"].as_str().unwrap();
    assert!(
        error.contains("runtime_refused") && !error.contains("HTTP 400"),
        "{error}"
    );
}

#[tokio::test]
async fn runtime_unreachable_is_502() {
    let env = Emulator::start(30).await;
    let runtime = PipecatRuntime::new(adapters::pipecat::PipecatConfig {
        api_url: "http://127.0.0.1:9/v1".into(),
        agent_name: "x".into(),
        public_key: Some(adapters::secrets::LazySecret::known(domain::Secret::new(
            "k",
        ))),
        private_key: Some(adapters::secrets::LazySecret::known(domain::Secret::new(
            "k",
        ))),
    });
    let settings = JoinSettings {
        url_policy: UrlPolicy::STRICT,
        room_hosts: domain::join::RoomHosts::default(),
        public_base_url: "https://api.test".into(),
        max_session: Duration::from_secs(60),
        limits: domain::limits::Limits::default(),
    };
    let join = JoinHandler::new(
        env.store.clone(),
        runtime,
        env.queue.clone(),
        SystemResolver,
        settings,
    );
    let key = bearer(&env.api_key("acme").await);
    let (status, body) = json(
        join.handle(request("POST", Some(&key), &body().to_string(), &[]))
            .await,
    );
    assert_eq!(status, 502);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{body}"
    );
}

#[tokio::test]
async fn pipecat_compatible_stop_terminates_and_answers_errors_as_error_and_code() {
    let api = api().await;
    let id = joined(&api).await;
    let call = |auth: Option<String>, sid: String| {
        let req = request(
            "DELETE",
            auth.as_deref(),
            "",
            &[("agentName", "meeting-bot"), ("sessionId", &sid)],
        );
        async { json(api.stop.handle(req).await) }
    };
    let (status, body) = call(Some(api.key.clone()), id.clone()).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "terminated", "session_id": id}))
    );
    assert_eq!(call(Some(api.key.clone()), id.clone()).await.0, 200);
    assert_eq!(api.leave_messages().await, 1);
    for (auth, sid, code, name) in [
        (
            Some(api.key.clone()),
            "bad-id".to_owned(),
            400,
            "invalid_request",
        ),
        (
            Some(api.key.clone()),
            BotId::new().to_string(),
            404,
            "not_found",
        ),
        (Some(api.other.clone()), id.clone(), 404, "not_found"),
        (None, id.clone(), 401, "authentication_error"),
    ] {
        let (status, body) = call(auth, sid).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (code, Some(name)),
            "{body}"
        );
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn a_found_api_key_is_remembered_for_its_time_to_live_and_then_asked_again() {
    use app::ports::Accounts;
    let env = Emulator::start(30).await;
    let key = env.api_key("acme").await;
    let cached = env.store.clone().with_key_cache(Duration::from_secs(2));
    let acme = domain::AccountId::parse("acme").unwrap();
    assert_eq!(
        cached.account_for_key(&key.hash()).await.unwrap(),
        Some(acme.clone())
    );
    // Revoke the key: delete its item.
    aws_sdk_dynamodb::Client::new(&env.aws)
        .delete_item()
        .table_name(&env.names.table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("APIKEY#{}", key.hash().as_str())),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("APIKEY".into()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        env.store.account_for_key(&key.hash()).await.unwrap(),
        None,
        "without the cache the revocation is seen at once"
    );
    assert_eq!(
        cached.account_for_key(&key.hash()).await.unwrap(),
        Some(acme),
        "a warm container keeps the key for its time to live"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        cached.account_for_key(&key.hash()).await.unwrap(),
        None,
        "after the time to live the revocation holds"
    );
}

#[tokio::test]
async fn an_expired_idempotency_key_is_free_again_before_the_ttl_sweep() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let api = api().await;
    let key = [("idempotency-key", "standup-expired")];
    let (status, first) = api
        .join_with(Some(&api.key), &body().to_string(), &key)
        .await;
    assert_eq!(status, 200, "{first}");
    // The record outlived its 24 hours; DynamoDB's TTL has not swept it yet.
    let ddb = aws_sdk_dynamodb::Client::new(&api.env.aws);
    let record = api
        .env
        .items()
        .await
        .into_iter()
        .find(|i| matches!(i.get("pk"), Some(AttributeValue::S(pk)) if pk.starts_with("IDEMPOTENCY#")))
        .expect("the idempotency record");
    ddb.update_item()
        .table_name(&api.env.names.table)
        .key("pk", record["pk"].clone())
        .key("sk", record["sk"].clone())
        .update_expression("SET expires_at = :past")
        .expression_attribute_values(
            ":past",
            AttributeValue::N((domain::now().unix_timestamp() - 1).to_string()),
        )
        .send()
        .await
        .unwrap();
    let other = json!({"room_url": "https://acme.daily.co/other", "bot_config": {"bot_prompt": "Take notes"}});
    let (status, second) = api
        .join_with(Some(&api.key), &other.to_string(), &key)
        .await;
    assert_eq!(status, 200, "an expired key is not a mismatch: {second}");
    assert_ne!(
        second["bot_id"], first["bot_id"],
        "a new bot, not the old one replayed"
    );
    let (status, replay) = api
        .join_with(Some(&api.key), &other.to_string(), &key)
        .await;
    assert_eq!(
        (status, &replay["bot_id"]),
        (200, &second["bot_id"]),
        "the key now names the new bot"
    );
}

#[tokio::test]
async fn the_public_base_url_is_read_once_from_the_parameter_the_template_writes() {
    use adapters::settings::{FromEnv, JoinFunction};
    let env = Emulator::start(30).await;
    let ssm = aws_sdk_ssm::Client::new(&env.aws);
    let name = format!("/pailflow/{}/public-base-url", env.names.table);
    let settings = |parameter: &str| {
        let vars: std::collections::HashMap<&str, &str> = [
            ("TABLE_NAME", "t"),
            ("PIPELINE_QUEUE_URL", "q"),
            ("PIPECAT_AGENT_NAME", "a"),
            ("PIPECAT_PUBLIC_KEY_SECRET", "t/pipecat-public-key"),
            ("PUBLIC_BASE_URL_PARAMETER", parameter),
        ]
        .into_iter()
        .collect();
        JoinFunction::read(&vars).unwrap()
    };
    let missing = settings(&name).join_settings(&env.aws).await.unwrap_err();
    assert!(missing.to_string().contains("does not exist"), "{missing}");
    for (value, ok) in [
        ("http://abc.execute-api.us-east-1.amazonaws.com", false),
        ("https://abc.execute-api.us-east-1.amazonaws.com", true),
    ] {
        ssm.put_parameter()
            .name(&name)
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .overwrite(true)
            .send()
            .await
            .unwrap();
        let read = settings(&name).join_settings(&env.aws).await;
        assert_eq!(read.is_ok(), ok, "{value}: {read:?}");
        if ok {
            assert_eq!(read.unwrap().public_base_url, value);
        }
    }
}
