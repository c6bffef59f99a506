//! Non-financial quantities from events (IND-3) and from the customer master, as at any
//! date `d`.
//!
//! A window `w` with shift `s` covers the dates `(d − s − w, d − s]`: `count(news, 4q)`
//! at 30 September 2026 counts news dated 1 October 2025 to 30 September 2026, and
//! `count(news, 4q, shift = 4q)` the year before. Months and quarters move by calendar
//! months, keeping month ends (30 June − 1q = 31 March); `d` windows count days.
//!
//! * `count(kind, w)`: events of the kind in the window.
//! * `sum_count(kind, w)`: the events' `count` (people leaving, complaints), an event
//!   without one counting 1.
//! * `sum_amount(kind, w)`: the events' amounts; an event without one adds nothing.
//! * `sum_change(kind, w)`: the events' `change_pct` as a fraction (a customer loss of
//!   18 % adds 0.18); an event without one adds nothing.
//! * `mean_sentiment(w)`: mean sentiment (−1 … 1) of the news items in the window that
//!   have one; missing when there is none.
//! * `credit_limit`, `payment_terms`: from the customer master (today's values, also
//!   for earlier dates); missing when not on file.
//! * `relationship_length`: complete calendar months from the relationship start to `d`.

use chrono::{Datelike, NaiveDate};
use credence_domain::EventKind;

use crate::cause::Cause;
use crate::input::CustomerFile;
use crate::program::Aggregate;

/// Events of a kind dated in the days `(start, end]`; `days[i]` is event i's day number.
fn in_window<'e>(
    file: &'e CustomerFile,
    days: &'e [i32],
    kind: EventKind,
    (start, end): (i32, i32),
) -> impl Iterator<Item = &'e crate::input::Event> {
    file.events
        .iter()
        .zip(days)
        .filter(move |(e, d)| **d > start && **d <= end && e.kind == kind)
        .map(|(e, _)| e)
}

/// Complete calendar months from `start` to `end` (a month ending on the last day of a
/// shorter month counts as complete: 31 January to 28 February is one month).
pub(crate) fn complete_months(start: NaiveDate, end: NaiveDate) -> i32 {
    let mut m = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    if end.day() < start.day() && !crate::periods::is_month_end(end) {
        m -= 1;
    }
    m
}

/// The value of an event or customer aggregate at `d` (durations in years): `days` are
/// the events' day numbers and `bounds` the aggregate's window in day numbers.
pub(crate) fn value(
    file: &CustomerFile,
    days: &[i32],
    a: Aggregate,
    bounds: (i32, i32),
    d: NaiveDate,
) -> Result<f64, Cause> {
    Ok(match a {
        Aggregate::Count(k, _) => in_window(file, days, k, bounds).count() as f64,
        Aggregate::SumCount(k, _) => in_window(file, days, k, bounds).map(|e| e.count.unwrap_or(1.0)).sum(),
        Aggregate::SumAmount(k, _) => in_window(file, days, k, bounds).filter_map(|e| e.amount).sum(),
        Aggregate::SumChange(k, _) => {
            in_window(file, days, k, bounds).filter_map(|e| e.change_pct).sum::<f64>() / 100.0
        }
        Aggregate::MeanSentiment(w) => {
            let (n, sum) = in_window(file, days, EventKind::News, bounds)
                .filter_map(|e| e.sentiment)
                .fold((0u32, 0.0), |(n, s), x| (n + 1, s + x));
            if n == 0 {
                return Err(Cause::NoSentiment { end: crate::ledger::window_bounds(w, d).1 });
            }
            sum / n as f64
        }
        Aggregate::CreditLimit => file.credit_limit.ok_or(Cause::NoCreditLimit)?,
        Aggregate::PaymentTerms => file.payment_terms_days.ok_or(Cause::NoPaymentTerms)? / 365.0,
        Aggregate::RelationshipLength => {
            if file.relationship_start > d {
                return Err(Cause::RelationshipNotStarted { date: d });
            }
            complete_months(file.relationship_start, d) as f64 / 12.0
        }
        _ => unreachable!("not an event or customer aggregate: {a:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_months_between_dates() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let cases = [
            (d(2019, 4, 1), d(2026, 9, 30), 89),
            (d(2019, 4, 1), d(2026, 10, 1), 90),
            (d(2026, 1, 31), d(2026, 2, 28), 1),
            (d(2026, 1, 15), d(2026, 2, 14), 0),
            (d(2026, 1, 15), d(2026, 1, 15), 0),
        ];
        for (a, b, m) in cases {
            assert_eq!(complete_months(a, b), m, "{a} {b}");
        }
    }
}
