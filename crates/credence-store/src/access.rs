//! Users, API tokens, browser sessions, login attempts and job claims (GOV-3, GOV-5). The
//! store keeps only hashes of passwords, tokens and session ids; it does not decide who
//! may do what.

use crate::cells::{opt_stamp, stamp};
use crate::cells::{opt_text, returning_id, text};
use crate::db::{Cell, Dialect};
use crate::{Store, StoreError};
use credence_domain::Timestamp;
use credence_records::Value;

/// A user as stored. Scope lists are comma-separated; empty means no restriction at that
/// level.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    /// `None`: the whole organisation.
    pub org_unit: Option<String>,
    pub business_lines: String,
    pub customers: String,
    pub hidden_indicators: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
    /// The cockpit's language the user chose (`zh`, `en`); none: the browser's.
    pub language: Option<String>,
}

/// An API token as stored (the token itself is shown once, when created).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    /// Comma-separated permissions the token is limited to; empty: the user's own.
    pub scopes: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// A job run: its name, the instance holding or having finished it, when it finished and
/// how.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRun {
    /// `job:period` (`warnings:2026-11-22`).
    pub run: String,
    /// The instance holding or last holding the claim.
    pub claimed_by: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// `ok: …` or `failed: …` once finished.
    pub status: Option<String>,
}

/// A user's role and data scope, as set by the security administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccess {
    pub role: String,
    pub org_unit: Option<String>,
    pub business_lines: String,
    pub customers: String,
    pub hidden_indicators: String,
}

/// An authority a user holds (an approval level of the credit policy, or the approval of
/// rating overrides), with who granted it and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldAuthority {
    pub authority: String,
    pub granted_by: String,
    pub granted_at: Timestamp,
}

/// Ends a user's sessions and revokes its live API tokens, in the caller's transaction.
fn end_credentials(db: &mut crate::db::Db, username: &str, at: &str) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = ?)",
        &[username.into()],
    )?;
    db.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE username = ?)",
        &[at.into(), username.into()],
    )?;
    Ok(())
}

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// The last request the session made (none before its first).
    pub last_seen_at: Option<Timestamp>,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, role, org_unit, business_lines, customers, hidden_indicators, disabled, created_at, password_changed_at, language";
const TOKEN_COLUMNS: &str =
    "id, user_id, name, token_hash, scopes, created_at, expires_at, revoked_at, last_used_at";

fn user(r: &[Cell<'_>]) -> StoredUser {
    StoredUser {
        id: r[0].int().unwrap_or(0),
        username: text(r[1]),
        display_name: text(r[2]),
        password_hash: text(r[3]),
        role: text(r[4]),
        org_unit: opt_text(r[5]),
        business_lines: text(r[6]),
        customers: text(r[7]),
        hidden_indicators: text(r[8]),
        disabled: r[9].int() == Some(1),
        created_at: stamp(r[10]),
        password_changed_at: stamp(r[11]),
        language: opt_text(r[12]),
    }
}

fn token(r: &[Cell<'_>]) -> StoredToken {
    StoredToken {
        id: r[0].int().unwrap_or(0),
        user_id: r[1].int().unwrap_or(0),
        name: text(r[2]),
        token_hash: text(r[3]),
        scopes: text(r[4]),
        created_at: stamp(r[5]),
        expires_at: opt_stamp(r[6]),
        revoked_at: opt_stamp(r[7]),
        last_used_at: opt_stamp(r[8]),
    }
}

impl Store {
    /// Adds a user; `None` when the username is taken.
    pub fn create_user(&mut self, u: &StoredUser) -> Result<Option<i64>, StoreError> {
        if self.user(&u.username)?.is_some() {
            return Ok(None);
        }
        let id = returning_id(
            &mut self.db,
            "INSERT INTO users (username, display_name, password_hash, role, org_unit, business_lines, customers, hidden_indicators, disabled, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                u.username.as_str().into(),
                u.display_name.as_str().into(),
                u.password_hash.as_str().into(),
                u.role.as_str().into(),
                u.org_unit.as_deref().map_or(Value::Null, Value::from),
                u.business_lines.as_str().into(),
                u.customers.as_str().into(),
                u.hidden_indicators.as_str().into(),
                Value::Int(i64::from(u.disabled)),
                u.created_at.as_str().into(),
                u.password_changed_at.as_str().into(),
            ],
        )?;
        Ok(Some(id))
    }

    pub fn user(&mut self, username: &str) -> Result<Option<StoredUser>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?"),
            &[username.into()],
            |r| out = Some(user(r)),
        )?;
        Ok(out)
    }

    /// Remembers the cockpit's language a user chose.
    pub fn set_user_language(&mut self, user_id: i64, language: &str) -> Result<(), StoreError> {
        self.db
            .execute("UPDATE users SET language = ? WHERE id = ?", &[language.into(), Value::Int(user_id)])?;
        Ok(())
    }

    pub fn user_by_id(&mut self, id: i64) -> Result<Option<StoredUser>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"),
            &[Value::Int(id)],
            |r| out = Some(user(r)),
        )?;
        Ok(out)
    }

    pub fn users(&mut self) -> Result<Vec<StoredUser>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"), &[], |r| {
            out.push(user(r))
        })?;
        Ok(out)
    }

    /// Replaces a user's password hash; ends the user's sessions and revokes its API
    /// tokens, so a credential issued under the old password does not outlive it. `false`:
    /// no such user.
    pub fn set_password(&mut self, username: &str, hash: &str, at: &Timestamp) -> Result<bool, StoreError> {
        self.in_transaction(|db| {
            let n = db.execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
                &[hash.into(), at.into(), username.into()],
            )?;
            end_credentials(db, username, at)?;
            Ok(n == 1)
        })
    }

    /// Disables or enables a user; disabling ends its sessions and revokes its API tokens
    /// (enabling it again does not bring them back). `false`: no such user.
    pub fn set_user_disabled(
        &mut self,
        username: &str,
        disabled: bool,
        at: &Timestamp,
    ) -> Result<bool, StoreError> {
        self.in_transaction(|db| {
            let n = db.execute(
                "UPDATE users SET disabled = ? WHERE username = ?",
                &[Value::Int(i64::from(disabled)), username.into()],
            )?;
            if disabled {
                end_credentials(db, username, at)?;
            }
            Ok(n == 1)
        })
    }

    /// Replaces a user's role and data scope; `false`: no such user.
    pub fn set_user_access(&mut self, username: &str, access: &UserAccess) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "UPDATE users SET role = ?, org_unit = ?, business_lines = ?, customers = ?, hidden_indicators = ? WHERE username = ?",
            &[
                access.role.as_str().into(),
                access.org_unit.as_deref().map_or(Value::Null, Value::from),
                access.business_lines.as_str().into(),
                access.customers.as_str().into(),
                access.hidden_indicators.as_str().into(),
                username.into(),
            ],
        )?;
        Ok(n == 1)
    }

    /// Grants a user an authority; `false` when the user holds it already.
    pub fn grant_authority(
        &mut self,
        user_id: i64,
        authority: &str,
        granted_by: &str,
        at: &Timestamp,
    ) -> Result<bool, StoreError> {
        if self.authorities(user_id)?.iter().any(|a| a.authority == authority) {
            return Ok(false);
        }
        self.db.execute(
            "INSERT INTO user_authorities (user_id, authority, granted_by, granted_at) VALUES (?, ?, ?, ?)",
            &[Value::Int(user_id), authority.into(), granted_by.into(), at.into()],
        )?;
        Ok(true)
    }

    /// Revokes an authority; `false` when the user did not hold it.
    pub fn revoke_authority(&mut self, user_id: i64, authority: &str) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "DELETE FROM user_authorities WHERE user_id = ? AND authority = ?",
            &[Value::Int(user_id), authority.into()],
        )?;
        Ok(n == 1)
    }

    /// The authorities a user holds, by name.
    pub fn authorities(&mut self, user_id: i64) -> Result<Vec<HeldAuthority>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT authority, granted_by, granted_at FROM user_authorities WHERE user_id = ? ORDER BY authority",
            &[Value::Int(user_id)],
            |r| out.push(HeldAuthority { authority: text(r[0]), granted_by: text(r[1]), granted_at: stamp(r[2]) }),
        )?;
        Ok(out)
    }

    pub fn create_token(&mut self, t: &StoredToken) -> Result<i64, StoreError> {
        returning_id(
            &mut self.db,
            "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Value::Int(t.user_id),
                t.name.as_str().into(),
                t.token_hash.as_str().into(),
                t.scopes.as_str().into(),
                t.created_at.as_str().into(),
                t.expires_at.as_deref().map_or(Value::Null, Value::from),
            ],
        )
    }

    /// The token with this hash and its user, whether or not revoked or expired (the
    /// caller decides).
    pub fn token(&mut self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?"),
            &[token_hash.into()],
            |r| out = Some(token(r)),
        )?;
        Ok(out)
    }

    pub fn tokens(&mut self, user_id: Option<i64>) -> Result<Vec<StoredToken>, StoreError> {
        let (filter, params) = match user_id {
            Some(u) => (" WHERE user_id = ?", vec![Value::Int(u)]),
            None => ("", Vec::new()),
        };
        let mut out = Vec::new();
        self.db.query_cells(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens{filter} ORDER BY id"),
            &params,
            |r| out.push(token(r)),
        )?;
        Ok(out)
    }

    /// Revokes a token; `false` when there is no such token or it was revoked before.
    pub fn revoke_token(&mut self, id: i64, at: &Timestamp) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            &[at.into(), Value::Int(id)],
        )?;
        Ok(n == 1)
    }

    pub fn touch_token(&mut self, id: i64, at: &Timestamp) -> Result<(), StoreError> {
        self.db
            .execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", &[at.into(), Value::Int(id)])?;
        Ok(())
    }

    pub fn create_session(&mut self, id_hash: &str, s: &StoredSession) -> Result<(), StoreError> {
        self.db.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                id_hash.into(),
                Value::Int(s.user_id),
                s.csrf_token.as_str().into(),
                s.created_at.as_str().into(),
                s.expires_at.as_str().into(),
                s.last_seen_at.as_deref().map_or(Value::Null, Into::into),
            ],
        )?;
        Ok(())
    }

    pub fn session(&mut self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            "SELECT user_id, csrf_token, created_at, expires_at, last_seen_at FROM sessions WHERE id_hash = ?",
            &[id_hash.into()],
            |r| {
                out = Some(StoredSession {
                    user_id: r[0].int().unwrap_or(0),
                    csrf_token: text(r[1]),
                    created_at: stamp(r[2]),
                    expires_at: stamp(r[3]),
                    last_seen_at: r[4].text().map(Timestamp::stored),
                })
            },
        )?;
        Ok(out)
    }

    /// Ends a session, and every session expired at `now`.
    pub fn end_session(&mut self, id_hash: &str, now: &str) -> Result<(), StoreError> {
        self.db.execute(
            "DELETE FROM sessions WHERE id_hash = ? OR expires_at <= ?",
            &[id_hash.into(), now.into()],
        )?;
        Ok(())
    }

    /// Claims a background job run for `instance` until `until`, if it has not finished
    /// and no other instance holds an unexpired claim; `true` when this instance now holds
    /// it. A run is named with its period (`nightly_rating:2026-11-22`), so a finished run
    /// is never repeated and an unfinished one whose claim expired (its instance died) is
    /// taken over. One statement, so two instances racing for a run cannot both win; and a
    /// run waits while an earlier run of the same job is still under way.
    pub fn claim_job(
        &mut self,
        job: &str,
        instance: &str,
        now: &str,
        until: &str,
    ) -> Result<bool, StoreError> {
        self.db.execute(
            match self.db.dialect() {
                Dialect::Sqlite => "INSERT OR IGNORE INTO job_claims (job) VALUES (?)",
                Dialect::Postgres => "INSERT INTO job_claims (job) VALUES (?) ON CONFLICT (job) DO NOTHING",
            },
            &[job.into()],
        )?;
        // Runs of one job never overlap: not while another run of it (the part of the name
        // before ':') is claimed, unfinished, with its lease running.
        let prefix = format!("{}:", job.split(':').next().unwrap_or(job));
        let n = self.db.execute(
            "UPDATE job_claims SET claimed_by = ?, claimed_until = ?, last_started_at = ? WHERE job = ? AND last_finished_at IS NULL AND (claimed_by IS NULL OR claimed_by = ? OR claimed_until <= ?) AND NOT EXISTS (SELECT 1 FROM job_claims o WHERE substr(o.job, 1, ?) = ? AND o.job <> ? AND o.last_finished_at IS NULL AND o.claimed_by IS NOT NULL AND o.claimed_until > ?)",
            &[
                instance.into(),
                until.into(),
                now.into(),
                job.into(),
                instance.into(),
                now.into(),
                Value::Int(prefix.chars().count() as i64),
                prefix.as_str().into(),
                job.into(),
                now.into(),
            ],
        )?;
        Ok(n == 1)
    }

    /// Records that this instance finished a run it holds, and how; `false` when the claim
    /// was lost (it expired and another instance took the run over).
    pub fn finish_job(
        &mut self,
        job: &str,
        instance: &str,
        at: &Timestamp,
        status: &str,
    ) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "UPDATE job_claims SET claimed_until = NULL, last_finished_at = ?, last_status = ? WHERE job = ? AND claimed_by = ?",
            &[at.into(), status.into(), job.into(), instance.into()],
        )?;
        Ok(n == 1)
    }

    /// Extends the lease of a run this instance holds and has not finished; `false` when
    /// the claim was lost (taken over, or released).
    pub fn renew_job(&mut self, job: &str, instance: &str, until: &str) -> Result<bool, StoreError> {
        let n = self.db.execute(
            "UPDATE job_claims SET claimed_until = ? WHERE job = ? AND claimed_by = ? AND last_finished_at IS NULL",
            &[until.into(), job.into(), instance.into()],
        )?;
        Ok(n == 1)
    }

    /// Gives up every unfinished run this instance holds (it is stopping), so another
    /// instance may take them over now; returns how many.
    pub fn release_jobs(&mut self, instance: &str, now: &str) -> Result<u64, StoreError> {
        let n = self.db.execute(
            "UPDATE job_claims SET claimed_by = NULL, claimed_until = NULL, last_status = ? WHERE claimed_by = ? AND last_finished_at IS NULL",
            &[format!("released at {now} by {instance}, which stopped").into(), instance.into()],
        )?;
        Ok(n)
    }

    /// Every job run, by run name.
    pub fn job_runs(&mut self) -> Result<Vec<JobRun>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT job, claimed_by, last_started_at, last_finished_at, last_status FROM job_claims ORDER BY job",
            &[],
            |r| {
                out.push(JobRun {
                    run: text(r[0]),
                    claimed_by: opt_text(r[1]),
                    started_at: opt_stamp(r[2]),
                    finished_at: opt_stamp(r[3]),
                    status: opt_text(r[4]),
                })
            },
        )?;
        Ok(out)
    }

    /// The latest `limit` job runs, the most recently started first (runs never started
    /// last, by run name between equals).
    pub fn latest_job_runs(&mut self, limit: usize) -> Result<Vec<JobRun>, StoreError> {
        let mut runs = self.job_runs()?;
        runs.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.run.cmp(&a.run)));
        runs.truncate(limit);
        Ok(runs)
    }
}
