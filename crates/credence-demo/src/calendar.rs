//! The portfolio's timeline: quarter ends up to `as_of`, the ledger window, and fast ISO
//! date text.

use chrono::{Datelike, Months, NaiveDate};

/// Quarters simulated: an opening balance (index 0) and fifteen quarters of flows. The
/// last twelve (indices 4..=15) are reported; the three before them exist so annual
/// statements of the last three full calendar years always have their four quarters.
pub(crate) const QUARTERS: usize = 16;
/// First reported quarter.
pub(crate) const FIRST_REPORTED: usize = 4;
/// First quarter in which a customer can default: the last eight quarters.
pub(crate) const FIRST_HAZARD: usize = 8;
/// The last quarter, ending on or before `as_of`.
pub(crate) const LAST: usize = QUARTERS - 1;
/// Months of receivables history before `as_of`.
pub(crate) const LEDGER_MONTHS: u32 = 18;

/// Dates every part of the generator agrees on.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    pub as_of: NaiveDate,
    /// `quarter_ends[k]` is the end of simulated quarter k; `quarter_ends[LAST]` is the
    /// quarter end on or before `as_of`.
    pub quarter_ends: [NaiveDate; QUARTERS],
    /// First day of the receivables window.
    pub ledger_start: NaiveDate,
}

impl Timeline {
    pub fn new(as_of: NaiveDate) -> Self {
        let last = quarter_end_on_or_before(as_of);
        let mut quarter_ends = [last; QUARTERS];
        for k in (0..LAST).rev() {
            quarter_ends[k] = previous_quarter_end(quarter_ends[k + 1]);
        }
        let ledger_start = as_of.checked_sub_months(Months::new(LEDGER_MONTHS)).unwrap_or(as_of);
        Self { as_of, quarter_ends, ledger_start }
    }

    /// First day of quarter k (k ≥ 1).
    pub fn quarter_start(&self, k: usize) -> NaiveDate {
        self.quarter_ends[k - 1].succ_opt().unwrap_or(self.quarter_ends[k - 1])
    }

    /// The simulated quarter a date falls in: 0 for dates up to the opening balance,
    /// LAST for dates after the last quarter end (the stub up to `as_of`).
    pub fn quarter_of(&self, date: NaiveDate) -> usize {
        self.quarter_ends.iter().position(|end| date <= *end).unwrap_or(LAST)
    }
}

/// Last day of the quarter containing `date`, or of the previous quarter if that is later
/// than `date`.
pub(crate) fn quarter_end_on_or_before(date: NaiveDate) -> NaiveDate {
    let q_month = (date.month() - 1) / 3 * 3 + 3;
    let end = month_end(date.year(), q_month);
    if end <= date { end } else { previous_quarter_end(end) }
}

fn previous_quarter_end(end: NaiveDate) -> NaiveDate {
    let (y, m) = if end.month() <= 3 { (end.year() - 1, 12) } else { (end.year(), end.month() - 3) };
    month_end(y, m)
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .expect("month ends of years chrono represents exist")
}

/// `date` plus a number of days, saturating at chrono's range.
pub(crate) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(chrono::TimeDelta::days(days)).unwrap_or(date)
}

/// Days from `a` to `b`.
pub(crate) fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// `YYYY-MM-DD` without going through a formatter: millions of dates are written.
pub(crate) fn iso(date: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    let y = date.year();
    if (0..=9999).contains(&y) {
        let y = y as u32;
        for d in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            s.push(char::from(b'0' + d as u8));
        }
    } else {
        return date.format("%Y-%m-%d").to_string();
    }
    for (sep, v) in [('-', date.month()), ('-', date.day())] {
        s.push(sep);
        s.push(char::from(b'0' + (v / 10) as u8));
        s.push(char::from(b'0' + (v % 10) as u8));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarter_ends_step_back_from_as_of() {
        let t = Timeline::new(d(2026, 5, 15));
        assert_eq!(t.quarter_ends[LAST], d(2026, 3, 31));
        assert_eq!(t.quarter_ends[LAST - 1], d(2025, 12, 31));
        assert_eq!(t.quarter_ends[FIRST_REPORTED], d(2023, 6, 30));
        assert_eq!(t.quarter_ends[0], d(2022, 6, 30));
        assert_eq!(t.ledger_start, d(2024, 11, 15));
        assert_eq!(t.quarter_of(d(2026, 4, 1)), LAST);
        assert_eq!(t.quarter_of(d(2026, 1, 1)), LAST);
        assert_eq!(t.quarter_of(d(2025, 12, 31)), LAST - 1);
        assert_eq!(t.quarter_start(LAST), d(2026, 1, 1));
    }

    #[test]
    fn a_quarter_end_is_its_own_last_quarter() {
        let t = Timeline::new(d(2025, 12, 31));
        assert_eq!(t.quarter_ends[LAST], d(2025, 12, 31));
        assert_eq!(quarter_end_on_or_before(d(2024, 2, 29)), d(2023, 12, 31));
    }

    #[test]
    fn iso_text_matches_chrono() {
        for date in [d(2026, 1, 5), d(2008, 12, 31), d(999, 3, 4)] {
            assert_eq!(iso(date), date.format("%Y-%m-%d").to_string());
        }
    }
}
