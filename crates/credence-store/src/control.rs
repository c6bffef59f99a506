//! Credit-control state: limit requests with their decisions and the limits they put in
//! force, blocked orders with what was decided about them, collection actions and
//! promises to pay. Every change is one transaction with its log entry.

use crate::batch::{Ids, Rows, SameUpdate};
use crate::cells::{opt_stamp, stamp};
use crate::cells::{opt_text, returning_id, text};
use crate::db::{Cell, Db};
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_records::Value;
use std::collections::HashMap;

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Int)
}

fn opt_str(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// A limit request as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredLimitRequest {
    pub id: i64,
    pub customer_id: CustomerId,
    pub policy_version: String,
    pub as_of: String,
    pub created_at: Timestamp,
    /// `pending`, `approved`, `rejected` or `superseded`.
    pub status: String,
    pub currency: String,
    pub current_limit: i64,
    pub requested_limit: i64,
    pub current_term_days: i64,
    pub requested_term_days: i64,
    pub temporary_limit: Option<i64>,
    pub temporary_expires: Option<String>,
    /// The proposal with its reasons (JSON).
    pub proposal: String,
    /// The approval route (JSON).
    pub route: String,
}

/// One decision on a request routed for approval (a limit request, a billing request).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredLimitDecision {
    pub outcome: String,
    pub decided_by: String,
    pub role: String,
    pub comment: String,
    pub decided_at: Timestamp,
}

/// A limit in force by a credit decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApprovedLimit {
    pub customer_id: CustomerId,
    pub currency: String,
    pub credit_limit: i64,
    pub term_days: i64,
    pub temporary_limit: Option<i64>,
    pub temporary_expires: Option<String>,
    pub request_id: i64,
    pub approved_at: Timestamp,
}

/// An order the credit check blocked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BlockedOrder {
    pub id: i64,
    pub order_ref: String,
    pub customer_id: CustomerId,
    pub currency: String,
    pub amount: i64,
    pub order_date: String,
    /// `blocked`, `released` or `rejected`.
    pub status: String,
    /// The latest check's result (JSON).
    pub result: String,
    pub blocked_at: Timestamp,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
}

/// An entry of a blocked order's log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderDecision {
    pub at: Timestamp,
    pub actor: String,
    /// `blocked`, `rechecked`, `released`, `rejected`.
    pub kind: String,
    pub note: String,
}

/// A collection action taken.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CollectionAction {
    pub customer_id: CustomerId,
    pub action_date: String,
    pub action: String,
    pub note: String,
    pub actor: String,
}

/// A promise to pay.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredPromise {
    pub customer_id: CustomerId,
    pub made_on: String,
    pub promised_date: String,
    pub currency: String,
    pub amount: i64,
    pub invoice_no: Option<String>,
    /// Days after the promised date that payments still count, fixed when the promise
    /// was made; `None` for promises logged before this was recorded (the strategy's
    /// current grace days apply).
    pub grace_days: Option<u32>,
    pub actor: String,
}

const REQUEST_COLUMNS: &str = "id, customer_id, policy_version, as_of, created_at, status, currency, current_limit, requested_limit, current_term_days, requested_term_days, temporary_limit, temporary_expires, proposal, route";

fn request(r: &[Cell<'_>]) -> StoredLimitRequest {
    StoredLimitRequest {
        id: r[0].int().unwrap_or(0),
        customer_id: text(r[1]).into(),
        policy_version: text(r[2]),
        as_of: text(r[3]),
        created_at: stamp(r[4]),
        status: text(r[5]),
        currency: text(r[6]),
        current_limit: r[7].int().unwrap_or(0),
        requested_limit: r[8].int().unwrap_or(0),
        current_term_days: r[9].int().unwrap_or(0),
        requested_term_days: r[10].int().unwrap_or(0),
        temporary_limit: r[11].int(),
        temporary_expires: opt_text(r[12]),
        proposal: text(r[13]),
        route: text(r[14]),
    }
}

const ORDER_COLUMNS: &str = "id, order_ref, customer_id, currency, amount, order_date, status, result, blocked_at, decided_by, decided_at, reason";

fn order(r: &[Cell<'_>]) -> BlockedOrder {
    BlockedOrder {
        id: r[0].int().unwrap_or(0),
        order_ref: text(r[1]),
        customer_id: text(r[2]).into(),
        currency: text(r[3]),
        amount: r[4].int().unwrap_or(0),
        order_date: text(r[5]),
        status: text(r[6]),
        result: text(r[7]),
        blocked_at: stamp(r[8]),
        decided_by: opt_text(r[9]),
        decided_at: opt_stamp(r[10]),
        reason: opt_text(r[11]),
    }
}

/// The decisions on request `id` kept in `table`, oldest first.
pub(crate) fn decisions_of(
    db: &mut Db,
    table: &str,
    id: i64,
) -> Result<Vec<StoredLimitDecision>, StoreError> {
    let mut decisions = Vec::new();
    db.query_cells(
        &format!("SELECT outcome, decided_by, role, comment, decided_at FROM {table} WHERE request_id = ? ORDER BY id"),
        &[Value::Int(id)],
        |d| {
            decisions.push(StoredLimitDecision {
                outcome: text(d[0]),
                decided_by: text(d[1]),
                role: text(d[2]),
                comment: text(d[3]),
                decided_at: stamp(d[4]),
            })
        },
    )?;
    Ok(decisions)
}

/// Records a decision on request `id` in `decisions` and, when it settles the request,
/// its new status in `requests`.
pub(crate) fn record_decision(
    db: &mut Db,
    requests: &str,
    decisions: &str,
    id: i64,
    decision: &StoredLimitDecision,
    settled: Option<&str>,
) -> Result<(), StoreError> {
    db.execute(
        &format!(
            "INSERT INTO {decisions} (request_id, outcome, decided_by, role, comment, decided_at) VALUES (?, ?, ?, ?, ?, ?)"
        ),
        &[
            Value::Int(id),
            decision.outcome.as_str().into(),
            decision.decided_by.as_str().into(),
            decision.role.as_str().into(),
            decision.comment.as_str().into(),
            decision.decided_at.as_str().into(),
        ],
    )?;
    if let Some(status) = settled {
        db.execute(
            &format!("UPDATE {requests} SET status = ? WHERE id = ?"),
            &[status.into(), Value::Int(id)],
        )?;
    }
    Ok(())
}

impl Store {
    /// Runs `f` in one write transaction.
    pub(crate) fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.db.transaction(f)
    }

    /// Stores the limit requests of a policy run, at most one per customer; a customer's
    /// earlier pending request is superseded by its new one. Returns the new ids, in order.
    pub fn insert_limit_requests(&mut self, requests: &[StoredLimitRequest]) -> Result<Vec<i64>, StoreError> {
        self.in_transaction(|db| {
            let mut superseded = SameUpdate::new(
                "UPDATE limit_requests SET status = 'superseded' WHERE status = 'pending' AND customer_id IN",
            );
            for r in requests {
                superseded.push(db, &[], r.customer_id.as_str().into())?;
            }
            superseded.flush(db)?;
            let mut ids = Ids::new("limit_requests");
            let mut rows = Rows::new(format!("INSERT INTO limit_requests ({REQUEST_COLUMNS})"), "");
            let mut out = Vec::with_capacity(requests.len());
            for r in requests {
                let id = ids.next(db)?;
                out.push(id);
                rows.push(
                    db,
                    [
                        Value::Int(id),
                        r.customer_id.as_str().into(),
                        r.policy_version.as_str().into(),
                        r.as_of.as_str().into(),
                        r.created_at.as_str().into(),
                        r.status.as_str().into(),
                        r.currency.as_str().into(),
                        Value::Int(r.current_limit),
                        Value::Int(r.requested_limit),
                        Value::Int(r.current_term_days),
                        Value::Int(r.requested_term_days),
                        opt_int(r.temporary_limit),
                        opt_str(r.temporary_expires.as_deref()),
                        r.proposal.as_str().into(),
                        r.route.as_str().into(),
                    ],
                )?;
            }
            rows.flush(db)?;
            Ok(out)
        })
    }

    /// Limit requests, newest first, optionally of one status or customer.
    pub fn limit_requests(
        &mut self,
        status: Option<&str>,
        customer: Option<&str>,
    ) -> Result<Vec<StoredLimitRequest>, StoreError> {
        let mut sql = format!("SELECT {REQUEST_COLUMNS} FROM limit_requests WHERE 1 = 1");
        let mut params = Vec::new();
        for (column, value) in [("status", status), ("customer_id", customer)] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(Value::from(v));
            }
        }
        sql.push_str(" ORDER BY id DESC");
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(request(r)))?;
        Ok(out)
    }

    /// One limit request with its decisions, oldest first.
    pub fn limit_request(
        &mut self,
        id: i64,
    ) -> Result<Option<(StoredLimitRequest, Vec<StoredLimitDecision>)>, StoreError> {
        let mut found = None;
        self.db.query_cells(
            &format!("SELECT {REQUEST_COLUMNS} FROM limit_requests WHERE id = ?"),
            &[Value::Int(id)],
            |r| found = Some(request(r)),
        )?;
        let Some(r) = found else { return Ok(None) };
        Ok(Some((r, decisions_of(&mut self.db, "limit_decisions", id)?)))
    }

    /// Records a decision on a request and, when it settles the request, its new status
    /// and the limit it puts in force — in one transaction.
    pub fn decide_limit_request(
        &mut self,
        id: i64,
        decision: &StoredLimitDecision,
        settled: Option<&str>,
        approved: Option<&ApprovedLimit>,
    ) -> Result<(), StoreError> {
        self.in_transaction(|db| {
            record_decision(db, "limit_requests", "limit_decisions", id, decision, settled)?;
            if let Some(a) = approved {
                db.execute(
                    "INSERT INTO approved_limits (customer_id, currency, credit_limit, term_days, temporary_limit, temporary_expires, request_id, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET currency = excluded.currency, credit_limit = excluded.credit_limit, term_days = excluded.term_days, temporary_limit = excluded.temporary_limit, temporary_expires = excluded.temporary_expires, request_id = excluded.request_id, approved_at = excluded.approved_at",
                    &[
                        a.customer_id.as_str().into(),
                        a.currency.as_str().into(),
                        Value::Int(a.credit_limit),
                        Value::Int(a.term_days),
                        opt_int(a.temporary_limit),
                        opt_str(a.temporary_expires.as_deref()),
                        Value::Int(a.request_id),
                        a.approved_at.as_str().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// The limits in force by credit decisions, by customer.
    pub fn approved_limits(&mut self) -> Result<HashMap<String, ApprovedLimit>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_cells(
            "SELECT customer_id, currency, credit_limit, term_days, temporary_limit, temporary_expires, request_id, approved_at FROM approved_limits",
            &[],
            |r| {
                let a = ApprovedLimit {
                    customer_id: text(r[0]).into(),
                    currency: text(r[1]),
                    credit_limit: r[2].int().unwrap_or(0),
                    term_days: r[3].int().unwrap_or(0),
                    temporary_limit: r[4].int(),
                    temporary_expires: opt_text(r[5]),
                    request_id: r[6].int().unwrap_or(0),
                    approved_at: stamp(r[7]),
                };
                out.insert(a.customer_id.to_string(), a);
            },
        )?;
        Ok(out)
    }

    /// Queues a blocked order with the check that blocked it; returns its id.
    pub fn insert_blocked_order(&mut self, o: &BlockedOrder, actor: &str) -> Result<i64, StoreError> {
        self.in_transaction(|db| {
            let id = returning_id(
                db,
                "INSERT INTO blocked_orders (order_ref, customer_id, currency, amount, order_date, status, result, blocked_at) VALUES (?, ?, ?, ?, ?, 'blocked', ?, ?) RETURNING id",
                &[
                    o.order_ref.as_str().into(),
                    o.customer_id.as_str().into(),
                    o.currency.as_str().into(),
                    Value::Int(o.amount),
                    o.order_date.as_str().into(),
                    o.result.as_str().into(),
                    o.blocked_at.as_str().into(),
                ],
            )?;
            log_order(db, id, &o.blocked_at, actor, "blocked", "blocked by the credit check")?;
            Ok(id)
        })
    }

    /// Blocked orders, newest first, optionally of one status.
    pub fn blocked_orders(&mut self, status: Option<&str>) -> Result<Vec<BlockedOrder>, StoreError> {
        let mut out = Vec::new();
        match status {
            Some(s) => self.db.query_cells(
                &format!("SELECT {ORDER_COLUMNS} FROM blocked_orders WHERE status = ? ORDER BY id DESC"),
                &[s.into()],
                |r| out.push(order(r)),
            )?,
            None => self.db.query_cells(
                &format!("SELECT {ORDER_COLUMNS} FROM blocked_orders ORDER BY id DESC"),
                &[],
                |r| out.push(order(r)),
            )?,
        }
        Ok(out)
    }

    /// One blocked order with its log.
    pub fn blocked_order(
        &mut self,
        id: i64,
    ) -> Result<Option<(BlockedOrder, Vec<OrderDecision>)>, StoreError> {
        let mut found = None;
        self.db.query_cells(
            &format!("SELECT {ORDER_COLUMNS} FROM blocked_orders WHERE id = ?"),
            &[Value::Int(id)],
            |r| found = Some(order(r)),
        )?;
        let Some(o) = found else { return Ok(None) };
        let mut log = Vec::new();
        self.db.query_cells(
            "SELECT at, actor, kind, note FROM order_decisions WHERE blocked_order_id = ? ORDER BY id",
            &[Value::Int(id)],
            |r| {
                log.push(OrderDecision {
                    at: stamp(r[0]),
                    actor: text(r[1]),
                    kind: text(r[2]),
                    note: text(r[3]),
                })
            },
        )?;
        Ok(Some((o, log)))
    }

    /// Records what was decided about a blocked order: its new status (and the new check
    /// result on a recheck), logged with who, when and why.
    pub fn decide_blocked_order(
        &mut self,
        id: i64,
        status: &str,
        result: Option<&str>,
        kind: &str,
        actor: &str,
        reason: &str,
        at: &Timestamp,
    ) -> Result<(), StoreError> {
        self.in_transaction(|db| {
            db.execute(
                "UPDATE blocked_orders SET status = ?, result = COALESCE(?, result), decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
                &[status.into(), opt_str(result), actor.into(), at.into(), reason.into(), Value::Int(id)],
            )?;
            log_order(db, id, at, actor, kind, reason)
        })
    }

    /// Logs a collection action.
    pub fn log_collection_action(&mut self, a: &CollectionAction, at: &Timestamp) -> Result<(), StoreError> {
        self.db.execute(
            "INSERT INTO collection_actions (customer_id, action_date, action, note, actor, logged_at) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                a.customer_id.as_str().into(),
                a.action_date.as_str().into(),
                a.action.as_str().into(),
                a.note.as_str().into(),
                a.actor.as_str().into(),
                at.into(),
            ],
        )?;
        Ok(())
    }

    /// Logs a promise to pay.
    pub fn log_promise(&mut self, p: &StoredPromise, at: &Timestamp) -> Result<(), StoreError> {
        self.db.execute(
            "INSERT INTO promises (customer_id, made_on, promised_date, currency, amount, invoice_no, grace_days, actor, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                p.customer_id.as_str().into(),
                p.made_on.as_str().into(),
                p.promised_date.as_str().into(),
                p.currency.as_str().into(),
                Value::Int(p.amount),
                opt_str(p.invoice_no.as_deref()),
                opt_int(p.grace_days.map(i64::from)),
                p.actor.as_str().into(),
                at.into(),
            ],
        )?;
        Ok(())
    }

    /// Every collection action, by customer, oldest first.
    pub fn collection_actions(&mut self) -> Result<HashMap<String, Vec<CollectionAction>>, StoreError> {
        let mut out: HashMap<String, Vec<CollectionAction>> = HashMap::new();
        self.db.query_cells(
            "SELECT customer_id, action_date, action, note, actor FROM collection_actions ORDER BY id",
            &[],
            |r| {
                out.entry(text(r[0])).or_default().push(CollectionAction {
                    customer_id: text(r[0]).into(),
                    action_date: text(r[1]),
                    action: text(r[2]),
                    note: text(r[3]),
                    actor: text(r[4]),
                })
            },
        )?;
        Ok(out)
    }

    /// Every promise to pay, by customer, oldest first; only customers in `first ..= last`
    /// with a range.
    pub fn promises(
        &mut self,
        range: Option<(&str, &str)>,
    ) -> Result<HashMap<String, Vec<StoredPromise>>, StoreError> {
        let mut out: HashMap<String, Vec<StoredPromise>> = HashMap::new();
        let (filter, params) = customer_range(range);
        self.db.query_cells(
            &format!(
                "SELECT customer_id, made_on, promised_date, currency, amount, invoice_no, grace_days, actor FROM promises{filter} ORDER BY id"
            ),
            &params,
            |r| {
                out.entry(text(r[0])).or_default().push(StoredPromise {
                    customer_id: text(r[0]).into(),
                    made_on: text(r[1]),
                    promised_date: text(r[2]),
                    currency: text(r[3]),
                    amount: r[4].int().unwrap_or(0),
                    invoice_no: opt_text(r[5]),
                    grace_days: r[6].int().and_then(|d| u32::try_from(d).ok()),
                    actor: text(r[7]),
                })
            },
        )?;
        Ok(out)
    }
}

/// A `WHERE` clause limiting rows to customers in `first ..= last`, with its parameters.
pub(crate) fn customer_range(range: Option<(&str, &str)>) -> (&'static str, Vec<Value>) {
    match range {
        Some((first, last)) => {
            (" WHERE customer_id >= ? AND customer_id <= ?", vec![first.into(), last.into()])
        }
        None => ("", Vec::new()),
    }
}

fn log_order(db: &mut Db, id: i64, at: &str, actor: &str, kind: &str, note: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO order_decisions (blocked_order_id, at, actor, kind, note) VALUES (?, ?, ?, ?, ?)",
        &[Value::Int(id), at.into(), actor.into(), kind.into(), note.into()],
    )?;
    Ok(())
}
