//! Sessions and their lifecycle. Each transition is one conditional write naming the phases
//! it may start from: the stop's `joining|in_call -> leaving` ([`SessionStore::request_leave`]),
//! the report's commit point (`record_exit`), and `finish`, which stores the results and
//! the deliveries owed in the same transaction.

use super::codec::{
    blob, decode_analysis, decode_transcript, encode_analysis, n, rfc3339, s, string, to_av,
};
use super::counters;
use super::expr::Expr;
use super::keys::{
    bot_pk, idempotency_pk, transcript_prefix, Item, IDEMPOTENCY_SK, IDEMPOTENCY_TTL_SECONDS,
    RESULT_SK, SESSION_SK, TTL_ATTRIBUTE,
};
use super::transactions::{outcome, Transaction};
use super::{DynamoStore, SortKey};
use app::ports::{
    Admission, CreateOutcome, Finish, IdempotencyClaim, RecordExit, SessionStore, SessionView,
    StoreError, Timeline,
};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use domain::insights::Analysis;
use domain::limits::{seconds_to_next_minute, LimitExceeded};
use domain::listing::{millis, ListPage, ListQuery};
use domain::session::{DataDeleted, ExitRecord};
use domain::{now, AccountId, BotId, Phase, Session};
use time::OffsetDateTime;

fn session_item(session: &Session) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(session).map_err(|e| StoreError::corrupt("session", e))?;
    item.insert("pk".into(), s(bot_pk(session.bot_id)));
    item.insert("sk".into(), s(SESSION_SK));
    // The list's sort key in the ByAccount index (only session items have one).
    item.insert("created_ms".into(), n(millis(session.created_at)));
    Ok(item)
}

fn parse_session(item: Item) -> Result<Session, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::corrupt("session", e))
}

/// A session's view from its other items: the chunks of its recorded exit's transcript
/// (when all are there) and its results.
fn assemble(session: Session, items: Vec<Item>) -> Result<SessionView, StoreError> {
    let mut result = None;
    let mut chunks: Vec<(String, Item)> = Vec::new();
    for item in items {
        let Some(sk) = string(&item, "sk").map(str::to_owned) else {
            continue;
        };
        match sk.as_str() {
            RESULT_SK => result = Some(item),
            _ if sk.starts_with("TRANSCRIPT#") => chunks.push((sk, item)),
            _ => {}
        }
    }
    let transcript = match &session.exit {
        Some(exit) => {
            let prefix = transcript_prefix(&exit.exit_id);
            chunks.retain(|(sk, _)| sk.starts_with(&prefix));
            chunks.sort_by(|a, b| a.0.cmp(&b.0));
            if chunks.len() == exit.chunks as usize {
                let bytes = chunks
                    .iter()
                    .map(|(_, item)| blob(item, "data"))
                    .collect::<Result<Vec<_>, _>>()?;
                Some(decode_transcript(&bytes)?)
            } else {
                None
            }
        }
        None => None,
    };
    let analysis = result.as_ref().map(decode_analysis).transpose()?;
    Ok(SessionView {
        session,
        transcript,
        analysis,
    })
}

/// The put of stored results under `sk` (the latest, or an earlier version), with the
/// session's expiry when it has one.
pub(super) fn analysis_put(
    table: &str,
    id: BotId,
    sk: &str,
    analysis: &Analysis,
    expires_at: Option<OffsetDateTime>,
) -> Result<TransactWriteItem, StoreError> {
    let mut put = Put::builder()
        .table_name(table)
        .item("pk", s(bot_pk(id)))
        .item("sk", s(sk))
        .item("data", encode_analysis(analysis)?);
    if let Some(at) = expires_at {
        put = put.item(TTL_ATTRIBUTE, n(at.unix_timestamp()));
    }
    let put = put.build().map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// The transition's timeline changes and `status_change` events, appended in its write.
fn with_timeline(expr: Expr, timeline: &Timeline) -> Result<Expr, StoreError> {
    let changes = timeline
        .changes
        .iter()
        .map(to_av)
        .collect::<Result<_, _>>()?;
    let deliveries = timeline
        .deliveries
        .iter()
        .map(to_av)
        .collect::<Result<_, _>>()?;
    Ok(expr
        .append("status_changes", changes)
        .append("event_deliveries", deliveries))
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::corrupt("request", e)
}

impl DynamoStore {
    /// What an idempotency key already created: its bot and the body's fingerprint.
    async fn replay(&self, pk: String) -> Result<CreateOutcome, StoreError> {
        let item = self.get(pk, IDEMPOTENCY_SK).await?.ok_or_else(|| {
            StoreError::unavailable("create session", "the idempotency record vanished")
        })?;
        let field = |name: &'static str| {
            string(&item, name)
                .map(str::to_owned)
                .ok_or_else(|| StoreError::corrupt("idempotency record", name))
        };
        let bot_id = BotId::parse(&field("bot_id")?)
            .map_err(|e| StoreError::corrupt("idempotency record", e))?;
        Ok(CreateOutcome::Replayed {
            bot_id,
            fingerprint: field("fingerprint")?,
        })
    }
}

impl SessionStore for DynamoStore {
    async fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
        admission: &Admission,
    ) -> Result<CreateOutcome, StoreError> {
        let table = &*self.table;
        let mut items = Vec::new();
        let idempotency = claim.map(|c| idempotency_pk(&c.account, &c.key));
        if let (Some(claim), Some(pk)) = (claim, &idempotency) {
            let put = Put::builder()
                .table_name(table)
                .item("pk", s(pk.clone()))
                .item("sk", s(IDEMPOTENCY_SK))
                .item("bot_id", s(claim.bot_id.to_string()))
                .item("fingerprint", s(claim.fingerprint.clone()))
                .item(
                    TTL_ATTRIBUTE,
                    n(now().unix_timestamp() + IDEMPOTENCY_TTL_SECONDS),
                )
                // A record past its expiry is gone as far as the customer is concerned,
                // even before DynamoDB's TTL sweep (up to days later) removes it.
                .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
                .expression_attribute_values(":now", n(now().unix_timestamp()))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        let session_put = Put::builder()
            .table_name(table)
            .set_item(Some(session_item(session)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        items.push(TransactWriteItem::builder().put(session_put).build());
        let limits_from = items.len();
        if session.holds_slot {
            let account = &session.account_id;
            items.push(counters::take_slot(table, account, admission.active_bots)?);
            items.push(counters::count_join(
                table,
                account,
                admission.at,
                admission.joins_per_minute,
            )?);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let failed = match outcome("create session", result)? {
            Transaction::Committed => return Ok(CreateOutcome::Created),
            Transaction::ConditionFailed(failed) => failed,
        };
        if let (Some(pk), true) = (idempotency, failed.contains(&0)) {
            // The key was claimed before: answer with what it created.
            return self.replay(pk).await;
        }
        if failed.contains(&limits_from) {
            return Ok(CreateOutcome::Refused(LimitExceeded::ActiveBots {
                limit: admission.active_bots,
            }));
        }
        if failed.contains(&(limits_from + 1)) {
            return Ok(CreateOutcome::Refused(LimitExceeded::JoinsPerMinute {
                limit: admission.joins_per_minute,
                retry_after_seconds: seconds_to_next_minute(admission.at),
            }));
        }
        Err(StoreError::corrupt(
            "session",
            format!("create session: conditions of items {failed:?} failed"),
        ))
    }

    async fn get_session(&self, id: BotId) -> Result<Option<Session>, StoreError> {
        self.get(bot_pk(id), SESSION_SK)
            .await?
            .map(parse_session)
            .transpose()
    }

    async fn get_view(&self, id: BotId) -> Result<Option<SessionView>, StoreError> {
        let items = self.query_partition(bot_pk(id), None).await?;
        let mut session = None;
        let mut rest = Vec::new();
        for item in items {
            if string(&item, "sk") == Some(SESSION_SK) {
                session = Some(parse_session(item)?);
            } else {
                rest.push(item);
            }
        }
        session.map(|s| assemble(s, rest)).transpose()
    }

    async fn list_sessions(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> Result<ListPage, StoreError> {
        self.list(account, query).await
    }

    async fn view_of(&self, session: Session) -> Result<SessionView, StoreError> {
        // Sort keys in order: RESULT < SESSION < TRANSCRIPT#...; the session item comes
        // along (small) and is ignored: the one already read and checked stands.
        let items = self
            .query_partition(bot_pk(session.bot_id), Some(SortKey::From(RESULT_SK)))
            .await?;
        assemble(session, items)
    }

    async fn mark_started(
        &self,
        id: BotId,
        runtime_session_id: &str,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> Result<bool, StoreError> {
        let mut expr = with_timeline(Expr::default(), timeline)?
            .set("phase", s(Phase::InCall.as_str()))
            .set("started_at", rfc3339(at))
            .set("runtime_session_id", s(runtime_session_id));
        let condition = expr.phase_in(&[Phase::Joining]);
        self.update_session(id, expr, condition).await
    }

    async fn request_leave(
        &self,
        id: BotId,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> Result<bool, StoreError> {
        let mut expr = with_timeline(Expr::default(), timeline)?
            .set("phase", s(Phase::Leaving.as_str()))
            .set("leave_requested_at", rfc3339(at))
            .set("leave_enqueued", AttributeValue::Bool(false));
        let condition = expr.phase_in(&[Phase::Joining, Phase::InCall]);
        self.update_session(id, expr, condition).await
    }

    async fn mark_data_deleted(&self, session: &Session) -> Result<DataDeleted, StoreError> {
        let receipt = session
            .data_deleted
            .ok_or_else(|| StoreError::corrupt("session", "deletion without a receipt"))?;
        let mut expr = Expr::default()
            .set("data_deleted", to_av(&receipt)?)
            .set("email_delivery", to_av(&session.email_delivery)?)
            .set("webhook_delivery", to_av(&session.webhook_delivery)?)
            .set("event_deliveries", to_av(&session.event_deliveries)?);
        let deleted = expr.name("data_deleted");
        let terminal = expr.phase_in(&[Phase::Completed, Phase::Failed]);
        let condition = format!("attribute_not_exists({deleted}) AND {terminal}");
        if self.update_session(session.bot_id, expr, condition).await? {
            return Ok(receipt);
        }
        self.get_session(session.bot_id)
            .await?
            .and_then(|s| s.data_deleted)
            .ok_or_else(|| StoreError::corrupt("session", "deletion refused on a running bot"))
    }

    async fn mark_leave_enqueued(&self, id: BotId) -> Result<(), StoreError> {
        let expr = Expr::default().set("leave_enqueued", AttributeValue::Bool(true));
        self.update_session(id, expr, "attribute_exists(pk)".into())
            .await
            .map(|_| ())
    }

    async fn record_exit(
        &self,
        id: BotId,
        exit: &ExitRecord,
        timeline: &Timeline,
    ) -> Result<RecordExit, StoreError> {
        let mut expr = with_timeline(Expr::default(), timeline)?
            .set("exit", to_av(exit)?)
            .set("phase", s(Phase::Processing.as_str()));
        let condition = expr.phase_in(&[Phase::Joining, Phase::InCall, Phase::Leaving]);
        if self.update_session(id, expr, condition).await? {
            return Ok(RecordExit::Recorded);
        }
        let session = self.get_session(id).await?.ok_or_else(|| {
            StoreError::corrupt("session", "vanished while its exit was recorded")
        })?;
        Ok(match &session.exit {
            Some(recorded) if recorded.exit_id == exit.exit_id => RecordExit::AlreadyRecorded,
            _ => RecordExit::Refused(session.phase),
        })
    }

    async fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> Result<bool, StoreError> {
        let mut expr = with_timeline(Expr::default(), &finish.timeline)?
            .set("phase", s(finish.phase.as_str()))
            .set("completed_at", rfc3339(finish.at))
            .set("email_delivery", to_av(&finish.email)?)
            .set("webhook_delivery", to_av(&finish.webhook)?);
        if let Some(error) = finish.error {
            expr = expr.set("error", s(error));
        }
        if let Some(code) = finish.error_code {
            expr = expr.set("error_code", s(code));
        }
        if let Some(e) = finish.analysis.and_then(|a| a.insights_error.as_deref()) {
            expr = expr.set("insights_error", s(e));
        }
        let condition = expr.phase_in(from);
        let update = Update::builder()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s(SESSION_SK))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .build()
            .map_err(build_error)?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build());
        if let Some(account) = finish.frees_slot_of {
            tx = tx.transact_items(counters::free_slot(&self.table, account)?);
        }
        if let Some(analysis) = finish.analysis {
            let put = analysis_put(&self.table, id, RESULT_SK, analysis, finish.expires_at)?;
            tx = tx.transact_items(put);
        }
        // Only the session's phase condition can fail (the result item is unconditional):
        // that is a lost race. Throttling and conflicts are errors (the message comes back);
        // a result over DynamoDB's item limit is `TooLarge`.
        match outcome("finish session", tx.send().await)? {
            Transaction::Committed => Ok(true),
            Transaction::ConditionFailed(_) => Ok(false),
        }
    }
}
