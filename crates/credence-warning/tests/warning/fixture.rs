//! Hand-built credit files and the helpers every test uses.
//!
//! The **baseline** customer, as of 2026-09-30, fires no rule of the shipped pack:
//!
//! * Twelve quarterly statements, 2023-12-31 … 2026-09-30, all alike: current assets
//!   2,000 and current liabilities 1,000 (current ratio 2.0); trade receivables 500 and
//!   revenue 1,000 a quarter (receivables turnover 4,000 / 500 = 8); cash 1,000, cost of
//!   sales 600 and operating expenses 200 a quarter (cash reserve 1,000 / 3,200 × 12 =
//!   3.75 months); total liabilities 1,000 and total assets 2,500 (debt-to-asset 40 %);
//!   net profit 100 a quarter (net margin 10 %); operating cash flow 150 a quarter
//!   (growth 0 %).
//! * Ledger: an invoice of 100 on the first of every month, 2024-10-01 … 2026-09-01, due
//!   30 days after issue and paid on the due date. At 2026-09-30 the twelve payments of
//!   the last year were on time (days beyond terms 0, timeliness 10 points) and only the
//!   September invoice (due 2026-10-01) is open, not yet due (over-90 share 0 %); the same
//!   holds at 2026-06-30.
//! * No events.

use chrono::{Days, NaiveDate};
use credence_domain::{EventKind, PeriodType};
use credence_indicators::{
    Catalogue, CustomerFile, Event, Invoice, Payment, STATEMENT_ITEMS, Statement, statement_item,
};
use credence_warning::{CustomerStatus, CustomerWarnings, Firing, RulePack};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn as_of() -> NaiveDate {
    d(2026, 9, 30)
}

/// The twelve quarter ends of the baseline, oldest first.
pub fn quarter_ends() -> Vec<NaiveDate> {
    let mut ends = vec![d(2023, 12, 31)];
    for y in 2024..=2026 {
        for (m, day) in [(3, 31), (6, 30), (9, 30), (12, 31)] {
            if y == 2026 && m == 12 {
                continue;
            }
            ends.push(d(y, m, day));
        }
    }
    ends
}

const BASELINE_ITEMS: &[(&str, f64)] = &[
    ("cash", 1_000.0),
    ("accounts_receivable", 500.0),
    ("current_assets", 2_000.0),
    ("total_assets", 2_500.0),
    ("current_liabilities", 1_000.0),
    ("total_liabilities", 1_000.0),
    ("equity", 1_500.0),
    ("revenue", 1_000.0),
    ("cost_of_sales", 600.0),
    ("operating_expenses", 200.0),
    ("net_profit", 100.0),
    ("operating_cash_flow", 150.0),
];

pub fn quarter(end: NaiveDate, items: &[(&str, f64)]) -> Statement {
    let mut values = vec![f64::NAN; STATEMENT_ITEMS.len()];
    for (name, v) in items {
        values[statement_item(name).unwrap_or_else(|| panic!("no item {name}"))] = *v;
    }
    Statement { period_end: end, period_type: PeriodType::Quarter, audited: false, values }
}

/// Monthly invoices of `amount`, 2024-10-01 … 2026-09-01, due in 30 days, each paid
/// `late` days after its due date (payments after the as-of date are left out).
pub fn monthly_ledger(file: &mut CustomerFile, amount: f64, late: u64) {
    file.invoices.clear();
    file.payments.clear();
    let mut issue = d(2024, 10, 1);
    let mut n = 0;
    while issue <= d(2026, 9, 1) {
        n += 1;
        let due = issue + Days::new(30);
        let no = format!("INV{n:03}");
        file.invoices.push(Invoice { invoice_no: no.clone(), issue_date: issue, due_date: due, amount });
        let paid = due + Days::new(late);
        if paid <= as_of() {
            file.payments.push(Payment { invoice_no: Some(no), date: paid, amount });
        }
        issue = issue.checked_add_months(chrono::Months::new(1)).unwrap();
    }
}

/// Adds an invoice that was never paid (invoices stay sorted by issue date).
pub fn unpaid(file: &mut CustomerFile, issue: NaiveDate, due: NaiveDate, amount: f64) {
    let no = format!("OPEN{}", file.invoices.len());
    file.invoices.push(Invoice { invoice_no: no, issue_date: issue, due_date: due, amount });
    file.invoices.sort_by_key(|i| i.issue_date);
}

pub fn baseline() -> CustomerFile {
    let mut file = CustomerFile {
        customer_id: "C0000001".into(),
        customer_type: "sme".into(),
        industry: "C".into(),
        sub_industry: Some("C34".into()),
        region: "福建".into(),
        relationship_start: d(2019, 4, 1),
        credit_limit: Some(10_000.0),
        payment_terms_days: Some(30.0),
        statements: quarter_ends().into_iter().map(|e| quarter(e, BASELINE_ITEMS)).collect(),
        invoices: vec![],
        payments: vec![],
        credit_notes: vec![],
        orders: vec![],
        events: vec![],
        promises: vec![],
        disputes: vec![],
        utility_bills: vec![],
    };
    monthly_ledger(&mut file, 100.0, 0);
    file
}

/// Sets statement items of the quarter ending `end`.
pub fn set(file: &mut CustomerFile, end: NaiveDate, items: &[(&str, f64)]) {
    let s = file.statements.iter_mut().find(|s| s.period_end == end).expect("a quarter of the baseline");
    for (name, v) in items {
        s.values[statement_item(name).unwrap()] = *v;
    }
}

pub fn event(kind: EventKind, date: NaiveDate) -> Event {
    Event { kind, date, amount: None, count: None, change_pct: None, sentiment: None, role: None }
}

/// Adds events, keeping them sorted by date.
pub fn add_events(file: &mut CustomerFile, events: Vec<Event>) {
    file.events.extend(events);
    file.events.sort_by_key(|e| e.date);
}

pub fn catalogue() -> Catalogue {
    Catalogue::builtin()
}

pub fn builtin() -> RulePack {
    RulePack::builtin(&catalogue())
}

pub fn evaluate(pack: &RulePack, file: &CustomerFile) -> CustomerWarnings {
    pack.evaluate(file, as_of(), &CustomerStatus::default())
}

pub fn codes(w: &CustomerWarnings) -> Vec<&str> {
    w.firings.iter().map(|f| f.code.as_str()).collect()
}

pub fn firing<'w>(w: &'w CustomerWarnings, code: &str) -> &'w Firing {
    w.firings.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("{code} did not fire: {:?}", codes(w)))
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// A pack of the given rule tables with the shipped sections around them.
pub fn pack_text(rules: &str) -> String {
    format!(
        "version = \"test\"\nhistory_quarters = 12\n\n[levels]\ngrade_scale = [\"AAA\", \"AA\", \"A\", \"BBB\", \"BB\", \"B\", \"CCC\", \"C\"]\n\
         yellow_at_or_below = \"BB\"\nred_at_or_below = \"CCC\"\nyellow_rules_for_red = 3\nwatch_rules_for_yellow = 0\n\n{rules}"
    )
}

/// A rule table with placeholder texts.
pub fn rule(code: &str, level: &str, when: &str) -> String {
    format!(
        "[[rule]]\ncode = \"{code}\"\nname = \"TestCondition\"\nname_zh = \"测试\"\nname_en = \"Test\"\nlevel = \"{level}\"\n\
         when = '{when}'\naction_zh = \"跟踪\"\naction_en = \"Track\"\nsource = \"test\"\n"
    )
}

/// A pack holding one rule `T01` with this condition.
pub fn one_rule(when: &str) -> RulePack {
    let text = pack_text(&rule("T01", "yellow", when));
    RulePack::from_toml(&text, "test.toml", &catalogue()).unwrap_or_else(|e| panic!("{e}"))
}
