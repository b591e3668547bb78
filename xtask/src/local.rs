//! The local stack's fixed interface (DESIGN.md "Running it on one machine"), with every
//! address and name overridable from the environment.

use std::time::Duration;

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
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
    shared::adapters::aws_config().await
}

/// A client for talking to the local servers in tests and tools.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("static client configuration")
}

/// A new API key for `account` in the local table (creating the account and its webhook
/// secret if needed), as an `Authorization` header value.
pub async fn bearer_for(account: &str) -> Result<String, String> {
    let aws = aws().await;
    let store = shared::adapters::dynamodb::DynamoStore::from_config(&aws, table_name());
    let account = shared::domain::AccountId::parse(account).map_err(|e| e.to_string())?;
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
