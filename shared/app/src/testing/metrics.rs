//! The metrics a future records, for tests: a `tracing` subscriber of its own, set only
//! while that future is polled, so tests running in parallel do not see each other's.

use crate::metrics::TARGET;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::instrument::WithSubscriber;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// One recorded metric: its name, and its dimension as `"Name=value"` if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub name: String,
    pub dimension: Option<String>,
}

impl Recorded {
    pub fn new(name: &str, dimension: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            dimension: dimension.map(str::to_owned),
        }
    }
}

/// Runs `future` and returns its output with the metrics it recorded, in order.
pub async fn recorded<F: Future>(future: F) -> (F::Output, Vec<Recorded>) {
    let capture = Capture::default();
    let seen = Arc::clone(&capture.seen);
    let output = future.with_subscriber(capture).await;
    let metrics = std::mem::take(&mut *seen.lock().unwrap());
    (output, metrics)
}

/// The names of the metrics recorded, for the common assertion.
pub fn names(metrics: &[Recorded]) -> Vec<&str> {
    metrics.iter().map(|m| m.name.as_str()).collect()
}

#[derive(Default)]
struct Capture {
    seen: Arc<Mutex<Vec<Recorded>>>,
}

#[derive(Default)]
struct Fields {
    metric: Option<String>,
    dimension: Option<String>,
    value: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let slot = match field.name() {
            "metric" => &mut self.metric,
            "dimension" => &mut self.dimension,
            "value" => &mut self.value,
            _ => return,
        };
        *slot = Some(value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Decided per event: other tests' subscribers share the callsites.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == TARGET
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(name) = fields.metric {
            let dimension = fields
                .dimension
                .zip(fields.value)
                .map(|(d, v)| format!("{d}={v}"));
            self.seen.lock().unwrap().push(Recorded { name, dimension });
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
