//! Listing an account's bots, newest first: the filters a customer may give, a position in
//! the list to continue from, and what each listed bot shows.

use crate::metadata::Metadata;
use crate::session::{ExitReason, Phase, Status};
use crate::timeline::SubCode;
use crate::BotId;
use serde::Serialize;
use time::OffsetDateTime;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Metadata filters a list request may combine.
pub const MAX_METADATA_FILTERS: usize = 16;

/// Where a page ended: the last bot listed (the list is ordered by creation time, newest
/// first, then by id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListPosition {
    pub created_ms: i64,
    pub bot_id: BotId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub status: Option<Status>,
    pub created_after: Option<OffsetDateTime>,
    pub created_before: Option<OffsetDateTime>,
    /// `metadata.KEY=VALUE` filters, all of which must hold.
    pub metadata: Vec<(String, String)>,
    pub limit: usize,
    pub after: Option<ListPosition>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            status: None,
            created_after: None,
            created_before: None,
            metadata: Vec::new(),
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl ListQuery {
    /// Whether a bot passes the filters (the store applies the same ones).
    pub fn matches(&self, bot: &BotSummary) -> bool {
        let ms = millis(bot.created_at);
        self.status.is_none_or(|s| bot.phase.status() == s)
            && self.created_after.is_none_or(|t| ms > millis(t))
            && self.created_before.is_none_or(|t| ms < millis(t))
            && self
                .metadata
                .iter()
                .all(|(k, v)| bot.metadata.get(k) == Some(v.as_str()))
    }
}

/// A bot as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BotSummary {
    pub bot_id: BotId,
    pub status: Status,
    pub phase: Phase,
    pub sub_code: Option<SubCode>,
    pub room_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub exit_reason: Option<ExitReason>,
    pub metadata: Metadata,
}

impl BotSummary {
    pub fn position(&self) -> ListPosition {
        ListPosition {
            created_ms: millis(self.created_at),
            bot_id: self.bot_id,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    pub bots: Vec<BotSummary>,
    /// Where the next page starts; `None` when this page is the last.
    pub next: Option<ListPosition>,
}

/// Milliseconds since the Unix epoch: the list's sort key.
pub fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}
