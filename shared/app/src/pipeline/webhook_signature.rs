//! Where a webhook is signed: the Standard Webhooks headers of one attempt.

use domain::WebhookSecret;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the account's webhook signing secret is not a valid Standard Webhooks secret")]
    BadSecret(#[source] standardwebhooks::WebhookError),
    #[error("signing the webhook failed")]
    Signing(#[source] standardwebhooks::WebhookError),
}

/// `webhook-id` (stable per event), `webhook-timestamp` (this attempt) and
/// `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`).
pub fn sign(
    webhook_id: &str,
    at: OffsetDateTime,
    body: &str,
    secret: &WebhookSecret,
) -> Result<Vec<(String, String)>, SignError> {
    let signer = standardwebhooks::Webhook::new(secret.expose()).map_err(SignError::BadSecret)?;
    let timestamp = at.unix_timestamp();
    let signature = signer
        .sign(webhook_id, timestamp, body.as_bytes())
        .map_err(SignError::Signing)?;
    Ok(vec![
        ("webhook-id".into(), webhook_id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_with_the_standard_webhooks_library() {
        let secret = WebhookSecret::generate();
        let at = domain::now();
        let headers = sign("msg_1", at, r#"{"a":1}"#, &secret).unwrap();
        let mut map = http::HeaderMap::new();
        for (k, v) in &headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let verifier = standardwebhooks::Webhook::new(secret.expose()).unwrap();
        verifier.verify(br#"{"a":1}"#, &map).unwrap();
        assert!(verifier.verify(br#"{"a":2}"#, &map).is_err());
    }
}
