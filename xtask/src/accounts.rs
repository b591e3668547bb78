//! `api-key` and `webhook-secret`: an account's credentials in the table (the local one, or
//! real AWS when the environment says so), each printed as the last line for scripts.

use crate::local;
use adapters::dynamodb::DynamoStore;
use domain::AccountId;

async fn store() -> DynamoStore {
    let aws = local::aws().await;
    DynamoStore::from_config(&aws, local::table_name())
}

/// Creates an API key for the account and prints it; only its SHA-256 is stored.
pub async fn print_api_key(account: &AccountId) -> Result<(), String> {
    let key = store()
        .await
        .create_api_key(account)
        .await
        .map_err(|e| e.to_string())?;
    println!("API key for account '{account}' (shown once; only its SHA-256 is stored):");
    println!("{}", key.expose());
    Ok(())
}

/// Prints the account's webhook signing secret, creating the account if needed.
pub async fn print_webhook_secret(account: &AccountId) -> Result<(), String> {
    let secret = store()
        .await
        .ensure_account(account)
        .await
        .map_err(|e| e.to_string())?;
    println!("Webhook signing secret for account '{account}' (Standard Webhooks):");
    println!("{}", secret.expose());
    Ok(())
}
