//! Test doubles of the outside world: a queue that records, a scripted bot runtime,
//! mailer and webhook endpoint, and a resolver with a fixed table.

use crate::ports::*;
use domain::messages::PipelineMessage;
use domain::{BotId, WebhookUrl};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records every message with its delay.
#[derive(Clone, Default)]
pub struct MemQueue(pub Arc<Mutex<Vec<(PipelineMessage, Duration)>>>);

impl MemQueue {
    pub fn messages(&self) -> Vec<PipelineMessage> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(m, _)| m.clone())
            .collect()
    }

    pub fn take(&self) -> Vec<(PipelineMessage, Duration)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl PipelineQueue for MemQueue {
    async fn send(&self, message: &PipelineMessage, delay: Duration) -> Result<(), QueueError> {
        self.0.lock().unwrap().push((message.clone(), delay));
        Ok(())
    }
}

/// A bot runtime that answers from a script: `start` fails with `start_error` when set.
#[derive(Clone, Default)]
pub struct FakeRuntime {
    pub start_error: Arc<Mutex<Option<RuntimeError>>>,
    pub stop_results: Arc<Mutex<Vec<Result<StopOutcome, RuntimeError>>>>,
    pub started: Arc<Mutex<Vec<(BotId, String)>>>,
    pub stopped: Arc<Mutex<Vec<String>>>,
}

impl BotRuntime for FakeRuntime {
    async fn start(&self, request: StartBot<'_>) -> Result<String, RuntimeError> {
        if let Some(e) = self.start_error.lock().unwrap().clone() {
            return Err(e);
        }
        self.started
            .lock()
            .unwrap()
            .push((request.bot_id, request.report_url.clone()));
        Ok(format!("rt-{}", request.bot_id))
    }

    async fn stop(&self, runtime_session_id: &str) -> Result<StopOutcome, RuntimeError> {
        self.stopped
            .lock()
            .unwrap()
            .push(runtime_session_id.to_owned());
        let mut scripted = self.stop_results.lock().unwrap();
        if scripted.is_empty() {
            Ok(StopOutcome::Stopped)
        } else {
            scripted.remove(0)
        }
    }
}

#[derive(Clone, Default)]
pub struct MemMailer {
    pub sent: Arc<Mutex<Vec<OutgoingEmail>>>,
    pub results: Arc<Mutex<Vec<Result<(), MailError>>>>,
}

impl Mailer for MemMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let mut scripted = self.results.lock().unwrap();
        if !scripted.is_empty() {
            scripted.remove(0)?;
        }
        let mut sent = self.sent.lock().unwrap();
        sent.push(email.clone());
        Ok(format!("mem-{}", sent.len()))
    }
}

/// One POST as sent: URL, headers, body.
pub type Post = (String, Vec<(String, String)>, String);

#[derive(Clone, Default)]
pub struct MemWebhooks {
    pub posts: Arc<Mutex<Vec<Post>>>,
    pub outcomes: Arc<Mutex<Vec<PostOutcome>>>,
}

impl WebhookSender for MemWebhooks {
    async fn post(
        &self,
        url: &WebhookUrl,
        headers: &[(String, String)],
        body: &str,
    ) -> PostOutcome {
        self.posts
            .lock()
            .unwrap()
            .push((url.to_string(), headers.to_vec(), body.to_owned()));
        let mut scripted = self.outcomes.lock().unwrap();
        if scripted.is_empty() {
            PostOutcome::Answered(200)
        } else {
            scripted.remove(0)
        }
    }
}

/// A resolver with a fixed table: names not in it do not resolve.
#[derive(Clone, Default)]
pub struct MemResolver(pub Arc<HashMap<String, Vec<std::net::IpAddr>>>);

impl MemResolver {
    pub fn with(entries: &[(&str, &str)]) -> Self {
        let mut table: HashMap<String, Vec<std::net::IpAddr>> = HashMap::new();
        for (name, ip) in entries {
            table
                .entry((*name).to_owned())
                .or_default()
                .push(ip.parse().expect("a test IP address"));
        }
        Self(Arc::new(table))
    }
}

impl HostResolver for MemResolver {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<std::net::IpAddr>> {
        self.0.get(host).cloned().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, format!("{host} not found"))
        })
    }
}
