//! Building blocks of the hand-built credit files and the checks every test uses.

use chrono::NaiveDate;
use credence_domain::PeriodType;
use credence_indicators::{
    Catalogue, CustomerFile, EvalOptions, IndicatorSet, STATEMENT_ITEMS, Statement, statement_item,
};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The as-of date of every fixture: the end of the third quarter of 2026.
pub fn as_of() -> NaiveDate {
    d(2026, 9, 30)
}

/// A statement with the given items; every other item is not reported.
pub fn statement(period_end: NaiveDate, period_type: PeriodType, items: &[(&str, f64)]) -> Statement {
    let mut values = vec![f64::NAN; STATEMENT_ITEMS.len()];
    for (name, v) in items {
        values[statement_item(name).unwrap_or_else(|| panic!("no item {name}"))] = *v;
    }
    Statement { period_end, period_type, audited: false, values }
}

pub fn quarter(period_end: NaiveDate, items: &[(&str, f64)]) -> Statement {
    statement(period_end, PeriodType::Quarter, items)
}

/// A file with nothing in it but the master data.
pub fn empty_file(industry: &str, sub_industry: Option<&str>) -> CustomerFile {
    CustomerFile {
        customer_id: "C0000001".into(),
        customer_type: "sme".into(),
        industry: industry.into(),
        sub_industry: sub_industry.map(str::to_owned),
        region: "福建".into(),
        relationship_start: d(2019, 4, 1),
        credit_limit: None,
        payment_terms_days: Some(30.0),
        statements: vec![],
        invoices: vec![],
        payments: vec![],
        credit_notes: vec![],
        orders: vec![],
        events: vec![],
        promises: vec![],
        disputes: vec![],
        utility_bills: vec![],
    }
}

pub fn evaluate(file: &CustomerFile) -> IndicatorSet {
    Catalogue::builtin().evaluate(file, as_of(), &EvalOptions::default())
}

/// What an indicator should come out as.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    Value(f64),
    Missing(&'static str),
}

/// Checks indicators of a set: values to 1e-9 relative, reasons exactly.
pub fn check(set: &IndicatorSet, expected: &[(&str, Expect)]) {
    for (id, want) in expected {
        let got = set.get(id).unwrap_or_else(|| panic!("no indicator {id}"));
        match want {
            Expect::Value(v) => {
                let value = got.value.unwrap_or_else(|| panic!("{id} is missing: {:?}", got.missing));
                assert!((value - v).abs() <= 1e-9 * v.abs().max(1.0), "{id}: got {value}, expected {v}");
                assert_eq!(got.missing, None, "{id}");
            }
            Expect::Missing(reason) => {
                assert_eq!(got.value, None, "{id} has a value");
                assert_eq!(got.missing.as_deref(), Some(*reason), "{id}");
            }
        }
    }
}

/// A catalogue of ad-hoc indicators `(id, unit, formula)` with placeholder thresholds.
pub fn catalogue(entries: &[(&str, &str, &str)]) -> Catalogue {
    let mut text = String::from("version = \"test\"\n");
    for (id, unit, formula) in entries {
        text.push_str(&format!(
            "[[indicator]]\nid = \"{id}\"\nname_zh = \"测试\"\nname_en = \"Test\"\ngroup = \"financial\"\n\
             unit = \"{unit}\"\ndirection = \"higher_better\"\nformula = '''{formula}'''\ndoc = \"test\"\n\
             thresholds.default = {{ good = 1, poor = 0, source = \"test\" }}\n"
        ));
    }
    Catalogue::from_toml(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}
