//! End to end through the local stack `make up` starts: the functions under
//! `cargo lambda watch` on the production routes, the SQS event source, the Pipecat
//! stand-in bot, the webhook receiver, SES in the emulator.

use serde_json::{json, Value};
use std::time::Duration;
use system_tests::emails_mentioning;

fn api() -> String {
    xtask::local::api_url()
}

async fn api_key() -> String {
    std::env::set_var("AWS_ENDPOINT_URL", xtask::local::emulator_url());
    let store = xtask::local::store().await;
    let account = domain::AccountId::parse("e2e").unwrap();
    store
        .ensure_account(&account)
        .await
        .expect("is the local stack up? `make test` starts it");
    format!(
        "Bearer {}",
        store.create_api_key(&account).await.unwrap().expose()
    )
}

async fn status(http: &reqwest::Client, key: &str, id: &str) -> Value {
    http.get(format!("{}/api/bot/{id}/status", api()))
        .header("authorization", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn join(http: &reqwest::Client, key: &str, email: &str, standin: Value) -> String {
    let body = json!({
        "room_url": "https://acme.daily.co/e2e",
        "bot_config": {"bot_prompt": "Take notes", "standin": standin},
        "email": email,
        "webhook_callback_url": format!("http://{}/hooks/e2e", xtask::local::receiver_addr()),
    });
    let response = http
        .post(format!("{}/api/bot/join", api()))
        .header("authorization", key)
        .json(&body)
        .send()
        .await
        .expect("the API on 127.0.0.1:9000");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["bot_id"].as_str().unwrap().to_owned()
}

async fn settled(http: &reqwest::Client, key: &str, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let last = status(http, key, id).await;
        let delivered = |d: &str| last["deliveries"][d]["state"] == "delivered";
        if last["status"] == "completed" && delivered("webhook") && delivered("email") {
            return last;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the meeting did not complete: {last}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn webhooks(http: &reqwest::Client, id: &str) -> Vec<Value> {
    http.get(format!(
        "http://{}/events?bot_id={id}",
        xtask::local::receiver_addr()
    ))
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

#[tokio::test]
async fn join_stop_and_the_whole_pipeline_through_the_local_stack() {
    let http = xtask::local::http();
    let key = api_key().await;
    let email = format!(
        "e2e-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let id = join(&http, &key, &email, json!({"words": 800})).await;
    assert_eq!(status(&http, &key, &id).await["status"], "running");

    let stop = http
        .post(format!("{}/v1/bots/leave/{id}", api()))
        .header("authorization", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), 200);
    let stop: Value = stop.json().await.unwrap();
    assert_eq!(stop["status"], "leave_requested");

    let done = settled(&http, &key, &id).await;
    assert_eq!(done["exit_reason"], "force_leave");
    assert!(done["transcript"].as_str().unwrap().lines().count() > 20);
    assert!(!done["qa_pairs"].as_array().unwrap().is_empty());
    assert_eq!(emails_mentioning(&email).await.len(), 1);
    let hooks = webhooks(&http, &id).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["verified"], true);

    let again = http
        .post(format!("{}/v1/bots/leave/{id}", api()))
        .header("authorization", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a finished bot cannot be stopped");
}

#[tokio::test]
async fn a_bot_that_leaves_on_its_own_comes_through_the_same_door() {
    let http = xtask::local::http();
    let key = api_key().await;
    let email = format!(
        "e2e-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let id = join(&http, &key, &email, json!({"words": 300})).await;
    let bot: Value = http
        .get(format!(
            "http://{}/_control/bots/{id}",
            xtask::local::standin_addr()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = bot["session_id"].as_str().unwrap();
    let ended = http
        .post(format!(
            "http://{}/_control/sessions/{session}/end",
            xtask::local::standin_addr()
        ))
        .json(&json!({"exit_reason": "stop_phrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 200);
    let done = settled(&http, &key, &id).await;
    assert_eq!(done["exit_reason"], "stop_phrase");
    assert!(done["leave_requested_at"].is_null(), "no stop was called");
}

#[tokio::test]
async fn the_pipecat_compatible_route_stops_a_bot() {
    let http = xtask::local::http();
    let key = api_key().await;
    let email = format!(
        "e2e-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let id = join(&http, &key, &email, json!({"words": 200})).await;
    let response = http
        .delete(format!("{}/agents/meeting-bot/sessions/{id}", api()))
        .header("authorization", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "terminated", "session_id": id})
    );
    settled(&http, &key, &id).await;
}

#[tokio::test]
async fn limits_set_with_make_account_limits_hold_on_the_running_stack() {
    std::env::set_var("AWS_ENDPOINT_URL", xtask::local::emulator_url());
    let name = format!("e2e-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let account = domain::AccountId::parse(&name).unwrap();
    // What `make account-limits ACCOUNT=<name> active_bots=1` runs.
    xtask::accounts::set_limits(
        &account,
        xtask::accounts::LimitChanges {
            active_bots: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let store = xtask::local::store().await;
    let key = format!(
        "Bearer {}",
        store.create_api_key(&account).await.unwrap().expose()
    );
    let http = xtask::local::http();
    let body = json!({"room_url": "https://acme.daily.co/limited", "bot_config": {"bot_prompt": "x", "standin": {"report": "never"}}});
    let join = || {
        http.post(format!("{}/api/bot/join", api()))
            .header("authorization", &key)
            .json(&body)
            .send()
    };
    let mut response = join().await.unwrap();
    assert_eq!(response.status(), 200);
    let bot: Value = response.json().await.unwrap();
    response = join().await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let refused: Value = response.json().await.unwrap();
    assert_eq!(refused["error"], "limit_exceeded");
    // The first bot is stopped; its slot is freed when its session ends.
    let stopped = http
        .post(format!(
            "{}/v1/bots/leave/{}",
            api(),
            bot["bot_id"].as_str().unwrap()
        ))
        .header("authorization", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
}

/// `events/README.md`'s table: file, function, what it answers.
fn documented_events() -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(xtask::local::repo_root().join("events/README.md"))
        .expect("events/README.md");
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", file, function, answer, ""] if file.ends_with(".json`") => Some((
                    file.trim_matches('`').to_owned(),
                    (*function).to_owned(),
                    (*answer).to_owned(),
                )),
                _ => None,
            }
        })
        .collect()
}

#[tokio::test]
async fn every_saved_event_answers_what_events_readme_documents() {
    let root = xtask::local::repo_root();
    let documented = documented_events();
    let mut files: Vec<String> = std::fs::read_dir(root.join("events"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = documented.iter().map(|(f, _, _)| f.clone()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "every event file is in events/README.md's table"
    );
    for (file, function, answer) in documented {
        // Twice: a repeated invocation answers the same.
        for _ in 0..2 {
            let out = tokio::process::Command::new("cargo")
                .args([
                    "lambda",
                    "invoke",
                    "-A",
                    "127.0.0.1",
                    "-P",
                    "9000",
                    &function,
                ])
                .arg("--data-file")
                .arg(root.join("events").join(&file))
                .output()
                .await
                .expect("cargo lambda (make test puts the project's .venv on PATH)");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{file}: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let response: Value = serde_json::from_str(stdout.trim())
                .unwrap_or_else(|e| panic!("{file}: not JSON ({e}): {stdout}"));
            let got = match response.get("statusCode") {
                Some(code) => code.to_string(),
                None => format!("batchItemFailures {}", response["batchItemFailures"]),
            };
            assert_eq!(got, answer, "{file}: {response}");
        }
    }
}

#[tokio::test]
async fn seeding_the_local_account_twice_changes_nothing() {
    use aws_sdk_dynamodb::types::AttributeValue;
    std::env::set_var("AWS_ENDPOINT_URL", xtask::local::emulator_url());
    let aws = xtask::local::aws().await;
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    // The completed bot and the key: the other seeded bots are the events' to change (the
    // event test invokes them concurrently).
    let key = domain::ApiKey::parse(xtask::seed::API_KEY).unwrap().hash();
    let partitions = [
        format!("BOT#{}", xtask::seed::COMPLETED_BOT),
        format!("APIKEY#{}", key.as_str()),
    ];
    let seeded = || async {
        let mut items = Vec::new();
        for pk in &partitions {
            let out = ddb
                .query()
                .table_name(xtask::local::table_name())
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                .consistent_read(true)
                .send()
                .await
                .unwrap();
            items.extend(
                out.items()
                    .iter()
                    .map(|i| canonical(&AttributeValue::M(i.clone()))),
            );
        }
        items
    };
    xtask::seed::run().await.unwrap();
    let before = seeded().await;
    assert_eq!(before.len(), 4, "session, transcript, results and the key");
    xtask::seed::run().await.unwrap();
    assert_eq!(seeded().await, before);
}

/// An attribute value with its maps in key order, to compare items read at two times.
fn canonical(v: &aws_sdk_dynamodb::types::AttributeValue) -> String {
    use aws_sdk_dynamodb::types::AttributeValue;
    match v {
        AttributeValue::M(m) => {
            let sorted: std::collections::BTreeMap<_, _> =
                m.iter().map(|(k, v)| (k.clone(), canonical(v))).collect();
            format!("{sorted:?}")
        }
        AttributeValue::L(l) => format!("{:?}", l.iter().map(canonical).collect::<Vec<_>>()),
        other => format!("{other:?}"),
    }
}
