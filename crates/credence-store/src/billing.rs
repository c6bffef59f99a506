//! Billing accounts read back with their bills and payments, an account at a time, for
//! the runs that grade accounts and predict their arrears (SCN-1). Accounts are held in
//! memory (one small row each); bills and payments stream in one query ordered by
//! account, so a run holds one account's ledger at a time.

use crate::db::Cell;
use crate::{Store, StoreError};
use credence_domain::Date as NaiveDate;
use credence_records::Value;

/// A billing account's master data.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAccount {
    pub account_id: String,
    /// The Credence customer who holds the account, if any.
    pub customer_id: Option<String>,
    pub account_class: String,
    pub settlement: String,
    /// The billing cycle's code, when the account has one.
    pub billing_cycle: Option<String>,
    pub supply_unit: String,
    pub route: Option<String>,
    pub credit_limit: Option<i64>,
    pub deposit: Option<i64>,
    pub opened: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
}

/// A bill as the runs use it; amounts in minor units.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBill {
    pub bill_id: String,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub amount: i64,
    pub currency: String,
    pub consumption_kwh: Option<f64>,
    pub arrears_months: Option<i64>,
    pub disputed: bool,
}

/// A payment of an account, applied to `bill_id` or, without one, on account.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBillPayment {
    pub paid: NaiveDate,
    pub amount: i64,
    pub currency: String,
    pub bill_id: Option<String>,
}

/// A disconnection of an account's supply; times are `YYYY-MM-DD HH:MM`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDisconnection {
    pub disconnection_id: String,
    /// `arrears`, `safety` or `request`.
    pub reason: String,
    pub notice_date: Option<NaiveDate>,
    pub disconnected_at: String,
    pub cleared_at: Option<String>,
    pub reconnected_at: Option<String>,
}

/// A meter event of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMeterEvent {
    /// `tamper`, `fault`, `estimated_reading` or `meter_replaced`.
    pub event_type: String,
    pub date: NaiveDate,
}

/// A change of who answers for an account.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHolderChange {
    /// `transfer` or `bankruptcy`.
    pub change_type: String,
    pub date: NaiveDate,
    pub previous_customer_id: Option<String>,
    pub new_customer_id: Option<String>,
}

/// An account with its bills (by issue date), payments (by date), disconnections (by
/// time), meter events (by date) and changes of holder (by date).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLedger {
    pub account: StoredAccount,
    pub bills: Vec<StoredBill>,
    pub payments: Vec<StoredBillPayment>,
    pub disconnections: Vec<StoredDisconnection>,
    pub meter_events: Vec<StoredMeterEvent>,
    pub holder_changes: Vec<StoredHolderChange>,
}

impl AccountLedger {
    /// An account with nothing recorded against it yet.
    pub fn empty(account: StoredAccount) -> AccountLedger {
        AccountLedger {
            account,
            bills: Vec::new(),
            payments: Vec::new(),
            disconnections: Vec::new(),
            meter_events: Vec::new(),
            holder_changes: Vec::new(),
        }
    }

    /// The Credence customer who held the account on day `d`, if a Credence customer did:
    /// the previous holder named by the first transfer after `d`; else the new holder
    /// named by the last transfer on or before it, or the account's holder now.
    pub fn holder_on(&self, d: NaiveDate) -> Option<&str> {
        let transfers = self.holder_changes.iter().filter(|c| c.change_type == "transfer");
        if let Some(next) = transfers.clone().find(|c| c.date > d) {
            return next.previous_customer_id.as_deref();
        }
        transfers
            .rev()
            .find(|c| c.date <= d)
            .and_then(|c| c.new_customer_id.as_deref())
            .or(self.account.customer_id.as_deref())
    }

    /// The Credence customers that held the account at some time: its holder now and
    /// those named by its changes of holder, each once.
    pub fn holders(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.account.customer_id.as_deref().into_iter().collect();
        for c in &self.holder_changes {
            out.extend(c.previous_customer_id.as_deref());
            out.extend(c.new_customer_id.as_deref());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn date(c: Cell<'_>) -> Option<NaiveDate> {
    c.text().and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
}

/// Bills and payments of the accounts a filter (`WHERE …` on `account_id`, or nothing)
/// lets through, by account, bills before payments, each by date.
fn ledger_rows(filter: &str) -> String {
    format!(
        "SELECT account_id, 0, natural_key, issue_date, due_date, amount, consumption_kwh, arrears_months, disputed, currency FROM bills{filter} \
         UNION ALL \
         SELECT account_id, 1, bill_id, paid_date, NULL, amount, NULL, NULL, NULL, currency FROM bill_payments{filter} \
         ORDER BY 1, 2, 4, 3"
    )
}

/// The accounts customers with ids in a range hold or held: now, or before or after a
/// change of holder.
const HELD_BY: &str = " WHERE account_id IN (SELECT account_id FROM accounts WHERE customer_id >= ? AND customer_id <= ? \
     UNION SELECT account_id FROM holder_changes WHERE previous_customer_id >= ? AND previous_customer_id <= ? \
     UNION SELECT account_id FROM holder_changes WHERE new_customer_id >= ? AND new_customer_id <= ?)";

/// Which accounts a ledger read gives.
enum Which<'a> {
    All,
    One(&'a str),
    /// Those held by customers with ids in this range (inclusive).
    HeldBy(&'a str, &'a str),
    /// Those a supply unit bills.
    Unit(&'a str),
}

impl Store {
    /// Every billing account with its bills and payments: accounts with bills or payments in
    /// the database's order of account numbers, then the others by number. Rows whose
    /// dates do not read (none pass validation) are skipped; bills and payments of an
    /// account that is not stored are not given.
    pub fn for_each_account_ledger(
        &mut self,
        f: impl FnMut(AccountLedger) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.ledgers_of(Which::All, f)
    }

    /// The same for the accounts one supply unit bills, through the unit's index: a
    /// unit's campaign reads its own accounts, not the book.
    pub fn for_each_unit_ledger(
        &mut self,
        supply_unit: &str,
        f: impl FnMut(AccountLedger) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.ledgers_of(Which::Unit(supply_unit), f)
    }

    /// The billing accounts held by the customers whose ids lie in `first..=last` (now, or
    /// before or after a change of holder), with their ledgers, by customer id (accounts in
    /// account-number order). Which bills were whose is the reader's to work out from the
    /// changes of holder.
    pub fn ledgers_held_by(
        &mut self,
        (first, last): (&str, &str),
    ) -> Result<std::collections::HashMap<String, Vec<AccountLedger>>, StoreError> {
        let mut held: std::collections::HashMap<String, Vec<AccountLedger>> = Default::default();
        self.ledgers_of(Which::HeldBy(first, last), |l| {
            let holders: Vec<String> =
                l.holders().into_iter().filter(|c| *c >= first && *c <= last).map(str::to_owned).collect();
            for customer in holders {
                held.entry(customer).or_default().push(l.clone());
            }
            Ok(())
        })?;
        for ledgers in held.values_mut() {
            ledgers.sort_by(|a, b| a.account.account_id.cmp(&b.account.account_id));
        }
        Ok(held)
    }

    /// The arrears disconnections cleared on a day from `from` to `to` (inclusive,
    /// `YYYY-MM-DD`), each with its account's number and supply unit, by clearance time.
    pub fn cleared_disconnections(
        &mut self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, StoredDisconnection)>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT d.account_id, a.supply_unit, d.natural_key, d.reason, d.notice_date, d.disconnected_at, d.cleared_at, d.reconnected_at \
             FROM disconnections d JOIN accounts a ON a.account_id = d.account_id \
             WHERE d.reason = 'arrears' AND d.cleared_at >= ? AND d.cleared_at <= ? ORDER BY d.cleared_at, d.natural_key",
            &[Value::from(from), Value::from(format!("{to} 23:59"))],
            |r| {
                out.push((
                    crate::cells::text(r[0]),
                    crate::cells::text(r[1]),
                    StoredDisconnection {
                        disconnection_id: crate::cells::text(r[2]),
                        reason: crate::cells::text(r[3]),
                        notice_date: date(r[4]),
                        disconnected_at: crate::cells::text(r[5]),
                        cleared_at: crate::cells::opt_text(r[6]),
                        reconnected_at: crate::cells::opt_text(r[7]),
                    },
                ))
            },
        )?;
        Ok(out)
    }

    /// One billing account with its bills and payments, if it is stored.
    pub fn account_ledger(&mut self, account_id: &str) -> Result<Option<AccountLedger>, StoreError> {
        let mut found = None;
        self.ledgers_of(Which::One(account_id), |l| {
            found = Some(l);
            Ok(())
        })?;
        Ok(found)
    }

    fn ledgers_of(
        &mut self,
        which: Which<'_>,
        mut f: impl FnMut(AccountLedger) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut accounts = std::collections::HashMap::new();
        // One filter on `account_id` for every table read, with its parameters.
        let (filter, filter_params): (&str, Vec<Value>) = match which {
            Which::One(id) => (" WHERE account_id = ?", vec![Value::from(id)]),
            Which::HeldBy(first, last) => {
                (HELD_BY, [first, last, first, last, first, last].map(Value::from).to_vec())
            }
            Which::Unit(unit) => (
                " WHERE account_id IN (SELECT account_id FROM accounts WHERE supply_unit = ?)",
                vec![Value::from(unit)],
            ),
            Which::All => ("", vec![]),
        };
        let filter_params = &filter_params[..];
        self.db.query_cells(
            &format!("SELECT account_id, customer_id, account_class, settlement, supply_unit, route, credit_limit, deposit, opened_date, closed_date, billing_cycle FROM accounts{filter}"),
            filter_params,
            |r| {
                let account = StoredAccount {
                    account_id: crate::cells::text(r[0]),
                    customer_id: crate::cells::opt_text(r[1]),
                    account_class: crate::cells::text(r[2]),
                    settlement: crate::cells::text(r[3]),
                    supply_unit: crate::cells::text(r[4]),
                    route: crate::cells::opt_text(r[5]),
                    credit_limit: r[6].int(),
                    deposit: r[7].int(),
                    opened: date(r[8]),
                    closed: date(r[9]),
                    billing_cycle: crate::cells::opt_text(r[10]),
                };
                accounts.insert(account.account_id.clone(), account);
            },
        )?;
        // Supply events are few next to bills: read whole, by account, before the ledgers.
        let within = filter;
        let mut cuts: std::collections::HashMap<String, Vec<StoredDisconnection>> = Default::default();
        self.db.query_cells(
            &format!("SELECT account_id, natural_key, reason, notice_date, disconnected_at, cleared_at, reconnected_at FROM disconnections{within} ORDER BY disconnected_at, natural_key"),
            filter_params,
            |r| {
                cuts.entry(crate::cells::text(r[0])).or_default().push(StoredDisconnection {
                    disconnection_id: crate::cells::text(r[1]),
                    reason: crate::cells::text(r[2]),
                    notice_date: date(r[3]),
                    disconnected_at: crate::cells::text(r[4]),
                    cleared_at: crate::cells::opt_text(r[5]),
                    reconnected_at: crate::cells::opt_text(r[6]),
                })
            },
        )?;
        let mut meter: std::collections::HashMap<String, Vec<StoredMeterEvent>> = Default::default();
        self.db.query_cells(
            &format!("SELECT account_id, event_type, event_date FROM meter_events{within} ORDER BY event_date, natural_key"),
            filter_params,
            |r| {
                if let Some(on) = date(r[2]) {
                    meter
                        .entry(crate::cells::text(r[0]))
                        .or_default()
                        .push(StoredMeterEvent { event_type: crate::cells::text(r[1]), date: on });
                }
            },
        )?;
        let mut changes: std::collections::HashMap<String, Vec<StoredHolderChange>> = Default::default();
        self.db.query_cells(
            &format!("SELECT account_id, change_type, change_date, previous_customer_id, new_customer_id FROM holder_changes{within} ORDER BY change_date, natural_key"),
            filter_params,
            |r| {
                if let Some(on) = date(r[2]) {
                    changes.entry(crate::cells::text(r[0])).or_default().push(StoredHolderChange {
                        change_type: crate::cells::text(r[1]),
                        date: on,
                        previous_customer_id: crate::cells::opt_text(r[3]),
                        new_customer_id: crate::cells::opt_text(r[4]),
                    });
                }
            },
        )?;
        let mut failure = None;
        let mut give = |mut ledger: AccountLedger, failure: &mut Option<StoreError>| {
            ledger.holder_changes = changes.remove(&ledger.account.account_id).unwrap_or_default();
            ledger.disconnections = cuts.remove(&ledger.account.account_id).unwrap_or_default();
            ledger.meter_events = meter.remove(&ledger.account.account_id).unwrap_or_default();
            if failure.is_none()
                && let Err(e) = f(ledger)
            {
                *failure = Some(e);
            }
        };
        // The query groups an account's rows together (in the database's collation, which
        // need not be byte order): each group is handed over as it ends.
        let mut current: Option<AccountLedger> = None;
        let mut current_id = String::new();
        let both: Vec<Value> = filter_params.iter().chain(filter_params).cloned().collect();
        self.db.query_cells(&ledger_rows(filter), &both, |r| {
            let id = r[0].text().unwrap_or_default();
            if id != current_id {
                if let Some(done) = current.take() {
                    give(done, &mut failure);
                }
                current_id.clear();
                current_id.push_str(id);
                current = accounts.remove(id).map(AccountLedger::empty);
            }
            let Some(ledger) = current.as_mut() else { return };
            let Some(on) = date(r[3]) else { return };
            if r[1].int() == Some(0) {
                let Some(due) = date(r[4]) else { return };
                ledger.bills.push(StoredBill {
                    bill_id: crate::cells::text(r[2]),
                    issued: on,
                    due,
                    amount: r[5].int().unwrap_or(0),
                    currency: crate::cells::text(r[9]),
                    consumption_kwh: r[6].real().or_else(|| r[6].int().map(|i| i as f64)),
                    arrears_months: r[7].int(),
                    disputed: r[8].int().unwrap_or(0) != 0,
                });
            } else {
                ledger.payments.push(StoredBillPayment {
                    paid: on,
                    amount: r[5].int().unwrap_or(0),
                    currency: crate::cells::text(r[9]),
                    bill_id: crate::cells::opt_text(r[2]),
                });
            }
        })?;
        if let Some(done) = current.take() {
            give(done, &mut failure);
        }
        // Accounts without a bill or payment yet, by number.
        let mut rest: Vec<StoredAccount> = accounts.into_values().collect();
        rest.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        for account in rest {
            give(AccountLedger::empty(account), &mut failure);
        }
        failure.map_or(Ok(()), Err)
    }
}
