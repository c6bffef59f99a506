//! Stored records of one customer turned into the plain credit file analytics read:
//! money in major units as `f64`, dates as dates, statement items by index.

use chrono::NaiveDate;
use credence_domain::{Currency, EventKind, Labelled, PeriodType};
use credence_indicators::{
    CreditNote, CustomerFile, Event, Invoice, Order, Payment, STATEMENT_ITEMS, Statement,
};
use credence_records::{FieldType, Kind, Record};
use credence_store::CustomerRecords;
use std::sync::OnceLock;

/// A qualitative score an analyst entered (factor code, 0–100).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Qualitative {
    pub factor: String,
    pub score: f64,
    pub assessed_on: String,
}

fn date(r: &Record, column: &str) -> Result<NaiveDate, String> {
    let text = r.text(column).ok_or_else(|| format!("{} {column} is empty", r.kind))?;
    text.parse().map_err(|_| format!("{} {column} '{text}' is not a date", r.kind))
}

fn opt_date(r: &Record, column: &str) -> Option<NaiveDate> {
    r.text(column).and_then(|t| t.parse().ok())
}

/// An amount column in major units of the record's currency.
fn money(r: &Record, column: &str, currency_column: &str) -> Option<f64> {
    let minor = r.int(column)?;
    let exponent = r.text(currency_column).and_then(|c| Currency::parse(c).ok()).map_or(2, |c| c.exponent());
    Some(minor as f64 / 10_f64.powi(i32::from(exponent)))
}

/// For each statement item, its column in the statements schema and whether it is money.
fn statement_columns() -> &'static [(usize, bool)] {
    static COLS: OnceLock<Vec<(usize, bool)>> = OnceLock::new();
    COLS.get_or_init(|| {
        let schema = Kind::Statements.schema();
        STATEMENT_ITEMS
            .iter()
            .map(|name| {
                let i = schema.col(name);
                (i, matches!(schema.fields[i].ty, FieldType::Money { .. }))
            })
            .collect()
    })
}

fn statement(r: &Record) -> Result<Statement, String> {
    let exponent = r.text("currency").and_then(|c| Currency::parse(c).ok()).map_or(2, |c| c.exponent());
    let scale = 10_f64.powi(i32::from(exponent));
    let values = statement_columns()
        .iter()
        .map(|&(i, is_money)| match r.values[i].as_real() {
            Some(v) if is_money => v / scale,
            Some(v) => v,
            None => f64::NAN,
        })
        .collect();
    let period_type = r
        .text("period_type")
        .and_then(PeriodType::parse_label)
        .ok_or_else(|| "statement period_type is not Q, H or A".to_owned())?;
    Ok(Statement {
        period_end: date(r, "period_end")?,
        period_type,
        audited: r.int("audited") == Some(1),
        values,
    })
}

/// Builds a customer's credit file and its analysts' qualitative scores. An error names
/// the record that could not be read; the caller records it against the customer.
pub fn credit_file(c: &CustomerRecords) -> Result<(CustomerFile, Vec<Qualitative>), String> {
    let m = &c.customer;
    let mut statements = c.of(Kind::Statements).iter().map(statement).collect::<Result<Vec<_>, _>>()?;
    statements.sort_by(|a, b| {
        a.period_end.cmp(&b.period_end).then(a.period_type.months().cmp(&b.period_type.months()))
    });
    let mut invoices = c
        .of(Kind::Invoices)
        .iter()
        .map(|r| {
            Ok(Invoice {
                invoice_no: r.text("invoice_no").unwrap_or_default().to_owned(),
                issue_date: date(r, "issue_date")?,
                due_date: date(r, "due_date")?,
                amount: money(r, "amount", "currency").unwrap_or(0.0),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    invoices.sort_by(|a, b| a.issue_date.cmp(&b.issue_date).then_with(|| a.invoice_no.cmp(&b.invoice_no)));
    let payments = c
        .of(Kind::Payments)
        .iter()
        .map(|r| {
            Ok(Payment {
                invoice_no: r.text("invoice_no").map(str::to_owned),
                date: date(r, "payment_date")?,
                amount: money(r, "amount", "currency").unwrap_or(0.0),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let credit_notes = c
        .of(Kind::CreditNotes)
        .iter()
        .map(|r| {
            Ok(CreditNote {
                invoice_no: r.text("invoice_no").unwrap_or_default().to_owned(),
                date: date(r, "issue_date")?,
                amount: money(r, "amount", "currency").unwrap_or(0.0),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let orders = c
        .of(Kind::Orders)
        .iter()
        .map(|r| {
            Ok(Order {
                order_date: date(r, "order_date")?,
                amount: money(r, "amount", "currency").unwrap_or(0.0),
                open: r.text("status") == Some("open"),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut events = c
        .of(Kind::Events)
        .iter()
        .map(|r| {
            let kind = r
                .text("event_type")
                .and_then(EventKind::parse_label)
                .ok_or_else(|| format!("event type {:?} is unknown", r.text("event_type")))?;
            Ok(Event {
                kind,
                date: date(r, "event_date")?,
                amount: money(r, "amount", "currency"),
                count: r.int("count").map(|v| v as f64),
                change_pct: r.real("change_pct"),
                sentiment: r.real("sentiment"),
                role: r.text("role").map(str::to_owned),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    events.sort_by_key(|e| e.date);
    let qualitative = c
        .of(Kind::Assessments)
        .iter()
        .map(|r| Qualitative {
            factor: r.text("factor").unwrap_or_default().to_owned(),
            score: r.real("score").unwrap_or(f64::NAN),
            assessed_on: r.text("assessed_on").unwrap_or_default().to_owned(),
        })
        .collect();
    let file = CustomerFile {
        customer_id: m.text("customer_id").unwrap_or_default().to_owned(),
        customer_type: m.text("customer_type").unwrap_or_default().to_owned(),
        industry: m.text("industry").unwrap_or_default().to_owned(),
        sub_industry: m.text("sub_industry").map(str::to_owned),
        region: m.text("region").unwrap_or_default().to_owned(),
        relationship_start: opt_date(m, "relationship_start").ok_or("relationship_start is not a date")?,
        credit_limit: money(m, "credit_limit", "limit_currency"),
        payment_terms_days: m.int("payment_terms_days").map(|d| d as f64),
        statements,
        invoices,
        payments,
        credit_notes,
        orders,
        events,
    };
    Ok((file, qualitative))
}
