//! Managing users, their access and authorities, and API tokens, for the CLI (`credence
//! user …`, `credence token …`) and the API alike; every change is audited. Who may make
//! which change (the separation of administrative duties in [`crate::access`]) is checked
//! here, so the API and a command run with `--user` apply the same rules.

use credence_store::{AuditEntry, Store, StoredToken, StoredUser, UserAccess};

use crate::access::{Permission, Role, allows, list, permission_for_authority};
use crate::auth;
use crate::clock::now;

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
    #[error("token scope '{0}' is more than the credential creating the token allows")]
    ScopeBeyondCredential(String),
    #[error("a token limited to scopes creates only tokens with explicit scopes within its own")]
    UnscopedFromScoped,
    #[error("{0}")]
    Forbidden(String),
    #[error("unknown authority '{0}'; expected one of {1}")]
    UnknownAuthority(String, String),
    #[error("{user} is a {role}, which cannot use the `{authority}` authority (it needs {permission})")]
    AuthorityBeyondRole { user: String, role: String, authority: String, permission: String },
    #[error("{0} does not hold the `{1}` authority")]
    AuthorityNotHeld(String, String),
    #[error("a token expires at most {max_days} days after it is created, and after now; found {found}")]
    BadExpiry { found: String, max_days: i64 },
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
            at: crate::clock::now_millis(),
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

/// Who asks for an account change: the local operator, or a user by the permissions of
/// their credential.
#[derive(Debug, Clone)]
pub enum Requester {
    /// A command run without `--user`: whoever can write the database file, who therefore
    /// may do anything, and bootstraps the first administrators.
    Operator,
    User {
        username: String,
        role: Role,
        /// The scopes of the API token the request came with; `None`: a session or a
        /// command, with all of the role's permissions.
        token_scopes: Option<Vec<Permission>>,
    },
}

impl Requester {
    pub fn may(&self, p: Permission) -> bool {
        match self {
            Requester::Operator => true,
            Requester::User { role, token_scopes, .. } => {
                allows(*role, p) && token_scopes.as_ref().is_none_or(|s| s.is_empty() || s.contains(&p))
            }
        }
    }

    fn require(&self, p: Permission, what: &str) -> Result<(), AccountError> {
        if self.may(p) {
            return Ok(());
        }
        let role = match self {
            Requester::User { role, .. } => role.code(),
            Requester::Operator => "operator",
        };
        Err(AccountError::Forbidden(format!("{role} may not {what} (it needs {})", p.code())))
    }

    /// Refuses a change to the requester's own account.
    fn not_self(&self, username: &str, what: &str) -> Result<(), AccountError> {
        match self {
            Requester::User { username: me, .. } if me == username => {
                Err(AccountError::Forbidden(format!("no one may change their own {what}")))
            }
            _ => Ok(()),
        }
    }

    /// The requester of a command run as `user` (`--user`), else the operator.
    pub fn for_command(store: &mut Store, user: Option<&str>) -> Result<Requester, AccountError> {
        let Some(name) = user else { return Ok(Requester::Operator) };
        let u = store.user(name)?.ok_or_else(|| AccountError::UnknownUser(name.into()))?;
        if u.disabled {
            return Err(AccountError::Forbidden(format!("user '{name}' is disabled")));
        }
        let role =
            Role::parse(&u.role).ok_or_else(|| AccountError::UnknownRole(u.role.clone(), String::new()))?;
        Ok(Requester::User { username: u.username, role, token_scopes: None })
    }
}

/// A new user's details.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// A role (`risk_manager`, …). Accounts added by the system administrator have none
    /// (`unassigned`): the security administrator assigns roles and scopes.
    #[serde(default)]
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

fn parse_role(code: &str) -> Result<Role, AccountError> {
    let code = if code.is_empty() { Role::Unassigned.code() } else { code };
    Role::parse(code)
        .ok_or_else(|| AccountError::UnknownRole(code.to_owned(), Role::ALL.map(|r| r.code()).join(", ")))
}

/// Adds a user as the operator (any role and scope); see [`add_user_as`].
pub fn add_user(store: &mut Store, u: &NewUser, actor: &Actor) -> Result<i64, AccountError> {
    add_user_as(store, u, &Requester::Operator, actor)
}

/// Adds a user: the system administrator adds accounts without a role or scope, which
/// the security administrator then assigns.
pub fn add_user_as(
    store: &mut Store,
    u: &NewUser,
    by: &Requester,
    actor: &Actor,
) -> Result<i64, AccountError> {
    by.require(Permission::UserManage, "add users")?;
    let ok_name = (2..=64).contains(&u.username.len())
        && u.username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok_name {
        return Err(AccountError::BadUsername(u.username.clone()));
    }
    let role = parse_role(&u.role)?;
    let scoped = u.org_unit.as_deref().is_some_and(|o| !o.is_empty())
        || !u.business_lines.is_empty()
        || !u.customers.is_empty()
        || !u.hidden_indicators.is_empty();
    if !matches!(by, Requester::Operator) && (role != Role::Unassigned || scoped) {
        return Err(AccountError::Forbidden(
            "roles and data scopes are assigned by the security administrator: add the account without them"
                .into(),
        ));
    }
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

/// Sets a user's password as the operator; see [`set_password_as`].
pub fn set_password(
    store: &mut Store,
    username: &str,
    password: &str,
    actor: &Actor,
) -> Result<(), AccountError> {
    set_password_as(store, username, password, &Requester::Operator, actor)
}

/// Sets a user's password (system administrators); ends its sessions and revokes its
/// API tokens.
pub fn set_password_as(
    store: &mut Store,
    username: &str,
    password: &str,
    by: &Requester,
    actor: &Actor,
) -> Result<(), AccountError> {
    by.require(Permission::UserManage, "set passwords")?;
    check_password(password)?;
    let hash = auth::hash_password(password)?;
    store.transaction(|store| {
        if !store.set_password(username, &hash, &now())? {
            return Err(AccountError::UnknownUser(username.into()));
        }
        Ok(actor.record(
            store,
            "user.password",
            &format!("user:{username}"),
            serde_json::json!({ "after": { "sessions": "ended", "tokens": "revoked" } }),
        )?)
    })
}

/// Disables or enables a user as the operator; see [`set_disabled_as`].
pub fn set_disabled(
    store: &mut Store,
    username: &str,
    disabled: bool,
    actor: &Actor,
) -> Result<(), AccountError> {
    set_disabled_as(store, username, disabled, &Requester::Operator, actor)
}

/// Disables (ending its sessions and revoking its tokens) or enables a user (system
/// administrators, not their own account).
pub fn set_disabled_as(
    store: &mut Store,
    username: &str,
    disabled: bool,
    by: &Requester,
    actor: &Actor,
) -> Result<(), AccountError> {
    by.require(Permission::UserManage, "disable or enable users")?;
    by.not_self(username, "account's status")?;
    store.transaction(|store| {
        if !store.set_user_disabled(username, disabled, &now())? {
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

/// A change of a user's role and data scope; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessChange {
    pub role: Option<String>,
    /// Organisation unit; empty: the whole organisation.
    pub org_unit: Option<String>,
    pub business_lines: Option<Vec<String>>,
    pub customers: Option<Vec<String>>,
    pub hidden_indicators: Option<Vec<String>>,
}

/// Sets a user's role and data scope (security administrators, not their own); a new
/// role drops the authorities it cannot use. The authorities dropped.
pub fn set_access(
    store: &mut Store,
    username: &str,
    change: &AccessChange,
    by: &Requester,
    actor: &Actor,
) -> Result<Vec<String>, AccountError> {
    by.require(Permission::AccessManage, "assign roles and scopes")?;
    by.not_self(username, "role or scope")?;
    let user = store.user(username)?.ok_or_else(|| AccountError::UnknownUser(username.into()))?;
    let role = match &change.role {
        Some(r) => parse_role(r)?,
        None => parse_role(&user.role)?,
    };
    let before = UserAccess {
        role: user.role.clone(),
        org_unit: user.org_unit.clone(),
        business_lines: user.business_lines.clone(),
        customers: user.customers.clone(),
        hidden_indicators: user.hidden_indicators.clone(),
    };
    let after = UserAccess {
        role: role.code().to_owned(),
        org_unit: match &change.org_unit {
            Some(o) => Some(o.clone()).filter(|o| !o.is_empty()),
            None => user.org_unit.clone(),
        },
        business_lines: change.business_lines.as_ref().map_or(user.business_lines.clone(), |l| l.join(",")),
        customers: change.customers.as_ref().map_or(user.customers.clone(), |l| l.join(",")),
        hidden_indicators: change
            .hidden_indicators
            .as_ref()
            .map_or(user.hidden_indicators.clone(), |l| l.join(",")),
    };
    store.transaction(|store| {
        store.set_user_access(username, &after)?;
        let mut dropped = Vec::new();
        for held in store.authorities(user.id)? {
            if !allows(role, permission_for_authority(&held.authority)) {
                store.revoke_authority(user.id, &held.authority)?;
                dropped.push(held.authority);
            }
        }
        let view = |a: &UserAccess| serde_json::json!({ "role": a.role, "org_unit": a.org_unit, "business_lines": a.business_lines, "customers": a.customers, "hidden_indicators": a.hidden_indicators });
        actor.record(
            store,
            "user.access",
            &format!("user:{username}"),
            serde_json::json!({ "before": view(&before), "after": view(&after), "authorities_dropped": dropped }),
        )?;
        Ok(dropped)
    })
}

/// Grants (or revokes) a user an authority (security administrators, not their own).
/// `known` lists the authorities there are: the credit policy's approval roles and the
/// rating-override approval. A grant needs a role that can use the authority.
pub fn set_authority(
    store: &mut Store,
    username: &str,
    authority: &str,
    grant: bool,
    known: &[String],
    by: &Requester,
    actor: &Actor,
) -> Result<(), AccountError> {
    by.require(Permission::AccessManage, "grant or revoke authorities")?;
    by.not_self(username, "authorities")?;
    if !known.iter().any(|k| k == authority) {
        return Err(AccountError::UnknownAuthority(authority.into(), known.join(", ")));
    }
    let user = store.user(username)?.ok_or_else(|| AccountError::UnknownUser(username.into()))?;
    let role = parse_role(&user.role)?;
    let at = now();
    if grant {
        let needs = permission_for_authority(authority);
        if !allows(role, needs) {
            return Err(AccountError::AuthorityBeyondRole {
                user: username.into(),
                role: role.code().into(),
                authority: authority.into(),
                permission: needs.code().into(),
            });
        }
    }
    store.transaction(|store| {
        if grant {
            // Granting one held already changes nothing but is still the administrator's act.
            store.grant_authority(user.id, authority, &actor.name, &at)?;
        } else if !store.revoke_authority(user.id, authority)? {
            return Err(AccountError::AuthorityNotHeld(username.into(), authority.into()));
        }
        Ok(actor.record(
            store,
            if grant { "user.grant" } else { "user.revoke" },
            &format!("user:{username}"),
            serde_json::json!({ "authority": authority }),
        )?)
    })
}

/// The authorities there are for a credit policy: its approval roles, the shipped billing
/// policy's roles (billing terms and penalty waivers) and the rating-override approval.
pub fn known_authorities(policy: &credence_engine::types::control::CreditPolicy) -> Vec<String> {
    let mut out: Vec<String> = policy.authority().roles.iter().map(|r| r.id.clone()).collect();
    for id in credence_engine::types::control::BillingPolicy::builtin().role_ids() {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out.push(crate::access::RATING_APPROVER.to_owned());
    out
}

/// What a new token is.
#[derive(Debug, Clone)]
pub struct TokenRequest<'a> {
    pub username: &'a str,
    pub name: &'a str,
    /// Permissions it is limited to (none: all of the creating credential's).
    pub scopes: &'a [String],
    /// RFC 3339; none: `max_days` from now.
    pub expires_at: Option<&'a str>,
    /// The longest a token may live.
    pub max_days: i64,
}

/// Creates an API token; returns its id, the token (shown this once) and its expiry. A
/// user creates tokens for themselves only (the operator for anyone), with scopes within
/// the creating credential's: a token limited to scopes creates only tokens with explicit
/// scopes within its own. Every token expires, at most `max_days` after it is created.
pub fn create_token(
    store: &mut Store,
    t: &TokenRequest<'_>,
    by: &Requester,
    actor: &Actor,
) -> Result<(i64, String, String), AccountError> {
    if let Requester::User { username, token_scopes, .. } = by {
        if username != t.username {
            return Err(AccountError::Forbidden(
                "API tokens are created by their own user, never for someone else".into(),
            ));
        }
        if token_scopes.as_ref().is_some_and(|s| !s.is_empty()) && t.scopes.is_empty() {
            return Err(AccountError::UnscopedFromScoped);
        }
    }
    let user = store.user(t.username)?.ok_or_else(|| AccountError::UnknownUser(t.username.into()))?;
    let role = parse_role(&user.role)?;
    for s in t.scopes {
        let p = Permission::parse(s).ok_or_else(|| AccountError::UnknownPermission(s.clone()))?;
        if !allows(role, p) {
            return Err(AccountError::ScopeBeyondRole(s.clone()));
        }
        if !by.may(p) {
            return Err(AccountError::ScopeBeyondCredential(s.clone()));
        }
    }
    let created = crate::clock::instant();
    let latest = created + chrono::Duration::days(t.max_days.max(1));
    let expires = match t.expires_at {
        None => latest,
        Some(e) => {
            let bad = || AccountError::BadExpiry { found: e.into(), max_days: t.max_days };
            let at = chrono::DateTime::parse_from_rfc3339(e)
                .map_err(|_| AccountError::BadTime(e.into()))?
                .with_timezone(&chrono::Utc);
            if at <= created || at > latest {
                return Err(bad());
            }
            at
        }
    };
    let expires = credence_domain::Timestamp::secs(expires);
    let (token, hash) = auth::new_token();
    store.transaction(|store| {
    let id = store.create_token(&StoredToken {
        id: 0,
        user_id: user.id,
        name: t.name.to_owned(),
        token_hash: hash,
        scopes: t.scopes.join(","),
        created_at: credence_domain::Timestamp::secs(created),
        expires_at: Some(expires.clone()),
        revoked_at: None,
        last_used_at: None,
    })?;
    actor.record(
        store,
        "token.create",
        &format!("token:{id}"),
        serde_json::json!({ "after": { "user": t.username, "name": t.name, "scopes": t.scopes, "expires_at": expires } }),
    )?;
    Ok((id, token, expires.into()))
    })
}

/// Revokes an API token: one's own, or anyone's for the security administrator.
pub fn revoke_token(store: &mut Store, id: i64, by: &Requester, actor: &Actor) -> Result<(), AccountError> {
    if let Requester::User { username, .. } = by
        && !by.may(Permission::AccessManage)
    {
        let owned = match store.user(username)? {
            Some(u) => store.tokens(Some(u.id))?.iter().any(|t| t.id == id),
            None => false,
        };
        if !owned {
            // Someone else's token: as if there were none, so ids are not probed.
            return Err(AccountError::UnknownToken(id));
        }
    }
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
