//! The wall clock. Only the programs at the edge read it — the server and the command line
//! (which uses this module) — and this module is the one place they do.

use chrono::{DateTime, NaiveDate, Utc};
use credence_domain::{Clock, Timestamp};

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn instant(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Now, to the second: `2026-03-01T08:30:00Z`.
pub fn now() -> Timestamp {
    SystemClock.now()
}

/// Now, to the millisecond, as the audit log writes it.
pub fn now_millis() -> Timestamp {
    SystemClock.now_millis()
}

/// The current instant, for arithmetic on times.
pub fn instant() -> DateTime<Utc> {
    SystemClock.instant()
}

/// Today's date in UTC.
pub fn today_utc() -> NaiveDate {
    instant().date_naive()
}

/// Today's date on this computer's calendar (the command line's default as-of date).
pub fn today_local() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The time on this computer's calendar and clock, to the minute's precision the
/// utility's disconnection records use.
pub fn now_local() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}
