//! The emulator fixture: a fresh table and pipeline queue (with its dead-letter queue) and
//! a KMS key for webhook secrets per test, created from `infra/template.yaml` like the
//! local stack, plus an in-process Pipecat stand-in and webhook receiver on ephemeral
//! loopback ports. The emulator itself (`moto_server` on 127.0.0.1:4566, or
//! `AWS_ENDPOINT_URL`) is started by `make test`.

use adapters::dynamodb::DynamoStore;
use adapters::kms::WebhookSecretKey;
use adapters::pipecat::{PipecatConfig, PipecatRuntime};
use adapters::sqs::SqsQueue;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::AttributeValue;
use domain::messages::PipelineMessage;
use domain::{AccountId, ApiKey};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use xtask::bootstrap;

pub const PUBLIC_KEY: &str = "pk_test";
pub const PRIVATE_KEY: &str = "sk_test";

pub struct Emulator {
    pub aws: aws_config::SdkConfig,
    pub names: bootstrap::Names,
    pub queue_url: String,
    pub dlq_url: String,
    /// The ARN of this test's key for webhook signing secrets.
    pub webhook_key: String,
    pub store: DynamoStore,
    pub queue: SqsQueue,
    pub standin: SocketAddr,
    pub receiver: SocketAddr,
    sqs: aws_sdk_sqs::Client,
    ddb: aws_sdk_dynamodb::Client,
}

impl Emulator {
    /// A fresh, isolated set of resources; failed messages come back after `visibility` seconds.
    pub async fn start(visibility: u32) -> Self {
        std::env::set_var("AWS_ENDPOINT_URL", xtask::local::emulator_url());
        adapters::install_crypto_provider();
        let aws = xtask::local::aws().await;
        let emulator = xtask::local::emulator_url();
        if reqwest::get(format!("{emulator}/moto-api/data.json"))
            .await
            .is_err()
        {
            panic!("the AWS emulator is not running at {emulator}; run the tests with `make test` (it starts moto_server)");
        }
        let suffix = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let names = bootstrap::Names {
            table: format!("t-{suffix}"),
            queue: format!("q-{suffix}"),
            dlq: format!("q-{suffix}-dlq"),
        };
        let defs =
            bootstrap::read_template(&bootstrap::template_path()).expect("infra/template.yaml");
        let queue_url = bootstrap::create(&aws, &defs, &names, visibility)
            .await
            .expect("create resources");
        bootstrap::verify_sender(&aws, "PailFlow Bots <bots@pailflow.test>")
            .await
            .expect("verify sender");
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let dlq_url = sqs
            .get_queue_url()
            .queue_name(&names.dlq)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let webhook_key = bootstrap::webhook_secret_key(&aws, &format!("alias/t-{suffix}"))
            .await
            .expect("create the webhook secret key");
        let store = DynamoStore::from_config(&aws, names.table.clone())
            .with_webhook_key(WebhookSecretKey::new(&aws, webhook_key.clone()));
        let queue = SqsQueue::from_config(&aws, queue_url.clone());
        let standin = xtask::standin::spawn(PUBLIC_KEY, PRIVATE_KEY).await;
        let receiver = xtask::receiver::spawn(store.clone()).await;
        let ddb = aws_sdk_dynamodb::Client::new(&aws);
        Self {
            aws,
            names,
            queue_url,
            dlq_url,
            webhook_key,
            store,
            queue,
            standin,
            receiver,
            sqs,
            ddb,
        }
    }

    pub fn runtime(&self) -> PipecatRuntime {
        PipecatRuntime::new(PipecatConfig {
            api_url: format!("http://{}/v1", self.standin),
            agent_name: "meeting-bot".into(),
            public_key: Some(adapters::secrets::LazySecret::known(domain::Secret::new(
                PUBLIC_KEY,
            ))),
            private_key: Some(adapters::secrets::LazySecret::known(domain::Secret::new(
                PRIVATE_KEY,
            ))),
        })
    }

    pub async fn api_key(&self, account: &str) -> ApiKey {
        self.store
            .create_api_key(&AccountId::parse(account).unwrap())
            .await
            .expect("create api key")
    }

    pub fn webhook_url(&self, account: &str, query: &str) -> String {
        format!("http://{}/hooks/{account}{query}", self.receiver)
    }

    /// Every item of the table, for "nothing changed" checks. A key's `last_used_at` is
    /// left out: any authenticated request may record its key's use (once a minute), and
    /// that is not a change the request made.
    pub async fn items(&self) -> Vec<HashMap<String, AttributeValue>> {
        let out = self
            .ddb
            .scan()
            .table_name(&self.names.table)
            .consistent_read(true)
            .send()
            .await
            .expect("scan");
        let mut items = out.items.unwrap_or_default();
        for item in &mut items {
            item.remove("last_used_at");
            item.remove("last_used_ms");
        }
        items.sort_by_key(|i| format!("{:?}{:?}", i.get("pk"), i.get("sk")));
        items
    }

    /// Receives what is visible now (not delayed messages), without deleting it.
    pub async fn peek(&self) -> Vec<aws_sdk_sqs::types::Message> {
        let mut all = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(30)
                .send()
                .await
                .expect("receive");
            let batch = out.messages.unwrap_or_default();
            if batch.is_empty() {
                return all;
            }
            all.extend(batch);
        }
    }

    pub async fn visible_messages(&self) -> Vec<PipelineMessage> {
        self.peek()
            .await
            .iter()
            .map(|m| PipelineMessage::from_json(m.body().unwrap()).unwrap())
            .collect()
    }

    pub async fn dead_letters(&self) -> Vec<String> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.dlq_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        out.messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.body)
            .collect()
    }

    /// One poll with Lambda's semantics: a batch of up to 10 goes to `handle`, the messages
    /// it does not report as failed are deleted. Returns how many were received.
    pub async fn poll<F, Fut>(&self, handle: F) -> usize
    where
        F: FnOnce(SqsEvent) -> Fut,
        Fut: std::future::Future<Output = aws_lambda_events::event::sqs::SqsBatchResponse>,
    {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive");
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return 0;
        }
        let mut event = SqsEvent::default();
        event.records = messages
            .iter()
            .map(|m| {
                let mut r = SqsMessage::default();
                r.message_id = m.message_id.clone();
                r.receipt_handle = m.receipt_handle.clone();
                r.body = m.body.clone();
                r.attributes = m
                    .attributes
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                    .collect();
                r
            })
            .collect();
        let response = handle(event).await;
        let failed: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        for m in &messages {
            if !failed.contains(m.message_id.as_ref().unwrap()) {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.clone().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        messages.len()
    }

    /// Webhook events the in-process receiver got for a bot.
    pub async fn webhooks(&self, bot_id: &str) -> Vec<Value> {
        let url = format!("http://{}/events?bot_id={bot_id}", self.receiver);
        reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// What the in-process receiver got with one `webhook-id` (a test event has no bot).
    pub async fn received(&self, webhook_id: &str) -> Vec<Value> {
        let url = format!("http://{}/events?webhook_id={webhook_id}", self.receiver);
        reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// The stand-in's record of a bot: its report URL and secret (to play the bot).
    pub async fn bot(&self, bot_id: &str) -> Value {
        reqwest::get(format!("http://{}/_control/bots/{bot_id}", self.standin))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}
