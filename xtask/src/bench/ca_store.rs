//! What the CA store costs: every row of the table runs with one CA bundle file, as on
//! Lambda's provided.al2023 (`Setup`). This machine's /etc/ssl/certs holds ~290 files (a
//! bundle plus a file per root), each read and parsed by the TLS client when it is first
//! built. The same status function again with this machine's store, and with no CA store
//! at all (the emulator is plain http here, so nothing else changes).

use super::cold_start::cold_start;
use super::events::status_events;
use super::report::Row;
use super::setup::Setup;

pub(super) async fn rows(setup: &Setup, chunks: &[&[String]]) -> Result<Vec<Row>, String> {
    let empty_dir = super::setup::empty_cert_dir()?;
    let mut rows = Vec::new();
    for (label, store) in [
        ("status, machine's CA store", None),
        ("status, no CA store", Some("/nonexistent/ca.pem")),
    ] {
        let mut env = setup.env.clone();
        match store {
            None => {
                env.remove("SSL_CERT_FILE");
                env.remove("SSL_CERT_DIR");
            }
            Some(file) => {
                env.insert("SSL_CERT_FILE".into(), file.into());
                env.insert("SSL_CERT_DIR".into(), empty_dir.clone());
            }
        }
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
