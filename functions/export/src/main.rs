//! `GET /api/bot/{bot_id}/transcript`: wires settings and the DynamoDB client to
//! [`app::api::ExportHandler`].

use adapters::settings::{ExportFunction, FromEnv};
use adapters::{aws, dynamodb::DynamoStore, telemetry};
use app::api::ExportHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = ExportFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(ExportHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
