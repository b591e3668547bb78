//! `POST /api/keys`, `GET /api/keys`, `DELETE /api/keys/{key_id}`: wires settings and the
//! DynamoDB client to [`app::api::KeysHandler`].

use adapters::settings::{FromEnv, KeysFunction};
use adapters::{aws, dynamodb::DynamoStore, kms, telemetry};
use app::api::KeysHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = KeysFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(KeysHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache)
            .with_webhook_key(kms::WebhookSecretKey::new(
                &aws,
                settings.webhook_secret_key,
            )),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
