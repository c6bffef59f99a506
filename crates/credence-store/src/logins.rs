//! Sign-in attempts and session activity: the counts a throttling policy decides on,
//! taken and recorded in one write transaction, so that concurrent guesses cannot all pass
//! the check before any of them is counted.

use crate::cells::text;
use crate::db::Dialect;
use crate::{Store, StoreError};
use credence_domain::Timestamp;
use credence_records::Value;

/// What is known about earlier sign-in attempts when a new one starts. Failures are
/// counted since `since` and, per username, only after that username's last success
/// from the same place the count is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginCounts {
    /// Failures for this username from this address, since its last success there.
    pub user_ip_failures: u32,
    /// The newest of those failures (RFC 3339), if any.
    pub user_ip_last_failure: Option<String>,
    /// Failures from this address, for any username.
    pub ip_failures: u32,
    /// Failures for this username from any address, since its last success.
    pub user_failures: u32,
    /// Whether this username has signed in successfully from this address since
    /// `known_since` (an address the real user is known to use).
    pub known_address: bool,
}

/// Where and when a sign-in attempt is made.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub client_ip: &'a str,
    /// RFC 3339, now.
    pub at: &'a str,
    /// Failures older than this do not count.
    pub since: &'a str,
    /// Successes older than this do not make an address known.
    pub known_since: &'a str,
}

impl Store {
    /// Counts the earlier attempts of `attempt`'s username and address and lets `decide`
    /// refuse the new one (with its reason); when it is not refused, the attempt is
    /// recorded as a failure until [`Store::close_login_attempt`] marks it a success. All in
    /// one write transaction (on PostgreSQL under a table lock that only sign-ins take), so
    /// a guess is counted before its password is checked, and parallel guesses see each
    /// other. `Ok(Ok(id))`: the attempt's id; `Ok(Err(reason))`: refused, nothing recorded.
    pub fn open_login_attempt<R>(
        &mut self,
        attempt: &LoginAttempt<'_>,
        decide: impl FnOnce(&LoginCounts) -> Option<R>,
    ) -> Result<Result<i64, R>, StoreError> {
        let postgres = self.db.dialect() == Dialect::Postgres;
        self.in_transaction(|db| {
            if postgres {
                db.batch("LOCK TABLE login_attempts IN SHARE ROW EXCLUSIVE MODE")?;
            }
            let LoginAttempt { username, client_ip, at, since, known_since } = *attempt;
            let mut counts = LoginCounts::default();
            db.query_cells(
                "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE username = ? AND client_ip = ? AND succeeded = 0 AND at >= ?
                   AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ? AND client_ip = ? AND succeeded = 1), '')",
                &[username.into(), client_ip.into(), since.into(), username.into(), client_ip.into()],
                |r| {
                    counts.user_ip_failures = r[0].int().unwrap_or(0) as u32;
                    counts.user_ip_last_failure = Some(text(r[1])).filter(|t| !t.is_empty());
                },
            )?;
            counts.ip_failures = db
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts WHERE client_ip = ? AND succeeded = 0 AND at >= ?",
                    &[client_ip.into(), since.into()],
                )?
                .and_then(|v| v.as_int())
                .unwrap_or(0) as u32;
            counts.user_failures = db
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts WHERE username = ? AND succeeded = 0 AND at >= ?
                       AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ? AND succeeded = 1), '')",
                    &[username.into(), since.into(), username.into()],
                )?
                .and_then(|v| v.as_int())
                .unwrap_or(0) as u32;
            counts.known_address = db
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts WHERE username = ? AND client_ip = ? AND succeeded = 1 AND at >= ?",
                    &[username.into(), client_ip.into(), known_since.into()],
                )?
                .and_then(|v| v.as_int())
                .unwrap_or(0)
                > 0;
            if let Some(reason) = decide(&counts) {
                return Ok(Err(reason));
            }
            let id = crate::cells::returning_id(
                db,
                "INSERT INTO login_attempts (username, client_ip, at, succeeded) VALUES (?, ?, ?, 0) RETURNING id",
                &[username.into(), client_ip.into(), at.into()],
            )?;
            Ok(Ok(id))
        })
    }

    /// Marks an attempt opened by [`Store::open_login_attempt`] as a success.
    pub fn close_login_attempt(&mut self, id: i64) -> Result<(), StoreError> {
        self.db.execute("UPDATE login_attempts SET succeeded = 1 WHERE id = ?", &[Value::Int(id)])?;
        Ok(())
    }

    /// Forgets failures before `failures_before` and successes before `successes_before`
    /// (successes are kept longer: they make an address known); how many were removed.
    pub fn prune_login_attempts(
        &mut self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<u64, StoreError> {
        Ok(self.db.execute(
            "DELETE FROM login_attempts WHERE (succeeded = 0 AND at < ?) OR (succeeded = 1 AND at < ?)",
            &[failures_before.into(), successes_before.into()],
        )?)
    }

    /// Notes that a session was used at `at`.
    pub fn touch_session(&mut self, id_hash: &str, at: &Timestamp) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
            &[at.into(), id_hash.into()],
        )?;
        Ok(())
    }
}
