//! The pipeline queue's consumer (SQS event source, partial batch failures): wires
//! configuration and clients to [`app::pipeline::Pipeline`].

use adapters::config::{self, PipecatRole};
use adapters::llm::ConfiguredInsights;
use adapters::{
    aws_config, dynamodb::DynamoStore, pipecat::PipecatRuntime, ses::SesMailer, sqs::SqsQueue,
    webhook::HttpWebhookSender,
};
use aws_lambda_events::event::sqs::SqsEvent;

use app::pipeline::Pipeline;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    adapters::telemetry::init();
    let settings = config::pipeline_settings()?;
    let aws = aws_config().await;
    let pipeline = Arc::new(Pipeline::new(
        DynamoStore::from_config(&aws, config::table_name()?),
        SqsQueue::from_config(&aws, config::queue_url()?),
        PipecatRuntime::new(config::pipecat(PipecatRole::Stop)?),
        SesMailer::from_config(&aws, &config::required("SES_SENDER")?)?,
        HttpWebhookSender::new(config::url_policy()?),
        ConfiguredInsights::from_env(&aws)?,
        settings,
    ));
    run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let pipeline = Arc::clone(&pipeline);
        async move { Ok::<_, Error>(pipeline.handle_batch(event.payload).await) }
    }))
    .await
}
