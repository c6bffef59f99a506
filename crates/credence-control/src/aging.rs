//! Receivables aging (CTRL-9): the open items of a customer's ledger at a date, their
//! buckets by days overdue and by age, and roll-ups by customer, group, business line and
//! portfolio.
//!
//! # Open items at a date
//!
//! Only invoices issued and payments and credit notes dated on or before the date count.
//! 1. A credit note or a payment that names an invoice reduces that invoice (payments in
//!    date order; the result does not depend on the order). What exceeds the invoice's open
//!    amount, and a credit note or payment naming an invoice that is not in the ledger
//!    (counted in [`OpenItems::unmatched`]), joins the payments on account.
//! 2. Payments on account are applied to the open invoices with the oldest due date first
//!    (then the oldest issue date, then ledger order), as collectors do.
//! 3. What is left of them is [`OpenItems::unapplied`]: cash on the account that reduces
//!    the customer's net receivables but no invoice.
//!
//! This is the rule of the indicator library's ledger, except that an overpayment of one
//! invoice is not lost but goes on account.
//!
//! # Buckets
//!
//! Days overdue = date − due date (due today: 0 days, current); buckets current, 1–30,
//! 31–60, 61–90 and over 90 days. Age = from the issue date, in calendar years counted
//! back from the date with the day clamped to the month's end: an invoice is under a year
//! old when issued after the date one year earlier (as of 2025-02-28 that is 2024-02-28,
//! so an invoice of 2024-02-29 is under a year old on 2025-02-28 and 1–2 years old from
//! 2025-03-01), 1–2 years when issued after the date two years earlier, and so on.
//!
//! Every amount is minor units of one currency (the caller converts); a roll-up adds
//! profiles, so the same code serves a customer, a group, a business line and the
//! portfolio. Computing a profile allocates nothing once the [`OpenItems`] buffers have
//! grown to the largest customer.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use credence_domain::Currency;
use serde::{Deserialize, Serialize};

use crate::dates::{day, months_back};
use crate::labels::OverdueBucket;
use crate::metrics::{Dso, dso_count_back};

/// An invoice of the ledger; amounts in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInvoice {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: i64,
}

/// A payment; `invoice_no` is `None` for a payment on account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPayment {
    pub invoice_no: Option<String>,
    pub date: NaiveDate,
    pub amount: i64,
}

/// A credit note against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerCreditNote {
    pub invoice_no: String,
    pub date: NaiveDate,
    pub amount: i64,
}

/// One customer's receivables ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub invoices: Vec<LedgerInvoice>,
    pub payments: Vec<LedgerPayment>,
    pub credit_notes: Vec<LedgerCreditNote>,
}

/// An invoice with an open amount at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenItem {
    /// Position of the invoice in [`Ledger::invoices`].
    pub invoice: u32,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Minor units, above zero.
    pub open: i64,
}

/// An open invoice by number, as the exposure book keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenReceivable {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Minor units, above zero.
    pub open: i64,
}

/// The open items of a ledger at a date, oldest due first. Reusable: [`OpenItems::compute`]
/// keeps the buffers' capacity.
#[derive(Debug, Clone, Default)]
pub struct OpenItems {
    pub as_of: Option<NaiveDate>,
    /// Ascending by due date, then issue date, then ledger position.
    pub items: Vec<OpenItem>,
    /// Cash on account left after every open invoice is paid (minor units, ≥ 0).
    pub unapplied: i64,
    /// Payments and credit notes naming an invoice that is not in the ledger.
    pub unmatched: u32,
    open: Vec<i64>,
    by_number: Vec<u32>,
    by_due: Vec<u32>,
}

impl OpenItems {
    /// The open items of `ledger` at `as_of`.
    pub fn of(ledger: &Ledger, as_of: NaiveDate) -> OpenItems {
        let mut o = OpenItems::default();
        o.compute(ledger, as_of);
        o
    }

    /// Recomputes in place for another ledger or date.
    pub fn compute(&mut self, ledger: &Ledger, as_of: NaiveDate) {
        let inv = &ledger.invoices;
        self.as_of = Some(as_of);
        self.items.clear();
        self.unapplied = 0;
        self.unmatched = 0;
        self.open.clear();
        self.open.extend(inv.iter().map(|i| if i.issue_date <= as_of { i.amount } else { 0 }));
        let mut pool: i64 = 0;
        let mut indexed = false;
        let mut find = |no: &str, by_number: &mut Vec<u32>| -> Option<usize> {
            if !indexed {
                by_number.clear();
                by_number.extend(0..inv.len() as u32);
                // Stable: with duplicate numbers the first invoice is the one paid.
                by_number.sort_by(|&a, &b| inv[a as usize].invoice_no.cmp(&inv[b as usize].invoice_no));
                indexed = true;
            }
            let k = by_number.partition_point(|&i| inv[i as usize].invoice_no.as_str() < no);
            by_number
                .get(k)
                .map(|&i| i as usize)
                .filter(|&i| inv[i].invoice_no == no && inv[i].issue_date <= as_of)
        };
        let notes = ledger
            .credit_notes
            .iter()
            .filter(|c| c.date <= as_of)
            .map(|c| (Some(c.invoice_no.as_str()), c.amount));
        let payments =
            ledger.payments.iter().filter(|p| p.date <= as_of).map(|p| (p.invoice_no.as_deref(), p.amount));
        for (no, amount) in notes.chain(payments) {
            match no {
                None => pool += amount,
                Some(no) => match find(no, &mut self.by_number) {
                    Some(i) => {
                        let take = amount.min(self.open[i]);
                        self.open[i] -= take;
                        pool += amount - take;
                    }
                    None => {
                        self.unmatched += 1;
                        pool += amount;
                    }
                },
            }
        }
        self.by_due.clear();
        self.by_due.extend((0..inv.len() as u32).filter(|&i| self.open[i as usize] > 0));
        self.by_due.sort_by_key(|&i| (inv[i as usize].due_date, inv[i as usize].issue_date, i));
        for &i in &self.by_due {
            let i = i as usize;
            if pool > 0 {
                let take = pool.min(self.open[i]);
                self.open[i] -= take;
                pool -= take;
            }
            if self.open[i] > 0 {
                let x = &inv[i];
                self.items.push(OpenItem {
                    invoice: i as u32,
                    issue_date: x.issue_date,
                    due_date: x.due_date,
                    open: self.open[i],
                });
            }
        }
        self.unapplied = pool.max(0);
    }

    /// Sum of the open items.
    pub fn open_total(&self) -> i64 {
        self.items.iter().map(|i| i.open).sum()
    }

    /// The open items with their invoice numbers.
    pub fn receivables(&self, ledger: &Ledger) -> Vec<OpenReceivable> {
        self.items
            .iter()
            .map(|i| OpenReceivable {
                invoice_no: ledger.invoices[i.invoice as usize].invoice_no.clone(),
                issue_date: i.issue_date,
                due_date: i.due_date,
                open: i.open,
            })
            .collect()
    }
}

/// Open amounts by days overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OverdueBuckets {
    pub current: i64,
    pub days_1_30: i64,
    pub days_31_60: i64,
    pub days_61_90: i64,
    pub over_90: i64,
}

impl OverdueBuckets {
    pub fn get(&self, b: OverdueBucket) -> i64 {
        match b {
            OverdueBucket::Current => self.current,
            OverdueBucket::Days1To30 => self.days_1_30,
            OverdueBucket::Days31To60 => self.days_31_60,
            OverdueBucket::Days61To90 => self.days_61_90,
            OverdueBucket::Over90 => self.over_90,
        }
    }

    fn get_mut(&mut self, b: OverdueBucket) -> &mut i64 {
        match b {
            OverdueBucket::Current => &mut self.current,
            OverdueBucket::Days1To30 => &mut self.days_1_30,
            OverdueBucket::Days31To60 => &mut self.days_31_60,
            OverdueBucket::Days61To90 => &mut self.days_61_90,
            OverdueBucket::Over90 => &mut self.over_90,
        }
    }

    /// Everything past due.
    pub fn overdue(&self) -> i64 {
        self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90
    }
}

/// Open amounts by age since issue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgeBands {
    pub under_1y: i64,
    pub years_1_2: i64,
    pub years_2_3: i64,
    pub over_3y: i64,
}

/// Number of calendar months of credit sales kept for DSO: the month of the date (to the
/// date) and the eleven before it.
pub const SALES_MONTHS: usize = 12;

/// The aging of one customer or of a roll-up at a date. Amounts in minor units; profiles
/// add up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgingProfile {
    /// Sum of open items.
    pub open: i64,
    /// Cash on account not applied to any invoice.
    pub unapplied: i64,
    pub overdue: OverdueBuckets,
    pub age: AgeBands,
    pub items: u64,
    pub overdue_items: u64,
    /// Days overdue of the oldest overdue item (0 when none).
    pub oldest_overdue_days: i64,
    /// Open more than 180 days past due: the bad-debt proxy of the indicator catalogue (the
    /// ledger records no write-offs).
    pub over_180: i64,
    /// Invoiced in the twelve months to the date (after the date one year earlier).
    pub invoiced_12m: i64,
    /// Credit sales (invoices issued) by calendar month, newest first: `[0]` is the month
    /// of the date up to the date.
    pub sales_by_month: [i64; SALES_MONTHS],
}

impl AgingProfile {
    /// Open items less unapplied cash.
    pub fn net_receivables(&self) -> i64 {
        self.open - self.unapplied
    }

    /// Adds another profile (a roll-up).
    pub fn add(&mut self, o: &AgingProfile) {
        self.open += o.open;
        self.unapplied += o.unapplied;
        let (a, b) = (&mut self.overdue, &o.overdue);
        a.current += b.current;
        a.days_1_30 += b.days_1_30;
        a.days_31_60 += b.days_31_60;
        a.days_61_90 += b.days_61_90;
        a.over_90 += b.over_90;
        let (a, b) = (&mut self.age, &o.age);
        a.under_1y += b.under_1y;
        a.years_1_2 += b.years_1_2;
        a.years_2_3 += b.years_2_3;
        a.over_3y += b.over_3y;
        self.items += o.items;
        self.overdue_items += o.overdue_items;
        self.oldest_overdue_days = self.oldest_overdue_days.max(o.oldest_overdue_days);
        self.over_180 += o.over_180;
        self.invoiced_12m += o.invoiced_12m;
        for (s, t) in self.sales_by_month.iter_mut().zip(&o.sales_by_month) {
            *s += t;
        }
    }

    /// Overdue as a percentage of open items; `None` when nothing is open.
    pub fn overdue_rate_pct(&self) -> Option<f64> {
        (self.open > 0).then(|| self.overdue.overdue() as f64 / self.open as f64 * 100.0)
    }

    /// Open more than 180 days past due as a percentage of the amount invoiced in the
    /// twelve months to the date (the catalogue's `bad_debt_rate`); `None` when nothing was
    /// invoiced.
    pub fn bad_debt_rate_pct(&self) -> Option<f64> {
        (self.invoiced_12m > 0).then(|| self.over_180 as f64 / self.invoiced_12m as f64 * 100.0)
    }
}

/// The dates an aging run compares with, computed once per run.
#[derive(Debug, Clone, Copy)]
pub struct AgingDates {
    pub as_of: NaiveDate,
    day: i32,
    /// Issued after these days: under 1, 2 and 3 years old.
    after_1y: i32,
    after_2y: i32,
    after_3y: i32,
    /// `year × 12 + month` of the date.
    month: i32,
    /// Days of each month of `sales_by_month` counted for DSO.
    month_days: [u32; SALES_MONTHS],
}

impl AgingDates {
    pub fn new(as_of: NaiveDate) -> AgingDates {
        let mut month_days = [0; SALES_MONTHS];
        month_days[0] = as_of.day();
        let mut first = as_of.with_day(1).expect("day 1 exists");
        for d in month_days.iter_mut().skip(1) {
            let prev_last = first.pred_opt().expect("dates far from the minimum");
            *d = prev_last.day();
            first = prev_last.with_day(1).expect("day 1 exists");
        }
        AgingDates {
            as_of,
            day: day(as_of),
            after_1y: day(months_back(as_of, 12)),
            after_2y: day(months_back(as_of, 24)),
            after_3y: day(months_back(as_of, 36)),
            month: as_of.year() * 12 + as_of.month0() as i32,
            month_days,
        }
    }

    /// Days counted for each month of [`AgingProfile::sales_by_month`]: the day of the date
    /// for the first, the month's length for the others.
    pub fn month_days(&self) -> &[u32; SALES_MONTHS] {
        &self.month_days
    }

    fn add_item(&self, p: &mut AgingProfile, issue: NaiveDate, due: NaiveDate, open: i64) {
        let overdue = i64::from(self.day - day(due));
        let bucket = OverdueBucket::of_days(overdue);
        *p.overdue.get_mut(bucket) += open;
        p.items += 1;
        if overdue > 0 {
            p.overdue_items += 1;
            p.oldest_overdue_days = p.oldest_overdue_days.max(overdue);
            if overdue > 180 {
                p.over_180 += open;
            }
        }
        let issued = day(issue);
        let band = if issued > self.after_1y {
            &mut p.age.under_1y
        } else if issued > self.after_2y {
            &mut p.age.years_1_2
        } else if issued > self.after_3y {
            &mut p.age.years_2_3
        } else {
            &mut p.age.over_3y
        };
        *band += open;
        p.open += open;
    }

    fn add_sale(&self, p: &mut AgingProfile, issue: NaiveDate, amount: i64) {
        let issued = day(issue);
        if issued > self.day {
            return;
        }
        if issued > self.after_1y {
            p.invoiced_12m += amount;
        }
        let back = self.month - (issue.year() * 12 + issue.month0() as i32);
        if (0..SALES_MONTHS as i32).contains(&back) {
            p.sales_by_month[back as usize] += amount;
        }
    }

    /// The profile of a ledger whose open items at this date are `open`.
    pub fn profile(&self, ledger: &Ledger, open: &OpenItems) -> AgingProfile {
        let mut p = AgingProfile::default();
        for i in &open.items {
            self.add_item(&mut p, i.issue_date, i.due_date, i.open);
        }
        p.unapplied = open.unapplied;
        for i in &ledger.invoices {
            self.add_sale(&mut p, i.issue_date, i.amount);
        }
        p
    }

    /// The profile of open receivables alone (no sales history: DSO and bad-debt rate stay
    /// empty).
    pub fn profile_of_receivables(&self, items: &[OpenReceivable], unapplied: i64) -> AgingProfile {
        let mut p = AgingProfile::default();
        for i in items {
            self.add_item(&mut p, i.issue_date, i.due_date, i.open);
        }
        p.unapplied = unapplied;
        p
    }

    /// DSO of a profile by the count-back method ([`dso_count_back`]).
    pub fn dso(&self, p: &AgingProfile) -> Dso {
        dso_count_back(p.net_receivables(), &p.sales_by_month, &self.month_days)
    }
}

/// Open items and profile of one customer's ledger in one call; `scratch` keeps its
/// buffers between customers.
pub fn age_ledger(ledger: &Ledger, dates: &AgingDates, scratch: &mut OpenItems) -> AgingProfile {
    scratch.compute(ledger, dates.as_of);
    dates.profile(ledger, scratch)
}

/// A profile with the figures derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgingLine {
    pub customers: u64,
    pub profile: AgingProfile,
    pub overdue_rate_pct: Option<f64>,
    pub bad_debt_rate_pct: Option<f64>,
    pub dso: Dso,
}

/// Aging rolled up by group, business line and portfolio (customers stay with the caller,
/// one profile each).
#[derive(Debug, Clone)]
pub struct AgingRollup {
    dates: AgingDates,
    currency: Currency,
    portfolio: (u64, AgingProfile),
    groups: BTreeMap<String, (u64, AgingProfile)>,
    business_lines: BTreeMap<String, (u64, AgingProfile)>,
}

/// The roll-up's lines, keys in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    #[serde(with = "crate::money::currency")]
    pub currency: Currency,
    pub portfolio: AgingLine,
    pub groups: BTreeMap<String, AgingLine>,
    pub business_lines: BTreeMap<String, AgingLine>,
}

impl AgingRollup {
    pub fn new(dates: AgingDates, currency: Currency) -> AgingRollup {
        AgingRollup {
            dates,
            currency,
            portfolio: (0, AgingProfile::default()),
            groups: BTreeMap::new(),
            business_lines: BTreeMap::new(),
        }
    }

    /// Adds one customer's profile to the portfolio, its group and its business line.
    pub fn add(&mut self, group: Option<&str>, business_line: Option<&str>, profile: &AgingProfile) {
        fn bump(map: &mut BTreeMap<String, (u64, AgingProfile)>, key: &str, p: &AgingProfile) {
            match map.get_mut(key) {
                Some((n, q)) => {
                    *n += 1;
                    q.add(p);
                }
                None => {
                    map.insert(key.to_owned(), (1, *p));
                }
            }
        }
        self.portfolio.0 += 1;
        self.portfolio.1.add(profile);
        if let Some(g) = group {
            bump(&mut self.groups, g, profile);
        }
        if let Some(b) = business_line {
            bump(&mut self.business_lines, b, profile);
        }
    }

    /// One line with derived figures for a profile.
    pub fn line(&self, customers: u64, p: &AgingProfile) -> AgingLine {
        AgingLine {
            customers,
            profile: *p,
            overdue_rate_pct: p.overdue_rate_pct(),
            bad_debt_rate_pct: p.bad_debt_rate_pct(),
            dso: self.dates.dso(p),
        }
    }

    pub fn report(&self) -> AgingReport {
        let lines = |m: &BTreeMap<String, (u64, AgingProfile)>| {
            m.iter().map(|(k, (n, p))| (k.clone(), self.line(*n, p))).collect()
        };
        AgingReport {
            as_of: self.dates.as_of,
            currency: self.currency,
            portfolio: self.line(self.portfolio.0, &self.portfolio.1),
            groups: lines(&self.groups),
            business_lines: lines(&self.business_lines),
        }
    }
}
