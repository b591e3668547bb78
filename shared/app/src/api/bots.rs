//! What every `/api/bot/{bot_id}/…` route does first: the caller's account, the bot id from
//! the path, and the session, read alone so another account's bot costs one small read and
//! answers 404 before anything else of it is read.

use super::auth::authenticate;
use super::error::{ApiError, Operation};
use super::http::path_param;
use crate::ports::{Accounts, SessionStore};
use domain::{AccountId, BotId, Session};
use lambda_http::Request;

/// The caller's session named by the path's `bot_id`: 400 for an id that is not one, 404
/// for an unknown bot or another account's.
pub(super) async fn own_session<S: Accounts + SessionStore>(
    store: &S,
    req: &Request,
    op: Operation,
) -> Result<Session, ApiError> {
    let account = authenticate(store, req.headers(), op).await?;
    session_of(store, &account, req, op).await
}

/// [`own_session`] for a caller already authenticated as `account`.
pub(super) async fn session_of<S: SessionStore>(
    store: &S,
    account: &AccountId,
    req: &Request,
    op: Operation,
) -> Result<Session, ApiError> {
    let bot_id = bot_id_of(req)?;
    store
        .get_session(bot_id)
        .await
        .map_err(|e| ApiError::internal(op, e))?
        .filter(|s| &s.account_id == account)
        .ok_or_else(|| ApiError::NotFound(bot_id.to_string()))
}

/// The path's `bot_id`, recorded on the request's span.
pub(super) fn bot_id_of(req: &Request) -> Result<BotId, ApiError> {
    let raw = path_param(req, "bot_id").unwrap_or_default();
    let bot_id = BotId::parse(&raw).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
    tracing::Span::current().record("bot_id", tracing::field::display(bot_id));
    Ok(bot_id)
}

/// 410 once the customer deleted the bot's data.
pub(super) fn data_kept(session: &Session) -> Result<(), ApiError> {
    match session.data_deleted {
        Some(deleted) => Err(ApiError::DataDeleted {
            bot_id: session.bot_id,
            at: domain::rfc3339::format(deleted.at),
        }),
        None => Ok(()),
    }
}
