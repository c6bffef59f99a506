//! When to try again: exponential back-off without jitter, so the schedule is a pure
//! function of the attempt count and can be asserted exactly.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How often and how long to keep trying one notification.
///
/// After the `n`-th failed attempt (`n` ≥ 1) the next one is due
/// `min(base_backoff × 2^(n−1), max_backoff)` later; after `max_attempts` attempts there
/// is none and the notification is failed. With the defaults (10 attempts, 1 minute,
/// 6 hours) the waits are 1, 2, 4, 8, 16, 32, 64, 128 and 256 minutes: about 8.5 hours
/// from the first attempt to the last.
///
/// There is no jitter: the outbox spreads load by itself, since notifications are raised
/// at different times, and a deterministic schedule is one that tests can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included; at least 1.
    pub max_attempts: u32,
    /// The wait after the first failed attempt.
    pub base_backoff: Duration,
    /// No wait is longer than this.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base_backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(6 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failed`-th failed attempt (`failed` ≥ 1; 0 waits nothing).
    pub fn backoff(&self, failed: u32) -> Duration {
        let Some(doublings) = failed.checked_sub(1) else {
            return Duration::ZERO;
        };
        let factor = 1u32.checked_shl(doublings).unwrap_or(u32::MAX);
        self.base_backoff.saturating_mul(factor).min(self.max_backoff)
    }

    /// When the next attempt is due, given the attempts made so far and the time the last
    /// one ended: `now` for a notification not yet tried, `None` once `max_attempts` have
    /// been made. `None` means the notification stays in the outbox as failed, visible to
    /// whoever looks; it is never dropped.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        // A wait too long for chrono is as good as never; the policy loader keeps waits
        // far below that.
        let wait = TimeDelta::from_std(self.backoff(attempts)).ok()?;
        now.checked_add_signed(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn check(policy: RetryPolicy, expected: &[Option<&str>]) {
        let now = at("2026-11-01T08:00:00Z");
        let got: Vec<Option<DateTime<Utc>>> =
            (0..expected.len() as u32).map(|n| policy.next_attempt(n, now)).collect();
        let expected: Vec<Option<DateTime<Utc>>> = expected.iter().map(|e| e.map(at)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn doubles_from_the_base_up_to_the_cap_then_stops() {
        let policy = RetryPolicy {
            max_attempts: 6,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(300),
        };
        check(
            policy,
            &[
                Some("2026-11-01T08:00:00Z"),
                Some("2026-11-01T08:00:30Z"),
                Some("2026-11-01T08:01:00Z"),
                Some("2026-11-01T08:02:00Z"),
                Some("2026-11-01T08:04:00Z"),
                Some("2026-11-01T08:05:00Z"),
                None,
                None,
            ],
        );
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let policy = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
        check(policy, &[Some("2026-11-01T08:00:00Z"), None]);
    }

    #[test]
    fn default_schedule_is_documented() {
        let minutes: Vec<u64> = (1..10).map(|n| RetryPolicy::default().backoff(n).as_secs() / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256]);
    }

    #[test]
    fn huge_attempt_counts_saturate_at_the_cap() {
        let policy = RetryPolicy { max_attempts: u32::MAX, ..RetryPolicy::default() };
        assert_eq!(policy.backoff(40), Duration::from_secs(6 * 3600));
        assert_eq!(policy.backoff(u32::MAX - 1), Duration::from_secs(6 * 3600));
    }
}
