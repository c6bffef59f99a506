//! Managing users and API tokens, for the CLI (`credence user …`, `credence token …`)
//! and the API alike; every change is audited.

use credence_store::{AuditEntry, Store, StoredToken, StoredUser};

use crate::access::{Permission, Role, list};
use crate::auth;

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("username '{0}' must be 2–64 letters, digits, '.', '_' or '-'")]
    BadUsername(String),
    #[error("unknown role '{0}'; expected one of {1}")]
    UnknownRole(String, String),
    #[error("a password needs at least 12 characters")]
    WeakPassword,
    #[error("user '{0}' exists")]
    UserExists(String),
    #[error("no user '{0}'")]
    UnknownUser(String),
    #[error("unknown permission '{0}' in the token's scopes")]
    UnknownPermission(String),
    #[error("token scope '{0}' is more than the user's role allows")]
    ScopeBeyondRole(String),
    #[error("no active token {0}")]
    UnknownToken(i64),
    #[error("'{0}' is not an RFC 3339 time")]
    BadTime(String),
    #[error(transparent)]
    Hash(#[from] auth::HashError),
    #[error(transparent)]
    Store(#[from] credence_store::StoreError),
}

/// Who makes a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub role: String,
    pub client_ip: String,
    pub request_id: String,
}

impl Actor {
    /// A change made at the command line by an operator.
    pub fn cli(name: &str) -> Actor {
        Actor {
            name: name.to_owned(),
            role: "cli".into(),
            client_ip: "local".into(),
            request_id: String::new(),
        }
    }

    /// The audit entry of a change this actor made, time-stamped now.
    pub fn entry(&self, action: &str, object: &str, summary: serde_json::Value) -> AuditEntry {
        AuditEntry {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            actor: self.name.clone(),
            role: self.role.clone(),
            action: action.into(),
            object: object.into(),
            summary: summary.to_string(),
            client_ip: self.client_ip.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// Appends the audit record of a change this actor made, time-stamped now, in the
    /// store's open transaction (the change's own) when there is one.
    pub fn record(
        &self,
        store: &mut Store,
        action: &str,
        object: &str,
        summary: serde_json::Value,
    ) -> Result<(), credence_store::StoreError> {
        store.append_audit(&self.entry(action, object, summary))?;
        Ok(())
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A new user's details.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// One of the seven roles (`risk_manager`, …).
    pub role: String,
    /// Organisation unit; none: the whole organisation.
    pub org_unit: Option<String>,
    #[serde(default)]
    pub business_lines: Vec<String>,
    #[serde(default)]
    pub customers: Vec<String>,
    #[serde(default)]
    pub hidden_indicators: Vec<String>,
}

fn check_password(p: &str) -> Result<(), AccountError> {
    if p.chars().count() < 12 { Err(AccountError::WeakPassword) } else { Ok(()) }
}

pub fn add_user(store: &mut Store, u: &NewUser, actor: &Actor) -> Result<i64, AccountError> {
    let ok_name = (2..=64).contains(&u.username.len())
        && u.username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok_name {
        return Err(AccountError::BadUsername(u.username.clone()));
    }
    let role = Role::parse(&u.role)
        .ok_or_else(|| AccountError::UnknownRole(u.role.clone(), Role::ALL.map(|r| r.code()).join(", ")))?;
    check_password(&u.password)?;
    let at = now();
    let stored = StoredUser {
        id: 0,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        password_hash: auth::hash_password(&u.password)?,
        role: role.code().into(),
        org_unit: u.org_unit.clone().filter(|o| !o.is_empty()),
        business_lines: u.business_lines.join(","),
        customers: u.customers.join(","),
        hidden_indicators: u.hidden_indicators.join(","),
        disabled: false,
        created_at: at.clone(),
        password_changed_at: at,
        language: None,
    };
    store.transaction(|store| {
        let id = store.create_user(&stored)?.ok_or_else(|| AccountError::UserExists(u.username.clone()))?;
        actor.record(
            store,
            "user.add",
            &format!("user:{}", u.username),
            serde_json::json!({ "after": { "role": role.code(), "org_unit": stored.org_unit, "business_lines": stored.business_lines, "customers": stored.customers, "hidden_indicators": stored.hidden_indicators } }),
        )?;
        Ok(id)
    })
}

pub fn set_password(
    store: &mut Store,
    username: &str,
    password: &str,
    actor: &Actor,
) -> Result<(), AccountError> {
    check_password(password)?;
    let hash = auth::hash_password(password)?;
    store.transaction(|store| {
        if !store.set_password(username, &hash, &now())? {
            return Err(AccountError::UnknownUser(username.into()));
        }
        Ok(actor.record(store, "user.password", &format!("user:{username}"), serde_json::json!({}))?)
    })
}

pub fn set_disabled(
    store: &mut Store,
    username: &str,
    disabled: bool,
    actor: &Actor,
) -> Result<(), AccountError> {
    store.transaction(|store| {
        if !store.set_user_disabled(username, disabled)? {
            return Err(AccountError::UnknownUser(username.into()));
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        Ok(actor.record(
            store,
            action,
            &format!("user:{username}"),
            serde_json::json!({ "after": { "disabled": disabled } }),
        )?)
    })
}

/// Creates an API token for a user, limited to `scopes` (none: the user's own
/// permissions); returns its id and the token, which is shown this once.
pub fn create_token(
    store: &mut Store,
    username: &str,
    name: &str,
    scopes: &[String],
    expires_at: Option<&str>,
    actor: &Actor,
) -> Result<(i64, String), AccountError> {
    let user = store.user(username)?.ok_or_else(|| AccountError::UnknownUser(username.into()))?;
    let role =
        Role::parse(&user.role).ok_or_else(|| AccountError::UnknownRole(user.role.clone(), String::new()))?;
    for s in scopes {
        let p = Permission::parse(s).ok_or_else(|| AccountError::UnknownPermission(s.clone()))?;
        if !crate::access::allows(role, p) {
            return Err(AccountError::ScopeBeyondRole(s.clone()));
        }
    }
    if let Some(e) = expires_at
        && chrono::DateTime::parse_from_rfc3339(e).is_err()
    {
        return Err(AccountError::BadTime(e.into()));
    }
    let (token, hash) = auth::new_token();
    store.transaction(|store| {
    let id = store.create_token(&StoredToken {
        id: 0,
        user_id: user.id,
        name: name.to_owned(),
        token_hash: hash,
        scopes: scopes.join(","),
        created_at: now(),
        expires_at: expires_at.map(str::to_owned),
        revoked_at: None,
        last_used_at: None,
    })?;
    actor.record(
        store,
        "token.create",
        &format!("token:{id}"),
        serde_json::json!({ "after": { "user": username, "name": name, "scopes": scopes, "expires_at": expires_at } }),
    )?;
    Ok((id, token))
    })
}

pub fn revoke_token(store: &mut Store, id: i64, actor: &Actor) -> Result<(), AccountError> {
    store.transaction(|store| {
        if !store.revoke_token(id, &now())? {
            return Err(AccountError::UnknownToken(id));
        }
        Ok(actor.record(store, "token.revoke", &format!("token:{id}"), serde_json::json!({}))?)
    })
}

/// The user's scope lists, as stored.
pub fn scope_lists(u: &StoredUser) -> (Vec<String>, Vec<String>, Vec<String>) {
    (list(&u.business_lines), list(&u.customers), list(&u.hidden_indicators))
}
