//! `POST /api/bot/join`: create the session, start the bot through the runtime, answer
//! `{"status":"started","bot_id","room_url"}`. An `Idempotency-Key` makes a retried join
//! return the same bot and start nothing new.

use super::address::resolved_address_refusal;
use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, limit_body, request_id, require_json};
use super::MAX_JOIN_BODY_BYTES;
use crate::errors::Chain;
use crate::metrics::{record, Metric};
use crate::ports::{
    AccountSettingsStore, Accounts, Admission, BotRuntime, CreateOutcome, Finish, HostResolver,
    IdempotencyClaim, PipelineQueue, SessionStore, StartBot, Timeline,
};
use domain::join::{JoinPolicy, JoinRequest, RoomHosts};
use domain::limits::Limits;
use domain::messages::PipelineMessage;
use domain::net::UrlPolicy;
use domain::session::{Outcome, WebhookEvent};
use domain::timeline::{ChangeCode, SubCode};
use domain::{now, BotId, BotSecret, Phase, Session};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::time::Duration;
use tracing::Instrument;

#[derive(Clone, Debug)]
pub struct JoinSettings {
    pub url_policy: UrlPolicy,
    /// The meeting providers' hosts a `room_url` may point at (`ROOM_URL_HOSTS`).
    pub room_hosts: RoomHosts,
    /// Public origin of this API (`https://…`, from configuration, never from the request),
    /// for the report URL handed to the bot.
    pub public_base_url: String,
    /// A session still running this long after its join is asked to leave.
    pub max_session: Duration,
    /// The limits of an account that has not set its own.
    pub limits: Limits,
}

pub struct JoinHandler<S, R, Q, D> {
    store: S,
    runtime: R,
    queue: Q,
    resolver: D,
    settings: JoinSettings,
}

impl<S, R, Q, D> JoinHandler<S, R, Q, D>
where
    S: SessionStore + Accounts + AccountSettingsStore,
    R: BotRuntime,
    Q: PipelineQueue,
    D: HostResolver,
{
    pub fn new(store: S, runtime: R, queue: Q, resolver: D, settings: JoinSettings) -> Self {
        Self {
            store,
            runtime,
            queue,
            resolver,
            settings,
        }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!(
            "join",
            %request_id,
            bot_id = tracing::field::Empty,
            account = tracing::field::Empty
        );
        match self.join(&req).instrument(span.clone()).await {
            Ok(response) => response,
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn join(&self, req: &Request) -> Result<Response<Body>, ApiError> {
        let account = authenticate(&self.store, req.headers(), Operation::Join).await?;
        tracing::Span::current().record("account", account.as_str());
        require_json(req)?;
        let body = limit_body(req, MAX_JOIN_BODY_BYTES)?;
        let idempotency_key = idempotency_key(req)?;
        let policy = JoinPolicy {
            url_policy: self.settings.url_policy,
            room_hosts: self.settings.room_hosts.clone(),
        };
        let mut join = JoinRequest::parse(body, &policy)
            .map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        if let Some(url) = &join.webhook_callback_url {
            if let Some(why) =
                resolved_address_refusal(&self.resolver, url, self.settings.url_policy).await
            {
                return Err(ApiError::InvalidRequest(format!(
                    "Field 'webhook_callback_url' {why}"
                )));
            }
        }

        // One read of the account: its limits and its webhook endpoint.
        let settings = self
            .store
            .account_settings(&account)
            .await
            .map_err(|e| ApiError::internal(Operation::Join, e))?;
        join.or_account_endpoint(settings.webhook_endpoint.as_ref());
        let own = settings.limits;
        if let Some(email) = &join.email {
            if !own.allows_recipient(email.as_str()) {
                return Err(ApiError::InvalidRequest(
                    "Field 'email' must be at one of the domains this account may email".into(),
                ));
            }
        }
        let limits = own.over(self.settings.limits);
        let admission = Admission {
            active_bots: limits.active_bots,
            joins_per_minute: limits.joins_per_minute,
            at: now(),
        };

        let bot_id = BotId::new();
        let secret = BotSecret::generate();
        let mut session = join.session(bot_id, account.clone(), secret.hash(), now());
        session.retention_hours = session.retention_hours.or(own.retention_hours);
        let claim = idempotency_key.map(|key| IdempotencyClaim {
            account: account.clone(),
            key,
            fingerprint: join.fingerprint.clone(),
            bot_id,
        });
        match self
            .store
            .create_session(&session, claim.as_ref(), &admission)
            .await
            .map_err(|e| ApiError::internal(Operation::Join, e))?
        {
            CreateOutcome::Created => {}
            CreateOutcome::Refused(limit) => {
                record(Metric::limit(limit));
                return Err(ApiError::LimitExceeded(limit));
            }
            CreateOutcome::Replayed {
                bot_id: earlier,
                fingerprint,
            } => {
                if fingerprint != join.fingerprint {
                    let key = claim.map(|c| c.key).unwrap_or_default();
                    return Err(ApiError::IdempotencyMismatch { key });
                }
                return self.replay(earlier).await;
            }
        }
        tracing::Span::current().record("bot_id", tracing::field::display(bot_id));

        let report_url = format!(
            "{}/v1/bots/{bot_id}/exit",
            self.settings.public_base_url.trim_end_matches('/')
        );
        let started = self
            .runtime
            .start(StartBot {
                bot_id,
                room_url: &join.room_url,
                token: join.token.as_deref(),
                provider: &join.provider,
                bot_config: &join.bot_config,
                report_url,
                report_secret: &secret,
            })
            .await;
        match started {
            Ok(runtime_session_id) => {
                let at = now();
                let timeline = Timeline::change(&session, ChangeCode::InCall, None, at);
                self.store
                    .mark_started(bot_id, &runtime_session_id, at, &timeline)
                    .await
                    .map_err(|e| ApiError::internal(Operation::Join, e))?;
                self.schedule_session_limit(bot_id).await;
                if !timeline.deliveries.is_empty() {
                    self.enqueue_deliveries(bot_id).await;
                }
                tracing::info!(%runtime_session_id, "bot started");
                Ok(started_response(bot_id, &join.room_url))
            }
            Err(err) => {
                let failure = err.start_failure();
                tracing::warn!(error = %Chain(&err), reason = failure.code, "bot runtime refused to start the bot");
                record(Metric::BotStartRefused(failure.code));
                let detail = format!("{} ({})", failure.message, failure.code);
                self.fail_join(&session, &detail, failure.code).await;
                Err(ApiError::BotStartFailed { bot_id, detail })
            }
        }
    }

    /// The answer to a replayed `Idempotency-Key`: the same bot, nothing new started.
    async fn replay(&self, bot_id: BotId) -> Result<Response<Body>, ApiError> {
        let session = self
            .store
            .get_session(bot_id)
            .await
            .map_err(|e| ApiError::internal(Operation::Join, e))?
            .ok_or_else(|| {
                ApiError::internal(
                    Operation::Join,
                    format!("idempotency record points to missing bot {bot_id}"),
                )
            })?;
        tracing::info!(%bot_id, "idempotent replay");
        match (session.phase, session.started_at, &session.error) {
            (Phase::Failed, None, Some(error)) => Err(ApiError::BotStartFailed {
                bot_id,
                detail: error.clone(),
            }),
            _ => Ok(started_response(bot_id, &session.room_url)),
        }
    }

    /// The runtime refused: the session is failed and the customer's webhook told.
    async fn fail_join(&self, session: &Session, detail: &str, code: &str) {
        let (email, webhook) =
            session.deliveries_for(WebhookEvent::BotJoinFailed, Outcome::NoTranscript);
        let at = now();
        let timeline = Timeline::change(
            session,
            ChangeCode::Failed,
            Some(SubCode::BotStartFailed),
            at,
        );
        let owes = email.is_some() || webhook.is_some() || !timeline.deliveries.is_empty();
        let finish = Finish {
            timeline,
            phase: Phase::Failed,
            at,
            error: Some(detail),
            error_code: Some(code),
            analysis: None,
            email,
            webhook,
            frees_slot_of: session.slot(),
            expires_at: session.data_expiry(at),
        };
        match self
            .store
            .finish(session.bot_id, &[Phase::Joining], finish)
            .await
        {
            Ok(failed) => {
                if failed {
                    record(Metric::SessionFailed(SubCode::BotStartFailed));
                }
                if !owes {
                    return;
                }
                if let Err(e) = self
                    .queue
                    .send(&PipelineMessage::deliver(session.bot_id), Duration::ZERO)
                    .await
                {
                    tracing::error!(error = %Chain(&e), "could not enqueue the bot_join_failed deliveries");
                }
            }
            Err(e) => tracing::error!(error = %Chain(&e), "could not record the failed join"),
        }
    }

    /// Puts a `deliver` message on the queue for what the session owes now (its
    /// `status_change` events); a failure is logged: the next message for the bot delivers.
    async fn enqueue_deliveries(&self, bot_id: BotId) {
        if let Err(e) = self
            .queue
            .send(&PipelineMessage::deliver(bot_id), Duration::ZERO)
            .await
        {
            tracing::error!(error = %Chain(&e), "could not enqueue the status_change deliveries");
        }
    }

    /// No session runs forever: past `max_session` the bot is asked to leave.
    async fn schedule_session_limit(&self, bot_id: BotId) {
        let deadline = now() + self.settings.max_session;
        let message = PipelineMessage::exit_deadline(bot_id, deadline);
        if let Err(e) = self.queue.send_at(&message, deadline).await {
            tracing::error!(error = %Chain(&e), "could not schedule the session limit");
        }
    }
}

fn started_response(bot_id: BotId, room_url: &str) -> Response<Body> {
    json_response(
        200,
        &json!({ "status": "started", "bot_id": bot_id, "room_url": room_url }),
    )
}

fn idempotency_key(req: &Request) -> Result<Option<String>, ApiError> {
    let mut values = req.headers().get_all("idempotency-key").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("");
    let ok = values.next().is_none()
        && (1..=255).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(ApiError::InvalidRequest(
            "Header 'Idempotency-Key' must be one value of 1 to 255 visible ASCII characters"
                .into(),
        ));
    }
    Ok(Some(key.to_owned()))
}
