//! An OpenAI-compatible chat-completions endpoint (`POST {base}/chat/completions`) in JSON
//! mode.

use super::{ChatModel, LlmError};
use crate::http_client::LazyHttp;
use crate::secrets::LazySecret;
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    pub base_url: String,
    /// Read from its secret on the first call.
    pub api_key: LazySecret,
    pub model: String,
    pub timeout: Duration,
}

#[derive(Clone)]
pub struct OpenAiChat {
    http: LazyHttp,
    config: std::sync::Arc<OpenAiConfig>,
}

impl OpenAiChat {
    pub fn new(config: OpenAiConfig) -> Self {
        let timeout = config.timeout;
        let http = LazyHttp::new(move || {
            reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(5))
        });

        Self {
            http,
            config: std::sync::Arc::new(config),
        }
    }
}

impl ChatModel for OpenAiChat {
    fn name(&self) -> &str {
        &self.config.model
    }

    async fn complete(&self, system: &str, user: &str) -> Result<String, LlmError> {
        let body = json!({
            "model": self.config.model,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        });
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let key = self
            .config
            .api_key
            .get()
            .await
            .map_err(|e| LlmError::Unreachable(e.into()))?;
        let response = self
            .http
            .get()
            .post(url)
            .bearer_auth(key.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    LlmError::Timeout(self.config.timeout.as_secs())
                } else {
                    LlmError::Unreachable(e.into())
                }
            })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| {
            if e.is_timeout() {
                LlmError::Timeout(self.config.timeout.as_secs())
            } else {
                LlmError::Unreachable(e.into())
            }
        })?;
        if !(200..300).contains(&status) {
            return Err(LlmError::Http {
                status,
                detail: text.chars().take(200).collect(),
            });
        }
        let value: Value = serde_json::from_str(&text).map_err(LlmError::Malformed)?;
        value["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                LlmError::Invalid("no choices[0].message.content in the response".into())
            })
    }
}
