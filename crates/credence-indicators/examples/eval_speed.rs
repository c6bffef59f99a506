//! Measures how long evaluating the shipped catalogue takes per customer, on demo
//! customers, with and without trends. Run by hand:
//!
//! ```text
//! cargo run --release -p credence-indicators --example eval_speed [customers]
//! ```

#[path = "../tests/indicators/demo_files.rs"]
mod demo_files;

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use credence_indicators::{Catalogue, EvalOptions};

fn main() {
    let customers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("a valid date");
    let started = Instant::now();
    let files = demo_files::demo_files(customers, 7, as_of);
    println!("{customers} demo customers generated in {:.2?}", started.elapsed());
    let started = Instant::now();
    let catalogue = Catalogue::builtin();
    println!(
        "catalogue {} ({} indicators, {} operations) compiled in {:.2?}",
        catalogue.version(),
        catalogue.indicators().len(),
        catalogue.operation_count(),
        started.elapsed()
    );
    let statements: usize = files.iter().map(|f| f.statements.len()).sum();
    let invoices: usize = files.iter().map(|f| f.invoices.len()).sum();
    let payments: usize = files.iter().map(|f| f.payments.len()).sum();
    let events: usize = files.iter().map(|f| f.events.len()).sum();
    let n = files.len() as f64;
    println!(
        "per customer: {:.1} statements, {:.1} invoices, {:.1} payments, {:.1} events",
        statements as f64 / n,
        invoices as f64 / n,
        payments as f64 / n,
        events as f64 / n
    );
    for trends in [false, true] {
        let options = EvalOptions { trends };
        // One warm-up pass, then the best of five.
        for f in &files {
            black_box(catalogue.evaluate(f, as_of, &options));
        }
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            for f in &files {
                black_box(catalogue.evaluate(black_box(f), as_of, &options));
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!("trends {trends:5}: {:6.2} µs per customer (one thread)", best / n * 1e6);
    }
}
