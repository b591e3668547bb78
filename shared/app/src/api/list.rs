//! `GET /api/bots`: the caller's bots, newest first, filtered by status, creation time and
//! metadata, a page at a time. The cursor is opaque to the customer: it names the last bot
//! of a page, the account it belongs to, and a checksum, so a cursor that was edited or
//! belongs to another account is refused (400) instead of silently listing from elsewhere.

use super::auth::authenticate;
use super::error::{into_response, ApiError, Flavor, Operation};
use super::http::{json_response, request_id};
use crate::ports::{Accounts, SessionStore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::listing::{ListPosition, ListQuery, DEFAULT_LIMIT, MAX_LIMIT, MAX_METADATA_FILTERS};
use domain::metadata::{valid_key, MAX_VALUE_CHARS};
use domain::session::Status;
use domain::{AccountId, BotId};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tracing::Instrument;

pub struct ListHandler<S> {
    store: S,
}

const OP: Operation = Operation::List;

impl<S: SessionStore + Accounts> ListHandler<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        let request_id = request_id(&req);
        let span = tracing::info_span!("list", %request_id);
        match self.list(&req).instrument(span.clone()).await {
            Ok(body) => json_response(200, &body),
            Err(err) => span.in_scope(|| into_response(&err, Flavor::PailFlow, &request_id)),
        }
    }

    async fn list(&self, req: &Request) -> Result<serde_json::Value, ApiError> {
        let account = authenticate(&self.store, req.headers(), OP).await?;
        let params: Vec<(String, String)> = req
            .query_string_parameters_ref()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let query = parse_query(&params, &account).map_err(ApiError::InvalidRequest)?;
        let page = self
            .store
            .list_sessions(&account, &query)
            .await
            .map_err(|e| ApiError::internal(OP, e))?;
        Ok(json!({
            "bots": page.bots,
            "next_cursor": page.next.map(|p| encode_cursor(&account, p)),
        }))
    }
}

/// The list's query string, every refusal naming the parameter.
fn parse_query(params: &[(String, String)], account: &AccountId) -> Result<ListQuery, String> {
    let mut q = ListQuery::default();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in params {
        if !seen.insert(name.as_str()) {
            return Err(format!("Query parameter '{name}' is given more than once"));
        }
        match name.as_str() {
            "status" => {
                q.status = Some(match value.as_str() {
                    "running" => Status::Running,
                    "completed" => Status::Completed,
                    "failed" => Status::Failed,
                    _ => return Err("Query parameter 'status' must be running, completed or failed".into()),
                })
            }
            "created_after" => q.created_after = Some(timestamp(name, value)?),
            "created_before" => q.created_before = Some(timestamp(name, value)?),
            "limit" => {
                q.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or(format!("Query parameter 'limit' must be a whole number from 1 to {MAX_LIMIT}"))?
            }
            "cursor" => q.after = Some(decode_cursor(value, account)?),
            _ => match name.strip_prefix("metadata.") {
                Some(key) if valid_key(key) => {
                    if value.chars().count() > MAX_VALUE_CHARS {
                        return Err(format!("Query parameter '{name}' is longer than {MAX_VALUE_CHARS} characters"));
                    }
                    q.metadata.push((key.to_owned(), value.clone()));
                }
                Some(_) => {
                    return Err(format!(
                        "Query parameter '{}' names a metadata key that is not 1-64 characters of A-Z, a-z, 0-9, '_', '.' and '-'",
                        name.chars().take(80).collect::<String>().escape_default()
                    ))
                }
                None => {
                    return Err(format!(
                        "Unknown query parameter '{}'; use status, created_after, created_before, metadata.KEY, limit and cursor",
                        name.chars().take(80).collect::<String>().escape_default()
                    ))
                }
            },
        }
    }
    if q.metadata.len() > MAX_METADATA_FILTERS {
        return Err(format!(
            "At most {MAX_METADATA_FILTERS} metadata filters may be combined"
        ));
    }
    if let (Some(a), Some(b)) = (q.created_after, q.created_before) {
        if a >= b {
            return Err("Query parameter 'created_after' must be before 'created_before'".into());
        }
    }
    debug_assert!(q.limit >= 1 && q.limit <= MAX_LIMIT && DEFAULT_LIMIT <= MAX_LIMIT);
    Ok(q)
}

fn timestamp(name: &str, value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
        format!(
            "Query parameter '{name}' must be an RFC 3339 timestamp such as 2025-01-15T10:30:00Z"
        )
    })
}

/// A checksum of a cursor's contents: it detects an edited cursor. (Not a secret: the
/// cursor can only ever address the caller's own bots, whose account it also names.)
fn checksum(account: &AccountId, p: ListPosition) -> String {
    let digest = Sha256::digest(format!(
        "pailflow-list-cursor|v1|{account}|{}|{}",
        p.created_ms, p.bot_id
    ));
    hex::encode(&digest[..8])
}

pub(crate) fn encode_cursor(account: &AccountId, p: ListPosition) -> String {
    let text = format!(
        "v1|{account}|{}|{}|{}",
        p.created_ms,
        p.bot_id,
        checksum(account, p)
    );
    URL_SAFE_NO_PAD.encode(text)
}

pub(crate) fn decode_cursor(cursor: &str, account: &AccountId) -> Result<ListPosition, String> {
    let invalid = || "Query parameter 'cursor' is not a cursor this API gave out".to_owned();
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let parts: Vec<&str> = text.split('|').collect();
    let ["v1", owner, created_ms, bot_id, check] = parts.as_slice() else {
        return Err(invalid());
    };
    let position = ListPosition {
        created_ms: created_ms.parse().map_err(|_| invalid())?,
        bot_id: BotId::parse(bot_id).map_err(|_| invalid())?,
    };
    let owner = AccountId::parse(owner).map_err(|_| invalid())?;
    if *check != checksum(&owner, position) {
        return Err(invalid());
    }
    if &owner != account {
        return Err("Query parameter 'cursor' belongs to another account's list".into());
    }
    Ok(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> AccountId {
        AccountId::parse("acme").unwrap()
    }

    #[test]
    fn a_cursor_round_trips_and_refuses_edits_and_other_accounts() {
        let p = ListPosition {
            created_ms: 1_764_547_200_123,
            bot_id: BotId::new(),
        };
        let cursor = encode_cursor(&acme(), p);
        assert_eq!(decode_cursor(&cursor, &acme()).unwrap(), p);
        let other = AccountId::parse("globex").unwrap();
        assert!(decode_cursor(&cursor, &other)
            .unwrap_err()
            .contains("another account"));
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&cursor).unwrap()).unwrap();
        let edited = URL_SAFE_NO_PAD.encode(text.replace("|1764547200123|", "|1764547200124|"));
        assert!(decode_cursor(&edited, &acme())
            .unwrap_err()
            .contains("not a cursor"));
        for garbage in ["", "x", "!!!", &URL_SAFE_NO_PAD.encode("v2|acme|1|2|3")] {
            assert!(decode_cursor(garbage, &acme()).is_err(), "{garbage}");
        }
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let parse = |pairs: &[(&str, &str)]| {
            let v: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            parse_query(&v, &acme())
        };
        for (pairs, expect) in [
            (vec![("status", "done")], "'status' must be"),
            (vec![("limit", "0")], "'limit' must be"),
            (vec![("limit", "101")], "'limit' must be"),
            (vec![("limit", "ten")], "'limit' must be"),
            (
                vec![("created_after", "yesterday")],
                "'created_after' must be an RFC 3339",
            ),
            (
                vec![
                    ("created_after", "2026-01-02T00:00:00Z"),
                    ("created_before", "2026-01-01T00:00:00Z"),
                ],
                "must be before",
            ),
            (vec![("metadata.a b", "x")], "names a metadata key"),
            (vec![("sort", "asc")], "Unknown query parameter 'sort'"),
            (vec![("cursor", "abc")], "'cursor' is not a cursor"),
        ] {
            let e = parse(&pairs).unwrap_err();
            assert!(e.contains(expect), "{pairs:?}: {e}");
        }
        let q = parse(&[
            ("status", "running"),
            ("metadata.team", "sales"),
            ("limit", "5"),
        ])
        .unwrap();
        assert_eq!(
            (q.status, q.limit, q.metadata.len()),
            (Some(Status::Running), 5, 1)
        );
        assert_eq!(parse(&[]).unwrap().limit, DEFAULT_LIMIT);
    }
}
