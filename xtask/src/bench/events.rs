//! The events a function is fed (API Gateway HTTP API v2, SQS) and what is read back from its
//! answers.

use serde_json::{json, Value};

/// An API Gateway HTTP API (v2) event.
pub fn http_event(
    method: &str,
    path: &str,
    route: &str,
    params: &[(&str, &str)],
    auth: &str,
    body: Option<&Value>,
) -> Value {
    let params: serde_json::Map<String, Value> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {route}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"authorization": auth, "content-type": "application/json", "host": "127.0.0.1:9000", "x-forwarded-proto": "http"},
        "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "127.0.0.1", "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": uuid::Uuid::new_v4().to_string(), "routeKey": format!("{method} {route}"), "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 1795000000000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

pub fn sqs_event(bodies: &[String]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .map(|b| {
            json!({
                "messageId": uuid::Uuid::new_v4().to_string(), "receiptHandle": "bench", "body": b,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795000000000"},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:pailflow-local-pipeline", "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// `GET /api/bot/{id}/status` for each bot.
pub(super) fn status_events(ids: &[String], auth: &str) -> Vec<Value> {
    ids.iter()
        .map(|id| {
            http_event(
                "GET",
                &format!("/api/bot/{id}/status"),
                "/api/bot/{bot_id}/status",
                &[("bot_id", id)],
                auth,
                None,
            )
        })
        .collect()
}

/// `POST /v1/bots/leave/{id}` for each bot.
pub(super) fn stop_events(ids: &[String], auth: &str) -> Vec<Value> {
    ids.iter()
        .map(|id| {
            http_event(
                "POST",
                &format!("/v1/bots/leave/{id}"),
                "/v1/bots/leave/{bot_id}",
                &[("bot_id", id)],
                auth,
                None,
            )
        })
        .collect()
}

pub(super) fn body_of(answer: &Value) -> Value {
    answer["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null)
}

pub(super) fn status_of(answer: &Value) -> u64 {
    answer["statusCode"].as_u64().unwrap_or(0)
}
