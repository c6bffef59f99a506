//! Credit-repair plans (GOV-1) and their items with evidence.

use crate::cells::{opt_stamp, stamp};
use crate::cells::{opt_text, returning_id, text};
use crate::db::Db;
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_records::Value;

/// A credit-repair plan (GOV-1).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepairPlan {
    pub id: i64,
    pub customer_id: CustomerId,
    /// `open`, `completed` or `abandoned`.
    pub status: String,
    pub reason: String,
    pub opened_at: Timestamp,
    pub opened_by: String,
    pub grade_before: Option<String>,
    pub completed_at: Option<Timestamp>,
    pub grade_after: Option<String>,
    pub items: Vec<RepairItem>,
}

/// One thing to put right: an issue to fix, training, a dispute of a credit report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepairItem {
    pub id: i64,
    pub kind: String,
    pub description: String,
    /// `open` or `done`.
    pub status: String,
    pub evidence: Option<String>,
    pub done_at: Option<Timestamp>,
    pub done_by: Option<String>,
}

impl Store {
    /// Opens a repair plan with its first items, in one transaction; returns its id.
    pub fn open_repair_plan(
        &mut self,
        customer_id: &str,
        reason: &str,
        by: &str,
        at: &Timestamp,
        grade_before: Option<&str>,
        items: &[(String, String)],
    ) -> Result<i64, StoreError> {
        self.db.transaction(|db| -> Result<i64, StoreError> {
            let id = returning_id(
                db,
                "INSERT INTO repair_plans (customer_id, status, reason, opened_at, opened_by, grade_before) VALUES (?, 'open', ?, ?, ?, ?) RETURNING id",
                &[
                    customer_id.into(),
                    reason.into(),
                    at.into(),
                    by.into(),
                    grade_before.map_or(Value::Null, Value::from),
                ],
            )?;
            for (kind, description) in items {
                add_item(db, id, kind, description)?;
            }
            Ok(id)
        })
    }

    /// Adds an item to a plan; returns its id.
    pub fn add_repair_item(
        &mut self,
        plan_id: i64,
        kind: &str,
        description: &str,
    ) -> Result<i64, StoreError> {
        add_item(&mut self.db, plan_id, kind, description)
    }

    /// Marks an item done with its evidence.
    pub fn finish_repair_item(
        &mut self,
        item_id: i64,
        evidence: &str,
        by: &str,
        at: &Timestamp,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE repair_items SET status = 'done', evidence = ?, done_by = ?, done_at = ? WHERE id = ?",
            &[evidence.into(), by.into(), at.into(), Value::Int(item_id)],
        )?;
        Ok(())
    }

    /// Closes a plan as completed (with the grade after re-rating) or abandoned.
    pub fn close_repair_plan(
        &mut self,
        plan_id: i64,
        status: &str,
        at: &Timestamp,
        grade_after: Option<&str>,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE repair_plans SET status = ?, completed_at = ?, grade_after = ? WHERE id = ?",
            &[status.into(), at.into(), grade_after.map_or(Value::Null, Value::from), Value::Int(plan_id)],
        )?;
        Ok(())
    }

    /// Repair plans, newest first, optionally of one status or customer.
    pub fn repair_plans(
        &mut self,
        status: Option<&str>,
        customer: Option<&str>,
    ) -> Result<Vec<RepairPlan>, StoreError> {
        let filter = [("status", status.map(Value::from)), ("customer_id", customer.map(Value::from))];
        self.plans_where(&filter)
    }

    /// One plan with its items.
    pub fn repair_plan(&mut self, plan_id: i64) -> Result<Option<RepairPlan>, StoreError> {
        Ok(self.plans_where(&[("id", Some(Value::Int(plan_id)))])?.pop())
    }

    fn plans_where(&mut self, filter: &[(&str, Option<Value>)]) -> Result<Vec<RepairPlan>, StoreError> {
        let mut sql = "SELECT id, customer_id, status, reason, opened_at, opened_by, grade_before, completed_at, grade_after FROM repair_plans WHERE 1 = 1".to_owned();
        let mut params = Vec::new();
        for (column, value) in filter {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(v.clone());
            }
        }
        sql.push_str(" ORDER BY id DESC");
        let mut plans = Vec::new();
        self.db.query_cells(&sql, &params, |r| {
            plans.push(RepairPlan {
                id: r[0].int().unwrap_or(0),
                customer_id: text(r[1]).into(),
                status: text(r[2]),
                reason: text(r[3]),
                opened_at: stamp(r[4]),
                opened_by: text(r[5]),
                grade_before: opt_text(r[6]),
                completed_at: opt_stamp(r[7]),
                grade_after: opt_text(r[8]),
                items: Vec::new(),
            })
        })?;
        for p in &mut plans {
            let mut items = Vec::new();
            self.db.query_cells(
                "SELECT id, kind, description, status, evidence, done_at, done_by FROM repair_items WHERE plan_id = ? ORDER BY id",
                &[Value::Int(p.id)],
                |r| {
                    items.push(RepairItem {
                        id: r[0].int().unwrap_or(0),
                        kind: text(r[1]),
                        description: text(r[2]),
                        status: text(r[3]),
                        evidence: opt_text(r[4]),
                        done_at: opt_stamp(r[5]),
                        done_by: opt_text(r[6]),
                    })
                },
            )?;
            p.items = items;
        }
        Ok(plans)
    }
}

fn add_item(db: &mut Db, plan_id: i64, kind: &str, description: &str) -> Result<i64, StoreError> {
    returning_id(
        db,
        "INSERT INTO repair_items (plan_id, kind, description, status) VALUES (?, ?, ?, 'open') RETURNING id",
        &[Value::Int(plan_id), kind.into(), description.into()],
    )
}
