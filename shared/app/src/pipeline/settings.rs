//! The pipeline's timings. Built by the pipeline function's settings at init
//! (`adapters::settings`); the defaults are production's.

use crate::retry::Backoff;
use domain::limits::Limits;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct PipelineSettings {
    /// How long after a leave request a bot may take to report its exit.
    pub exit_deadline: Duration,
    /// How long a claimed delivery is held before another invocation may take it over.
    pub lease: Duration,
    /// Waits between webhook attempts (first wait `base`, doubling, at most `max`).
    pub webhook_backoff: Backoff,
    /// Webhook retries continue at least this long after the first attempt.
    pub webhook_retry_window: Duration,
    /// Transient SES failures are retried this many times before the email is given up.
    pub max_email_attempts: u32,
    /// The limits of an account that has not set its own (the daily email quota).
    pub limits: Limits,
    /// Base of the link to a bot's full results in its email (`RESULTS_BASE_URL`, see
    /// [`crate::pipeline::email_body::results_url`]); without it, no link.
    pub results_base_url: Option<String>,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        Self {
            exit_deadline: Duration::from_secs(15 * 60),
            lease: Duration::from_secs(120),
            webhook_backoff: Backoff {
                base: Duration::from_secs(5),
                max: Duration::from_secs(4 * 60 * 60),
            },
            webhook_retry_window: Duration::from_secs(24 * 60 * 60),
            max_email_attempts: 5,
            limits: Limits::default(),
            results_base_url: None,
        }
    }
}
