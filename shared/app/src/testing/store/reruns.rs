//! Re-runs of the insights in memory: the pending re-run, the latest results and the
//! earlier versions, with the DynamoDB adapter's conditions.

use super::MemStore;
use crate::ports::{RerunDone, Reruns, StoreError};
use domain::insights::Analysis;
use domain::rerun::Rerun;
use domain::BotId;

impl Reruns for MemStore {
    async fn request_rerun(&self, id: BotId, rerun: &Rerun) -> Result<bool, StoreError> {
        Ok(self
            .update(id, |s| {
                let free = s.insights_rerun.is_none() && s.data_deleted.is_none();
                if free && s.phase.is_terminal() {
                    s.insights_rerun = Some(rerun.clone());
                }
                free && s.phase.is_terminal()
            })
            .unwrap_or(false))
    }

    async fn cancel_rerun(&self, id: BotId, version: u32) -> Result<(), StoreError> {
        self.update(id, |s| {
            if s.insights_rerun
                .as_ref()
                .is_some_and(|r| r.version == version)
            {
                s.insights_rerun = None;
            }
        });
        Ok(())
    }

    async fn finish_rerun(&self, id: BotId, done: RerunDone<'_>) -> Result<bool, StoreError> {
        let mut state = self.0.lock().unwrap();
        let Some(s) = state.sessions.get_mut(&id) else {
            return Ok(false);
        };
        if s.insights_rerun.as_ref().map(|r| r.version) != Some(done.version) {
            return Ok(false);
        }
        s.insights_rerun = None;
        s.insights_version = Some(done.version);
        s.insights_error = done.analysis.insights_error.clone();
        s.event_deliveries.extend(done.webhook);
        s.later_emails.extend(done.email);
        if let Some(previous) = done.previous {
            state
                .versions
                .insert((id, done.version - 1), previous.clone());
        }
        state.results.insert(id, done.analysis.clone());
        Ok(true)
    }

    async fn analysis_version(
        &self,
        id: BotId,
        version: u32,
    ) -> Result<Option<Analysis>, StoreError> {
        Ok(self.0.lock().unwrap().versions.get(&(id, version)).cloned())
    }
}
