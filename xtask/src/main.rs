//! `cargo run -p xtask -- <command>`; `--help` lists the commands (`xtask::cli`). The
//! Makefile and `scripts/` wrap them.

use clap::Parser;
use xtask::cli::Cli;

#[tokio::main]
async fn main() {
    // TLS for every client the tools build, before any is (`local::http_builder`).
    adapters::install_crypto_provider();
    if let Err(e) = Cli::parse().run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
