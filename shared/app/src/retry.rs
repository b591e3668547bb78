//! The one retry helper, after svix's `run_with_retries`: an operation, a predicate for what
//! is worth another try, and the waits between tries as data (each with equal jitter, so
//! retries of many sessions spread out). Every in-process retry of the service goes through
//! it. The AWS SDK retries its own calls (configured once, in `adapters::aws`); a
//! schedule here stacked on an SDK call says so where it is defined.
//!
//! [`Backoff`] is the same rule for retries that travel as delayed queue messages
//! (webhooks), where the wait is too long to spend in the function.

use crate::errors::Chain;
use rand::Rng;
use std::future::Future;
use std::time::Duration;

/// Runs `op`; while it fails with an error `should_retry` accepts, waits the next entry of
/// `schedule` (jittered) and tries again. `schedule.len() + 1` tries at most.
pub async fn run_with_retries<T, E, F, Fut>(
    mut op: F,
    should_retry: impl Fn(&E) -> bool,
    schedule: &[Duration],
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::error::Error + 'static,
{
    let mut waits = schedule.iter();
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if should_retry(&e) => match waits.next() {
                Some(wait) => {
                    let wait = jittered(*wait);
                    tracing::warn!(error = %Chain(&e), attempt, wait_ms = wait.as_millis() as u64, "failed; trying again");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return Err(e),
            },
            outcome => return outcome,
        }
    }
}

/// Equal jitter: half of `step` fixed, half random.
pub fn jittered(step: Duration) -> Duration {
    let half = step / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

/// Exponential backoff: `base`, doubling each attempt, capped at `max`, jittered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The un-jittered wait after attempt `attempt` (1-based).
    pub fn step(&self, attempt: u32) -> Duration {
        self.base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max)
    }

    /// The wait after attempt `attempt`: between half the step and the whole step.
    pub fn delay(&self, attempt: u32) -> Duration {
        jittered(self.step(attempt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug, thiserror::Error)]
    enum E {
        #[error("transient")]
        Transient,
        #[error("final")]
        Final,
    }

    const SCHEDULE: &[Duration] = &[Duration::from_millis(100), Duration::from_millis(300)];

    #[tokio::test(start_paused = true)]
    async fn retryable_errors_are_tried_again_up_to_the_schedule() {
        let calls = AtomicU32::new(0);
        let result: Result<(), E> = run_with_retries(
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(E::Transient)
            },
            |e| matches!(e, E::Transient),
            SCHEDULE,
        )
        .await;
        assert!(matches!(result, Err(E::Transient)));
        assert_eq!(calls.load(Ordering::SeqCst), 3, "one try plus one per wait");
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_after_failures_is_returned() {
        let calls = AtomicU32::new(0);
        let result = run_with_retries(
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(E::Transient),
                    _ => Ok(7),
                }
            },
            |e| matches!(e, E::Transient),
            SCHEDULE,
        )
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn errors_the_predicate_refuses_are_returned_at_once() {
        let calls = AtomicU32::new(0);
        let result: Result<(), E> = run_with_retries(
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(E::Final)
            },
            |e| matches!(e, E::Transient),
            SCHEDULE,
        )
        .await;
        assert!(matches!(result, Err(E::Final)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let backoff = Backoff {
            base: Duration::from_secs(5),
            max: Duration::from_secs(4 * 3600),
        };
        for attempt in 1..30 {
            let step = backoff.step(attempt);
            assert_eq!(
                step,
                Duration::from_secs(5)
                    .saturating_mul(1 << (attempt - 1).min(20))
                    .min(backoff.max)
            );
            let d = backoff.delay(attempt);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn a_day_of_webhook_retries_takes_a_bounded_number_of_attempts() {
        let backoff = Backoff {
            base: Duration::from_secs(5),
            max: Duration::from_secs(4 * 3600),
        };
        // Even with the shortest jitter every time, 24 hours are covered in < 30 attempts.
        let mut elapsed = Duration::ZERO;
        let mut attempts = 1;
        while elapsed < Duration::from_secs(24 * 3600) {
            elapsed += backoff.step(attempts) / 2;
            attempts += 1;
        }
        assert!(attempts < 30, "{attempts}");
    }
}
