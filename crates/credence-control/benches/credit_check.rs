//! Latency of the order-time credit check on a warm exposure book of synthetic customers:
//! up to 30 open invoices each (due up to 60 days after the check date; 70% of customers
//! at most 5 days late, 25% up to 45 days, 5% up to 180), open orders, grades spread over
//! the shipped policy's scale, 6% yellow and 1% red, and groups of ten customers, most
//! with a group limit. About half of the orders are blocked (overdue items, list-managed
//! and refused grades, limits), so the remedy path is measured too. Drawn from a SplitMix64 stream.
//!
//! ```text
//! cargo bench -p credence-control --bench credit_check
//! CHECK_BENCH_CUSTOMERS=100000 CHECK_BENCH_CHECKS=2000000 cargo bench -p credence-control --bench credit_check
//! ```
//!
//! Prints the build time, the latency distribution (p50, p90, p99, p99.9, max) of single
//! checks, separately for passed and blocked orders, and the peak resident set size.

use std::hint::black_box;
use std::time::Instant;

use chrono::{NaiveDate, TimeDelta};
use credence_control::{
    CreditPolicy, CustomerSnapshot, ExposureBook, GroupSnapshot, Level, OpenReceivable, TemporaryLimit, check,
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

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
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

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k]
}

fn report(label: &str, mut ns: Vec<u32>) {
    ns.sort_unstable();
    let us = |x: u32| x as f64 / 1000.0;
    println!(
        "{label:>8}: {:>9} checks  p50 {:>6.2} µs  p90 {:>6.2} µs  p99 {:>6.2} µs  p99.9 {:>6.2} µs  max {:>8.2} µs",
        ns.len(),
        us(percentile(&ns, 0.50)),
        us(percentile(&ns, 0.90)),
        us(percentile(&ns, 0.99)),
        us(percentile(&ns, 0.999)),
        us(ns.last().copied().unwrap_or(0)),
    );
}

fn main() {
    let customers = env("CHECK_BENCH_CUSTOMERS", 100_000);
    let checks = env("CHECK_BENCH_CHECKS", 1_000_000);
    let policy = CreditPolicy::builtin();
    let today = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let grades: Vec<String> = policy.grades().iter().map(|g| g.grade.clone()).collect();
    let mut rng = Rng(0x00C0_FFEE);

    let started = Instant::now();
    let mut snapshots = Vec::with_capacity(customers);
    let mut groups = Vec::new();
    let mut items = 0usize;
    for c in 0..customers {
        let group = c / 10;
        if c % 10 == 0 {
            groups.push(GroupSnapshot {
                group_id: format!("G{group:07}"),
                limit: (rng.below(4) != 0).then(|| (50_000_000 + rng.below(500_000_000) as i64) * 100),
                outside_exposure: rng.below(10_000_000) as i64 * 100,
            });
        }
        let limit = (100_000 + rng.below(5_000_000) as i64) * 100;
        let n = rng.below(31) as usize;
        items += n;
        // Seven in ten customers pay on time (nothing more than 5 days overdue), a quarter
        // run up to 45 days late, one in twenty up to 180 days.
        let lateness = match rng.below(100) {
            0..70 => 5,
            70..95 => 45,
            _ => 180,
        };
        let receivables = (0..n)
            .map(|k| {
                let due = today + TimeDelta::days(rng.below(61 + lateness) as i64 - lateness as i64);
                OpenReceivable {
                    invoice_no: format!("INV{c:07}-{k:02}"),
                    issue_date: due - TimeDelta::days(30),
                    due_date: due,
                    // Mostly small recent invoices: a twentieth of the limit on average.
                    open: (limit as f64 / 20.0 * rng.unit()).max(100.0) as i64,
                }
            })
            .collect();
        let r = rng.below(100);
        let level = if r < 1 {
            Level::Red
        } else if r < 7 {
            Level::Yellow
        } else {
            Level::Green
        };
        snapshots.push(CustomerSnapshot {
            customer_id: format!("C{c:07}").into(),
            receivables,
            unapplied: 0,
            open_orders: (limit as f64 * 0.2 * rng.unit()) as i64,
            special_exposure: if rng.below(20) == 0 { limit / 10 } else { 0 },
            limit,
            temporary_limit: (rng.below(10) == 0).then(|| TemporaryLimit {
                amount: limit / 5,
                expires: today + TimeDelta::days(rng.below(60) as i64 - 20),
            }),
            grade: Some(grades[rng.below(grades.len() as u64) as usize].clone()),
            level,
            group_id: (rng.below(3) != 0).then(|| format!("G{group:07}")),
        });
    }
    let generated = started.elapsed();
    let started = Instant::now();
    let (book, diagnostics) = ExposureBook::build(&policy, Currency::CNY, snapshots, groups);
    let built = started.elapsed();
    assert!(diagnostics.iter().all(|d| d.code == "unknown_group"), "{diagnostics:?}");
    println!(
        "book: {} customers, {items} open invoices; generated in {:.2} s, built in {:.3} s",
        book.len(),
        generated.as_secs_f64(),
        built.as_secs_f64()
    );

    let ids: Vec<String> = (0..customers).map(|c| format!("C{c:07}")).collect();
    let draw = |rng: &mut Rng| {
        let id = &ids[rng.below(customers as u64) as usize];
        // Order sizes from tiny to about a third of a large limit.
        let amount = (rng.unit().powi(3) * 2_000_000.0 * 100.0) as i64 + 100;
        (id, amount)
    };
    // Warm up: touch every account once.
    for id in &ids {
        black_box(check(&book, id, 100, Currency::CNY, today).unwrap().pass);
    }
    let mut passed = Vec::with_capacity(checks);
    let mut blocked = Vec::with_capacity(checks / 2);
    let mut all = Vec::with_capacity(checks);
    let started = Instant::now();
    for _ in 0..checks {
        let (id, amount) = draw(&mut rng);
        let t = Instant::now();
        let r = check(&book, black_box(id), black_box(amount), Currency::CNY, today).unwrap();
        let ns = t.elapsed().as_nanos().min(u128::from(u32::MAX)) as u32;
        let pass = r.pass;
        drop(black_box(r));
        all.push(ns);
        if pass { passed.push(ns) } else { blocked.push(ns) }
    }
    let total = started.elapsed();
    println!(
        "{checks} checks in {:.2} s ({:.0} checks/s including timing overhead), {:.1}% blocked",
        total.as_secs_f64(),
        checks as f64 / total.as_secs_f64(),
        blocked.len() as f64 / checks as f64 * 100.0
    );
    report("all", all);
    report("passed", passed);
    report("blocked", blocked);
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS {mib:.0} MiB");
    }
}
