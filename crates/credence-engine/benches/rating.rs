//! Portfolio rating throughput and memory: the demo portfolio (12 quarters of statements,
//! two years of ledger and events per customer) rated end to end from and to SQLite.
//! Target: 1,000,000 customers in ≤ 60 s with peak RSS ≤ 2 GB.
//!
//! `cargo bench -p credence-engine --bench rating` (customers: `CREDENCE_BENCH_CUSTOMERS`,
//! default 100,000; the 1,000,000-customer portfolio takes ~3 minutes to build and 16 GB
//! of disk). Building the portfolio is not timed. Prints figures; asserts nothing.

use credence_engine::{RateOptions, RateScope, build_demo_file, rate_portfolio, rating_performance};
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use std::time::Instant;

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 =
        status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak so the next reading covers only what follows (Linux ≥ 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let customers: usize =
        std::env::var("CREDENCE_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    // The portfolio's history ends a year after the rating date, so the back-test sees
    // which rated customers defaulted within twelve months.
    let observed = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let config = credence_demo::DemoConfig { customers, seed: 42, as_of: observed };
    let t = Instant::now();
    build_demo_file(&path, &config, &"bench".into()).unwrap();
    println!(
        "demo portfolio of {customers} customers built in {:.1} s (not timed below)",
        t.elapsed().as_secs_f64()
    );
    let mut store = credence_store::Store::open(path.to_str().unwrap()).unwrap();
    let catalogue = Catalogue::builtin();
    let model = ScorecardModel::builtin();
    reset_peak_rss();
    let t = Instant::now();
    let report = rate_portfolio(
        &mut store,
        &catalogue,
        &model,
        &RateOptions::new(as_of, RateScope::All, "bench".into()),
    )
    .unwrap();
    let wall = t.elapsed().as_secs_f64();
    let peak = peak_rss_mib().unwrap_or(f64::NAN);
    println!(
        "rated {} customers in {wall:.1} s end to end ({:.0} customers/s), peak RSS {peak:.0} MiB; failed {}",
        report.rated,
        report.rated as f64 / wall,
        report.failed
    );
    println!(
        "work: reading {:.1} s and rating {:.1} s (summed over worker threads), writing {:.1} s",
        report.seconds_read, report.seconds_compute, report.seconds_write
    );
    println!(
        "in-memory rating alone: {:.0} customers per second per core",
        report.rated as f64 / report.seconds_compute
    );
    let order: Vec<&str> =
        model.grades(credence_rating::ScaleKind::Letter).iter().map(|g| g.grade.as_str()).collect();
    let performance = rating_performance(&mut store, report.run_id, 12, &order).unwrap();
    println!(
        "back-test: AUC {:.3} over {} customers",
        performance.auc.unwrap_or(f64::NAN),
        performance.customers
    );
}
