//! Signing in and out, and who the caller is.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::{DataScope, Permission};
use crate::auth::{self, Caller, SESSION_COOKIE, Via};
use crate::error::ApiError;
use crate::routes::{Body, audit};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// The signed-in user, with the CSRF token to send as `x-csrf-token` on every change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub username: String,
    pub role: String,
    pub csrf_token: String,
    pub expires_at: String,
}

/// Who the caller is and what it may do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub role: String,
    pub role_zh: String,
    pub permissions: Vec<String>,
    #[schema(value_type = Object)]
    pub scope: DataScope,
    /// `session` or `token`.
    pub via: String,
}

/// Signs in with a username and password; sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = Login,
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody, description = "too many failed attempts")
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(login): Body<Login>,
) -> Result<Response, ApiError> {
    let (info, session_id) = sign_in(&state, login.username, login.password, ip).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, &session_id)?);
    Ok((StatusCode::OK, headers, Json(info)).into_response())
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Checks a username and password and opens a session: the session's details and its id
/// (for the cookie). The attempt is counted and throttled before the password is checked
/// ([`crate::signin`]), the password is checked on its own pool, and the session is
/// opened and audited after.
pub(crate) async fn sign_in(
    state: &AppState,
    username: String,
    password: String,
    ip: String,
) -> Result<(SessionInfo, String), ApiError> {
    if username.len() > 256 || password.len() > 1024 {
        return Err(ApiError::unauthorized("wrong username or password, or the account is disabled"));
    }
    if state.0.passwords.is_full() {
        return Err(ApiError::too_many("the server is busy checking other sign-ins; try again shortly"));
    }
    let (who, from) = (username.clone(), ip.clone());
    let (attempt, user) = state
        .with_store(move |store, shared| {
            let rules = &shared.config.sign_in;
            let now = crate::clock::instant();
            // Old attempts are forgotten now and then, not on every sign-in.
            if auth::random_hex().starts_with("00") {
                store.prune_login_attempts(
                    &stamp(
                        now - chrono::Duration::days(1).max(chrono::Duration::minutes(rules.window_minutes)),
                    ),
                    &stamp(now - chrono::Duration::days(rules.known_days)),
                )?;
            }
            let attempt = credence_store::LoginAttempt {
                username: &who,
                client_ip: &from,
                at: &stamp(now),
                since: &stamp(now - chrono::Duration::minutes(rules.window_minutes)),
                known_since: &stamp(now - chrono::Duration::days(rules.known_days)),
            };
            match store.open_login_attempt(&attempt, |counts| rules.decide(counts, now))? {
                Ok(id) => Ok((id, store.user(&who)?)),
                Err(t) => Err(ApiError::too_many(format!(
                    "{}; try again in {} seconds",
                    t.reason, t.retry_after_seconds
                ))),
            }
        })
        .await?;
    // A hash is checked even for an unknown user, so timing does not tell which
    // usernames exist.
    let hash = user.as_ref().map_or_else(|| auth::dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok =
        state.0.passwords.run(move || auth::verify_password(&password, &hash)).await.map_err(|_| {
            ApiError::too_many("the server is busy checking other sign-ins; try again shortly")
        })?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            // The attempt is already counted; the audit log names who was tried and from where.
            state
                .with_store(move |store, _| {
                    crate::routes::audit_log::record_failed_login(store, &username, &ip)
                })
                .await?;
            return Err(ApiError::unauthorized("wrong username or password, or the account is disabled"));
        }
    };
    state.with_store(move |store, shared| open_session(store, shared, attempt, user, &ip)).await
}

/// Marks the attempt a success and opens the session, audited.
fn open_session(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    attempt: i64,
    user: credence_store::StoredUser,
    ip: &str,
) -> Result<(SessionInfo, String), ApiError> {
    let now = crate::clock::instant();
    let session_id = auth::random_hex();
    let csrf = auth::random_hex();
    let expires = stamp(now + chrono::Duration::hours(shared.config.session_hours));
    let caller = Caller {
        user_id: user.id,
        username: user.username.clone(),
        role: crate::access::Role::parse(&user.role).ok_or_else(|| {
            ApiError::from(crate::error::Fault::UnknownRole {
                user: user.username.clone(),
                role: user.role.clone(),
            })
        })?,
        scope: DataScope::default(),
        via: Via::Session { csrf_token: csrf.clone() },
    };
    store.transaction(|store| {
        store.close_login_attempt(attempt)?;
        store.create_session(
            &auth::sha256_hex(&session_id),
            &credence_store::StoredSession {
                user_id: user.id,
                csrf_token: csrf.clone(),
                created_at: credence_domain::Timestamp::secs(now),
                expires_at: credence_domain::Timestamp::secs(
                    now + chrono::Duration::hours(shared.config.session_hours),
                ),
                last_seen_at: Some(credence_domain::Timestamp::secs(now)),
            },
        )?;
        audit(store, &caller, ip, "session.login", &format!("user:{}", user.username), serde_json::json!({}))
    })?;
    Ok((
        SessionInfo { username: user.username, role: user.role, csrf_token: csrf, expires_at: expires },
        session_id,
    ))
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(state: &AppState, session_id: &str) -> Result<HeaderValue, ApiError> {
    let secure = if state.0.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={session_id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        state.0.config.session_hours * 3600
    );
    HeaderValue::from_str(&cookie).map_err(|e| ApiError::failed("writing the session cookie", e))
}

/// The `Set-Cookie` value that ends the session cookie.
pub(crate) const CLEARED_COOKIE: &str = "credence_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";

/// Ends the session a request's cookie names, if any.
pub(crate) async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(id) = auth::cookie(headers, SESSION_COOKIE) {
        let hash = auth::sha256_hex(id);
        state
            .with_store(move |store, _| {
                let now = crate::clock::now();
                Ok(store.end_session(&hash, &now)?)
            })
            .await?;
    }
    Ok(())
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    end_session(&state, &request_headers).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, HeaderValue::from_static(CLEARED_COOKIE));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The caller: user, role, permissions and data scope.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        username: caller.username.clone(),
        role: caller.role.code().to_owned(),
        role_zh: caller.role.name_zh().to_owned(),
        permissions: Permission::ALL
            .iter()
            .filter(|p| caller.may(**p))
            .map(|p| p.code().to_owned())
            .collect(),
        via: match caller.via {
            Via::Session { .. } => "session".into(),
            Via::Token { .. } => "token".into(),
        },
        scope: caller.scope,
    })
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new().route("/api/v1/session", post(login).delete(logout)).route("/api/v1/me", get(me))
}
