//! What an operator sees of a request: API Gateway's request id in every error body (the
//! id a customer quotes), and the business metrics the handlers record.

use super::*;
use crate::api::error::{into_response, Operation};
use crate::testing::metrics::{names, recorded, Recorded};
use aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use domain::limits::AccountLimits;
use lambda_http::request::RequestContext;

/// A request as API Gateway hands it over, with its request id.
fn from_gateway(req: Request, request_id: &str) -> Request {
    let mut ctx = ApiGatewayV2httpRequestContext::default();
    ctx.request_id = Some(request_id.to_owned());
    req.with_request_context(RequestContext::ApiGatewayV2(ctx))
}

fn keys(body: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn a_500_keeps_the_contract_fields_adds_the_request_id_and_is_counted() {
    let err = ApiError::internal(Operation::Stop, "DynamoDB: throttled (table pailflow-prod)");
    let (response, metrics) =
        recorded(async { into_response(&err, Flavor::PailFlow, "Qx1abc=") }).await;
    let (status, body) = respond(response);
    assert_eq!(status, 500);
    assert_eq!(keys(&body), ["detail", "error", "message", "request_id"]);
    assert_eq!(body["error"], "server_error");
    assert_eq!(body["detail"], "Failed to stop bot. Please try again.");
    assert_eq!(
        body["message"],
        "An error occurred while processing your request."
    );
    assert_eq!(body["request_id"], "Qx1abc=");
    assert!(
        !body.to_string().contains("throttled"),
        "the cause stays in the log"
    );
    assert_eq!(
        metrics,
        [Recorded::new("ServerErrors", Some("Operation=stop"))]
    );

    let err = ApiError::internal(Operation::Stop, "boom");
    let (status, body) = respond(into_response(&err, Flavor::Pipecat, "Qx2"));
    assert_eq!(status, 500);
    assert_eq!(keys(&body), ["code", "error", "request_id"]);
    assert_eq!(body["request_id"], "Qx2");
}

#[tokio::test]
async fn every_refusal_answers_api_gateways_request_id() {
    let w = World::new();
    let req = from_gateway(request("POST", None, join_body().to_string(), &[]), "Jn1=");
    let (status, body) = respond(w.join_handler().handle(req).await);
    assert_eq!(status, 401);
    assert_pailflow_error(&body, "authentication_error");
    assert_eq!(body["request_id"], "Jn1=");

    let mut p = params("sessionId", "not-a-uuid");
    p.insert("agentName".into(), "meeting-bot".into());
    let req = request("DELETE", Some(&w.key), String::new(), &[]).with_path_parameters(p);
    let (status, body) = respond(w.stop_handler().handle(from_gateway(req, "Pc1=")).await);
    assert_eq!(status, 400);
    assert_eq!(keys(&body), ["code", "error", "request_id"]);
    assert_eq!(body["request_id"], "Pc1=");

    let req = request("GET", Some(&w.key), String::new(), &[])
        .with_path_parameters(params("bot_id", &BotId::new().to_string()));
    let (status, body) = respond(w.status_handler().handle(from_gateway(req, "St1=")).await);
    assert_eq!(status, 404);
    assert_eq!(body["request_id"], "St1=");
}

#[tokio::test]
async fn a_refused_bot_start_counts_the_refusal_and_the_failed_session() {
    let w = World::new();
    *w.runtime.start_error.lock().unwrap() = Some(RuntimeError::Refused {
        status: 401,
        detail: "bad key".into(),
    });
    let ((status, _), metrics) = recorded(w.join(join_body())).await;
    assert_eq!(status, 502);
    assert_eq!(
        metrics,
        [
            Recorded::new("BotStartsRefused", Some("Reason=auth_error")),
            Recorded::new("SessionsFailed", Some("Reason=bot_start_failed")),
        ]
    );
}

#[tokio::test]
async fn a_join_over_a_limit_is_counted_by_limit_and_a_started_bot_is_not() {
    let w = World::new();
    let ((status, _), metrics) = recorded(w.join(join_body())).await;
    assert_eq!(status, 200);
    assert!(metrics.is_empty(), "{metrics:?}");
    w.store.set_limits(
        "acme",
        AccountLimits {
            active_bots: Some(1),
            ..Default::default()
        },
    );
    let ((status, _), metrics) = recorded(w.join(join_body())).await;
    assert_eq!(status, 429);
    assert_eq!(names(&metrics), ["LimitRefusals"]);
    assert_eq!(metrics[0].dimension.as_deref(), Some("Limit=active_bots"));
}
