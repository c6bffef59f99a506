//! Billing grades and the decisions they lead to (SCN-1): a grading run of the accounts
//! at a month end with every account's grade, the changes of billing terms proposed from
//! the grades with their decisions, and the terms in force. Every change is one
//! transaction.

use credence_domain::Timestamp;
use credence_records::Value;
use std::collections::HashMap;

use crate::batch::{Ids, Rows, SameUpdate};
use crate::cells::{stamp, text};
use crate::db::Cell;
use crate::{Store, StoreError};

/// A grading run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillingRun {
    pub id: i64,
    pub as_of: String,
    pub policy_version: String,
    pub created_at: Timestamp,
    pub created_by: String,
    /// What the run measured (JSON).
    pub summary: String,
}

/// An account's grade in a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountGrade {
    pub account_id: String,
    pub grade: String,
    pub points: f64,
    /// The scorecard's PD of arrears on next month's bill.
    pub pd: f64,
    /// The forecast model's PD of the same.
    pub forecast_pd: f64,
    pub high_risk: bool,
    /// The reasons (JSON).
    pub reasons: String,
}

/// A change of billing terms routed for approval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillingRequest {
    pub id: i64,
    pub account_id: String,
    /// `terms` or `waiver`.
    pub kind: String,
    pub run_id: i64,
    pub policy_version: String,
    pub as_of: String,
    pub created_at: Timestamp,
    /// `pending`, `approved`, `rejected` or `superseded`.
    pub status: String,
    /// The proposal with its changes and reasons (JSON).
    pub proposal: String,
    /// The approval route (JSON).
    pub route: String,
}

/// One decision on a billing request.
pub type BillingDecision = crate::control::StoredLimitDecision;

/// The terms in force by an approved request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TermsInForce {
    pub account_id: String,
    /// The terms (JSON).
    pub terms: String,
    pub request_id: i64,
    pub approved_at: Timestamp,
}

const RUN_COLUMNS: &str = "id, as_of, policy_version, created_at, created_by, summary";
const GRADE_COLUMNS: &str = "account_id, grade, points, pd, forecast_pd, high_risk, reasons";
const REQUEST_COLUMNS: &str =
    "id, account_id, kind, run_id, policy_version, as_of, created_at, status, proposal, route";

fn run(r: &[Cell<'_>]) -> BillingRun {
    BillingRun {
        id: r[0].int().unwrap_or(0),
        as_of: text(r[1]),
        policy_version: text(r[2]),
        created_at: stamp(r[3]),
        created_by: text(r[4]),
        summary: text(r[5]),
    }
}

fn grade(r: &[Cell<'_>]) -> AccountGrade {
    AccountGrade {
        account_id: text(r[0]),
        grade: text(r[1]),
        points: r[2].real().unwrap_or(f64::NAN),
        pd: r[3].real().unwrap_or(f64::NAN),
        forecast_pd: r[4].real().unwrap_or(f64::NAN),
        high_risk: r[5].int().unwrap_or(0) != 0,
        reasons: text(r[6]),
    }
}

fn request(r: &[Cell<'_>]) -> BillingRequest {
    BillingRequest {
        id: r[0].int().unwrap_or(0),
        account_id: text(r[1]),
        kind: text(r[2]),
        run_id: r[3].int().unwrap_or(0),
        policy_version: text(r[4]),
        as_of: text(r[5]),
        created_at: stamp(r[6]),
        status: text(r[7]),
        proposal: text(r[8]),
        route: text(r[9]),
    }
}

/// A request's values in the order of `REQUEST_COLUMNS`, with its new id.
fn request_values(id: i64, r: &BillingRequest) -> [Value; 10] {
    [
        Value::Int(id),
        r.account_id.as_str().into(),
        r.kind.as_str().into(),
        Value::Int(r.run_id),
        r.policy_version.as_str().into(),
        r.as_of.as_str().into(),
        r.created_at.as_str().into(),
        r.status.as_str().into(),
        r.proposal.as_str().into(),
        r.route.as_str().into(),
    ]
}

/// Which of a run's grades to read.
#[derive(Debug, Clone, Default)]
pub struct GradeFilter<'a> {
    pub grade: Option<&'a str>,
    pub high_risk_only: bool,
    /// At most this many, riskiest forecast first; all in account order when `None`.
    pub limit: Option<u64>,
}

impl Store {
    /// Stores a grading run with its grades and, when it fitted them, its models (JSON);
    /// returns the run's id.
    pub fn insert_billing_run(
        &mut self,
        run: &BillingRun,
        grades: &[AccountGrade],
        models: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.in_transaction(|db| {
            let id = Ids::new("billing_runs").next(db)?;
            db.execute(
                &format!("INSERT INTO billing_runs ({RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"),
                &[
                    Value::Int(id),
                    run.as_of.as_str().into(),
                    run.policy_version.as_str().into(),
                    run.created_at.as_str().into(),
                    run.created_by.as_str().into(),
                    run.summary.as_str().into(),
                ],
            )?;
            let mut rows = Rows::new(format!("INSERT INTO account_grades (run_id, {GRADE_COLUMNS})"), "");
            for g in grades {
                rows.push(
                    db,
                    [
                        Value::Int(id),
                        g.account_id.as_str().into(),
                        g.grade.as_str().into(),
                        Value::Real(g.points),
                        Value::Real(g.pd),
                        Value::Real(g.forecast_pd),
                        Value::Int(i64::from(g.high_risk)),
                        g.reasons.as_str().into(),
                    ],
                )?;
            }
            rows.flush(db)?;
            if let Some(m) = models {
                db.execute(
                    "INSERT INTO billing_models (run_id, models) VALUES (?, ?)",
                    &[Value::Int(id), m.into()],
                )?;
            }
            Ok(id)
        })
    }

    /// The latest run at or before `as_of` that fitted its models: the run and the models.
    pub fn latest_billing_models(&mut self, as_of: &str) -> Result<Option<(BillingRun, String)>, StoreError> {
        let cols: Vec<String> = RUN_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let mut found = None;
        self.db.query_cells(
            &format!(
                "SELECT {}, m.models FROM billing_runs r JOIN billing_models m ON m.run_id = r.id WHERE r.as_of <= ? ORDER BY r.as_of DESC, r.id DESC LIMIT 1",
                cols.join(", ")
            ),
            &[as_of.into()],
            |r| found = Some((run(&r[..6]), text(r[6]))),
        )?;
        Ok(found)
    }

    /// The latest grading run at or before `as_of` (any date when `None`).
    pub fn latest_billing_run(&mut self, as_of: Option<&str>) -> Result<Option<BillingRun>, StoreError> {
        let mut found = None;
        let (sql, params) = match as_of {
            Some(d) => (
                format!(
                    "SELECT {RUN_COLUMNS} FROM billing_runs WHERE as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1"
                ),
                vec![Value::from(d)],
            ),
            None => (
                format!("SELECT {RUN_COLUMNS} FROM billing_runs ORDER BY as_of DESC, id DESC LIMIT 1"),
                vec![],
            ),
        };
        self.db.query_cells(&sql, &params, |r| found = Some(run(r)))?;
        Ok(found)
    }

    /// One grading run.
    pub fn billing_run(&mut self, id: i64) -> Result<Option<BillingRun>, StoreError> {
        let mut found = None;
        self.db.query_cells(
            &format!("SELECT {RUN_COLUMNS} FROM billing_runs WHERE id = ?"),
            &[Value::Int(id)],
            |r| found = Some(run(r)),
        )?;
        Ok(found)
    }

    /// A run's grades as `filter` asks.
    pub fn account_grades(
        &mut self,
        run_id: i64,
        filter: &GradeFilter<'_>,
    ) -> Result<Vec<AccountGrade>, StoreError> {
        let mut sql = format!("SELECT {GRADE_COLUMNS} FROM account_grades WHERE run_id = ?");
        let mut params = vec![Value::Int(run_id)];
        if let Some(g) = filter.grade {
            sql.push_str(" AND grade = ?");
            params.push(g.into());
        }
        if filter.high_risk_only {
            sql.push_str(" AND high_risk = 1");
        }
        match filter.limit {
            Some(n) => {
                sql.push_str(" ORDER BY forecast_pd DESC, account_id LIMIT ?");
                params.push(Value::Int(n.min(i64::MAX as u64) as i64));
            }
            None => sql.push_str(" ORDER BY account_id"),
        }
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(grade(r)))?;
        Ok(out)
    }

    /// An account's grades over the runs, newest first: (run, grade).
    pub fn account_grade_history(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<(BillingRun, AccountGrade)>, StoreError> {
        let cols: Vec<String> = RUN_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let gcols: Vec<String> = GRADE_COLUMNS.split(", ").map(|c| format!("g.{c}")).collect();
        let sql = format!(
            "SELECT {}, {} FROM account_grades g JOIN billing_runs r ON r.id = g.run_id WHERE g.account_id = ? ORDER BY r.as_of DESC, r.id DESC",
            cols.join(", "),
            gcols.join(", ")
        );
        let mut out = Vec::new();
        self.db.query_cells(&sql, &[account_id.into()], |r| out.push((run(&r[..6]), grade(&r[6..]))))?;
        Ok(out)
    }

    /// Stores changes of terms, at most one per account; an account's earlier pending
    /// change of terms is superseded by its new one. Returns the new ids, in order.
    pub fn insert_billing_requests(&mut self, requests: &[BillingRequest]) -> Result<Vec<i64>, StoreError> {
        self.in_transaction(|db| {
            let mut superseded = SameUpdate::new(
                "UPDATE billing_requests SET status = 'superseded' WHERE status = 'pending' AND kind = 'terms' AND account_id IN",
            );
            for r in requests {
                superseded.push(db, &[], r.account_id.as_str().into())?;
            }
            superseded.flush(db)?;
            let mut ids = Ids::new("billing_requests");
            let mut rows = Rows::new(format!("INSERT INTO billing_requests ({REQUEST_COLUMNS})"), "");
            let mut out = Vec::with_capacity(requests.len());
            for r in requests {
                let id = ids.next(db)?;
                out.push(id);
                rows.push(db, request_values(id, r))?;
            }
            rows.flush(db)?;
            Ok(out)
        })
    }

    /// Stores a penalty waiver request; unlike a change of terms it supersedes nothing.
    pub fn insert_billing_waiver(&mut self, r: &BillingRequest) -> Result<i64, StoreError> {
        self.in_transaction(|db| {
            let id = Ids::new("billing_requests").next(db)?;
            db.execute(
                &format!(
                    "INSERT INTO billing_requests ({REQUEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                &request_values(id, r),
            )?;
            Ok(id)
        })
    }

    /// Billing requests, newest first, optionally of one status, account or kind, at most
    /// `limit`.
    pub fn billing_requests(
        &mut self,
        status: Option<&str>,
        account: Option<&str>,
        kind: Option<&str>,
        limit: u64,
    ) -> Result<Vec<BillingRequest>, StoreError> {
        let mut sql = format!("SELECT {REQUEST_COLUMNS} FROM billing_requests WHERE 1 = 1");
        let mut params = Vec::new();
        for (column, value) in [("status", status), ("account_id", account), ("kind", kind)] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(Value::from(v));
            }
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        params.push(Value::Int(limit.min(i64::MAX as u64) as i64));
        let mut out = Vec::new();
        self.db.query_cells(&sql, &params, |r| out.push(request(r)))?;
        Ok(out)
    }

    /// Billing requests by status.
    pub fn billing_request_counts(&mut self) -> Result<HashMap<String, u64>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_cells("SELECT status, COUNT(*) FROM billing_requests GROUP BY status", &[], |r| {
            out.insert(text(r[0]), r[1].int().unwrap_or(0) as u64);
        })?;
        Ok(out)
    }

    /// One billing request with its decisions, oldest first.
    pub fn billing_request(
        &mut self,
        id: i64,
    ) -> Result<Option<(BillingRequest, Vec<BillingDecision>)>, StoreError> {
        let mut found = None;
        self.db.query_cells(
            &format!("SELECT {REQUEST_COLUMNS} FROM billing_requests WHERE id = ?"),
            &[Value::Int(id)],
            |r| found = Some(request(r)),
        )?;
        let Some(r) = found else { return Ok(None) };
        Ok(Some((r, crate::control::decisions_of(&mut self.db, "billing_decisions", id)?)))
    }

    /// Records a decision on a billing request and, when it settles the request, its new
    /// status and the terms it puts in force — in one transaction.
    pub fn decide_billing_request(
        &mut self,
        id: i64,
        decision: &BillingDecision,
        settled: Option<&str>,
        in_force: Option<&TermsInForce>,
    ) -> Result<(), StoreError> {
        self.in_transaction(|db| {
            crate::control::record_decision(db, "billing_requests", "billing_decisions", id, decision, settled)?;
            if let Some(t) = in_force {
                db.execute(
                    "INSERT INTO account_terms (account_id, terms, request_id, approved_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET terms = excluded.terms, request_id = excluded.request_id, approved_at = excluded.approved_at",
                    &[
                        t.account_id.as_str().into(),
                        t.terms.as_str().into(),
                        Value::Int(t.request_id),
                        t.approved_at.as_str().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// The billing terms in force by approved requests, by account.
    pub fn terms_in_force(&mut self) -> Result<HashMap<String, TermsInForce>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_cells(
            "SELECT account_id, terms, request_id, approved_at FROM account_terms",
            &[],
            |r| {
                let t = TermsInForce {
                    account_id: text(r[0]),
                    terms: text(r[1]),
                    request_id: r[2].int().unwrap_or(0),
                    approved_at: stamp(r[3]),
                };
                out.insert(t.account_id.clone(), t);
            },
        )?;
        Ok(out)
    }
}

/// A collection action on a billing account.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BillingAction {
    pub account_id: String,
    pub action_date: String,
    /// A reminder action of the billing policy or a disconnection step.
    pub action: String,
    pub note: String,
    pub actor: String,
    pub logged_at: Timestamp,
}

impl Store {
    /// Records a collection action on a billing account.
    pub fn log_billing_action(&mut self, a: &BillingAction) -> Result<(), StoreError> {
        self.in_transaction(|db| {
            db.execute(
                "INSERT INTO billing_actions (account_id, action_date, action, note, actor, logged_at) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    a.account_id.as_str().into(),
                    a.action_date.as_str().into(),
                    a.action.as_str().into(),
                    a.note.as_str().into(),
                    a.actor.as_str().into(),
                    a.logged_at.as_str().into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Every billing account's actions on or after `since` (of one account with
    /// `account`), oldest first, by account.
    pub fn billing_actions(
        &mut self,
        since: &str,
        account: Option<&str>,
    ) -> Result<HashMap<String, Vec<BillingAction>>, StoreError> {
        let mut out: HashMap<String, Vec<BillingAction>> = HashMap::new();
        let mut params = vec![Value::from(since)];
        let one = match account {
            Some(id) => {
                params.push(id.into());
                " AND account_id = ?"
            }
            None => "",
        };
        self.db.query_cells(
            &format!("SELECT account_id, action_date, action, note, actor, logged_at FROM billing_actions WHERE action_date >= ?{one} ORDER BY account_id, action_date, id"),
            &params,
            |r| {
                let a = BillingAction {
                    account_id: text(r[0]),
                    action_date: text(r[1]),
                    action: text(r[2]),
                    note: text(r[3]),
                    actor: text(r[4]),
                    logged_at: stamp(r[5]),
                };
                out.entry(a.account_id.clone()).or_default().push(a);
            },
        )?;
        Ok(out)
    }
}
