//! Logging: JSON lines in Lambda (`AWS_LAMBDA_LOG_FORMAT=JSON`), readable text elsewhere.
//! `RUST_LOG` (default `info`) filters: a level, optionally with per-target levels such as
//! `info,aws_smithy_runtime=debug`. Spans carry `bot_id` through every step.

use crate::settings::LogSettings;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// The filter `RUST_LOG` describes; an unreadable value falls back to `info`.
pub fn filter(rust_log: Option<&str>) -> Targets {
    rust_log
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

/// Installs the function's logger; call once, first thing at init.
pub fn init(settings: &LogSettings) {
    let filter = filter(settings.filter.as_deref());
    let json = settings.json;
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(false);
    // A second init (tests, or a binary calling it twice) keeps the first subscriber.
    let _ = if json {
        tracing_subscriber::registry()
            .with(
                fmt.json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .without_time()
                    .with_filter(filter),
            )
            .try_init()
    } else {
        tracing_subscriber::registry()
            .with(fmt.with_filter(filter))
            .try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_sets_the_level_and_per_target_levels() {
        let f = filter(Some("warn"));
        assert!(f.would_enable("shared", &Level::WARN));
        assert!(!f.would_enable("shared", &Level::INFO));
        let f = filter(Some("info,aws_smithy_runtime=debug"));
        assert!(f.would_enable("aws_smithy_runtime::client", &Level::DEBUG));
        assert!(!f.would_enable("shared", &Level::DEBUG));
    }

    #[test]
    fn missing_or_unreadable_rust_log_means_info() {
        for value in [None, Some(""), Some("=?=")] {
            let f = filter(value);
            assert!(f.would_enable("shared", &Level::INFO), "{value:?}");
            assert!(!f.would_enable("shared", &Level::DEBUG), "{value:?}");
        }
    }
}
