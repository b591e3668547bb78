//! `cargo run -p xtask -- <command>`; `--help` lists the commands (`xtask::cli`). The
//! Makefile and `scripts/` wrap them.

use clap::Parser;
use xtask::cli::Cli;

#[tokio::main]
async fn main() {
    if let Err(e) = Cli::parse().run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
