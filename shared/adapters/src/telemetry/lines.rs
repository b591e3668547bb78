//! The lines a function writes to stdout, one JSON object each: log lines (in Lambda) and
//! metric lines in CloudWatch's Embedded Metric Format (always).
//!
//! Every line has `request_id`, `bot_id` and `cold_start` at the top level, taken from the
//! spans it happened in (the handler's span holds API Gateway's request id and the bot id;
//! the Lambda runtime's span per invocation holds Lambda's request id and the X-Ray trace
//! id), so a Logs Insights query or a metric filter never has to look inside a span.

use app::metrics::TARGET as METRIC_TARGET;
use serde_json::{json, Map, Value};
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The span the Lambda runtime opens around each invocation
/// (`lambda_runtime::layers::trace`), with `requestId` and `xrayTraceId`.
pub const INVOCATION_SPAN: &str = "Lambda runtime invoke";

/// The runtime span's field names, and ours.
const RENAMED: &[(&str, &str)] = &[
    ("requestId", "lambda_request_id"),
    ("xrayTraceId", "xray_trace_id"),
    ("tenantId", "tenant_id"),
];

pub struct Lines<W> {
    writer: W,
    /// `Some`: log events are written as JSON lines when this filter enables them. `None`:
    /// another layer writes the logs (readable text, outside Lambda).
    json_logs: Option<Targets>,
    namespace: String,
    /// The `level` metric lines carry. Lambda drops lines below its own log level
    /// (`AWS_LAMBDA_LOG_LEVEL`), and a metric must reach CloudWatch whatever it is.
    metric_level: &'static str,
    invocations: AtomicU64,
}

impl<W> Lines<W> {
    pub fn new(
        writer: W,
        json_logs: Option<Targets>,
        namespace: &str,
        metric_level: &'static str,
    ) -> Self {
        Self {
            writer,
            json_logs,
            namespace: namespace.to_owned(),
            metric_level,
            invocations: AtomicU64::new(0),
        }
    }
}

/// What a span holds for the lines written inside it.
#[derive(Default)]
struct SpanFields {
    fields: Map<String, Value>,
    /// Set on the invocation span: whether it is the process's first.
    cold_start: Option<bool>,
}

struct Visitor<'a>(&'a mut Map<String, Value>);

impl Visit for Visitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().to_owned(), Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), Value::from(format!("{value:?}")));
    }
}

/// The fields of the spans an event happened in, the innermost winning, and whether it
/// belongs to the cold start.
struct Scope {
    fields: Map<String, Value>,
    cold_start: bool,
}

impl<W> Lines<W> {
    fn scope<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>) -> Scope
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let mut fields = Map::new();
        let mut cold_start = None;
        for span in ctx
            .event_scope(event)
            .into_iter()
            .flat_map(|s| s.from_root())
        {
            if let Some(own) = span.extensions().get::<SpanFields>() {
                fields.extend(own.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                cold_start = own.cold_start.or(cold_start);
            }
        }
        Scope {
            fields,
            // Outside an invocation: the process's initialisation is its cold start.
            cold_start: cold_start.unwrap_or_else(|| self.invocations.load(Ordering::Relaxed) == 0),
        }
    }

    fn log_line(&self, event: &Event<'_>, scope: Scope) -> String {
        let mut fields = scope.fields;
        event.record(&mut Visitor(&mut fields));
        let message = fields.remove("message").unwrap_or(Value::Null);
        let (request_id, bot_id) = ids(&mut fields);
        let mut line = Line::default();
        line.push("timestamp", &Value::from(timestamp()));
        line.push("level", &Value::from(event.metadata().level().as_str()));
        line.push("message", &message);
        line.push("request_id", &request_id);
        line.push("bot_id", &bot_id);
        line.push("cold_start", &Value::from(scope.cold_start));
        for (key, value) in &fields {
            line.push(key, value);
        }
        line.end()
    }

    /// `{"_aws": {...}, "<Name>": 1, "<Dimension>": "<value>", ...}`: published with and
    /// without its dimension, so an alarm can watch the total.
    fn metric_line(&self, event: &Event<'_>, scope: Scope) -> Option<String> {
        let mut own = Map::new();
        event.record(&mut Visitor(&mut own));
        let name = own.get("metric")?.as_str()?.to_owned();
        let dimension = match (own.get("dimension"), own.get("value")) {
            (Some(Value::String(d)), Some(Value::String(v))) => Some((d.clone(), v.clone())),
            _ => None,
        };
        let dimensions = match &dimension {
            Some((d, _)) => json!([[], [d]]),
            None => json!([[]]),
        };
        let now = OffsetDateTime::now_utc();
        let mut fields = scope.fields;
        let (request_id, bot_id) = ids(&mut fields);
        let mut line = Line::default();
        line.push(
            "_aws",
            &json!({
                "Timestamp": (now.unix_timestamp_nanos() / 1_000_000) as i64,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": dimensions,
                    "Metrics": [{ "Name": name, "Unit": "Count" }],
                }],
            }),
        );
        line.push(&name, &Value::from(1));
        if let Some((d, v)) = &dimension {
            line.push(d, &Value::from(v.as_str()));
        }
        line.push("timestamp", &Value::from(timestamp()));
        line.push("level", &Value::from(self.metric_level));
        line.push("message", &Value::from(format!("metric {name}")));
        line.push("request_id", &request_id);
        line.push("bot_id", &bot_id);
        line.push("cold_start", &Value::from(scope.cold_start));
        for key in ["lambda_request_id", "xray_trace_id"] {
            if let Some(value) = fields.get(key) {
                line.push(key, value);
            }
        }
        Some(line.end())
    }
}

/// `request_id` (API Gateway's, else Lambda's) and `bot_id`, taken out of `fields`; null
/// where there is none.
fn ids(fields: &mut Map<String, Value>) -> (Value, Value) {
    let request_id = fields
        .remove("request_id")
        .or_else(|| fields.get("lambda_request_id").cloned())
        .unwrap_or(Value::Null);
    let bot_id = fields.remove("bot_id").unwrap_or(Value::Null);
    (request_id, bot_id)
}

fn timestamp() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A JSON object written key by key, in the order given (readers see `timestamp`, `level`
/// and `message` first).
#[derive(Default)]
struct Line(String);

impl Line {
    fn push(&mut self, key: &str, value: &Value) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push_str(&Value::from(key).to_string());
        self.0.push(':');
        self.0.push_str(&value.to_string());
    }

    fn end(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push_str("}\n");
        self.0
    }
}

impl<S, W> Layer<S> for Lines<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut own = SpanFields::default();
        attrs.record(&mut Visitor(&mut own.fields));
        if attrs.metadata().name() == INVOCATION_SPAN {
            for (theirs, ours) in RENAMED {
                if let Some(value) = own.fields.remove(*theirs) {
                    own.fields.insert((*ours).to_owned(), value);
                }
            }
            own.cold_start = Some(self.invocations.fetch_add(1, Ordering::Relaxed) == 0);
        }
        span.extensions_mut().insert(own);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(own) = extensions.get_mut::<SpanFields>() {
            values.record(&mut Visitor(&mut own.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let line = if meta.target() == METRIC_TARGET {
            self.metric_line(event, self.scope(event, &ctx))
        } else {
            match &self.json_logs {
                Some(filter) if filter.would_enable(meta.target(), meta.level()) => {
                    Some(self.log_line(event, self.scope(event, &ctx)))
                }
                _ => None,
            }
        };
        if let Some(line) = line {
            // One write per line: lines of concurrent tasks never interleave.
            let _ = self.writer.make_writer().write_all(line.as_bytes());
        }
    }
}
