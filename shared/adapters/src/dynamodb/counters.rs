//! The counters behind per-account limits, as transaction items: each is a conditional
//! `ADD` that refuses to go past its limit, written in the same transaction as what it
//! counts (the session created, the email claimed), so the limit holds exactly however
//! many requests race. A limit of 0 refuses even the first.

use super::codec::{n, s};
use super::keys::{account_pk, emails_pk, joins_pk, test_events_pk, ACCOUNT_SK, LIMIT_SK};
use app::ports::StoreError;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use domain::limits::minute_window;
use domain::AccountId;
use time::OffsetDateTime;

/// How long a window's counter is kept after the window: long enough to be read, short
/// enough that the table does not grow with them (DynamoDB's TTL removes them).
const COUNTER_TTL_SECONDS: i64 = 2 * 24 * 60 * 60;

fn build(
    update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> Result<TransactWriteItem, StoreError> {
    let update: Update = update
        .build()
        .map_err(|e| StoreError::corrupt("request", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// `counter < limit`, or no counter yet (unless the limit is 0).
fn below(limit: u32) -> &'static str {
    if limit == 0 {
        "#count < :limit"
    } else {
        "attribute_not_exists(#count) OR #count < :limit"
    }
}

/// One more of `limit` counted in the item `(pk, sk)`'s attribute `attr`.
fn increment(
    table: &str,
    pk: String,
    sk: &str,
    attr: &str,
    limit: u32,
    expires_at: Option<i64>,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", s(pk))
        .key("sk", s(sk))
        .condition_expression(below(limit))
        .expression_attribute_names("#count", attr)
        .expression_attribute_values(":limit", n(limit))
        .expression_attribute_values(":one", n(1));
    update = match expires_at {
        Some(at) => update
            .update_expression("ADD #count :one SET expires_at = :expires")
            .expression_attribute_values(":expires", n(at)),
        None => update.update_expression("ADD #count :one"),
    };
    build(update)
}

/// Takes one of the account's running-bot slots.
pub(super) fn take_slot(
    table: &str,
    account: &AccountId,
    limit: u32,
) -> Result<TransactWriteItem, StoreError> {
    increment(
        table,
        account_pk(account),
        ACCOUNT_SK,
        "active_bots",
        limit,
        None,
    )
}

/// Frees the slot a session held (its terminal transition, which happens once).
pub(super) fn free_slot(table: &str, account: &AccountId) -> Result<TransactWriteItem, StoreError> {
    build(
        Update::builder()
            .table_name(table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression("ADD #count :minus_one")
            .expression_attribute_names("#count", "active_bots")
            .expression_attribute_values(":minus_one", n(-1)),
    )
}

/// Counts one join in the minute of `at`.
pub(super) fn count_join(
    table: &str,
    account: &AccountId,
    at: OffsetDateTime,
    limit: u32,
) -> Result<TransactWriteItem, StoreError> {
    let minute = minute_window(at);
    let expires = (minute + 1) * 60 + COUNTER_TTL_SECONDS;
    increment(
        table,
        joins_pk(account, minute),
        LIMIT_SK,
        "count",
        limit,
        Some(expires),
    )
}

/// Counts one email on `day`.
pub(super) fn count_email(
    table: &str,
    account: &AccountId,
    day: &str,
    limit: u32,
    now: OffsetDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let expires = now.unix_timestamp() + COUNTER_TTL_SECONDS;
    increment(
        table,
        emails_pk(account, day),
        LIMIT_SK,
        "count",
        limit,
        Some(expires),
    )
}

/// Counts one test event in the minute of `at`.
pub(super) fn count_test_event(
    table: &str,
    account: &AccountId,
    at: OffsetDateTime,
    limit: u32,
) -> Result<TransactWriteItem, StoreError> {
    let minute = minute_window(at);
    let expires = (minute + 1) * 60 + COUNTER_TTL_SECONDS;
    increment(
        table,
        test_events_pk(account, minute),
        LIMIT_SK,
        "count",
        limit,
        Some(expires),
    )
}
