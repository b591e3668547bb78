//! `make bench`, cold start and memory: each function's release binary is started under a
//! local Lambda Runtime API stub, which records the time from exec to the binary's first
//! `GET /runtime/invocation/next` (init) and to its first answered invocation, then feeds it
//! the rest of a workload against the local stack (emulator, stand-in bot) and reads its peak
//! RSS. The same stub runs a Python 3.11 + boto3 handler doing the same table and queue calls
//! (under awslambdaric, AWS's runtime client) and a lambda_http hello-world.

pub use crate::runtime_api::Target;
use crate::runtime_api::{Environment, Launch};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Run {
    pub init_ms: f64,
    pub first_answer_ms: f64,
    pub warm_ms: Vec<f64>,
    pub peak_rss_kb: u64,
    pub answers: Vec<Value>,
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

/// One cold start: exec, init, then every event in order. Each event must be answered.
pub async fn cold_start(
    target: &Target,
    env: &HashMap<String, String>,
    events: Vec<Value>,
) -> Result<Run, String> {
    let mut env = env.clone();
    env.entry("AWS_LAMBDA_LOG_FORMAT".into())
        .or_insert_with(|| "JSON".into());
    env.entry("RUST_LOG".into())
        .or_insert_with(|| "warn".into());
    let launch = Launch {
        env: &env,
        clean: true,
        timeout: Duration::from_secs(60),
        pipe_stderr: true,
    };
    let mut environment = Environment::start(target, launch).await?;
    let pid = environment.child.id().unwrap_or(0);

    let mut run = Run::default();
    let mut failure = None;
    for (i, event) in events.into_iter().enumerate() {
        let queued = std::time::Instant::now();
        let answer = match environment.invoke(event).await {
            Ok(answer) => answer,
            Err(e) => {
                let stderr = environment.stop().await;
                return Err(format!("{}: {e}\n{stderr}", target.name));
            }
        };
        if i == 0 {
            let first_next = environment
                .first_next()
                .ok_or("no /next before the first answer")?;
            run.init_ms = (first_next - environment.started).as_secs_f64() * 1000.0;
            run.first_answer_ms = (answer.at - environment.started).as_secs_f64() * 1000.0;
        } else {
            run.warm_ms
                .push((answer.at - queued).as_secs_f64() * 1000.0);
        }
        match answer.result {
            Ok(value) => run.answers.push(value),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    run.peak_rss_kb = peak_rss_kb(pid);
    let stderr = environment.stop().await;
    if let Some(e) = failure {
        return Err(format!("{}: invocation failed: {e}\n{stderr}", target.name));
    }
    Ok(run)
}

/// An API Gateway HTTP API (v2) event.
pub fn http_event(
    method: &str,
    path: &str,
    route: &str,
    params: &[(&str, &str)],
    auth: &str,
    body: Option<&Value>,
) -> Value {
    let params: serde_json::Map<String, Value> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {route}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"authorization": auth, "content-type": "application/json", "host": "127.0.0.1:9000", "x-forwarded-proto": "http"},
        "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "127.0.0.1", "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": uuid::Uuid::new_v4().to_string(), "routeKey": format!("{method} {route}"), "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 1795000000000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

pub fn sqs_event(bodies: &[String]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .map(|b| {
            json!({
                "messageId": uuid::Uuid::new_v4().to_string(), "receiptHandle": "bench", "body": b,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795000000000"},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:pailflow-local-pipeline", "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn body_of(answer: &Value) -> Value {
    answer["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null)
}

fn status_of(answer: &Value) -> u64 {
    answer["statusCode"].as_u64().unwrap_or(0)
}

struct Row {
    name: String,
    runs: Vec<Run>,
    zip: Option<u64>,
}

impl Row {
    fn line(&self) -> String {
        let mut init: Vec<f64> = self.runs.iter().map(|r| r.init_ms).collect();
        let mut first: Vec<f64> = self.runs.iter().map(|r| r.first_answer_ms).collect();
        let mut warm: Vec<f64> = self.runs.iter().flat_map(|r| r.warm_ms.clone()).collect();
        let rss = self.runs.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0) as f64 / 1024.0;
        let zip = self
            .zip
            .map(|z| format!("{:.2}", z as f64 / 1_048_576.0))
            .unwrap_or_else(|| "-".into());
        format!(
            "| {:<22} | {:>9.1} | {:>11.1} | {:>8.2} | {:>8.1} | {:>7} |",
            self.name,
            median(&mut init),
            median(&mut first),
            median(&mut warm),
            rss,
            zip
        )
    }

    fn median_init(&self) -> f64 {
        median(&mut self.runs.iter().map(|r| r.init_ms).collect::<Vec<_>>())
    }

    fn median_first(&self) -> f64 {
        median(
            &mut self
                .runs
                .iter()
                .map(|r| r.first_answer_ms)
                .collect::<Vec<_>>(),
        )
    }
}

/// Runs every target `samples` times and returns the markdown table with the comparisons.
pub async fn run(samples: usize) -> Result<String, String> {
    use crate::local;
    let root = local::repo_root();
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let release = target_dir.join("release");
    let zip = |f: &str| {
        std::fs::metadata(target_dir.join("lambda").join(f).join("bootstrap.zip"))
            .ok()
            .map(|m| m.len())
    };
    let bin = |name: &str| Target {
        name: name.into(),
        program: release.join(name),
        args: vec![],
        dir: None,
    };

    let aws = local::aws().await;
    let auth = local::bearer_for("bench").await?;
    let queue_url = aws_sdk_sqs::Client::new(&aws)
        .get_queue_url()
        .queue_name(local::queue_name())
        .send()
        .await
        .map_err(|e| {
            format!(
                "is the local stack up? {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            )
        })?
        .queue_url
        .unwrap_or_default();
    let env: HashMap<String, String> = [
        ("AWS_ENDPOINT_URL", local::emulator_url()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "local".into()),
        ("AWS_SECRET_ACCESS_KEY", "local".into()),
        ("TABLE_NAME", local::table_name()),
        ("PIPELINE_QUEUE_URL", queue_url),
        (
            "PIPECAT_API_URL",
            format!("http://{}/v1", local::standin_addr()),
        ),
        ("PIPECAT_AGENT_NAME", "meeting-bot".into()),
        ("PIPECAT_PUBLIC_KEY", "pk_local".into()),
        ("PIPECAT_PRIVATE_KEY", "sk_local".into()),
        ("PUBLIC_BASE_URL", local::api_url()),
        ("SES_SENDER", local::ses_sender()),
        ("WEBHOOK_ALLOW_INSECURE", "true".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let per_run = 5;
    let mut rows = Vec::new();

    // join: every run starts fresh bots; they feed the other functions' workloads.
    let join_body = json!({
        "room_url": "https://bench.daily.co/room",
        "bot_config": {"bot_prompt": "Take notes", "name": "Bench", "standin": {"report": "never"}},
        "email": "bench@example.com",
        "webhook_callback_url": format!("http://{}/hooks/bench", local::receiver_addr()),
    });
    let mut bots: Vec<String> = Vec::new();
    let mut runs = Vec::new();
    for _ in 0..samples {
        let events = (0..per_run * 2)
            .map(|_| {
                http_event(
                    "POST",
                    "/api/bot/join",
                    "/api/bot/join",
                    &[],
                    &auth,
                    Some(&join_body),
                )
            })
            .collect();
        let run = cold_start(&bin("join"), &env, events).await?;
        for a in &run.answers {
            if status_of(a) != 200 {
                return Err(format!("join answered {a}"));
            }
            bots.push(body_of(a)["bot_id"].as_str().unwrap_or_default().to_owned());
        }
        runs.push(run);
    }
    rows.push(Row {
        name: "join".into(),
        runs,
        zip: zip("join"),
    });
    let half = bots.len() / 2;
    let (rust_bots, python_bots) = bots.split_at(half);

    let status_events = |ids: &[String]| -> Vec<Value> {
        ids.iter()
            .map(|id| {
                http_event(
                    "GET",
                    &format!("/api/bot/{id}/status"),
                    "/api/bot/{bot_id}/status",
                    &[("bot_id", id)],
                    &auth,
                    None,
                )
            })
            .collect()
    };
    let stop_events = |ids: &[String]| -> Vec<Value> {
        ids.iter()
            .map(|id| {
                http_event(
                    "POST",
                    &format!("/v1/bots/leave/{id}"),
                    "/v1/bots/leave/{bot_id}",
                    &[("bot_id", id)],
                    &auth,
                    None,
                )
            })
            .collect()
    };
    let chunks: Vec<&[String]> = rust_bots.chunks(per_run).take(samples).collect();
    let python_chunks: Vec<&[String]> = python_bots.chunks(per_run).take(samples).collect();

    let mut status_runs = Vec::new();
    for ids in &chunks {
        status_runs.push(cold_start(&bin("status"), &env, status_events(ids)).await?);
    }
    rows.push(Row {
        name: "status".into(),
        runs: status_runs,
        zip: zip("status"),
    });

    let python = |handler: &str| Target {
        name: format!("python-{handler}"),
        program: "python3".into(),
        args: vec![
            "-m".into(),
            "awslambdaric".into(),
            format!("python_handler.{handler}"),
        ],
        dir: Some(root.join("xtask/bench")),
    };
    let mut py_status = Vec::new();
    for ids in &python_chunks {
        py_status.push(cold_start(&python("status"), &env, status_events(ids)).await?);
    }

    let mut stop_runs = Vec::new();
    for ids in &chunks {
        let run = cold_start(&bin("stop"), &env, stop_events(ids)).await?;
        if run.answers.iter().any(|a| status_of(a) != 200) {
            return Err(format!("stop answered {:?}", run.answers));
        }
        stop_runs.push(run);
    }
    rows.push(Row {
        name: "stop".into(),
        runs: stop_runs,
        zip: zip("stop"),
    });
    let mut py_stop = Vec::new();
    for ids in &python_chunks {
        let run = cold_start(&python("stop"), &env, stop_events(ids)).await?;
        if run.answers.iter().any(|a| status_of(a) != 200) {
            return Err(format!("python stop answered {:?}", run.answers));
        }
        py_stop.push(run);
    }

    // report: the demo's meeting (900 words) for each stopped bot, with the bot's own secret.
    let http = local::http();
    let transcript = crate::meeting::generate(900);
    let mut exits: Vec<(String, String)> = Vec::new();
    let mut report_runs = Vec::new();
    for ids in &chunks {
        let mut events = Vec::new();
        for id in ids.iter() {
            let bot: Value = http
                .get(format!(
                    "http://{}/_control/bots/{id}",
                    local::standin_addr()
                ))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let secret = format!(
                "Bearer {}",
                bot["report_secret"].as_str().unwrap_or_default()
            );
            let body = json!({"exit_reason": "force_leave", "ended_at": "2026-11-23T10:30:00Z", "transcript": transcript});
            events.push(http_event(
                "POST",
                &format!("/v1/bots/{id}/exit"),
                "/v1/bots/{bot_id}/exit",
                &[("bot_id", id)],
                &secret,
                Some(&body),
            ));
        }
        let run = cold_start(&bin("report"), &env, events).await?;
        for (id, a) in ids.iter().zip(&run.answers) {
            if status_of(a) != 202 {
                return Err(format!("report answered {a}"));
            }
            exits.push((
                id.clone(),
                body_of(a)["exit_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ));
        }
        report_runs.push(run);
    }
    rows.push(Row {
        name: "report".into(),
        runs: report_runs,
        zip: zip("report"),
    });

    // pipeline: one bot_exited per invocation: load, analyse, finish, email, webhook.
    let mut pipeline_runs = Vec::new();
    for group in exits.chunks(per_run).take(samples) {
        let events = group
            .iter()
            .map(|(id, exit)| {
                sqs_event(&[
                    json!({"type": "bot_exited", "version": 1, "bot_id": id, "exit_id": exit})
                        .to_string(),
                ])
            })
            .collect();
        let run = cold_start(&bin("pipeline"), &env, events).await?;
        if run.answers.iter().any(|a| {
            a["batchItemFailures"]
                .as_array()
                .is_none_or(|f| !f.is_empty())
        }) {
            return Err(format!("pipeline reported failures: {:?}", run.answers));
        }
        pipeline_runs.push(run);
    }
    rows.push(Row {
        name: "pipeline".into(),
        runs: pipeline_runs,
        zip: zip("pipeline"),
    });

    let mut hello_runs = Vec::new();
    for _ in 0..samples {
        let events = (0..per_run)
            .map(|_| http_event("GET", "/", "/", &[], "", None))
            .collect();
        hello_runs.push(cold_start(&bin("hello-lambda"), &env, events).await?);
    }
    let py_status = Row {
        name: "python-status (boto3)".into(),
        runs: py_status,
        zip: None,
    };
    let py_stop = Row {
        name: "python-stop (boto3)".into(),
        runs: py_stop,
        zip: None,
    };
    let hello = Row {
        name: "hello-world lambda_http".into(),
        runs: hello_runs,
        zip: None,
    };

    // Where the init time goes: the TLS client loads the system CA store. This machine's
    // /etc/ssl/certs holds ~290 files (a bundle plus a file per root), each read and
    // parsed; Lambda's provided.al2023 has essentially one bundle file. The same status
    // function again with one bundle file, and with no CA store at all (the emulator is
    // plain http here, so nothing else changes).
    let empty_dir = std::env::temp_dir().join("pailflow-bench-no-certs");
    std::fs::create_dir_all(&empty_dir).map_err(|e| e.to_string())?;
    let mut ca_rows = Vec::new();
    for (label, file) in [
        (
            "status, 1 CA bundle file",
            "/etc/ssl/certs/ca-certificates.crt",
        ),
        ("status, no CA store", "/nonexistent/ca.pem"),
    ] {
        if label.contains("bundle") && !std::path::Path::new(file).exists() {
            continue;
        }
        let mut ca_env = env.clone();
        ca_env.insert("SSL_CERT_FILE".into(), file.into());
        ca_env.insert("SSL_CERT_DIR".into(), empty_dir.display().to_string());
        let mut ca_runs = Vec::new();
        for ids in &chunks {
            ca_runs.push(cold_start(&bin("status"), &ca_env, status_events(ids)).await?);
        }
        ca_rows.push(Row {
            name: label.into(),
            runs: ca_runs,
            zip: None,
        });
    }

    let mut out = format!(
        "Cold start under a local Runtime API stub ({samples} cold starts each, medians; warm = later invocations in the same process).\n\n\
         | function               | init (ms) | first (ms)  | warm (ms)| peak MB  | zip MB  |\n\
         |------------------------|-----------|-------------|----------|----------|---------|\n"
    );
    for row in rows
        .iter()
        .chain([&py_status, &py_stop, &hello])
        .chain(&ca_rows)
    {
        out.push_str(&row.line());
        out.push('\n');
    }
    let find = |n: &str| rows.iter().find(|r| r.name == n).expect("row");
    out.push_str(&format!(
        "\ninit: status {:.1}x faster than Python+boto3 ({:.1} vs {:.1} ms), stop {:.1}x ({:.1} vs {:.1} ms)\n",
        py_status.median_init() / find("status").median_init(),
        find("status").median_init(),
        py_status.median_init(),
        py_stop.median_init() / find("stop").median_init(),
        find("stop").median_init(),
        py_stop.median_init()
    ));
    out.push_str(&format!(
        "first answered invocation: status {:.1}x faster than Python+boto3 ({:.1} vs {:.1} ms), stop {:.1}x ({:.1} vs {:.1} ms)\n",
        py_status.median_first() / find("status").median_first(),
        find("status").median_first(),
        py_status.median_first(),
        py_stop.median_first() / find("stop").median_first(),
        find("stop").median_first(),
        py_stop.median_first()
    ));
    let worst = rows.iter().map(|r| r.median_init()).fold(0.0, f64::max);
    out.push_str(&format!(
        "init vs hello-world: slowest function {:.1} ms = {:.2}x hello-world's {:.1} ms\n",
        worst,
        worst / hello.median_init(),
        hello.median_init()
    ));
    for row in &ca_rows {
        out.push_str(&format!(
            "init with {}: {:.1} ms = {:.2}x hello-world\n",
            row.name.trim_start_matches("status, "),
            row.median_init(),
            row.median_init() / hello.median_init()
        ));
    }
    Ok(out)
}
