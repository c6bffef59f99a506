//! Calendar arithmetic shared by the modules: whole months between dates and day numbers.

use chrono::{Datelike, Months, NaiveDate};

/// Days since the common era: date comparisons on plain integers.
pub(crate) fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// `d` moved back `n` calendar months; the day is clamped to the month's end (2024-02-29
/// back 12 months is 2023-02-28).
pub(crate) fn months_back(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n)).unwrap_or(NaiveDate::MIN)
}

/// The number of whole months from `from` to `to`: the largest `m` with `from` moved
/// forward `m` months (day clamped to the month's end) on or before `to`; 0 when `to` is
/// before `from`.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let guess = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let mut m = guess.max(0) as u32;
    while m > 0 && from.checked_add_months(Months::new(m)).is_none_or(|d| d > to) {
        m -= 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn whole_months_clamp_month_ends() {
        assert_eq!(whole_months(d(2026, 1, 15), d(2026, 4, 14)), 2);
        assert_eq!(whole_months(d(2026, 1, 15), d(2026, 4, 15)), 3);
        // 31 January plus one month is 28 February.
        assert_eq!(whole_months(d(2026, 1, 31), d(2026, 2, 28)), 1);
        assert_eq!(whole_months(d(2024, 2, 29), d(2025, 2, 28)), 12);
        assert_eq!(whole_months(d(2026, 5, 1), d(2026, 4, 1)), 0);
        assert_eq!(months_back(d(2024, 2, 29), 12), d(2023, 2, 28));
    }
}
