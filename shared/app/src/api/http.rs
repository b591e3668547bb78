//! Small helpers over `lambda_http` requests and responses.

use super::error::ApiError;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

pub fn json_response<T: Serialize + ?Sized>(status: u16, body: &T) -> Response<Body> {
    let bytes = serde_json::to_string(body).expect("response bodies always serialise");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(bytes))
        .expect("static response parts are valid")
}

/// A success body that is not JSON (an exported transcript); errors stay JSON (`error.rs`).
pub fn text_response(status: u16, content_type: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::Text(body))
        .expect("static response parts are valid")
}

pub fn path_param(req: &Request, name: &str) -> Option<String> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
}

pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

/// JSON bodies must say so; a missing Content-Type is tolerated, any other type is 415.
pub fn require_json(req: &Request) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let raw = value.to_str().unwrap_or("<binary>");
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(
            raw.chars().take(100).collect(),
        ))
    }
}

pub fn limit_body(req: &Request, limit: usize) -> Result<&[u8], ApiError> {
    let body = body_bytes(req);
    if body.len() > limit {
        return Err(ApiError::PayloadTooLarge {
            size: body.len(),
            limit,
        });
    }
    Ok(body)
}

/// The request's id: API Gateway's (what a customer quoting a 500 can be found by), else
/// the Lambda invocation's. Every log line of a request carries it (the handler's span).
pub fn request_id(req: &Request) -> String {
    let gateway = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    gateway
        .or_else(|| req.lambda_context_ref().map(|c| c.request_id.clone()))
        .unwrap_or_default()
}
