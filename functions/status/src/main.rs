//! `GET /api/bot/{bot_id}/status`: wires configuration and the DynamoDB client to
//! [`shared::api::StatusHandler`].

use shared::adapters::{aws_config, dynamodb::DynamoStore};
use shared::api::StatusHandler;
use shared::config;
use shared::lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let aws = aws_config().await;
    let handler = Arc::new(StatusHandler::new(
        DynamoStore::from_config(&aws, config::table_name()?)
            .with_key_cache(config::api_key_cache_ttl()?),
    ));

    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
