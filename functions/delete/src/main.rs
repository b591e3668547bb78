//! `DELETE /api/bot/{bot_id}/data`: wires settings and the DynamoDB client to
//! [`app::api::DeleteDataHandler`].

use adapters::settings::{DeleteFunction, FromEnv};
use adapters::{aws, dynamodb::DynamoStore, telemetry};
use app::api::DeleteDataHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = DeleteFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(DeleteDataHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
