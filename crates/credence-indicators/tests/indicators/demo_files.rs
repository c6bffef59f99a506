//! Credit files of the synthetic demo portfolio, converted from its records the way the
//! engine converts stored rows: money from minor units, dates from ISO text.

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_demo::{DemoConfig, generate};
use credence_domain::{EventKind, Labelled, PeriodType};
use credence_indicators::{
    CreditNote, CustomerFile, Event, Invoice, Order, Payment, STATEMENT_ITEMS, Statement,
};
use credence_records::{FieldType, Kind, Record, Value};

fn date(r: &Record, column: &str) -> Option<NaiveDate> {
    r.text(column).and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
}

/// A numeric cell: money in major units, other numbers as they are.
fn number(r: &Record, column: &str) -> Option<f64> {
    let field = &r.schema().fields[r.schema().index(column)?];
    match (r.get(column), field.ty) {
        (Value::Int(minor), FieldType::Money { .. }) => Some(*minor as f64 / 100.0),
        (v, _) => v.as_real(),
    }
}

fn text(r: &Record, column: &str) -> String {
    r.text(column).unwrap_or_default().to_owned()
}

/// Generates `customers` demo customers and converts them to credit files.
pub fn demo_files(customers: usize, seed: u64, as_of: NaiveDate) -> Vec<CustomerFile> {
    let config = DemoConfig { customers, seed, as_of };
    let mut files: Vec<CustomerFile> = Vec::with_capacity(customers);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut sink = |r: Record| -> Result<(), ()> {
        if r.kind == Kind::Customers {
            index.insert(text(&r, "customer_id"), files.len());
            files.push(CustomerFile {
                customer_id: text(&r, "customer_id"),
                customer_type: text(&r, "customer_type"),
                industry: text(&r, "industry"),
                sub_industry: r.text("sub_industry").map(str::to_owned),
                region: text(&r, "region"),
                relationship_start: date(&r, "relationship_start").unwrap_or(as_of),
                credit_limit: number(&r, "credit_limit"),
                payment_terms_days: number(&r, "payment_terms_days"),
                statements: vec![],
                invoices: vec![],
                payments: vec![],
                credit_notes: vec![],
                orders: vec![],
                events: vec![],
                promises: vec![],
                disputes: vec![],
                utility_bills: vec![],
            });
            return Ok(());
        }
        let customer = r.try_get("customer_id").and_then(Value::as_text);
        let Some(&i) = customer.and_then(|c| index.get(c)) else {
            return Ok(());
        };
        let f = &mut files[i];
        match r.kind {
            Kind::Statements => f.statements.push(Statement {
                period_end: date(&r, "period_end").unwrap(),
                period_type: PeriodType::parse_label(&text(&r, "period_type")).unwrap(),
                audited: r.int("audited") == Some(1),
                values: STATEMENT_ITEMS.iter().map(|c| number(&r, c).unwrap_or(f64::NAN)).collect(),
            }),
            Kind::Invoices => f.invoices.push(Invoice {
                invoice_no: text(&r, "invoice_no"),
                issue_date: date(&r, "issue_date").unwrap(),
                due_date: date(&r, "due_date").unwrap(),
                amount: number(&r, "amount").unwrap_or(0.0),
            }),
            Kind::Payments => f.payments.push(Payment {
                invoice_no: r.text("invoice_no").map(str::to_owned),
                date: date(&r, "payment_date").unwrap(),
                amount: number(&r, "amount").unwrap_or(0.0),
            }),
            Kind::CreditNotes => f.credit_notes.push(CreditNote {
                invoice_no: text(&r, "invoice_no"),
                date: date(&r, "issue_date").unwrap(),
                amount: number(&r, "amount").unwrap_or(0.0),
            }),
            Kind::Orders => f.orders.push(Order {
                order_date: date(&r, "order_date").unwrap(),
                amount: number(&r, "amount").unwrap_or(0.0),
                open: r.text("status") == Some("open"),
            }),
            Kind::Events => f.events.push(Event {
                kind: EventKind::parse_label(&text(&r, "event_type")).unwrap(),
                date: date(&r, "event_date").unwrap(),
                amount: number(&r, "amount"),
                count: number(&r, "count"),
                change_pct: number(&r, "change_pct"),
                sentiment: number(&r, "sentiment"),
                role: r.text("role").map(str::to_owned),
            }),
            _ => {}
        }
        Ok(())
    };
    generate(&config, &mut sink).unwrap();
    for f in &mut files {
        f.statements.sort_by_key(|s| (s.period_end, s.period_type));
        f.invoices.sort_by_key(|i| i.issue_date);
        f.events.sort_by_key(|e| e.date);
    }
    files
}
