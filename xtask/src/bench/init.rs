//! Init alone, measured many times: a few milliseconds per start on a shared machine vary
//! by a millisecond from one start to the next, so the comparison with hello-world is made
//! on `starts` starts of each binary (exec to its first `GET /runtime/invocation/next`; the
//! process is stopped there), not on the workload's few.

use super::cold_start::init_ms;
use super::report::median;
use super::setup::Setup;
use crate::runtime_api::Target;

/// Every function the template deploys, in the table's order.
pub(super) const FUNCTIONS: &[&str] = &[
    "join",
    "status",
    "stop",
    "report",
    "pipeline",
    "export",
    "analysis",
    "deliveries",
    "list",
    "keys",
    "endpoint",
    "ping",
    "console",
    "delete",
];

/// One binary's init over its starts.
pub(super) struct InitRow {
    pub name: String,
    pub median_ms: f64,
    pub p90_ms: f64,
}

/// hello-world first, then every function. Starts alternate between binaries, round by
/// round, so a slow moment of the machine does not land on one binary only.
pub(super) async fn rows(setup: &Setup, starts: usize) -> Result<Vec<InitRow>, String> {
    let targets: Vec<Target> = std::iter::once("hello-lambda")
        .chain(FUNCTIONS.iter().copied())
        .map(|name| setup.bin(name))
        .collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(starts); targets.len()];
    for _ in 0..starts {
        for (target, samples) in targets.iter().zip(&mut times) {
            samples.push(init_ms(target, &setup.env).await?);
        }
    }
    Ok(targets
        .iter()
        .zip(times)
        .map(|(target, mut samples)| {
            samples.sort_by(f64::total_cmp);
            InitRow {
                name: target.name.clone(),
                median_ms: median(&mut samples),
                p90_ms: samples[(samples.len() * 9 / 10).min(samples.len() - 1)],
            }
        })
        .collect())
}
