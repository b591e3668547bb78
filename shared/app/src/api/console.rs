//! `GET /console` and `GET /console/{asset}`: the web console's files, embedded in the
//! binary. The console is a client of the public API like any other (it sends the key the
//! user typed, from the tab's session storage); this handler reads no data and needs no
//! key, so it has no port. Every answer, errors included, carries the strict headers: a
//! Content-Security-Policy that allows only this origin's scripts and styles (no inline
//! code, no `eval`), no framing, no MIME sniffing, no referrer.

use super::error::{into_response, ApiError, Flavor};
use super::http::request_id;
use lambda_http::http::header::{HeaderName, HeaderValue};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

/// One embedded file, served at `/console/{name}` (`index.html` also at `/console`).
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The policy of every answer. `blob:` images and `connect-src 'self'` are what the
/// exports (fetched with the key, saved through a Blob URL) and the API calls need.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// Names are not fingerprinted, so a browser revalidates each file (a cheap 304 by ETag)
/// and a deployed change shows at the next load.
const CACHE_CONTROL: &str = "no-cache";

pub struct ConsoleHandler {
    assets: &'static [Asset],
}

impl ConsoleHandler {
    pub fn new(assets: &'static [Asset]) -> Self {
        Self { assets }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("console", %request_id);
        let _entered = span.enter();
        let mut response = match self.route(&req) {
            Ok(response) => response,
            Err(err) => into_response(&err, Flavor::PailFlow, &request_id),
        };
        let status = response.status();
        if status == 405 {
            response
                .headers_mut()
                .insert("allow", HeaderValue::from_static("GET, HEAD"));
        }
        let headers = response.headers_mut();
        for (name, value) in SECURITY_HEADERS {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        headers.insert(
            "cache-control",
            HeaderValue::from_static(if status.is_success() || status == 304 {
                CACHE_CONTROL
            } else {
                "no-store"
            }),
        );
        response
    }

    fn route(&self, req: &Request) -> Result<Response<Body>, ApiError> {
        let head = match req.method().as_str() {
            "GET" => false,
            "HEAD" => true,
            method => return Err(ApiError::MethodNotAllowed(method.to_owned())),
        };
        let asset = self.find(req.uri().path())?;
        let etag = etag(asset.body);
        let fresh = req
            .headers()
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
        let builder = Response::builder()
            .header("etag", &etag)
            .header("content-type", asset.content_type);
        let response = if fresh {
            builder.status(304).body(Body::Empty)
        } else if head {
            builder
                .status(200)
                .header("content-length", asset.body.len())
                .body(Body::Empty)
        } else {
            builder.status(200).body(Body::Text(asset.body.to_owned()))
        };
        Ok(response.expect("static response parts are valid"))
    }

    /// `/console` and `/console/` are the page; `/console/{name}` one of the files.
    fn find(&self, path: &str) -> Result<&'static Asset, ApiError> {
        let name = match path.strip_prefix("/console") {
            Some("" | "/") => "index.html",
            Some(rest) => rest.strip_prefix('/').unwrap_or(path),
            None => path,
        };
        self.assets
            .iter()
            .find(|a| a.name == name)
            .ok_or_else(|| ApiError::Missing(format!("The console has no file '{name}'.")))
    }
}

/// A strong validator of the file's bytes.
fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("\"{}\"", hex::encode(&digest[..12]))
}

#[cfg(test)]
mod tests;
