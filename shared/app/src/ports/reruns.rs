//! Re-runs of a session's insights: asked for by the customer, done by the pipeline, every
//! version kept (the latest where the status route reads it, earlier ones beside it).

use super::StoreError;
use domain::insights::Analysis;
use domain::rerun::Rerun;
use domain::session::{EmailDelivery, WebhookDelivery};
use domain::BotId;
use std::future::Future;
use time::OffsetDateTime;

/// What a finished re-run stores, in one transaction.
#[derive(Clone, Debug)]
pub struct RerunDone<'a> {
    pub version: u32,
    /// The insights it replaces (version `version - 1`), kept as that version.
    pub previous: Option<&'a Analysis>,
    pub analysis: &'a Analysis,
    /// The `insights_updated` webhook and the email owed, when the re-run asked for them.
    pub webhook: Option<WebhookDelivery>,
    pub email: Option<EmailDelivery>,
    /// When the stored versions expire (the session's retention), if they do.
    pub expires_at: Option<OffsetDateTime>,
}

pub trait Reruns: Send + Sync {
    /// Records `rerun` on an ended session that has none pending and whose data was not
    /// deleted; false when one of those no longer holds.
    fn request_rerun(
        &self,
        id: BotId,
        rerun: &Rerun,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Forgets a recorded re-run that could not be queued, so the customer can ask again.
    fn cancel_rerun(
        &self,
        id: BotId,
        version: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores the re-run's results as the latest (the previous kept as its version), raises
    /// the session's `insights_version` and adds the deliveries owed, only while the re-run
    /// of `done.version` is still pending: false when another invocation finished it.
    fn finish_rerun(
        &self,
        id: BotId,
        done: RerunDone<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// An earlier version of the insights (not the latest: the session view has that).
    fn analysis_version(
        &self,
        id: BotId,
        version: u32,
    ) -> impl Future<Output = Result<Option<Analysis>, StoreError>> + Send;
}
