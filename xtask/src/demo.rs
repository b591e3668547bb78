//! `make demo`: one meeting end to end on the running local stack — join, in call, stop,
//! completed — printing each response, the final status, the email as SES received it, the
//! webhook as the receiver verified it, and how long each phase took.

use crate::local;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn show(title: &str, value: &Value) {
    println!(
        "\n=== {title}\n{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// The lifecycle as status tells it: each change, its reason, and when.
fn show_timeline(status: &Value) {
    println!("\n=== timeline (status_changes; each also sent as a status_change webhook)");
    let changes = status["status_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let at = |c: &Value| {
        c["at"]
            .as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    };
    let first = changes.first().and_then(at);
    for change in &changes {
        let offset = match (first, at(change)) {
            (Some(first), Some(at)) => format!("+{:>6} ms", (at - first).whole_milliseconds()),
            _ => String::new(),
        };
        let why = change["sub_code"].as_str().unwrap_or("");
        println!(
            "  {offset}  {:<16} {why}",
            change["code"].as_str().unwrap_or("?")
        );
    }
}

async fn call(req: reqwest::RequestBuilder) -> Result<(u16, Value, Duration), String> {
    let started = Instant::now();
    let response = req
        .send()
        .await
        .map_err(|e| format!("is the local stack up (make up)? {e}"))?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);

    Ok((status, body, started.elapsed()))
}

pub async fn run() -> Result<(), String> {
    let http = local::http();
    let api = local::api_url();
    let auth = local::bearer_for("demo").await?;

    // Without `standin.words`, the stand-in reports its written meeting, said once.
    let mut bot_config = json!({ "bot_prompt": "You are a friendly note-taker. Listen and take notes.", "name": "PailFlow Notetaker" });
    if let Ok(file) = std::env::var("DEMO_TRANSCRIPT") {
        bot_config["standin"] = json!({ "transcript_file": file });
    }
    let join_body = json!({
        "room_url": "https://pailflow.daily.co/weekly-launch-review",
        "bot_config": bot_config,
        "email": "team@example.com",
        "webhook_callback_url": format!("http://{}/hooks/demo", local::receiver_addr()),
        "webhook_events": ["session_complete", "bot_join_failed", "status_change"],
        "metadata": {"team": "product", "meeting": "launch-review"},
    });
    let (status, joined, join_time) = call(
        http.post(format!("{api}/api/bot/join"))
            .header("authorization", &auth)
            .json(&join_body),
    )
    .await?;
    show(
        &format!(
            "POST /api/bot/join -> {status} ({} ms)",
            join_time.as_millis()
        ),
        &joined,
    );
    let bot_id = joined["bot_id"]
        .as_str()
        .ok_or("join did not return a bot_id")?
        .to_owned();
    let status_url = format!("{api}/api/bot/{bot_id}/status");

    let (code, running, _) = call(http.get(&status_url).header("authorization", &auth)).await?;
    show(&format!("GET /api/bot/{bot_id}/status -> {code}"), &running);

    println!("\n... the bot is in the call; stopping it in 2 seconds");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (code, stopped, stop_time) = call(
        http.post(format!("{api}/v1/bots/leave/{bot_id}"))
            .header("authorization", &auth),
    )
    .await?;
    show(
        &format!(
            "POST /v1/bots/leave/{bot_id} -> {code} ({} ms)",
            stop_time.as_millis()
        ),
        &stopped,
    );
    let stop_sent = Instant::now();

    let (_, leaving, _) = call(http.get(&status_url).header("authorization", &auth)).await?;
    show(
        "status right after the stop",
        &json!({ "status": leaving["status"], "phase": leaving["phase"], "leave_requested_at": leaving["leave_requested_at"] }),
    );

    let mut last_phase = String::new();
    let final_status = loop {
        let (_, body, _) = call(http.get(&status_url).header("authorization", &auth)).await?;
        let phase = body["phase"].as_str().unwrap_or("").to_owned();
        if phase != last_phase {
            println!(
                "  {:>6} ms after stop: phase {phase}",
                stop_sent.elapsed().as_millis()
            );
            last_phase = phase.clone();
        }
        let deliveries_done = ["email", "webhook"].iter().all(|d| {
            let state = body["deliveries"][d]["state"].as_str();
            state.is_none() || matches!(state, Some("delivered") | Some("failed"))
        });
        if matches!(phase.as_str(), "completed" | "failed") && deliveries_done {
            break body;
        }
        if stop_sent.elapsed() > Duration::from_secs(120) {
            return Err(format!(
                "the meeting did not finish within 2 minutes (phase {phase}); see .local/logs/"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let mut shown = final_status.clone();
    if let Some(t) = final_status["transcript"].as_str() {
        let excerpt: String = t.lines().take(8).collect::<Vec<_>>().join("\n");
        shown["transcript"] = json!(format!("{excerpt}\n… ({} lines in all)", t.lines().count()));
    }
    if let Some(events) = final_status["deliveries"]["status_changes"].as_array() {
        let delivered = events.iter().filter(|d| d["state"] == "delivered").count();
        shown["deliveries"]["status_changes"] = json!(format!(
            "{} status_change events, {delivered} delivered",
            events.len()
        ));
    }
    show("final status", &shown);
    show_timeline(&final_status);
    show_score(&final_status["insights"]);

    println!("\n=== the email as sent (make emails; make email-preview renders it)");
    let email = std::process::Command::new("python3")
        .args(["scripts/emails.py", "--bot", &bot_id, "--last", "1"])
        .args(["--html", ".local/email-preview/demo.html"])
        .output()
        .map_err(|e| format!("python3 scripts/emails.py: {e}"))?;
    print!("{}", String::from_utf8_lossy(&email.stdout));

    let events: Value = http
        .get(format!(
            "http://{}/events?bot_id={bot_id}",
            local::receiver_addr()
        ))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    for e in events.as_array().into_iter().flatten() {
        let verified = if e["verified"] == json!(true) {
            "verified"
        } else {
            "INVALID"
        };
        if e["event"]["event"] == "status_change" {
            println!(
                "\n=== webhook received: status_change {} {} — signature {verified}",
                e["event"]["code"].as_str().unwrap_or("?"),
                e["event"]["sub_code"].as_str().unwrap_or("")
            );
            continue;
        }
        let mut event = e["event"].clone();
        if let Some(t) = event["transcript_text"].as_str() {
            event["transcript_text"] =
                json!(format!("{}…", t.chars().take(160).collect::<String>()));
        }
        println!(
            "\n=== webhook received: webhook-id {} attempt {} — signature {}",
            e["webhook_id"].as_str().unwrap_or(""),
            e["attempt"],
            verified
        );
        println!(
            "{}",
            serde_json::to_string_pretty(&event).unwrap_or_default()
        );
    }

    let at = |v: &Value| {
        v.as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    };
    let span = |a: Option<OffsetDateTime>, b: Option<OffsetDateTime>| match (a, b) {
        (Some(a), Some(b)) => format!("{:>7} ms", (b - a).whole_milliseconds()),
        _ => "      -".into(),
    };
    let f = &final_status;
    let ended = at(&f["ended_at"]);
    println!("\n=== phases");
    println!(
        "  join request (API round trip)        {:>7} ms",
        join_time.as_millis()
    );
    println!(
        "  joining -> in_call                   {}",
        span(at(&f["created_at"]), at(&f["started_at"]))
    );
    println!(
        "  stop request (API round trip)        {:>7} ms",
        stop_time.as_millis()
    );
    println!(
        "  leave requested -> bot reported exit {}",
        span(at(&f["leave_requested_at"]), ended)
    );
    println!(
        "  exit reported -> completed           {}",
        span(ended, at(&f["completed_at"]))
    );
    println!(
        "  completed -> email sent              {}",
        span(
            at(&f["completed_at"]),
            at(&f["deliveries"]["email"]["sent_at"])
        )
    );
    println!(
        "  completed -> webhook delivered       {}",
        span(
            at(&f["completed_at"]),
            at(&f["deliveries"]["webhook"]["delivered_at"])
        )
    );
    println!(
        "  stop -> everything delivered         {:>7} ms",
        stop_sent.elapsed().as_millis()
    );
    // The key this run used is not printed (no secret on the terminal or in CI logs).
    println!("\n=== console: this meeting's timeline, charts, transcript and deliveries");
    println!("  {api}/console#/bot/{bot_id}");
    println!("  sign in with a key of the demo account: make api-key ACCOUNT=demo");
    Ok(())
}

/// The meeting score with its reasons, as the email shows them.
fn show_score(insights: &Value) {
    let Some(score) = insights["overall_score"].as_f64() else {
        return;
    };
    println!("\n=== meeting score: {score:.1} / 10");
    for (title, key, mark) in [
        ("what went well", "strengths", '+'),
        ("what to improve", "weaknesses", '-'),
    ] {
        let points = insights[key].as_array().cloned().unwrap_or_default();
        if !points.is_empty() {
            println!("  {title}");
        }
        for p in points {
            println!("    {mark} {}", p.as_str().unwrap_or_default());
        }
    }
}

/// `make bench`, last row: one 1-hour meeting (10,000 words) through the local stack, the
/// time of each step from the stop to the last delivery. Internal pipeline timings come from
/// the pipeline's own log line for the bot.
pub async fn one_hour_meeting(log: &std::path::Path) -> Result<String, String> {
    let http = local::http();
    let api = local::api_url();
    let auth = local::bearer_for("bench").await?;
    let body = json!({
        "room_url": "https://bench.daily.co/one-hour",
        "bot_config": {"bot_prompt": "Take notes", "standin": {"words": 10_000}},
        "email": "bench@example.com",
        "webhook_callback_url": format!("http://{}/hooks/bench", local::receiver_addr()),
    });
    let (_, joined, _) = call(
        http.post(format!("{api}/api/bot/join"))
            .header("authorization", &auth)
            .json(&body),
    )
    .await?;
    let id = joined["bot_id"].as_str().ok_or("join failed")?.to_owned();
    let status_url = format!("{api}/api/bot/{id}/status");
    let t0 = Instant::now();
    let (_, _, stop_rtt) = call(
        http.post(format!("{api}/v1/bots/leave/{id}"))
            .header("authorization", &auth),
    )
    .await?;
    let mut seen: Vec<(String, Duration)> = Vec::new();
    let last = loop {
        let (_, s, _) = call(http.get(&status_url).header("authorization", &auth)).await?;
        let phase = s["phase"].as_str().unwrap_or("").to_owned();
        if seen.last().is_none_or(|(p, _)| *p != phase) {
            seen.push((phase.clone(), t0.elapsed()));
        }
        let settled = |d: &str| {
            matches!(
                s["deliveries"][d]["state"].as_str(),
                Some("delivered" | "failed")
            )
        };
        if phase == "completed" && settled("email") && settled("webhook") {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(120) {
            return Err(format!("the meeting did not finish: {s}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let at = |v: &Value| {
        v.as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    };
    let ms = |a: Option<OffsetDateTime>, b: Option<OffsetDateTime>| match (a, b) {
        (Some(a), Some(b)) => format!("{} ms", (b - a).whole_milliseconds()),
        _ => "-".into(),
    };
    let completed = at(&last["completed_at"]);
    let mut out = format!("One 1-hour meeting ({} words of transcript) through the local stack:\n\n| step | time |\n|---|---|\n", last["transcript"].as_str().map(|t| t.split_whitespace().count()).unwrap_or(0));
    out.push_str(&format!(
        "| stop request, API round trip | {} ms |\n",
        stop_rtt.as_millis()
    ));
    for (phase, when) in &seen {
        out.push_str(&format!(
            "| stop -> phase `{phase}` observed | {} ms |\n",
            when.as_millis()
        ));
    }
    out.push_str(&format!(
        "| completed -> email sent | {} |\n",
        ms(completed, at(&last["deliveries"]["email"]["sent_at"]))
    ));
    out.push_str(&format!(
        "| completed -> webhook delivered | {} |\n",
        ms(
            completed,
            at(&last["deliveries"]["webhook"]["delivered_at"])
        )
    ));
    if let Ok(text) = std::fs::read_to_string(log) {
        for line in text.lines().filter(|l| {
            l.contains(&id) && (l.contains("session completed") || l.contains("step done"))
        }) {
            let fields: Vec<&str> = line
                .split_whitespace()
                .filter(|w| {
                    w.contains("_ms=") || w.starts_with("kind=") || w.starts_with("step{kind=")
                })
                .collect();
            out.push_str(&format!("| pipeline log | {} |\n", fields.join(" ")));
        }
    }
    Ok(out)
}
