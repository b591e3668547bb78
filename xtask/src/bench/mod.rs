//! `make bench`, cold start and memory: each function's release binary is started under a
//! local Lambda Runtime API stub, which records the time from exec to the binary's first
//! `GET /runtime/invocation/next` (init) and to its first answered invocation, then feeds it
//! the rest of a workload against the local stack (emulator, stand-in bot) and reads its peak
//! RSS. The same stub runs a Python 3.11 + boto3 handler doing the same table and queue calls
//! (under awslambdaric, AWS's runtime client) and a lambda_http hello-world.

mod ca_store;
mod cold_start;
mod events;
mod functions;
mod init;
mod others;
mod python;
mod report;
mod setup;

pub use crate::runtime_api::Target;
pub use cold_start::{cold_start, Run};
pub use events::{http_event, sqs_event};
pub use report::median;

/// Invocations per cold start (join makes twice as many bots: half for the Python handler).
const PER_RUN: usize = 5;

/// Starts of each binary for the init-alone comparison.
const INIT_STARTS: usize = 30;

/// Runs every target `samples` times and returns the markdown table with the comparisons.
pub async fn run(samples: usize) -> Result<String, String> {
    let setup = setup::Setup::connect().await?;
    let mut rust_rows = Vec::new();

    let (join, bots) = functions::join(&setup, samples).await?;
    rust_rows.push(join);
    let (rust_bots, python_bots) = bots.split_at(bots.len() / 2);
    let chunks: Vec<&[String]> = rust_bots.chunks(PER_RUN).take(samples).collect();
    let python_chunks: Vec<&[String]> = python_bots.chunks(PER_RUN).take(samples).collect();

    // In this order: status reads running bots, stop stops them, report plays their exit
    // and pipeline finishes them.
    rust_rows.push(functions::status(&setup, &chunks).await?);
    let python_status = python::status(&setup, &python_chunks).await?;
    rust_rows.push(functions::stop(&setup, &chunks).await?);
    let python_stop = python::stop(&setup, &python_chunks).await?;
    let (report_row, exits) = functions::report(&setup, &chunks).await?;
    rust_rows.push(report_row);
    rust_rows.push(functions::pipeline(&setup, &exits, samples).await?);
    // The pipeline finished the bots of `chunks`: the other functions read (and delete) them.
    rust_rows.extend(others::rows(&setup, &chunks, samples).await?);
    let hello = functions::hello_world(&setup, samples).await?;
    let ca_stores = ca_store::rows(&setup, &chunks).await?;
    let init = init::rows(&setup, INIT_STARTS).await?;

    let rows = report::Rows {
        functions: rust_rows,
        python_status,
        python_stop,
        hello,
        ca_stores,
        init,
        init_starts: INIT_STARTS,
    };
    Ok(report::table(samples, &rows))
}
