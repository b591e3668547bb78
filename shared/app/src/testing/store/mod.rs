//! The table in memory: every store port, with the DynamoDB adapter's conditions (a
//! transition happens only from the phases it names, a claim only when free), so the
//! handlers' rules are tested fast; the same handlers run against the emulator in `tests/`.

use crate::ports::*;
use domain::api_keys::{KeyId, KeyInfo, KeyRevoked};
use domain::insights::Analysis;
use domain::limits::{minute_window, seconds_to_next_minute, AccountLimits, LimitExceeded};
use domain::listing::{BotSummary, ListPage, ListQuery};
use domain::session::{DataDeleted, ExitRecord, WebhookDelivery};
use domain::signing::{PreviousSecret, SigningSecrets};
use domain::webhook_endpoint::WebhookEndpoint;
use domain::{AccountId, ApiKey, ApiKeyHash, BotId, Phase, Session, Transcript, WebhookSecret};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

mod accounts;
mod deliveries;
mod reruns;

#[derive(Default)]
pub(super) struct StoreState {
    pub(super) keys: HashMap<String, AccountId>,
    pub(super) secrets: HashMap<AccountId, WebhookSecret>,
    pub(super) previous_secrets: HashMap<AccountId, PreviousSecret>,
    pub(super) idempotency: HashMap<(AccountId, String), (BotId, String)>,
    pub(super) sessions: HashMap<BotId, Session>,
    pub(super) transcripts: HashMap<(BotId, String), Transcript>,
    pub(super) results: HashMap<BotId, Analysis>,
    /// Earlier versions of the insights, by bot and version.
    pub(super) versions: HashMap<(BotId, u32), Analysis>,
    /// What the account sees of each key, by the key's hash.
    pub(super) key_infos: HashMap<String, (AccountId, KeyInfo)>,
    pub(super) revoked: HashMap<(AccountId, KeyId), KeyRevoked>,
    pub(super) endpoints: HashMap<AccountId, WebhookEndpoint>,
    pub(super) test_events: HashMap<(AccountId, i64), u32>,
    /// The expiry (TTL) each stored transcript and result was written with.
    pub(super) expiries: HashMap<BotId, Vec<OffsetDateTime>>,
    /// How many times a transcript or results were read (`get_view`, `view_of`,
    /// `load_transcript`).
    pub(super) result_reads: usize,
    pub(super) limits: HashMap<AccountId, AccountLimits>,
    pub(super) active_bots: HashMap<AccountId, u32>,
    pub(super) joins: HashMap<(AccountId, i64), u32>,
    pub(super) emails: HashMap<(AccountId, String), u32>,
}

#[derive(Clone, Default)]
pub struct MemStore(pub(super) Arc<Mutex<StoreState>>);

/// Appends a transition's timeline, as the real store does in the transition's write.
fn append(s: &mut Session, timeline: &Timeline) {
    s.status_changes.extend(timeline.changes.iter().copied());
    s.event_deliveries
        .extend(timeline.deliveries.iter().cloned());
}

pub(super) fn webhook_mut(s: &mut Session, slot: WebhookSlot) -> Option<&mut WebhookDelivery> {
    match slot {
        WebhookSlot::Final => s.webhook_delivery.as_mut(),
        WebhookSlot::Event(i) => s.event_deliveries.get_mut(i),
    }
}

pub(super) fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl MemStore {
    pub fn add_key(&self, account: &str) -> ApiKey {
        let key = ApiKey::generate();
        let account = AccountId::parse(account).unwrap();
        let mut state = self.0.lock().unwrap();
        state
            .secrets
            .entry(account.clone())
            .or_insert_with(WebhookSecret::generate);
        let info = KeyInfo::new(KeyId::generate(), &key, domain::now());
        let hash = key.hash().as_str().to_owned();
        state.keys.insert(hash.clone(), account.clone());
        state.key_infos.insert(hash, (account, info));
        key
    }

    /// The key's id, as the account's key list shows it.
    pub fn key_id(&self, key: &ApiKey) -> KeyId {
        let state = self.0.lock().unwrap();
        state.key_infos[key.hash().as_str()].1.key_id.clone()
    }

    /// Test events counted for the account, over every minute.
    pub fn test_events(&self, account: &str) -> u32 {
        let account = AccountId::parse(account).unwrap();
        let state = self.0.lock().unwrap();
        state
            .test_events
            .iter()
            .filter(|((a, _), _)| *a == account)
            .map(|(_, n)| n)
            .sum()
    }

    pub fn session(&self, id: BotId) -> Option<Session> {
        self.0.lock().unwrap().sessions.get(&id).cloned()
    }

    pub fn put_session(&self, session: Session) {
        self.0
            .lock()
            .unwrap()
            .sessions
            .insert(session.bot_id, session);
    }

    pub fn set_limits(&self, account: &str, limits: AccountLimits) {
        let account = AccountId::parse(account).unwrap();
        self.0.lock().unwrap().limits.insert(account, limits);
    }

    /// The account's running-bot slots in use.
    pub fn active_bots(&self, account: &str) -> u32 {
        let account = AccountId::parse(account).unwrap();
        self.0
            .lock()
            .unwrap()
            .active_bots
            .get(&account)
            .copied()
            .unwrap_or(0)
    }

    /// How many times a transcript or results were read.
    pub fn result_reads(&self) -> usize {
        self.0.lock().unwrap().result_reads
    }

    /// The expiries the bot's transcript and results were stored with, in write order.
    pub fn expiries(&self, id: BotId) -> Vec<OffsetDateTime> {
        let state = self.0.lock().unwrap();
        state.expiries.get(&id).cloned().unwrap_or_default()
    }

    /// Whether the bot has a stored transcript or results.
    pub fn holds_data(&self, id: BotId) -> bool {
        let state = self.0.lock().unwrap();
        state.results.contains_key(&id) || state.transcripts.keys().any(|(bot, _)| *bot == id)
    }

    pub fn session_count(&self) -> usize {
        self.0.lock().unwrap().sessions.len()
    }

    pub(super) fn update<T>(&self, id: BotId, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.0.lock().unwrap().sessions.get_mut(&id).map(f)
    }
}

impl Accounts for MemStore {
    /// Every use is written as `last_used_at` (the real store writes at most once a minute).
    async fn account_for_key(&self, key: &ApiKeyHash) -> Result<Option<AccountId>, StoreError> {
        let mut state = self.0.lock().unwrap();
        if let Some((_, info)) = state.key_infos.get_mut(key.as_str()) {
            info.last_used_at = Some(domain::now());
        }
        Ok(state.keys.get(key.as_str()).cloned())
    }

    async fn account_limits(&self, account: &AccountId) -> Result<AccountLimits, StoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .limits
            .get(account)
            .cloned()
            .unwrap_or_default())
    }

    async fn webhook_secret(
        &self,
        account: &AccountId,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        Ok(self.0.lock().unwrap().secrets.get(account).cloned())
    }

    async fn signing_secrets(
        &self,
        account: &AccountId,
    ) -> Result<Option<SigningSecrets>, StoreError> {
        let state = self.0.lock().unwrap();
        Ok(state.secrets.get(account).map(|current| SigningSecrets {
            current: current.clone(),
            previous: state.previous_secrets.get(account).cloned(),
        }))
    }
}

impl SessionStore for MemStore {
    async fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
        admission: &Admission,
    ) -> Result<CreateOutcome, StoreError> {
        let mut state = self.0.lock().unwrap();
        if let Some(c) = claim {
            if let Some((bot_id, fingerprint)) =
                state.idempotency.get(&(c.account.clone(), c.key.clone()))
            {
                return Ok(CreateOutcome::Replayed {
                    bot_id: *bot_id,
                    fingerprint: fingerprint.clone(),
                });
            }
        }
        let account = session.account_id.clone();
        let minute = (account.clone(), minute_window(admission.at));
        if session.holds_slot {
            let active = state.active_bots.get(&account).copied().unwrap_or(0);
            if active >= admission.active_bots {
                return Ok(CreateOutcome::Refused(LimitExceeded::ActiveBots {
                    limit: admission.active_bots,
                }));
            }
            if state.joins.get(&minute).copied().unwrap_or(0) >= admission.joins_per_minute {
                return Ok(CreateOutcome::Refused(LimitExceeded::JoinsPerMinute {
                    limit: admission.joins_per_minute,
                    retry_after_seconds: seconds_to_next_minute(admission.at),
                }));
            }
            *state.active_bots.entry(account).or_default() += 1;
            *state.joins.entry(minute).or_default() += 1;
        }
        if let Some(c) = claim {
            state.idempotency.insert(
                (c.account.clone(), c.key.clone()),
                (c.bot_id, c.fingerprint.clone()),
            );
        }
        state.sessions.insert(session.bot_id, session.clone());
        Ok(CreateOutcome::Created)
    }

    async fn get_session(&self, id: BotId) -> Result<Option<Session>, StoreError> {
        Ok(self.session(id))
    }

    async fn get_view(&self, id: BotId) -> Result<Option<SessionView>, StoreError> {
        let mut state = self.0.lock().unwrap();
        state.result_reads += 1;
        Ok(state.sessions.get(&id).map(|s| SessionView {
            session: s.clone(),
            transcript: s
                .exit
                .as_ref()
                .and_then(|e| state.transcripts.get(&(id, e.exit_id.clone())).cloned()),
            analysis: state.results.get(&id).cloned(),
        }))
    }

    async fn list_sessions(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> Result<ListPage, StoreError> {
        let state = self.0.lock().unwrap();
        let mut bots: Vec<BotSummary> = state
            .sessions
            .values()
            .filter(|s| &s.account_id == account)
            .map(Session::summary)
            .collect();
        // Newest first, then by id: the index's order.
        bots.sort_by_key(|b| std::cmp::Reverse((b.position().created_ms, b.bot_id.to_string())));
        let after = |b: &BotSummary| match query.after {
            None => true,
            Some(p) => {
                (b.position().created_ms, b.bot_id.to_string())
                    < (p.created_ms, p.bot_id.to_string())
            }
        };
        let mut matching = bots.into_iter().filter(|b| after(b) && query.matches(b));
        let page: Vec<BotSummary> = matching.by_ref().take(query.limit).collect();
        let next = match (page.last(), matching.next()) {
            (Some(last), Some(_)) => Some(last.position()),
            _ => None,
        };
        Ok(ListPage { bots: page, next })
    }

    async fn view_of(&self, session: Session) -> Result<SessionView, StoreError> {
        let mut state = self.0.lock().unwrap();
        state.result_reads += 1;
        let id = session.bot_id;
        Ok(SessionView {
            transcript: session
                .exit
                .as_ref()
                .and_then(|e| state.transcripts.get(&(id, e.exit_id.clone())).cloned()),
            analysis: state.results.get(&id).cloned(),
            session,
        })
    }

    async fn mark_started(
        &self,
        id: BotId,
        runtime_session_id: &str,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> Result<bool, StoreError> {
        Ok(self
            .update(id, |s| {
                let ok = s.phase == Phase::Joining;
                if ok {
                    s.phase = Phase::InCall;
                    append(s, timeline);
                    s.started_at = Some(at);
                    s.runtime_session_id = Some(runtime_session_id.to_owned());
                }
                ok
            })
            .unwrap_or(false))
    }

    async fn request_leave(
        &self,
        id: BotId,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> Result<bool, StoreError> {
        Ok(self
            .update(id, |s| {
                let ok = matches!(s.phase, Phase::Joining | Phase::InCall);
                if ok {
                    s.phase = Phase::Leaving;
                    append(s, timeline);
                    s.leave_requested_at = Some(at);
                    s.leave_enqueued = false;
                }
                ok
            })
            .unwrap_or(false))
    }

    async fn mark_data_deleted(&self, session: &Session) -> Result<DataDeleted, StoreError> {
        let receipt = session
            .data_deleted
            .ok_or_else(|| StoreError::corrupt("session", "deletion without a receipt"))?;
        self.update(session.bot_id, |s| match s.data_deleted {
            Some(earlier) => Ok(earlier),
            None if s.phase.is_terminal() => {
                s.data_deleted = Some(receipt);
                s.email_delivery = session.email_delivery.clone();
                s.webhook_delivery = session.webhook_delivery.clone();
                s.event_deliveries = session.event_deliveries.clone();
                Ok(receipt)
            }
            None => Err(StoreError::corrupt(
                "session",
                "deletion refused on a running bot",
            )),
        })
        .unwrap_or_else(|| Err(StoreError::corrupt("session", "vanished")))
    }

    async fn mark_leave_enqueued(&self, id: BotId) -> Result<(), StoreError> {
        self.update(id, |s| s.leave_enqueued = true);
        Ok(())
    }

    async fn record_exit(
        &self,
        id: BotId,
        exit: &ExitRecord,
        timeline: &Timeline,
    ) -> Result<RecordExit, StoreError> {
        Ok(self
            .update(id, |s| {
                if matches!(s.phase, Phase::Joining | Phase::InCall | Phase::Leaving) {
                    s.exit = Some(exit.clone());
                    s.phase = Phase::Processing;
                    append(s, timeline);
                    RecordExit::Recorded
                } else if s.exit.as_ref().is_some_and(|e| e.exit_id == exit.exit_id) {
                    RecordExit::AlreadyRecorded
                } else {
                    RecordExit::Refused(s.phase)
                }
            })
            .unwrap_or(RecordExit::Refused(Phase::Failed)))
    }

    async fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> Result<bool, StoreError> {
        let mut state = self.0.lock().unwrap();
        let Some(s) = state.sessions.get_mut(&id) else {
            return Ok(false);
        };
        if !from.contains(&s.phase) {
            return Ok(false);
        }
        s.phase = finish.phase;
        s.completed_at = Some(finish.at);
        append(s, &finish.timeline);
        if let Some(account) = finish.frees_slot_of {
            let active = state.active_bots.entry(account.clone()).or_default();
            *active = active.saturating_sub(1);
        }
        let Some(s) = state.sessions.get_mut(&id) else {
            return Ok(false);
        };
        s.email_delivery = finish.email;
        s.webhook_delivery = finish.webhook;
        if let Some(e) = finish.error {
            s.error = Some(e.to_owned());
        }
        if let Some(code) = finish.error_code {
            s.error_code = Some(code.to_owned());
        }
        if let Some(a) = finish.analysis {
            s.insights_error = a.insights_error.clone();
            state.results.insert(id, a.clone());
            if let Some(at) = finish.expires_at {
                state.expiries.entry(id).or_default().push(at);
            }
        }
        Ok(true)
    }
}

impl TranscriptStore for MemStore {
    async fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<u32, StoreError> {
        let mut state = self.0.lock().unwrap();
        state
            .transcripts
            .insert((id, exit_id.to_owned()), transcript.clone());
        if let Some(at) = expires_at {
            state.expiries.entry(id).or_default().push(at);
        }
        Ok(1)
    }

    async fn delete_data(&self, session: &Session) -> Result<DataDeleted, StoreError> {
        let id = session.bot_id;
        let mut state = self.0.lock().unwrap();
        let before = state.transcripts.len();
        state.transcripts.retain(|(bot, _), _| *bot != id);
        let transcript_chunks = (before - state.transcripts.len()) as u32;
        let versions = state.versions.len();
        state.versions.retain(|(bot, _), _| *bot != id);
        let results = u32::from(state.results.remove(&id).is_some())
            + (versions - state.versions.len()) as u32;
        Ok(DataDeleted {
            at: domain::now(),
            transcript_chunks,
            results,
            deliveries: 0,
        })
    }

    async fn delete_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        _chunks: u32,
    ) -> Result<(), StoreError> {
        self.0
            .lock()
            .unwrap()
            .transcripts
            .remove(&(id, exit_id.to_owned()));
        Ok(())
    }

    async fn load_transcript(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> Result<Transcript, StoreError> {
        let mut state = self.0.lock().unwrap();
        state.result_reads += 1;
        state
            .transcripts
            .get(&(id, exit.exit_id.clone()))
            .cloned()
            .ok_or_else(|| StoreError::corrupt("transcript", "missing"))
    }
}
