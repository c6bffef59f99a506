//! The modelling workbench over files and the store (RATE-4, RATE-5, GOV-2): tabular
//! files (CSV in any encoding the importer reads, or xlsx) read into columns, models
//! trained and saved, files scored in chunks (a file larger than memory streams through),
//! models monitored, registered in the store and run over the portfolio as challengers.

use credence_domain::Timestamp;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use credence_indicators::{Catalogue, EvalOptions};
use credence_model::{GradeBand, ModelFile, SchemaReader, Table, TableBuilder, Target, TrainSpec};
use credence_records::RowReader;
use credence_store::{ModelRun, ModelScore, Registered, Store, StoredModel};

use crate::EngineError;
use crate::credit_file::Pool;

/// Rows scored together when streaming a file.
pub const SCORE_CHUNK: usize = 65_536;

/// Why a modelling step failed, in terms of the user's files and options.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Read(#[from] credence_records::ReadError),
    #[error("{path}: {source}")]
    Table {
        path: String,
        #[source]
        source: credence_model::TableError,
    },
    #[error("{path}: the file has no header row")]
    Empty { path: String },
    #[error("{path}: column '{column}': {source}")]
    Target {
        path: String,
        column: String,
        #[source]
        source: credence_model::TargetError,
    },
    #[error("training the model")]
    Train(#[from] credence_model::TrainError),
    #[error("scoring")]
    Score(#[from] credence_model::score::ScoreError),
    #[error("{path}: {source}")]
    Schema {
        path: String,
        #[source]
        source: credence_model::artefact::MissingColumn,
    },
    #[error("{path}: not a Credence model")]
    Artefact {
        path: String,
        #[source]
        source: credence_model::artefact::ArtefactError,
    },
    #[error("cannot write {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("more than {limit} account-months: test fewer months or learn from fewer")]
    TooManyRows { limit: usize },
    #[error(
        "nothing to learn from at {as_of}: {rows} account-months with a known outcome, {events} in arrears; load more months of bills and payments"
    )]
    NothingToLearn { as_of: chrono::NaiveDate, rows: u64, events: u64 },
    #[error("no grading run at or before {as_of} fitted models to reuse; grade without --reuse-models first")]
    NoFittedRun { as_of: chrono::NaiveDate },
    #[error("no billing account is open at {as_of}")]
    NoOpenAccounts { as_of: chrono::NaiveDate },
    #[error("no model '{0}' is registered; `credence model list` shows them")]
    UnknownModel(String),
    #[error("version {0} is registered with a different model; give the new one another version")]
    VersionTaken(String),
    #[error(
        "model {version} reads '{feature}', which is neither a catalogue indicator nor customer_type or industry"
    )]
    NotPortfolioFeature { version: String, feature: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] credence_store::StoreError),
}

/// The letter grades of the expert scorecard's PD scale, for models to grade on; B and
/// below are high risk (list-managed under the credit policy).
pub fn grade_scale(model: &credence_rating::ScorecardModel) -> Vec<GradeBand> {
    let grades = model.letter_grades();
    let b = grades.iter().position(|g| g.grade == "B").unwrap_or(grades.len().saturating_sub(1));
    grades
        .iter()
        .enumerate()
        .map(|(k, g)| GradeBand {
            grade: g.grade.clone(),
            pd_to: if k + 1 == grades.len() { 1.0 } else { g.to },
            high_risk: k >= b,
        })
        .collect()
}

/// A file read into feature columns and the target's cells.
pub struct LoadedTable {
    pub table: Table,
    pub target: Vec<String>,
}

/// Reads a whole file: every column but the target and the excluded ones as features.
pub fn read_table(path: &Path, target: Option<&str>, exclude: &[String]) -> Result<LoadedTable, ModelError> {
    let shown = path.display().to_string();
    let mut reader = RowReader::open(path)?;
    let (_, header) = reader.next_row()?.ok_or_else(|| ModelError::Empty { path: shown.clone() })?;
    let table_err = |source| ModelError::Table { path: shown.clone(), source };
    let mut builder = TableBuilder::new(&header, target, exclude).map_err(table_err)?;
    while let Some((row, cells)) = reader.next_row()? {
        builder.push(row, &cells).map_err(table_err)?;
    }
    let (table, target) = builder.finish();
    Ok(LoadedTable { table, target })
}

/// Trains on a file (the target column `target`, its event value `event` when the values
/// do not say), with `spec`.
pub fn train_file(
    path: &Path,
    target: &str,
    event: Option<&str>,
    exclude: &[String],
    spec: &TrainSpec,
    progress: &mut dyn FnMut(&str),
) -> Result<ModelFile, ModelError> {
    let loaded = read_table(path, Some(target), exclude)?;
    let y = credence_model::read_target(&loaded.target, event, 2).map_err(|source| ModelError::Target {
        path: path.display().to_string(),
        column: target.to_owned(),
        source,
    })?;
    progress(&format!(
        "{} rows, {} events ('{}'), {} columns",
        y.values.len(),
        y.events(),
        y.event,
        loaded.table.names.len()
    ));
    let mut model = credence_model::train(&loaded.table, &y, spec, progress)?;
    model.target = target.to_owned();
    Ok(model)
}

pub fn save_model(model: &ModelFile, path: &Path) -> Result<(), ModelError> {
    std::fs::write(path, model.to_json())
        .map_err(|source| ModelError::Write { path: path.display().to_string(), source })
}

pub fn load_model(path: &Path) -> Result<ModelFile, ModelError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|source| credence_records::ReadError::Open { path: shown.clone(), source })?;
    ModelFile::from_json(&text).map_err(|source| ModelError::Artefact { path: shown, source })
}

/// What scoring a file did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreSummary {
    pub rows: u64,
    pub mean_pd: f64,
    /// Rows per grade, best grade first.
    pub grades: Vec<(String, u64)>,
    /// Per feature with any: cells that were not numbers, categories not seen in training.
    pub unreadable: Vec<(String, u64)>,
    pub unseen: Vec<(String, u64)>,
}

/// Scores a file into a CSV: the `id` column (else the row number), PD, score, grade and
/// the top `explain` reasons. Rows are read, scored and written a chunk at a time.
pub fn score_file(
    model: &ModelFile,
    input: &Path,
    output: &Path,
    id: Option<&str>,
    explain: usize,
) -> Result<ScoreSummary, ModelError> {
    let shown = input.display().to_string();
    let out_shown = output.display().to_string();
    let write_err = |source: std::io::Error| ModelError::Write { path: out_shown.clone(), source };
    let mut reader = RowReader::open(input)?;
    let (_, header) = reader.next_row()?.ok_or_else(|| ModelError::Empty { path: shown.clone() })?;
    let id_at = match id {
        Some(name) => {
            Some(header.iter().position(|h| h.trim() == name).ok_or_else(|| ModelError::Table {
                path: shown.clone(),
                source: credence_model::TableError::UnknownColumn { name: name.to_owned() },
            })?)
        }
        None => None,
    };
    let mut schema = SchemaReader::new(&model.features, &header)
        .map_err(|source| ModelError::Schema { path: shown.clone(), source })?;
    let file = std::fs::File::create(output).map_err(write_err)?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let csv_err =
        |e: csv::Error| ModelError::Write { path: out_shown.clone(), source: std::io::Error::other(e) };
    let mut head = vec![id.unwrap_or("row").to_owned(), "pd".into(), "score".into(), "grade".into()];
    for k in 1..=explain {
        head.extend([format!("reason_{k}"), format!("reason_{k}_value"), format!("reason_{k}_contribution")]);
    }
    out.write_record(&head).map_err(csv_err)?;
    let mut ids: Vec<String> = Vec::with_capacity(SCORE_CHUNK);
    let mut rows = 0u64;
    let mut pd_sum = 0.0;
    let mut grades: Vec<(String, u64)> = model.grades.iter().map(|g| (g.grade.clone(), 0)).collect();
    let mut flush = |schema: &mut SchemaReader,
                     ids: &mut Vec<String>,
                     out: &mut csv::Writer<_>|
     -> Result<(), ModelError> {
        if schema.rows() == 0 {
            return Ok(());
        }
        let table = schema.take();
        let scores = credence_model::score_table(model, &table, explain)?;
        for (id, s) in ids.drain(..).zip(&scores) {
            let mut record = vec![id, format!("{:.6}", s.pd), format!("{:.1}", s.score), s.grade.clone()];
            for k in 0..explain {
                match s.reasons.get(k) {
                    Some(r) => {
                        record.extend([r.feature.clone(), r.value.clone(), format!("{:.4}", r.contribution)])
                    }
                    None => record.extend([String::new(), String::new(), String::new()]),
                }
            }
            out.write_record(&record).map_err(csv_err)?;
            rows += 1;
            pd_sum += s.pd;
            if let Some(g) = grades.iter_mut().find(|g| g.0 == s.grade) {
                g.1 += 1;
            }
        }
        Ok(())
    };
    while let Some((row, cells)) = reader.next_row()? {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        ids.push(match id_at {
            Some(i) => cells.get(i).cloned().unwrap_or_default(),
            None => (row - 1).to_string(),
        });
        schema.push(&cells);
        if schema.rows() == SCORE_CHUNK {
            flush(&mut schema, &mut ids, &mut out)?;
        }
    }
    flush(&mut schema, &mut ids, &mut out)?;
    out.flush().map_err(write_err)?;
    let named = |counts: &[u64]| {
        model
            .features
            .iter()
            .zip(counts)
            .filter(|(_, n)| **n > 0)
            .map(|(f, n)| (f.name().to_owned(), *n))
            .collect()
    };
    Ok(ScoreSummary {
        rows,
        mean_pd: if rows == 0 { 0.0 } else { pd_sum / rows as f64 },
        grades,
        unreadable: named(&schema.unreadable),
        unseen: named(&schema.unseen),
    })
}

/// Monitors a model on a file; with the model's target column present, performance too.
pub fn monitor_file(
    model: &ModelFile,
    path: &Path,
    event: Option<&str>,
) -> Result<credence_model::monitor::MonitorReport, ModelError> {
    let shown = path.display().to_string();
    let mut reader = RowReader::open(path)?;
    let (_, header) = reader.next_row()?.ok_or_else(|| ModelError::Empty { path: shown.clone() })?;
    let mut schema = SchemaReader::new(&model.features, &header)
        .map_err(|source| ModelError::Schema { path: shown.clone(), source })?;
    let target_at = header.iter().position(|h| h.trim() == model.target);
    let mut target_cells = Vec::new();
    while let Some((_, cells)) = reader.next_row()? {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        schema.push(&cells);
        if let Some(t) = target_at {
            target_cells.push(cells.get(t).cloned().unwrap_or_default());
        }
    }
    let table = schema.take();
    let target: Option<Target> = match target_at {
        Some(_) => Some(
            credence_model::read_target(&target_cells, event.or(Some(model.event.as_str())), 2).map_err(
                |source| ModelError::Target { path: shown.clone(), column: model.target.clone(), source },
            )?,
        ),
        None => None,
    };
    Ok(credence_model::monitor::monitor(model, &table, target.as_ref().map(|t| t.values.as_slice()))?)
}

/// Registers a saved model in the store under its version (idempotent for the same
/// artefact).
pub fn register_model(
    store: &mut Store,
    model: &ModelFile,
    by: &str,
    at: &Timestamp,
) -> Result<bool, ModelError> {
    let artefact = model.to_json();
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(artefact.as_bytes()));
    let stored = StoredModel {
        version: model.version.clone(),
        kind: model.kind.code().to_owned(),
        target: model.target.clone(),
        trained_at: Timestamp::stored(model.trained_at.clone()),
        artefact,
        artefact_hash: hash,
        registered_at: at.clone(),
        registered_by: by.to_owned(),
    };
    match store.register_model(&stored)? {
        Registered::New => Ok(true),
        Registered::Unchanged => Ok(false),
        Registered::VersionTaken => Err(ModelError::VersionTaken(model.version.clone())),
    }
}

/// How far a registered model's portfolio runs drifted from its training population
/// (GOV-2): each challenger run's PSI of PDs against the training distribution.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DriftPoint {
    pub run_id: i64,
    pub as_of: String,
    pub scored: usize,
    pub mean_pd: Option<f64>,
    /// None when the run scored nothing.
    pub psi: Option<credence_model::Psi>,
}

/// A registered model with its validation, grades and drift run by run (oldest first).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelDetail {
    pub registered_at: String,
    pub registered_by: String,
    pub model: ModelFile,
    pub drift: Vec<DriftPoint>,
}

/// A registered model and the drift of its challenger runs.
pub fn model_detail(store: &mut Store, version: &str) -> Result<ModelDetail, ModelError> {
    let stored = store.model(version)?.ok_or_else(|| ModelError::UnknownModel(version.to_owned()))?;
    let model = ModelFile::from_json(&stored.artefact)
        .map_err(|source| ModelError::Artefact { path: format!("model {version}"), source })?;
    let mut runs = store.model_runs(Some(version))?;
    runs.sort_by_key(|r| r.id);
    let mut drift = Vec::with_capacity(runs.len());
    for r in runs {
        let pds: Vec<f64> = store.model_scores(r.id)?.into_iter().map(|s| s.pd).collect();
        drift.push(DriftPoint {
            run_id: r.id,
            as_of: r.as_of,
            scored: pds.len(),
            mean_pd: (!pds.is_empty()).then(|| pds.iter().sum::<f64>() / pds.len() as f64),
            psi: credence_model::monitor::pd_drift(&model, &pds),
        });
    }
    Ok(ModelDetail {
        registered_at: stored.registered_at.into_string(),
        registered_by: stored.registered_by,
        model,
        drift,
    })
}

/// A registered model run over the portfolio, against the expert ratings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChallengerRun {
    pub run_id: i64,
    pub model_version: String,
    pub as_of: NaiveDate,
    pub scored: u64,
    pub failed: u64,
    /// Rows per grade (challenger), best first.
    pub grades: Vec<(String, u64)>,
    /// Customers with an expert rating too, and how many of them got the same letter grade
    /// and a grade within one step.
    pub compared: u64,
    pub same_grade: u64,
    pub within_one: u64,
}

/// Scores every customer with a registered model whose features are catalogue indicators
/// (and `customer_type`, `industry`), as trained on `credence model dataset`; stores the
/// scores apart from the expert ratings and compares the two.
pub fn rate_with_model(
    store: &mut Store,
    catalogue: &Catalogue,
    version: &str,
    as_of: NaiveDate,
    now: &Timestamp,
) -> Result<ChallengerRun, ModelError> {
    let stored = store.model(version)?.ok_or_else(|| ModelError::UnknownModel(version.to_owned()))?;
    let model = ModelFile::from_json(&stored.artefact)
        .map_err(|source| ModelError::Artefact { path: format!("model {version}"), source })?;
    let header = crate::model_data::feature_names(catalogue);
    for f in &model.features {
        if !header.iter().any(|h| h == f.name()) {
            return Err(ModelError::NotPortfolioFeature {
                version: version.to_owned(),
                feature: f.name().to_owned(),
            });
        }
    }
    let customer_ids = store.customer_ids()?;
    let mut scores: Vec<ModelScore> = Vec::with_capacity(customer_ids.len());
    let mut failed = 0u64;
    let mut pool = Pool::open(store)?;
    pool.run(
        &customer_ids,
        &|c| {
            let (file, _) = c.file.as_ref().ok()?;
            let set = catalogue.evaluate(file, as_of, &EvalOptions { trends: false });
            Some((file.customer_id.clone(), crate::model_data::feature_cells(file, &set)))
        },
        |done, _, _| {
            let mut schema = SchemaReader::new(&model.features, &header)?;
            let mut chunk_ids = Vec::new();
            for r in done {
                match r {
                    Some((id, row)) => {
                        schema.push(&row);
                        chunk_ids.push(id);
                    }
                    None => failed += 1,
                }
            }
            let table = schema.take();
            let rows = credence_model::score_table(&model, &table, 3)?;
            for (id, s) in chunk_ids.into_iter().zip(rows) {
                scores.push(ModelScore {
                    customer_id: id.into(),
                    pd: s.pd,
                    score: s.score,
                    grade: s.grade,
                    reasons: serde_json::to_string(&s.reasons).unwrap_or_default(),
                });
            }
            Ok(())
        },
    )?;
    let run = ModelRun {
        id: 0,
        model_version: version.to_owned(),
        as_of: as_of.to_string(),
        started_at: now.to_owned(),
        finished_at: Some(now.to_owned()),
        scored: 0,
        failed: 0,
    };
    let run_id = store.insert_model_run(&run, &scores, failed)?;
    let champion = crate::control::latest_ratings(store)?;
    let order: Vec<&str> = model.grades.iter().map(|g| g.grade.as_str()).collect();
    let rank = |g: &str| order.iter().position(|x| *x == g);
    let (mut compared, mut same, mut within) = (0, 0, 0);
    let mut grades: Vec<(String, u64)> = order.iter().map(|g| ((*g).to_owned(), 0)).collect();
    for s in &scores {
        if let Some(g) = grades.iter_mut().find(|g| g.0 == s.grade) {
            g.1 += 1;
        }
        if let Some((expert, _, _)) = champion.get(s.customer_id.as_str())
            && let (Some(a), Some(b)) = (rank(expert), rank(&s.grade))
        {
            compared += 1;
            same += u64::from(a == b);
            within += u64::from(a.abs_diff(b) <= 1);
        }
    }
    Ok(ChallengerRun {
        run_id,
        model_version: version.to_owned(),
        as_of,
        scored: scores.len() as u64,
        failed,
        grades,
        compared,
        same_grade: same,
        within_one: within,
    })
}

/// Writes text to a file (a report).
pub fn write_text(path: &Path, text: &str) -> Result<(), ModelError> {
    let mut f = std::fs::File::create(path)
        .map_err(|source| ModelError::Write { path: path.display().to_string(), source })?;
    f.write_all(text.as_bytes())
        .map_err(|source| ModelError::Write { path: path.display().to_string(), source })
}
