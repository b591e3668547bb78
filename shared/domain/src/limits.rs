//! Per-account limits: how many bots an account may have running, how many joins a
//! minute, how many result emails a day, and (optionally) which domains its emails may go
//! to. The service's defaults come from configuration; an account's own values, set by the
//! operator (`make account-limits`), override them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The limits in force for an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub active_bots: u32,
    pub joins_per_minute: u32,
    pub emails_per_day: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            active_bots: 50,
            joins_per_minute: 60,
            emails_per_day: 500,
        }
    }
}

/// What an account has set for itself; unset values are the service's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_bots: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joins_per_minute: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails_per_day: Option<u32>,
    /// Hours a session's transcript and results are kept after it ends, when its join
    /// did not say (`retention_hours`); unset: kept until deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_hours: Option<u32>,
    /// Result emails may go only to addresses at these domains (or their subdomains).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_domains: Option<Vec<String>>,
}

impl AccountLimits {
    pub fn over(&self, defaults: Limits) -> Limits {
        Limits {
            active_bots: self.active_bots.unwrap_or(defaults.active_bots),
            joins_per_minute: self.joins_per_minute.unwrap_or(defaults.joins_per_minute),
            emails_per_day: self.emails_per_day.unwrap_or(defaults.emails_per_day),
        }
    }

    /// Whether a result email may go to `address` under the account's allow-list.
    pub fn allows_recipient(&self, address: &str) -> bool {
        let Some(domains) = &self.email_domains else {
            return true;
        };
        let domain = address
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('.').to_ascii_lowercase())
            .unwrap_or_default();
        domains.iter().any(|allowed| {
            let allowed = allowed.trim_start_matches("*.").to_ascii_lowercase();
            domain == allowed
                || domain
                    .strip_suffix(allowed.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// A limit a request ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitExceeded {
    ActiveBots {
        limit: u32,
    },
    JoinsPerMinute {
        limit: u32,
        retry_after_seconds: u32,
    },
    EmailsPerDay {
        limit: u32,
    },
    /// Test events (`POST /api/webhooks/test`) in one minute: each is a request to a URL the
    /// customer names, so it is bounded like joins.
    TestEventsPerMinute {
        limit: u32,
        retry_after_seconds: u32,
    },
}

/// Test events an account may send in one minute.
pub const TEST_EVENTS_PER_MINUTE: u32 = 10;

impl LimitExceeded {
    /// The limit's name, as `make account-limits` and the error bodies call it.
    pub fn name(self) -> &'static str {
        match self {
            LimitExceeded::ActiveBots { .. } => "active_bots",
            LimitExceeded::JoinsPerMinute { .. } => "joins_per_minute",
            LimitExceeded::EmailsPerDay { .. } => "emails_per_day",
            LimitExceeded::TestEventsPerMinute { .. } => "test_events_per_minute",
        }
    }

    /// A sentence for the customer.
    pub fn describe(self) -> String {
        match self {
            LimitExceeded::ActiveBots { limit } => format!(
                "The account has {limit} bots running, its limit; a bot's slot is freed when its session ends."
            ),
            LimitExceeded::JoinsPerMinute { limit, .. } => {
                format!("The account may start {limit} bots a minute, and has this minute.")
            }
            LimitExceeded::EmailsPerDay { limit } => format!(
                "email_quota_exceeded: The account's limit of {limit} result emails a day is reached; this email was not sent."
            ),
            LimitExceeded::TestEventsPerMinute { limit, .. } => {
                format!("The account may send {limit} test events a minute, and has this minute.")
            }
        }
    }
}

/// The fixed one-minute window joins are counted in: Unix minutes.
pub fn minute_window(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(60)
}

/// Seconds until the next minute window opens (1..=60).
pub fn seconds_to_next_minute(at: OffsetDateTime) -> u32 {
    (60 - at.unix_timestamp().rem_euclid(60)) as u32
}

/// The UTC day emails are counted in, `YYYY-MM-DD`.
pub fn day_window(at: OffsetDateTime) -> String {
    let d = at.to_offset(time::UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_accounts_own_values_override_the_defaults() {
        let own = AccountLimits {
            active_bots: Some(3),
            ..Default::default()
        };
        assert_eq!(
            own.over(Limits::default()),
            Limits {
                active_bots: 3,
                ..Limits::default()
            }
        );
    }

    #[test]
    fn the_recipient_allow_list_matches_domains_and_subdomains() {
        let open = AccountLimits::default();
        assert!(open.allows_recipient("anyone@anywhere.example"));
        let acme = AccountLimits {
            email_domains: Some(vec!["acme.com".into()]),
            ..Default::default()
        };
        assert!(acme.allows_recipient("ada@acme.com"));
        assert!(acme.allows_recipient("ada@eu.ACME.com"));
        assert!(!acme.allows_recipient("ada@notacme.com"));
        assert!(!acme.allows_recipient("ada@acme.com.evil.example"));
        assert!(!acme.allows_recipient("no-at-sign"));
    }

    #[test]
    fn windows_are_utc_minutes_and_days() {
        let at = datetime!(2026-12-01 23:59:45 UTC);
        assert_eq!(seconds_to_next_minute(at), 15);
        assert_eq!(
            minute_window(at) + 1,
            minute_window(at + time::Duration::seconds(15))
        );
        assert_eq!(day_window(at), "2026-12-01");
        assert_eq!(day_window(datetime!(2026-12-02 00:30 +02:00)), "2026-12-01");
    }
}
