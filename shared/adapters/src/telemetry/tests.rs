use super::*;
use app::metrics::{record, Metric};
use domain::timeline::SubCode;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};
use time::format_description::well_known::Rfc3339;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Every line, each of which must be one JSON object.
    fn json_lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

fn settings(json: bool, rust_log: Option<&str>, lambda_level: Option<&str>) -> LogSettings {
    LogSettings {
        filter: rust_log.map(str::to_owned),
        lambda_level: lambda_level.map(str::to_owned),
        json,
        metrics_namespace: "PailFlow/test".into(),
        xray_daemon: None,
    }
}

/// Runs `f` under the function's subscriber writing to a buffer; returns the buffer.
fn capture(settings: &LogSettings, f: impl FnOnce()) -> Captured {
    let out = Captured::default();
    let writer = out.clone();
    tracing::subscriber::with_default(subscriber(settings, move || writer.clone()), f);
    out
}

/// What `lambda_runtime` opens around each invocation.
fn invocation(request_id: &str) -> tracing::Span {
    tracing::info_span!(
        "Lambda runtime invoke",
        requestId = request_id,
        xrayTraceId = "Root=1-00000000-000000000000000000000001"
    )
}

#[test]
fn every_json_line_has_request_id_bot_id_and_cold_start_at_the_top_level() {
    let out = capture(&settings(true, None, None), || {
        tracing::info!("initialised");
        invocation("lambda-1").in_scope(|| {
            let span = tracing::info_span!(
                "stop",
                request_id = "apigw-1",
                bot_id = tracing::field::Empty
            );
            span.in_scope(|| {
                tracing::info!("authenticated");
                tracing::Span::current().record("bot_id", "6a0c0000-0000-4000-8000-000000000001");
                tracing::warn!(attempt = 2, "leave requested");
            });
        });
        invocation("lambda-2").in_scope(|| {
            tracing::info_span!("step", kind = "bot_exited", bot_id = "b-2")
                .in_scope(|| tracing::info!(elapsed_ms = 5u64, "step done"));
        });
    });
    let lines = out.json_lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    for line in &lines {
        for key in [
            "timestamp",
            "level",
            "message",
            "request_id",
            "bot_id",
            "cold_start",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        assert!(
            line.get("span").is_none() && line.get("spans").is_none(),
            "{line}"
        );
    }
    // Initialisation belongs to the cold start and to no request.
    assert_eq!(lines[0]["message"], "initialised");
    assert_eq!(lines[0]["request_id"], Value::Null);
    assert_eq!(lines[0]["cold_start"], true);
    // API Gateway's request id wins over Lambda's; the bot id appears once recorded.
    assert_eq!(lines[1]["request_id"], "apigw-1");
    assert_eq!(lines[1]["bot_id"], Value::Null);
    assert_eq!(lines[1]["lambda_request_id"], "lambda-1");
    assert_eq!(
        lines[1]["xray_trace_id"],
        "Root=1-00000000-000000000000000000000001"
    );
    assert_eq!(lines[1]["cold_start"], true);
    assert_eq!(lines[2]["bot_id"], "6a0c0000-0000-4000-8000-000000000001");
    assert_eq!(lines[2]["level"], "WARN");
    assert_eq!(lines[2]["attempt"], 2);
    // A pipeline invocation has Lambda's request id alone; the second is warm.
    assert_eq!(lines[3]["request_id"], "lambda-2");
    assert_eq!(lines[3]["bot_id"], "b-2");
    assert_eq!(lines[3]["kind"], "bot_exited");
    assert_eq!(lines[3]["cold_start"], false);
    let time = lines[3]["timestamp"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(time, &Rfc3339).is_ok(),
        "{time}"
    );
}

#[test]
fn a_metric_is_an_embedded_metric_format_line_without_ids_as_dimensions() {
    let out = capture(&settings(true, None, None), || {
        invocation("lambda-1").in_scope(|| {
            tracing::info_span!("step", bot_id = "b-1").in_scope(|| {
                record(Metric::SessionFailed(SubCode::ExitDeadlineExceeded));
                record(Metric::EmailSent);
            });
        });
    });
    let lines = out.json_lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let failed = &lines[0];
    let aws = &failed["_aws"];
    assert!(aws["Timestamp"].as_i64().unwrap() > 1_700_000_000_000);
    let directive = &aws["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "PailFlow/test");
    assert_eq!(directive["Dimensions"], serde_json::json!([[], ["Reason"]]));
    assert_eq!(
        directive["Metrics"],
        serde_json::json!([{ "Name": "SessionsFailed", "Unit": "Count" }])
    );
    assert_eq!(failed["SessionsFailed"], 1);
    assert_eq!(failed["Reason"], "exit_deadline_exceeded");
    // The ids are properties (searchable), not dimensions (one metric per bot).
    assert_eq!(failed["bot_id"], "b-1");
    assert_eq!(failed["request_id"], "lambda-1");
    let sent = &lines[1]["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(sent["Dimensions"], serde_json::json!([[]]));
    assert_eq!(lines[1]["EmailsSent"], 1);
}

#[test]
fn metrics_are_written_at_any_level_and_in_text_mode() {
    let out = capture(&settings(true, Some("error"), None), || {
        tracing::warn!("dropped");
        record(Metric::WebhookGivenUp);
    });
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["WebhooksGivenUp"], 1);

    let out = capture(&settings(false, None, None), || {
        tracing::info!("a readable line");
        record(Metric::EmailRejected);
    });
    let text = out.text();
    let emf: Vec<&str> = text.lines().filter(|l| l.contains("\"_aws\"")).collect();
    assert_eq!(emf.len(), 1, "{text}");
    let line: Value = serde_json::from_str(emf[0]).unwrap();
    assert_eq!(line["EmailsRejected"], 1);
    assert!(text.contains("a readable line"), "{text}");
    assert!(
        !text.contains("pailflow::metric"),
        "metric events are not logged: {text}"
    );
}

#[test]
fn aws_lambda_log_level_sets_the_level_and_metric_lines_stay_above_it() {
    let out = capture(&settings(true, Some("debug"), Some("WARN")), || {
        tracing::info!("below the level");
        tracing::warn!("at the level");
        record(Metric::SessionCompleted);
    });
    let lines = out.json_lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["message"], "at the level");
    // Lambda drops lines below its level: the metric line must not be one.
    assert_eq!(lines[1]["SessionsCompleted"], 1);
    assert_eq!(lines[1]["level"], "WARN");
}

#[test]
fn rust_log_sets_the_level_and_per_target_levels() {
    let f = filter(Some("warn"), None);
    assert!(f.would_enable("shared", &Level::WARN));
    assert!(!f.would_enable("shared", &Level::INFO));
    let f = filter(Some("info,aws_smithy_runtime=debug"), None);
    assert!(f.would_enable("aws_smithy_runtime::client", &Level::DEBUG));
    assert!(!f.would_enable("shared", &Level::DEBUG));
}

#[test]
fn lambda_log_level_replaces_the_default_level_and_keeps_per_target_levels() {
    let f = filter(Some("info,aws_smithy_runtime=debug"), Some("ERROR"));
    assert!(!f.would_enable("shared", &Level::WARN));
    assert!(f.would_enable("shared", &Level::ERROR));
    assert!(f.would_enable("aws_smithy_runtime::client", &Level::DEBUG));
    let f = filter(None, Some("debug"));
    assert!(f.would_enable("shared", &Level::DEBUG));
    assert!(!f.would_enable("shared", &Level::TRACE));
    let f = filter(None, Some("FATAL"));
    assert!(f.would_enable("shared", &Level::ERROR));
    assert!(!f.would_enable("shared", &Level::WARN));
    let f = filter(Some("warn"), Some("LOUD"));
    assert!(
        !f.would_enable("shared", &Level::INFO),
        "an unknown level is ignored"
    );
    assert_eq!(metric_level(None), "INFO");
    assert_eq!(metric_level(Some("DEBUG")), "INFO");
    assert_eq!(metric_level(Some("FATAL")), "FATAL");
}

#[test]
fn missing_or_unreadable_rust_log_means_info() {
    for value in [None, Some(""), Some("=?=")] {
        let f = filter(value, None);
        assert!(f.would_enable("shared", &Level::INFO), "{value:?}");
        assert!(!f.would_enable("shared", &Level::DEBUG), "{value:?}");
    }
}

#[test]
fn no_secret_reaches_a_log_line() {
    let key = "sk_live_do_not_print_0123456789";
    let config = crate::pipecat::PipecatConfig {
        api_url: "https://api.pipecat.daily.co/v1".into(),
        agent_name: "meeting-bot".into(),
        public_key: None,
        private_key: Some(crate::secrets::LazySecret::known(domain::Secret::new(key))),
    };
    let webhook = domain::WebhookSecret::generate();
    for json in [true, false] {
        let out = capture(&settings(json, Some("trace"), None), || {
            tracing::info!(?config, "settings read");
            tracing::info!(secret = ?webhook, "signing");
            tracing::error!(error = %crate::secrets::SecretError::Empty("pailflow/prod/pipecat".into()), "init failed");
        });
        let text = out.text();
        assert!(
            text.contains("settings read") && text.contains("***"),
            "{text}"
        );
        assert!(!text.contains(key), "{text}");
        assert!(!text.contains(webhook.expose()), "{text}");
    }
}
