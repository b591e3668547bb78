//! What every run shares: the functions' environment against the local stack, an API key,
//! and where the release binaries and their zips are.

use crate::local;
use crate::runtime_api::Target;
use std::collections::HashMap;
use std::path::PathBuf;

pub(super) struct Setup {
    /// The functions' environment: the emulator, the stand-in, the local table and queue.
    pub env: HashMap<String, String>,
    /// `Bearer <key>` of the `bench` account.
    pub auth: String,
    pub root: PathBuf,
    target_dir: PathBuf,
}

impl Setup {
    pub async fn connect() -> Result<Self, String> {
        let root = local::repo_root();
        let target_dir = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target"));
        let aws = local::aws().await;
        // Every run leaves the Python handler's bots running: limits far above one run's.
        let auth = local::bearer_for_run("bench", 1000).await?;
        let queue_url = aws_sdk_sqs::Client::new(&aws)
            .get_queue_url()
            .queue_name(local::queue_name())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "is the local stack up? {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .queue_url
            .unwrap_or_default();
        let env: HashMap<String, String> = [
            ("AWS_ENDPOINT_URL", local::emulator_url()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "local".into()),
            ("AWS_SECRET_ACCESS_KEY", "local".into()),
            ("TABLE_NAME", local::table_name()),
            ("PIPELINE_QUEUE_URL", queue_url),
            (
                "PIPECAT_API_URL",
                format!("http://{}/v1", local::standin_addr()),
            ),
            ("PIPECAT_AGENT_NAME", "meeting-bot".into()),
            ("WEBHOOK_SECRET_KEY_ID", local::webhook_secret_key_id()),
            ("PUBLIC_BASE_URL", local::api_url()),
            ("SES_SENDER", local::ses_sender()),
            ("WEBHOOK_ALLOW_INSECURE", "true".into()),
        ]
        .into_iter()
        .chain(
            local::LOCAL_SECRETS
                .iter()
                .map(|(variable, secret, _)| (*variable, (*secret).to_owned())),
        )
        .map(|(k, v)| (k.to_owned(), v))
        .chain(lambda_ca_store()?)
        .collect();
        Ok(Setup {
            env,
            auth,
            root,
            target_dir,
        })
    }

    /// The release binary `name`, built for this machine.
    pub fn bin(&self, name: &str) -> Target {
        Target {
            name: name.into(),
            program: self.target_dir.join("release").join(name),
            args: vec![],
            dir: None,
        }
    }

    /// Size of the function's arm64 zip (`make package`), if built.
    pub fn zip(&self, function: &str) -> Option<u64> {
        let zip = self.target_dir.join("lambda").join(function);
        std::fs::metadata(zip.join("bootstrap.zip"))
            .ok()
            .map(|m| m.len())
    }
}

/// One CA bundle file, as on Lambda's provided.al2023 (not this machine's ~290 files), when
/// the machine has one.
fn lambda_ca_store() -> Result<Vec<(String, String)>, String> {
    if !std::path::Path::new(CA_BUNDLE).exists() {
        return Ok(vec![]);
    }
    Ok(vec![
        ("SSL_CERT_FILE".into(), CA_BUNDLE.into()),
        ("SSL_CERT_DIR".into(), empty_cert_dir()?),
    ])
}

const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A directory with no certificates in it.
pub(super) fn empty_cert_dir() -> Result<String, String> {
    let dir = std::env::temp_dir().join("pailflow-bench-no-certs");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir.display().to_string())
}
