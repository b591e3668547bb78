use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&'static str, &'static str)]) -> HashMap<&'static str, &'static str> {
    pairs.iter().copied().collect()
}

const PIPELINE: &[(&str, &str)] = &[
    ("TABLE_NAME", "t"),
    ("PIPELINE_QUEUE_URL", "https://sqs/q"),
    ("PIPECAT_AGENT_NAME", "meeting-bot"),
    (
        "PIPECAT_PRIVATE_KEY_SECRET",
        "pailflow/prod/pipecat-private-key",
    ),
    ("SES_SENDER", "Bot <bot@example.com>"),
    (
        "WEBHOOK_SECRET_KEY_ID",
        "alias/pailflow-prod-webhook-secrets",
    ),
];

#[test]
fn each_function_needs_only_its_own_variables() {
    assert!(StatusFunction::read(&env(&[("TABLE_NAME", "t")])).is_ok());
    assert!(ExportFunction::read(&env(&[("TABLE_NAME", "t")])).is_ok());
    let with_key = [("TABLE_NAME", "t"), ("WEBHOOK_SECRET_KEY_ID", "alias/k")];
    assert!(KeysFunction::read(&env(&with_key)).is_ok());
    assert!(EndpointFunction::read(&env(&[("TABLE_NAME", "t")])).is_ok());
    assert!(PingFunction::read(&env(&with_key)).is_ok());
    // The functions that encrypt (keys) or decrypt (ping) webhook secrets name the key.
    for missing in [
        KeysFunction::read(&env(&[("TABLE_NAME", "t")])).unwrap_err(),
        PingFunction::read(&env(&[("TABLE_NAME", "t")])).unwrap_err(),
    ] {
        assert_eq!(missing, ConfigError::Missing("WEBHOOK_SECRET_KEY_ID"));
    }
    assert!(StopFunction::read(&env(&[("TABLE_NAME", "t"), ("PIPELINE_QUEUE_URL", "q")])).is_ok());
    assert!(
        ReportFunction::read(&env(&[("TABLE_NAME", "t"), ("PIPELINE_QUEUE_URL", "q")])).is_ok()
    );
    assert!(PipelineFunction::read(&env(PIPELINE)).is_ok());
}

#[test]
fn a_missing_variable_is_named() {
    assert_eq!(
        StatusFunction::read(&env(&[])).unwrap_err(),
        ConfigError::Missing("TABLE_NAME")
    );
    assert_eq!(
        StatusFunction::read(&env(&[("TABLE_NAME", "  ")])).unwrap_err(),
        ConfigError::Missing("TABLE_NAME"),
        "blank is missing"
    );
    assert_eq!(
        ExportFunction::read(&env(&[])).unwrap_err(),
        ConfigError::Missing("TABLE_NAME")
    );
    let join = env(&[
        ("TABLE_NAME", "t"),
        ("PIPELINE_QUEUE_URL", "q"),
        ("PIPECAT_AGENT_NAME", "a"),
        ("PUBLIC_BASE_URL", "https://api.example.com"),
    ]);
    assert_eq!(
        JoinFunction::read(&join).unwrap_err(),
        ConfigError::Missing("PIPECAT_PUBLIC_KEY_SECRET")
    );
    let mut pipeline = env(PIPELINE);
    pipeline.remove("WEBHOOK_SECRET_KEY_ID");
    assert_eq!(
        PipelineFunction::read(&pipeline).unwrap_err(),
        ConfigError::Missing("WEBHOOK_SECRET_KEY_ID")
    );
}

#[test]
fn a_credential_in_the_environment_is_refused() {
    for (plain, secret) in [
        ("PIPECAT_PRIVATE_KEY", "PIPECAT_PRIVATE_KEY_SECRET"),
        ("OPENAI_API_KEY", "OPENAI_API_KEY_SECRET"),
    ] {
        let mut p = env(PIPELINE);
        p.insert("INSIGHTS_PROVIDER", "openai");
        p.insert("OPENAI_API_KEY_SECRET", "pailflow/prod/openai-api-key");
        p.insert(plain, "sk_live_in_the_environment");
        let e = PipelineFunction::read(&p).unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, ConfigError::Invalid { name, .. } if name == plain),
            "{text}"
        );
        assert!(text.contains(secret), "names where it belongs: {text}");
        assert!(!text.contains("sk_live_in_the_environment"), "{text}");
    }
    let mut join = env(JOIN);
    join.insert("PUBLIC_BASE_URL", "https://api.example.com");
    assert!(JoinFunction::read(&join).is_ok());
    join.insert("PIPECAT_PUBLIC_KEY", "pk_live");
    assert!(matches!(
        JoinFunction::read(&join).unwrap_err(),
        ConfigError::Invalid {
            name: "PIPECAT_PUBLIC_KEY",
            ..
        }
    ));
}

#[test]
fn an_invalid_value_is_named_with_why() {
    let e = StatusFunction::read(&env(&[
        ("TABLE_NAME", "t"),
        ("API_KEY_CACHE_SECONDS", "1m"),
    ]))
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "environment variable API_KEY_CACHE_SECONDS is invalid: '1m' is not a whole number of seconds"
    );
    let mut p = env(PIPELINE);
    p.insert("INSIGHTS_PROVIDER", "gpt");
    assert!(matches!(
        PipelineFunction::read(&p).unwrap_err(),
        ConfigError::Invalid {
            name: "INSIGHTS_PROVIDER",
            ..
        }
    ));
    p.insert("INSIGHTS_PROVIDER", "builtin");
    p.insert("WEBHOOK_ALLOW_INSECURE", "maybe");
    assert!(matches!(
        PipelineFunction::read(&p).unwrap_err(),
        ConfigError::Invalid {
            name: "WEBHOOK_ALLOW_INSECURE",
            ..
        }
    ));
}

#[test]
fn defaults_are_productions() {
    let s = PipelineFunction::read(&env(PIPELINE)).unwrap();
    assert_eq!(s.pipeline.exit_deadline, Duration::from_secs(900));
    assert_eq!(s.pipeline.lease, Duration::from_secs(120));
    assert_eq!(s.pipeline.webhook_backoff.base, Duration::from_secs(5));
    assert_eq!(s.url_policy, UrlPolicy::STRICT);
    assert_eq!(s.insights, InsightsSettings::Builtin);
    assert_eq!(s.pipecat.api_url, "https://api.pipecat.daily.co/v1");
    assert_eq!(
        s.pipecat.key,
        PipecatKey::Private,
        "the pipeline never holds the start key"
    );
    assert_eq!(s.pipecat.key_secret, "pailflow/prod/pipecat-private-key");
    assert_eq!(s.log.metrics_namespace, "PailFlow");
}

#[test]
fn the_results_base_url_is_optional_and_https() {
    assert_eq!(
        PipelineFunction::read(&env(PIPELINE))
            .unwrap()
            .pipeline
            .results_base_url,
        None
    );
    let mut p = env(PIPELINE);
    p.insert(
        "RESULTS_BASE_URL",
        "https://app.example.com/meetings/{bot_id}",
    );
    assert_eq!(
        PipelineFunction::read(&p)
            .unwrap()
            .pipeline
            .results_base_url
            .as_deref(),
        Some("https://app.example.com/meetings/{bot_id}")
    );
    for bad in [
        "http://app.example.com",
        "javascript:alert(1)",
        "https://user:pw@app.example.com",
        "app.example.com",
    ] {
        p.insert("RESULTS_BASE_URL", bad);
        assert!(
            matches!(
                PipelineFunction::read(&p).unwrap_err(),
                ConfigError::Invalid {
                    name: "RESULTS_BASE_URL",
                    ..
                }
            ),
            "{bad}"
        );
    }
    p.insert("RESULTS_BASE_URL", "http://127.0.0.1:9000");
    p.insert("WEBHOOK_ALLOW_INSECURE", "true");
    assert!(PipelineFunction::read(&p).is_ok(), "plain http locally");
}

#[test]
fn lambdas_log_level_and_the_metrics_namespace_are_read() {
    let mut p = env(PIPELINE);
    p.insert("AWS_LAMBDA_LOG_LEVEL", "WARN");
    p.insert("METRICS_NAMESPACE", "PailFlow/prod");
    let s = PipelineFunction::read(&p).unwrap();
    assert_eq!(s.log.lambda_level.as_deref(), Some("WARN"));
    assert_eq!(s.log.metrics_namespace, "PailFlow/prod");
}

#[test]
fn json_logs_follow_lambdas_log_format() {
    let s = StatusFunction::read(&env(&[
        ("TABLE_NAME", "t"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ]))
    .unwrap();
    assert!(s.log.json);
    assert!(
        !StatusFunction::read(&env(&[("TABLE_NAME", "t")]))
            .unwrap()
            .log
            .json
    );
}

#[test]
fn the_api_key_cache_is_at_most_a_minute() {
    let read = |v: &'static str| {
        StatusFunction::read(&env(&[("TABLE_NAME", "t"), ("API_KEY_CACHE_SECONDS", v)]))
    };
    assert_eq!(
        read("60").unwrap().table.api_key_cache,
        Duration::from_secs(60)
    );
    assert_eq!(read("0").unwrap().table.api_key_cache, Duration::ZERO);
    assert_eq!(
        read("3600").unwrap_err().to_string(),
        "environment variable API_KEY_CACHE_SECONDS is invalid: 3600 s is more than the limit of 60 s"
    );
}

const JOIN: &[(&str, &str)] = &[
    ("TABLE_NAME", "t"),
    ("PIPELINE_QUEUE_URL", "q"),
    ("PIPECAT_AGENT_NAME", "a"),
    (
        "PIPECAT_PUBLIC_KEY_SECRET",
        "pailflow/prod/pipecat-public-key",
    ),
];

#[test]
fn the_public_base_url_is_required_and_https() {
    assert_eq!(
        JoinFunction::read(&env(JOIN)).unwrap_err(),
        ConfigError::Missing("PUBLIC_BASE_URL"),
        "never guessed from a request's headers"
    );
    let with = |url: &'static str, insecure: &'static str| {
        let mut e = env(JOIN);
        e.insert("PUBLIC_BASE_URL", url);
        e.insert("WEBHOOK_ALLOW_INSECURE", insecure);
        JoinFunction::read(&e).map(|j| j.public_base_url)
    };
    assert_eq!(
        with("https://abc.execute-api.eu-west-1.amazonaws.com/", "false").unwrap(),
        PublicBaseUrl::Value("https://abc.execute-api.eu-west-1.amazonaws.com".into())
    );
    for bad in [
        "http://api.example.com",
        "ftp://x",
        "https://u:p@api.example.com",
        "api.example.com",
    ] {
        assert!(with(bad, "false").is_err(), "{bad}");
    }
    assert!(
        with("http://127.0.0.1:9000", "true").is_ok(),
        "local development"
    );
    let mut e = env(JOIN);
    e.insert(
        "PUBLIC_BASE_URL_PARAMETER",
        "/pailflow/prod/public-base-url",
    );
    assert_eq!(
        JoinFunction::read(&e).unwrap().public_base_url,
        PublicBaseUrl::Parameter("/pailflow/prod/public-base-url".into())
    );
}

#[test]
fn the_webhook_routes_check_urls_as_join_does() {
    let strict = PingFunction::read(&env(&[
        ("TABLE_NAME", "t"),
        ("WEBHOOK_SECRET_KEY_ID", "alias/k"),
    ]))
    .unwrap();
    assert_eq!(strict.url_policy, UrlPolicy::STRICT);
    let local = EndpointFunction::read(&env(&[
        ("TABLE_NAME", "t"),
        ("WEBHOOK_ALLOW_INSECURE", "true"),
    ]))
    .unwrap();
    assert_eq!(local.url_policy, UrlPolicy::LOCAL_DEVELOPMENT);
}
