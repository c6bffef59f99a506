//! Disputes customers raise about invoices (CTRL-9): opened with the amount and reason,
//! resolved once with the outcome. Open disputes take the invoice off collectors' lists;
//! the share of invoices disputed is a behavioural indicator for rating.

use crate::cells::{opt_text, returning_id, text};
use crate::control::customer_range;
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_records::Value;
use std::collections::HashMap;

/// A dispute as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredDispute {
    /// 0 until stored.
    pub id: i64,
    pub customer_id: CustomerId,
    pub invoice_no: String,
    pub opened_on: String,
    pub currency: String,
    /// The amount disputed, minor units.
    pub amount: i64,
    pub reason: String,
    pub actor: String,
    pub resolved_on: Option<String>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

/// Why a dispute could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveOutcome {
    Resolved,
    NotFound,
    /// Resolved before, on this date.
    AlreadyResolved(String),
}

fn dispute(r: &[crate::db::Cell<'_>]) -> StoredDispute {
    StoredDispute {
        id: r[0].int().unwrap_or(0),
        customer_id: text(r[1]).into(),
        invoice_no: text(r[2]),
        opened_on: text(r[3]),
        currency: text(r[4]),
        amount: r[5].int().unwrap_or(0),
        reason: text(r[6]),
        actor: text(r[7]),
        resolved_on: opt_text(r[8]),
        resolution: opt_text(r[9]),
        resolved_by: opt_text(r[10]),
    }
}

const COLUMNS: &str = "id, customer_id, invoice_no, opened_on, currency, amount, reason, actor, resolved_on, resolution, resolved_by";

impl Store {
    /// Records a dispute; returns its id.
    pub fn open_dispute(&mut self, d: &StoredDispute, at: &Timestamp) -> Result<i64, StoreError> {
        returning_id(
            &mut self.db,
            "INSERT INTO disputes (customer_id, invoice_no, opened_on, currency, amount, reason, actor, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                d.customer_id.as_str().into(),
                d.invoice_no.as_str().into(),
                d.opened_on.as_str().into(),
                d.currency.as_str().into(),
                Value::Int(d.amount),
                d.reason.as_str().into(),
                d.actor.as_str().into(),
                at.into(),
            ],
        )
    }

    /// Resolves an open dispute on `on` with what was agreed; a dispute is resolved once.
    pub fn resolve_dispute(
        &mut self,
        id: i64,
        on: &str,
        resolution: &str,
        actor: &str,
    ) -> Result<ResolveOutcome, StoreError> {
        self.in_transaction(|db| {
            let before = db.query_one("SELECT COALESCE(resolved_on, '') FROM disputes WHERE id = ?", &[Value::Int(id)])?;
            match before.as_ref().and_then(|v| v.as_text()) {
                None => return Ok(ResolveOutcome::NotFound),
                Some(done) if !done.is_empty() => return Ok(ResolveOutcome::AlreadyResolved(done.to_owned())),
                Some(_) => {}
            }
            db.execute(
                "UPDATE disputes SET resolved_on = ?, resolution = ?, resolved_by = ? WHERE id = ? AND resolved_on IS NULL",
                &[on.into(), resolution.into(), actor.into(), Value::Int(id)],
            )?;
            Ok(ResolveOutcome::Resolved)
        })
    }

    /// One dispute by id.
    pub fn dispute(&mut self, id: i64) -> Result<Option<StoredDispute>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {COLUMNS} FROM disputes WHERE id = ?"),
            &[Value::Int(id)],
            |r| out = Some(dispute(r)),
        )?;
        Ok(out)
    }

    /// Every dispute, by customer, oldest first; only customers in `first ..= last` with
    /// a range.
    pub fn disputes(
        &mut self,
        range: Option<(&str, &str)>,
    ) -> Result<HashMap<String, Vec<StoredDispute>>, StoreError> {
        let mut out: HashMap<String, Vec<StoredDispute>> = HashMap::new();
        let (filter, params) = customer_range(range);
        self.db.query_cells(
            &format!("SELECT {COLUMNS} FROM disputes{filter} ORDER BY id"),
            &params,
            |r| {
                let d = dispute(r);
                out.entry(d.customer_id.to_string()).or_default().push(d);
            },
        )?;
        Ok(out)
    }

    /// For each customer with a collection log, when its latest promise or dispute was
    /// logged: a rating made before then does not reflect it.
    pub fn collection_log_times(&mut self) -> Result<crate::IdMap<String>, StoreError> {
        let mut out = crate::IdMap::<String>::default();
        for table in ["promises", "disputes"] {
            self.db.query_cells(
                &format!("SELECT customer_id, MAX(logged_at) FROM {table} GROUP BY customer_id"),
                &[],
                |r| {
                    let at = text(r[1]);
                    let e = out.entry(text(r[0])).or_default();
                    if at > *e {
                        *e = at;
                    }
                },
            )?;
        }
        Ok(out)
    }
}
