//! The workload of each Rust function, `samples` cold starts of `PER_RUN` invocations each,
//! on bots that earlier workloads created: join makes them, status reads them, stop stops
//! them, report plays their exit, pipeline finishes them. And a lambda_http hello-world.

use super::cold_start::{cold_start, Run};
use super::events::{body_of, http_event, sqs_event, status_events, status_of, stop_events};
use super::report::Row;
use super::setup::Setup;
use super::PER_RUN;
use crate::local;
use serde_json::{json, Value};

/// Every run starts fresh bots; they feed the other functions' workloads. Returns the ids.
pub(super) async fn join(setup: &Setup, samples: usize) -> Result<(Row, Vec<String>), String> {
    let join_body = json!({
        "room_url": "https://bench.daily.co/room",
        "bot_config": {"bot_prompt": "Take notes", "name": "Bench", "standin": {"report": "never"}},
        "email": "bench@example.com",
        "webhook_callback_url": format!("http://{}/hooks/bench", local::receiver_addr()),
    });
    let mut bots: Vec<String> = Vec::new();
    let mut runs = Vec::new();
    for _ in 0..samples {
        let events = (0..PER_RUN * 2)
            .map(|_| {
                http_event(
                    "POST",
                    "/api/bot/join",
                    "/api/bot/join",
                    &[],
                    &setup.auth,
                    Some(&join_body),
                )
            })
            .collect();
        let run = cold_start(&setup.bin("join"), &setup.env, events).await?;
        for a in &run.answers {
            if status_of(a) != 200 {
                return Err(format!("join answered {a}"));
            }
            bots.push(body_of(a)["bot_id"].as_str().unwrap_or_default().to_owned());
        }
        runs.push(run);
    }
    Ok((row(setup, "join", runs), bots))
}

pub(super) async fn status(setup: &Setup, chunks: &[&[String]]) -> Result<Row, String> {
    let mut runs = Vec::new();
    for ids in chunks {
        let events = status_events(ids, &setup.auth);
        runs.push(cold_start(&setup.bin("status"), &setup.env, events).await?);
    }
    Ok(row(setup, "status", runs))
}

pub(super) async fn stop(setup: &Setup, chunks: &[&[String]]) -> Result<Row, String> {
    let mut runs = Vec::new();
    for ids in chunks {
        let events = stop_events(ids, &setup.auth);
        let run = cold_start(&setup.bin("stop"), &setup.env, events).await?;
        if run.answers.iter().any(|a| status_of(a) != 200) {
            return Err(format!("stop answered {:?}", run.answers));
        }
        runs.push(run);
    }
    Ok(row(setup, "stop", runs))
}

/// The demo's meeting (900 words) for each stopped bot, with the bot's own secret. Returns
/// each bot with its exit id.
pub(super) async fn report(
    setup: &Setup,
    chunks: &[&[String]],
) -> Result<(Row, Vec<(String, String)>), String> {
    let http = local::http();
    let transcript = crate::meeting::generate(900);
    let mut exits: Vec<(String, String)> = Vec::new();
    let mut runs = Vec::new();
    for ids in chunks {
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
        let run = cold_start(&setup.bin("report"), &setup.env, events).await?;
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
        runs.push(run);
    }
    Ok((row(setup, "report", runs), exits))
}

/// One bot_exited per invocation: load, analyse, finish, email, webhook.
pub(super) async fn pipeline(
    setup: &Setup,
    exits: &[(String, String)],
    samples: usize,
) -> Result<Row, String> {
    let mut runs = Vec::new();
    for group in exits.chunks(PER_RUN).take(samples) {
        let events = group
            .iter()
            .map(|(id, exit)| {
                sqs_event(&[
                    json!({"type": "bot_exited", "version": 1, "bot_id": id, "exit_id": exit})
                        .to_string(),
                ])
            })
            .collect();
        let run = cold_start(&setup.bin("pipeline"), &setup.env, events).await?;
        if run.answers.iter().any(|a| {
            a["batchItemFailures"]
                .as_array()
                .is_none_or(|f| !f.is_empty())
        }) {
            return Err(format!("pipeline reported failures: {:?}", run.answers));
        }
        runs.push(run);
    }
    Ok(row(setup, "pipeline", runs))
}

/// The floor: a lambda_http function that only answers.
pub(super) async fn hello_world(setup: &Setup, samples: usize) -> Result<Row, String> {
    let mut runs = Vec::new();
    for _ in 0..samples {
        let events = (0..PER_RUN)
            .map(|_| http_event("GET", "/", "/", &[], "", None))
            .collect();
        runs.push(cold_start(&setup.bin("hello-lambda"), &setup.env, events).await?);
    }
    Ok(Row {
        name: "hello-world lambda_http".into(),
        runs,
        zip: None,
    })
}

fn row(setup: &Setup, function: &str, runs: Vec<Run>) -> Row {
    Row {
        name: function.into(),
        runs,
        zip: setup.zip(function),
    }
}
