//! Stored records of customers turned into the plain credit files analytics read: money
//! in major units as `f64`, dates as dates, statement items by index. The records stream
//! from the store as borrowed cells of just the columns used here, so a million credit
//! files are built without a string allocated per cell.

use crate::columns::customers;
use chrono::NaiveDate;
use credence_domain::{Currency, EventKind, Labelled, PeriodType};
use credence_indicators::{
    CreditNote, CustomerFile, Dispute, Event, Invoice, Order, Payment, PromiseOutcome, STATEMENT_ITEMS,
    Statement, UtilityBill,
};
use credence_records::{Kind, Record};
use credence_store::{AccountLedger, Cell, CustomerHead, Store, StoreError, StoredDispute, StoredPromise};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A qualitative score an analyst entered (factor code, 0–100).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Qualitative {
    pub factor: String,
    pub score: f64,
    pub assessed_on: String,
}

/// One customer's credit file as loaded: its master record and version, and the file
/// with the analysts' scores, or the reason the file cannot be built (a record that is
/// not what the store should hold).
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub head: CustomerHead,
    pub file: Result<(CustomerFile, Vec<Qualitative>), String>,
}

impl LoadedFile {
    pub fn customer_id(&self) -> &str {
        customers::CUSTOMER_ID.text(&self.head.customer).unwrap_or_default()
    }
}

const STATEMENT_HEAD: [&str; 4] = ["period_end", "period_type", "audited", "currency"];
const INVOICE: &[&str] = &["invoice_no", "issue_date", "due_date", "amount", "currency"];
const PAYMENT: &[&str] = &["invoice_no", "payment_date", "amount", "currency"];
const CREDIT_NOTE: &[&str] = &["invoice_no", "issue_date", "amount", "currency"];
const ORDER: &[&str] = &["order_date", "amount", "currency", "status"];
const EVENT: &[&str] =
    &["event_type", "event_date", "amount", "currency", "count", "change_pct", "sentiment", "role"];
const ASSESSMENT: &[&str] = &["factor", "score", "assessed_on"];

/// The statement columns read: the head, then every item of [`STATEMENT_ITEMS`].
fn statement_columns() -> &'static [&'static str] {
    static COLS: OnceLock<Vec<&'static str>> = OnceLock::new();
    COLS.get_or_init(|| STATEMENT_HEAD.iter().chain(STATEMENT_ITEMS).copied().collect())
}

/// For each statement item, whether its column is money (scaled by the currency).
fn statement_money() -> &'static [bool] {
    static MONEY: OnceLock<Vec<bool>> = OnceLock::new();
    MONEY.get_or_init(|| {
        let schema = Kind::Statements.schema();
        STATEMENT_ITEMS
            .iter()
            .map(|name| {
                matches!(schema.fields[schema.col(name)].ty, credence_records::FieldType::Money { .. })
            })
            .collect()
    })
}

/// Parses a stored date. The store writes ISO `YYYY-MM-DD`; that form is read by hand
/// because chrono's general format parser costs more than the rest of a credit file's
/// assembly together. Anything else goes through chrono.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0_u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    text.parse().ok()
}

/// 10^exponent of a currency code; unknown or absent codes count as 2 decimals (the
/// validator refuses unknown codes on import).
fn scale_of(code: Option<&str>) -> f64 {
    10_f64.powi(code.and_then(|c| Currency::parse(c).ok()).map_or(2, |c| i32::from(c.exponent())))
}

/// One customer's file while its records stream in.
#[derive(Default)]
struct Partial {
    statements: Vec<Statement>,
    invoices: Vec<Invoice>,
    payments: Vec<Payment>,
    credit_notes: Vec<CreditNote>,
    orders: Vec<Order>,
    events: Vec<Event>,
    qualitative: Vec<Qualitative>,
    /// The first record that could not be read.
    error: Option<String>,
}

/// Turns streamed cells into typed parts, remembering each currency's scale.
#[derive(Default)]
struct Builder {
    files: Vec<Partial>,
    scales: HashMap<String, f64>,
}

impl Builder {
    /// [`scale_of`], remembered per code.
    fn scale(&mut self, code: Cell<'_>) -> f64 {
        let Some(code) = code.text() else { return scale_of(None) };
        if let Some(&s) = self.scales.get(code) {
            return s;
        }
        let s = scale_of(Some(code));
        self.scales.insert(code.to_owned(), s);
        s
    }

    fn money(&mut self, amount: Cell<'_>, currency: Cell<'_>) -> Option<f64> {
        let minor = amount.real()?;
        Some(minor / self.scale(currency))
    }

    fn visit(&mut self, customer: usize, kind: Kind, c: &[Cell<'_>]) {
        if self.files.len() <= customer {
            self.files.resize_with(customer + 1, Partial::default);
        }
        if self.files[customer].error.is_some() {
            return;
        }
        if let Err(e) = self.read(customer, kind, c) {
            self.files[customer].error = Some(e);
        }
    }

    fn read(&mut self, customer: usize, kind: Kind, c: &[Cell<'_>]) -> Result<(), String> {
        let date = |i: usize, what: &str| {
            let text = c[i].text().ok_or_else(|| format!("{kind} {what} is empty"))?;
            parse_date(text).ok_or_else(|| format!("{kind} {what} '{text}' is not a date"))
        };
        match kind {
            Kind::Statements => {
                let scale = self.scale(c[3]);
                let values = c[STATEMENT_HEAD.len()..]
                    .iter()
                    .zip(statement_money())
                    .map(|(v, &is_money)| match v.real() {
                        Some(v) if is_money => v / scale,
                        Some(v) => v,
                        None => f64::NAN,
                    })
                    .collect();
                let period_type = c[1]
                    .text()
                    .and_then(PeriodType::parse_label)
                    .ok_or_else(|| "statement period_type is not Q, H or A".to_owned())?;
                let s = Statement {
                    period_end: date(0, "period_end")?,
                    period_type,
                    audited: c[2].int() == Some(1),
                    values,
                };
                self.files[customer].statements.push(s);
            }
            Kind::Invoices => {
                let i = Invoice {
                    invoice_no: c[0].text().unwrap_or_default().to_owned(),
                    issue_date: date(1, "issue_date")?,
                    due_date: date(2, "due_date")?,
                    amount: self.money(c[3], c[4]).unwrap_or(0.0),
                };
                self.files[customer].invoices.push(i);
            }
            Kind::Payments => {
                let p = Payment {
                    invoice_no: c[0].text().map(str::to_owned),
                    date: date(1, "payment_date")?,
                    amount: self.money(c[2], c[3]).unwrap_or(0.0),
                };
                self.files[customer].payments.push(p);
            }
            Kind::CreditNotes => {
                let n = CreditNote {
                    invoice_no: c[0].text().unwrap_or_default().to_owned(),
                    date: date(1, "issue_date")?,
                    amount: self.money(c[2], c[3]).unwrap_or(0.0),
                };
                self.files[customer].credit_notes.push(n);
            }
            Kind::Orders => {
                let o = Order {
                    order_date: date(0, "order_date")?,
                    amount: self.money(c[1], c[2]).unwrap_or(0.0),
                    open: c[3].text() == Some("open"),
                };
                self.files[customer].orders.push(o);
            }
            Kind::Events => {
                let kind = c[0]
                    .text()
                    .and_then(EventKind::parse_label)
                    .ok_or_else(|| format!("event type {:?} is unknown", c[0].text()))?;
                let e = Event {
                    kind,
                    date: date(1, "event_date")?,
                    amount: self.money(c[2], c[3]),
                    count: c[4].real(),
                    change_pct: c[5].real(),
                    sentiment: c[6].real(),
                    role: c[7].text().map(str::to_owned),
                };
                self.files[customer].events.push(e);
            }
            Kind::Assessments => {
                let q = Qualitative {
                    factor: c[0].text().unwrap_or_default().to_owned(),
                    score: c[1].real().unwrap_or(f64::NAN),
                    assessed_on: c[2].text().unwrap_or_default().to_owned(),
                };
                self.files[customer].qualitative.push(q);
            }
            _ => {}
        }
        Ok(())
    }
}

/// The master-data part of a credit file, with the records' parts.
fn assemble(m: &Record, p: Partial) -> Result<(CustomerFile, Vec<Qualitative>), String> {
    if let Some(e) = p.error {
        return Err(e);
    }
    let Partial {
        mut statements, mut invoices, payments, credit_notes, orders, mut events, qualitative, ..
    } = p;
    // Records arrive in natural-key order; analytics want them by date.
    statements.sort_by(|a, b| {
        a.period_end.cmp(&b.period_end).then(a.period_type.months().cmp(&b.period_type.months()))
    });
    invoices.sort_by(|a, b| a.issue_date.cmp(&b.issue_date).then_with(|| a.invoice_no.cmp(&b.invoice_no)));
    events.sort_by_key(|e| e.date);
    let file = CustomerFile {
        customer_id: customers::CUSTOMER_ID.text(m).unwrap_or_default().to_owned(),
        customer_type: customers::CUSTOMER_TYPE.text(m).unwrap_or_default().to_owned(),
        industry: customers::INDUSTRY.text(m).unwrap_or_default().to_owned(),
        sub_industry: customers::SUB_INDUSTRY.text(m).map(str::to_owned),
        region: customers::REGION.text(m).unwrap_or_default().to_owned(),
        relationship_start: customers::RELATIONSHIP_START
            .text(m)
            .and_then(parse_date)
            .ok_or("relationship_start is not a date")?,
        credit_limit: customers::CREDIT_LIMIT
            .int(m)
            .map(|v| v as f64 / scale_of(customers::LIMIT_CURRENCY.text(m))),
        payment_terms_days: customers::PAYMENT_TERMS_DAYS.int(m).map(|d| d as f64),
        statements,
        invoices,
        payments,
        credit_notes,
        orders,
        events,
        promises: Vec::new(),
        disputes: Vec::new(),
        utility_bills: Vec::new(),
    };
    Ok((file, qualitative))
}

/// Grace days for promises logged without their own: the shipped strategy's.
fn default_grace_days() -> u32 {
    static GRACE: OnceLock<u32> = OnceLock::new();
    *GRACE.get_or_init(|| credence_control::CollectionStrategy::builtin().promise_grace_days())
}

/// How a logged promise ended, from the file's payments: kept or broken on a day, or
/// still open. Payments after any as-of date are in the file too, but a promise decided
/// after a date counts as open at that date (see the indicators' `collections`).
fn promise_outcome(p: &StoredPromise, payments: &[Payment]) -> Option<PromiseOutcome> {
    let scale = scale_of(Some(&p.currency));
    let promise = credence_control::Promise {
        made_on: parse_date(&p.made_on)?,
        promised_date: parse_date(&p.promised_date)?,
        amount: p.amount,
        invoice_no: p.invoice_no.clone(),
        grace_days: p.grace_days,
    };
    let paid: Vec<credence_control::LedgerPayment> = payments
        .iter()
        .map(|x| credence_control::LedgerPayment {
            invoice_no: x.invoice_no.clone(),
            date: x.date,
            amount: (x.amount * scale).round() as i64,
        })
        .collect();
    let (decided_on, kept) =
        match credence_control::promise_status(&promise, &paid, NaiveDate::MAX, default_grace_days()) {
            credence_control::PromiseStatus::Kept { on } => (Some(on), true),
            credence_control::PromiseStatus::Broken { on, .. } => (Some(on), false),
            credence_control::PromiseStatus::Pending { .. } => (None, false),
        };
    Some(PromiseOutcome { made_on: promise.made_on, decided_on, kept })
}

/// Adds a customer's collection log (promises to pay, disputes) to its file, and to the
/// hash of its inputs: logging a promise or a dispute makes its rating stale.
fn add_collection_log(
    head: &mut CustomerHead,
    file: &mut CustomerFile,
    promises: &[StoredPromise],
    disputes: &[StoredDispute],
) {
    if promises.is_empty() && disputes.is_empty() {
        return;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(head.records_hash.as_bytes());
    for p in promises {
        let grace = p.grace_days.unwrap_or(default_grace_days());
        h.update(
            format!(
                "P|{}|{}|{}|{}|{:?}|{grace}\n",
                p.made_on, p.promised_date, p.currency, p.amount, p.invoice_no
            )
            .as_bytes(),
        );
        file.promises.extend(promise_outcome(p, &file.payments));
    }
    for d in disputes {
        h.update(format!("D|{}|{}\n", d.invoice_no, d.opened_on).as_bytes());
        if let Some(opened_on) = parse_date(&d.opened_on) {
            file.disputes.push(Dispute { invoice_no: d.invoice_no.clone(), opened_on });
        }
    }
    head.records_hash = format!("{:032x}", h.digest128());
}

/// Adds the bills of the utility billing accounts the customer holds or held to its file
/// (those issued while it held them), settled as the billing ledger settles them, and to
/// the hash of its inputs: a new bill, payment or change of holder makes its rating stale.
fn add_utility_accounts(head: &mut CustomerHead, file: &mut CustomerFile, held: &[AccountLedger]) {
    if held.is_empty() {
        return;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(head.records_hash.as_bytes());
    for account in held {
        h.update(format!("A|{}\n", account.account.account_id).as_bytes());
        for b in &account.bills {
            h.update(
                format!(
                    "B|{}|{}|{}|{}|{}|{}\n",
                    b.bill_id, b.issued, b.due, b.amount, b.currency, b.disputed
                )
                .as_bytes(),
            );
        }
        for p in &account.payments {
            h.update(format!("P|{}|{}|{}|{:?}\n", p.paid, p.amount, p.currency, p.bill_id).as_bytes());
        }
        for c in &account.holder_changes {
            h.update(
                format!(
                    "H|{}|{}|{:?}|{:?}\n",
                    c.change_type, c.date, c.previous_customer_id, c.new_customer_id
                )
                .as_bytes(),
            );
        }
        let ledger = crate::billing_ledger::Ledger::of(account);
        // Only the bills issued while this customer held the account are its own.
        let own =
            |b: &&crate::billing_ledger::Bill| account.holder_on(b.issued) == Some(file.customer_id.as_str());
        file.utility_bills.extend(ledger.bills.iter().filter(own).map(|b| UtilityBill {
            account_id: account.account.account_id.clone(),
            issue_date: b.issued,
            due_date: b.due,
            amount: b.amount as f64 / b.unit,
            disputed: b.disputed,
            applied: b.applied.iter().map(|(d, a)| (*d, *a as f64 / b.unit)).collect(),
        }));
    }
    file.utility_bills.sort_by_key(|b| b.issue_date);
    head.records_hash = format!("{:032x}", h.digest128());
}

/// The kinds and columns a credit file is built from.
fn wanted() -> [(Kind, &'static [&'static str]); 7] {
    [
        (Kind::Statements, statement_columns()),
        (Kind::Invoices, INVOICE),
        (Kind::Payments, PAYMENT),
        (Kind::CreditNotes, CREDIT_NOTE),
        (Kind::Orders, ORDER),
        (Kind::Events, EVENT),
        (Kind::Assessments, ASSESSMENT),
    ]
}

/// What a range of customers' files take from outside their records: the collection log
/// and the utility billing accounts they hold, by customer id.
#[derive(Default)]
struct Logs {
    promises: HashMap<String, Vec<StoredPromise>>,
    disputes: HashMap<String, Vec<StoredDispute>>,
    held: HashMap<String, Vec<AccountLedger>>,
}

impl Logs {
    fn read(store: &mut Store, span: (&str, &str)) -> Result<Logs, StoreError> {
        Ok(Logs {
            promises: store.promises(Some(span))?,
            disputes: store.disputes(Some(span))?,
            held: store.ledgers_held_by(span)?,
        })
    }
}

/// A head and its streamed parts made into a loaded file, with the customer's
/// collection log and utility accounts.
fn finish(mut head: CustomerHead, partial: Partial, logs: &mut Logs) -> LoadedFile {
    let mut file = assemble(&head.customer, partial);
    if let Ok((f, _)) = &mut file {
        let promises = logs.promises.remove(&f.customer_id).unwrap_or_default();
        let disputes = logs.disputes.remove(&f.customer_id).unwrap_or_default();
        add_collection_log(&mut head, f, &promises, &disputes);
        let held = logs.held.remove(&f.customer_id).unwrap_or_default();
        add_utility_accounts(&mut head, f, &held);
    }
    LoadedFile { head, file }
}

/// The credit files of the customers `ids` (in the store's id order, as
/// [`Store::customer_ids`] gives them) that exist, in that order.
pub fn load_credit_files(store: &mut Store, ids: &[String]) -> Result<Vec<LoadedFile>, StoreError> {
    let mut builder = Builder::default();
    let heads = store.customer_files(ids, &wanted(), |i, kind, cells| builder.visit(i, kind, cells))?;
    builder.files.resize_with(heads.len(), Partial::default);
    let span = ids.first().zip(ids.last()).map(|(a, b)| (a.as_str(), b.as_str()));
    let mut logs = match span {
        Some(span) => Logs::read(store, span)?,
        None => Logs::default(),
    };
    Ok(heads.into_iter().zip(builder.files).map(|(head, partial)| finish(head, partial, &mut logs)).collect())
}

/// One customer's credit file as it was at a data version (see
/// [`Store::customer_file_at`]), with its current collection log; `None` when that
/// version is neither current nor kept.
pub(crate) fn load_credit_file_at(
    store: &mut Store,
    customer_id: &str,
    data_version: i64,
) -> Result<Option<LoadedFile>, StoreError> {
    let mut builder = Builder::default();
    let Some(head) = store.customer_file_at(customer_id, data_version, &wanted(), |kind, cells| {
        builder.visit(0, kind, cells)
    })?
    else {
        return Ok(None);
    };
    builder.files.resize_with(1, Partial::default);
    let mut logs = Logs::read(store, (customer_id, customer_id))?;
    let partial = builder.files.pop().unwrap_or_default();
    Ok(Some(finish(head, partial, &mut logs)))
}

/// Customers read and processed together by one worker: bounds memory.
pub(crate) const CHUNK: usize = 4_000;

/// Worker threads that read and process credit files: one per core, each with its own
/// connection, so reading (a third of a portfolio run's work) runs on every core too.
pub(crate) struct Pool {
    connections: Vec<Store>,
}

/// What a fed run reads next: a tag handed back to the sink with the chunk's results, and
/// the customers of the chunk in the store's id order; `None` when there is no more.
pub(crate) type Feed<'a, K> = dyn FnMut() -> Fed<'a, K> + Send + 'a;

/// What a feed gives each time it is asked.
pub(crate) type Fed<'a, K> = Result<Option<(K, std::borrow::Cow<'a, [String]>)>, crate::EngineError>;

/// One chunk's tag and results, or why it could not be had, with the seconds spent
/// reading and processing.
type Worked<K, T> = Result<(K, Vec<T>, f64, f64), crate::EngineError>;

impl Pool {
    pub(crate) fn open(store: &Store) -> Result<Pool, StoreError> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let connections = (0..workers).map(|_| store.open_another()).collect::<Result<_, _>>()?;
        Ok(Pool { connections })
    }

    /// Reads the files of the customers `ids` (in the store's id order) a chunk at a
    /// time, applies `work` to each, and hands each chunk's results to `sink` (with the
    /// seconds spent reading and working) on the calling thread, in id order, while the
    /// workers go on. The first error stops the run.
    pub(crate) fn run<T: Send>(
        &mut self,
        ids: &[String],
        work: &(dyn Fn(&LoadedFile) -> T + Sync),
        mut sink: impl FnMut(Vec<T>, f64, f64) -> Result<(), crate::EngineError>,
    ) -> Result<(), crate::EngineError> {
        let mut chunks = ids.chunks(CHUNK);
        let mut feed = move || Ok(chunks.next().map(|c| ((), std::borrow::Cow::Borrowed(c))));
        self.run_fed(&mut feed, work, |(), done, read, seconds| sink(done, read, seconds))
    }

    /// [`Pool::run`] over chunks `feed` gives as the workers ask for them, each handed to
    /// `sink` with its tag, in the order `feed` gave them. The same workers serve the
    /// whole feed, however many parts it is made of.
    pub(crate) fn run_fed<'a, K: Send, T: Send>(
        &mut self,
        feed: &mut Feed<'a, K>,
        work: &(dyn Fn(&LoadedFile) -> T + Sync),
        mut sink: impl FnMut(K, Vec<T>, f64, f64) -> Result<(), crate::EngineError>,
    ) -> Result<(), crate::EngineError> {
        // The next chunk's position and the feed, taken together so positions follow the
        // feed's order; `None` once the feed is done or failed.
        let feeder = std::sync::Mutex::new((0usize, Some(feed)));
        let workers = self.connections.len();
        std::thread::scope(|s| -> Result<(), crate::EngineError> {
            let (to_sink, worked) = std::sync::mpsc::sync_channel::<(usize, Worked<K, T>)>(workers);
            for connection in &mut self.connections {
                let (to_sink, feeder) = (to_sink.clone(), &feeder);
                s.spawn(move || {
                    loop {
                        let next = {
                            let Ok(mut f) = feeder.lock() else { break };
                            let i = f.0;
                            let Some(feed) = f.1.as_mut() else { break };
                            let next = feed();
                            match &next {
                                Ok(Some(_)) => f.0 += 1,
                                Ok(None) => f.1 = None,
                                Err(_) => {
                                    f.0 += 1;
                                    f.1 = None;
                                }
                            }
                            next.map(|n| n.map(|(tag, chunk)| (i, tag, chunk))).map_err(|e| (i, e))
                        };
                        let (i, tag, chunk) = match next {
                            Ok(Some(n)) => n,
                            Ok(None) => break,
                            Err((i, e)) => {
                                let _ = to_sink.send((i, Err(e)));
                                break;
                            }
                        };
                        let t = std::time::Instant::now();
                        let files = if chunk.is_empty() {
                            Ok(Vec::new())
                        } else {
                            load_credit_files(connection, &chunk)
                        };
                        let chunk = files.map_err(crate::EngineError::from).map(|files| {
                            let read = t.elapsed().as_secs_f64();
                            let t = std::time::Instant::now();
                            let done = files.iter().map(work).collect();
                            (tag, done, read, t.elapsed().as_secs_f64())
                        });
                        let failed = chunk.is_err();
                        // The sink hangs up only when it stopped on an error.
                        if to_sink.send((i, chunk)).is_err() || failed {
                            if let Ok(mut f) = feeder.lock() {
                                f.1 = None;
                            }
                            break;
                        }
                    }
                });
            }
            drop(to_sink);
            // Chunks finish out of order; they are handed on in order.
            let mut pending = std::collections::BTreeMap::new();
            let mut handed = 0;
            for (i, chunk) in worked {
                pending.insert(i, chunk?);
                while let Some((tag, done, read, seconds)) = pending.remove(&handed) {
                    sink(tag, done, read, seconds)?;
                    handed += 1;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_read_by_hand_and_others_by_chrono() {
        assert_eq!(parse_date("2025-09-30"), NaiveDate::from_ymd_opt(2025, 9, 30));
        assert_eq!(parse_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("2025-0a-01"), None);
        assert_eq!(parse_date("+2025-09-30"), NaiveDate::from_ymd_opt(2025, 9, 30));
        assert_eq!(parse_date(""), None);
    }
}
