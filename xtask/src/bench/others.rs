//! Init of every other function: each is started `samples` times and answers one realistic
//! request per invocation, on the bots the pipeline finished (their transcript, insights and
//! deliveries exist). Delete runs last: it erases what the others read.

use super::cold_start::cold_start;
use super::events::{http_event, status_of};
use super::report::Row;
use super::setup::Setup;
use super::PER_RUN;
use crate::local;
use serde_json::{json, Value};

/// A route of the function and the request it gets for one bot.
struct Workload {
    function: &'static str,
    /// Invocations per cold start (ping: one, under its 10 test events a minute).
    per_run: usize,
    event: fn(&Setup, &str) -> Value,
    /// The answers that count as served (endpoint: 404 while the account has none).
    expect: &'static [u64],
}

fn bot_get(setup: &Setup, id: &str, tail: &str) -> Value {
    http_event(
        "GET",
        &format!("/api/bot/{id}/{tail}"),
        &format!("/api/bot/{{bot_id}}/{tail}"),
        &[("bot_id", id)],
        &setup.auth,
        None,
    )
}

const OK: &[u64] = &[200, 202];

const WORKLOADS: &[Workload] = &[
    Workload {
        function: "export",
        per_run: PER_RUN,
        event: |s, id| bot_get(s, id, "transcript"),
        expect: OK,
    },
    Workload {
        function: "analysis",
        per_run: PER_RUN,
        event: |s, id| bot_get(s, id, "insights"),
        expect: OK,
    },
    Workload {
        function: "deliveries",
        per_run: PER_RUN,
        event: |s, id| bot_get(s, id, "deliveries"),
        expect: OK,
    },
    Workload {
        function: "list",
        per_run: PER_RUN,
        event: |s, _| http_event("GET", "/api/bots", "/api/bots", &[], &s.auth, None),
        expect: OK,
    },
    Workload {
        function: "keys",
        per_run: PER_RUN,
        event: |s, _| http_event("GET", "/api/keys", "/api/keys", &[], &s.auth, None),
        expect: OK,
    },
    Workload {
        function: "endpoint",
        per_run: PER_RUN,
        event: |s, _| {
            let path = "/api/webhook-endpoint";
            http_event("GET", path, path, &[], &s.auth, None)
        },
        expect: &[200, 404],
    },
    Workload {
        function: "ping",
        per_run: 1,
        event: |s, _| {
            let body = json!({"url": format!("http://{}/hooks/bench", local::receiver_addr())});
            let path = "/api/webhooks/test";
            http_event("POST", path, path, &[], &s.auth, Some(&body))
        },
        expect: OK,
    },
    Workload {
        function: "console",
        per_run: PER_RUN,
        event: |_, _| http_event("GET", "/console", "/console", &[], "", None),
        expect: OK,
    },
    Workload {
        function: "delete",
        per_run: PER_RUN,
        event: |s, id| {
            let path = format!("/api/bot/{id}/data");
            let params = [("bot_id", id)];
            http_event(
                "DELETE",
                &path,
                "/api/bot/{bot_id}/data",
                &params,
                &s.auth,
                None,
            )
        },
        expect: OK,
    },
];

/// One row per function, in `WORKLOADS`' order. `bots` are finished bots, `PER_RUN` per run.
pub(super) async fn rows(
    setup: &Setup,
    bots: &[&[String]],
    samples: usize,
) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for workload in WORKLOADS {
        let mut runs = Vec::new();
        for ids in bots.iter().take(samples) {
            let events = ids
                .iter()
                .take(workload.per_run)
                .map(|id| (workload.event)(setup, id))
                .collect();
            let run = cold_start(&setup.bin(workload.function), &setup.env, events).await?;
            if let Some(a) = run
                .answers
                .iter()
                .find(|a| !workload.expect.contains(&status_of(a)))
            {
                return Err(format!("{} answered {a}", workload.function));
            }
            runs.push(run);
        }
        rows.push(Row {
            name: workload.function.into(),
            runs,
            zip: setup.zip(workload.function),
        });
    }
    Ok(rows)
}
