//! `Authorization: Bearer <key>`. Exactly one header, the `Bearer` scheme (case-insensitive,
//! RFC 7235), one space, one token.

use super::error::{ApiError, AuthProblem, Operation};
use crate::ports::Accounts;
use domain::{AccountId, ApiKey};
use http::HeaderMap;

pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthProblem> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let value = values.next().ok_or(AuthProblem::MissingHeader)?;
    if values.next().is_some() {
        return Err(AuthProblem::MalformedHeader);
    }
    let value = value.to_str().map_err(|_| AuthProblem::MalformedHeader)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthProblem::MalformedHeader)?;
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || token.contains([' ', ',', '\t'])
    {
        return Err(AuthProblem::MalformedHeader);
    }
    Ok(token)
}

pub async fn authenticate<A: Accounts>(
    accounts: &A,
    headers: &HeaderMap,
    op: Operation,
) -> Result<AccountId, ApiError> {
    let token = bearer_token(headers).map_err(ApiError::Unauthenticated)?;
    let key = ApiKey::parse(token).ok_or(ApiError::Unauthenticated(AuthProblem::InvalidKey))?;
    match accounts.account_for_key(&key.hash()).await {
        Ok(Some(account)) => Ok(account),
        Ok(None) => Err(ApiError::Unauthenticated(AuthProblem::InvalidKey)),
        Err(e) => Err(ApiError::internal(op, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(http::header::AUTHORIZATION, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn bearer_token_accepts_the_standard_forms() {
        assert_eq!(bearer_token(&headers(&["Bearer pfk_abc"])), Ok("pfk_abc"));
        assert_eq!(bearer_token(&headers(&["bearer pfk_abc"])), Ok("pfk_abc"));
    }

    #[test]
    fn bearer_token_refuses_every_other_form() {
        assert_eq!(bearer_token(&headers(&[])), Err(AuthProblem::MissingHeader));
        for bad in [
            "pfk_abc",
            "Bearer",
            "Bearer ",
            "Bearer  pfk_abc",
            "Basic dXNlcjpwdw==",
            "Bearer a b",
            "Token pfk_abc",
            "Bearer a,Bearer b",
        ] {
            assert_eq!(
                bearer_token(&headers(&[bad])),
                Err(AuthProblem::MalformedHeader),
                "{bad:?}"
            );
        }
        assert_eq!(
            bearer_token(&headers(&["Bearer a", "Bearer b"])),
            Err(AuthProblem::MalformedHeader)
        );
    }
}
