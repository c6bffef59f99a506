//! The cockpit's figures over a large portfolio: a synthetic book of positions (14
//! industries × 31 regions, 6 business lines, groups of five, grades by PD, twelve month
//! ends and twelve rating dates of history) and the time to select and summarise it,
//! whole and drilled down to one level, as the portfolio endpoint does on each request.
//!
//! ```text
//! cargo bench -p credence-portfolio --bench overview
//! PORTFOLIO_BENCH_CUSTOMERS=1000000 cargo bench -p credence-portfolio --bench overview
//! ```

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use credence_control::Level;
use credence_portfolio::{
    OpenAt, OverviewConfig, Portfolio, Position, PositionSort, Selection, overview, select,
};

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

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const GRADES: [(&str, f64); 8] = [
    ("AAA", 0.005),
    ("AA", 0.02),
    ("A", 0.05),
    ("BBB", 0.1),
    ("BB", 0.2),
    ("B", 0.3),
    ("CCC", 0.5),
    ("C", 1.0),
];

fn book(n: usize) -> Portfolio {
    let mut rng = Rng(7);
    let industries = "ACDEFGIJKLMNOQ".chars().map(String::from).collect::<Vec<_>>();
    let regions: Vec<String> = (0..31).map(|r| format!("R{r:02}")).collect();
    let lines = ["machinery", "materials", "services", "chemicals", "energy", "electronics"];
    let positions = (0..n)
        .map(|i| {
            let pd = 0.002 + 0.3 * rng.unit().powi(4);
            let grade = GRADES.iter().find(|g| pd < g.1).map_or("C", |g| g.0);
            let exposure = (rng.unit() * 5e8) as i64;
            let receivables = exposure * 3 / 4;
            let level = match rng.next() % 20 {
                0 => Level::Red,
                1..=4 => Level::Yellow,
                _ => Level::Green,
            };
            Position {
                customer_id: format!("C{i:07}").into(),
                name: format!("customer {i}"),
                customer_type: "sme".into(),
                industry: industries[(rng.next() % 14) as usize].clone(),
                region: regions[(rng.next() % 31) as usize].clone(),
                business_line: Some(lines[(rng.next() % 6) as usize].to_owned()),
                group_id: (i % 7 == 0).then(|| format!("G{}", i / 35)),
                grade: Some(grade.to_owned()),
                pd: Some(pd),
                level,
                exposure,
                receivables,
                limit: (rng.unit() * 6e8) as i64,
                overdue: receivables / 8,
                history: (0..12)
                    .map(|k| OpenAt { open: receivables - k * 1000, overdue: receivables / 9 })
                    .collect(),
                pd_history: (0..12).map(|_| Some(pd)).collect(),
                ..Position::default()
            }
        })
        .collect();
    Portfolio {
        as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
        month_ends: (1..=12).map(|m| NaiveDate::from_ymd_opt(2025, m, 28).unwrap()).collect(),
        rating_dates: (1..=12).map(|m| NaiveDate::from_ymd_opt(2025, m, 28).unwrap()).collect(),
        grade_order: GRADES.iter().map(|g| g.0.to_owned()).collect(),
        positions,
        ..Portfolio::default()
    }
}

fn main() {
    let n = std::env::var("PORTFOLIO_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let b = book(n);
    let config = OverviewConfig::default();
    let time = |label: &str, selection: &Selection| {
        let mut best = f64::MAX;
        for _ in 0..10 {
            let started = Instant::now();
            let list = select(&b, selection, &|p| p.org_unit.is_none(), PositionSort::CustomerId);
            black_box(overview(&b, &list, &config));
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!("{label:<28} {:>8.1} ms (best of 10)", best * 1000.0);
    };
    println!("portfolio overview over {n} positions");
    time("whole portfolio", &Selection::default());
    time("one level (red)", &Selection { level: Some(Level::Red), ..Selection::default() });
    time(
        "one heat-map cell",
        &Selection { industry: Some("C".into()), region: Some("R03".into()), ..Selection::default() },
    );
}
