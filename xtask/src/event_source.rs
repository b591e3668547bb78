//! The local SQS event source for the pipeline function, with Lambda's semantics: poll the
//! queue, hand batches of up to 10 to the function, delete only the messages the function
//! did not report as failed. Failed messages reappear after the visibility timeout; the
//! queue's redrive policy moves them to the dead-letter queue after maxReceiveCount receives.
//!
//! The function runs under `cargo lambda watch` (its invoke API), or, for the kill suite
//! of `make chaos`, as the pipeline binary started by each poller under its own local
//! Runtime API: one process per poller, like one Lambda execution environment each. When
//! that process dies mid-batch the batch is left on the queue and a new process starts,
//! which is what Lambda does; `cargo lambda watch` stops invoking a function whose process
//! was killed a few times.

use crate::runtime_api::{Environment, Launch, Target};
use crate::{bootstrap, local};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

/// Where the function runs.
pub enum Runner {
    /// `cargo lambda watch`'s invoke API at this URL.
    Watch(String),
    /// The binary, one process per poller; `env` is added to this process's environment.
    Direct {
        target: Target,
        env: HashMap<String, String>,
        timeout: Duration,
    },
}

impl Runner {
    /// The pipeline function of the local stack: the `program` binary under the event
    /// source's own Runtime API, with the environment `cargo lambda watch` gives it
    /// (Cargo.toml) plus the overrides; without a program, the function under
    /// `cargo lambda watch`.
    pub fn local(
        program: Option<PathBuf>,
        overrides: Vec<(String, String)>,
    ) -> Result<Self, String> {
        let Some(program) = program else {
            let url = format!(
                "{}/2015-03-31/functions/pipeline/invocations",
                local::api_url()
            );
            return Ok(Runner::Watch(url));
        };
        let mut env = local::watch_env(&local::repo_root().join("Cargo.toml"))?;
        env.extend(overrides);
        let template = bootstrap::template_path();
        let timeout = bootstrap::function_timeout(&template, "PipelineFunction")?;
        Ok(Runner::Direct {
            target: Target {
                name: "pipeline".into(),
                program,
                args: Vec::new(),
                dir: None,
            },
            env,
            timeout,
        })
    }
}

/// `xtask event-source`: feeds the local pipeline queue to the runner, forever.
pub async fn serve_local(pollers: usize, copies: u32, runner: Runner) -> Result<(), String> {
    let aws = local::aws().await;
    let mut source = EventSource::new(&aws, &local::queue_name(), runner).await?;
    source.copies = copies;
    println!(
        "event source polling {} with {pollers} pollers, {copies} deliveries per message",
        local::queue_name(),
    );
    source.run(pollers).await
}

pub struct EventSource {
    /// Redelivery suite: every message is delivered this many times, each copy after a
    /// random delay of up to 5 s, so deliveries repeat and arrive out of order.
    pub copies: u32,
    sqs: aws_sdk_sqs::Client,

    http: reqwest::Client,
    queue_url: String,
    queue_arn: String,
    runner: Runner,
}

impl EventSource {
    pub async fn new(
        aws: &aws_config::SdkConfig,
        queue_name: &str,
        runner: Runner,
    ) -> Result<Self, String> {
        let sqs = aws_sdk_sqs::Client::new(aws);
        let queue_url = sqs
            .get_queue_url()
            .queue_name(queue_name)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "queue {queue_name}: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .queue_url
            .unwrap_or_default();
        let region = aws
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        Ok(Self {
            copies: 1,
            sqs,

            http: crate::local::http_builder()
                .timeout(Duration::from_secs(180))
                .build()
                .map_err(|e| e.to_string())?,
            queue_arn: format!("arn:aws:sqs:{region}:123456789012:{queue_name}"),
            queue_url,
            runner,
        })
    }

    /// Polls forever with `pollers` concurrent loops (Lambda scales its pollers likewise).
    pub async fn run(self, pollers: usize) -> Result<(), String> {
        let this = std::sync::Arc::new(self);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..pollers.max(1) {
            let this = this.clone();
            tasks.spawn(async move {
                // This poller's execution environment when the runner is `Direct`.
                let mut environment = None;
                loop {
                    if let Err(e) = this.poll_once(&mut environment).await {
                        eprintln!("event source: {e}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// One receive, one invocation, one delete. Returns how many messages were handled.
    pub async fn poll_once(&self, environment: &mut Option<Environment>) -> Result<usize, String> {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| format!("receive: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        let mut messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(0);
        }
        if self.copies > 1 {
            messages = self.multiply(messages).await?;
            if messages.is_empty() {
                return Ok(0);
            }
        }

        let records: Vec<Value> = messages
            .iter()
            .map(|m| {
                let attributes: serde_json::Map<String, Value> = m
                    .attributes
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str().to_owned(), json!(v)))
                    .collect();
                let message_attributes: serde_json::Map<String, Value> = m
                    .message_attributes
                    .iter()
                    .flatten()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            json!({ "stringValue": v.string_value, "dataType": v.data_type }),
                        )
                    })
                    .collect();
                json!({
                    "messageId": m.message_id,
                    "receiptHandle": m.receipt_handle,
                    "body": m.body,
                    "attributes": attributes,
                    "messageAttributes": message_attributes,
                    "md5OfBody": m.md5_of_body,
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": "us-east-1",
                })
            })
            .collect();
        let event = json!({ "Records": records });
        let failed = match &self.runner {
            Runner::Watch(url) => self.invoke_watch(url, event).await,
            Runner::Direct {
                target,
                env,
                timeout,
            } => {
                let launch = Launch {
                    env,
                    clean: false,
                    timeout: *timeout,
                    pipe_stderr: false,
                };
                invoke_direct(target, launch, environment, event).await
            }
        };
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                failed
                    .as_ref()
                    .is_ok_and(|f| !f.contains(m.message_id.as_deref().unwrap_or_default()))
            })
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .build()
                    .ok()
            })
            .collect();
        if let Err(e) = &failed {
            eprintln!("event source: invocation failed, the whole batch will be retried: {e}");
        }
        if !entries.is_empty() {
            self.sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| format!("delete: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        }
        Ok(messages.len())
    }

    /// Replaces each original message by `copies` copies with random delays; returns the
    /// copies received now (which are delivered as they are).
    async fn multiply(
        &self,
        messages: Vec<aws_sdk_sqs::types::Message>,
    ) -> Result<Vec<aws_sdk_sqs::types::Message>, String> {
        use aws_sdk_sqs::types::MessageAttributeValue;
        use rand::Rng;
        let mut deliver_now = Vec::new();
        for m in messages {
            let is_copy = m
                .message_attributes
                .as_ref()
                .is_some_and(|a| a.contains_key("copy"));
            if is_copy {
                deliver_now.push(m);
                continue;
            }
            for _ in 0..self.copies {
                let delay = rand::rng().random_range(0..=5);
                let copy = MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("1")
                    .build()
                    .map_err(|e| e.to_string())?;
                self.sqs
                    .send_message()
                    .queue_url(&self.queue_url)
                    .message_body(m.body.clone().unwrap_or_default())
                    .message_attributes("copy", copy)
                    .delay_seconds(delay)
                    .send()
                    .await
                    .map_err(|e| format!("copy: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
            }
            self.sqs
                .delete_message()
                .queue_url(&self.queue_url)
                .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "delete original: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(e)
                    )
                })?;
        }
        Ok(deliver_now)
    }

    /// Invokes the function through `cargo lambda watch`; `Ok(ids that failed)`, or `Err`
    /// when the whole invocation failed.
    async fn invoke_watch(&self, url: &str, event: Value) -> Result<HashSet<String>, String> {
        let response = self
            .http
            .post(url)
            .json(&event)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("HTTP {status}: {e}"))?;
        if !status.is_success() {
            return Err(format!("HTTP {status}: {body}"));
        }
        batch_item_failures(&body)
    }
}

/// Invokes the poller's own process, starting one when there is none or it has died.
async fn invoke_direct(
    target: &Target,
    launch: Launch<'_>,
    environment: &mut Option<Environment>,
    event: Value,
) -> Result<HashSet<String>, String> {
    let running = match environment.take() {
        Some(mut running) => match running.child.try_wait() {
            Ok(None) => Some(running),
            status => {
                eprintln!(
                    "event source: {} process exited between invocations ({status:?})",
                    target.name
                );
                None
            }
        },
        None => None,
    };
    let mut running = match running {
        Some(running) => running,
        None => {
            let started = Environment::start(target, launch).await?;
            eprintln!(
                "event source: started {} process {}",
                target.name,
                started.child.id().unwrap_or(0)
            );
            started
        }
    };
    // After an error the environment is spent (dropped here, killing its process): the
    // next batch gets a new one.
    let answer = running.invoke(event).await?;
    *environment = Some(running);
    batch_item_failures(&answer.result?)
}

/// The `batchItemFailures` of an SQS batch response; `Err` for a function error.
fn batch_item_failures(body: &Value) -> Result<HashSet<String>, String> {
    if body.get("errorType").is_some() || body.get("errorMessage").is_some() {
        return Err(body.to_string());
    }
    Ok(body["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
        .collect())
}
