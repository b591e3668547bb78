//! Re-runs of a session's insights on the table: the pending re-run on the session item,
//! the latest results under `RESULT` (where the status route reads them) and each earlier
//! version under `INSIGHTS#v<nnnn>`, written together in one transaction.

use super::codec::{decode_analysis, n, s, to_av};
use super::expr::Expr;
use super::keys::{bot_pk, insights_sk, RESULT_SK, SESSION_SK};
use super::sessions::analysis_put;
use super::transactions::{outcome, Transaction};
use super::DynamoStore;
use app::ports::{RerunDone, Reruns, StoreError};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use domain::insights::Analysis;
use domain::rerun::Rerun;
use domain::{BotId, Phase};

/// The condition that the session's pending re-run is the one of `version`.
fn pending_is(expr: &mut Expr, version: u32) -> String {
    let (pending, v) = (expr.name("insights_rerun"), expr.name("version"));
    let version = expr.value("rerun_version", n(version));
    format!("{pending}.{v} = {version}")
}

impl Reruns for DynamoStore {
    async fn request_rerun(&self, id: BotId, rerun: &Rerun) -> Result<bool, StoreError> {
        let mut expr = Expr::default().set("insights_rerun", to_av(rerun)?);
        let (pending, deleted) = (expr.name("insights_rerun"), expr.name("data_deleted"));
        let ended = expr.phase_in(&[Phase::Completed, Phase::Failed]);
        let condition = format!(
            "attribute_not_exists({pending}) AND attribute_not_exists({deleted}) AND {ended}"
        );
        self.update_session(id, expr, condition).await
    }

    async fn cancel_rerun(&self, id: BotId, version: u32) -> Result<(), StoreError> {
        let mut expr = Expr::default().remove("insights_rerun");
        let condition = pending_is(&mut expr, version);
        self.update_session(id, expr, condition).await.map(|_| ())
    }

    async fn finish_rerun(&self, id: BotId, done: RerunDone<'_>) -> Result<bool, StoreError> {
        let mut expr = Expr::default()
            .set("insights_version", n(done.version))
            .remove("insights_rerun")
            .append(
                "event_deliveries",
                done.webhook.iter().map(to_av).collect::<Result<_, _>>()?,
            )
            .append(
                "later_emails",
                done.email.iter().map(to_av).collect::<Result<_, _>>()?,
            );
        expr = match &done.analysis.insights_error {
            Some(e) => expr.set("insights_error", s(e.clone())),
            None => expr.remove("insights_error"),
        };
        let condition = pending_is(&mut expr, done.version);
        let update = Update::builder()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s(SESSION_SK))
            .update_expression(expr.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values(Some(expr.values))
            .build()
            .map_err(|e| StoreError::corrupt("request", e))?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(analysis_put(
                &self.table,
                id,
                RESULT_SK,
                done.analysis,
                done.expires_at,
            )?);
        if let Some(previous) = done.previous {
            let sk = insights_sk(done.version - 1);
            tx = tx.transact_items(analysis_put(
                &self.table,
                id,
                &sk,
                previous,
                done.expires_at,
            )?);
        }
        match outcome("store re-run", tx.send().await)? {
            Transaction::Committed => Ok(true),
            Transaction::ConditionFailed(_) => Ok(false),
        }
    }

    async fn analysis_version(
        &self,
        id: BotId,
        version: u32,
    ) -> Result<Option<Analysis>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .key("pk", s(bot_pk(id)))
            .key("sk", s(insights_sk(version)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("get insights version", e))?;
        out.item.as_ref().map(decode_analysis).transpose()
    }
}
