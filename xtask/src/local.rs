//! The local stack's fixed interface (DESIGN.md "Running it on one machine"), with every
//! address and name overridable from the environment.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The repository's root: the nearest directory above the working directory holding
/// `infra/template.yaml` (every script runs from the root). Not the build-time manifest
/// path: one `CARGO_TARGET_DIR` serves several clones (CI's and the working one), and cargo
/// does not rebuild a binary whose sources are unchanged when only the clone's path moved.
pub fn repo_root() -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    cwd.ancestors()
        .find(|dir| dir.join("infra/template.yaml").is_file())
        .map(std::path::Path::to_path_buf)
        .unwrap_or(cwd)
}

/// The functions' environment under `cargo lambda watch`: the
/// `[workspace.metadata.lambda.watch.env]` table of the workspace's Cargo.toml.
pub fn watch_env(manifest: &Path) -> Result<HashMap<String, String>, String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    watch_env_table(&text).map_err(|e| format!("{}: {e}", manifest.display()))
}

fn watch_env_table(manifest: &str) -> Result<HashMap<String, String>, String> {
    let manifest: toml::Table = toml::from_str(manifest).map_err(|e| e.to_string())?;
    let table = ["workspace", "metadata", "lambda", "watch", "env"]
        .iter()
        .try_fold(&manifest, |table, key| table.get(*key)?.as_table())
        .ok_or("no [workspace.metadata.lambda.watch.env]")?;
    table
        .iter()
        .map(|(key, value)| match value.as_str() {
            Some(value) => Ok((key.clone(), value.to_owned())),
            None => Err(format!(
                "[workspace.metadata.lambda.watch.env]: {key} is not a string"
            )),
        })
        .collect()
}

pub fn emulator_url() -> String {
    env_or("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
}

pub fn api_url() -> String {
    env_or("PAILFLOW_API_URL", "http://127.0.0.1:9000")
}

pub fn standin_addr() -> String {
    env_or("STANDIN_ADDR", "127.0.0.1:9100")
}

pub fn receiver_addr() -> String {
    env_or("RECEIVER_ADDR", "127.0.0.1:9200")
}

pub fn table_name() -> String {
    env_or("TABLE_NAME", "pailflow-local")
}

pub fn queue_name() -> String {
    env_or("PIPELINE_QUEUE_NAME", "pailflow-local-pipeline")
}

pub fn ses_sender() -> String {
    env_or("SES_SENDER", "PailFlow Bots <bots@pailflow.local>")
}

/// The secrets `xtask bootstrap` puts in the emulator for the functions: the variable
/// naming each (Cargo.toml's watch table), the secret's name, and its local value (the
/// stand-in's keys). No credential is an environment variable, locally either.
pub const LOCAL_SECRETS: &[(&str, &str, &str)] = &[
    (
        "PIPECAT_PUBLIC_KEY_SECRET",
        "pailflow-local/pipecat-public-key",
        "pk_local",
    ),
    (
        "PIPECAT_PRIVATE_KEY_SECRET",
        "pailflow-local/pipecat-private-key",
        "sk_local",
    ),
];

/// The local value of the secret the function variable `variable` names.
pub fn local_secret(variable: &str) -> &'static str {
    LOCAL_SECRETS
        .iter()
        .find(|(v, _, _)| *v == variable)
        .map(|(_, _, value)| *value)
        .unwrap_or_else(|| panic!("no local secret for {variable}"))
}

/// The alias of the local KMS key webhook signing secrets are encrypted under.
pub const LOCAL_WEBHOOK_SECRET_KEY: &str = "alias/pailflow-local-webhook-secrets";

/// The KMS key webhook signing secrets are encrypted under (`WEBHOOK_SECRET_KEY_ID`):
/// locally the alias `xtask bootstrap` creates; against AWS, the stack's key (its output
/// `WebhookSecretKeyArn`).
pub fn webhook_secret_key_id() -> String {
    env_or("WEBHOOK_SECRET_KEY_ID", LOCAL_WEBHOOK_SECRET_KEY)
}

/// Credentials and region for the emulator unless real ones are configured. Without
/// `AWS_ENDPOINT_URL` nothing is set and the SDK's usual chain applies (real AWS).
pub fn set_emulator_defaults() {
    if std::env::var("AWS_ENDPOINT_URL").is_err() {
        return;
    }
    for (k, v) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ] {
        if std::env::var(k).is_err() {
            std::env::set_var(k, v);
        }
    }
}

pub async fn aws() -> aws_config::SdkConfig {
    set_emulator_defaults();
    adapters::aws::config().await
}

/// The table (`TABLE_NAME`) with the webhook secret key: what the tools that create
/// accounts, print their secrets or verify webhooks need.
pub async fn store() -> adapters::dynamodb::DynamoStore {
    let aws = aws().await;
    let key = adapters::kms::WebhookSecretKey::new(&aws, webhook_secret_key_id());
    adapters::dynamodb::DynamoStore::from_config(&aws, table_name()).with_webhook_key(key)
}

/// Every reqwest client of the tools and tests starts here: rustls on ring, the
/// functions' crypto provider, installed first (reqwest brings none of its own, so no
/// build of the workspace pulls aws-lc into a function binary).
pub fn http_builder() -> reqwest::ClientBuilder {
    adapters::install_crypto_provider();
    reqwest::Client::builder()
}

/// A client for talking to the local servers in tests and tools.
pub fn http() -> reqwest::Client {
    http_builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("static client configuration")
}

/// A new API key for an account whose limits fit a run of `bots` bots (load and benchmark
/// runs start hundreds a minute: more than the service's defaults allow one customer).
pub async fn bearer_for_run(account: &str, bots: usize) -> Result<String, String> {
    let key = bearer_for(account).await?;
    let store = store().await;
    let bots = u32::try_from(bots).unwrap_or(u32::MAX);
    let limits = domain::limits::AccountLimits {
        active_bots: Some(bots.saturating_add(100)),
        joins_per_minute: Some(bots.saturating_add(100)),
        emails_per_day: Some(bots.saturating_mul(2).saturating_add(100)),
        email_domains: None,
        retention_hours: None,
    };
    let account = domain::AccountId::parse(account).map_err(|e| e.to_string())?;
    store
        .set_account_limits(&account, &limits)
        .await
        .map_err(|e| e.to_string())?;
    Ok(key)
}

/// A new API key for `account` in the local table (creating the account and its webhook
/// secret if needed), as an `Authorization` header value.
pub async fn bearer_for(account: &str) -> Result<String, String> {
    let store = store().await;
    let account = domain::AccountId::parse(account).map_err(|e| e.to_string())?;
    store
        .ensure_account(&account)
        .await
        .map_err(|e| format!("is the local stack up (make up)? {e}"))?;
    let key = store
        .create_api_key(&account)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("Bearer {}", key.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_functions_environment_is_cargo_toml_s_watch_table() {
        let env = watch_env(&repo_root().join("Cargo.toml")).unwrap();
        assert_eq!(env["TABLE_NAME"], "pailflow-local");
        assert_eq!(env["SES_SENDER"], "PailFlow Bots <bots@pailflow.local>");
        assert_eq!(
            env["PIPELINE_QUEUE_URL"],
            "http://127.0.0.1:4566/123456789012/pailflow-local-pipeline"
        );
        // The addresses a run may override are local-stack.sh's --env-var, not the table's.
        for overridable in ["AWS_ENDPOINT_URL", "PIPECAT_API_URL", "PUBLIC_BASE_URL"] {
            assert!(!env.contains_key(overridable), "{overridable}");
        }
        for (variable, secret, _) in LOCAL_SECRETS {
            assert_eq!(
                env[*variable], *secret,
                "bootstrap creates what watch names"
            );
        }
        assert_eq!(env["WEBHOOK_SECRET_KEY_ID"], LOCAL_WEBHOOK_SECRET_KEY);
        for plain in [
            "PIPECAT_PUBLIC_KEY",
            "PIPECAT_PRIVATE_KEY",
            "OPENAI_API_KEY",
        ] {
            assert!(
                !env.contains_key(plain),
                "no credential in the environment: {plain}"
            );
        }
        // The table ends at the next section.
        assert!(!env.keys().any(|k| k.contains('[') || k.contains('.')));
    }

    #[test]
    fn a_manifest_without_the_table_is_a_clear_error() {
        let error = watch_env(&repo_root().join("xtask/Cargo.toml")).unwrap_err();
        assert!(
            error.contains("no [workspace.metadata.lambda.watch.env]"),
            "{error}"
        );
    }

    #[test]
    fn watch_env_values_are_toml_strings() {
        let manifest = r#"
[workspace.metadata.lambda.watch.router]
"/x" = [{ method = "GET", function = "x" }]

[workspace.metadata.lambda.watch.env]
PLAIN = "value" # a comment
WITH_EQUALS = "a=b"
WITH_HASH = "a # b"
'LITERAL' = 'C:\dir'
ESCAPED = "say \"hi\""

[profile.dev]
debug = false
"#;
        let env = watch_env_table(manifest).unwrap();
        assert_eq!(env.len(), 5, "{env:?}");
        assert_eq!(env["PLAIN"], "value");
        assert_eq!(env["WITH_EQUALS"], "a=b");
        assert_eq!(env["WITH_HASH"], "a # b");
        assert_eq!(env["LITERAL"], "C:\\dir");
        assert_eq!(env["ESCAPED"], "say \"hi\"");
    }

    #[test]
    fn a_value_that_is_not_a_string_is_an_error_naming_it() {
        let manifest = "[workspace.metadata.lambda.watch.env]\nPORT = 9000\n";
        let error = watch_env_table(manifest).unwrap_err();
        assert!(error.contains("PORT is not a string"), "{error}");
    }

    #[test]
    fn errors_name_the_manifest() {
        let path =
            std::env::temp_dir().join(format!("xtask-watch-env-{}.toml", std::process::id()));
        std::fs::write(&path, "[workspace.metadata.lambda.watch.env\n").unwrap();
        let error = watch_env(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(error.starts_with(&path.display().to_string()), "{error}");
        assert!(error.contains("TOML parse error"), "{error}");
    }
}
