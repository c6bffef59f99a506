//! Users, their access and authorities, and API tokens over the API: accounts for the
//! system administrator, roles, scopes and authorities for the security administrator,
//! and everyone's own tokens.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::accounts::{self, AccessChange, AccountError, NewUser};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::{Body, actor};
use crate::state::AppState;

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::UserExists(_) => ApiError::conflict(e.to_string()),
            AccountError::UnknownUser(_) | AccountError::UnknownToken(_) => {
                ApiError::not_found(e.to_string())
            }
            AccountError::Forbidden(m) => ApiError::forbidden(m),
            AccountError::BadUsername(_) => ApiError::invalid("username", e.to_string()),
            AccountError::UnknownRole(..) => ApiError::invalid("role", e.to_string()),
            AccountError::WeakPassword => ApiError::invalid("password", e.to_string()),
            AccountError::UnknownPermission(_)
            | AccountError::ScopeBeyondRole(_)
            | AccountError::ScopeBeyondCredential(_)
            | AccountError::UnscopedFromScoped => ApiError::invalid("scopes", e.to_string()),
            AccountError::UnknownAuthority(..)
            | AccountError::AuthorityBeyondRole { .. }
            | AccountError::AuthorityNotHeld(..) => ApiError::invalid("authority", e.to_string()),
            AccountError::BadTime(_) | AccountError::BadExpiry { .. } => {
                ApiError::invalid("expires_at", e.to_string())
            }
            AccountError::Hash(_) | AccountError::Store(_) => ApiError::failed("changing an account", e),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserItem {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_unit: Option<String>,
    pub business_lines: Vec<String>,
    pub customers: Vec<String>,
    pub hidden_indicators: Vec<String>,
    /// Approval authorities held (the credit policy's levels, `rating_approver`).
    pub authorities: Vec<String>,
    pub disabled: bool,
}

/// Every user with role, scope and authorities (system and security administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserItem>), (status = 403, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<UserItem>>, ApiError> {
    if !caller.may(Permission::AccessManage) {
        caller.require(Permission::UserManage)?;
    }
    state
        .with_store(|store, _| {
            let mut out = Vec::new();
            for u in store.users()? {
                let authorities = store.authorities(u.id)?.into_iter().map(|a| a.authority).collect();
                let (business_lines, customers, hidden_indicators) = accounts::scope_lists(&u);
                out.push(UserItem {
                    username: u.username,
                    display_name: u.display_name,
                    role: u.role,
                    org_unit: u.org_unit,
                    business_lines,
                    customers,
                    hidden_indicators,
                    authorities,
                    disabled: u.disabled,
                });
            }
            Ok(out)
        })
        .await
        .map(Json)
}

/// Adds an account without a role (system administrators); the security administrator
/// assigns its role and scope.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, body = crate::routes::bodies::CreatedBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(user): Body<NewUser>,
) -> Result<(StatusCode, Json<crate::routes::bodies::CreatedBody>), ApiError> {
    caller.require(Permission::UserManage)?;
    let a = actor(&caller, &ip);
    let by = caller.requester();
    let id = state.with_store(move |store, _| Ok(accounts::add_user_as(store, &user, &by, &a)?)).await?;
    Ok((StatusCode::CREATED, Json(crate::routes::bodies::CreatedBody { id })))
}

async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    ip: String,
    username: String,
    disabled: bool,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::UserManage)?;
    let a = actor(caller, &ip);
    let by = caller.requester();
    let user_id = state
        .with_store(move |store, _| {
            accounts::set_disabled_as(store, &username, disabled, &by, &a)?;
            Ok(store.user(&username)?.map(|u| u.id))
        })
        .await?;
    state.0.tokens.forget(user_id, None);
    Ok(StatusCode::NO_CONTENT)
}

/// Disables a user, ends its sessions and revokes its API tokens (system
/// administrators, not their own account).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users", params(("username" = String, Path)), responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    set_disabled(&state, &caller, ip, username, true).await
}

/// Enables a disabled user again (system administrators); its old tokens stay revoked.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "users", params(("username" = String, Path)), responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    set_disabled(&state, &caller, ip, username, false).await
}

/// Sets a user's role and data scope (security administrators, not their own); a new
/// role drops the authorities it cannot use, which the answer lists.
#[utoipa::path(post, path = "/api/v1/users/{username}/access", tag = "users", params(("username" = String, Path)), request_body = AccessChange, responses((status = 200, body = crate::routes::bodies::AccessChangedBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn set_access(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(username): Path<String>,
    Body(change): Body<AccessChange>,
) -> Result<Json<crate::routes::bodies::AccessChangedBody>, ApiError> {
    caller.require(Permission::AccessManage)?;
    let a = actor(&caller, &ip);
    let by = caller.requester();
    let (dropped, user_id) = state
        .with_store(move |store, _| {
            let dropped = accounts::set_access(store, &username, &change, &by, &a)?;
            Ok((dropped, store.user(&username)?.map(|u| u.id)))
        })
        .await?;
    state.0.tokens.forget(user_id, None);
    Ok(Json(crate::routes::bodies::AccessChangedBody { authorities_dropped: dropped }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorityGrant {
    /// A credit-policy approval role (`sales_manager`, `credit_manager`, `risk_director`,
    /// `cfo`, `credit_committee`) or `rating_approver`.
    pub authority: String,
}

/// Grants a user an approval authority (security administrators, not their own).
#[utoipa::path(post, path = "/api/v1/users/{username}/authorities", tag = "users", params(("username" = String, Path)), request_body = AuthorityGrant, responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn grant_authority(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(username): Path<String>,
    Body(g): Body<AuthorityGrant>,
) -> Result<StatusCode, ApiError> {
    change_authority(&state, &caller, ip, username, g.authority, true).await
}

/// Revokes an approval authority from a user (security administrators, not their own).
#[utoipa::path(delete, path = "/api/v1/users/{username}/authorities/{authority}", tag = "users", params(("username" = String, Path), ("authority" = String, Path)), responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn revoke_authority(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path((username, authority)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    change_authority(&state, &caller, ip, username, authority, false).await
}

async fn change_authority(
    state: &AppState,
    caller: &Caller,
    ip: String,
    username: String,
    authority: String,
    grant: bool,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::AccessManage)?;
    let a = actor(caller, &ip);
    let by = caller.requester();
    let known = accounts::known_authorities(&state.0.artefacts().policy);
    state
        .with_store(move |store, _| {
            Ok(accounts::set_authority(store, &username, &authority, grant, &known, &by, &a)?)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Whose token: the caller's own (tokens are never created for someone else).
    pub username: Option<String>,
    /// What the token is for (`erp-sap-prod`).
    pub name: String,
    /// Permissions it is limited to, within the creating credential's (empty: all of
    /// them; a scoped token must list them).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// RFC 3339, at most the server's `--token-max-days` ahead; none: that many days.
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Shown once: store it now.
    pub token: String,
    pub expires_at: String,
}

/// Creates an API token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users", request_body = NewToken, responses((status = 201, body = CreatedToken), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(req): Body<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let username = req.username.clone().unwrap_or_else(|| caller.username.clone());
    let a = actor(&caller, &ip);
    let by = caller.requester();
    let max_days = state.0.config.token_max_days;
    let (id, token, expires_at) = state
        .with_store(move |store, _| {
            let t = accounts::TokenRequest {
                username: &username,
                name: &req.name,
                scopes: &req.scopes,
                expires_at: req.expires_at.as_deref(),
                max_days,
            };
            Ok(accounts::create_token(store, &t, &by, &a)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token, expires_at })))
}

/// The caller's API tokens, or everyone's for the security administrator.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "users", responses((status = 200, body = Vec<crate::routes::bodies::TokenBody>)), security(("session" = []), ("token" = [])))]
pub async fn tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<crate::routes::bodies::TokenBody>>, ApiError> {
    let all = caller.may(Permission::AccessManage);
    let user_id = caller.user_id;
    state
        .with_store(move |store, _| Ok(store.tokens((!all).then_some(user_id))?))
        .await
        .map(crate::routes::bodies::list)
}

/// Revokes an API token: one's own, or anyone's for the security administrator.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let a = actor(&caller, &ip);
    let by = caller.requester();
    state.with_store(move |store, _| Ok(accounts::revoke_token(store, id, &by, &a)?)).await?;
    state.0.tokens.forget(None, Some(id));
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this area.
pub fn router() -> axum::Router<crate::state::AppState> {
    use axum::routing::{delete, get, post};
    axum::Router::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{username}/disable", post(disable))
        .route("/api/v1/users/{username}/enable", post(enable))
        .route("/api/v1/users/{username}/access", post(set_access))
        .route("/api/v1/users/{username}/authorities", post(grant_authority))
        .route("/api/v1/users/{username}/authorities/{authority}", delete(revoke_authority))
        .route("/api/v1/tokens", get(tokens).post(create_token))
        .route("/api/v1/tokens/{id}/revoke", post(revoke_token))
}
