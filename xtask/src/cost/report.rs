//! The cost table: counted units × the price table, per function and per meeting.

use super::meter::{Counters, Usage};
use super::prices::*;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The API's routes (`[workspace.metadata.lambda.watch.router]` of Cargo.toml): which
/// function serves a method and path. The pipeline's invocations are its own path.
pub struct Routes(Vec<(String, Vec<String>, String)>);

impl Routes {
    pub fn read(manifest: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        let doc: toml::Table = toml::from_str(&text).map_err(|e| e.to_string())?;
        let router = ["workspace", "metadata", "lambda", "watch", "router"]
            .iter()
            .try_fold(&doc, |t, k| t.get(*k)?.as_table())
            .ok_or("no [workspace.metadata.lambda.watch.router] in Cargo.toml")?;
        let mut routes = Vec::new();
        for (path, targets) in router {
            for t in targets.as_array().into_iter().flatten() {
                let (Some(method), Some(function)) = (
                    t.get("method").and_then(|m| m.as_str()),
                    t.get("function").and_then(|f| f.as_str()),
                ) else {
                    continue;
                };
                let segments = path.split('/').map(str::to_owned).collect();
                routes.push((method.to_owned(), segments, function.to_owned()));
            }
        }
        Ok(Self(routes))
    }

    pub fn function(&self, method: &str, path: &str) -> Option<String> {
        if path.starts_with("/2015-03-31/functions/") {
            return path.split('/').nth(3).map(str::to_owned);
        }
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(m, pattern, _)| {
                m == method
                    && pattern.len() == segments.len()
                    && pattern
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, _, f)| f.clone())
    }
}

/// Each function's configured memory (MB), by binary name, from the template.
pub fn memory_by_function(template: &Path) -> Result<BTreeMap<String, u64>, String> {
    let text =
        std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    let global = doc["Globals"]["Function"]["MemorySize"]
        .as_u64()
        .unwrap_or(128);
    let mut memory = BTreeMap::new();
    for resource in doc["Resources"]
        .as_mapping()
        .into_iter()
        .flat_map(|r| r.values())
    {
        if let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() {
            let mb = resource["Properties"]["MemorySize"]
                .as_u64()
                .unwrap_or(global);
            memory.insert(binary.to_owned(), mb);
        }
    }
    Ok(memory)
}

#[derive(Default)]
struct Row {
    invocations: usize,
    ms_total: f64,
    gb_seconds: f64,
    rru: f64,
    wru: f64,
    sqs: f64,
    ses: f64,
    kms: f64,
    secrets: f64,
}

impl Row {
    fn usd(&self) -> f64 {
        self.invocations as f64 * LAMBDA_REQUEST
            + self.gb_seconds * LAMBDA_GB_SECOND
            + self.rru * DYNAMODB_RRU
            + self.wru * DYNAMODB_WRU
            + self.sqs * SQS_REQUEST
            + self.ses * SES_MESSAGE
            + self.kms * KMS_REQUEST
            + self.secrets * SECRETS_REQUEST
    }

    fn add_aws(&mut self, service: &str, op: &str, usage: &Usage) {
        match service {
            "dynamodb" if is_write(op) => self.wru += usage.units,
            "dynamodb" => self.rru += usage.units,
            "sqs" => self.sqs += usage.units,
            "ses" => self.ses += usage.units,
            "kms" => self.kms += usage.units,
            "secretsmanager" => self.secrets += usage.units,
            _ => {}
        }
    }
}

fn is_write(op: &str) -> bool {
    matches!(
        op,
        "PutItem" | "UpdateItem" | "DeleteItem" | "TransactWriteItems" | "BatchWriteItem"
    )
}

pub struct Table {
    rows: BTreeMap<String, Row>,
    meetings: usize,
    api_requests: u64,
    log_bytes: u64,
    operations: BTreeMap<(String, String), (u64, f64)>,
}

impl Table {
    pub fn build(
        counters: &Counters,
        memory: &BTreeMap<String, u64>,
        meetings: usize,
        log_bytes: u64,
    ) -> Self {
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        for (function, durations) in counters.invocations.lock().unwrap().iter() {
            let row = rows.entry(function.clone()).or_default();
            let mb = memory.get(function).copied().unwrap_or(128) as f64;
            row.invocations += durations.len();
            row.ms_total += durations.iter().sum::<f64>();
            // Lambda bills each invocation's duration rounded up to the millisecond.
            row.gb_seconds += durations
                .iter()
                .map(|ms| ms.ceil() / 1000.0 * mb / 1024.0)
                .sum::<f64>();
        }
        let mut operations = BTreeMap::new();
        for ((caller, service, op), usage) in counters.aws.lock().unwrap().iter() {
            // The event source stands in for Lambda's SQS poller: its receives and deletes
            // are the queue's requests on the pipeline's behalf.
            let owner = match caller.as_str() {
                "xtask event-source" => "pipeline (SQS poller)",
                // The customer's webhook receiver reading its secret: not ours to pay.
                "xtask receiver" => continue,
                other => other,
            };
            rows.entry(owner.to_owned())
                .or_default()
                .add_aws(service, op, usage);
            let e = operations
                .entry((service.clone(), op.clone()))
                .or_insert((0, 0.0));
            e.0 += usage.requests;
            e.1 += usage.units;
        }
        Self {
            rows,
            meetings: meetings.max(1),
            api_requests: *counters.api_requests.lock().unwrap(),
            log_bytes,
            operations,
        }
    }

    pub fn render(&self, asked: usize) -> String {
        let n = self.meetings as f64;
        let mut out = String::new();
        let _ = writeln!(out, "Cost of our part of a meeting on AWS, {REGION}, {PRICES_DATE}; {} of {asked} meetings measured (`make cost`).\n", self.meetings);
        let _ = writeln!(out, "| function | invocations / meeting | mean ms | GB-s / meeting | DynamoDB RRU / meeting | WRU / meeting | SQS requests | SES | KMS + Secrets | USD / 1,000 meetings |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let mut total = 0.0;
        for (name, r) in &self.rows {
            let usd = r.usd() / n * 1000.0;
            total += usd;
            let mean = if r.invocations > 0 {
                r.ms_total / r.invocations as f64
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "| {name} | {:.2} | {mean:.1} | {:.4} | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} | {usd:.4} |",
                r.invocations as f64 / n, r.gb_seconds / n, r.rru / n, r.wru / n, r.sqs / n, r.ses / n, (r.kms + r.secrets) / n
            );
        }
        let api = self.api_requests as f64 / n;
        let api_usd = api * HTTP_API_REQUEST * 1000.0;
        let logs_usd = self.log_bytes as f64 / n / 1e9 * LOGS_GB * 1000.0;
        let _ = writeln!(
            out,
            "| API Gateway (HTTP API) | {api:.2} requests | | | | | | | | {api_usd:.4} |"
        );
        let _ = writeln!(
            out,
            "| CloudWatch Logs | {:.0} bytes | | | | | | | | {logs_usd:.4} |",
            self.log_bytes as f64 / n
        );
        total += api_usd + logs_usd;
        let _ = writeln!(out, "| **total** | | | | | | | | | **{total:.4}** |\n");
        let _ = writeln!(
            out,
            "**${:.6} per meeting, ${total:.2} per 1,000 meetings.**\n",
            total / 1000.0
        );
        let _ = writeln!(out, "Side by side, per 1,000 meetings of one hour (their prices include the bot and its media; ours do not — Pipecat Cloud runs our bot and bills it, and the LLM, if one is configured, is billed by its provider):\n");
        let _ = writeln!(out, "| | USD / 1,000 one-hour meetings |\n|---|---:|");
        let _ = writeln!(out, "| ours (this table; independent of meeting length but for the session deadline's hops) | {total:.2} |");
        let _ = writeln!(out, "| {RECALL_SOURCE} | {:.2} |", RECALL_PER_HOUR * 1000.0);
        let _ = writeln!(
            out,
            "| {PIPECAT_SOURCE} | {:.2} |\n",
            PIPECAT_PER_HOUR * 1000.0
        );
        let _ = writeln!(
            out,
            "Requests by operation over the run (requests, billable units):\n"
        );
        let ops: Vec<String> = self
            .operations
            .iter()
            .map(|((s, o), (r, u))| format!("{s} {o} {r} ({u:.1})"))
            .collect();
        let _ = writeln!(out, "{}", ops.join(" · "));
        out
    }
}

/// Replaces what is between the cost markers of `path` with `text`.
pub fn write_section(path: &Path, text: &str) -> Result<(), String> {
    const BEGIN: &str = "<!-- cost:begin -->";
    const END: &str = "<!-- cost:end -->";
    let doc = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        return Err(format!("{} has no {BEGIN} … {END} section", path.display()));
    };
    let updated = format!("{}{BEGIN}\n{text}\n{}", &doc[..b], &doc[e..]);
    std::fs::write(path, updated).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_name_the_function_of_a_path() {
        let routes = Routes::read(&crate::local::repo_root().join("Cargo.toml")).unwrap();
        let id = "5eed0000-0000-4000-8000-000000000001";
        assert_eq!(
            routes.function("POST", "/api/bot/join").as_deref(),
            Some("join")
        );
        assert_eq!(
            routes
                .function("POST", &format!("/v1/bots/leave/{id}"))
                .as_deref(),
            Some("stop")
        );
        assert_eq!(
            routes
                .function("GET", &format!("/api/bot/{id}/status"))
                .as_deref(),
            Some("status")
        );
        assert_eq!(
            routes
                .function("POST", &format!("/v1/bots/{id}/exit"))
                .as_deref(),
            Some("report")
        );
        assert_eq!(
            routes
                .function("POST", "/2015-03-31/functions/pipeline/invocations")
                .as_deref(),
            Some("pipeline")
        );
        assert_eq!(routes.function("GET", "/api/bot/join"), None);
    }

    #[test]
    fn memory_comes_from_the_template() {
        let memory =
            memory_by_function(&crate::local::repo_root().join("infra/template.yaml")).unwrap();
        assert!(memory["pipeline"] >= 128);
        assert!(memory.contains_key("join") && memory.contains_key("status"));
    }

    #[test]
    fn a_row_prices_each_unit() {
        let row = Row {
            invocations: 1_000_000,
            gb_seconds: 1.0,
            wru: 1e6,
            ..Row::default()
        };
        let usd = row.usd();
        assert!(
            (usd - (0.20 + LAMBDA_GB_SECOND + 0.625)).abs() < 1e-9,
            "{usd}"
        );
    }
}
