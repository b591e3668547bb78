//! Where a webhook is signed: the Standard Webhooks headers of one attempt.

use domain::signing::SigningSecrets;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the account's webhook signing secret is not a valid Standard Webhooks secret")]
    BadSecret(#[source] standardwebhooks::WebhookError),
    #[error("signing the webhook failed")]
    Signing(#[source] standardwebhooks::WebhookError),
}

/// `webhook-id` (stable per event), `webhook-timestamp` (this attempt) and
/// `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under each secret
/// valid at `at`, space-separated (two during a rotation's overlap).
pub fn sign(
    webhook_id: &str,
    at: OffsetDateTime,
    body: &str,
    secrets: &SigningSecrets,
) -> Result<Vec<(String, String)>, SignError> {
    let timestamp = at.unix_timestamp();
    let signature = secrets
        .valid_at(at)
        .into_iter()
        .map(|secret| {
            standardwebhooks::Webhook::new(secret.expose())
                .map_err(SignError::BadSecret)?
                .sign(webhook_id, timestamp, body.as_bytes())
                .map_err(SignError::Signing)
        })
        .collect::<Result<Vec<_>, _>>()?
        .join(" ");
    Ok(vec![
        ("webhook-id".into(), webhook_id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::signing::PreviousSecret;
    use domain::WebhookSecret;
    use time::Duration;

    fn header_map(headers: &[(String, String)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn verifies(secret: &WebhookSecret, body: &[u8], map: &http::HeaderMap) -> bool {
        let verifier = standardwebhooks::Webhook::new(secret.expose()).unwrap();
        verifier.verify(body, map).is_ok()
    }

    #[test]
    fn signatures_verify_with_the_standard_webhooks_library() {
        let secret = WebhookSecret::generate();
        let at = domain::now();
        let headers = sign(
            "msg_1",
            at,
            r#"{"a":1}"#,
            &SigningSecrets::only(secret.clone()),
        )
        .unwrap();
        let map = header_map(&headers);
        assert!(verifies(&secret, br#"{"a":1}"#, &map));
        assert!(!verifies(&secret, br#"{"a":2}"#, &map));
        assert!(!verifies(&WebhookSecret::generate(), br#"{"a":1}"#, &map));
    }

    #[test]
    fn during_an_overlap_either_secret_verifies_and_after_it_only_the_new_one() {
        let at = domain::now();
        let (new, old) = (WebhookSecret::generate(), WebhookSecret::generate());
        let secrets = SigningSecrets {
            current: new.clone(),
            previous: Some(PreviousSecret {
                secret: old.clone(),
                valid_until: at + Duration::seconds(1),
            }),
        };
        let during = sign("msg_1", at, "{}", &secrets).unwrap();
        let signature = &during
            .iter()
            .find(|(k, _)| k == "webhook-signature")
            .unwrap()
            .1;
        assert_eq!(
            signature
                .split(' ')
                .filter(|s| s.starts_with("v1,"))
                .count(),
            2
        );
        let map = header_map(&during);
        assert!(verifies(&new, b"{}", &map));
        assert!(verifies(&old, b"{}", &map));

        let after = sign("msg_1", at + Duration::seconds(1), "{}", &secrets).unwrap();
        let map = header_map(&after);
        assert!(verifies(&new, b"{}", &map));
        assert!(!verifies(&old, b"{}", &map));
    }
}
