//! The exposure book (CTRL-4): every customer's exposure by category, limit, grade, warning
//! level and group, held in memory for the order-time credit check.
//!
//! Built once from per-customer snapshots ([`CustomerSnapshot`]) and group snapshots, then
//! kept current by applying orders, invoices, payments and credit notes as they happen
//! ([`ExposureBook::record_order`] and friends), so a check never reads the ledger. Per
//! customer the book keeps the aggregates a check needs (receivables, open orders, special
//! exposure, the group's running exposure) and the open invoices in due-date order, so the
//! oldest overdue item and the overdue amount at any date come from a scan of only the
//! overdue prefix. A group's exposure is the sum of its members' in the book plus the
//! exposure of members outside it (`outside_exposure`), updated with every member change.
//!
//! All amounts are minor units of the book's currency (the caller converts).

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_domain::{Currency, CustomerId};
use serde::{Deserialize, Serialize};

use crate::aging::OpenReceivable;
use crate::authority::TemporaryLimit;
use crate::labels::{Admission, Level};
use crate::policy::{CheckRule, CreditPolicy, RoleRef};

/// A grade code stored inline (at most 8 bytes, which the policy checks), so results carry
/// it without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GradeCode {
    len: u8,
    bytes: [u8; 8],
}

impl GradeCode {
    /// `None` when the code is longer than 8 bytes.
    pub fn new(code: &str) -> Option<GradeCode> {
        let b = code.as_bytes();
        (b.len() <= 8).then(|| {
            let mut bytes = [0; 8];
            bytes[..b.len()].copy_from_slice(b);
            GradeCode { len: b.len() as u8, bytes }
        })
    }

    pub fn as_str(&self) -> &str {
        // Built from a whole &str only.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

impl std::fmt::Debug for GradeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for GradeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for GradeCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One customer's position when the book is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSnapshot {
    pub customer_id: CustomerId,
    /// Open invoices (any order; the book sorts them by due date).
    pub receivables: Vec<OpenReceivable>,
    /// Cash on account not applied to any invoice.
    pub unapplied: i64,
    pub open_orders: i64,
    /// Exposure outside receivables and orders (e.g. guarantees given for the customer,
    /// goods on consignment).
    pub special_exposure: i64,
    pub limit: i64,
    pub temporary_limit: Option<TemporaryLimit>,
    /// On the policy's scale; `None` when unrated.
    pub grade: Option<String>,
    pub level: Level,
    pub group_id: Option<String>,
}

/// A group's limit and the exposure of its members that are not in the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSnapshot {
    pub group_id: String,
    pub limit: Option<i64>,
    pub outside_exposure: i64,
}

/// Something in the snapshots the book could not take as given; the book is built anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookDiagnostic {
    pub customer_id: CustomerId,
    /// `duplicate_customer` (the later snapshot is skipped), `unknown_grade` (treated as
    /// unrated), `unknown_group` (a group without limit is made), `duplicate_group` (the
    /// later snapshot is skipped), `negative_amount` (taken as 0).
    pub code: &'static str,
    pub message: String,
}

/// Why a book operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("customer {0} is not in the exposure book")]
    UnknownCustomer(String),
    #[error("the book is in {book}, the amount in {found}")]
    Currency { book: String, found: String },
}

/// An open invoice in the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub invoice_no: Box<str>,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub open: i64,
}

/// What an order-entry screen shows about a customer (minor units).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub exposure: i64,
    /// Open invoices past their due date.
    pub overdue_items: u32,
    pub limit: i64,
    pub temporary_limit: i64,
    /// Limit plus temporary limit less exposure (negative: over the limit).
    pub available: i64,
    pub grade: Option<String>,
    pub level: Level,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: Box<str>,
    /// Ascending by due date, then invoice number.
    pub items: Vec<Item>,
    /// Sum of `items`' open amounts.
    pub open_items: i64,
    pub unapplied: i64,
    pub open_orders: i64,
    pub special: i64,
    pub limit: i64,
    pub temporary: Option<TemporaryLimit>,
    pub grade: GradeCode,
    pub admission: Admission,
    pub level: Level,
    /// Index into the book's groups, `NO_GROUP` when none.
    pub group: u32,
}

pub(crate) const NO_GROUP: u32 = u32::MAX;

impl Account {
    pub fn receivables(&self) -> i64 {
        self.open_items - self.unapplied
    }

    pub fn exposure(&self) -> i64 {
        self.receivables() + self.open_orders + self.special
    }

    pub fn limit_on(&self, date: NaiveDate) -> (i64, i64) {
        let temporary = self.temporary.filter(|t| t.valid_on(date)).map_or(0, |t| t.amount);
        (self.limit, temporary)
    }

    fn insert(&mut self, item: Item) {
        let key = (item.due_date, &*item.invoice_no);
        let at = self.items.partition_point(|i| (i.due_date, &*i.invoice_no) <= key);
        self.open_items += item.open;
        self.items.insert(at, item);
    }

    /// Applies cash to the oldest due items; returns what is left.
    fn apply_oldest_first(&mut self, mut cash: i64) -> i64 {
        let mut paid_off = 0;
        for i in self.items.iter_mut() {
            if cash <= 0 {
                break;
            }
            let take = cash.min(i.open);
            i.open -= take;
            cash -= take;
            self.open_items -= take;
            if i.open == 0 {
                paid_off += 1;
            }
        }
        if paid_off > 0 {
            self.items.retain(|i| i.open > 0);
        }
        cash
    }
}

#[derive(Debug, Clone)]
pub(crate) struct GroupAccount {
    pub limit: Option<i64>,
    /// Members' exposure in the book plus `outside`.
    pub exposure: i64,
}

/// A role an order escalates to, with its rank of authority.
#[derive(Debug, Clone)]
pub(crate) struct Escalation {
    pub rank: usize,
    pub role: String,
    pub name_en: String,
    pub name_zh: String,
}

/// An invoice to record: it becomes an open item and releases open orders it was raised for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceEntry {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: i64,
    /// Open orders the invoice fulfils (usually its amount; 0 for an invoice without order).
    pub releases_open_orders: i64,
}

/// The in-memory exposure book. See the module documentation.
#[derive(Debug, Clone)]
pub struct ExposureBook {
    pub(crate) currency: Currency,
    pub(crate) policy_version: String,
    pub(crate) rule: CheckRule,
    /// `list_managed_max_order_share` in millionths.
    pub(crate) max_order_ppm: i64,
    pub(crate) max_overdue_share_ppm: i64,
    pub(crate) escalate_red: Escalation,
    pub(crate) escalate_refused: Escalation,
    pub(crate) accounts: Vec<Account>,
    index: HashMap<Box<str>, u32>,
    pub(crate) groups: Vec<GroupAccount>,
    group_index: HashMap<Box<str>, u32>,
}

impl ExposureBook {
    /// Builds the book; problems in single snapshots are diagnostics, never a failure.
    pub fn build(
        policy: &CreditPolicy,
        currency: Currency,
        customers: Vec<CustomerSnapshot>,
        groups: Vec<GroupSnapshot>,
    ) -> (ExposureBook, Vec<BookDiagnostic>) {
        let mut diagnostics = Vec::new();
        let role = |role: &RoleRef| {
            let r = policy.authority().role_of(role);
            Escalation {
                rank: role.rank(),
                role: r.id.clone(),
                name_en: r.name_en.clone(),
                name_zh: r.name_zh.clone(),
            }
        };
        let mut book = ExposureBook {
            currency,
            policy_version: policy.version().to_owned(),
            rule: policy.check().clone(),
            max_order_ppm: crate::proposal::ppm(policy.check().list_managed_max_order_share),
            max_overdue_share_ppm: crate::proposal::ppm(policy.check().max_overdue_share_pct),
            escalate_red: role(&policy.check().escalate_red_to),
            escalate_refused: role(&policy.check().escalate_refused_to),
            accounts: Vec::with_capacity(customers.len()),
            index: HashMap::with_capacity(customers.len()),
            groups: Vec::with_capacity(groups.len()),
            group_index: HashMap::with_capacity(groups.len()),
        };
        for g in groups {
            if book.group_index.contains_key(g.group_id.as_str()) {
                diagnostics.push(BookDiagnostic {
                    customer_id: CustomerId::default(),
                    code: "duplicate_group",
                    message: format!("group {} appears twice; the later snapshot is skipped", g.group_id),
                });
                continue;
            }
            book.group_index.insert(g.group_id.into(), book.groups.len() as u32);
            book.groups.push(GroupAccount { limit: g.limit.map(|l| l.max(0)), exposure: g.outside_exposure });
        }
        for c in customers {
            if book.index.contains_key(c.customer_id.as_str()) {
                diagnostics.push(BookDiagnostic {
                    message: format!(
                        "customer {} appears twice; the later snapshot is skipped",
                        c.customer_id
                    ),
                    customer_id: c.customer_id,
                    code: "duplicate_customer",
                });
                continue;
            }
            let mut non_negative = |x: i64, what: &str| {
                if x < 0 {
                    diagnostics.push(BookDiagnostic {
                        customer_id: c.customer_id.clone(),
                        code: "negative_amount",
                        message: format!("{what} {x} is negative; taken as 0"),
                    });
                }
                x.max(0)
            };
            let limit = non_negative(c.limit, "limit");
            let unapplied = non_negative(c.unapplied, "unapplied cash");
            let open_orders = non_negative(c.open_orders, "open orders");
            let special = non_negative(c.special_exposure, "special exposure");
            let known = c.grade.as_deref().and_then(|g| policy.grade(g));
            if let (Some(g), None) = (&c.grade, known) {
                diagnostics.push(BookDiagnostic {
                    customer_id: c.customer_id.clone(),
                    code: "unknown_grade",
                    message: format!("grade {g} is not in the policy; treated as {}", policy.unrated_grade()),
                });
            }
            let rule = policy.effective_grade(known.map(|g| g.grade.as_str()));
            let group = match c.group_id.as_deref() {
                None => NO_GROUP,
                Some(g) => match book.group_index.get(g) {
                    Some(&ix) => ix,
                    None => {
                        diagnostics.push(BookDiagnostic {
                            customer_id: c.customer_id.clone(),
                            code: "unknown_group",
                            message: format!("group {g} has no snapshot; it has no limit"),
                        });
                        let ix = book.groups.len() as u32;
                        book.group_index.insert(g.into(), ix);
                        book.groups.push(GroupAccount { limit: None, exposure: 0 });
                        ix
                    }
                },
            };
            let mut account = Account {
                id: c.customer_id.as_str().into(),
                items: Vec::with_capacity(c.receivables.len()),
                open_items: 0,
                unapplied: 0,
                open_orders,
                special,
                limit,
                temporary: c.temporary_limit,
                grade: rule.code(),
                admission: rule.admission,
                level: c.level,
                group,
            };
            for r in c.receivables.into_iter().filter(|r| r.open > 0) {
                account.open_items += r.open;
                account.items.push(Item {
                    invoice_no: r.invoice_no.into(),
                    issue_date: r.issue_date,
                    due_date: r.due_date,
                    open: r.open,
                });
            }
            account.items.sort_by(|a, b| (a.due_date, &a.invoice_no).cmp(&(b.due_date, &b.invoice_no)));
            let left = account.apply_oldest_first(unapplied);
            account.unapplied = left;
            if group != NO_GROUP {
                book.groups[group as usize].exposure += account.exposure();
            }
            book.index.insert(account.id.clone(), book.accounts.len() as u32);
            book.accounts.push(account);
        }
        (book, diagnostics)
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Whether the book holds the customer.
    pub fn contains(&self, customer: &str) -> bool {
        self.index.contains_key(customer)
    }

    /// A customer's credit standing on `date`: exposure against its limit (with a
    /// temporary limit valid then), its grade and warning level.
    pub fn standing(&self, customer: &str, date: NaiveDate) -> Option<Standing> {
        let a = &self.accounts[self.account_ix(customer)?];
        let (limit, temporary) = a.limit_on(date);
        Some(Standing {
            exposure: a.exposure(),
            overdue_items: a.items.iter().filter(|i| i.due_date < date).count() as u32,
            limit,
            temporary_limit: temporary,
            available: limit + temporary - a.exposure(),
            grade: Some(a.grade.as_str().to_owned()).filter(|g| !g.is_empty()),
            level: a.level,
        })
    }

    pub(crate) fn account_ix(&self, customer: &str) -> Option<usize> {
        self.index.get(customer).map(|&i| i as usize)
    }

    fn ix(&self, customer: &str) -> Result<usize, BookError> {
        self.account_ix(customer).ok_or_else(|| BookError::UnknownCustomer(customer.to_owned()))
    }

    /// Runs `f` on an account and moves the group's exposure by the change.
    fn update<T>(&mut self, customer: &str, f: impl FnOnce(&mut Account) -> T) -> Result<T, BookError> {
        let ix = self.ix(customer)?;
        let a = &mut self.accounts[ix];
        let before = a.exposure();
        let out = f(a);
        let delta = a.exposure() - before;
        if a.group != NO_GROUP {
            self.groups[a.group as usize].exposure += delta;
        }
        Ok(out)
    }

    /// The customer's exposure now: receivables (net of unapplied cash) + open orders +
    /// special exposure.
    pub fn exposure(&self, customer: &str) -> Result<i64, BookError> {
        Ok(self.accounts[self.ix(customer)?].exposure())
    }

    /// A group's exposure now.
    pub fn group_exposure(&self, group_id: &str) -> Option<i64> {
        self.group_index.get(group_id).map(|&g| self.groups[g as usize].exposure)
    }

    /// A new order (or a change of an open order: negative to reduce or cancel).
    pub fn record_order(&mut self, customer: &str, amount: i64) -> Result<(), BookError> {
        self.update(customer, |a| a.open_orders = (a.open_orders + amount).max(0))
    }

    /// An invoice: a new open item, less unapplied cash on the account, releasing the open
    /// orders it fulfils.
    pub fn record_invoice(&mut self, customer: &str, invoice: &InvoiceEntry) -> Result<(), BookError> {
        self.update(customer, |a| {
            a.open_orders = (a.open_orders - invoice.releases_open_orders.max(0)).max(0);
            if invoice.amount > 0 {
                a.insert(Item {
                    invoice_no: invoice.invoice_no.as_str().into(),
                    issue_date: invoice.issue_date,
                    due_date: invoice.due_date,
                    open: invoice.amount,
                });
                let cash = std::mem::take(&mut a.unapplied);
                a.unapplied = a.apply_oldest_first(cash);
            }
        })
    }

    /// A payment: to the named invoice when it is open, the rest (or all of it, on
    /// account) to the oldest due items, and what is left stays as unapplied cash.
    pub fn record_payment(
        &mut self,
        customer: &str,
        invoice_no: Option<&str>,
        amount: i64,
    ) -> Result<(), BookError> {
        self.update(customer, |a| {
            let mut cash = amount.max(0);
            if let Some(no) = invoice_no
                && let Some(pos) = a.items.iter().position(|i| &*i.invoice_no == no)
            {
                let take = cash.min(a.items[pos].open);
                a.items[pos].open -= take;
                a.open_items -= take;
                cash -= take;
                if a.items[pos].open == 0 {
                    a.items.remove(pos);
                }
            }
            let left = a.apply_oldest_first(cash);
            a.unapplied += left;
        })
    }

    /// A credit note against an invoice: applied like a payment naming it.
    pub fn record_credit_note(
        &mut self,
        customer: &str,
        invoice_no: &str,
        amount: i64,
    ) -> Result<(), BookError> {
        self.record_payment(customer, Some(invoice_no), amount)
    }

    /// A new permanent and temporary limit.
    pub fn set_limit(
        &mut self,
        customer: &str,
        limit: i64,
        temporary: Option<TemporaryLimit>,
    ) -> Result<(), BookError> {
        self.update(customer, |a| {
            a.limit = limit.max(0);
            a.temporary = temporary;
        })
    }

    /// A new grade (after a rating) on the policy's scale; a grade the policy does not
    /// know counts as unrated.
    pub fn set_grade(
        &mut self,
        policy: &CreditPolicy,
        customer: &str,
        grade: Option<&str>,
    ) -> Result<(), BookError> {
        let rule = policy.effective_grade(grade);
        let code = rule.code();
        self.update(customer, |a| {
            a.grade = code;
            a.admission = rule.admission;
        })
    }

    /// A new warning level.
    pub fn set_level(&mut self, customer: &str, level: Level) -> Result<(), BookError> {
        self.update(customer, |a| a.level = level)
    }

    /// Special exposure, replaced.
    pub fn set_special_exposure(&mut self, customer: &str, amount: i64) -> Result<(), BookError> {
        self.update(customer, |a| a.special = amount.max(0))
    }

    /// The customer's open items, oldest due first, as receivables.
    pub fn receivables(&self, customer: &str) -> Result<Vec<OpenReceivable>, BookError> {
        let a = &self.accounts[self.ix(customer)?];
        Ok(a.items
            .iter()
            .map(|i| OpenReceivable {
                invoice_no: i.invoice_no.to_string(),
                issue_date: i.issue_date,
                due_date: i.due_date,
                open: i.open,
            })
            .collect())
    }
}
