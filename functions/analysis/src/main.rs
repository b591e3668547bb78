//! `POST /api/bot/{bot_id}/insights` and `GET /api/bot/{bot_id}/insights`: wires settings and
//! clients to [`app::api::InsightsHandler`].

use adapters::settings::{AnalysisFunction, FromEnv};
use adapters::{aws, dynamodb::DynamoStore, sqs::SqsQueue, telemetry};
use app::api::InsightsHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = AnalysisFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(InsightsHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
        SqsQueue::from_config(&aws, settings.queue_url),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
