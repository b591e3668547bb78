//! `GET /console` and `GET /console/{asset}`: the web console's files (`assets/`, embedded
//! at build time) served by [`app::api::ConsoleHandler`].

use adapters::settings::{ConsoleFunction, FromEnv};
use adapters::telemetry;
use app::api::ConsoleHandler;
use lambda_http::{run, service_fn, Error, Request};
use std::sync::Arc;

mod assets;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = ConsoleFunction::from_env()?;
    telemetry::init(&settings.log);
    let handler = Arc::new(ConsoleHandler::new(assets::ASSETS));
    run(service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }))
    .await
}
