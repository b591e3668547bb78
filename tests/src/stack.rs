//! The real handlers and the real pipeline over one [`Emulator`]: the fixture every system
//! test starts from, with the one way tests join, stop, read and report a bot.

use crate::{bearer, json, request, Emulator};
use adapters::dns::SystemResolver;
use adapters::dynamodb::DynamoStore;
use adapters::http_webhooks::HttpWebhookSender;
use adapters::pipecat::PipecatRuntime;
use adapters::ses::SesMailer;
use adapters::sqs::SqsQueue;
use app::api::{
    DeleteDataHandler, DeliveriesHandler, ExportHandler, InsightsHandler, JoinHandler,
    JoinSettings, KeysHandler, ListHandler, ReportHandler, StatusHandler, StopHandler,
    WebhookEndpointHandler, WebhookTestHandler, WebhookTestSettings,
};
use app::pipeline::{Pipeline, PipelineSettings};
use app::retry::Backoff;
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::Segment;
use insights::BuiltinEngine;
use lambda_http::{Body, RequestExt};
use serde_json::{json, Value};
use std::time::Duration;

pub type RealPipeline =
    Pipeline<DynamoStore, SqsQueue, PipecatRuntime, SesMailer, HttpWebhookSender, BuiltinEngine>;

pub const SENDER: &str = "PailFlow Bots <bots@pailflow.test>";

/// How a test's stack differs from the default.
pub struct Options {
    /// Seconds before a failed message comes back.
    pub visibility: u32,
    pub url_policy: UrlPolicy,
    pub max_session: Duration,
    pub pipeline: PipelineSettings,
    pub sender: &'static str,
    /// The webhook sender; `None` is the real one under `url_policy`.
    pub webhooks: Option<HttpWebhookSender>,
}

impl Default for Options {
    /// The pipeline tests' stack: loopback webhooks allowed (the receiver is local), fast
    /// retries and a 2-second exit deadline.
    fn default() -> Self {
        Self {
            visibility: 2,
            url_policy: UrlPolicy::LOCAL_DEVELOPMENT,
            max_session: Duration::from_secs(6 * 3600),
            pipeline: PipelineSettings {
                webhook_backoff: Backoff {
                    base: Duration::from_millis(500),
                    max: Duration::from_secs(4 * 60 * 60),
                },
                exit_deadline: Duration::from_secs(2),
                ..Default::default()
            },
            sender: SENDER,
            webhooks: None,
        }
    }
}

impl Options {
    /// The API tests' stack: production's URL policy, slow redelivery.
    pub fn api() -> Self {
        Self {
            visibility: 30,
            url_policy: UrlPolicy::STRICT,
            ..Self::default()
        }
    }
}

pub struct Stack {
    pub env: Emulator,
    pub join: JoinHandler<DynamoStore, PipecatRuntime, SqsQueue, SystemResolver>,
    pub stop: StopHandler<DynamoStore, SqsQueue>,
    pub status: StatusHandler<DynamoStore>,
    pub export: ExportHandler<DynamoStore>,
    pub report: ReportHandler<DynamoStore, SqsQueue>,
    pub list: ListHandler<DynamoStore>,
    pub delete: DeleteDataHandler<DynamoStore>,
    pub deliveries: DeliveriesHandler<DynamoStore, SqsQueue, SystemResolver>,
    pub insights: InsightsHandler<DynamoStore, SqsQueue>,
    pub keys: KeysHandler<DynamoStore>,
    pub endpoint: WebhookEndpointHandler<DynamoStore, SystemResolver>,
    pub ping: WebhookTestHandler<DynamoStore, HttpWebhookSender, SystemResolver>,
    pub pipeline: RealPipeline,
    /// `Authorization` header values of two accounts, `acme` and `globex`.
    pub key: String,
    pub other: String,
}

impl Stack {
    pub async fn start(options: Options) -> Self {
        let env = Emulator::start(options.visibility).await;
        let webhooks = options
            .webhooks
            .unwrap_or_else(|| HttpWebhookSender::new(options.url_policy));
        let ping = WebhookTestHandler::new(
            env.store.clone(),
            webhooks.clone(),
            SystemResolver,
            WebhookTestSettings {
                url_policy: options.url_policy,
                timeout: adapters::http_webhooks::WEBHOOK_TIMEOUT,
            },
        );
        let pipeline = Pipeline::new(
            env.store.clone(),
            env.queue.clone(),
            env.runtime(),
            SesMailer::from_config(&env.aws, options.sender).expect("a valid sender"),
            webhooks,
            BuiltinEngine::new(),
            options.pipeline,
        );
        let join = JoinHandler::new(
            env.store.clone(),
            env.runtime(),
            env.queue.clone(),
            SystemResolver,
            JoinSettings {
                url_policy: options.url_policy,
                room_hosts: domain::join::RoomHosts::default(),
                public_base_url: "https://api.test".into(),
                max_session: options.max_session,
                limits: domain::limits::Limits::default(),
            },
        );
        Self {
            join,
            stop: StopHandler::new(env.store.clone(), env.queue.clone()),
            status: StatusHandler::new(env.store.clone()),
            export: ExportHandler::new(env.store.clone()),
            report: ReportHandler::new(env.store.clone(), env.queue.clone()),
            list: ListHandler::new(env.store.clone()),
            delete: DeleteDataHandler::new(env.store.clone()),
            deliveries: DeliveriesHandler::new(
                env.store.clone(),
                env.queue.clone(),
                SystemResolver,
                options.url_policy,
            ),
            insights: InsightsHandler::new(env.store.clone(), env.queue.clone()),
            keys: KeysHandler::new(env.store.clone()),
            endpoint: WebhookEndpointHandler::new(
                env.store.clone(),
                SystemResolver,
                options.url_policy,
            ),
            ping,
            pipeline,
            key: bearer(&env.api_key("acme").await),
            other: bearer(&env.api_key("globex").await),
            env,
        }
    }

    /// `POST /api/bot/join` with any authorization, body and extra headers.
    pub async fn join_with(
        &self,
        auth: Option<&str>,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = request("POST", auth, body, &[]);
        for (k, v) in headers {
            req.headers_mut().insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        json(self.join.handle(req).await)
    }

    /// Joins a bot for `acme` with `body`; the join must succeed. Returns the bot id.
    pub async fn join_bot(&self, body: &Value) -> String {
        let (status, resp) = self
            .join_with(Some(&self.key), &body.to_string(), &[])
            .await;
        assert_eq!(status, 200, "{resp}");
        resp["bot_id"].as_str().unwrap().to_owned()
    }

    /// A bot with an email and a webhook to the receiver, whose stand-in never reports by
    /// itself (the test plays the bot). `extra` adds or replaces join fields.
    pub async fn join_meeting(&self, email: &str, webhook_query: &str, extra: Value) -> String {
        let mut body = json!({
            "room_url": "https://acme.daily.co/standup",
            "bot_config": {"bot_prompt": "Take notes", "name": "Notetaker", "standin": {"report": "never"}},
            "email": email,
            "webhook_callback_url": self.env.webhook_url("acme", webhook_query),
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.join_bot(&body).await
    }

    pub async fn stop_as(&self, auth: Option<&str>, id: &str) -> (u16, Value) {
        json(
            self.stop
                .handle(request("POST", auth, "", &[("bot_id", id)]))
                .await,
        )
    }

    /// Stops `acme`'s bot; the stop must succeed.
    pub async fn stop_bot(&self, id: &str) {
        let (status, body) = self.stop_as(Some(&self.key), id).await;
        assert_eq!(status, 200, "{body}");
    }

    pub async fn status_as(&self, auth: Option<&str>, id: &str) -> (u16, Value) {
        json(
            self.status
                .handle(request("GET", auth, "", &[("bot_id", id)]))
                .await,
        )
    }

    /// `GET /api/bot/{bot_id}/deliveries` of `acme`'s bot.
    pub async fn deliveries(&self, id: &str) -> Value {
        let (status, body) = json(
            self.deliveries
                .handle(request("GET", Some(&self.key), "", &[("bot_id", id)]))
                .await,
        );
        assert_eq!(status, 200, "{body}");
        body
    }

    /// `POST /api/bot/{bot_id}/deliveries/{delivery_id}/redeliver` with a body (or none).
    pub async fn redeliver(&self, id: &str, delivery: &str, body: &str) -> (u16, Value) {
        let req = request(
            "POST",
            Some(&self.key),
            body,
            &[("bot_id", id), ("delivery_id", delivery)],
        );
        json(self.deliveries.handle(req).await)
    }

    /// `POST /api/bot/{bot_id}/insights`.
    pub async fn rerun_insights(&self, id: &str, body: &str) -> (u16, Value) {
        let req = request("POST", Some(&self.key), body, &[("bot_id", id)]);
        json(self.insights.handle(req).await)
    }

    /// `GET /api/bot/{bot_id}/insights[?version=N]`.
    pub async fn insights_version(&self, id: &str, version: Option<u32>) -> (u16, Value) {
        use lambda_http::RequestExt;
        let mut req = request("GET", Some(&self.key), "", &[("bot_id", id)]);
        if let Some(v) = version {
            req = req.with_query_string_parameters(std::collections::HashMap::from([(
                "version".to_owned(),
                v.to_string(),
            )]));
        }
        json(self.insights.handle(req).await)
    }

    /// `DELETE /api/bot/{bot_id}/data`.
    pub async fn delete_data_as(&self, auth: Option<&str>, id: &str) -> (u16, Value) {
        json(
            self.delete
                .handle(request("DELETE", auth, "", &[("bot_id", id)]))
                .await,
        )
    }

    /// `GET /api/bots` with a query string's parameters.
    pub async fn list_as(&self, auth: Option<&str>, query: &[(&str, &str)]) -> (u16, Value) {
        use lambda_http::RequestExt;
        let params: std::collections::HashMap<String, String> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let req = request("GET", auth, "", &[]).with_query_string_parameters(params);
        json(self.list.handle(req).await)
    }

    /// `POST /api/keys`, `GET /api/keys` (no `key_id`) or `DELETE /api/keys/{key_id}`.
    pub async fn keys_as(
        &self,
        auth: Option<&str>,
        method: &str,
        key_id: Option<&str>,
    ) -> (u16, Value) {
        let path: Vec<(&str, &str)> = key_id.map(|id| ("key_id", id)).into_iter().collect();
        json(self.keys.handle(request(method, auth, "", &path)).await)
    }

    /// `PUT`, `GET` or `DELETE /api/webhook-endpoint` with a body (PUT).
    pub async fn endpoint_as(&self, auth: Option<&str>, method: &str, body: &str) -> (u16, Value) {
        json(self.endpoint.handle(request(method, auth, body, &[])).await)
    }

    /// `POST /api/webhook-secret/rotate` with a body (served by the keys function).
    pub async fn rotate_as(&self, auth: Option<&str>, body: &str) -> (u16, Value) {
        let mut req = request("POST", auth, body, &[]);
        *req.uri_mut() = "/api/webhook-secret/rotate".parse().expect("a valid path");
        json(self.keys.handle(req).await)
    }

    /// `POST /api/webhooks/test` with a body.
    pub async fn ping_as(&self, auth: Option<&str>, body: &str) -> (u16, Value) {
        json(self.ping.handle(request("POST", auth, body, &[])).await)
    }

    /// The status body of `acme`'s bot.
    pub async fn status(&self, id: &str) -> Value {
        self.status_as(Some(&self.key), id).await.1
    }

    /// `GET /api/bot/{id}/transcript[?format=…]`: status, content type and body.
    pub async fn export_as(
        &self,
        auth: Option<&str>,
        id: &str,
        format: Option<&str>,
    ) -> (u16, String, String) {
        let mut req = request("GET", auth, "", &[("bot_id", id)]);
        if let Some(format) = format {
            req = req.with_query_string_parameters(
                [("format".to_owned(), format.to_owned())]
                    .into_iter()
                    .collect::<std::collections::HashMap<_, _>>(),
            );
        }
        let response = self.export.handle(req).await;
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = match response.body() {
            Body::Text(t) => t.clone(),
            other => panic!("the export answered a non-text body: {other:?}"),
        };
        (response.status().as_u16(), content_type, body)
    }

    /// `leave_requested` messages visible on the queue now.
    pub async fn leave_messages(&self) -> usize {
        self.env
            .visible_messages()
            .await
            .iter()
            .filter(|m| matches!(m, PipelineMessage::LeaveRequested { .. }))
            .count()
    }

    /// Plays the bot: reports its exit with the secret the runtime was given.
    pub async fn report_exit(&self, id: &str, segments: &[Segment]) -> (u16, Value) {
        let secret = self.env.bot(id).await["report_secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({"exit_reason": "participant_left", "ended_at": "2026-01-15T10:30:00Z", "transcript": segments});
        json(
            self.report
                .handle(request(
                    "POST",
                    Some(&format!("Bearer {secret}")),
                    &body.to_string(),
                    &[("bot_id", id)],
                ))
                .await,
        )
    }

    /// Runs the pipeline on whatever becomes visible during `window`.
    pub async fn drain(&self, window: Duration) {
        let until = tokio::time::Instant::now() + window;
        while tokio::time::Instant::now() < until {
            if self.env.poll(|e| self.pipeline.handle_batch(e)).await == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// Runs the pipeline until the session is terminal and its deliveries are settled.
    pub async fn until_settled(&self, id: &str, within: Duration) -> Value {
        let until = tokio::time::Instant::now() + within;
        loop {
            self.env.poll(|e| self.pipeline.handle_batch(e)).await;
            let s = self.status(id).await;
            let settled = |d: &Value| {
                d.is_null() || matches!(d["state"].as_str(), Some("delivered" | "failed"))
            };
            if matches!(s["status"].as_str(), Some("completed" | "failed"))
                && settled(&s["deliveries"]["email"])
                && settled(&s["deliveries"]["webhook"])
            {
                return s;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "not settled in time: {s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `f`, then checks the table and the visible queue are exactly as before.
    pub async fn unchanged<F: std::future::Future<Output = ()>>(&self, f: F) {
        let before = self.env.items().await;
        f.await;
        assert_eq!(self.env.items().await, before, "the table changed");
        assert!(
            self.env.visible_messages().await.is_empty(),
            "a message was sent"
        );
    }
}
