//! Time stamps and the clock that makes them.
//!
//! A [`Timestamp`] is an instant written as RFC 3339 in UTC (`2026-03-01T08:30:00Z`, or with
//! milliseconds in the audit log). It keeps the text it was made or read with, so what is
//! stored and sent stays byte for byte what it was, and orders by the instant it names.
//!
//! Text read back from the database goes through [`Timestamp::stored`], which never fails:
//! a row written by an older version or by hand may hold a stamp that is not RFC 3339, and
//! reading it must show it as it is rather than refuse the whole row.
//!
//! This crate reads no clock: the programs at the edge (the command line and the server)
//! implement [`Clock`], and everything else is handed the time.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in RFC 3339 UTC text; compares and orders by the instant, then the text, and
/// hashes by the text. A stored text that names no instant orders before every instant, and
/// among its kind by the text.
#[derive(Clone)]
pub struct Timestamp {
    text: String,
    /// `None` only for stored text that is not RFC 3339 (see [`Timestamp::stored`]).
    instant: Option<DateTime<Utc>>,
}

/// Why a text is not a time stamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an RFC 3339 time stamp")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// The instant to the second: `2026-03-01T08:30:00Z`.
    pub fn secs(instant: DateTime<Utc>) -> Timestamp {
        let instant = instant.trunc_subsecs(0);
        Timestamp { text: instant.to_rfc3339_opts(SecondsFormat::Secs, true), instant: Some(instant) }
    }

    /// The instant to the millisecond: `2026-03-01T08:30:00.123Z`.
    pub fn millis(instant: DateTime<Utc>) -> Timestamp {
        let instant = instant.trunc_subsecs(3);
        Timestamp { text: instant.to_rfc3339_opts(SecondsFormat::Millis, true), instant: Some(instant) }
    }

    /// Reads an RFC 3339 text, keeping it as written.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Timestamp { text: text.to_owned(), instant: Some(t.with_timezone(&Utc)) })
            .map_err(|_| TimestampError(text.to_owned()))
    }

    /// A time stamp as the database holds it. Never fails: the text is kept as it is even
    /// when it names no instant (a row written by hand or by an older version), because
    /// reading a row must not change or refuse what was stored. Such a stamp has no
    /// [`instant`](Timestamp::instant) and orders before every stamp that has one.
    pub fn stored(text: impl Into<String>) -> Timestamp {
        let text = text.into();
        let instant = DateTime::parse_from_rfc3339(&text).ok().map(|t| t.with_timezone(&Utc));
        Timestamp { text, instant }
    }

    /// Reads a time stamp the way [`Timestamp::stored`] does, for files written from stored
    /// rows (audit archives, checkpoints): `#[serde(deserialize_with = "…")]`.
    pub fn deserialize_stored<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        String::deserialize(d).map(Timestamp::stored)
    }

    /// The last second of `date`, UTC: `2026-10-01T23:59:59Z`, when a deadline set in
    /// days runs out.
    pub fn end_of(date: NaiveDate) -> Timestamp {
        Timestamp::secs(date.and_hms_opt(23, 59, 59).expect("a valid time").and_utc())
    }

    /// The instant work on business date `date` stands at: `now`, or the end of `date`
    /// when that is earlier. A run or a screen for a past business date (a demo portfolio,
    /// a run repeated for last month) judges deadlines as they stood on that date, not by
    /// the wall clock; for today it is `now`.
    pub fn business_instant(date: NaiveDate, now: &Timestamp) -> Timestamp {
        let end = Timestamp::end_of(date);
        if now.instant().is_some_and(|n| n > end.instant().expect("end_of names an instant")) {
            end
        } else {
            now.clone()
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant named; `None` only for stored text that names none.
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        self.instant
    }

    /// The calendar date in UTC; `None` only for stored text that names no instant.
    pub fn date(&self) -> Option<NaiveDate> {
        self.instant.map(|t| t.date_naive())
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

/// The source of the current time. Only the programs at the edge implement it with the
/// wall clock; tests implement it with a fixed instant.
pub trait Clock {
    /// The current instant.
    fn instant(&self) -> DateTime<Utc>;

    /// The current time stamp to the second.
    fn now(&self) -> Timestamp {
        Timestamp::secs(self.instant())
    }

    /// The current time stamp to the millisecond.
    fn now_millis(&self) -> Timestamp {
        Timestamp::millis(self.instant())
    }
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn instant(&self) -> DateTime<Utc> {
        self.0
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant && self.text == other.text
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant.cmp(&other.instant).then_with(|| self.text.cmp(&other.text))
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for Timestamp {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl Deref for Timestamp {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Borrow<str> for Timestamp {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.text
    }
}

/// The text as it is, like [`Timestamp::stored`]: for rows and fixtures whose text is taken
/// as given. Text from outside (a request, a file) goes through [`Timestamp::parse`].
impl From<String> for Timestamp {
    fn from(text: String) -> Timestamp {
        Timestamp::stored(text)
    }
}

/// The text as it is, like [`Timestamp::stored`].
impl From<&str> for Timestamp {
    fn from(text: &str) -> Timestamp {
        Timestamp::stored(text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The `days`th business day after `date`: Monday to Friday count, weekends do not
/// (public holidays and the weekends worked in their place are not known here). Zero
/// days is `date` itself.
pub fn business_days_after(date: NaiveDate, days: u32) -> NaiveDate {
    use chrono::Datelike;
    let mut d = date;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().expect("dates far from the end of the calendar");
        if d.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    /// 2026-10-02 is a Friday: one business day later is Monday 10-05, five later Friday
    /// 10-09; from Saturday 10-03 the first business day is Monday 10-05.
    #[test]
    fn business_days_skip_weekends() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(business_days_after(d("2026-10-02"), 0), d("2026-10-02"));
        assert_eq!(business_days_after(d("2026-10-02"), 1), d("2026-10-05"));
        assert_eq!(business_days_after(d("2026-10-02"), 5), d("2026-10-09"));
        assert_eq!(business_days_after(d("2026-10-03"), 1), d("2026-10-05"));
        assert_eq!(business_days_after(d("2026-09-30"), 1), d("2026-10-01"));
    }

    #[test]
    fn a_past_business_date_stands_at_its_end_and_today_at_now() {
        let d = "2026-09-30".parse::<NaiveDate>().unwrap();
        assert_eq!(Timestamp::end_of(d).as_str(), "2026-09-30T23:59:59Z");
        let later = Timestamp::parse("2026-12-07T05:52:06Z").unwrap();
        assert_eq!(Timestamp::business_instant(d, &later).as_str(), "2026-09-30T23:59:59Z");
        let same_day = Timestamp::parse("2026-09-30T08:00:00Z").unwrap();
        assert_eq!(Timestamp::business_instant(d, &same_day), same_day);
    }

    #[test]
    fn stamps_write_as_before_and_order_by_instant() {
        let clock = FixedClock(at("2026-03-01T08:30:00.123Z"));
        assert_eq!(clock.now(), "2026-03-01T08:30:00Z");
        assert_eq!(clock.now_millis(), "2026-03-01T08:30:00.123Z");
        assert!(clock.now() < clock.now_millis());
        let later = Timestamp::parse("2026-03-01T09:00:00+08:00").unwrap();
        assert_eq!(later.as_str(), "2026-03-01T09:00:00+08:00");
        assert!(later < clock.now());
        assert!(Timestamp::parse("yesterday").is_err());
        assert_eq!(clock.now().date(), NaiveDate::from_ymd_opt(2026, 3, 1));
    }

    #[test]
    fn stored_text_is_kept_even_when_it_names_no_instant() {
        let odd = Timestamp::stored("sometime in March");
        assert_eq!(odd, "sometime in March");
        assert_eq!(odd.instant(), None);
        let stamp = Timestamp::stored("2026-03-01T08:30:00Z");
        assert_eq!(Some(stamp.clone()), Timestamp::parse("2026-03-01T08:30:00Z").ok());
        assert!(odd < stamp);
        assert!(Timestamp::stored("a") < Timestamp::stored("b"));
    }
}
