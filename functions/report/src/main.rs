//! `POST /v1/bots/{bot_id}/exit` (called by the bot runtime): wires configuration and
//! clients to [`app::api::ReportHandler`].

use adapters::config;
use adapters::{aws_config, dynamodb::DynamoStore, sqs::SqsQueue};
use app::api::{ReportHandler, ReportSettings};
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    adapters::telemetry::init();
    let aws = aws_config().await;
    let handler = Arc::new(ReportHandler::new(
        DynamoStore::from_config(&aws, config::table_name()?),
        SqsQueue::from_config(&aws, config::queue_url()?),
        ReportSettings::default(),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
