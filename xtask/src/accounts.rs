//! `api-key`, `webhook-secret` and `account-limits`: an account's credentials and limits in
//! the table (the local one, or real AWS when the environment says so), each printed as the
//! last line for scripts.

use crate::local::store;
use app::ports::Accounts;
use domain::limits::AccountLimits;
use domain::AccountId;

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

/// Prints the account's webhook signing secret, creating the account if needed. The
/// secret is stored encrypted under `WEBHOOK_SECRET_KEY_ID`: printing it takes the right
/// to decrypt with that key (README, "Deploy to AWS").
pub async fn print_webhook_secret(account: &AccountId) -> Result<(), String> {
    let store = store().await;
    let chain = |e: app::ports::StoreError| app::errors::Chain(&e).to_string();
    store.ensure_account(account).await.map_err(chain)?;
    let secret = store
        .webhook_secret(account)
        .await
        .map_err(chain)?
        .ok_or("the account vanished after creation")?;
    println!("Webhook signing secret for account '{account}' (Standard Webhooks):");
    println!("{}", secret.expose());
    Ok(())
}

/// What `account-limits` changes; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct LimitChanges {
    pub active_bots: Option<u32>,
    pub joins_per_minute: Option<u32>,
    pub emails_per_day: Option<u32>,
    /// `Some(None)` removes the recipient allow-list.
    pub email_domains: Option<Option<Vec<String>>>,
    pub retention_hours: Option<u32>,
}

/// Sets the account's own limits (creating the account if needed) and prints them.
pub async fn set_limits(account: &AccountId, changes: LimitChanges) -> Result<(), String> {
    let store = store().await;
    store
        .ensure_account(account)
        .await
        .map_err(|e| e.to_string())?;
    let mut limits: AccountLimits = store
        .account_limits(account)
        .await
        .map_err(|e| e.to_string())?;
    limits.active_bots = changes.active_bots.or(limits.active_bots);
    limits.joins_per_minute = changes.joins_per_minute.or(limits.joins_per_minute);
    limits.emails_per_day = changes.emails_per_day.or(limits.emails_per_day);
    limits.retention_hours = changes.retention_hours.or(limits.retention_hours);
    if let Some(domains) = changes.email_domains {
        limits.email_domains = domains;
    }
    store
        .set_account_limits(account, &limits)
        .await
        .map_err(|e| e.to_string())?;
    println!("Limits of account '{account}' (unset: the service's defaults):");
    println!(
        "{}",
        serde_json::to_string(&limits).map_err(|e| e.to_string())?
    );
    Ok(())
}
