//! `POST /api/webhooks/test`: wires settings, the DynamoDB client and the webhook sender
//! (with its SSRF guard) to [`app::api::WebhookTestHandler`].

use adapters::http_webhooks::{HttpWebhookSender, WEBHOOK_TIMEOUT};
use adapters::settings::{FromEnv, PingFunction};
use adapters::{aws, dns::SystemResolver, dynamodb::DynamoStore, kms, telemetry};
use app::api::{WebhookTestHandler, WebhookTestSettings};
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = PingFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(WebhookTestHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache)
            .with_webhook_key(kms::WebhookSecretKey::new(
                &aws,
                settings.webhook_secret_key,
            )),
        HttpWebhookSender::new(settings.url_policy),
        SystemResolver,
        WebhookTestSettings {
            url_policy: settings.url_policy,
            timeout: WEBHOOK_TIMEOUT,
        },
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
