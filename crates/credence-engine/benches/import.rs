//! Import throughput and memory: 1,000,000 invoice rows from CSV into SQLite (target
//! ≤ 15 s, peak RSS < 500 MB), then the same file again (every row unchanged).
//!
//! `cargo bench -p credence-engine --bench import` (rows: `CREDENCE_BENCH_ROWS`, default
//! 1,000,000). Prints figures; asserts nothing.

use credence_engine::{ImportOptions, import_file};
use credence_records::Kind;
use std::io::Write;
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
    let rows: usize =
        std::env::var("CREDENCE_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let customers = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let cust_path = dir.path().join("customers.csv");
    let inv_path = dir.path().join("invoices.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&cust_path).unwrap());
        writeln!(w, "customer_id,name,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start").unwrap();
        for c in 0..customers {
            writeln!(w, "C{c:07},公司{c},R{c},sme,C,浙江,east,machinery,core,2020-01-01").unwrap();
        }
        let mut w = std::io::BufWriter::new(std::fs::File::create(&inv_path).unwrap());
        writeln!(w, "invoice_no,customer_id,issue_date,due_date,amount,currency,order_no").unwrap();
        for i in 0..rows {
            let month = 1 + i % 9;
            let day = 1 + i % 28;
            writeln!(
                w,
                "INV{i:09},C{:07},2026-{month:02}-{day:02},2026-{:02}-{day:02},\"{},{:03}.{:02}\",CNY,SO{i}",
                i % customers,
                month + 1,
                1 + i % 97,
                i % 1000,
                i % 100
            )
            .unwrap();
        }
    }
    let size_mb = std::fs::metadata(&inv_path).unwrap().len() as f64 / 1e6;
    let db = dir.path().join("bench.db");
    let mut store = credence_store::Store::open(db.to_str().unwrap()).unwrap();
    let opts = ImportOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(), "bench".into());
    let r = import_file(&mut store, Kind::Customers, &cust_path, &opts, &mut |_| {}).unwrap();
    assert_eq!(r.inserted, customers as u64);

    for pass in ["first import", "re-import (unchanged)"] {
        reset_peak_rss();
        let t = Instant::now();
        let r = import_file(&mut store, Kind::Invoices, &inv_path, &opts, &mut |_| {}).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(r.errors, 0, "{:?}", r.diagnostics.first());
        println!(
            "invoices {pass}: {rows} rows ({size_mb:.0} MB CSV) in {secs:.2} s = {:.0} rows/s; inserted {} unchanged {} warnings {}; peak RSS {:.0} MiB",
            rows as f64 / secs,
            r.inserted,
            r.unchanged,
            r.warnings,
            peak_rss_mib().unwrap_or(f64::NAN)
        );
    }
}
