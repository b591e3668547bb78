//! `POST /api/bot/join`: wires configuration and clients to [`app::api::JoinHandler`].

use adapters::config::{self, PipecatRole};
use adapters::{
    aws_config, dynamodb::DynamoStore, pipecat::PipecatRuntime, sqs::SqsQueue,
    webhook::SystemResolver,
};
use app::api::{JoinHandler, JoinSettings};
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    adapters::telemetry::init();
    let settings = JoinSettings {
        url_policy: config::url_policy()?,
        public_base_url: config::optional("PUBLIC_BASE_URL"),
        max_session: config::seconds("MAX_SESSION_SECONDS", 6 * 60 * 60)?,
    };
    let aws = aws_config().await;
    let handler = Arc::new(JoinHandler::new(
        DynamoStore::from_config(&aws, config::table_name()?)
            .with_key_cache(config::api_key_cache_ttl()?),
        PipecatRuntime::new(config::pipecat(PipecatRole::Start)?),
        SqsQueue::from_config(&aws, config::queue_url()?),
        SystemResolver,
        settings,
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
