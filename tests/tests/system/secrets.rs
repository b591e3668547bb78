//! Secrets where AWS keeps them, against the emulator's Secrets Manager and KMS: the
//! functions' credentials read from Secrets Manager on first use (never from the environment),
//! and each account's webhook signing secret stored as KMS ciphertext that only a holder
//! of the key can open, bound to its account.

use adapters::dynamodb::DynamoStore;
use adapters::kms::WebhookSecretKey;
use adapters::llm::InsightsProvider;
use adapters::secrets::{self, LazySecret, SecretError};
use adapters::settings::{FromEnv, JoinFunction, PipelineFunction};
use app::errors::Chain;
use app::ports::{Accounts, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use domain::{AccountId, WebhookSecret};
use std::collections::HashMap;
use system_tests::Emulator;
use xtask::bootstrap;

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

#[tokio::test]
async fn the_pipecat_and_llm_keys_are_read_from_secrets_manager() {
    let env = Emulator::start(30).await;
    let (public, private, openai) = (
        unique("t/pipecat-public"),
        unique("t/pipecat-private"),
        unique("t/openai"),
    );
    bootstrap::put_secret(&env.aws, &public, "pk_live_from_secrets_manager")
        .await
        .unwrap();
    bootstrap::put_secret(&env.aws, &private, "sk_live_from_secrets_manager")
        .await
        .unwrap();
    bootstrap::put_secret(&env.aws, &openai, "sk-openai-from-secrets-manager")
        .await
        .unwrap();

    let join: HashMap<&str, &str> = HashMap::from([
        ("TABLE_NAME", "t"),
        ("PIPELINE_QUEUE_URL", "q"),
        ("PIPECAT_AGENT_NAME", "meeting-bot"),
        ("PIPECAT_PUBLIC_KEY_SECRET", public.as_str()),
        ("PUBLIC_BASE_URL", "https://api.example.com"),
    ]);
    let config = JoinFunction::read(&join).unwrap().pipecat.config(&env.aws);
    let key = config
        .public_key
        .as_ref()
        .expect("join holds the start key");
    assert_eq!(
        key.get().await.unwrap().expose(),
        "pk_live_from_secrets_manager"
    );
    assert!(
        config.private_key.is_none(),
        "join holds only the start key"
    );

    let pipeline: HashMap<&str, &str> = HashMap::from([
        ("TABLE_NAME", "t"),
        ("PIPELINE_QUEUE_URL", "q"),
        ("PIPECAT_AGENT_NAME", "meeting-bot"),
        ("PIPECAT_PRIVATE_KEY_SECRET", private.as_str()),
        ("SES_SENDER", "Bot <bot@example.com>"),
        ("WEBHOOK_SECRET_KEY_ID", env.webhook_key.as_str()),
        ("INSIGHTS_PROVIDER", "openai"),
        ("OPENAI_API_KEY_SECRET", openai.as_str()),
    ]);
    let settings = PipelineFunction::read(&pipeline).unwrap();
    let config = settings.pipecat.config(&env.aws);
    let key = config
        .private_key
        .as_ref()
        .expect("the pipeline holds the stop key");
    assert_eq!(
        key.get().await.unwrap().expose(),
        "sk_live_from_secrets_manager"
    );
    assert!(
        config.public_key.is_none(),
        "the pipeline never starts bots"
    );
    match settings.insights.provider(&env.aws) {
        InsightsProvider::OpenAi(openai) => assert_eq!(
            openai.api_key.get().await.unwrap().expose(),
            "sk-openai-from-secrets-manager"
        ),
        _ => panic!("openai was configured"),
    }
}

/// A key is read when a client first needs it, so a missing secret fails that use with an
/// error naming the secret; the failure is not kept: once the secret exists, the next use
/// reads it.
#[tokio::test]
async fn a_missing_secret_fails_its_first_use_naming_it_and_is_read_once_it_exists() {
    let env = Emulator::start(30).await;
    let id = unique("t/later");
    let key = LazySecret::stored(&env.aws, &id);
    let e = key.get().await.unwrap_err();
    assert!(matches!(&e, SecretError::Unavailable { id: named, .. } if *named == id));
    assert!(Chain(&e).to_string().contains(&id), "{}", Chain(&e));

    bootstrap::put_secret(&env.aws, &id, "pk_put_after_the_first_use")
        .await
        .unwrap();
    assert_eq!(
        key.get().await.unwrap().expose(),
        "pk_put_after_the_first_use"
    );
}

#[tokio::test]
async fn a_missing_or_empty_secret_is_an_error_naming_it() {
    let env = Emulator::start(30).await;
    let missing = unique("t/missing");
    let e = secrets::read(&env.aws, &missing).await.unwrap_err();
    assert!(matches!(&e, SecretError::Unavailable { id, .. } if *id == missing));
    assert!(Chain(&e).to_string().contains(&missing), "{}", Chain(&e));

    let blank = unique("t/blank");
    bootstrap::put_secret(&env.aws, &blank, "  ").await.unwrap();
    let e = secrets::read(&env.aws, &blank).await.unwrap_err();
    assert!(matches!(&e, SecretError::Empty(id) if *id == blank), "{e}");
}

/// The account item as stored.
async fn account_item(env: &Emulator, account: &str) -> HashMap<String, AttributeValue> {
    aws_sdk_dynamodb::Client::new(&env.aws)
        .get_item()
        .table_name(&env.names.table)
        .key("pk", AttributeValue::S(format!("ACCOUNT#{account}")))
        .key("sk", AttributeValue::S("ACCOUNT".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("the account exists")
}

#[tokio::test]
async fn a_webhook_secret_is_stored_as_kms_ciphertext_that_only_the_key_opens() {
    let env = Emulator::start(30).await;
    env.api_key("acme").await;
    let acme = AccountId::parse("acme").unwrap();
    let secret = env.store.webhook_secret(&acme).await.unwrap().unwrap();
    assert!(secret.expose().starts_with("whsec_"));

    let item = account_item(&env, "acme").await;
    assert!(
        !item.contains_key("webhook_secret"),
        "no plain text: {item:?}"
    );
    let Some(AttributeValue::B(sealed)) = item.get("webhook_secret_sealed") else {
        panic!("no ciphertext: {item:?}");
    };
    let stored = String::from_utf8_lossy(sealed.as_ref());
    assert!(!stored.contains(secret.expose()) && !format!("{item:?}").contains(secret.expose()));

    // What every other function has: the table without the key.
    let without_key = DynamoStore::from_config(&env.aws, env.names.table.clone());
    let e = without_key.webhook_secret(&acme).await.unwrap_err();
    assert!(
        Chain(&e).to_string().contains("WEBHOOK_SECRET_KEY_ID"),
        "{}",
        Chain(&e)
    );
    // Another key does not open it.
    let other_key = bootstrap::webhook_secret_key(&env.aws, &format!("alias/{}", unique("other")))
        .await
        .unwrap();
    let other = DynamoStore::from_config(&env.aws, env.names.table.clone())
        .with_webhook_key(WebhookSecretKey::new(&env.aws, other_key));
    assert!(matches!(
        other.webhook_secret(&acme).await,
        Err(StoreError::Corrupt { .. } | StoreError::Unavailable { .. })
    ));
    // Creating the account again keeps its secret.
    env.store.ensure_account(&acme).await.unwrap();
    assert_eq!(
        env.store.webhook_secret(&acme).await.unwrap().unwrap(),
        secret
    );
}

#[tokio::test]
async fn one_accounts_ciphertext_does_not_open_as_another_accounts() {
    let env = Emulator::start(30).await;
    let key = WebhookSecretKey::new(&env.aws, env.webhook_key.clone());
    let acme = AccountId::parse("acme").unwrap();
    let globex = AccountId::parse("globex").unwrap();
    let secret = WebhookSecret::generate();
    let sealed = key.seal(&acme, &secret).await.unwrap();
    assert_eq!(key.open(&acme, &sealed).await.unwrap(), secret);
    assert!(matches!(
        key.open(&globex, &sealed).await,
        Err(StoreError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn a_plain_text_secret_of_an_earlier_version_is_encrypted_in_place() {
    let env = Emulator::start(30).await;
    let legacy = WebhookSecret::generate();
    aws_sdk_dynamodb::Client::new(&env.aws)
        .put_item()
        .table_name(&env.names.table)
        .item("pk", AttributeValue::S("ACCOUNT#oldco".into()))
        .item("sk", AttributeValue::S("ACCOUNT".into()))
        .item("account_id", AttributeValue::S("oldco".into()))
        .item("webhook_secret", AttributeValue::S(legacy.expose().into()))
        .send()
        .await
        .unwrap();
    let oldco = AccountId::parse("oldco").unwrap();
    // Still signs until it is encrypted...
    assert_eq!(
        env.store.webhook_secret(&oldco).await.unwrap().unwrap(),
        legacy
    );
    // ...which `make webhook-secret` (ensure_account) does, keeping the value.
    env.store.ensure_account(&oldco).await.unwrap();
    let item = account_item(&env, "oldco").await;
    assert!(!item.contains_key("webhook_secret"), "{item:?}");
    assert!(item.contains_key("webhook_secret_sealed"));
    assert_eq!(
        env.store.webhook_secret(&oldco).await.unwrap().unwrap(),
        legacy
    );
}

#[tokio::test]
async fn a_rotation_stores_only_ciphertext_and_the_signer_opens_both_secrets() {
    use app::ports::AccountSettingsStore;
    let env = Emulator::start(30).await;
    env.api_key("rotco").await;
    let rotco = AccountId::parse("rotco").unwrap();
    let old = env.store.webhook_secret(&rotco).await.unwrap().unwrap();
    let new = WebhookSecret::generate();
    let until = domain::now() + time::Duration::hours(24);
    assert!(env
        .store
        .rotate_webhook_secret(&rotco, &new, until)
        .await
        .unwrap());
    let item = account_item(&env, "rotco").await;
    let text = format!("{item:?}");
    assert!(
        !text.contains(old.expose()) && !text.contains(new.expose()),
        "{text}"
    );
    assert!(matches!(
        item.get("previous_webhook_secret_sealed"),
        Some(AttributeValue::B(_))
    ));
    let secrets = env.store.signing_secrets(&rotco).await.unwrap().unwrap();
    assert_eq!(secrets.current, new);
    assert_eq!(secrets.previous.map(|p| p.secret), Some(old));

    // An account of an earlier version, secret in plain text: rotated, both end up sealed.
    let legacy = WebhookSecret::generate();
    aws_sdk_dynamodb::Client::new(&env.aws)
        .put_item()
        .table_name(&env.names.table)
        .item("pk", AttributeValue::S("ACCOUNT#plainco".into()))
        .item("sk", AttributeValue::S("ACCOUNT".into()))
        .item("account_id", AttributeValue::S("plainco".into()))
        .item("webhook_secret", AttributeValue::S(legacy.expose().into()))
        .send()
        .await
        .unwrap();
    let plainco = AccountId::parse("plainco").unwrap();
    let newer = WebhookSecret::generate();
    assert!(env
        .store
        .rotate_webhook_secret(&plainco, &newer, until)
        .await
        .unwrap());
    let item = account_item(&env, "plainco").await;
    assert!(!item.contains_key("webhook_secret"), "{item:?}");
    assert!(!format!("{item:?}").contains(legacy.expose()));
    let secrets = env.store.signing_secrets(&plainco).await.unwrap().unwrap();
    assert_eq!(secrets.current, newer);
    assert_eq!(secrets.previous.map(|p| p.secret), Some(legacy));
    // An unknown account is not rotated.
    let nobody = AccountId::parse("nobody").unwrap();
    assert!(!env
        .store
        .rotate_webhook_secret(&nobody, &newer, until)
        .await
        .unwrap());
}
