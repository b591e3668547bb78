use super::*;
use crate::delivery::default_webhook_events;
use serde_json::json;

fn parse(v: Value) -> Result<JoinRequest, JoinRequestError> {
    JoinRequest::parse(v.to_string().as_bytes(), &JoinPolicy::strict())
}

fn minimal() -> Value {
    json!({"room_url": "https://acme.daily.co/standup", "bot_config": {"bot_prompt": "Take notes"}})
}

#[test]
fn minimal_body_gets_the_documented_defaults() {
    let r = parse(minimal()).unwrap();
    assert_eq!(r.provider, "daily");
    assert!(r.process_insights);
    assert!(r.email.is_none() && r.webhook_callback_url.is_none() && r.token.is_none());
}

#[test]
fn fingerprint_ignores_key_order_and_whitespace() {
    let a = JoinRequest::parse(
        br#"{"room_url":"https://a.daily.co/x","bot_config":{"bot_prompt":"p"}}"#,
        &JoinPolicy::strict(),
    )
    .unwrap();
    let b = JoinRequest::parse(
        b"{ \"bot_config\": {\"bot_prompt\": \"p\"},\n \"room_url\": \"https://a.daily.co/x\" }",
        &JoinPolicy::strict(),
    )
    .unwrap();
    assert_eq!(a.fingerprint, b.fingerprint);
}

#[test]
fn missing_required_fields_are_named() {
    assert_eq!(
        parse(json!({"bot_config": {"bot_prompt": "x"}})).unwrap_err(),
        JoinRequestError::Missing("room_url")
    );
    assert_eq!(
        parse(json!({"room_url": "https://a.daily.co/x"})).unwrap_err(),
        JoinRequestError::Missing("bot_config")
    );
    assert_eq!(
        parse(json!({"room_url": "https://a.daily.co/x", "bot_config": {}})).unwrap_err(),
        JoinRequestError::Missing("bot_config.bot_prompt")
    );
}

#[test]
fn wrong_types_are_named() {
    let mut v = minimal();
    v["process_insights"] = json!("yes");
    assert_eq!(
        parse(v).unwrap_err().to_string(),
        "Field 'process_insights' must be a boolean"
    );
    let mut v = minimal();
    v["room_url"] = json!(42);
    assert_eq!(
        parse(v).unwrap_err().to_string(),
        "Field 'room_url' must be a string"
    );
    let mut v = minimal();
    v["bot_config"] = json!("prompt");
    assert_eq!(
        parse(v).unwrap_err().to_string(),
        "Field 'bot_config' must be an object"
    );
    let mut v = minimal();
    v["bot_config"]["name"] = json!(["x"]);
    assert_eq!(
        parse(v).unwrap_err().to_string(),
        "Field 'bot_config.name' must be a string"
    );
}

#[test]
fn bad_values_are_refused() {
    for (field, value) in [
        ("email", json!("not-an-email")),
        ("email", json!("a@b.com\r\nBcc: x@y.com")),
        ("webhook_callback_url", json!("http://example.com/hook")),
        ("webhook_callback_url", json!("https://169.254.169.254/")),
        ("room_url", json!("not a url")),
        ("room_url", json!("https://a.daily.co/r\r\nBcc: x@y.com")),
        ("room_url", json!("https://a.daily.co/r\tx")),
        ("room_url", json!("ftp://x.daily.co/r")),
        ("provider", json!("Daily Co")),
    ] {
        let mut v = minimal();
        v[field] = value.clone();
        assert!(parse(v).is_err(), "{field}={value} should be refused");
    }
}

#[test]
fn non_json_and_non_objects_are_refused() {
    assert!(matches!(
        JoinRequest::parse(b"room_url=x", &JoinPolicy::strict()),
        Err(JoinRequestError::NotJson(_))
    ));
    assert_eq!(
        JoinRequest::parse(b"[1]", &JoinPolicy::strict()).unwrap_err(),
        JoinRequestError::NotAnObject
    );
}

#[test]
fn room_urls_with_credentials_or_off_provider_hosts_are_refused() {
    for url in [
        "https://login.bank.example@evil.example/",
        "https://evil.example/standup",
    ] {
        let mut body = minimal();
        body["room_url"] = json!(url);
        let e = parse(body).unwrap_err().to_string();
        assert!(e.starts_with("Field 'room_url' must"), "{url}: {e}");
    }
}

#[test]
fn email_on_failure_is_off_unless_asked() {
    assert!(!parse(minimal()).unwrap().email_on_failure);
    let mut body = minimal();
    body["email_on_failure"] = json!(true);
    assert!(parse(body.clone()).unwrap().email_on_failure);
    body["email_on_failure"] = json!("yes");
    assert_eq!(
        parse(body).unwrap_err().to_string(),
        "Field 'email_on_failure' must be a boolean"
    );
}

#[test]
fn metadata_events_and_retention_are_parsed_with_clear_refusals() {
    let mut body = minimal();
    body["metadata"] = json!({"team": "sales"});
    body["webhook_events"] = json!(["status_change", "session_complete", "status_change"]);
    body["retention_hours"] = json!(48);
    let r = parse(body).unwrap();
    assert_eq!(r.metadata.get("team"), Some("sales"));
    assert_eq!(
        r.webhook_events,
        vec![WebhookEvent::StatusChange, WebhookEvent::SessionComplete]
    );
    assert_eq!(r.retention_hours, Some(48));
    let defaults = parse(minimal()).unwrap();
    assert_eq!(defaults.webhook_events, default_webhook_events());
    assert_eq!(defaults.retention_hours, None);
    for (field, value, expect) in [
        (
            "metadata",
            json!({"a b": "x"}),
            "Field 'metadata' has the key 'a b'",
        ),
        (
            "metadata",
            json!({"k": 7}),
            "Field 'metadata.k' must be a string",
        ),
        (
            "webhook_events",
            json!(["everything"]),
            "Field 'webhook_events' must list events",
        ),
        (
            "webhook_events",
            json!("status_change"),
            "Field 'webhook_events' must be an array",
        ),
        (
            "retention_hours",
            json!(0),
            "Field 'retention_hours' must be a whole number of hours from 1 to 8760",
        ),
        ("retention_hours", json!(8761), "from 1 to 8760"),
        ("retention_hours", json!(1.5), "from 1 to 8760"),
    ] {
        let mut body = minimal();
        body[field] = value;
        let e = parse(body).unwrap_err().to_string();
        assert!(e.contains(expect), "{field}: {e}");
    }
}

#[test]
fn a_join_without_its_own_url_takes_the_account_endpoint_and_its_events() {
    let endpoint = crate::webhook_endpoint::WebhookEndpoint {
        url: WebhookUrl::parse("https://hooks.example.com/acct", UrlPolicy::STRICT).unwrap(),
        events: vec![WebhookEvent::StatusChange],
        updated_at: crate::now(),
    };
    let mut plain = parse(minimal()).unwrap();
    plain.or_account_endpoint(Some(&endpoint));
    assert_eq!(plain.webhook_callback_url, Some(endpoint.url.clone()));
    assert_eq!(plain.webhook_events, vec![WebhookEvent::StatusChange]);

    let mut own = minimal();
    own["webhook_callback_url"] = json!("https://hooks.example.com/own");
    let mut own = parse(own).unwrap();
    own.or_account_endpoint(Some(&endpoint));
    assert_eq!(
        own.webhook_callback_url.unwrap().as_str(),
        "https://hooks.example.com/own",
        "the join's own URL overrides the endpoint"
    );
    assert_eq!(own.webhook_events, default_webhook_events());

    let mut none = parse(minimal()).unwrap();
    none.or_account_endpoint(None);
    assert!(none.webhook_callback_url.is_none());
}
