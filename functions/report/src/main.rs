//! `POST /v1/bots/{bot_id}/exit` (called by the bot runtime): wires settings and clients
//! to [`app::api::ReportHandler`].

use adapters::settings::{FromEnv, ReportFunction};
use adapters::{aws, dynamodb::DynamoStore, sqs::SqsQueue, telemetry};
use app::api::ReportHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = ReportFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(ReportHandler::new(
        DynamoStore::from_config(&aws, settings.table),
        SqsQueue::from_config(&aws, settings.queue_url),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
