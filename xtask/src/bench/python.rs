//! The comparison: a Python 3.11 + boto3 handler (`xtask/bench/python_handler.py`, under
//! awslambdaric, AWS's runtime client) doing the same table and queue calls as status and stop.

use super::cold_start::cold_start;
use super::events::{status_events, status_of, stop_events};
use super::report::Row;
use super::setup::Setup;
use crate::runtime_api::Target;

fn target(setup: &Setup, handler: &str) -> Target {
    Target {
        name: format!("python-{handler}"),
        program: "python3".into(),
        args: vec![
            "-m".into(),
            "awslambdaric".into(),
            format!("python_handler.{handler}"),
        ],
        dir: Some(setup.root.join("xtask/bench")),
    }
}

pub(super) async fn status(setup: &Setup, chunks: &[&[String]]) -> Result<Row, String> {
    let mut runs = Vec::new();
    for ids in chunks {
        let events = status_events(ids, &setup.auth);
        runs.push(cold_start(&target(setup, "status"), &setup.env, events).await?);
    }
    Ok(Row {
        name: "python-status (boto3)".into(),
        runs,
        zip: None,
    })
}

pub(super) async fn stop(setup: &Setup, chunks: &[&[String]]) -> Result<Row, String> {
    let mut runs = Vec::new();
    for ids in chunks {
        let events = stop_events(ids, &setup.auth);
        let run = cold_start(&target(setup, "stop"), &setup.env, events).await?;
        if run.answers.iter().any(|a| status_of(a) != 200) {
            return Err(format!("python stop answered {:?}", run.answers));
        }
        runs.push(run);
    }
    Ok(Row {
        name: "python-stop (boto3)".into(),
        runs,
        zip: None,
    })
}
