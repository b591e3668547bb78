//! The console's files and headers, with a small table of files standing in for the real one.

use super::*;
use lambda_http::http::Method;

static ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        body: "<!doctype html><title>console</title>",
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: "export const x = 1;",
    },
];

fn request(method: &str, path: &str) -> Request {
    let mut req = Request::new(Body::Empty);
    *req.method_mut() = Method::from_bytes(method.as_bytes()).unwrap();
    *req.uri_mut() = format!("http://localhost{path}").parse().unwrap();
    req
}

async fn answer(method: &str, path: &str) -> Response<Body> {
    ConsoleHandler::new(ASSETS)
        .handle(request(method, path))
        .await
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn body(response: &Response<Body>) -> &str {
    match response.body() {
        Body::Text(text) => text,
        Body::Empty => "",
        Body::Binary(_) => panic!("binary body"),
        _ => panic!("unexpected body"),
    }
}

fn assert_strict_headers(response: &Response<Body>) {
    let csp = header(response, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
    assert_eq!(header(response, "x-frame-options"), "DENY");
    assert!(response.headers().contains_key("cache-control"));
}

#[tokio::test]
async fn console_root_is_the_page_with_strict_headers() {
    for path in ["/console", "/console/", "/console/index.html"] {
        let response = answer("GET", path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(body(&response), ASSETS[0].body);
        assert_eq!(header(&response, "cache-control"), "no-cache");
        assert_strict_headers(&response);
    }
}

#[tokio::test]
async fn a_script_is_served_with_its_own_content_type() {
    let response = answer("GET", "/console/app.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(body(&response), "export const x = 1;");
    assert_strict_headers(&response);
}

#[tokio::test]
async fn unknown_file_is_404_json_with_strict_headers_and_no_caching() {
    for path in ["/console/secret.txt", "/console/../api/keys", "/elsewhere"] {
        let response = answer("GET", path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(header(&response, "content-type"), "application/json");
        let error: serde_json::Value = serde_json::from_str(body(&response)).unwrap();
        assert_eq!(error["error"], "not_found");
        assert_eq!(header(&response, "cache-control"), "no-store");
        assert_strict_headers(&response);
    }
}

#[tokio::test]
async fn head_has_the_headers_and_length_without_a_body() {
    let response = answer("HEAD", "/console/app.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(body(&response), "");
    assert_eq!(header(&response, "content-length"), "19");
    assert_strict_headers(&response);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    for method in ["POST", "PUT", "DELETE"] {
        let response = answer(method, "/console").await;
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(header(&response, "allow"), "GET, HEAD");
        assert_strict_headers(&response);
    }
}

#[tokio::test]
async fn a_matching_etag_is_304_without_a_body() {
    let first = answer("GET", "/console/app.js").await;
    let etag = header(&first, "etag").to_owned();
    let mut req = request("GET", "/console/app.js");
    req.headers_mut()
        .insert("if-none-match", etag.parse().unwrap());
    let again = ConsoleHandler::new(ASSETS).handle(req).await;
    assert_eq!(again.status(), 304);
    assert_eq!(body(&again), "");
    assert_strict_headers(&again);

    let mut req = request("GET", "/console/app.js");
    req.headers_mut()
        .insert("if-none-match", "\"other\"".parse().unwrap());
    let changed = ConsoleHandler::new(ASSETS).handle(req).await;
    assert_eq!(changed.status(), 200);
}
