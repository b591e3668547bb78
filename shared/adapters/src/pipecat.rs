//! The Pipecat Cloud REST API as the bot runtime: start a session for the configured agent
//! (`POST {base}/public/{agent}/start`, public key) and stop it
//! (`DELETE {base}/agents/{agent}/sessions/{id}`, private key; 404 means already gone).

use crate::http_client::LazyHttp;
use crate::secrets::LazySecret;
use app::ports::{BotRuntime, RuntimeError, StartBot, StopOutcome};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct PipecatConfig {
    /// e.g. `https://api.pipecat.daily.co/v1`
    pub api_url: String,
    pub agent_name: String,
    /// Starts sessions; only join holds it.
    pub public_key: Option<LazySecret>,
    /// Stops sessions; only the pipeline holds it.
    pub private_key: Option<LazySecret>,
}

#[derive(Clone)]
pub struct PipecatRuntime {
    http: LazyHttp,
    config: Arc<PipecatConfig>,
}

impl PipecatRuntime {
    pub fn new(config: PipecatConfig) -> Self {
        let http = LazyHttp::new(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(3))
                .timeout(Duration::from_secs(10))
        });
        Self {
            http,
            config: Arc::new(config),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.config.api_url.trim_end_matches('/'), path)
    }
}

fn transport_error(e: reqwest::Error) -> RuntimeError {
    RuntimeError::Unreachable(Arc::new(e))
}

/// The key a call needs (read from its secret on first use), or a refusal naming it: a
/// function holds only its own key.
async fn key<'a>(key: &'a Option<LazySecret>, name: &str) -> Result<&'a str, RuntimeError> {
    let key = key.as_ref().ok_or_else(|| RuntimeError::Refused {
        status: 0,
        detail: format!("this function has no Pipecat {name} key"),
    })?;
    match key.get().await {
        Ok(secret) => Ok(secret.expose()),
        Err(e) => Err(RuntimeError::Unreachable(Arc::new(e))),
    }
}

async fn http_error(response: reqwest::Response) -> RuntimeError {
    let status = response.status().as_u16();
    let text: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let detail = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("error")
                .or_else(|| v.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or(text);
    if status == 429 || status >= 500 {
        RuntimeError::Failed { status, detail }
    } else {
        RuntimeError::Refused { status, detail }
    }
}

impl BotRuntime for PipecatRuntime {
    async fn start(&self, req: StartBot<'_>) -> Result<String, RuntimeError> {
        let body = json!({
            "createDailyRoom": false,
            "body": {
                "bot_id": req.bot_id,
                "room_url": req.room_url,
                "token": req.token,
                "provider": req.provider,
                "bot_config": req.bot_config,
                "report": { "url": req.report_url, "secret": req.report_secret.expose() },
            },
        });
        let key = key(&self.config.public_key, "public").await?;
        let response = self
            .http
            .get()
            .post(self.url(&format!("public/{}/start", self.config.agent_name)))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .map_err(transport_error)?;
        if !response.status().is_success() {
            return Err(http_error(response).await);
        }
        let header_id = response
            .headers()
            .get("sessionid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let value: Value = response.json().await.unwrap_or(Value::Null);
        value
            .get("sessionId")
            .or_else(|| value.get("session_id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or(header_id)
            .ok_or_else(|| RuntimeError::Failed {
                status: 200,
                detail: "the start response carried no session id".into(),
            })
    }

    /// One DELETE; 404 means the session is already gone. Retrying is the caller's
    /// decision (the pipeline retries in place: stopping is idempotent).
    async fn stop(&self, runtime_session_id: &str) -> Result<StopOutcome, RuntimeError> {
        let key = key(&self.config.private_key, "private").await?;
        let response = self
            .http
            .get()
            .delete(self.url(&format!(
                "agents/{}/sessions/{runtime_session_id}",
                self.config.agent_name
            )))
            .bearer_auth(key)
            .send()
            .await
            .map_err(transport_error)?;
        match response.status().as_u16() {
            200..=299 => Ok(StopOutcome::Stopped),
            404 => Ok(StopOutcome::AlreadyGone),
            _ => Err(http_error(response).await),
        }
    }
}
