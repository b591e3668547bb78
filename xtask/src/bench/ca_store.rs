//! Where the init time goes: the TLS client loads the system CA store. This machine's
//! /etc/ssl/certs holds ~290 files (a bundle plus a file per root), each read and parsed;
//! Lambda's provided.al2023 has essentially one bundle file. The same status function again
//! with one bundle file, and with no CA store at all (the emulator is plain http here, so
//! nothing else changes).

use super::cold_start::cold_start;
use super::events::status_events;
use super::report::Row;
use super::setup::Setup;

pub(super) async fn rows(setup: &Setup, chunks: &[&[String]]) -> Result<Vec<Row>, String> {
    let empty_dir = std::env::temp_dir().join("pailflow-bench-no-certs");
    std::fs::create_dir_all(&empty_dir).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for (label, file) in [
        (
            "status, 1 CA bundle file",
            "/etc/ssl/certs/ca-certificates.crt",
        ),
        ("status, no CA store", "/nonexistent/ca.pem"),
    ] {
        if label.contains("bundle") && !std::path::Path::new(file).exists() {
            continue;
        }
        let mut env = setup.env.clone();
        env.insert("SSL_CERT_FILE".into(), file.into());
        env.insert("SSL_CERT_DIR".into(), empty_dir.display().to_string());
        let mut runs = Vec::new();
        for ids in chunks {
            let events = status_events(ids, &setup.auth);
            runs.push(cold_start(&setup.bin("status"), &env, events).await?);
        }
        rows.push(Row {
            name: label.into(),
            runs,
            zip: None,
        });
    }
    Ok(rows)
}
