//! An account's sessions, newest first, through the `ByAccount` index (partition
//! `account_id`, sort `created_ms`; only session items carry `created_ms`). Filters on
//! status and metadata are applied by DynamoDB to each page read; a request reads at most
//! a bounded number of pages and returns where it stopped, so its cost never grows with
//! the account's history.

use super::codec::{n, s};
use super::expr::Expr;
use super::keys::{bot_pk, Item, SESSION_SK};
use super::DynamoStore;
use app::ports::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::listing::{millis, BotSummary, ListPage, ListPosition, ListQuery};
use domain::metadata::Metadata;
use domain::session::{ExitRecord, Phase, Status};
use domain::timeline::StatusChange;
use domain::{AccountId, BotId};
use serde::Deserialize;
use time::OffsetDateTime;

pub(super) const INDEX: &str = "ByAccount";

/// Items read per page, and pages per request: a filtered list reads at most this many
/// sessions before answering with what it found and where to go on.
const PAGE_ITEMS: i32 = 100;
const MAX_PAGES: usize = 10;

/// What the index projects of a session.
#[derive(Deserialize)]
struct Indexed {
    bot_id: BotId,
    phase: Phase,
    #[serde(default)]
    status_changes: Vec<StatusChange>,
    room_url: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    completed_at: Option<OffsetDateTime>,
    #[serde(default)]
    exit: Option<ExitRecord>,
    #[serde(default)]
    metadata: Metadata,
}

impl Indexed {
    fn summary(self) -> BotSummary {
        BotSummary {
            bot_id: self.bot_id,
            status: self.phase.status(),
            phase: self.phase,
            sub_code: self.status_changes.last().and_then(|c| c.sub_code),
            room_url: self.room_url,
            created_at: self.created_at,
            completed_at: self.completed_at,
            exit_reason: self.exit.map(|e| e.reason),
            metadata: self.metadata,
        }
    }
}

/// The index's key of a position (the table's key included, as DynamoDB asks).
fn start_key(account: &AccountId, at: ListPosition) -> Item {
    Item::from([
        ("account_id".to_owned(), s(account.as_str())),
        ("created_ms".to_owned(), n(at.created_ms)),
        ("pk".to_owned(), s(bot_pk(at.bot_id))),
        ("sk".to_owned(), s(SESSION_SK)),
    ])
}

fn position_of(key: &Item) -> Option<ListPosition> {
    let created_ms = match key.get("created_ms") {
        Some(AttributeValue::N(v)) => v.parse().ok()?,
        _ => return None,
    };
    let bot_id = match key.get("pk") {
        Some(AttributeValue::S(pk)) => BotId::parse(pk.strip_prefix("BOT#")?).ok()?,
        _ => return None,
    };
    Some(ListPosition { created_ms, bot_id })
}

/// The phases a status filter keeps.
fn phases(status: Status) -> &'static [Phase] {
    match status {
        Status::Running => &[
            Phase::Joining,
            Phase::InCall,
            Phase::Leaving,
            Phase::Processing,
        ],
        Status::Completed => &[Phase::Completed],
        Status::Failed => &[Phase::Failed],
    }
}

impl DynamoStore {
    pub(super) async fn list(
        &self,
        account: &AccountId,
        q: &ListQuery,
    ) -> Result<ListPage, StoreError> {
        let mut expr = Expr::default();
        let acct = expr.name("account_id");
        let acct_value = expr.value("account", s(account.as_str()));
        let mut key = format!("{acct} = {acct_value}");
        // Every placeholder must be used: the sort key's only when the range is bounded.
        let created = if q.created_after.is_some() || q.created_before.is_some() {
            expr.name("created_ms")
        } else {
            String::new()
        };
        match (q.created_after, q.created_before) {
            (Some(a), Some(b)) => {
                let (a, b) = (
                    expr.value("after", n(millis(a) + 1)),
                    expr.value("before", n(millis(b) - 1)),
                );
                key.push_str(&format!(" AND {created} BETWEEN {a} AND {b}"));
            }
            (Some(a), None) => {
                let a = expr.value("after", n(millis(a)));
                key.push_str(&format!(" AND {created} > {a}"));
            }
            (None, Some(b)) => {
                let b = expr.value("before", n(millis(b)));
                key.push_str(&format!(" AND {created} < {b}"));
            }
            (None, None) => {}
        }
        let mut filters = Vec::new();
        if let Some(status) = q.status {
            filters.push(expr.phase_in(phases(status)));
        }
        let meta = if q.metadata.is_empty() {
            String::new()
        } else {
            expr.name("metadata")
        };
        for (i, (k, v)) in q.metadata.iter().enumerate() {
            // Keys may hold '.' and '-', which a placeholder may not: number them.
            let name = format!("#meta_key{i}");
            expr.names.insert(name.clone(), k.clone());
            let value = expr.value(&format!("meta{i}"), s(v.clone()));
            filters.push(format!("{meta}.{name} = {value}"));
        }
        let filter = (!filters.is_empty()).then(|| filters.join(" AND "));

        let mut bots = Vec::new();
        let mut start = q.after.map(|p| start_key(account, p));
        for _ in 0..MAX_PAGES {
            let out = self
                .client
                .query()
                .table_name(&*self.table)
                .index_name(INDEX)
                .key_condition_expression(&key)
                .set_filter_expression(filter.clone())
                .set_expression_attribute_names(Some(expr.names.clone()))
                .set_expression_attribute_values(Some(expr.values.clone()))
                .scan_index_forward(false)
                .limit(PAGE_ITEMS)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::unavailable("list sessions", e))?;
            let last_read = out.last_evaluated_key.filter(|k| !k.is_empty());
            let mut items = out.items.unwrap_or_default().into_iter();
            for item in items.by_ref() {
                let bot = serde_dynamo::from_item::<_, Indexed>(item)
                    .map_err(|e| StoreError::corrupt("listed session", e))?
                    .summary();
                bots.push(bot);
                if bots.len() == q.limit {
                    // Full: go on after this bot if anything may follow it.
                    let more = items.len() > 0 || last_read.is_some();
                    let next = more.then(|| bots[q.limit - 1].position());
                    return Ok(ListPage { bots, next });
                }
            }
            match last_read {
                Some(k) => start = Some(k),
                None => return Ok(ListPage { bots, next: None }),
            }
        }
        // The read budget is spent: answer with what matched and where reading stopped.
        let next = start.as_ref().and_then(position_of);
        Ok(ListPage { bots, next })
    }
}
