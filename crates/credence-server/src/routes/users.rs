//! Users and API tokens over the API (system administrators; anyone for their own tokens).

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ClientIp;
use crate::access::Permission;
use crate::accounts::{self, AccountError, NewUser};
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
            AccountError::BadUsername(_) => ApiError::invalid("username", e.to_string()),
            AccountError::UnknownRole(..) => ApiError::invalid("role", e.to_string()),
            AccountError::WeakPassword => ApiError::invalid("password", e.to_string()),
            AccountError::UnknownPermission(_) | AccountError::ScopeBeyondRole(_) => {
                ApiError::invalid("scopes", e.to_string())
            }
            AccountError::BadTime(_) => ApiError::invalid("expires_at", e.to_string()),
            AccountError::Hash(_) | AccountError::Store(_) => ApiError::Internal(crate::error::chain(&e)),
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
    pub disabled: bool,
}

/// Every user (system administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserItem>), (status = 403, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<UserItem>>, ApiError> {
    caller.require(Permission::UserManage)?;
    state
        .with_store(|store, _| {
            Ok(store
                .users()?
                .into_iter()
                .map(|u| {
                    let (business_lines, customers, hidden_indicators) = accounts::scope_lists(&u);
                    UserItem {
                        username: u.username,
                        display_name: u.display_name,
                        role: u.role,
                        org_unit: u.org_unit,
                        business_lines,
                        customers,
                        hidden_indicators,
                        disabled: u.disabled,
                    }
                })
                .collect())
        })
        .await
        .map(Json)
}

/// Adds a user (system administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(user): Body<NewUser>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(Permission::UserManage)?;
    let a = actor(&caller, &ip);
    let id = state.with_store(move |store, _| Ok(accounts::add_user(store, &user, &a)?)).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// Disables a user and ends its sessions (system administrators).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users", params(("username" = String, Path)), responses((status = 204), (status = 404, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Permission::UserManage)?;
    let a = actor(&caller, &ip);
    let user_id = state
        .with_store(move |store, _| {
            accounts::set_disabled(store, &username, true, &a)?;
            Ok(store.user(&username)?.map(|u| u.id))
        })
        .await?;
    state.0.tokens.forget(user_id, None);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Whose token; the caller's own when absent (another user's needs `user.manage`).
    pub username: Option<String>,
    /// What the token is for (`erp-sap-prod`).
    pub name: String,
    /// Permissions it is limited to (empty: the user's own).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// RFC 3339; none: until revoked.
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Shown once: store it now.
    pub token: String,
}

/// Creates an API token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users", request_body = NewToken, responses((status = 201, body = CreatedToken), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Body(req): Body<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let username = req.username.clone().unwrap_or_else(|| caller.username.clone());
    if username != caller.username {
        caller.require(Permission::UserManage)?;
    }
    let a = actor(&caller, &ip);
    let (id, token) = state
        .with_store(move |store, _| {
            Ok(accounts::create_token(
                store,
                &username,
                &req.name,
                &req.scopes,
                req.expires_at.as_deref(),
                &a,
            )?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })))
}

/// Revokes an API token: one's own, or any with `user.manage`.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "users", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::ErrorBody)), security(("session" = []), ("token" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.may(Permission::UserManage);
    let a = actor(&caller, &ip);
    let user_id = caller.user_id;
    state
        .with_store(move |store, _| {
            let owned = store.tokens(Some(user_id))?.iter().any(|t| t.id == id);
            if !owned && !admin {
                return Err(ApiError::not_found(format!("no active token {id}")));
            }
            Ok(accounts::revoke_token(store, id, &a)?)
        })
        .await?;
    state.0.tokens.forget(None, Some(id));
    Ok(StatusCode::NO_CONTENT)
}
