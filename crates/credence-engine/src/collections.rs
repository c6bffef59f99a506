//! The collection log (CTRL-9): actions taken, promises to pay and disputes, each checked
//! against the stored customer and invoice before it is written, so the log names only
//! customers and invoices that exist.

use crate::columns::invoices;
use chrono::NaiveDate;
use credence_control::{Action, CollectionStrategy};
use credence_domain::Timestamp;
use credence_domain::{Currency, Labelled};
use credence_records::Kind;
use credence_store::{CollectionAction, ResolveOutcome, Store, StoredDispute, StoredPromise};

use crate::EngineError;

fn require_customer(store: &mut Store, customer: &str) -> Result<(), EngineError> {
    match store.record(Kind::Customers, customer)? {
        Some(_) => Ok(()),
        None => Err(EngineError::UnknownCustomer { id: customer.to_owned() }),
    }
}

/// The invoice's amount and currency, once it is known to be the customer's.
fn customer_invoice(store: &mut Store, customer: &str, invoice: &str) -> Result<(i64, String), EngineError> {
    let record = store
        .record(Kind::Invoices, invoice)?
        .ok_or_else(|| EngineError::UnknownInvoice { invoice: invoice.to_owned() })?;
    let owner = invoices::CUSTOMER_ID.text(&record).unwrap_or_default();
    if owner != customer {
        return Err(EngineError::InvoiceOfAnotherCustomer {
            invoice: invoice.to_owned(),
            owner: owner.to_owned(),
            customer: customer.to_owned(),
        });
    }
    Ok((
        invoices::AMOUNT.int(&record).unwrap_or(0),
        invoices::CURRENCY.text(&record).unwrap_or_default().to_owned(),
    ))
}

fn positive(amount: i64) -> Result<(), EngineError> {
    if amount <= 0 {
        return Err(EngineError::BadCollectionEntry {
            field: "amount",
            rule: "must be above zero",
            value: amount.to_string(),
        });
    }
    Ok(())
}

/// Logs an action taken with a customer on `date`.
pub fn log_collection_action(
    store: &mut Store,
    customer: &str,
    action: Action,
    date: NaiveDate,
    note: &str,
    actor: &str,
    at: &Timestamp,
) -> Result<(), EngineError> {
    require_customer(store, customer)?;
    let entry = CollectionAction {
        customer_id: customer.into(),
        action_date: date.to_string(),
        action: action.code().to_owned(),
        note: note.to_owned(),
        actor: actor.to_owned(),
    };
    Ok(store.log_collection_action(&entry, at)?)
}

/// A promise to pay as a collector takes it down.
#[derive(Debug, Clone)]
pub struct NewPromise<'a> {
    pub customer: &'a str,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    pub made_on: NaiveDate,
    pub promised_date: NaiveDate,
    /// The invoice it is for; `None` for the account as a whole.
    pub invoice: Option<&'a str>,
    pub actor: &'a str,
}

/// Logs a promise to pay. It keeps the strategy's grace days of the day it was made.
pub fn log_promise(
    store: &mut Store,
    strategy: &CollectionStrategy,
    p: &NewPromise<'_>,
    at: &Timestamp,
) -> Result<(), EngineError> {
    require_customer(store, p.customer)?;
    positive(p.amount)?;
    if p.promised_date < p.made_on {
        return Err(EngineError::BadCollectionEntry {
            field: "promised date",
            rule: "must be on or after the day the promise is made",
            value: format!("{} before {}", p.promised_date, p.made_on),
        });
    }
    if let Some(invoice) = p.invoice {
        customer_invoice(store, p.customer, invoice)?;
    }
    let stored = StoredPromise {
        customer_id: p.customer.into(),
        made_on: p.made_on.to_string(),
        promised_date: p.promised_date.to_string(),
        currency: p.currency.code().to_owned(),
        amount: p.amount,
        invoice_no: p.invoice.map(str::to_owned),
        grace_days: Some(strategy.promise_grace_days()),
        actor: p.actor.to_owned(),
    };
    Ok(store.log_promise(&stored, at)?)
}

/// A dispute about an invoice as a collector enters it.
#[derive(Debug, Clone, Copy)]
pub struct NewDispute<'a> {
    pub customer: &'a str,
    pub invoice: &'a str,
    pub opened_on: NaiveDate,
    /// Minor units of the invoice's currency; `None` for the whole invoice.
    pub amount: Option<i64>,
    pub reason: &'a str,
    pub actor: &'a str,
}

/// Opens a dispute about one of the customer's invoices, for its whole amount unless
/// `amount` says less; returns the dispute's id. An invoice has one open dispute at a
/// time.
pub fn open_dispute(store: &mut Store, d: &NewDispute<'_>, at: &Timestamp) -> Result<i64, EngineError> {
    let NewDispute { customer, invoice, opened_on, amount, reason, actor } = *d;
    require_customer(store, customer)?;
    let (invoice_amount, currency) = customer_invoice(store, customer, invoice)?;
    let amount = amount.unwrap_or(invoice_amount);
    positive(amount)?;
    if amount > invoice_amount {
        return Err(EngineError::BadCollectionEntry {
            field: "amount",
            rule: "cannot exceed the invoice's amount",
            value: format!("{amount} > {invoice_amount} (minor units)"),
        });
    }
    if reason.trim().is_empty() {
        return Err(EngineError::BadCollectionEntry {
            field: "reason",
            rule: "is required",
            value: "''".into(),
        });
    }
    let open = store.disputes(Some((customer, customer)))?.remove(customer).unwrap_or_default();
    if let Some(d) = open.iter().find(|d| d.invoice_no == invoice && d.resolved_on.is_none()) {
        return Err(EngineError::DisputeOpen { invoice: invoice.to_owned(), id: d.id });
    }
    let dispute = StoredDispute {
        id: 0,
        customer_id: customer.into(),
        invoice_no: invoice.to_owned(),
        opened_on: opened_on.to_string(),
        currency,
        amount,
        reason: reason.trim().to_owned(),
        actor: actor.to_owned(),
        resolved_on: None,
        resolution: None,
        resolved_by: None,
    };
    Ok(store.open_dispute(&dispute, at)?)
}

/// Resolves an open dispute on `on` with what was agreed (e.g. "credit note CN-12 for
/// damaged goods", "customer withdrew").
pub fn resolve_dispute(
    store: &mut Store,
    id: i64,
    on: NaiveDate,
    resolution: &str,
    actor: &str,
) -> Result<(), EngineError> {
    if resolution.trim().is_empty() {
        return Err(EngineError::BadCollectionEntry {
            field: "resolution",
            rule: "is required",
            value: "''".into(),
        });
    }
    let opened = store.dispute(id)?.map(|d| d.opened_on);
    match opened {
        None => return Err(EngineError::UnknownDispute { id }),
        Some(o) if on.to_string() < o => {
            return Err(EngineError::BadCollectionEntry {
                field: "resolved on",
                rule: "cannot be before the dispute was opened",
                value: format!("{on} before {o}"),
            });
        }
        Some(_) => {}
    }
    match store.resolve_dispute(id, &on.to_string(), resolution.trim(), actor)? {
        ResolveOutcome::Resolved => Ok(()),
        ResolveOutcome::NotFound => Err(EngineError::UnknownDispute { id }),
        ResolveOutcome::AlreadyResolved(on) => Err(EngineError::DisputeResolved { id, on }),
    }
}

/// Disputes, oldest first: every one, or only those open at `open_on`, of one customer
/// or all.
pub fn disputes(
    store: &mut Store,
    customer: Option<&str>,
    open_on: Option<NaiveDate>,
) -> Result<Vec<StoredDispute>, EngineError> {
    let mut all: Vec<StoredDispute> =
        store.disputes(customer.map(|c| (c, c)))?.into_values().flatten().collect();
    if let Some(d) = open_on {
        all.retain(|x| is_open(x, d));
    }
    all.sort_by_key(|x| x.id);
    Ok(all)
}

/// Whether a dispute is open on a date: opened by then and not resolved before it ends.
pub(crate) fn is_open(d: &StoredDispute, on: NaiveDate) -> bool {
    let day = on.to_string();
    d.opened_on <= day && d.resolved_on.as_deref().is_none_or(|r| r > day.as_str())
}
