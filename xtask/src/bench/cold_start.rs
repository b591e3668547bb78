//! One cold start of a function under the local Runtime API stub: init time, first answer,
//! warm invocations and peak memory.

use crate::runtime_api::{Environment, Launch, Target};
use serde_json::Value;
use std::collections::HashMap;
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

/// Exec to the first `GET /runtime/invocation/next`, in milliseconds; the process is then
/// stopped.
pub async fn init_ms(target: &Target, env: &HashMap<String, String>) -> Result<f64, String> {
    let launch = Launch {
        env,
        clean: true,
        timeout: Duration::from_secs(60),
        pipe_stderr: true,
    };
    let mut environment = Environment::start(target, launch).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let first_next = loop {
        if let Some(at) = environment.first_next() {
            break at;
        }
        if let Ok(Some(status)) = environment.child.try_wait() {
            let stderr = environment.stop().await;
            return Err(format!(
                "{} exited during init ({status})\n{stderr}",
                target.name
            ));
        }
        if std::time::Instant::now() > deadline {
            let stderr = environment.stop().await;
            return Err(format!("{}: no /next within 10 s\n{stderr}", target.name));
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    let ms = (first_next - environment.started).as_secs_f64() * 1000.0;
    environment.stop().await;
    Ok(ms)
}
