//! The pipeline queue's consumer (SQS event source, partial batch failures): wires settings
//! and clients to [`app::pipeline::Pipeline`].

use adapters::settings::{FromEnv, PipelineFunction};
use adapters::{aws, dynamodb::DynamoStore, http_webhooks::HttpWebhookSender, kms};
use adapters::{llm::ConfiguredInsights, pipecat::PipecatRuntime, ses::SesMailer};
use adapters::{sqs::SqsQueue, telemetry};
use app::pipeline::Pipeline;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = PipelineFunction::from_env()?;
    telemetry::init(&settings.log);
    let aws = aws::config().await;
    let webhook_key = kms::WebhookSecretKey::new(&aws, settings.webhook_secret_key);
    let pipeline = Arc::new(Pipeline::new(
        DynamoStore::from_config(&aws, settings.table).with_webhook_key(webhook_key),
        SqsQueue::from_config(&aws, settings.queue_url),
        PipecatRuntime::new(settings.pipecat.config(&aws)),
        SesMailer::from_config(&aws, &settings.ses_sender)?,
        HttpWebhookSender::new(settings.url_policy),
        ConfiguredInsights::new(settings.insights.provider(&aws), &aws),
        settings.pipeline,
    ));
    run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let pipeline = Arc::clone(&pipeline);
        async move { Ok::<_, Error>(pipeline.handle_batch(event.payload).await) }
    }))
    .await
}
