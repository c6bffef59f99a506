//! Times generation alone (records are counted and dropped, nothing is written):
//! `cargo run --release -p credence-demo --example gen_speed -- 1000000 [seed]`.

use std::time::Instant;

use credence_demo::{DemoConfig, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let customers = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date");
    let config = DemoConfig { customers, seed, as_of };
    let started = Instant::now();
    let summary = generate(&config, &mut |_record| Ok::<(), std::convert::Infallible>(()))
        .unwrap_or_else(|e| match e {});
    let elapsed = started.elapsed();
    println!("{customers} customers, {} records in {:.2?}", summary.total_records(), elapsed);
    for (kind, count) in &summary.records {
        println!("  {:<14} {count:>12}", kind.code());
    }
    println!(
        "defaults {} ({:.2}%), last four quarters {}, groups {} ({} members), guarantee circles {}, mutual pairs {}, persons {}",
        summary.defaults,
        100.0 * summary.default_rate,
        summary.defaults_last_four_quarters,
        summary.groups,
        summary.group_members,
        summary.guarantee_circles,
        summary.mutual_guarantees,
        summary.persons
    );
}
