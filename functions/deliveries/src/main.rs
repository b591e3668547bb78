//! `GET /api/bot/{bot_id}/deliveries` and `POST /api/bot/{bot_id}/deliveries/{delivery_id}/redeliver`:
//! wires settings and clients to [`app::api::DeliveriesHandler`].

use adapters::settings::{DeliveriesFunction, FromEnv};
use adapters::{aws, dns::SystemResolver, dynamodb::DynamoStore, sqs::SqsQueue, telemetry};
use app::api::DeliveriesHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = DeliveriesFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(DeliveriesHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
        SqsQueue::from_config(&aws, settings.queue_url),
        SystemResolver,
        settings.url_policy,
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
