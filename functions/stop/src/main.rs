//! `POST /v1/bots/leave/{bot_id}` and `DELETE /agents/{agentName}/sessions/{sessionId}`:
//! wires configuration and clients to [`shared::api::StopHandler`].

use shared::adapters::{aws_config, dynamodb::DynamoStore, sqs::SqsQueue};
use shared::api::StopHandler;
use shared::config;
use shared::lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
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
