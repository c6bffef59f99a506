//! Registered statistical models and the runs that scored the portfolio with them. Their
//! scores live apart from the expert ratings: a challenger is compared, never read by
//! credit decisions.

use crate::cells::{opt_stamp, stamp};
use crate::cells::{returning_id, text};
use crate::db::Db;
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_records::Value;

/// A model as registered: its artefact (the saved model file's text) and identity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredModel {
    pub version: String,
    pub kind: String,
    pub target: String,
    pub trained_at: Timestamp,
    /// Omitted from lists.
    #[serde(skip)]
    pub artefact: String,
    pub artefact_hash: String,
    pub registered_at: Timestamp,
    pub registered_by: String,
}

/// What registering did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    New,
    /// The same artefact was registered under this version before: nothing changed.
    Unchanged,
    /// Another artefact holds the version; versions are never reused.
    VersionTaken,
}

/// One customer's score from a model run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelScore {
    pub customer_id: CustomerId,
    pub pd: f64,
    pub score: f64,
    pub grade: String,
    /// JSON list of the top reasons.
    pub reasons: String,
}

/// A finished model run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelRun {
    pub id: i64,
    pub model_version: String,
    pub as_of: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub scored: i64,
    pub failed: i64,
}

const MODEL_COLUMNS: &str =
    "version, kind, target, trained_at, artefact, artefact_hash, registered_at, registered_by";

fn model_row(r: &[crate::db::Cell<'_>]) -> StoredModel {
    StoredModel {
        version: text(r[0]),
        kind: text(r[1]),
        target: text(r[2]),
        trained_at: stamp(r[3]),
        artefact: text(r[4]),
        artefact_hash: text(r[5]),
        registered_at: stamp(r[6]),
        registered_by: text(r[7]),
    }
}

impl Store {
    /// Registers a model under its version; registering the same artefact again changes
    /// nothing.
    pub fn register_model(&mut self, m: &StoredModel) -> Result<Registered, StoreError> {
        if let Some(old) = self.model(&m.version)? {
            return Ok(if old.artefact_hash == m.artefact_hash {
                Registered::Unchanged
            } else {
                Registered::VersionTaken
            });
        }
        self.db.execute(
            &format!("INSERT INTO models ({MODEL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            &[
                m.version.as_str().into(),
                m.kind.as_str().into(),
                m.target.as_str().into(),
                m.trained_at.as_str().into(),
                m.artefact.as_str().into(),
                m.artefact_hash.as_str().into(),
                m.registered_at.as_str().into(),
                m.registered_by.as_str().into(),
            ],
        )?;
        Ok(Registered::New)
    }

    /// A registered model with its artefact.
    pub fn model(&mut self, version: &str) -> Result<Option<StoredModel>, StoreError> {
        let mut out = None;
        self.db.query_cells(
            &format!("SELECT {MODEL_COLUMNS} FROM models WHERE version = ?"),
            &[version.into()],
            |r| out = Some(model_row(r)),
        )?;
        Ok(out)
    }

    /// Every registered model, newest first, without artefacts.
    pub fn models(&mut self) -> Result<Vec<StoredModel>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT version, kind, target, trained_at, '', artefact_hash, registered_at, registered_by FROM models ORDER BY id DESC",
            &[],
            |r| out.push(model_row(r)),
        )?;
        Ok(out)
    }

    /// Stores a model run's scores in one transaction; returns the run id.
    pub fn insert_model_run(
        &mut self,
        run: &ModelRun,
        scores: &[ModelScore],
        failures: u64,
    ) -> Result<i64, StoreError> {
        self.in_transaction(|db: &mut Db| {
            let id = returning_id(
                db,
                "INSERT INTO model_runs (model_version, as_of, started_at, finished_at, scored, failed) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    run.model_version.as_str().into(),
                    run.as_of.as_str().into(),
                    run.started_at.as_str().into(),
                    run.finished_at.as_deref().map_or(Value::Null, Value::from),
                    Value::Int(scores.len() as i64),
                    Value::Int(failures as i64),
                ],
            )?;
            for s in scores {
                db.execute(
                    "INSERT INTO model_scores (run_id, customer_id, pd, score, grade, reasons) VALUES (?, ?, ?, ?, ?, ?)",
                    &[
                        Value::Int(id),
                        s.customer_id.as_str().into(),
                        Value::Real(s.pd),
                        Value::Real(s.score),
                        s.grade.as_str().into(),
                        s.reasons.as_str().into(),
                    ],
                )?;
            }
            Ok(id)
        })
    }

    /// Model runs, newest first; of one model with a version.
    pub fn model_runs(&mut self, version: Option<&str>) -> Result<Vec<ModelRun>, StoreError> {
        let (filter, params): (&str, Vec<Value>) = match version {
            Some(v) => (" WHERE model_version = ?", vec![v.into()]),
            None => ("", Vec::new()),
        };
        let mut out = Vec::new();
        self.db.query_cells(
            &format!(
                "SELECT id, model_version, as_of, started_at, finished_at, scored, failed FROM model_runs{filter} ORDER BY id DESC"
            ),
            &params,
            |r| {
                out.push(ModelRun {
                    id: r[0].int().unwrap_or(0),
                    model_version: text(r[1]),
                    as_of: text(r[2]),
                    started_at: stamp(r[3]),
                    finished_at: opt_stamp(r[4]),
                    scored: r[5].int().unwrap_or(0),
                    failed: r[6].int().unwrap_or(0),
                })
            },
        )?;
        Ok(out)
    }

    /// A model run's scores, by customer id.
    pub fn model_scores(&mut self, run_id: i64) -> Result<Vec<ModelScore>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT customer_id, pd, score, grade, reasons FROM model_scores WHERE run_id = ? ORDER BY customer_id",
            &[Value::Int(run_id)],
            |r| {
                out.push(ModelScore {
                    customer_id: text(r[0]).into(),
                    pd: r[1].real().unwrap_or(f64::NAN),
                    score: r[2].real().unwrap_or(f64::NAN),
                    grade: text(r[3]),
                    reasons: text(r[4]),
                })
            },
        )?;
        Ok(out)
    }
}
