//! Webhook events: the payload (PailFlow field names), Standard Webhooks signing, which
//! answers count as delivered, and the retry backoff.

use crate::ports::{PostOutcome, SessionView};
use domain::rfc3339::format;
use domain::session::WebhookEvent;
use domain::{Phase, WebhookSecret};
use rand::Rng;
use serde_json::json;
use std::time::Duration;
use time::OffsetDateTime;

/// The event body. Built from the terminal session only, so every attempt of one event
/// sends the same bytes.
pub fn payload(view: &SessionView, event: WebhookEvent) -> String {
    let s = &view.session;
    let body = match event {
        WebhookEvent::BotJoinFailed => json!({
            "event": event.as_str(),
            "bot_id": s.bot_id,
            "room_url": s.room_url,
            "status": "failed",
            "error": s.error,
            "failed_at": s.completed_at.map(format),
        }),
        WebhookEvent::SessionComplete => {
            let insights = view.analysis.as_ref().and_then(|a| a.insights.as_ref());
            let duration_seconds = match (s.started_at, &s.exit) {
                (Some(started), Some(exit)) if exit.ended_at > started => {
                    (exit.ended_at - started).whole_seconds()
                }
                (_, Some(exit)) => (exit.duration_ms / 1000) as i64,
                _ => 0,
            };
            json!({
                "event": event.as_str(),
                "bot_id": s.bot_id,
                "room_url": s.room_url,
                "status": if s.phase == Phase::Completed { "completed" } else { "failed" },
                "exit_reason": s.exit.as_ref().map(|e| e.reason),
                "duration_seconds": duration_seconds,
                "transcript_text": view.transcript.as_ref().map(|t| t.to_text()).unwrap_or_default(),
                "summary": insights.map(|i| i.summary.clone()),
                "insights": insights,
                "insights_error": view.analysis.as_ref().and_then(|a| a.insights_error.clone()).or_else(|| s.insights_error.clone()),
                "qa_pairs": view.analysis.as_ref().map(|a| a.qa_pairs.clone()).unwrap_or_default(),
                "error": s.error,
                "started_at": s.started_at.map(format),
                "completed_at": s.completed_at.map(format),
            })
        }
    };
    body.to_string()
}

/// The Standard Webhooks headers for one attempt: `webhook-id` (stable per event),
/// `webhook-timestamp` (this attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`).
pub fn sign(
    webhook_id: &str,
    at: OffsetDateTime,
    body: &str,
    secret: &WebhookSecret,
) -> Result<Vec<(String, String)>, String> {
    let signer = standardwebhooks::Webhook::new(secret.expose())
        .map_err(|e| format!("bad signing secret: {e:?}"))?;
    let timestamp = at.unix_timestamp();
    let signature = signer
        .sign(webhook_id, timestamp, body.as_bytes())
        .map_err(|e| format!("signing failed: {e:?}"))?;
    Ok(vec![
        ("webhook-id".into(), webhook_id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ])
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// 410 Gone, or refused by the SSRF guard: never retried.
    GiveUp,
    Retry,
}

/// Only 2xx is success. 410 stops retrying; everything else (429, 5xx, other 4xx, an
/// unfollowed redirect, timeouts, connection failures) is retried with backoff.
pub fn verdict(outcome: &PostOutcome) -> Verdict {
    match outcome {
        PostOutcome::Answered(code) if (200..300).contains(code) => Verdict::Delivered,
        PostOutcome::Answered(410) | PostOutcome::Blocked(_) => Verdict::GiveUp,
        _ => Verdict::Retry,
    }
}

/// Exponential backoff with equal jitter after attempt `attempt` (1-based): half the step
/// fixed, half random, so retries of many sessions spread out.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let step = base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(max);
    let half = step / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(4 * 3600);
        for attempt in 1..30 {
            let step = base.saturating_mul(1 << (attempt - 1).min(20)).min(max);
            let d = backoff(attempt, base, max);
            assert!(
                d >= step / 2 && d <= step,
                "attempt {attempt}: {d:?} not in [{:?}, {step:?}]",
                step / 2
            );
        }
    }

    #[test]
    fn a_day_of_retries_takes_a_bounded_number_of_attempts() {
        let (base, max) = (Duration::from_secs(5), Duration::from_secs(4 * 3600));
        // Even with the shortest jitter every time, 24 hours are covered in < 30 attempts.
        let mut elapsed = Duration::ZERO;
        let mut attempts = 1;
        while elapsed < Duration::from_secs(24 * 3600) {
            elapsed += base.saturating_mul(1 << (attempts - 1).min(20)).min(max) / 2;
            attempts += 1;
        }
        assert!(attempts < 30, "{attempts}");
    }

    #[test]
    fn only_2xx_delivers_and_410_stops() {
        assert_eq!(verdict(&PostOutcome::Answered(200)), Verdict::Delivered);
        assert_eq!(verdict(&PostOutcome::Answered(204)), Verdict::Delivered);
        assert_eq!(verdict(&PostOutcome::Answered(410)), Verdict::GiveUp);
        assert_eq!(verdict(&PostOutcome::Blocked("x".into())), Verdict::GiveUp);
        for retry in [
            PostOutcome::Answered(301),
            PostOutcome::Answered(429),
            PostOutcome::Answered(500),
            PostOutcome::TimedOut,
            PostOutcome::Failed("reset".into()),
        ] {
            assert_eq!(verdict(&retry), Verdict::Retry, "{retry:?}");
        }
    }

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
