//! The generated portfolio checked against the importer's rules, its documented default
//! process and the structure later features rely on.

mod defaults;
mod ledger;
mod structure;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use credence_demo::{DemoConfig, DemoSummary, generate};
use credence_records::{FieldType, Kind, Record, Value};

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

pub fn run(customers: usize, seed: u64) -> (Vec<Record>, DemoSummary) {
    let config = DemoConfig { customers, seed, as_of: as_of() };
    let mut records = Vec::new();
    let summary = generate(&config, &mut |r| {
        records.push(r);
        Ok::<(), ()>(())
    })
    .unwrap();
    (records, summary)
}

/// One portfolio shared by the tests that only read it.
pub fn portfolio() -> &'static (Vec<Record>, DemoSummary) {
    static P: OnceLock<(Vec<Record>, DemoSummary)> = OnceLock::new();
    P.get_or_init(|| run(3000, 42))
}

pub fn of(records: &[Record], kind: Kind) -> impl Iterator<Item = &Record> {
    records.iter().filter(move |r| r.kind == kind)
}

pub fn int(r: &Record, c: &str) -> i64 {
    r.int(c).unwrap_or_else(|| panic!("{} {c} missing: {:?}", r.kind, r.values))
}

pub fn text<'a>(r: &'a Record, c: &str) -> &'a str {
    r.text(c).unwrap_or_else(|| panic!("{} {c} missing", r.kind))
}

#[test]
fn same_seed_same_records_other_seed_other_records() {
    let (a, sa) = run(250, 9);
    let (b, sb) = run(250, 9);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    let (c, _) = run(250, 10);
    assert_ne!(a, c);
    // A customer's own data does not depend on how many customers are generated.
    let (small, _) = run(40, 9);
    let first = |rs: &[Record]| {
        of(rs, Kind::Statements).filter(|r| text(r, "customer_id") == "C0000007").cloned().collect::<Vec<_>>()
    };
    assert_eq!(first(&small), first(&a));
    assert!(!first(&a).is_empty());
}

#[test]
fn summary_counts_what_was_emitted() {
    let (records, summary) = portfolio();
    assert_eq!(summary.customers, 3000);
    for kind in Kind::ALL {
        assert_eq!(summary.count(kind), of(records, kind).count() as u64, "{kind}");
        // The trade-credit demo holds no utility billing accounts.
        assert_eq!(summary.count(kind) > 0, !kind.is_billing(), "{kind}");
    }
    let defaults = of(records, Kind::Events).filter(|r| text(r, "event_type") == "default").count() as u64;
    assert_eq!(defaults, summary.defaults);
}

/// Every record passes the importer's per-record rules: required cells, dependent
/// currencies, percent and sentiment ranges, dates not after as_of, text lengths.
#[test]
fn every_record_passes_the_import_rules() {
    let (records, _) = portfolio();
    let as_of = as_of().to_string();
    for r in records {
        let schema = r.schema();
        for (field, value) in schema.fields.iter().zip(&r.values) {
            let at = || format!("{}.{} in {:?}", schema.table, field.name, r.values);
            if field.required {
                assert!(!value.is_null(), "required {}", at());
            }
            match (field.ty, value) {
                (_, Value::Null) => {}
                (FieldType::Money { currency }, Value::Int(_)) => {
                    assert!(r.text(currency).is_some(), "currency of {}", at())
                }
                (FieldType::Integer, Value::Int(_)) => {}
                (FieldType::Bool, Value::Int(b)) => assert!(*b == 0 || *b == 1, "{}", at()),
                (FieldType::Percent, Value::Real(p)) => {
                    assert!((0.0..=100.0).contains(p), "{}", at())
                }
                (FieldType::Text { max_chars }, Value::Text(s)) => {
                    assert!(s.chars().count() <= max_chars, "{}", at())
                }
                (FieldType::Id, Value::Text(s)) => {
                    assert!(s.chars().count() <= 64 && !s.contains('\n') && s.trim() == s, "{}", at())
                }
                (FieldType::Date, Value::Text(d)) => {
                    assert!(NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(), "{}", at());
                    let may_be_future = matches!(
                        (r.kind, field.name),
                        (Kind::Orders, "ship_date") | (Kind::Milestones | Kind::Invoices, "due_date")
                    );
                    assert!(may_be_future || d.as_str() <= as_of.as_str(), "future {}", at());
                }
                (FieldType::Label(set), Value::Text(s)) => {
                    assert_eq!(set.parse(s), Some(s.as_str()), "{}", at())
                }
                (FieldType::Currency, Value::Text(s)) => {
                    assert!(s == "CNY" || s == "USD", "{}", at())
                }
                (FieldType::Uscc, Value::Text(s)) => {
                    assert!(credence_domain::Uscc::parse(s).is_ok(), "{}", at())
                }
                (FieldType::Number, Value::Real(x)) => assert!(x.is_finite(), "{}", at()),
                (ty, v) => panic!("{} holds {v:?} for {ty:?}", at()),
            }
        }
        match r.kind {
            Kind::Customers if text(r, "customer_type") != "individual" => {
                assert!(r.text("uscc").is_some() && r.text("legal_representative").is_some());
            }
            Kind::Customers => {
                assert!(r.text("uscc").is_none() && text(r, "registration_no").len() == 18)
            }
            Kind::Invoices | Kind::Payments | Kind::CreditNotes | Kind::Orders | Kind::Milestones => {
                assert!(int(r, "amount") > 0, "{:?}", r.values)
            }
            Kind::Events => {
                if let Some(s) = r.real("sentiment") {
                    assert!((-1.0..=1.0).contains(&s));
                }
                if let Some(p) = r.real("change_pct") {
                    assert!((0.0..=100.0).contains(&p));
                }
                assert!(r.int("amount").is_none_or(|a| a > 0));
            }
            Kind::Relationships => {
                assert_ne!(text(r, "from_party"), text(r, "to_party"));
                if let (Some(s), Some(e)) = (r.text("start_date"), r.text("end_date")) {
                    assert!(s < e);
                }
                match text(r, "relation_type") {
                    "ownership" => {
                        assert!(r.real("share_pct").is_some_and(|s| s > 0.0 && s <= 100.0))
                    }
                    "guarantee" => assert!(int(r, "amount") > 0 && text(r, "currency") == "CNY"),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[test]
fn natural_keys_unique_and_references_already_emitted() {
    let (records, _) = portfolio();
    let mut keys: HashMap<Kind, HashSet<String>> = HashMap::new();
    let mut customers = HashSet::new();
    let mut invoices = HashMap::new();
    let (mut names, mut codes) = (HashSet::new(), HashSet::new());
    for r in records {
        assert!(keys.entry(r.kind).or_default().insert(r.key()), "{} key {} twice", r.kind, r.key());
        match r.kind {
            Kind::Customers => {
                customers.insert(text(r, "customer_id").to_owned());
                assert!(names.insert(text(r, "name").to_owned()), "name {} twice", text(r, "name"));
                if let Some(code) = r.text("uscc") {
                    assert!(codes.insert(code.to_owned()));
                }
            }
            Kind::Invoices => {
                invoices.insert(text(r, "invoice_no").to_owned(), text(r, "customer_id").to_owned());
            }
            Kind::Relationships => {
                for side in ["from_party", "to_party"] {
                    let party = text(r, side);
                    assert!(customers.contains(party) || party.starts_with('P'), "{party}");
                }
            }
            _ => {}
        }
        if let Some(c) = r.schema().customer_column {
            assert!(customers.contains(text(r, c)), "{} before its customer", r.kind);
        }
        if matches!(r.kind, Kind::Payments | Kind::CreditNotes) {
            assert_eq!(invoices.get(text(r, "invoice_no")).map(String::as_str), Some(text(r, "customer_id")));
        }
    }
}
