//! The two meters of `make cost`, transparent proxies on loopback:
//!
//! - the AWS meter, between the functions and the emulator (their `AWS_ENDPOINT_URL`), counts
//!   every AWS request by calling function, service and operation, with its billable units:
//!   DynamoDB request units computed from the items ([`super::dynamo_units`]; for a write the
//!   meter reads the item before and after it), SQS requests per started 64 KB;
//! - the HTTP meter, in front of the API (`cargo lambda watch`), times every invocation of
//!   every function: the customer's requests, the bot's exit report (the functions' public
//!   base URL points at it) and the pipeline's invocations by the event source.

use super::dynamo_units::{item_size, read_units, write_units};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one (caller, service, operation) used.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    pub requests: u64,
    /// Billable units: DynamoDB read or write request units, SQS requests (64 KB chunks),
    /// one per SES message, KMS or Secrets Manager request.
    pub units: f64,
}

#[derive(Default)]
pub struct Counters {
    /// (caller, service, operation) → usage.
    pub aws: Mutex<BTreeMap<(String, String, String), Usage>>,
    /// function → durations of its invocations, ms.
    pub invocations: Mutex<BTreeMap<String, Vec<f64>>>,
    /// Requests that came through API Gateway (every invocation but the pipeline's).
    pub api_requests: Mutex<u64>,
}

impl Counters {
    /// Forgets what was counted (the set-up before the meetings).
    pub fn reset(&self) {
        self.aws.lock().unwrap().clear();
        self.invocations.lock().unwrap().clear();
        *self.api_requests.lock().unwrap() = 0;
    }

    /// Every request either meter saw.
    pub fn total_requests(&self) -> u64 {
        let aws: u64 = self.aws.lock().unwrap().values().map(|u| u.requests).sum();
        let http: usize = self
            .invocations
            .lock()
            .unwrap()
            .values()
            .map(Vec::len)
            .sum();
        aws + http as u64
    }

    fn add(&self, caller: &str, service: &str, op: &str, units: f64) {
        let mut aws = self.aws.lock().unwrap();
        let usage = aws
            .entry((caller.to_owned(), service.to_owned(), op.to_owned()))
            .or_default();
        usage.requests += 1;
        usage.units += units;
    }
}

/// The attributes the table's index (`ByAccount`) holds of an item.
const INDEXED: [&str; 12] = [
    "pk",
    "sk",
    "account_id",
    "created_ms",
    "bot_id",
    "phase",
    "status_changes",
    "room_url",
    "created_at",
    "completed_at",
    "exit",
    "metadata",
];

fn indexed(item: &Value) -> Option<Value> {
    let obj = item.as_object()?;
    (obj.contains_key("account_id") && obj.contains_key("created_ms")).then(|| {
        Value::Object(
            obj.iter()
                .filter(|(k, _)| INDEXED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    })
}

struct Upstream {
    base: String,
    http: reqwest::Client,
}

impl Upstream {
    /// The item at `key` now, read directly from the emulator (not counted).
    async fn item(&self, auth: &str, table: &str, key: &Value) -> Value {
        let body = json!({"TableName": table, "Key": key, "ConsistentRead": true});
        self.dynamo(auth, "GetItem", &body).await["Item"].take()
    }

    async fn dynamo(&self, auth: &str, op: &str, body: &Value) -> Value {
        let sent = self
            .http
            .post(&self.base)
            .header("x-amz-target", format!("DynamoDB_20120810.{op}"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("authorization", auth)
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// `parts` and `body` sent on to the upstream as they came; its answer.
    async fn forward(
        &self,
        parts: &hyper::http::request::Parts,
        body: Bytes,
    ) -> Result<(u16, reqwest::header::HeaderMap, Bytes), String> {
        let forward = crate::fault_proxy::forward_request(&self.http, &self.base, parts, body);
        let answer = forward.send().await.map_err(|e| e.to_string())?;
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let bytes = answer.bytes().await.map_err(|e| e.to_string())?;
        Ok((status, headers, bytes))
    }
}

/// The key of an item (`pk`, `sk`).
fn key_of(item: &Value) -> Value {
    json!({"pk": item["pk"], "sk": item["sk"]})
}

/// (table, key, put item) of each write a request makes.
fn writes(op: &str, body: &Value) -> Vec<(String, Value)> {
    let one = |w: &Value| {
        let table = w["TableName"].as_str().unwrap_or_default().to_owned();
        let key = if w["Item"].is_object() {
            key_of(&w["Item"])
        } else {
            w["Key"].clone()
        };
        (table, key)
    };
    match op {
        "PutItem" | "UpdateItem" | "DeleteItem" => vec![one(body)],
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_object()?.values().next().map(one))
            .collect(),
        _ => Vec::new(),
    }
}

struct AwsMeter {
    upstream: Upstream,
    counters: Arc<Counters>,
}

impl AwsMeter {
    async fn handle(
        &self,
        req: Request<Incoming>,
        caller: &str,
    ) -> Result<Response<Full<Bytes>>, String> {
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        let header = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let target = header("x-amz-target");
        let auth = header("authorization");
        let (service, op) = classify(&target, &body, parts.uri.path());
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);

        let write_keys = if service == "dynamodb" {
            writes(&op, &request)
        } else {
            Vec::new()
        };
        let mut before = Vec::new();
        for (table, key) in &write_keys {
            before.push(self.upstream.item(&auth, table, key).await);
        }
        let (status, headers, answer) = self.upstream.forward(&parts, body.clone()).await?;
        let units = match service.as_str() {
            "dynamodb" if !write_keys.is_empty() => {
                let factor = if op == "TransactWriteItems" { 2.0 } else { 1.0 };
                let mut units = 0.0;
                for ((table, key), before) in write_keys.iter().zip(&before) {
                    let after = self.upstream.item(&auth, table, key).await;
                    units += factor * write_units(item_size(before), item_size(&after));
                    let (b, a) = (indexed(before), indexed(&after));
                    if (b.is_some() || a.is_some()) && b != a {
                        let size = |v: &Option<Value>| v.as_ref().map_or(0, item_size);
                        units += write_units(size(&b), size(&a));
                    }
                }
                units
            }
            "dynamodb" => self.read_units(&op, &request, &answer, &auth).await,
            "sqs" => body.len().div_ceil(64 * 1024).max(1) as f64,
            _ => 1.0,
        };
        // An empty receive is the poller waiting (a fixed cost per month, not per meeting).
        let empty_receive = op == "ReceiveMessage"
            && serde_json::from_slice::<Value>(&answer)
                .ok()
                .and_then(|a| a["Messages"].as_array().map(Vec::is_empty))
                .unwrap_or(true);
        if !empty_receive {
            self.counters.add(caller, &service, &op, units);
        }
        let mut response = Response::builder().status(status);
        for (name, value) in headers.iter() {
            if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                response = response.header(name, value);
            }
        }
        response.body(Full::new(answer)).map_err(|e| e.to_string())
    }

    /// Reads bill the whole item even when a projection returns part of it: the meter reads
    /// it again without the projection to size it.
    async fn read_units(&self, op: &str, request: &Value, answer: &Bytes, auth: &str) -> f64 {
        let consistent = request["ConsistentRead"].as_bool().unwrap_or(false);
        let full = if request.get("ProjectionExpression").is_some() {
            let mut whole = request.clone();
            whole
                .as_object_mut()
                .map(|o| o.remove("ProjectionExpression"));
            let again = self.upstream.dynamo(auth, op, &whole).await;
            (!again.is_null()).then_some(again)
        } else {
            None
        };
        let answer = full.unwrap_or_else(|| serde_json::from_slice(answer).unwrap_or(Value::Null));
        match op {
            "GetItem" => read_units(item_size(&answer["Item"]), consistent),
            "Query" | "Scan" => {
                let bytes = answer["Items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(item_size)
                    .sum();
                read_units(bytes, consistent)
            }
            _ => 0.0,
        }
    }
}

/// (service, operation) of an AWS request: JSON protocols name it in `X-Amz-Target`, SES's
/// query protocol in the form body.
fn classify(target: &str, body: &[u8], path: &str) -> (String, String) {
    let op = target.rsplit('.').next().unwrap_or_default().to_owned();
    let service = match target.split('.').next().unwrap_or_default() {
        t if t.starts_with("DynamoDB") => "dynamodb",
        t if t.starts_with("AmazonSQS") => "sqs",
        "TrentService" => "kms",
        "secretsmanager" => "secretsmanager",
        "" => {
            let form = String::from_utf8_lossy(body);
            let action = form
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .unwrap_or(path);
            return ("ses".into(), action.to_owned());
        }
        other => other,
    };
    (service.to_owned(), op)
}

/// Serves `meter` on `listen` in the background.
async fn serve<F, Fut>(listen: &str, handle: F) -> Result<(), String>
where
    F: Fn(Request<Incoming>, Arc<str>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Response<Full<Bytes>>, String>> + Send,
{
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("bind {listen}: {e}"))?;
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let handle = handle.clone();
            tokio::spawn(async move {
                let caller: Arc<str> =
                    tokio::task::spawn_blocking(move || super::caller::process_of(peer))
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "unknown".into())
                        .into();
                let service = hyper::service::service_fn(move |req| {
                    let (handle, caller) = (handle.clone(), caller.clone());
                    async move { handle(req, caller).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(())
}

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(900))
        .build()
        .map_err(|e| e.to_string())
}

/// Starts the AWS meter on `listen`, forwarding to `upstream` (the emulator).
pub async fn start_aws(
    listen: &str,
    upstream: &str,
    counters: Arc<Counters>,
) -> Result<(), String> {
    let meter = Arc::new(AwsMeter {
        upstream: Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http: client()?,
        },
        counters,
    });
    serve(listen, move |req, caller| {
        let meter = meter.clone();
        async move { meter.handle(req, &caller).await }
    })
    .await
}

/// The function serving a method and path.
pub type RouteFn = dyn Fn(&str, &str) -> Option<String> + Send + Sync;

/// Starts the HTTP meter on `listen`, forwarding to `upstream` (the API) and timing each
/// invocation of the function `route` names for its path.
pub async fn start_http(
    listen: &str,
    upstream: &str,
    route: Arc<RouteFn>,
    counters: Arc<Counters>,
) -> Result<(), String> {
    let upstream = Arc::new(Upstream {
        base: upstream.trim_end_matches('/').to_owned(),
        http: client()?,
    });
    serve(listen, move |req: Request<Incoming>, _caller| {
        let (upstream, route, counters) = (upstream.clone(), route.clone(), counters.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            let function = route(parts.method.as_str(), parts.uri.path());
            let started = Instant::now();
            let (status, headers, answer) = upstream.forward(&parts, body).await?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if let Some(function) = function {
                if function != "pipeline" {
                    *counters.api_requests.lock().unwrap() += 1;
                }
                counters
                    .invocations
                    .lock()
                    .unwrap()
                    .entry(function)
                    .or_default()
                    .push(ms);
            }
            let mut response = Response::builder().status(status);
            for (name, value) in headers.iter() {
                if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                    response = response.header(name, value);
                }
            }
            response.body(Full::new(answer)).map_err(|e| e.to_string())
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_told_apart_by_protocol() {
        assert_eq!(
            classify("DynamoDB_20120810.GetItem", b"", "/"),
            ("dynamodb".into(), "GetItem".into())
        );
        assert_eq!(
            classify("AmazonSQS.SendMessage", b"", "/"),
            ("sqs".into(), "SendMessage".into())
        );
        assert_eq!(
            classify("TrentService.Decrypt", b"", "/"),
            ("kms".into(), "Decrypt".into())
        );
        assert_eq!(
            classify("", b"Action=SendRawEmail&Version=2010-12-01", "/"),
            ("ses".into(), "SendRawEmail".into())
        );
    }

    #[test]
    fn every_item_of_a_transaction_is_a_write() {
        let body = json!({"TransactItems": [
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "x": {"S": "y"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "c"}, "sk": {"S": "d"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "e"}, "sk": {"S": "f"}}}},
        ]});
        let w = writes("TransactWriteItems", &body);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].1, json!({"pk": {"S": "a"}, "sk": {"S": "b"}}));
        assert_eq!(w[2].1["pk"]["S"], "e");
        assert!(writes("GetItem", &body).is_empty());
    }

    #[test]
    fn only_items_in_the_index_write_to_it() {
        let session = json!({"pk": {"S": "BOT#1"}, "sk": {"S": "SESSION"}, "account_id": {"S": "a"},
                             "created_ms": {"N": "1"}, "transcript": {"S": "long"}});
        let projected = indexed(&session).unwrap();
        assert!(projected.get("transcript").is_none());
        assert!(indexed(&json!({"pk": {"S": "x"}})).is_none());
    }
}
