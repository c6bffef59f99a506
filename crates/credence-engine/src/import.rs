//! Importing one file of one record kind: read, validate on five levels, write in one
//! transaction, report every problem.

use crate::EngineError;
use credence_domain::CustomerScope;
use credence_domain::Timestamp;
use credence_records::rules::OUTSIDE_DATA_SCOPE;
use credence_records::{
    Budget, Diagnostic, Kind, ReadLimits, Record, RowReader, ValidationConfig, Validator,
};
use credence_store::{NewImportRun, Store, StoreError};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What to do with rows that fail validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidRows {
    /// Any error rejects the whole file; nothing is written.
    RejectFile,
    /// Valid rows are written; invalid rows go to this CSV file with their reasons.
    Skip { rejects: PathBuf },
}

/// How to run an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub invalid_rows: InvalidRows,
    /// Dates after this day are "in the future" for the checks.
    pub as_of: chrono::NaiveDate,
    /// Time stamp recorded with the import run.
    pub now: Timestamp,
    /// At most this many diagnostics are kept in the report (all are counted).
    pub max_diagnostics: usize,
    /// The name reports and the import run give the file (an upload's own name); `None`:
    /// its path. Its extension tells CSV from xlsx.
    pub source_name: Option<String>,
    /// The customers the importing user may write; a row outside is refused like an
    /// invalid one (rule L16). Default: the whole portfolio.
    pub scope: CustomerScope,
    /// What the file may make the reader hold: rows, columns, cells, bytes.
    pub limits: ReadLimits,
    /// Checked once per row: when it runs out the import stops with
    /// [`EngineError::Cancelled`](crate::EngineError::Cancelled) and writes nothing.
    pub budget: Budget,
}

impl ImportOptions {
    pub fn new(as_of: chrono::NaiveDate, now: Timestamp) -> Self {
        Self {
            invalid_rows: InvalidRows::RejectFile,
            as_of,
            now,
            max_diagnostics: 100_000,
            source_name: None,
            scope: CustomerScope::default(),
            limits: ReadLimits::default(),
            budget: Budget::default(),
        }
    }
}

/// How an import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Written (all rows, or the valid ones with `--skip-invalid`).
    Committed,
    /// Nothing written because of errors.
    Rejected,
}

/// The result of one import, for people (table) and machines (JSON).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub file: String,
    pub kind: Kind,
    pub status: ImportStatus,
    pub import_id: Option<i64>,
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected_rows: u64,
    pub errors: u64,
    pub warnings: u64,
    pub rejects_file: Option<String>,
    /// Problems, errors and warnings, in row order (capped at `max_diagnostics`).
    pub diagnostics: Vec<Diagnostic>,
    pub diagnostics_omitted: u64,
}

impl ImportReport {
    fn new(file: &str, kind: Kind) -> Self {
        Self {
            file: file.to_owned(),
            kind,
            status: ImportStatus::Rejected,
            import_id: None,
            rows_read: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected_rows: 0,
            errors: 0,
            warnings: 0,
            rejects_file: None,
            diagnostics: Vec::new(),
            diagnostics_omitted: 0,
        }
    }

    fn push(&mut self, d: Diagnostic, cap: usize) {
        if d.is_error() {
            self.errors += 1;
        } else {
            self.warnings += 1;
        }
        if self.diagnostics.len() < cap {
            self.diagnostics.push(d);
        } else {
            self.diagnostics_omitted += 1;
        }
    }
}

fn file_hash(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{:032x}", h.digest128()))
}

struct Rejects {
    writer: csv::Writer<std::fs::File>,
    path: String,
}

impl Rejects {
    fn create(path: &Path, header: &[String]) -> Result<Self, EngineError> {
        let shown = path.display().to_string();
        let file =
            std::fs::File::create(path).map_err(|source| EngineError::Io { path: shown.clone(), source })?;
        let mut writer = csv::Writer::from_writer(file);
        let mut h = vec!["row".to_owned(), "problems".to_owned()];
        h.extend(header.iter().cloned());
        writer.write_record(&h).map_err(|source| EngineError::Csv { path: shown.clone(), source })?;
        Ok(Self { writer, path: shown })
    }

    fn write(&mut self, row: u64, problems: &[Diagnostic], cells: &[String]) -> Result<(), EngineError> {
        let reasons: Vec<String> = problems
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                format!(
                    "{} {} {}: {}",
                    d.rule.code,
                    d.rule.name,
                    d.column.as_deref().unwrap_or(""),
                    d.message
                )
            })
            .collect();
        let mut rec = vec![row.to_string(), reasons.join("; ")];
        rec.extend(cells.iter().cloned());
        self.writer.write_record(&rec).map_err(|source| EngineError::Csv { path: self.path.clone(), source })
    }

    fn finish(mut self) -> Result<String, EngineError> {
        self.writer.flush().map_err(|source| EngineError::Io { path: self.path.clone(), source })?;
        Ok(self.path)
    }
}

/// Imports a CSV or xlsx file of one kind. `progress` is called with the number of rows
/// read every 50,000 rows.
pub fn import_file(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport, EngineError> {
    let shown = options.source_name.clone().unwrap_or_else(|| path.display().to_string());
    let mut report = ImportReport::new(&shown, kind);
    let cap = options.max_diagnostics;
    let mut reader = RowReader::open_within(path, &shown, options.limits, options.budget.clone())?;
    let Some((_, header)) = reader.next_row()? else {
        return Err(credence_records::ReadError::Empty { path: shown }.into());
    };
    if credence_store::whole_portfolio_only(kind) && !options.scope.is_whole_portfolio() {
        // Refused as a whole: every row would be (rule L16), and a narrower session's
        // look-ups see no account, which would read as "import accounts first".
        let what = kind.schema().table.replace('_', " ");
        report.push(
            Diagnostic {
                file: shown.clone(),
                row: 1,
                column: None,
                rule: &OUTSIDE_DATA_SCOPE,
                value: String::new(),
                message: format!(
                    "{what} are written by a user whose data scope is the whole portfolio; yours is narrower"
                ),
            },
            cap,
        );
        return Ok(report);
    }
    let config = ValidationConfig::new(options.as_of);
    let mut validator = match Validator::new(kind, &shown, &header, config) {
        Ok((v, warnings)) => {
            warnings.into_iter().for_each(|d| report.push(d, cap));
            v
        }
        Err(diagnostics) => {
            diagnostics.into_iter().for_each(|d| report.push(d, cap));
            return Ok(report);
        }
    };
    let source_hash = file_hash(path).map_err(|source| EngineError::Io { path: shown.clone(), source })?;
    let mut rejects = match &options.invalid_rows {
        InvalidRows::Skip { rejects } => Some(Rejects::create(rejects, &header)?),
        InvalidRows::RejectFile => None,
    };
    let mode = if rejects.is_some() { "skip-invalid" } else { "strict" };
    let mut session = store.begin_scoped_import(
        NewImportRun {
            kind: kind.code().to_owned(),
            source: shown.clone(),
            source_hash,
            mode: mode.to_owned(),
            as_of: options.as_of.to_string(),
            started_at: options.now.clone(),
        },
        options.scope.clone(),
    )?;
    let screens = credence_records::outlier::OutlierScreen::screens(kind);
    let industries: HashMap<String, String> =
        if kind == Kind::Statements { session.customer_industries()? } else { HashMap::new() };
    let industry_of = |r: &Record| {
        r.try_get("customer_id").and_then(|v| v.as_text()).and_then(|c| industries.get(c)).cloned()
    };
    while let Some((row, cells)) = reader.next_row()? {
        // Returning drops the session, which rolls the import back.
        options.budget.check()?;
        if Validator::is_blank(&cells) {
            continue;
        }
        report.rows_read += 1;
        if report.rows_read.is_multiple_of(50_000) {
            progress(report.rows_read);
        }
        let mut outcome = validator.check_row(row, &cells, &mut session).map_err(EngineError::Facts)?;
        let written = match outcome.record.take() {
            Some(record) => match session.stage(&record) {
                Ok(_) => Some(record),
                Err(StoreError::OutsideScope(refusal)) => {
                    outcome.diagnostics.push(Diagnostic {
                        file: shown.clone(),
                        row,
                        column: Some(refusal.column.to_owned()),
                        rule: &OUTSIDE_DATA_SCOPE,
                        value: refusal.value.clone(),
                        message: refusal.to_string(),
                    });
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        match written {
            Some(record) => {
                if screens {
                    validator.screen_candidate(row, &record, industry_of(&record).as_deref());
                }
            }
            None => {
                report.rejected_rows += 1;
                if let Some(r) = &mut rejects {
                    r.write(row, &outcome.diagnostics, &cells)?;
                }
            }
        }
        outcome.diagnostics.into_iter().for_each(|d| report.push(d, cap));
    }
    if screens {
        options.budget.check()?;
        let customers = validator.reference_customers();
        let mut screen = |r: Record| validator.screen_reference(&r, industry_of(&r).as_deref());
        match customers {
            Some(customers) => session.for_each_record_of(kind, &customers, &mut screen)?,
            None => session.for_each_record(kind, &mut screen)?,
        }
    }
    options.budget.check()?;
    let mut outliers = validator.finish();
    outliers.sort_by_key(|d| d.row);
    outliers.into_iter().for_each(|d| report.push(d, cap));
    report.diagnostics.sort_by_key(|d| d.row);
    if let Some(r) = rejects {
        report.rejects_file = Some(r.finish()?);
    }
    if report.errors > 0 && options.invalid_rows == InvalidRows::RejectFile {
        drop(session); // rolls back
        return Ok(report);
    }
    let import_id = session.import_id();
    let counts = session.commit(report.rejected_rows, report.warnings, &options.now)?;
    report.status = ImportStatus::Committed;
    report.import_id = Some(import_id);
    report.inserted = counts.inserted;
    report.updated = counts.updated;
    report.unchanged = counts.unchanged;
    Ok(report)
}
