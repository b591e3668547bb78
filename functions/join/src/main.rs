//! `POST /api/bot/join`: wires settings and clients to [`app::api::JoinHandler`].

use adapters::settings::{FromEnv, JoinFunction};
use adapters::{aws, dns::SystemResolver, dynamodb::DynamoStore, pipecat::PipecatRuntime};
use adapters::{sqs::SqsQueue, telemetry};
use app::api::JoinHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = JoinFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let join = settings.join_settings(&aws).await?;
    let pipecat = settings.pipecat.config(&aws);
    let handler = Arc::new(JoinHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
        PipecatRuntime::new(pipecat),
        SqsQueue::from_config(&aws, settings.queue_url),
        SystemResolver,
        join,
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
