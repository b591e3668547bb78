//! What `infra/template.yaml` promises about the account it is deployed to, read from the
//! template itself (cfn-lint and `sam validate` check its shape, not these rules): no
//! credential in a function's environment, each secret readable only by the function that
//! needs it, and webhook signing secrets decryptable only by the functions that sign.

use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use xtask::bootstrap;

fn template() -> Value {
    let text = std::fs::read_to_string(bootstrap::template_path()).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The target of `!Ref X` or `!GetAtt X.Attr` (`X`).
fn target(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str(),
        Value::Tagged(t) if t.tag == "GetAtt" => t.value.as_str()?.split('.').next(),
        _ => None,
    }
}

/// Every `!Ref`/`!GetAtt` target anywhere under `v` (inside `!If`, lists, maps), pseudo
/// parameters (`AWS::NoValue`, …) left out.
fn targets(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        if let Some(t) = target(v).filter(|t| !t.starts_with("AWS::")) {
            out.insert(t.to_owned());
        }
        match v {
            Value::Tagged(t) => walk(&t.value, out),
            Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
            Value::Mapping(m) => m.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// Every IAM statement (a mapping with `Action`) anywhere under `v`.
fn statements(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Mapping(m) if m.contains_key("Action") => out.push(v),
            Value::Tagged(t) => walk(&t.value, out),
            Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
            Value::Mapping(m) => m.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(s) => s
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    }
}

fn resources_of_type<'a>(doc: &'a Value, kind: &str) -> BTreeMap<&'a str, &'a Value> {
    doc["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(name, r)| (name.as_str().unwrap(), r))
        .collect()
}

/// Each function's environment variables, the template's globals included.
fn environments(doc: &Value) -> BTreeMap<&str, BTreeMap<String, Value>> {
    let globals = doc["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    resources_of_type(doc, "AWS::Serverless::Function")
        .into_iter()
        .map(|(name, f)| {
            let mut env: BTreeMap<String, Value> = globals
                .iter()
                .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
                .collect();
            if let Some(own) = f["Properties"]["Environment"]["Variables"].as_mapping() {
                env.extend(
                    own.iter()
                        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone())),
                );
            }
            (name, env)
        })
        .collect()
}

#[test]
fn no_credential_is_in_a_functions_environment_and_each_secret_is_read_by_its_function_only() {
    let doc = template();
    let no_echo: BTreeSet<String> = doc["Parameters"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, p)| p["NoEcho"].as_bool() == Some(true))
        .map(|(n, _)| n.as_str().unwrap().to_owned())
        .collect();
    assert!(no_echo.contains("PipecatPrivateKey") && no_echo.contains("OpenAiApiKey"));
    let secrets = resources_of_type(&doc, "AWS::SecretsManager::Secret");
    for (name, secret) in &secrets {
        assert!(
            targets(&secret["Properties"]["SecretString"]).is_subset(&no_echo),
            "{name} holds a NoEcho parameter"
        );
    }
    let functions = resources_of_type(&doc, "AWS::Serverless::Function");
    let mut readers: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (function, env) in environments(&doc) {
        for (variable, value) in &env {
            let refs = targets(value);
            assert!(
                refs.is_disjoint(&no_echo),
                "{function}: {variable} is a credential in the environment"
            );
            if variable.ends_with("_SECRET") {
                assert_eq!(refs.len(), 1, "{function}: {variable} names one secret");
                let secret = refs.into_iter().next().unwrap();
                assert!(
                    secrets.contains_key(secret.as_str()),
                    "{variable}: {secret}"
                );
                readers.entry(secret).or_default().insert(function);
            }
        }
    }
    assert_eq!(
        readers.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        secrets.keys().copied().collect(),
        "every secret is read by some function"
    );
    // IAM: GetSecretValue exactly on the secrets a function's environment names.
    for (function, f) in &functions {
        for statement in statements(&f["Properties"]["Policies"]) {
            if !actions(statement)
                .iter()
                .any(|a| a.starts_with("secretsmanager:"))
            {
                continue;
            }
            assert_eq!(actions(statement), ["secretsmanager:GetSecretValue"]);
            let granted = targets(&statement["Resource"]);
            assert!(!granted.is_empty(), "{function}: a secret named, never *");
            for secret in granted {
                assert!(
                    readers.get(&secret).is_some_and(|r| r.contains(function)),
                    "{function} may read {secret}, which it does not use"
                );
            }
        }
    }
    for (secret, functions_reading) in &readers {
        for function in functions_reading {
            let allowed = statements(&functions[function]["Properties"]["Policies"])
                .into_iter()
                .any(|s| {
                    actions(s).contains(&"secretsmanager:GetSecretValue".to_owned())
                        && targets(&s["Resource"]).contains(secret)
                });
            assert!(allowed, "{function} names {secret} but may not read it");
        }
    }
}

/// The functions that sign webhooks: the pipeline (every delivery) and the ping (a test
/// event). The keys function rotates secrets, which needs Encrypt only.
const SIGNERS: [&str; 2] = ["PipelineFunction", "PingFunction"];

#[test]
fn only_the_functions_that_sign_may_decrypt_webhook_secrets() {
    let doc = template();
    let key = &doc["Resources"]["WebhookSecretKey"];
    assert_eq!(key["Type"].as_str(), Some("AWS::KMS::Key"));
    assert_eq!(key["DeletionPolicy"].as_str(), Some("Retain"));
    let naming_the_key: BTreeSet<&str> = environments(&doc)
        .into_iter()
        .filter(|(_, env)| {
            env.get("WEBHOOK_SECRET_KEY_ID")
                .is_some_and(|v| targets(v).contains("WebhookSecretKey"))
        })
        .map(|(f, _)| f)
        .collect();
    for signer in SIGNERS {
        assert!(naming_the_key.contains(signer), "{signer} names the key");
    }
    let mut decrypters = BTreeSet::new();
    for statement in statements(&key["Properties"]["KeyPolicy"]) {
        let acts = actions(statement);
        assert!(!acts.iter().any(|a| a == "kms:*"), "no kms:* for anyone");
        if acts.iter().any(|a| a == "kms:Decrypt") {
            decrypters.extend(targets(&statement["Principal"]));
        }
    }
    decrypters.remove("WebhookSecretReaderArn");
    let roles: BTreeSet<String> = SIGNERS.iter().map(|f| format!("{f}Role")).collect();
    assert_eq!(decrypters, roles);
    // IAM grants no Decrypt (the key policy would not honour it); Encrypt only on this key,
    // to functions that name it.
    for (name, function) in functions(&doc) {
        for statement in statements(&function["Properties"]["Policies"]) {
            let acts = actions(statement);
            assert!(
                !acts.iter().any(|a| a == "kms:Decrypt" || a == "kms:*"),
                "{name}"
            );
            if acts.iter().any(|a| a.starts_with("kms:")) {
                assert_eq!(acts, ["kms:Encrypt"], "{name}");
                assert!(targets(&statement["Resource"]).contains("WebhookSecretKey"));
                assert!(naming_the_key.contains(name), "{name}");
            }
        }
    }
}

fn functions(doc: &Value) -> BTreeMap<&str, &Value> {
    resources_of_type(doc, "AWS::Serverless::Function")
}

fn serves_http(function: &Value) -> bool {
    function["Properties"]["Events"]
        .as_mapping()
        .is_some_and(|e| e.values().any(|e| e["Type"].as_str() == Some("HttpApi")))
}

#[test]
fn every_function_is_traced_and_logs_to_a_group_that_expires_and_the_api_logs_each_request() {
    let doc = template();
    assert_eq!(
        doc["Globals"]["Function"]["Tracing"].as_str(),
        Some("Active")
    );
    let log_groups = resources_of_type(&doc, "AWS::Logs::LogGroup");
    for (name, group) in &log_groups {
        assert_eq!(
            targets(&group["Properties"]["RetentionInDays"]),
            BTreeSet::from(["LogRetentionDays".to_owned()]),
            "{name} expires after the parameter's days"
        );
    }
    let mut used = BTreeSet::new();
    for (name, function) in functions(&doc) {
        assert!(function["Properties"].get("Tracing").is_none(), "{name}");
        let group = targets(&function["Properties"]["LoggingConfig"]["LogGroup"]);
        assert_eq!(group.len(), 1, "{name} names its log group");
        let group = group.into_iter().next().unwrap();
        assert!(log_groups.contains_key(group.as_str()), "{name}: {group}");
        assert!(used.insert(group.clone()), "{name} shares {group}");
    }
    let access = &doc["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"];
    assert!(targets(&access["DestinationArn"])
        .is_subset(&log_groups.keys().map(|k| k.to_string()).collect()));
    let format: serde_json::Value =
        serde_json::from_str(access["Format"].as_str().unwrap()).expect("one JSON line");
    assert_eq!(format["request_id"], "$context.requestId");
    assert!(
        !format.to_string().contains("header"),
        "no header is logged"
    );
}

#[test]
fn the_table_outlives_the_stack_and_http_functions_deploy_gradually_with_a_rollback_alarm() {
    let doc = template();
    let table = &doc["Resources"]["Table"];
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(table["UpdateReplacePolicy"].as_str(), Some("Retain"));
    let mut http = 0;
    for (name, function) in functions(&doc) {
        let props = &function["Properties"];
        if serves_http(function) {
            http += 1;
            assert_eq!(props["AutoPublishAlias"].as_str(), Some("live"), "{name}");
            let preference = &props["DeploymentPreference"];
            assert_eq!(
                targets(&preference["Type"]),
                BTreeSet::from(["DeploymentType".to_owned()])
            );
            assert!(
                targets(&preference["Alarms"]).contains("ServerErrorsAlarm"),
                "{name} rolls back on 500s"
            );
        }
    }
    assert!(http >= 12, "{http} HTTP functions");
}

/// The pipeline drains the queue with at most rate/10 instances (a batch of 10 at once, about
/// a second each), at least Lambda's minimum of 2, and reserves what it may use.
#[test]
fn the_pipeline_drains_no_faster_than_ses_sends() {
    let doc = template();
    let rates: Vec<u64> = doc["Parameters"]["SesMaxSendRate"]["AllowedValues"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mapping = &doc["Mappings"]["PipelineConcurrency"];
    for rate in rates {
        let instances = mapping[rate.to_string().as_str()]["Instances"]
            .as_u64()
            .unwrap_or_else(|| panic!("no concurrency for {rate}/s"));
        assert!(instances >= 2, "Lambda's minimum");
        assert!(
            instances * 10 <= rate.max(20),
            "{rate}/s: {instances} instances"
        );
    }
    let pipeline = &doc["Resources"]["PipelineFunction"];
    let source = &pipeline["Properties"]["Events"]["Queue"]["Properties"];
    let batch = source["BatchSize"].as_u64().unwrap();
    assert_eq!(batch, 10, "the mapping assumes batches of 10");
    let maximum = &source["ScalingConfig"]["MaximumConcurrency"];
    assert!(targets(maximum).contains("SesMaxSendRate"), "{maximum:?}");
    let Value::Tagged(reserved) = &pipeline["Properties"]["ReservedConcurrentExecutions"] else {
        panic!("the pipeline's reservation is !If ReservesPipeline");
    };
    assert_eq!(reserved.value[0].as_str(), Some("ReservesPipeline"));
    assert_eq!(&reserved.value[1], maximum, "reserves what it may use");
}

#[test]
fn every_business_alarm_watches_a_metric_the_code_writes() {
    use app::metrics::Metric;
    use domain::timeline::SubCode;
    let doc = template();
    let written: BTreeSet<&str> = [
        Metric::SessionCompleted,
        Metric::SessionFailed(SubCode::ExitDeadlineExceeded),
        Metric::EmptyTranscript,
        Metric::BotStartRefused("x"),
        Metric::EmailSent,
        Metric::EmailRejected,
        Metric::EmailGivenUp,
        Metric::WebhookDelivered,
        Metric::WebhookGivenUp,
        Metric::LlmFallback("x"),
        Metric::LimitRefused("x"),
        Metric::ServerError("x"),
    ]
    .iter()
    .map(|m| m.name())
    .collect();
    let namespace = serde_yaml::to_string(
        &doc["Globals"]["Function"]["Environment"]["Variables"]["METRICS_NAMESPACE"],
    )
    .unwrap();
    let mut watched = BTreeSet::new();
    for (name, alarm) in resources_of_type(&doc, "AWS::CloudWatch::Alarm") {
        let props = &alarm["Properties"];
        if props["Namespace"]
            .as_str()
            .is_some_and(|n| n.starts_with("AWS/"))
            || props.get("Metrics").is_some()
        {
            continue;
        }
        assert_eq!(
            serde_yaml::to_string(&props["Namespace"]).unwrap(),
            namespace,
            "{name}"
        );
        let metric = props["MetricName"].as_str().unwrap();
        assert!(
            written.contains(metric),
            "{name} watches {metric}, which nothing writes"
        );
        for dimension in props["Dimensions"].as_sequence().into_iter().flatten() {
            let (key, value) = (
                dimension["Name"].as_str().unwrap(),
                dimension["Value"].as_str().unwrap(),
            );
            assert_eq!(
                (key, value),
                ("Reason", SubCode::ExitDeadlineExceeded.as_str()),
                "{name}"
            );
            assert_eq!(
                Metric::SessionFailed(SubCode::ExitDeadlineExceeded).dimension(),
                Some((key, value))
            );
        }
        watched.insert(metric);
    }
    for must in [
        "ServerErrors",
        "SessionsFailed",
        "BotStartsRefused",
        "EmailsRejected",
        "EmailsGivenUp",
        "WebhooksGivenUp",
        "LlmFallbacks",
    ] {
        assert!(watched.contains(must), "no alarm on {must}");
    }
}
