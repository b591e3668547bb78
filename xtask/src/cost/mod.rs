//! `make cost`: what our part of a meeting costs on AWS, from counted calls. The local stack
//! runs (optimised build) with two meters in its paths ([`meter`]): a mix of meetings from
//! the QMSum transcripts goes through it as customers use it (join with email and webhook,
//! stop — some twice —, the bot's exit report, the pipeline, one status read; some webhooks
//! answered 500 once, so retried), and every invocation, AWS request and billable unit is
//! counted. The table (per function, per meeting, per 1,000 meetings, in USD from
//! [`prices`]) is printed and written to PERFORMANCE.md between its cost markers.

mod caller;
mod dynamo_units;
mod meter;
mod prices;
mod report;

use crate::local;
use meter::Counters;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const AWS_METER: &str = "127.0.0.1:4568";
const HTTP_METER: &str = "127.0.0.1:9001";
/// Timers shortened so a meeting's every message (the exit deadline, the session's
/// deadline, a webhook retry) is handled within the run; their counts per meeting are
/// production's (see PERFORMANCE.md for the session deadline's hops in long meetings).
const WATCH_ARGS: &str = "--env-var EXIT_DEADLINE_SECONDS=20 --env-var MAX_SESSION_SECONDS=40 \
    --env-var WEBHOOK_RETRY_BASE_SECONDS=1 --env-var WEBHOOK_RETRY_MAX_DELAY_SECONDS=4";

pub struct CostConfig {
    pub meetings: usize,
    pub clients: usize,
    /// Where the table goes (PERFORMANCE.md), between `<!-- cost:begin -->` and `<!-- cost:end -->`.
    pub write_to: Option<PathBuf>,
}

pub async fn run(config: CostConfig) -> Result<(), String> {
    let root = local::repo_root();
    let counters = Arc::new(Counters::default());
    meter::start_aws(AWS_METER, &local::emulator_url(), counters.clone()).await?;
    let routes = Arc::new(report::Routes::read(&root.join("Cargo.toml"))?);
    let route = {
        let routes = routes.clone();
        Arc::new(move |m: &str, p: &str| routes.function(m, p))
    };
    meter::start_http(HTTP_METER, &local::api_url(), route, counters.clone()).await?;
    println!("cost: meters on {AWS_METER} (AWS) and {HTTP_METER} (API); restarting the local stack through them");
    stack(&root, "down", &[])?;
    let watch_args = format!(
        "{WATCH_ARGS} --env-var AWS_ENDPOINT_URL=http://{AWS_METER} --env-var PUBLIC_BASE_URL=http://{HTTP_METER}"
    );
    // The tools (the event source, standing in for Lambda's SQS poller) through the meter too.
    let aws_meter = format!("http://{AWS_METER}");
    let env = [
        ("AWS_ENDPOINT_URL", aws_meter.as_str()),
        ("WATCH_RELEASE", "1"),
        ("WATCH_ARGS", watch_args.as_str()),
        ("PAILFLOW_API_URL", &format!("http://{HTTP_METER}")),
    ];
    stack(&root, "up", &env)?;
    let outcome = drive(&config, &root, &counters).await;
    let logs_after = log_bytes(&root);
    stack(&root, "down", &[]).ok();
    let (done, log_bytes) = outcome?;
    let memory = report::memory_by_function(&root.join("infra/template.yaml"))?;
    let table = report::Table::build(
        &counters,
        &memory,
        done,
        logs_after.saturating_sub(log_bytes),
    );
    let text = table.render(config.meetings);
    println!("{text}");
    if let Some(path) = &config.write_to {
        report::write_section(path, &text)?;
        println!("cost: written to {}", path.display());
    }
    Ok(())
}

/// `scripts/local-stack.sh <verb>` with extra environment, its progress on our stderr.
fn stack(root: &std::path::Path, verb: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let status = std::process::Command::new(root.join("scripts/local-stack.sh"))
        .arg(verb)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("local-stack.sh {verb}: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("local-stack.sh {verb} failed ({status})"))
}

fn log_bytes(root: &std::path::Path) -> u64 {
    std::fs::metadata(root.join(".local/logs/api.log")).map_or(0, |m| m.len())
}

/// Runs the meetings; returns how many completed and the function log's size before them.
async fn drive(
    config: &CostConfig,
    root: &std::path::Path,
    counters: &Counters,
) -> Result<(usize, u64), String> {
    let account = format!("cost-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let key = local::bearer_for_run(&account, config.meetings).await?;
    let files = qmsum_files(root)?;
    counters.reset();
    let logs_before = log_bytes(root);
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..config.clients {
        let (next, done, key, files) = (next.clone(), done.clone(), key.clone(), files.clone());
        let meetings = config.meetings;
        clients.push(tokio::spawn(async move {
            let http = local::http();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= meetings {
                    return Ok::<_, String>(());
                }
                let file = &files[i % files.len()];
                meeting(&http, &key, i, file).await?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n % 10 == 0 || n == meetings {
                    println!(
                        "cost: {n}/{meetings} meetings settled ({:.0} s)",
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }));
    }
    for client in clients {
        client.await.map_err(|e| e.to_string())??;
    }
    // The session deadlines (MAX_SESSION_SECONDS after each join) and any late message.
    println!("cost: waiting for the last deadline messages");
    quiet(counters, Duration::from_secs(50)).await;
    Ok((done.load(std::sync::atomic::Ordering::Relaxed), logs_before))
}

/// Waits at least `min`, then until nothing was counted for 10 s.
async fn quiet(counters: &Counters, min: Duration) {
    tokio::time::sleep(min).await;
    let mut last = counters.total_requests();
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let now = counters.total_requests();
        if now == last {
            return;
        }
        last = now;
    }
}

fn qmsum_files(root: &std::path::Path) -> Result<Vec<String>, String> {
    let dir = root.join("xtask/data/qmsum/val");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    (!files.is_empty())
        .then_some(files)
        .ok_or_else(|| format!("no transcripts in {}", dir.display()))
}

/// One meeting as a customer runs it: join (email and webhook; every 10th webhook answers
/// 500 once), stop (every 10th twice), the bot reports its QMSum transcript, one status
/// read once it settled (the waiting is polled past the meter, as it is not a customer's).
async fn meeting(http: &reqwest::Client, key: &str, i: usize, file: &str) -> Result<(), String> {
    let metered = format!("http://{HTTP_METER}");
    let direct = local::api_url();
    let hook = format!(
        "http://{}/hooks/cost{}",
        local::receiver_addr(),
        if i % 10 == 3 { "?fail_first=1" } else { "" }
    );
    let body = json!({
        "room_url": format!("https://cost.daily.co/meeting-{i}"),
        "bot_config": {"bot_prompt": "Take notes", "standin": {"transcript_file": file}},
        "email": format!("team{i}@example.com"),
        "webhook_callback_url": hook,
    });
    let joined: Value = call(
        http.post(format!("{metered}/api/bot/join"))
            .header("authorization", key)
            .json(&body),
        200,
    )
    .await?;
    let id = joined["bot_id"]
        .as_str()
        .ok_or("join answered no bot_id")?
        .to_owned();
    for _ in 0..(if i % 10 == 5 { 2 } else { 1 }) {
        call(
            http.post(format!("{metered}/v1/bots/leave/{id}"))
                .header("authorization", key),
            200,
        )
        .await?;
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let status: Value = call(
            http.get(format!("{direct}/api/bot/{id}/status"))
                .header("authorization", key),
            200,
        )
        .await?;
        let settled = |d: &str| {
            matches!(
                status["deliveries"][d]["state"].as_str(),
                Some("delivered" | "failed")
            )
        };
        if status["status"] != "running" && settled("email") && settled("webhook") {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("meeting {i} ({id}) did not settle: {status}"));
        }
    }
    call(
        http.get(format!("{metered}/api/bot/{id}/status"))
            .header("authorization", key),
        200,
    )
    .await?;
    Ok(())
}

/// One request, tried again (up to three times, as a customer's client would) when
/// `cargo lambda watch` answers 5xx for an instance it is still starting.
async fn call(req: reqwest::RequestBuilder, expect: u16) -> Result<Value, String> {
    let mut last = String::new();
    for _ in 0..3 {
        let attempt = req.try_clone().ok_or("request body is not clonable")?;
        let response = attempt.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        if status == expect {
            return Ok(body);
        }
        last = format!("answered {status}: {body}");
        if status < 500 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Err(last)
}
