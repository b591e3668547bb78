//! X-Ray subsegments of the AWS SDK's calls. With `Tracing: Active`, Lambda records each
//! invocation as a segment, but a DynamoDB, SQS, SES, KMS or Secrets Manager call is visible
//! in the trace only if the function reports it. Every SDK client shares one HTTP client
//! ([`crate::aws::config`]); this wraps it and, for each HTTP attempt that carries a sampled
//! trace header (the SDK adds `X-Amzn-Trace-Id` from `_X_AMZN_TRACE_ID`, which the Lambda
//! runtime sets per invocation), sends one subsegment to the X-Ray daemon over UDP
//! (`AWS_XRAY_DAEMON_ADDRESS`, set by Lambda). Fire and forget: a lost datagram loses a
//! subsegment, never a call. Without the daemon address (tools, tests, the local stack)
//! nothing is sent.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::json;
use std::hash::{BuildHasher, RandomState};
use std::net::{SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

static DAEMON: OnceLock<(UdpSocket, SocketAddr)> = OnceLock::new();

/// Sends subsegments to the daemon at `address` (`host:port`) from now on; called once at
/// init ([`crate::telemetry::init`]). An unusable address turns tracing of calls off.
pub fn send_to(address: &str) {
    let Some(daemon) = address.parse::<SocketAddr>().ok() else {
        tracing::warn!(
            address,
            "AWS_XRAY_DAEMON_ADDRESS is not host:port; SDK calls are not traced"
        );
        return;
    };
    if let Ok(socket) = UdpSocket::bind(if daemon.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }) {
        let _ = socket.set_nonblocking(true);
        let _ = DAEMON.set((socket, daemon));
    }
}

/// The SDK's HTTP client, with every attempt reported as a subsegment.
pub fn traced(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(Traced(inner))
}

#[derive(Debug)]
struct Traced(SharedHttpClient);

impl HttpClient for Traced {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(TracedConnector(self.0.http_connector(settings, components)))
    }

    // `validate_base_client_config` is not forwarded on purpose: the hyper client's only
    // builds its TLS connector there, so that the system's CA store is read when each SDK
    // client is created, during init. Left to the default (nothing to check), the store is
    // read on the first request instead, which is the cold start's first invocation
    // (PERFORMANCE.md: init with and without it).

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[derive(Debug)]
struct TracedConnector(SharedHttpConnector);

impl HttpConnector for TracedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let call = DAEMON.get().and_then(|_| Call::of(&request));
        let response = self.0.call(request);
        let Some(call) = call else {
            return response;
        };
        HttpConnectorFuture::new(async move {
            let result = response.await;
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            if let Some((socket, daemon)) = DAEMON.get() {
                let _ = socket.send_to(call.document(status, now()).as_bytes(), daemon);
            }
            result
        })
    }
}

/// One SDK call being made inside a sampled trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    trace_id: String,
    parent_id: String,
    service: &'static str,
    operation: String,
    start: f64,
}

impl Call {
    /// The call, if its request carries a sampled trace header with a parent.
    pub fn of(request: &HttpRequest) -> Option<Call> {
        let header = request.headers().get("x-amzn-trace-id")?;
        let field = |name: &str| {
            header
                .split(';')
                .find_map(|kv| kv.trim().strip_prefix(name)?.strip_prefix('='))
        };
        if field("Sampled") != Some("1") {
            return None;
        }
        Some(Call {
            trace_id: field("Root")?.to_owned(),
            parent_id: field("Parent")?.to_owned(),
            service: service(request),
            operation: operation(request),
            start: now(),
        })
    }

    /// The daemon's datagram: its header line, then the subsegment (AWS's schema; `error`
    /// for a 4xx, `fault` for a 5xx or no answer).
    pub fn document(&self, status: Option<u16>, end: f64) -> String {
        let mut subsegment = json!({
            "id": format!("{:016x}", RandomState::new().hash_one(self.start.to_bits())),
            "trace_id": self.trace_id,
            "parent_id": self.parent_id,
            "type": "subsegment",
            "name": self.service,
            "namespace": "aws",
            "start_time": self.start,
            "end_time": end.max(self.start),
            "aws": { "operation": self.operation },
            "error": status.is_some_and(|s| (400..500).contains(&s)),
            "fault": status.is_none_or(|s| s >= 500),
        });
        if let Some(status) = status {
            subsegment["http"] = json!({ "response": { "status": status } });
        }
        format!("{{\"format\":\"json\",\"version\":1}}\n{subsegment}")
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// X-Ray's name of the service, from the endpoint's host (`dynamodb.eu-west-1.amazonaws.com`)
/// or, against an emulator, the JSON protocol's target header.
fn service(request: &HttpRequest) -> &'static str {
    let host = request
        .uri()
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['.', '/', ':']).next())
        .unwrap_or_default();
    let target = request.headers().get("x-amz-target").unwrap_or_default();
    const NAMES: &[(&str, &str, &str)] = &[
        ("dynamodb", "DynamoDB_", "DynamoDB"),
        ("sqs", "AmazonSQS.", "SQS"),
        ("kms", "TrentService.", "KMS"),
        ("secretsmanager", "secretsmanager.", "SecretsManager"),
        ("ssm", "AmazonSSM.", "SSM"),
        ("email", "\u{0}", "SES"),
        ("bedrock-runtime", "\u{0}", "BedrockRuntime"),
    ];
    NAMES
        .iter()
        .find(|(h, t, _)| host == *h || target.starts_with(t))
        .map_or("AWS", |(_, _, name)| name)
}

/// The operation: the JSON protocols' `X-Amz-Target` (`DynamoDB_20120810.PutItem`), the
/// query protocol's `Action=` (SES), or the REST path's last word (Bedrock's `converse`).
fn operation(request: &HttpRequest) -> String {
    if let Some(target) = request.headers().get("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    if let Some(body) = request.body().bytes() {
        if let Some(action) = std::str::from_utf8(body)
            .ok()
            .and_then(|b| b.split('&').find_map(|kv| kv.strip_prefix("Action=")))
        {
            return action.to_owned();
        }
    }
    request
        .uri()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests;
