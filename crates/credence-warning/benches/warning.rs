//! Throughput of the shipped rule pack on synthetic credit files: twelve quarterly
//! statements, eighteen months of invoices and payments, and three years of events per
//! customer, drawn from a SplitMix64 stream keyed by the customer's index.
//!
//! ```text
//! cargo bench -p credence-warning --bench warning
//! WARNING_BENCH_CUSTOMERS=1000000 cargo bench -p credence-warning --bench warning
//! ```
//!
//! Prints microseconds per customer on one core, the time on two threads, and the
//! projection for 1,000,000 customers on two cores.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Days, Months, NaiveDate};
use credence_domain::{EventKind, PeriodType};
use credence_indicators::{
    Catalogue, CustomerFile, EvalOptions, Event, Invoice, Payment, STATEMENT_ITEMS, Statement, statement_item,
};
use credence_warning::{CustomerStatus, CustomerWarnings, Level, RulePack};

/// SplitMix64: a tiny deterministic generator, enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Roughly standard normal (sum of four uniforms, rescaled).
    fn normal(&mut self) -> f64 {
        ((0..4).map(|_| self.unit()).sum::<f64>() - 2.0) * 3f64.sqrt()
    }
}

const SECTIONS: [&str; 10] = ["C", "C", "C", "F", "F", "E", "G", "I", "K", "D"];
const REGIONS: [&str; 8] = ["福建", "浙江", "江苏", "广东", "上海", "辽宁", "四川", "湖北"];
const ROLES: [&str; 4] = ["CEO", "CFO", "董事", "副总经理"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// One synthetic customer. Health h ~ N(0, 1) drifts by quarter and drives liquidity,
/// leverage, margins, payment delays and event rates.
fn customer(i: u64, as_of: NaiveDate) -> CustomerFile {
    let mut r = Rng::new(0x5EED_2026, i);
    let mut h = r.normal();
    let item = |name: &str| statement_item(name).expect("a statement item");
    let mut revenue = 2_000.0 * (1.0 + 20.0 * r.unit());
    let mut statements = Vec::with_capacity(12);
    let mut end = date(2023, 12, 31);
    let mut healths = Vec::new();
    for _ in 0..12 {
        h = 0.85 * h + 0.25 * r.normal();
        healths.push(h);
        revenue *= 1.0 + 0.02 + 0.03 * r.normal() + 0.01 * h;
        let mut v = vec![f64::NAN; STATEMENT_ITEMS.len()];
        let cost = revenue * (0.65 - 0.04 * h + 0.02 * r.normal());
        let opex = revenue * 0.15;
        let current_liabilities = revenue * (1.2 + 0.2 * r.unit());
        let total_assets = revenue * 4.0;
        v[item("revenue")] = revenue;
        v[item("cost_of_sales")] = cost;
        v[item("operating_expenses")] = opex;
        v[item("net_profit")] = revenue - cost - opex - revenue * 0.02;
        v[item("operating_cash_flow")] = (revenue - cost - opex) * (1.0 + 0.3 * r.normal());
        v[item("cash")] = (cost + opex) / 3.0 * (2.0 * (0.35 * h).exp()) * (0.8 + 0.4 * r.unit());
        v[item("accounts_receivable")] = revenue * (0.6 * (-0.12 * h).exp());
        v[item("inventory")] = cost * 0.4;
        v[item("current_assets")] = current_liabilities * (1.8 + 0.4 * h + 0.1 * r.normal()).max(0.3);
        v[item("current_liabilities")] = current_liabilities;
        v[item("total_assets")] = total_assets;
        v[item("total_liabilities")] = total_assets * (0.5 - 0.08 * h + 0.02 * r.normal()).clamp(0.05, 1.2);
        v[item("equity")] = total_assets - v[item("total_liabilities")];
        v[item("employees")] = 50.0 + revenue / 100.0;
        statements.push(Statement {
            period_end: end,
            period_type: PeriodType::Quarter,
            audited: false,
            values: v,
        });
        end = end
            .checked_add_days(Days::new(1))
            .and_then(|d| d.checked_add_months(Months::new(3)))
            .and_then(|d| d.pred_opt())
            .expect("a date");
    }
    // Eighteen months of invoices, about two a month, paid with a delay that grows as
    // health falls; a share of the latest ones still open.
    let mut invoices = Vec::new();
    let mut payments = Vec::new();
    let start = as_of.checked_sub_months(Months::new(18)).expect("a date");
    let mut issue = start;
    let mut n = 0;
    while issue <= as_of {
        n += 1;
        let terms = [30, 45, 60][r.below(3) as usize];
        let due = issue + Days::new(terms);
        let amount = revenue / 6.0 * (0.5 + r.unit());
        let no = format!("{i}-{n}");
        let quarter = ((issue.signed_duration_since(start).num_days() / 91) as usize).min(healths.len() - 1);
        let mean_late = 4.0 * (-1.4 * healths[healths.len() - 6 + quarter.min(5)]).exp();
        let late = (-mean_late * (1.0 - r.unit()).ln()).min(150.0) as u64;
        let paid = due + Days::new(late);
        // A customer in distress stops paying in the last three months.
        let stopped = h < -1.8 && paid > as_of - Days::new(90);
        if paid <= as_of && !stopped {
            payments.push(Payment { invoice_no: Some(no.clone()), date: paid, amount });
        }
        invoices.push(Invoice { invoice_no: no, issue_date: issue, due_date: due, amount });
        issue = issue + Days::new(10 + r.below(10));
    }
    payments.sort_by_key(|p| p.date);
    // Events over three years: rates rise as health falls.
    let mut events = Vec::new();
    let kinds = [
        (EventKind::LawsuitDefendant, 0.05),
        (EventKind::News, 0.3),
        (EventKind::ManagementChange, 0.03),
        (EventKind::CoreStaffDeparture, 0.02),
        (EventKind::QualityComplaint, 0.03),
        (EventKind::CustomerLoss, 0.01),
        (EventKind::SupplierPaymentSuit, 0.004),
        (EventKind::Enforcement, 0.004),
    ];
    for (q, &hq) in healths.iter().enumerate() {
        let quarter_start = date(2023, 10, 1).checked_add_months(Months::new(3 * q as u32)).expect("a date");
        for &(kind, rate) in &kinds {
            if r.unit() < rate * (-0.8 * hq).exp() {
                let day = quarter_start + Days::new(r.below(90));
                events.push(Event {
                    kind,
                    date: day,
                    amount: (kind == EventKind::LawsuitDefendant).then(|| revenue * r.unit()),
                    count: matches!(kind, EventKind::CoreStaffDeparture | EventKind::QualityComplaint)
                        .then(|| 1.0 + r.below(3) as f64),
                    change_pct: (kind == EventKind::CustomerLoss).then(|| 5.0 + 15.0 * r.unit()),
                    sentiment: (kind == EventKind::News).then(|| (0.55 * hq + 0.45 * r.normal()).tanh()),
                    role: (kind == EventKind::ManagementChange)
                        .then(|| ROLES[r.below(4) as usize].to_owned()),
                });
            }
        }
    }
    events.sort_by_key(|e| e.date);
    CustomerFile {
        customer_id: format!("C{i:07}"),
        customer_type: ["sme", "large", "micro"][r.below(3) as usize].into(),
        industry: SECTIONS[r.below(SECTIONS.len() as u64) as usize].into(),
        sub_industry: None,
        region: REGIONS[r.below(REGIONS.len() as u64) as usize].into(),
        relationship_start: date(2018, 1, 1),
        credit_limit: Some(revenue),
        payment_terms_days: Some(45.0),
        statements,
        invoices,
        payments,
        credit_notes: vec![],
        orders: vec![],
        events,
        promises: vec![],
        disputes: vec![],
        utility_bills: vec![],
    }
}

fn evaluate_all(pack: &RulePack, files: &[CustomerFile], as_of: NaiveDate) -> Vec<CustomerWarnings> {
    let evaluator = pack.evaluator(as_of);
    files.iter().map(|f| evaluator.evaluate(black_box(f), &CustomerStatus::default())).collect()
}

fn main() {
    let customers: usize =
        std::env::var("WARNING_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let as_of = date(2026, 9, 30);
    let started = Instant::now();
    let files: Vec<CustomerFile> = (0..customers as u64).map(|i| customer(i, as_of)).collect();
    let n = files.len() as f64;
    let per = |f: fn(&CustomerFile) -> usize| files.iter().map(f).sum::<usize>() as f64 / n;
    println!(
        "{customers} synthetic customers in {:.2?}: per customer {:.1} statements, {:.1} invoices, {:.1} payments, {:.1} events",
        started.elapsed(),
        per(|f| f.statements.len()),
        per(|f| f.invoices.len()),
        per(|f| f.payments.len()),
        per(|f| f.events.len()),
    );
    let catalogue = Catalogue::builtin();
    let started = Instant::now();
    let pack = RulePack::builtin(&catalogue);
    println!(
        "pack {} ({} rules, {} peer rules) compiled in {:.2?}; probe of {} indicators of catalogue {}",
        pack.version(),
        pack.rules().len(),
        pack.aggregates().len(),
        started.elapsed(),
        pack.probe_indicators().len(),
        catalogue.version()
    );

    // One thread: a warm-up pass, then the best of three.
    let mut results = evaluate_all(&pack, &files, as_of);
    let mut one = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        results = evaluate_all(&pack, &files, as_of);
        one = one.min(started.elapsed().as_secs_f64());
    }
    // Two threads, each a contiguous half.
    let mut two = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        std::thread::scope(|s| {
            let (a, b) = files.split_at(files.len() / 2);
            let ha = s.spawn(|| evaluate_all(&pack, a, as_of).len());
            let hb = s.spawn(|| evaluate_all(&pack, b, as_of).len());
            black_box(ha.join().expect("a thread") + hb.join().expect("a thread"));
        });
        two = two.min(started.elapsed().as_secs_f64());
    }
    // For comparison: the whole catalogue at the as-of date, which the rating run does.
    let started = Instant::now();
    for f in &files {
        black_box(catalogue.evaluate(black_box(f), as_of, &EvalOptions::default()));
    }
    let full = started.elapsed().as_secs_f64();

    let firings: usize = results.iter().map(|w| w.firings.len()).sum();
    let mut by_level = [0usize; 3];
    for w in &results {
        by_level[match w.level.level {
            Level::Green => 0,
            Level::Yellow => 1,
            Level::Red => 2,
        }] += 1;
    }
    let mut by_rule: Vec<(String, usize)> = pack.rules().iter().map(|r| (r.code.clone(), 0)).collect();
    for w in &results {
        for f in &w.firings {
            if let Some(e) = by_rule.iter_mut().find(|(c, _)| *c == f.code) {
                e.1 += 1;
            }
        }
    }
    let alerts = pack.evaluate_peers(results.iter().map(|w| &w.peer));
    println!(
        "{firings} firings; levels green {} yellow {} red {}; {} peer alerts",
        by_level[0],
        by_level[1],
        by_level[2],
        alerts.len()
    );
    println!("firings by rule: {by_rule:?}");
    let us_one = one / n * 1e6;
    let us_two = two / n * 1e6;
    println!("one thread : {us_one:6.2} µs per customer per core");
    println!("two threads: {:6.2} µs per customer per core ({us_two:.2} µs per customer wall)", us_two * 2.0);
    println!("whole catalogue (no trends), for comparison: {:6.2} µs per customer", full / n * 1e6);
    println!(
        "projection for 1,000,000 customers on two cores: {:.1} s (one-thread rate), {:.1} s (measured two-thread rate)",
        us_one * 1e6 / 2.0 / 1e6,
        us_two * 1e6 / 1e6
    );
}
