//! Aging throughput: customers' ledgers are generated one at a time into reused buffers (as
//! the engine streams them from the store) and aged at one date — open items from
//! invoices, payments naming invoices, credit notes and payments on account, then buckets,
//! age bands, monthly sales — and rolled up by group and business line, until the given
//! number of open items has been aged. Drawn from a SplitMix64 stream.
//!
//! ```text
//! cargo bench -p credence-control --bench aging
//! AGING_BENCH_OPEN_ITEMS=1000000 cargo bench -p credence-control --bench aging
//! ```
//!
//! Prints the time spent aging (generation excluded), the wall time with generation, the
//! portfolio's figures and the peak resident set size.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use credence_control::{
    AgingDates, AgingRollup, Ledger, LedgerCreditNote, LedgerInvoice, LedgerPayment, OpenItems, age_ledger,
};
use credence_domain::Currency;

/// SplitMix64: a tiny deterministic generator, enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 =
        status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

const LINES: [&str; 8] = ["east", "west", "north", "south", "central", "export", "utility", "retail"];

/// Fills `ledger` with customer `c`'s ledger, reusing its strings: 6–24 invoices over the
/// two years to `as_of`, due in 30, 60 or 90 days; paid in full with a probability that
/// grows with age (30% under 60 days old, 75% to 180 days, 95% beyond), half paid one time
/// in ten otherwise, one in twenty with a credit note of a tenth, and a payment on account
/// for one customer in three. About two invoices in fifteen stay open.
fn fill(ledger: &mut Ledger, rng: &mut Rng, c: usize, as_of: NaiveDate) {
    let n = 6 + rng.below(19) as usize;
    ledger.invoices.resize_with(n, || LedgerInvoice {
        invoice_no: String::with_capacity(16),
        issue_date: as_of,
        due_date: as_of,
        amount: 0,
    });
    let mut payments = 0;
    let mut notes = 0;
    for (k, inv) in ledger.invoices.iter_mut().enumerate() {
        inv.invoice_no.clear();
        let _ = write!(inv.invoice_no, "I{c:08}{k:03}");
        let age = rng.below(730) as i64;
        inv.issue_date = as_of - TimeDelta::days(age);
        inv.due_date = inv.issue_date + TimeDelta::days([30, 60, 90][rng.below(3) as usize]);
        inv.amount = (1_000 + rng.below(2_000_000) as i64) * 100;
        let paid_share = match age {
            0..60 => 30,
            60..180 => 75,
            _ => 95,
        };
        let r = rng.below(100);
        let paid = if r < paid_share {
            inv.amount
        } else if r < paid_share + (100 - paid_share) / 10 {
            inv.amount / 2
        } else {
            0
        };
        if paid > 0 {
            if payments == ledger.payments.len() {
                ledger.payments.push(LedgerPayment {
                    invoice_no: Some(String::with_capacity(16)),
                    date: as_of,
                    amount: 0,
                });
            }
            let p = &mut ledger.payments[payments];
            let no = p.invoice_no.get_or_insert_with(String::new);
            no.clear();
            no.push_str(&inv.invoice_no);
            p.date = inv.due_date.min(as_of);
            p.amount = paid;
            payments += 1;
        }
        if rng.below(20) == 0 {
            if notes == ledger.credit_notes.len() {
                ledger.credit_notes.push(LedgerCreditNote {
                    invoice_no: String::with_capacity(16),
                    date: as_of,
                    amount: 0,
                });
            }
            let cn = &mut ledger.credit_notes[notes];
            cn.invoice_no.clear();
            cn.invoice_no.push_str(&inv.invoice_no);
            cn.date = inv.issue_date;
            cn.amount = inv.amount / 10;
            notes += 1;
        }
    }
    ledger.payments.truncate(payments);
    ledger.credit_notes.truncate(notes);
    if rng.below(3) == 0 {
        ledger.payments.push(LedgerPayment {
            invoice_no: None,
            date: as_of - TimeDelta::days(rng.below(30) as i64),
            amount: (rng.below(500_000) as i64) * 100,
        });
    }
}

fn main() {
    let target = env("AGING_BENCH_OPEN_ITEMS", 10_000_000);
    let as_of = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let dates = AgingDates::new(as_of);
    let mut rollup = AgingRollup::new(dates, Currency::CNY);
    let mut rng = Rng(0x000A_61E6);
    let mut ledger = Ledger::default();
    let mut scratch = OpenItems::default();
    let mut group_id = String::new();
    let (mut customers, mut invoices, mut open_items) = (0usize, 0usize, 0usize);
    let mut aging = Duration::ZERO;
    let started = Instant::now();
    while open_items < target {
        fill(&mut ledger, &mut rng, customers, as_of);
        group_id.clear();
        let _ = write!(group_id, "G{:07}", customers / 10);
        let t = Instant::now();
        let profile = age_ledger(&ledger, &dates, &mut scratch);
        rollup.add(
            (customers % 3 != 0).then_some(group_id.as_str()),
            Some(LINES[customers % LINES.len()]),
            black_box(&profile),
        );
        aging += t.elapsed();
        invoices += ledger.invoices.len();
        open_items += scratch.items.len();
        customers += 1;
    }
    let wall = started.elapsed();
    let t = Instant::now();
    let report = rollup.report();
    let reporting = t.elapsed();
    let p = &report.portfolio;
    println!(
        "{open_items} open items of {invoices} invoices, {customers} customers, {} groups, {} business lines",
        report.groups.len(),
        report.business_lines.len()
    );
    println!(
        "aging {:.2} s ({:.1} M open items/s, {:.0} ns per open item, {:.2} µs per customer); report {:.2} s; wall with generation {:.2} s",
        aging.as_secs_f64(),
        open_items as f64 / aging.as_secs_f64() / 1e6,
        aging.as_nanos() as f64 / open_items as f64,
        aging.as_secs_f64() * 1e6 / customers as f64,
        reporting.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "portfolio: open {:.0} CNY, overdue rate {:.1}%, bad-debt rate {:.1}%, DSO {:.1} days{}, oldest {} days",
        p.profile.open as f64 / 100.0,
        p.overdue_rate_pct.unwrap_or(0.0),
        p.bad_debt_rate_pct.unwrap_or(0.0),
        p.dso.days,
        if p.dso.exhausted { " (at least)" } else { "" },
        p.profile.oldest_overdue_days
    );
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS {mib:.0} MiB");
    }
}
