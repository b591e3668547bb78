//! `POST /v1/bots/leave/{bot_id}` and `DELETE /agents/{agentName}/sessions/{sessionId}`:
//! wires settings and clients to [`app::api::StopHandler`].

use adapters::settings::{FromEnv, StopFunction};
use adapters::{aws, dynamodb::DynamoStore, sqs::SqsQueue, telemetry};
use app::api::StopHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = StopFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(StopHandler::new(
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
