//! `POST /v1/bots/leave/{bot_id}` and `DELETE /agents/{agentName}/sessions/{sessionId}`:
//! wires configuration and clients to [`app::api::StopHandler`].

use adapters::config;
use adapters::{aws_config, dynamodb::DynamoStore, sqs::SqsQueue};
use app::api::StopHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    adapters::telemetry::init();
    let aws = aws_config().await;
    let handler = Arc::new(StopHandler::new(
        DynamoStore::from_config(&aws, config::table_name()?)
            .with_key_cache(config::api_key_cache_ttl()?),
        SqsQueue::from_config(&aws, config::queue_url()?),
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
