//! `PUT`, `GET`, `DELETE /api/webhook-endpoint`: wires settings, the DynamoDB client and
//! the resolver to [`app::api::WebhookEndpointHandler`].

use adapters::settings::{EndpointFunction, FromEnv};
use adapters::{aws, dns::SystemResolver, dynamodb::DynamoStore, telemetry};
use app::api::WebhookEndpointHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = EndpointFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let handler = Arc::new(WebhookEndpointHandler::new(
        DynamoStore::from_config(&aws, settings.table.table)
            .with_key_cache(settings.table.api_key_cache),
        SystemResolver,
        settings.url_policy,
    ));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
