//! An account's webhook signing secrets and their rotation (`POST
//! /api/webhook-secret/rotate`). A rotation makes a new secret current and keeps the one it
//! replaces valid for an overlap (24 h unless asked otherwise): every delivery in the overlap
//! carries a `v1,` signature under each valid secret, as the Standard Webhooks
//! specification allows, so a receiver holding either verifies it. After the overlap only
//! the current secret signs. A rotation during an overlap ends the older secret at once.

use super::webhook_endpoint::{object, EndpointBodyError};
use super::WebhookSecret;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// The overlap when the request names none.
pub const DEFAULT_OVERLAP_HOURS: u32 = 24;
/// The longest overlap a rotation may ask for (a week).
pub const MAX_OVERLAP_HOURS: u32 = 168;
/// Largest accepted rotation body; larger ones are 413.
pub const MAX_ROTATE_BODY_BYTES: usize = 1024;

/// The secret the rotation replaced, valid until `valid_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousSecret {
    pub secret: WebhookSecret,
    pub valid_until: OffsetDateTime,
}

/// What signs an account's deliveries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningSecrets {
    pub current: WebhookSecret,
    pub previous: Option<PreviousSecret>,
}

impl SigningSecrets {
    pub fn only(current: WebhookSecret) -> Self {
        Self {
            current,
            previous: None,
        }
    }

    /// The secrets that sign at `at`: the current one, then the previous one while its
    /// overlap lasts.
    pub fn valid_at(&self, at: OffsetDateTime) -> Vec<&WebhookSecret> {
        let previous = self
            .previous
            .as_ref()
            .filter(|p| at < p.valid_until)
            .map(|p| &p.secret);
        std::iter::once(&self.current).chain(previous).collect()
    }
}

/// A rotation asked for: how long the replaced secret keeps signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotateRequest {
    pub overlap_hours: u32,
}

impl RotateRequest {
    /// `{"overlap_hours": 0..=168}`, or an empty body for the default 24 h. Zero ends the
    /// previous secret at once.
    pub fn parse(body: &[u8]) -> Result<Self, EndpointBodyError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let obj = object(body, &["overlap_hours"], "overlap_hours")?;
        let overlap_hours = match obj.get("overlap_hours") {
            None | Some(Value::Null) => DEFAULT_OVERLAP_HOURS,
            Some(v) => v
                .as_u64()
                .filter(|h| *h <= u64::from(MAX_OVERLAP_HOURS))
                .map(|h| h as u32)
                .ok_or(EndpointBodyError::Invalid {
                    field: "overlap_hours",
                    problem: format!(
                        "must be a whole number of hours from 0 to {MAX_OVERLAP_HOURS}"
                    ),
                })?,
        };
        Ok(Self { overlap_hours })
    }

    /// When the replaced secret stops signing, for a rotation at `at`.
    pub fn previous_valid_until(&self, at: OffsetDateTime) -> OffsetDateTime {
        at + Duration::hours(i64::from(self.overlap_hours))
    }
}

impl Default for RotateRequest {
    fn default() -> Self {
        Self {
            overlap_hours: DEFAULT_OVERLAP_HOURS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn rotated(valid_until: OffsetDateTime) -> SigningSecrets {
        SigningSecrets {
            current: WebhookSecret::generate(),
            previous: Some(PreviousSecret {
                secret: WebhookSecret::generate(),
                valid_until,
            }),
        }
    }

    #[test]
    fn both_secrets_sign_during_the_overlap_and_only_the_new_one_after() {
        let until = datetime!(2026-12-02 10:00 UTC);
        let secrets = rotated(until);
        let prev = &secrets.previous.as_ref().unwrap().secret;
        let during = secrets.valid_at(until - Duration::seconds(1));
        assert_eq!(during, vec![&secrets.current, prev]);
        assert_eq!(secrets.valid_at(until), vec![&secrets.current]);
        assert_eq!(
            SigningSecrets::only(secrets.current.clone()).valid_at(until),
            vec![&secrets.current]
        );
    }

    #[test]
    fn an_empty_body_asks_for_a_day_and_zero_ends_the_previous_secret_at_once() {
        let at = datetime!(2026-12-01 10:00 UTC);
        let default = RotateRequest::parse(b"").unwrap();
        assert_eq!(default.overlap_hours, 24);
        assert_eq!(default.previous_valid_until(at), at + Duration::hours(24));
        assert_eq!(RotateRequest::parse(b" {} ").unwrap(), default);
        let zero = RotateRequest::parse(br#"{"overlap_hours": 0}"#).unwrap();
        assert_eq!(zero.previous_valid_until(at), at);
        assert_eq!(
            RotateRequest::parse(br#"{"overlap_hours": 168}"#)
                .unwrap()
                .overlap_hours,
            168
        );
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_field() {
        for (body, expected) in [
            (
                &br#"{"overlap_hours": 169}"#[..],
                "Field 'overlap_hours' must be a whole number of hours from 0 to 168",
            ),
            (
                br#"{"overlap_hours": -1}"#,
                "Field 'overlap_hours' must be a whole number of hours from 0 to 168",
            ),
            (
                br#"{"overlap_hours": 1.5}"#,
                "Field 'overlap_hours' must be a whole number of hours from 0 to 168",
            ),
            (
                br#"{"overlap_hours": "24"}"#,
                "Field 'overlap_hours' must be a whole number of hours from 0 to 168",
            ),
            (
                br#"{"overlap": 24}"#,
                "Unknown field 'overlap'; the body has overlap_hours",
            ),
            (b"[]", "Request body must be a JSON object"),
        ] {
            assert_eq!(
                RotateRequest::parse(body).unwrap_err().to_string(),
                expected
            );
        }
        assert!(matches!(
            RotateRequest::parse(b"{").unwrap_err(),
            EndpointBodyError::NotJson(_)
        ));
    }
}
