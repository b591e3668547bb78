//! Logs and metrics, written to stdout, where Lambda hands them to CloudWatch Logs.
//!
//! - Logs: JSON lines in Lambda (`AWS_LAMBDA_LOG_FORMAT=JSON`), each with `timestamp`,
//!   `level`, `message`, `request_id`, `bot_id` and `cold_start` at the top level
//!   ([`lines`]); readable text elsewhere.
//! - Level: `RUST_LOG` (default `info`): a level, optionally with per-target levels such as
//!   `info,aws_smithy_runtime=debug`. `AWS_LAMBDA_LOG_LEVEL` (Lambda's own log-level
//!   setting, which Lambda also filters on) replaces the default level when it is set.
//! - Metrics ([`app::metrics`]): one CloudWatch Embedded Metric Format line each, at any
//!   level, in the namespace `METRICS_NAMESPACE`.

mod lines;

pub use lines::{Lines, INVOCATION_SPAN};

use crate::settings::LogSettings;
use app::metrics::TARGET as METRIC_TARGET;
use tracing::{Level, Subscriber};
use tracing_subscriber::filter::{filter_fn, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// The filter `RUST_LOG` describes, with `AWS_LAMBDA_LOG_LEVEL`'s level as the default
/// when it is set. An unreadable `RUST_LOG` falls back to `info`; an unknown Lambda level
/// is ignored (Lambda accepts only its six).
pub fn filter(rust_log: Option<&str>, lambda_level: Option<&str>) -> Targets {
    let targets = rust_log
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    match lambda_level.and_then(lambda_level_filter) {
        Some(level) => targets.with_default(level),
        None => targets,
    }
}

/// Lambda's levels: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL` (as `ERROR`: tracing
/// has nothing above it).
fn lambda_level_filter(level: &str) -> Option<LevelFilter> {
    Some(match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "INFO" => LevelFilter::INFO,
        "WARN" => LevelFilter::WARN,
        "ERROR" | "FATAL" => LevelFilter::ERROR,
        _ => return None,
    })
}

/// The `level` of metric lines: `INFO`, or Lambda's own level when that is higher, so
/// Lambda's log-level filter never drops a metric.
pub fn metric_level(lambda_level: Option<&str>) -> &'static str {
    match lambda_level
        .map(|l| l.trim().to_ascii_uppercase())
        .as_deref()
    {
        Some("WARN") => "WARN",
        Some("ERROR") => "ERROR",
        Some("FATAL") => "FATAL",
        _ => "INFO",
    }
}

/// The function's subscriber, writing to `writer`: [`init`]'s, and the tests'.
pub fn subscriber<W>(settings: &LogSettings, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Clone + Send + Sync + 'static,
{
    let lambda_level = settings.lambda_level.as_deref();
    let targets = filter(settings.filter.as_deref(), lambda_level);
    let gate = targets.clone();
    // Spans at `info` and above are always kept, whatever the level: they carry the ids
    // every line needs. Metrics pass at any level.
    let global = filter_fn(move |meta| {
        meta.target() == METRIC_TARGET
            || (meta.is_span() && *meta.level() <= Level::INFO)
            || gate.would_enable(meta.target(), meta.level())
    });
    let lines = Lines::new(
        writer.clone(),
        settings.json.then(|| targets.clone()),
        &settings.metrics_namespace,
        metric_level(lambda_level),
    );
    let text = (!settings.json).then(|| {
        tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(false)
            .with_writer(writer)
            .with_filter(filter_fn(move |meta| {
                meta.target() != METRIC_TARGET
                    && (meta.is_span() || targets.would_enable(meta.target(), meta.level()))
            }))
    });
    tracing_subscriber::registry()
        .with(global)
        .with(lines)
        .with(text)
}

/// Installs the function's logger; call once, first thing at init.
pub fn init(settings: &LogSettings) {
    // A second init (tests, or a binary calling it twice) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(settings, std::io::stdout));
    if let Some(daemon) = &settings.xray_daemon {
        crate::xray::send_to(daemon);
    }
}

#[cfg(test)]
mod tests;
