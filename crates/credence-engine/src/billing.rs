//! Utility billing accounts (SCN-1): each account's bills and payments as a ledger, the
//! arrears target, the behaviour an account shows at a month end, and the modelling data
//! set that predicts next month's arrears from it.
//!
//! **The target.** An account is in arrears on a bill when, a set number of days after the
//! bill's due date (30 by default), at least a set amount (100 by default) of it is still
//! unpaid; disputed bills never count. The prediction made at month end T uses only what
//! was known at T — bills issued and payments received by then — and its target is arrears
//! on the bill issued in the month after T. A row is labelled only once every payment
//! that could settle that bill in time has been received: its due date plus the days
//! lie on or before the date payments are complete to (`observed_to`).
//!
//! How payments settle bills is `billing_ledger.rs`.

use std::path::Path;

use chrono::{Datelike, Months, NaiveDate};
use credence_store::{Store, StoredAccount};

use crate::EngineError;
pub use crate::billing_ledger::ArrearsRule;
use crate::billing_ledger::{Bill, Ledger};

/// The month end (or same day) one month after `d`: a month end maps to the next month's
/// end, any other day to the same day of the next month (or that month's last day).
pub(crate) fn next_month(d: NaiveDate) -> NaiveDate {
    months_after(d, 1)
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|n| n.month() != d.month())
}

fn months_after(d: NaiveDate, n: u32) -> NaiveDate {
    let shifted = d.checked_add_months(Months::new(n)).unwrap_or(d);
    if is_month_end(d) { last_day_of_month(shifted) } else { shifted }
}

fn months_before(d: NaiveDate, n: u32) -> NaiveDate {
    let shifted = d.checked_sub_months(Months::new(n)).unwrap_or(d);
    if is_month_end(d) { last_day_of_month(shifted) } else { shifted }
}

fn last_day_of_month(d: NaiveDate) -> NaiveDate {
    let first_next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    first_next.and_then(|f| f.pred_opt()).unwrap_or(d)
}

/// The behaviour features, in data-set order. Amounts are in major units.
pub const FEATURES: [&str; 40] = [
    "tenure_months",
    "bills_12",
    "bill_last",
    "bill_mean_6",
    "bill_mean_12",
    "bill_change_3_12",
    "bill_cv_12",
    "kwh_last",
    "kwh_change_3_12",
    "owed_now",
    "overdue_now",
    "overdue_days_now",
    "overdue_to_bill",
    "arrears_6",
    "arrears_12",
    "arrears_24",
    "longest_arrears_run_24",
    "months_since_arrears",
    "late_days_last",
    "late_days_mean_6",
    "late_days_max_6",
    "late_days_max_12",
    "late_days_trend_6",
    "on_time_share_12",
    "paid_to_billed_3",
    "paid_to_billed_6",
    "paid_last_month",
    "credit_now",
    "limit_use",
    "deposit_cover",
    "status_last",
    "status_max_6",
    "status_mean_6",
    "status_months_6",
    "payments_6",
    "payment_gap_cv_12",
    "disconnections_12",
    "off_now",
    "meter_tamper_24",
    "meter_events_12",
];

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Least-squares slope of `ys` against 0, 1, 2, …; none for fewer than three points.
fn slope(ys: &[f64]) -> Option<f64> {
    if ys.len() < 3 {
        return None;
    }
    let n = ys.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

/// An account's features at `t` (only what was known by then), in [`FEATURES`] order;
/// none when no bill had been issued by `t`.
pub(crate) fn features(
    ledger: &Ledger,
    account: &StoredAccount,
    t: NaiveDate,
    rule: &ArrearsRule,
) -> Option<Vec<Option<f64>>> {
    // A new holder is judged on its own bills and payments only.
    let since = ledger.holder_since(t);
    let issued: Vec<&Bill> =
        ledger.bills.iter().filter(|b| b.issued <= t && since.is_none_or(|s| b.issued >= s)).collect();
    // Payments are the holder's own: from the day it took the account over.
    let paid_from = |months: u32| {
        let from = months_before(t, months);
        since.map_or(from, |s| from.max(s - chrono::Days::new(1)))
    };
    let last = *issued.last()?;
    let unit = last.unit;
    let major = |minor: i64, unit: f64| minor as f64 / unit;
    let within = |months: u32| {
        let from = months_before(t, months);
        issued.iter().copied().filter(move |b| b.issued > from)
    };
    let amounts = |months: u32| within(months).map(|b| major(b.amount, b.unit)).collect::<Vec<_>>();
    let (a3, a6, a12) = (amounts(3), amounts(6), amounts(12));
    let mean12 = mean(&a12);
    let cv12 = mean12.filter(|m| *m > 0.0 && a12.len() >= 2).map(|m| {
        let var = a12.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (a12.len() - 1) as f64;
        var.sqrt() / m
    });
    let kwh = |months: u32| within(months).filter_map(|b| b.kwh).collect::<Vec<_>>();
    let due: Vec<&Bill> = issued.iter().copied().filter(|b| b.due <= t).collect();
    let open_at_t: i64 = issued.iter().map(|b| b.unpaid_at(t)).sum();
    let credit = ledger.credit_at(t);
    let overdue: Vec<&&Bill> = due.iter().filter(|b| !b.disputed && b.due < t).collect();
    let overdue_now: i64 = overdue.iter().map(|b| b.unpaid_at(t)).sum();
    let oldest_overdue = overdue.iter().filter(|b| b.unpaid_at(t) >= rule.min_amount).map(|b| b.due).min();
    // Mature bills (the arrears test can be made at t), by issue date.
    let mature: Vec<(&Bill, bool)> = issued
        .iter()
        .filter(|b| b.mature(rule, t) && b.owed() > 0)
        .map(|b| (*b, b.in_arrears(rule)))
        .collect();
    let arrears_within = |months: u32| {
        let from = months_before(t, months);
        mature.iter().filter(|(b, a)| *a && b.issued > from).count() as f64
    };
    let longest_run = {
        let from = months_before(t, 24);
        let (mut best, mut run) = (0, 0);
        for (_, a) in mature.iter().filter(|(b, _)| b.issued > from) {
            run = if *a { run + 1 } else { 0 };
            best = best.max(run);
        }
        best as f64
    };
    let months_since_arrears = mature.iter().rev().find(|(_, a)| *a).map(|(b, _)| {
        let d = b.due + chrono::Days::new(rule.days_after_due.into());
        ((t - d).num_days().max(0) as f64 / 30.4375).floor()
    });
    let late: Vec<f64> = due.iter().filter(|b| b.owed() > 0).map(|b| b.late_days(t) as f64).collect();
    let late6: &[f64] = &late[late.len().saturating_sub(6)..];
    let late_due_12: Vec<f64> = {
        let from = months_before(t, 12);
        due.iter().filter(|b| b.owed() > 0 && b.due > from).map(|b| b.late_days(t) as f64).collect()
    };
    let on_time_12 = {
        let from = months_before(t, 12);
        let considered: Vec<&&Bill> =
            due.iter().filter(|b| b.owed() > 0 && !b.disputed && b.due > from).collect();
        (!considered.is_empty()).then(|| {
            let on_time = considered.iter().filter(|b| b.settled_on().is_some_and(|d| d <= b.due)).count();
            on_time as f64 / considered.len() as f64
        })
    };
    let paid_within = |months: u32| {
        let from = paid_from(months);
        // Folded from +0 (an empty `sum` of floats is -0).
        ledger
            .payments
            .iter()
            .filter(|(d, _, _)| *d > from && *d <= t)
            .fold(0.0, |s, (_, a, u)| s + major(*a, *u))
    };
    let billed_within = |xs: &[f64]| xs.iter().filter(|x| **x > 0.0).fold(0.0, |s, x| s + x);
    let status6: Vec<f64> = within(6).filter_map(|b| b.status).map(|s| s as f64).collect();
    let owed_now = major(open_at_t - credit, unit);
    let tenure = account
        .opened
        .map(|o| o.max(since.unwrap_or(o)))
        .map(|o| ((t - o).num_days().max(0) as f64 / 30.4375).floor());
    // Top-up regularity: the spread of the days between payments in the last 12 months.
    let gap_cv = {
        let from = paid_from(12);
        let days: Vec<NaiveDate> =
            ledger.payments.iter().map(|p| p.0).filter(|d| *d > from && *d <= t).collect();
        let gaps: Vec<f64> = days.windows(2).map(|w| (w[1] - w[0]).num_days() as f64).collect();
        mean(&gaps).filter(|m| *m > 0.0 && gaps.len() >= 2).map(|m| {
            let var = gaps.iter().map(|g| (g - m).powi(2)).sum::<f64>() / (gaps.len() - 1) as f64;
            var.sqrt() / m
        })
    };
    let payments_6 = {
        let from = paid_from(6);
        ledger.payments.iter().filter(|p| p.0 > from && p.0 <= t).count() as f64
    };
    let cuts_12 = {
        let from = months_before(t, 12);
        ledger.cuts.iter().filter(|c| c.arrears && c.on > from && c.on <= t).count() as f64
    };
    let off_now = ledger.cuts.iter().any(|c| c.on <= t && c.back.is_none_or(|b| b > t));
    let meter_within = |months: u32, tamper_only: bool| {
        let from = months_before(t, months);
        ledger.meter.iter().filter(|(d, tamper)| *d > from && *d <= t && (*tamper || !tamper_only)).count()
            as f64
    };
    Some(vec![
        tenure,
        Some(within(12).count() as f64),
        Some(major(last.amount, last.unit)),
        mean(&a6),
        mean12,
        ratio(mean(&a3), mean12),
        cv12,
        last.kwh,
        ratio(mean(&kwh(3)), mean(&kwh(12))),
        Some(owed_now),
        Some(major(overdue_now, unit)),
        Some(oldest_overdue.map_or(0.0, |d| (t - d).num_days() as f64)),
        ratio(Some(major(overdue_now, unit)), mean12),
        Some(arrears_within(6)),
        Some(arrears_within(12)),
        Some(arrears_within(24)),
        Some(longest_run),
        months_since_arrears,
        late.last().copied(),
        mean(late6),
        late6.iter().copied().reduce(f64::max),
        late_due_12.iter().copied().reduce(f64::max),
        slope(late6),
        on_time_12,
        ratio(Some(paid_within(3)), Some(billed_within(&a3))),
        ratio(Some(paid_within(6)), Some(billed_within(&a6))),
        Some(paid_within(1)),
        Some(major(credit, unit)),
        account.credit_limit.and_then(|l| ratio(Some(owed_now), Some(major(l, unit)))),
        account.deposit.and_then(|d| ratio(Some(major(d, unit)), mean12)),
        last.status.map(|s| s as f64),
        status6.iter().copied().reduce(f64::max),
        mean(&status6),
        (!status6.is_empty()).then(|| status6.iter().filter(|s| **s >= 1.0).count() as f64),
        Some(payments_6),
        gap_cv,
        Some(cuts_12),
        Some(f64::from(u8::from(off_now))),
        Some(meter_within(24, true)),
        Some(meter_within(12, false)),
    ])
}

/// The target of a prediction made at `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Whether the account fell into arrears on a bill issued in the month after `t`.
    Known(bool),
    /// No undisputed bill with something to pay was issued in the month after `t`.
    NoBill,
    /// The bill's arrears test lies after the date payments are complete to.
    NotYet,
}

/// What became of the bills issued in the month after `t`.
pub(crate) struct NextBill {
    /// Whether any of them fell into arrears.
    pub arrears: bool,
    /// The last of their arrears tests (due date + days): the label is known from then.
    pub known_on: NaiveDate,
    /// What was unpaid on them at their tests, in major units.
    pub unpaid: f64,
}

/// The undisputed bills with something to pay issued in the month after `t`, if any.
pub(crate) fn next_bill(ledger: &Ledger, t: NaiveDate, rule: &ArrearsRule) -> Option<NextBill> {
    let end = next_month(t);
    let next: Vec<&Bill> = ledger
        .bills
        .iter()
        .filter(|b| b.issued > t && b.issued <= end && b.owed() > 0 && !b.disputed)
        .collect();
    let tested = |b: &Bill| b.due + chrono::Days::new(rule.days_after_due.into());
    let known_on = next.iter().map(|b| tested(b)).max()?;
    Some(NextBill {
        arrears: next.iter().any(|b| b.in_arrears(rule)),
        known_on,
        unpaid: next.iter().map(|b| b.unpaid_at(tested(b)) as f64 / b.unit).fold(0.0, |s, x| s + x),
    })
}

pub(crate) fn target(ledger: &Ledger, t: NaiveDate, rule: &ArrearsRule, observed_to: NaiveDate) -> Target {
    match next_bill(ledger, t, rule) {
        None => Target::NoBill,
        Some(n) if n.known_on > observed_to => Target::NotYet,
        Some(n) => Target::Known(n.arrears),
    }
}

/// Whether the account was open at `t`: opened by then and not yet closed.
pub(crate) fn open_on(account: &StoredAccount, t: NaiveDate) -> bool {
    account.opened.is_none_or(|o| o <= t) && account.closed.is_none_or(|c| c > t)
}

/// What a billing data set run is asked for.
#[derive(Debug, Clone)]
pub struct BillingDatasetOptions {
    /// The latest month end a prediction is made at.
    pub as_of: NaiveDate,
    /// Predictions are made at this many month ends up to `as_of` (one row per account and
    /// date; at least one).
    pub months: u32,
    pub rule: ArrearsRule,
    /// Payments are complete to this date: later arrears tests are not made.
    pub observed_to: NaiveDate,
    /// Also write rows whose target is not known yet (empty target), to score them.
    pub unlabelled: bool,
}

/// What a billing data set run wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillingDataset {
    pub as_of: Vec<NaiveDate>,
    pub rule: ArrearsRule,
    pub observed_to: NaiveDate,
    pub target: String,
    pub accounts: u64,
    pub rows: u64,
    /// Rows whose target is arrears.
    pub events: u64,
    /// Account-dates left out: no bill issued by the date, none in the month after it, or
    /// (without `unlabelled`) a target not known yet.
    pub no_history: u64,
    pub no_next_bill: u64,
    pub not_yet_known: u64,
    pub features: Vec<String>,
}

/// The target column.
pub const TARGET: &str = "arrears_next_month";

/// Writes the next-month arrears data set of every stored billing account to a CSV file:
/// `account_id`, `as_of` when there is more than one date, `account_class`, `settlement`,
/// the [`FEATURES`], and the target (1 arrears, 0 not, empty when not known yet).
pub fn write_billing_dataset(
    store: &mut Store,
    options: &BillingDatasetOptions,
    path: &Path,
) -> Result<BillingDataset, EngineError> {
    let dates = month_ends(options.as_of, options.months);
    let io = |source| EngineError::Io { path: path.display().to_string(), source };
    let csv_err = |source| EngineError::Csv { path: path.display().to_string(), source };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let dated = dates.len() > 1;
    let mut header = vec!["account_id"];
    if dated {
        header.push("as_of");
    }
    header.extend(["account_class", "settlement"]);
    header.extend(FEATURES);
    header.push(TARGET);
    out.write_record(&header).map_err(csv_err)?;
    let mut report = BillingDataset {
        as_of: dates.clone(),
        rule: options.rule,
        observed_to: options.observed_to,
        target: TARGET.into(),
        accounts: 0,
        rows: 0,
        events: 0,
        no_history: 0,
        no_next_bill: 0,
        not_yet_known: 0,
        features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
    };
    let mut failure: Option<EngineError> = None;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    store.for_each_account_ledger(|stored| {
        report.accounts += 1;
        let ledger = Ledger::of(&stored);
        let a = &stored.account;
        for &t in &dates {
            if !open_on(a, t) {
                report.no_history += 1;
                continue;
            }
            let label = match target(&ledger, t, &options.rule, options.observed_to) {
                Target::Known(b) => Some(b),
                Target::NoBill => {
                    report.no_next_bill += 1;
                    continue;
                }
                Target::NotYet if options.unlabelled => None,
                Target::NotYet => {
                    report.not_yet_known += 1;
                    continue;
                }
            };
            let Some(values) = features(&ledger, a, t, &options.rule) else {
                report.no_history += 1;
                continue;
            };
            row.clear();
            row.push(a.account_id.clone());
            if dated {
                row.push(t.to_string());
            }
            row.push(a.account_class.clone());
            row.push(a.settlement.clone());
            row.extend(
                values.iter().map(|v| v.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default()),
            );
            row.push(label.map_or(String::new(), |b| u8::from(b).to_string()));
            if let Err(e) = out.write_record(&row) {
                failure.get_or_insert(csv_err(e));
            }
            report.rows += 1;
            report.events += u64::from(label == Some(true));
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    out.flush().map_err(io)?;
    Ok(report)
}

/// `n` month ends (or same days of the month) ending at `t`, oldest first.
pub fn month_ends(t: NaiveDate, n: u32) -> Vec<NaiveDate> {
    (0..n.max(1)).rev().map(|k| months_before(t, k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_store::{AccountLedger, StoredBill, StoredBillPayment};

    /// Major units of CNY in minor units.
    fn cny(major: i64) -> i64 {
        major * 100
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn account() -> StoredAccount {
        StoredAccount {
            account_id: "A1".into(),
            customer_id: None,
            account_class: "non_residential".into(),
            settlement: "postpaid".into(),
            billing_cycle: None,
            supply_unit: "FZ-01".into(),
            route: None,
            credit_limit: Some(cny(640)),
            deposit: Some(cny(285)),
            opened: Some(d("2026-01-01")),
            closed: None,
        }
    }

    fn bill(id: &str, issued: &str, due: &str, amount: i64) -> StoredBill {
        StoredBill {
            bill_id: id.into(),
            issued: d(issued),
            due: d(due),
            amount,
            currency: "CNY".into(),
            consumption_kwh: None,
            arrears_months: None,
            disputed: false,
        }
    }

    fn paid(on: &str, amount: i64, bill: Option<&str>) -> StoredBillPayment {
        StoredBillPayment { paid: d(on), amount, currency: "CNY".into(), bill_id: bill.map(str::to_owned) }
    }

    /// Bills of 100, 200, 150, 120 and 80 issued at the ends of January … May, due on the
    /// 20th of the next month; 100 paid on 15 February (January's bill, on time), 150 on
    /// account on 25 April and 300 on account on 10 May.
    fn book() -> AccountLedger {
        AccountLedger {
            account: account(),
            bills: vec![
                bill("B01", "2026-01-31", "2026-02-20", cny(100)),
                bill("B02", "2026-02-28", "2026-03-20", cny(200)),
                bill("B03", "2026-03-31", "2026-04-20", cny(150)),
                bill("B04", "2026-04-30", "2026-05-20", cny(120)),
                bill("B05", "2026-05-31", "2026-06-20", cny(80)),
            ],
            payments: vec![
                paid("2026-05-10", cny(300), None),
                paid("2026-02-15", cny(100), None),
                paid("2026-04-25", cny(150), None),
            ],
            disconnections: vec![],
            meter_events: vec![],
            holder_changes: vec![],
        }
    }

    fn feature(values: &[Option<f64>], name: &str) -> Option<f64> {
        values[FEATURES.iter().position(|f| *f == name).unwrap()]
    }

    /// At 30 April, by hand: January's bill was settled on 15 February; the 150 of 25 April
    /// went to February's (first in, first out), which still owes 50; March's 150 and
    /// April's 120 are open. Owed 320; overdue 200 (February 50, March 150); the oldest
    /// overdue bill owing at least 100 is March's, due 20 April: 10 days. February's bill
    /// is the one mature bill in arrears (200 unpaid on 19 April, its due date + 30 days);
    /// March's is not mature until 20 May. Late days of the bills due: January 0, February
    /// 41 (open since 20 March), March 10: mean 17, max 41, slope 5 ((−1·−17 + 1·−7) / 2).
    /// One of three bills due was paid on time. Paid in the last three months 250 against
    /// 470 billed (February–April), in six 250 against 570; in the last month 150.
    /// Mean bill 142.5; last three months 156.67: change 1.0994. Limit use 320 / 640;
    /// deposit cover 285 / 142.5.
    #[test]
    fn features_at_a_month_end_follow_the_hand_calculation() {
        let ledger = Ledger::of(&book());
        let rule = ArrearsRule::default();
        let f = features(&ledger, &account(), d("2026-04-30"), &rule).unwrap();
        let close = |name: &str, want: f64| {
            let got = feature(&f, name).unwrap_or_else(|| panic!("{name} is missing"));
            assert!((got - want).abs() < 1e-9, "{name}: {got} against {want}");
        };
        close("tenure_months", 3.0);
        close("bills_12", 4.0);
        close("bill_last", 120.0);
        close("bill_mean_12", 142.5);
        close("bill_change_3_12", (470.0 / 3.0) / 142.5);
        close("owed_now", 320.0);
        close("overdue_now", 200.0);
        close("overdue_days_now", 10.0);
        close("arrears_6", 1.0);
        close("longest_arrears_run_24", 1.0);
        close("months_since_arrears", 0.0);
        close("late_days_last", 10.0);
        close("late_days_mean_6", 17.0);
        close("late_days_max_6", 41.0);
        close("late_days_trend_6", 5.0);
        close("on_time_share_12", 1.0 / 3.0);
        close("paid_to_billed_3", 250.0 / 470.0);
        close("paid_to_billed_6", 250.0 / 570.0);
        close("paid_last_month", 150.0);
        close("credit_now", 0.0);
        close("limit_use", 0.5);
        close("deposit_cover", 2.0);
        assert_eq!(feature(&f, "kwh_last"), None);
        assert_eq!(feature(&f, "status_last"), None);
        // Before the first bill there is nothing to say.
        assert_eq!(features(&ledger, &account(), d("2026-01-30"), &rule), None);
    }

    /// A change of holder on 1 April (by hand). The 150 paid on account on 25 April is the
    /// new holder's: it settles none of the earlier bills (February's 200 and March's 150
    /// stay open, the previous holder's) and waits as credit; April's 120 takes 120 of it
    /// at issue, the 300 of 10 May is credit too, and May's 80 takes 80 at issue: 250 of
    /// credit at 31 May. The new holder is judged on April's and May's bills only, both
    /// paid at issue; its tenure runs from 1 April (60 days: 1 month); its payments in six
    /// months are the two since. Who held the account: the previous customer until
    /// 31 March, the new one from 1 April.
    #[test]
    fn a_new_holder_answers_for_its_own_bills_only() {
        let mut book = book();
        book.account.customer_id = Some("NEW".into());
        book.holder_changes = vec![credence_store::StoredHolderChange {
            change_type: "transfer".into(),
            date: d("2026-04-01"),
            previous_customer_id: Some("OLD".into()),
            new_customer_id: None,
        }];
        let ledger = Ledger::of(&book);
        assert_eq!(ledger.bills[1].unpaid_at(d("2026-05-31")), cny(200));
        assert_eq!(ledger.bills[2].unpaid_at(d("2026-05-31")), cny(150));
        assert_eq!(ledger.bills[3].settled_on(), Some(d("2026-04-30")));
        assert_eq!(ledger.credit_at(d("2026-05-31")), cny(250));
        let f = features(&ledger, &book.account, d("2026-05-31"), &ArrearsRule::default()).unwrap();
        assert_eq!(feature(&f, "bills_12"), Some(2.0));
        assert_eq!(feature(&f, "overdue_now"), Some(0.0));
        assert_eq!(feature(&f, "owed_now"), Some(-250.0));
        assert_eq!(feature(&f, "tenure_months"), Some(1.0));
        assert_eq!(feature(&f, "payments_6"), Some(2.0));
        assert_eq!(feature(&f, "arrears_12"), Some(0.0));
        assert_eq!(book.holder_on(d("2026-03-31")), Some("OLD"));
        assert_eq!(book.holder_on(d("2026-04-01")), Some("NEW"));
        // A bankruptcy on 1 May: money after it settles only the bills issued since.
        book.holder_changes[0].change_type = "bankruptcy".into();
        book.holder_changes[0].date = d("2026-05-01");
        let ledger = Ledger::of(&book);
        assert_eq!(ledger.bankrupt_since(d("2026-05-31")), Some(d("2026-05-01")));
        // The 300 of 10 May passes the pre-bankruptcy bills by and settles May's at issue.
        assert_eq!(ledger.bills[4].settled_on(), Some(d("2026-05-31")));
        assert!(!ledger.current_at(&ledger.bills[3], d("2026-05-31")));
        assert!(ledger.current_at(&ledger.bills[4], d("2026-05-31")));
    }

    /// Supply events and payment regularity at 31 May, by hand. Payments on 15 February,
    /// 25 April and 10 May: 3 in six months; gaps of 69 and 15 days, mean 42, sample
    /// standard deviation √((27² + 27²) / 1) = 38.18, spread 0.9091. An arrears cut on
    /// 10 April reconnected on 12 April counts once; a safety cut on 20 May still open
    /// leaves the supply off but is not an arrears disconnection. Tampering on
    /// 15 January 2025 lies within 24 months; the fault of 1 March 2026 is the only meter
    /// event of the last 12.
    #[test]
    fn supply_events_and_payment_regularity() {
        let mut book = book();
        let cut =
            |id: &str, reason: &str, at: &str, back: Option<&str>| credence_store::StoredDisconnection {
                disconnection_id: id.into(),
                reason: reason.into(),
                notice_date: None,
                disconnected_at: at.into(),
                cleared_at: None,
                reconnected_at: back.map(str::to_owned),
            };
        book.disconnections = vec![
            cut("D1", "arrears", "2026-04-10 09:00", Some("2026-04-12 10:00")),
            cut("D2", "safety", "2026-05-20 14:00", None),
        ];
        book.meter_events = vec![
            credence_store::StoredMeterEvent { event_type: "tamper".into(), date: d("2025-01-15") },
            credence_store::StoredMeterEvent { event_type: "fault".into(), date: d("2026-03-01") },
        ];
        let ledger = Ledger::of(&book);
        let rule = ArrearsRule::default();
        let f = features(&ledger, &account(), d("2026-05-31"), &rule).unwrap();
        assert_eq!(feature(&f, "payments_6"), Some(3.0));
        let cv = feature(&f, "payment_gap_cv_12").unwrap();
        assert!((cv - 1458f64.sqrt() / 42.0).abs() < 1e-12, "{cv}");
        assert_eq!(feature(&f, "disconnections_12"), Some(1.0));
        assert_eq!(feature(&f, "off_now"), Some(1.0));
        assert_eq!(feature(&f, "meter_tamper_24"), Some(1.0));
        assert_eq!(feature(&f, "meter_events_12"), Some(1.0));
        let at =
            |day: &str, name: &str| feature(&features(&ledger, &account(), d(day), &rule).unwrap(), name);
        assert_eq!(at("2026-04-11", "off_now"), Some(1.0));
        assert_eq!(at("2026-04-30", "off_now"), Some(0.0));
        // Two payments give one gap: no spread.
        assert_eq!(at("2026-04-30", "payment_gap_cv_12"), None);
    }

    /// May's bill of 80 is the target of 30 April. The 300 of 10 May settles February's 50,
    /// March's 150 and 100 of April's, and nothing is left for May's: 80 is unpaid on
    /// 20 July, below the 100 that counts, so no arrears; with 50 counting, arrears. Before
    /// 20 July the answer is not known; after May there is no next bill.
    #[test]
    fn the_target_is_arrears_on_the_next_months_bill_once_it_can_be_known() {
        let ledger = Ledger::of(&book());
        let t = d("2026-04-30");
        let rule = ArrearsRule::default();
        assert_eq!(target(&ledger, t, &rule, d("2026-07-20")), Target::Known(false));
        let strict = ArrearsRule { min_amount: cny(50), ..rule };
        assert_eq!(target(&ledger, t, &strict, d("2026-07-20")), Target::Known(true));
        assert_eq!(target(&ledger, t, &rule, d("2026-07-19")), Target::NotYet);
        assert_eq!(target(&ledger, d("2026-05-31"), &rule, d("2027-01-01")), Target::NoBill);
        // At 31 May April's bill still owes 20 and May's 80: 100 owed, none overdue
        // beyond the minimum.
        let f = features(&ledger, &account(), d("2026-05-31"), &rule).unwrap();
        assert_eq!(feature(&f, "owed_now"), Some(100.0));
        assert_eq!(feature(&f, "overdue_now"), Some(20.0));
        assert_eq!(feature(&f, "overdue_days_now"), Some(0.0));
    }

    /// A payment naming a bill settles it before older ones; money before any bill is
    /// credit that settles the next bill at issue; a correction bill adds credit; a
    /// disputed bill is neither settled on account nor counted as arrears.
    #[test]
    fn named_payments_credit_corrections_and_disputes() {
        let mut book = AccountLedger {
            account: account(),
            bills: vec![
                bill("B01", "2026-01-31", "2026-02-20", cny(100)),
                bill("B02", "2026-02-28", "2026-03-20", cny(200)),
                bill("B03", "2026-03-31", "2026-04-20", -cny(30)),
            ],
            payments: vec![paid("2026-01-10", cny(40), None), paid("2026-03-10", cny(200), Some("B02"))],
            disconnections: vec![],
            meter_events: vec![],
            holder_changes: vec![],
        };
        let ledger = Ledger::of(&book);
        // 40 of credit settled 40 of January's bill at issue; February's was paid by name,
        // January's 60 stays open; March's correction of 30 settles 30 of it.
        assert_eq!(ledger.bills[0].unpaid_at(d("2026-03-30")), cny(60));
        assert_eq!(ledger.bills[1].settled_on(), Some(d("2026-03-10")));
        assert_eq!(ledger.bills[0].unpaid_at(d("2026-03-31")), cny(30));
        assert_eq!(ledger.credit_at(d("2026-01-31")), 0);
        let f = features(&ledger, &account(), d("2026-03-31"), &ArrearsRule::default()).unwrap();
        assert_eq!(feature(&f, "owed_now"), Some(30.0));
        // January's bill owed 60 on 22 March (due + 30): not arrears at 100, arrears at 50.
        assert!(!ledger.bills[0].in_arrears(&ArrearsRule::default()));
        assert!(ledger.bills[0].in_arrears(&ArrearsRule { min_amount: cny(50), ..ArrearsRule::default() }));
        // Disputed, it is not arrears whatever is unpaid, and money on account passes it by.
        book.bills[0].disputed = true;
        book.payments.push(paid("2026-04-01", cny(50), None));
        let ledger = Ledger::of(&book);
        assert!(!ledger.bills[0].in_arrears(&ArrearsRule { min_amount: 1, ..ArrearsRule::default() }));
        assert_eq!(ledger.bills[0].unpaid_at(d("2026-04-30")), cny(100));
        assert_eq!(ledger.credit_at(d("2026-04-30")), cny(40) + cny(30) + cny(50));
    }

    #[test]
    fn month_ends_step_back_a_month_at_a_time() {
        assert_eq!(month_ends(d("2026-03-31"), 3), [d("2026-01-31"), d("2026-02-28"), d("2026-03-31")]);
        assert_eq!(next_month(d("2026-01-31")), d("2026-02-28"));
        assert_eq!(next_month(d("2026-02-28")), d("2026-03-31"));
        assert_eq!(next_month(d("2026-01-15")), d("2026-02-15"));
        assert_eq!(month_ends(d("2026-03-31"), 0), [d("2026-03-31")]);
    }
}
