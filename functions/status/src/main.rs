//! `GET /api/bot/{bot_id}/status`: wires configuration and the DynamoDB client to
//! [`app::api::StatusHandler`].

use adapters::config;
use adapters::{aws_config, dynamodb::DynamoStore};
use app::api::StatusHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    adapters::telemetry::init();
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
