//! Who is calling: browser sessions (an HttpOnly cookie plus a CSRF token for every
//! change) and API tokens for integrations (`Authorization: Bearer …`, scoped,
//! revocable). Passwords are hashed with Argon2id; tokens and session ids are random 256
//! bits, stored as SHA-256 hashes only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use sha2::{Digest, Sha256};

use crate::access::{DataScope, Permission, Role, allows, list};
use crate::clock::now;
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "credence_session";
/// The header carrying the session's CSRF token on every change.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The prefix of API tokens, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "cr_";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The operating system gave no random bytes for the salt.
    #[error("password hashing failed: no random salt")]
    Salt(#[source] getrandom::Error),
    #[error("password hashing failed")]
    Hash(#[source] argon2::password_hash::Error),
}

/// 32 random bytes as hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    hex::encode(bytes)
}

/// Whether two secrets (CSRF tokens, the metrics token) are equal, in time that does not
/// depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// An Argon2id hash (PHC string) of a password, with a random salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(HashError::Salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(HashError::Hash)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(HashError::Hash)
}

/// A hash of a random password, checked when a username is unknown so that a failed
/// sign-in takes as long either way.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex()).unwrap_or_default())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A new API token: what to give the client once, and the hash to store.
pub fn new_token() -> (String, String) {
    let token = format!("{TOKEN_PREFIX}{}", random_hex());
    let hash = sha256_hex(&token);
    (token, hash)
}

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session {
        csrf_token: String,
    },
    /// A token limited to these permissions (empty: the user's own).
    Token {
        id: i64,
        scopes: Vec<Permission>,
    },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope: DataScope,
    pub via: Via,
}

impl Caller {
    /// Whether the caller holds a permission: by role, and by the token's scopes.
    pub fn may(&self, p: Permission) -> bool {
        allows(self.role, p)
            && match &self.via {
                Via::Token { scopes, .. } => scopes.is_empty() || scopes.contains(&p),
                Via::Session { .. } => true,
            }
    }

    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.may(p) {
            Ok(())
        } else {
            crate::routes::audit_log::note_refused_caller(&self.username, self.role.code());
            Err(ApiError::forbidden(format!("{} may not {}", self.role.code(), p.code())))
        }
    }

    /// The caller as the requester of an account change.
    pub fn requester(&self) -> crate::accounts::Requester {
        crate::accounts::Requester::User {
            username: self.username.clone(),
            role: self.role,
            token_scopes: match &self.via {
                Via::Token { scopes, .. } => Some(scopes.clone()),
                Via::Session { .. } => None,
            },
        }
    }

    /// Whether an indicator is shown to the caller.
    pub fn sees_indicator(&self, id: &str, financial: bool) -> bool {
        (!financial || self.may(Permission::FinancialsRead))
            && !self.scope.hidden_indicators.iter().any(|h| h == id)
    }
}

/// Recently authenticated tokens, so a busy integration does not cost a database read per
/// call. A revocation through this instance takes effect at once; through another one
/// (or the CLI: a password change, a disabled user, a new role), within
/// [`TOKEN_CACHE_TTL`], after which the token and its user are read again.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Caller, Instant)>>,
}

pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

impl TokenCache {
    fn get(&self, hash: &str) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        entries.get(hash).filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL).map(|(c, _)| c.clone())
    }

    fn put(&self, hash: &str, caller: &Caller) {
        if let Ok(mut e) = self.entries.lock() {
            if e.len() > 10_000 {
                e.clear();
            }
            e.insert(hash.to_owned(), (caller.clone(), Instant::now()));
        }
    }

    /// Forgets every cached token of a user, or one token by id.
    pub fn forget(&self, user_id: Option<i64>, token_id: Option<i64>) {
        if let Ok(mut e) = self.entries.lock() {
            e.retain(|_, (c, _)| {
                let token = match c.via {
                    Via::Token { id, .. } => Some(id),
                    Via::Session { .. } => None,
                };
                !(user_id == Some(c.user_id) || (token_id.is_some() && token == token_id))
            });
        }
    }
}

pub(crate) fn caller_of(user: credence_store::StoredUser, via: Via) -> Result<Caller, ApiError> {
    if user.disabled {
        return Err(ApiError::unauthorized("the account is disabled"));
    }
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::from(crate::error::Fault::UnknownRole {
            user: user.username.clone(),
            role: user.role.clone(),
        })
    })?;
    Ok(Caller {
        user_id: user.id,
        username: user.username,
        role,
        scope: DataScope {
            org_unit: user.org_unit,
            business_lines: list(&user.business_lines),
            customers: list(&user.customers),
            hidden_indicators: list(&user.hidden_indicators),
        },
        via,
    })
}

/// Whether a token created at `created_at` is older than the longest a token may live
/// (tokens issued before every token had an expiry, or under a longer limit).
fn token_outlived(created_at: &str, max_days: i64) -> bool {
    chrono::DateTime::parse_from_rfc3339(created_at).map_or(true, |c| {
        c.with_timezone(&chrono::Utc) + chrono::Duration::days(max_days) <= crate::clock::instant()
    })
}

/// A cookie's value from the request headers.
pub(crate) fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let text =
                value.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
            let token = text
                .strip_prefix("Bearer ")
                .filter(|t| t.starts_with(TOKEN_PREFIX))
                .ok_or_else(|| ApiError::unauthorized("expected `Authorization: Bearer cr_…`"))?;
            let hash = sha256_hex(token.trim());
            if let Some(c) = state.0.tokens.get(&hash) {
                return Ok(c);
            }
            let key = hash.clone();
            let max_days = state.0.config.token_max_days;
            let caller = state
                .with_store(move |store, _| {
                    let t = store.token(&key)?.ok_or_else(|| ApiError::unauthorized("unknown API token"))?;
                    if t.revoked_at.is_some() {
                        return Err(ApiError::unauthorized("the API token was revoked"));
                    }
                    let now = now();
                    if t.expires_at.as_deref().is_some_and(|e| e <= now.as_str())
                        || token_outlived(&t.created_at, max_days)
                    {
                        return Err(ApiError::unauthorized("the API token has expired"));
                    }
                    let user = store
                        .user_by_id(t.user_id)?
                        .ok_or_else(|| ApiError::unauthorized("unknown API token"))?;
                    let scopes = list(&t.scopes).iter().filter_map(|s| Permission::parse(s)).collect();
                    if t.last_used_at.as_deref().is_none_or(|l| l < now.as_str()) {
                        store.touch_token(t.id, &now)?;
                    }
                    caller_of(user, Via::Token { id: t.id, scopes })
                })
                .await?;
            state.0.tokens.put(&hash, &caller);
            return Ok(caller);
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::unauthorized("sign in first (POST /api/v1/session) or send an API token"));
        };
        let hash = sha256_hex(session);
        let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let csrf = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        state
            .with_store(move |store, shared| {
                let (caller, _) = session_caller(store, shared, &hash)?;
                let csrf_matches = match (&caller.via, &csrf) {
                    (Via::Session { csrf_token }, Some(sent)) => same_secret(csrf_token, sent),
                    _ => false,
                };
                if changes && !csrf_matches {
                    return Err(ApiError::forbidden(format!(
                        "a change needs the session's {CSRF_HEADER} header"
                    )));
                }
                Ok(caller)
            })
            .await
    }
}

/// The caller and user of a live session (by the hash of its id). A session unused for
/// the configured idle time has ended; a used one is marked used at most once a minute,
/// so that a busy page does not write on every request.
pub(crate) fn session_caller(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    hash: &str,
) -> Result<(Caller, credence_store::StoredUser), ApiError> {
    let s =
        store.session(hash)?.ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    let now = crate::clock::instant();
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if s.expires_at.as_str() <= stamp(now).as_str() {
        return Err(ApiError::unauthorized("the session has expired; sign in again"));
    }
    let last_seen = s.last_seen_at.as_deref().unwrap_or(&s.created_at);
    let idle = chrono::Duration::minutes(shared.config.session_idle_minutes);
    if last_seen <= stamp(now - idle).as_str() {
        store.end_session(hash, &stamp(now))?;
        return Err(ApiError::unauthorized(format!(
            "the session ended after {} minutes without use; sign in again",
            shared.config.session_idle_minutes
        )));
    }
    if last_seen <= stamp(now - chrono::Duration::minutes(1)).as_str() {
        store.touch_session(hash, &credence_domain::Timestamp::secs(now))?;
    }
    let user = store.user_by_id(s.user_id)?.ok_or_else(|| ApiError::unauthorized("unknown user"))?;
    Ok((caller_of(user.clone(), Via::Session { csrf_token: s.csrf_token })?, user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_a_salt_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$") && a != b, "salted");
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("wrong", &a));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert!(t1.starts_with("cr_") && t1.len() == 67 && t1 != t2);
        assert_eq!(h1, sha256_hex(&t1));
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
