use super::*;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::Value;

const SAMPLED: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

fn request(uri: &str, headers: &[(&'static str, &'static str)], body: &str) -> HttpRequest {
    let mut request = HttpRequest::new(SdkBody::from(body));
    request.set_uri(uri).unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, *value);
    }
    request
}

fn subsegment(document: &str) -> Value {
    let (header, body) = document.split_once('\n').expect("two lines");
    assert_eq!(header, r#"{"format":"json","version":1}"#);
    serde_json::from_str(body).unwrap()
}

#[test]
fn a_call_in_a_sampled_invocation_is_a_subsegment_of_it() {
    let call = Call::of(&request(
        "https://dynamodb.eu-west-1.amazonaws.com/",
        &[
            ("x-amz-target", "DynamoDB_20120810.PutItem"),
            ("x-amzn-trace-id", SAMPLED),
        ],
        "{}",
    ))
    .expect("sampled");
    let s = subsegment(&call.document(Some(200), call.start + 0.012));
    assert_eq!(s["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
    assert_eq!(s["parent_id"], "53995c3f42cd8ad8");
    assert_eq!(s["type"], "subsegment");
    assert_eq!(s["namespace"], "aws");
    assert_eq!(s["name"], "DynamoDB");
    assert_eq!(s["aws"]["operation"], "PutItem");
    assert_eq!(s["http"]["response"]["status"], 200);
    assert_eq!(s["id"].as_str().unwrap().len(), 16);
    let took = s["end_time"].as_f64().unwrap() - s["start_time"].as_f64().unwrap();
    assert!((took - 0.012).abs() < 1e-6, "{took}");
    assert_eq!(
        (s["error"].as_bool(), s["fault"].as_bool()),
        (Some(false), Some(false))
    );
}

#[test]
fn a_4xx_is_an_error_and_a_5xx_or_no_answer_a_fault() {
    let call = Call::of(&request(
        "http://127.0.0.1:4566/",
        &[
            ("x-amz-target", "TrentService.Decrypt"),
            ("x-amzn-trace-id", SAMPLED),
        ],
        "{}",
    ))
    .unwrap();
    let flags = |status| {
        let s = subsegment(&call.document(status, call.start));
        (s["error"].as_bool().unwrap(), s["fault"].as_bool().unwrap())
    };
    assert_eq!(flags(Some(400)), (true, false));
    assert_eq!(flags(Some(503)), (false, true));
    assert_eq!(flags(None), (false, true));
    let s = subsegment(&call.document(None, call.start));
    assert_eq!(
        (s["name"].as_str(), s["aws"]["operation"].as_str()),
        (Some("KMS"), Some("Decrypt"))
    );
    assert!(s.get("http").is_none());
}

#[test]
fn the_service_and_operation_of_each_protocol_are_named() {
    for (uri, headers, body, service, operation) in [
        (
            "https://email.us-east-1.amazonaws.com/",
            vec![],
            "Action=SendRawEmail&Version=2010-12-01",
            "SES",
            "SendRawEmail",
        ),
        (
            "https://sqs.us-east-1.amazonaws.com/",
            vec![("x-amz-target", "AmazonSQS.SendMessage")],
            "{}",
            "SQS",
            "SendMessage",
        ),
        (
            "https://secretsmanager.us-east-1.amazonaws.com/",
            vec![("x-amz-target", "secretsmanager.GetSecretValue")],
            "{}",
            "SecretsManager",
            "GetSecretValue",
        ),
        (
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
            vec![],
            "{}",
            "BedrockRuntime",
            "converse",
        ),
    ] {
        let mut all = headers.clone();
        all.push(("x-amzn-trace-id", SAMPLED));
        let call = Call::of(&request(uri, &all, body)).unwrap();
        assert_eq!(
            (call.service, call.operation.as_str()),
            (service, operation),
            "{uri}"
        );
    }
}

#[test]
fn a_call_outside_a_sampled_trace_is_not_reported() {
    let unsampled = SAMPLED.replace("Sampled=1", "Sampled=0");
    let unsampled: &'static str = Box::leak(unsampled.into_boxed_str());
    for headers in [
        vec![],
        vec![("x-amzn-trace-id", unsampled)],
        vec![(
            "x-amzn-trace-id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
        )],
    ] {
        assert_eq!(
            Call::of(&request(
                "https://sqs.eu-west-1.amazonaws.com/",
                &headers,
                ""
            )),
            None
        );
    }
}

#[derive(Debug)]
struct Answers(u16);

impl HttpConnector for Answers {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::ready(Ok(HttpResponse::new(
            StatusCode::try_from(self.0).unwrap(),
            SdkBody::empty(),
        )))
    }
}

#[tokio::test]
async fn each_attempt_is_sent_to_the_daemon_and_the_answer_passed_on() {
    let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
    daemon
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    send_to(&daemon.local_addr().unwrap().to_string());
    let connector = TracedConnector(SharedHttpConnector::new(Answers(429)));
    let response = connector
        .call(request(
            "https://sqs.eu-west-1.amazonaws.com/",
            &[
                ("x-amz-target", "AmazonSQS.ReceiveMessage"),
                ("x-amzn-trace-id", SAMPLED),
            ],
            "{}",
        ))
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        429,
        "the answer is the inner client's"
    );
    let mut buf = [0u8; 4096];
    let n = daemon.recv(&mut buf).expect("a datagram");
    let s = subsegment(std::str::from_utf8(&buf[..n]).unwrap());
    assert_eq!(s["aws"]["operation"], "ReceiveMessage");
    assert_eq!(s["http"]["response"]["status"], 429);
    assert_eq!(s["error"], true);
    // Outside a sampled trace: nothing sent.
    connector
        .call(request("https://sqs.eu-west-1.amazonaws.com/", &[], "{}"))
        .await
        .unwrap();
    daemon
        .set_read_timeout(Some(std::time::Duration::from_millis(300)))
        .unwrap();
    assert!(daemon.recv(&mut buf).is_err(), "no datagram");
}
