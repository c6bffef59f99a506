//! Reporting periods: months as integers, month-end arithmetic, and the per-customer index
//! that finds a statement by period end and period type in constant time.

use chrono::{Datelike, Days, Months, NaiveDate};
use credence_domain::PeriodType;

use crate::input::Statement;

/// Months since year 0: `year × 12 + month − 1`.
pub(crate) fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// The year and month (1–12) of a month index.
fn month_of_index(m: i32) -> (i32, u32) {
    (m.div_euclid(12), m.rem_euclid(12) as u32 + 1)
}

/// The last day of a month index.
pub(crate) fn month_end(m: i32) -> NaiveDate {
    let (year, month) = month_of_index(m);
    NaiveDate::from_ymd_opt(year, month, days_in_month(year, month)).unwrap_or(NaiveDate::MIN)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) fn is_month_end(d: NaiveDate) -> bool {
    d.day() == days_in_month(d.year(), d.month())
}

/// `d` moved by whole months (back when `months` is negative); a month end stays a month
/// end (30 June − 3 months is 31 March), other days are clamped to the month's length.
/// `None` when the month moved to lies beyond chrono's calendar: each caller says what it
/// wants then.
pub fn add_months(d: NaiveDate, months: i32) -> Option<NaiveDate> {
    if is_month_end(d) {
        let (year, month) = month_of_index(month_index(d).checked_add(months)?);
        return NaiveDate::from_ymd_opt(year, month, days_in_month(year, month));
    }
    if months >= 0 {
        d.checked_add_months(Months::new(months as u32))
    } else {
        d.checked_sub_months(Months::new(months.unsigned_abs()))
    }
}

/// [`add_months`] for the catalogue's windows: beyond the calendar a month end moves to
/// its first day ([`NaiveDate::MIN`]) and any other day stays where it is.
pub(crate) fn shift_months(d: NaiveDate, months: i32) -> NaiveDate {
    add_months(d, months).unwrap_or(if is_month_end(d) { NaiveDate::MIN } else { d })
}

pub(crate) fn shift_days(d: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.unwrap_or(d)
}

/// Period types as small integers: quarter 0, half year 1, year 2.
pub(crate) const QUARTER: u8 = 0;
pub(crate) const HALF_YEAR: u8 = 1;
pub(crate) const ANNUAL: u8 = 2;

pub(crate) fn type_code(t: PeriodType) -> u8 {
    match t {
        PeriodType::Quarter => QUARTER,
        PeriodType::HalfYear => HALF_YEAR,
        PeriodType::Annual => ANNUAL,
    }
}

pub(crate) fn type_months(t: u8) -> f64 {
    [3.0, 6.0, 12.0][t as usize]
}

pub(crate) fn type_name(t: u8) -> (&'static str, &'static str) {
    [("quarterly", "quarter"), ("half-year", "half year"), ("annual", "year")][t as usize]
}

/// The statements on or before `as_of`, by month and type.
#[derive(Debug)]
pub(crate) struct StatementIndex {
    base: i32,
    /// Statement position + 1 per month and type; 0 = none.
    table: Vec<[u16; 3]>,
    /// The current period: the latest period end on or before `as_of`, preferring a
    /// quarterly, then a half-year statement at that date.
    pub current: Option<(i32, u8)>,
}

impl StatementIndex {
    pub fn new(statements: &[Statement], as_of: NaiveDate) -> StatementIndex {
        let mut lo = i32::MAX;
        let mut hi = i32::MIN;
        let mut latest: Option<(NaiveDate, u8)> = None;
        for s in statements.iter().filter(|s| s.period_end <= as_of) {
            let m = month_index(s.period_end);
            lo = lo.min(m);
            hi = hi.max(m);
            let t = type_code(s.period_type);
            // Latest date first; at the same date the shorter period.
            if latest.is_none_or(|(d, lt)| s.period_end > d || (s.period_end == d && t < lt)) {
                latest = Some((s.period_end, t));
            }
        }
        if latest.is_none() {
            return StatementIndex { base: 0, table: Vec::new(), current: None };
        }
        let mut table = vec![[0u16; 3]; (hi - lo + 1) as usize];
        for (i, s) in statements.iter().enumerate() {
            if s.period_end <= as_of {
                table[(month_index(s.period_end) - lo) as usize][type_code(s.period_type) as usize] =
                    i as u16 + 1;
            }
        }
        StatementIndex { base: lo, table, current: latest.map(|(d, t)| (month_index(d), t)) }
    }

    fn row(&self, month: i32) -> Option<&[u16; 3]> {
        let i = month - self.base;
        if i < 0 {
            return None;
        }
        self.table.get(i as usize)
    }

    /// The statement of exactly this type ending in this month.
    #[inline]
    pub fn get(&self, month: i32, t: u8) -> Option<usize> {
        match self.row(month)?[t as usize] {
            0 => None,
            i => Some(i as usize - 1),
        }
    }

    /// The statement of this type ending in this month, else any statement ending then
    /// (balances are the same whatever period a statement covers).
    #[inline]
    pub fn any(&self, month: i32, t: u8) -> Option<usize> {
        let row = self.row(month)?;
        let i = if row[t as usize] != 0 { row[t as usize] } else { row.iter().copied().find(|&i| i != 0)? };
        Some(i as usize - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_arithmetic_keeps_month_ends() {
        let cases = [
            (d(2026, 6, 30), -3, d(2026, 3, 31)),
            (d(2026, 5, 31), -3, d(2026, 2, 28)),
            (d(2026, 9, 30), -12, d(2025, 9, 30)),
            (d(2024, 2, 29), -12, d(2023, 2, 28)),
            (d(2026, 8, 15), -3, d(2026, 5, 15)),
            (d(2026, 3, 30), -1, d(2026, 2, 28)),
            (d(2026, 2, 28), 1, d(2026, 3, 31)),
        ];
        for (from, by, to) in cases {
            assert_eq!(shift_months(from, by), to, "{from} {by}");
            assert_eq!(add_months(from, by), Some(to), "{from} {by}");
        }
        assert_eq!(month_end(month_index(d(2024, 2, 3))), d(2024, 2, 29));
    }

    #[test]
    fn month_arithmetic_at_the_calendar_limits() {
        let (first, last) = (NaiveDate::MIN, NaiveDate::MAX);
        assert_eq!(add_months(last, 1), None);
        assert_eq!(add_months(first, -1), None);
        assert_eq!(add_months(last, -1), NaiveDate::from_ymd_opt(last.year(), 11, 30));
        let last_but_one_end = last.with_day(1).and_then(|d| d.pred_opt()).unwrap();
        assert_eq!(add_months(last_but_one_end, 1), Some(last));
        let mid = last.with_day(15).unwrap();
        assert_eq!(add_months(mid, 1), None);
        assert_eq!(add_months(d(2026, 1, 31), i32::MAX), None);
        // The windows' choice beyond the calendar.
        assert_eq!(shift_months(last, 1), NaiveDate::MIN);
        assert_eq!(shift_months(mid, 1), mid);
    }
}
