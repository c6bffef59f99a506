//! Who may try a password, and when: the sign-in throttle, and the small pool that checks
//! passwords apart from other requests.
//!
//! Three counts decide (failures within the window; per username only after its last
//! success):
//! - **username and address**: after `per_user_address` failures the pair backs off,
//!   30 s doubling with each further failure, at most the window;
//! - **address**: after `per_address` failures for any usernames, the address waits out
//!   the window (one client guessing many usernames);
//! - **username**: after `per_user` failures from anywhere, the username is closed to
//!   addresses it has not signed in from before (a guesser spread over many addresses).
//!
//! No one can lock a user out for long: the username count never closes an address the
//! user has signed in from within `known_days`, and a pair's back-off is only ever caused
//! by guesses from that address. Every attempt is counted before its password is checked
//! (in the same transaction as the check), so parallel guesses cannot slip past the limit.
//! Argon2 runs on its own pool of `hash_workers` threads with a short queue, so a flood of
//! sign-ins is turned away quickly and never occupies the threads other requests use.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use credence_store::LoginCounts;

/// The throttle's settings.
#[derive(Debug, Clone)]
pub struct SignInRules {
    /// How long failures count.
    pub window_minutes: i64,
    pub per_user_address: u32,
    pub per_address: u32,
    pub per_user: u32,
    /// How long a successful sign-in makes an address known for a username.
    pub known_days: i64,
    /// Threads checking passwords at once, and sign-ins allowed to wait for one.
    pub hash_workers: usize,
    pub hash_queue: usize,
}

impl Default for SignInRules {
    fn default() -> SignInRules {
        SignInRules {
            window_minutes: 15,
            per_user_address: 5,
            per_address: 30,
            per_user: 20,
            known_days: 30,
            hash_workers: 1,
            hash_queue: 8,
        }
    }
}

/// Why an attempt is refused before its password is checked, and when to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: i64,
    pub reason: &'static str,
}

impl SignInRules {
    /// Whether an attempt with these earlier counts may go ahead at `now`.
    pub fn decide(&self, c: &LoginCounts, now: DateTime<Utc>) -> Option<Throttled> {
        let window = Duration::minutes(self.window_minutes);
        if c.user_ip_failures >= self.per_user_address {
            let extra = c.user_ip_failures - self.per_user_address;
            let back_off = Duration::seconds(30 * (1i64 << extra.min(20))).min(window);
            let last = c
                .user_ip_last_failure
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or(now, |t| t.with_timezone(&Utc));
            let wait = (last + back_off - now).num_seconds();
            if wait > 0 {
                return Some(Throttled {
                    retry_after_seconds: wait,
                    reason: "too many failed sign-ins for this username from this address",
                });
            }
        }
        if c.ip_failures >= self.per_address {
            return Some(Throttled {
                retry_after_seconds: window.num_seconds(),
                reason: "too many failed sign-ins from this address",
            });
        }
        if c.user_failures >= self.per_user && !c.known_address {
            return Some(Throttled {
                retry_after_seconds: window.num_seconds(),
                reason: "too many failed sign-ins for this username; sign in from an address you have used before, or wait",
            });
        }
        None
    }
}

/// The pool that checks passwords: `workers` at once, `queue` more waiting; beyond that a
/// sign-in is turned away at once.
pub struct PasswordPool {
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    queue: usize,
}

/// The password pool is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolBusy;

impl PasswordPool {
    pub fn new(workers: usize, queue: usize) -> PasswordPool {
        PasswordPool {
            permits: tokio::sync::Semaphore::new(workers.max(1)),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// Whether a sign-in now would be turned away: checked before anything else, so a
    /// flood beyond the pool costs neither a database write nor a hash.
    pub fn is_full(&self) -> bool {
        self.waiting.load(Ordering::SeqCst) >= self.queue + self.permits.available_permits()
    }

    /// Runs `check` (an Argon2 verification) on the pool.
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolBusy> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        let permit = if waiting >= self.queue + self.permits.available_permits() {
            None
        } else {
            self.permits.acquire().await.ok()
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(_permit) = permit else { return Err(PoolBusy) };
        tokio::task::spawn_blocking(check).await.map_err(|_| PoolBusy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc)
    }

    fn counts(user_ip: u32, last: &str, ip: u32, user: u32, known: bool) -> LoginCounts {
        LoginCounts {
            user_ip_failures: user_ip,
            user_ip_last_failure: Some(last.to_owned()),
            ip_failures: ip,
            user_failures: user,
            known_address: known,
        }
    }

    /// Five failures from one address back off 30 s after the fifth, 60 s after the sixth,
    /// and never more than the 15-minute window.
    #[test]
    fn a_username_and_address_back_off_doubling() {
        let rules = SignInRules::default();
        let now = at("2026-12-06T10:00:10Z");
        assert_eq!(rules.decide(&counts(4, "2026-12-06T10:00:00Z", 4, 4, false), now), None);
        let t = rules.decide(&counts(5, "2026-12-06T10:00:00Z", 5, 5, false), now).unwrap();
        assert_eq!(t.retry_after_seconds, 20);
        let t = rules.decide(&counts(6, "2026-12-06T10:00:00Z", 6, 6, false), now).unwrap();
        assert_eq!(t.retry_after_seconds, 50);
        let t = rules.decide(&counts(19, "2026-12-06T10:00:00Z", 19, 19, true), now).unwrap();
        assert_eq!(t.retry_after_seconds, 15 * 60 - 10);
        // The back-off has passed: one more try.
        assert_eq!(rules.decide(&counts(5, "2026-12-06T09:59:00Z", 5, 5, false), now), None);
    }

    /// Guesses spread over many addresses close the username to new addresses only.
    #[test]
    fn a_username_under_attack_stays_open_to_known_addresses() {
        let rules = SignInRules::default();
        let now = at("2026-12-06T10:00:00Z");
        let spread = LoginCounts { user_failures: 20, ..LoginCounts::default() };
        assert!(rules.decide(&spread, now).is_some());
        assert_eq!(rules.decide(&LoginCounts { known_address: true, ..spread }, now), None);
    }

    #[test]
    fn one_address_guessing_many_usernames_waits_the_window() {
        let rules = SignInRules::default();
        let c = LoginCounts { ip_failures: 30, ..LoginCounts::default() };
        let t = rules.decide(&c, at("2026-12-06T10:00:00Z")).unwrap();
        assert_eq!(t.retry_after_seconds, 900);
    }
}
