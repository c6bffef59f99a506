//! Portfolio throughput: the demo portfolio (12 quarters of statements, two years of
//! ledger and events per customer) rated, warned and limited end to end from and to
//! SQLite, then re-rated after an overnight drop that touches 1% of the customers.
//! Targets on 1,000,000 customers: each full run ≤ 30 s, peak RSS ≤ 1.5 GB, database
//! growth per full rating run ≤ 500 MB, `rate --changed` after the drop ≤ 3 s.
//!
//! `cargo bench -p credence-engine --bench rating`. Customers: `CREDENCE_BENCH_CUSTOMERS`
//! (default 100,000; 1,000,000 takes a few minutes to build and ~20 GB of disk). With
//! `CREDENCE_BENCH_DB=path` the portfolio is built there once and reused by later runs
//! (each run adds its ratings, warnings and limits to it, as a production book would);
//! without it, in a temporary directory. Building is not timed. Prints figures; asserts
//! nothing.

use credence_engine::{
    RateOptions, RateScope, WarnOptions, WarnScope, apply_policy, build_demo_file, rate_portfolio, warn,
};
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use credence_store::{NewImportRun, Store};
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

/// The database's size on disk in MB (with its write-ahead log).
fn db_mb(path: &std::path::Path) -> f64 {
    let size = |p: std::path::PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = path.with_extension("db-wal");
    (size(path.to_path_buf()) + size(wal)) as f64 / 1e6
}

/// Times `f`, printing wall seconds, peak RSS and database growth.
fn timed<T>(name: &str, path: &std::path::Path, f: impl FnOnce() -> T) -> T {
    reset_peak_rss();
    let before = db_mb(path);
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    println!(
        "{name:<28} {wall:>7.2} s   peak RSS {:>6.0} MiB   database {:+8.0} MB",
        peak_rss_mib().unwrap_or(f64::NAN),
        db_mb(path) - before
    );
    out
}

fn main() {
    let customers: usize =
        std::env::var("CREDENCE_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("CREDENCE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("bench.db"));
    if !path.exists() {
        let config = credence_demo::DemoConfig { customers, seed: 1, as_of };
        let t = Instant::now();
        build_demo_file(&path, &config, &"bench".into()).unwrap();
        println!(
            "demo portfolio of {customers} customers built in {:.1} s, {:.0} MB (not timed below)",
            t.elapsed().as_secs_f64(),
            db_mb(&path)
        );
    }
    let mut store = Store::open(path.to_str().unwrap()).unwrap();
    let catalogue = Catalogue::builtin();
    let model = ScorecardModel::builtin();
    let rate = |store: &mut Store, scope: RateScope| {
        let r = rate_portfolio(store, &catalogue, &model, &RateOptions::new(as_of, scope, "bench".into()))
            .unwrap();
        println!(
            "  rated {}, skipped {}, failed {}; reading {:.1} s and rating {:.1} s (summed over workers), writing {:.1} s",
            r.rated, r.skipped, r.failed, r.seconds_read, r.seconds_compute, r.seconds_write
        );
    };
    timed("rate (all)", &path, || rate(&mut store, RateScope::All));
    timed("rate (all, again)", &path, || rate(&mut store, RateScope::All));
    let pack = credence_warning::RulePack::builtin(&catalogue);
    let options = WarnOptions { as_of, scope: WarnScope::All, now: "bench".into() };
    timed("warn --all", &path, || {
        let r = warn(&mut store, &pack, &options).unwrap();
        println!("  evaluated {}, raised {}, closed {}", r.evaluated, r.raised, r.closed);
    });
    let policy = credence_engine::load_policy(None).unwrap();
    timed("policy apply", &path, || {
        let run = apply_policy(&mut store, &policy, as_of, &"bench".into()).unwrap();
        println!("  {} proposals", run.proposed);
    });
    // An overnight drop: one new invoice for every hundredth customer.
    let ids = store.customer_ids().unwrap();
    let stamp =
        format!("{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    timed("import drop (1% customers)", &path, || {
        let mut session = store
            .begin_import(NewImportRun {
                kind: "invoices".into(),
                source: "bench drop".into(),
                source_hash: stamp.clone(),
                mode: "strict".into(),
                as_of: as_of.to_string(),
                started_at: "bench".into(),
            })
            .unwrap();
        let kind = credence_records::Kind::Invoices;
        for (n, id) in ids.iter().step_by(100).enumerate() {
            let mut r = credence_records::Record::empty(kind);
            r.set("invoice_no", format!("DROP-{stamp}-{n}"))
                .set("customer_id", id.as_str())
                .set("issue_date", "2026-09-29")
                .set("due_date", "2026-10-29")
                .set("amount", 1_000_000_i64)
                .set("currency", "CNY");
            session.upsert(&r).unwrap();
        }
        session.commit(0, 0, &"bench".into()).unwrap();
    });
    timed("rate --changed", &path, || rate(&mut store, RateScope::Changed));
}
