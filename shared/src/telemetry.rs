//! Logging: JSON lines in Lambda (`AWS_LAMBDA_LOG_FORMAT=JSON`), readable text elsewhere.
//! `RUST_LOG` (default `info`) filters; spans carry `bot_id` through every step.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false);
    // A second init (tests, or a binary calling it twice) keeps the first subscriber.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .without_time()
            .try_init()
    } else {
        builder.try_init()
    };
}
