//! Sessions and their lifecycle: every phase change is one conditional write, so
//! concurrent stops, reports and deadlines cannot both win.

use super::StoreError;
use domain::insights::Analysis;
use domain::limits::LimitExceeded;
use domain::listing::{ListPage, ListQuery};
use domain::session::{DataDeleted, EmailDelivery, ExitRecord, WebhookDelivery};
use domain::timeline::{ChangeCode, StatusChange, SubCode};
use domain::{AccountId, BotId, Phase, Session, Transcript};
use std::future::Future;
use time::OffsetDateTime;

/// An `Idempotency-Key` claimed together with the session it created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub account: AccountId,
    pub key: String,
    pub fingerprint: String,
    pub bot_id: BotId,
}

/// The limits a new session must fit in, checked in the same write that creates it, so
/// they hold exactly however many joins race: the account's running bots (one slot per
/// session, freed when it ends) and its joins in the minute of `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    pub active_bots: u32,
    pub joins_per_minute: u32,
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The key was used before: this is the bot it created and the body it was created with.
    Replayed {
        bot_id: BotId,
        fingerprint: String,
    },
    /// A limit is reached: nothing was stored.
    Refused(LimitExceeded),
}

/// How recording a bot's exit report ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordExit {
    Recorded,
    /// This very report was recorded before (a retry of the same body).
    AlreadyRecorded,
    /// A different report was recorded first, or the session has already ended.
    Refused(Phase),
}

/// A terminal transition: what the session becomes and what it owes its customer.
#[derive(Clone, Debug)]
pub struct Finish<'a> {
    pub phase: Phase,
    pub at: OffsetDateTime,
    pub error: Option<&'a str>,
    /// The stable code of `error`, when it has one (a failed join's reason).
    pub error_code: Option<&'a str>,
    pub analysis: Option<&'a Analysis>,
    pub email: Option<EmailDelivery>,
    pub webhook: Option<WebhookDelivery>,
    /// The account whose running-bot slot this session holds, freed in the same write
    /// (the transition happens once, so the slot is freed once).
    pub frees_slot_of: Option<&'a AccountId>,
    /// The terminal change on the timeline, and its `status_change` event if owed.
    pub timeline: Timeline,
    /// When the stored results expire (the session's retention), if they do.
    pub expires_at: Option<OffsetDateTime>,
}

/// What a transition adds to the session's timeline: its changes, and the `status_change`
/// events they owe, appended in the same conditional write as the transition itself, so
/// the timeline and the events can never disagree with the session's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    pub changes: Vec<StatusChange>,
    pub deliveries: Vec<WebhookDelivery>,
}

impl Timeline {
    /// `changes` made to `session` (as it was read), with the events its webhook asked for.
    pub fn of(session: &Session, changes: Vec<StatusChange>) -> Self {
        Self {
            deliveries: session.change_deliveries(&changes),
            changes,
        }
    }

    /// One change of `session`.
    pub fn change(
        session: &Session,
        code: ChangeCode,
        sub_code: Option<SubCode>,
        at: OffsetDateTime,
    ) -> Self {
        Self::of(session, vec![StatusChange::new(code, sub_code, at)])
    }
}

/// A session and, once it has them, its transcript and results.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub session: Session,
    pub transcript: Option<Transcript>,
    pub analysis: Option<Analysis>,
}

impl SessionView {
    /// The session alone: what is read when nothing but its own fields is needed.
    pub fn of_session(session: Session) -> Self {
        Self {
            session,
            transcript: None,
            analysis: None,
        }
    }
}

pub trait SessionStore: Send + Sync {
    /// Creates a session in phase `joining`, claiming the idempotency key and a slot of the
    /// account's limits in the same write. A replayed key wins over a limit.
    fn create_session(
        &self,
        session: &Session,
        claim: Option<&IdempotencyClaim>,
        admission: &Admission,
    ) -> impl Future<Output = Result<CreateOutcome, StoreError>> + Send;

    fn get_session(
        &self,
        id: BotId,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// The session with its transcript and results, in one read.
    fn get_view(
        &self,
        id: BotId,
    ) -> impl Future<Output = Result<Option<SessionView>, StoreError>> + Send;

    /// The transcript and results of a session already read (and checked to be the
    /// caller's): nothing of another account's bot is read or decompressed.
    fn view_of(
        &self,
        session: Session,
    ) -> impl Future<Output = Result<SessionView, StoreError>> + Send;

    /// A page of the account's sessions, newest first, filtered (an index query: the
    /// work is bounded by the page, never the whole table).
    fn list_sessions(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> impl Future<Output = Result<ListPage, StoreError>> + Send;

    /// `joining` -> `in_call`. False when the session is no longer joining.
    fn mark_started(
        &self,
        id: BotId,
        runtime_session_id: &str,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a stop: `joining|in_call` -> `leaving` with `leave_requested_at`, only if no
    /// leave was requested before. False when the condition did not hold.
    fn request_leave(
        &self,
        id: BotId,
        at: OffsetDateTime,
        timeline: &Timeline,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a data deletion on an ended session, once: its receipt (`data_deleted`)
    /// and its deliveries as `session` has them (the owed ones cancelled). Returns the
    /// receipt now recorded: an earlier deletion's, if there was one.
    fn mark_data_deleted(
        &self,
        session: &Session,
    ) -> impl Future<Output = Result<DataDeleted, StoreError>> + Send;

    /// The `leave_requested` message is on the queue (the outbox flag of a stop).
    fn mark_leave_enqueued(&self, id: BotId)
        -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records the exit (the commit point of a report): a running session -> `processing`.
    fn record_exit(
        &self,
        id: BotId,
        exit: &ExitRecord,
        timeline: &Timeline,
    ) -> impl Future<Output = Result<RecordExit, StoreError>> + Send;

    /// Moves the session to a terminal phase from one of `from`, storing results and the
    /// deliveries it owes in the same write. False when the session was not in `from`.
    fn finish(
        &self,
        id: BotId,
        from: &[Phase],
        finish: Finish<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
