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

/// Today's date in the business time zone.
pub fn today_in(zone: chrono_tz::Tz) -> NaiveDate {
    instant().with_timezone(&zone).date_naive()
}

/// The time on the business time zone's calendar and clock, to the minute's precision
/// the utility's disconnection records use.
pub fn now_in(zone: chrono_tz::Tz) -> chrono::NaiveDateTime {
    instant().with_timezone(&zone).naive_local()
}
