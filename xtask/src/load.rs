//! `make load`: many bots joined and stopped by concurrent clients against the local stack,
//! then every session checked: terminal, one email, one webhook event. Prints throughput
//! and latency percentiles of join, stop, status and stop -> completed. Loopback only; it
//! stops by itself (bounded by the bot count and a per-bot timeout).

use crate::{local, mailbox};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub bots: usize,
    pub clients: usize,
    /// Words the stand-in bot reports per meeting.
    pub words: u64,
    /// Base of the webhook URL (the receiver, or a fault proxy in front of it).
    pub webhook_base: String,
    pub timeout: Duration,
}

#[derive(Default)]
struct Samples {
    join: Vec<f64>,
    stop: Vec<f64>,
    status: Vec<f64>,
    completion: Vec<f64>,
    errors: Vec<String>,
    bots: Vec<(String, String, String)>, // bot id, final status, email
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn row(name: &str, samples: &mut [f64]) -> String {
    samples.sort_by(|a, b| a.total_cmp(b));
    format!(
        "{name:<24} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
        samples.len(),
        percentile(samples, 50.0),
        percentile(samples, 95.0),
        percentile(samples, 99.0),
        samples.last().copied().unwrap_or(f64::NAN)
    )
}

pub struct LoadReport {
    pub text: String,
    pub json: Value,
    pub ok: bool,
}

/// A line every 15 s while the clients run (a run of 1,000 bots takes minutes).
async fn progress(
    done: Arc<AtomicUsize>,
    samples: Arc<Mutex<Samples>>,
    bots: usize,
    started: Instant,
) {
    loop {
        tokio::time::sleep(Duration::from_secs(15)).await;
        let finished = done.load(Ordering::SeqCst);
        let errors = samples.lock().unwrap().errors.len();
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "load: {finished}/{bots} bots joined, stopped and finished after {secs:.0} s ({:.1} bots/s, {errors} client errors)",
            finished as f64 / secs
        );
    }
}

pub async fn run(config: LoadConfig) -> Result<LoadReport, String> {
    let key = local::bearer_for_run("load", config.bots).await?;
    let http = crate::local::http_builder()
        .pool_max_idle_per_host(config.clients)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let api = local::api_url();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let samples = Arc::new(Mutex::new(Samples::default()));
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let started = Instant::now();

    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..config.clients {
        let (http, api, key, next, done, samples, config, run_id) = (
            http.clone(),
            api.clone(),
            key.clone(),
            next.clone(),
            done.clone(),
            samples.clone(),
            config.clone(),
            run_id.clone(),
        );
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= config.bots {
                    return;
                }
                let email = format!("load-{run_id}-{n}@example.com");
                if let Err(e) = one_bot(&http, &api, &key, &email, &config, &samples).await {
                    samples.lock().unwrap().errors.push(format!("bot {n}: {e}"));
                }
                done.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    let progress = tokio::spawn(progress(done, samples.clone(), config.bots, started));
    while workers.join_next().await.is_some() {}
    progress.abort();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "load: {} bots done in {elapsed:.0} s; checking every session, email and webhook",
        config.bots
    );

    // Every session: terminal, one email, one webhook event.
    let emails = mailbox::count_per_destination(&mailbox::sent().await?);
    let events: Vec<Value> = http
        .get(format!("http://{}/events", local::receiver_addr()))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let mut hook_ids: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for e in &events {
        if e["answered"]
            .as_u64()
            .is_some_and(|s| (200..300).contains(&s))
        {
            let bot = e["event"]["bot_id"].as_str().unwrap_or_default().to_owned();
            hook_ids
                .entry(bot)
                .or_default()
                .insert(e["webhook_id"].as_str().unwrap_or_default().to_owned());
        }
    }

    let mut guard = samples.lock().unwrap();
    let s = &mut *guard;
    let bots = std::mem::take(&mut s.bots);

    let completed = bots.iter().filter(|b| b.1 == "completed").count();
    let failed = bots.iter().filter(|b| b.1 == "failed").count();
    let lost = config.bots - completed - failed;
    let one_email = bots.iter().filter(|b| emails.get(&b.2) == Some(&1)).count();
    let dup_emails = bots
        .iter()
        .filter(|b| emails.get(&b.2).is_some_and(|n| *n > 1))
        .count();
    let one_hook = bots
        .iter()
        .filter(|b| hook_ids.get(&b.0).is_some_and(|ids| ids.len() == 1))
        .count();
    let dup_hooks = bots
        .iter()
        .filter(|b| hook_ids.get(&b.0).is_some_and(|ids| ids.len() > 1))
        .count();
    let ok = completed == config.bots
        && one_email == config.bots
        && one_hook == config.bots
        && s.errors.is_empty();

    let mut text = format!(
        "{} bots, {} concurrent clients, {:.1} s: {:.1} bots/s (join+stop+completion)\n\
         completed {completed}, failed {failed}, not finished {lost}; exactly one email {one_email}, duplicate emails {dup_emails}; \
         exactly one webhook event {one_hook}, second webhook events {dup_hooks}; client errors {}\n\n\
         {:<24} {:>7} {:>9} {:>9} {:>9} {:>9}\n",
        config.bots,
        config.clients,
        elapsed,
        config.bots as f64 / elapsed,
        s.errors.len(),
        "latency (ms)",
        "n",
        "p50",
        "p95",
        "p99",
        "max"
    );
    for (name, samples) in [
        ("join", &mut s.join),
        ("stop", &mut s.stop),
        ("status", &mut s.status),
        ("stop -> completed", &mut s.completion),
    ] {
        text.push_str(&row(name, samples));
        text.push('\n');
    }
    for e in s.errors.iter().take(10) {
        text.push_str(&format!("error: {e}\n"));
    }
    let stats = |v: &[f64]| json!({"n": v.len(), "p50": percentile(v, 50.0), "p95": percentile(v, 95.0), "p99": percentile(v, 99.0)});
    let json = json!({
        "bots": config.bots, "clients": config.clients, "seconds": elapsed, "bots_per_second": config.bots as f64 / elapsed,
        "completed": completed, "failed": failed, "not_finished": lost, "one_email": one_email, "duplicate_emails": dup_emails,
        "one_webhook_event": one_hook, "second_webhook_events": dup_hooks, "client_errors": s.errors.len(),
        "join_ms": stats(&s.join), "stop_ms": stats(&s.stop), "status_ms": stats(&s.status), "stop_to_completed_ms": stats(&s.completion),
    });
    Ok(LoadReport { text, json, ok })
}

/// `xtask load`: runs, prints the report, writes it as JSON to `report_json` if given, and
/// fails unless every check passed.
pub async fn run_and_report(config: LoadConfig, report_json: Option<&Path>) -> Result<(), String> {
    let report = run(config).await?;
    println!("{}", report.text);
    if let Some(path) = report_json {
        std::fs::write(
            path,
            serde_json::to_string_pretty(&report.json).unwrap_or_default(),
        )
        .map_err(|e| e.to_string())?;
    }
    if report.ok {
        Ok(())
    } else {
        Err("the load run did not meet its goals (see above)".into())
    }
}

async fn timed(req: reqwest::RequestBuilder) -> Result<(u16, Value, f64), String> {
    let t = Instant::now();
    let response = req.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body, t.elapsed().as_secs_f64() * 1000.0))
}

async fn one_bot(
    http: &reqwest::Client,
    api: &str,
    key: &str,
    email: &str,
    config: &LoadConfig,
    samples: &Mutex<Samples>,
) -> Result<(), String> {
    let body = json!({
        "room_url": "https://load.daily.co/room",
        "bot_config": {"bot_prompt": "Take notes", "standin": {"words": config.words}},
        "email": email,
        "webhook_callback_url": format!("{}/hooks/load", config.webhook_base),
    });
    let (status, joined, ms) = timed(
        http.post(format!("{api}/api/bot/join"))
            .header("authorization", key)
            .json(&body),
    )
    .await?;
    if status != 200 {
        return Err(format!("join answered {status}: {joined}"));
    }
    samples.lock().unwrap().join.push(ms);
    let id = joined["bot_id"].as_str().unwrap_or_default().to_owned();
    let status_url = format!("{api}/api/bot/{id}/status");
    let (status, _, ms) = timed(http.get(&status_url).header("authorization", key)).await?;
    if status != 200 {
        return Err(format!("status answered {status}"));
    }
    samples.lock().unwrap().status.push(ms);
    let (status, body, ms) = timed(
        http.post(format!("{api}/v1/bots/leave/{id}"))
            .header("authorization", key),
    )
    .await?;
    if status != 200 {
        return Err(format!("stop answered {status}: {body}"));
    }
    samples.lock().unwrap().stop.push(ms);
    let stopped = Instant::now();
    let mut completed_at = None;
    let final_status = loop {
        // A client checking once a second, as a dashboard would; the figure's resolution is 1 s.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (code, body, ms) = timed(http.get(&status_url).header("authorization", key)).await?;
        if code != 200 {
            return Err(format!("status answered {code}"));
        }
        samples.lock().unwrap().status.push(ms);
        let state = body["status"].as_str().unwrap_or_default().to_owned();
        if state != "running" && completed_at.is_none() {
            completed_at = Some(stopped.elapsed().as_secs_f64() * 1000.0);
        }
        let settled = |d: &str| {
            matches!(
                body["deliveries"][d]["state"].as_str(),
                Some("delivered" | "failed")
            )
        };
        if state != "running" && settled("email") && settled("webhook") {
            // Completed means the whole transcript the bot reported is there (the stand-in
            // reports `words` words, plus speaker names).
            let words = body["transcript"]
                .as_str()
                .map_or(0, |t| t.split_whitespace().count());
            if state == "completed" && (words as u64) < config.words {
                break format!("completed without its transcript ({words} words)");
            }
            break state;
        }
        if stopped.elapsed() > config.timeout {
            break format!("unfinished ({state})");
        }
    };
    let mut s = samples.lock().unwrap();
    if let Some(ms) = completed_at {
        s.completion.push(ms);
    }
    s.bots.push((id, final_status, email.to_owned()));
    Ok(())
}
