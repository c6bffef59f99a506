//! The portfolio as a modelling data set (RATE-4): one row per customer not in default at
//! the as-of date, with its type, industry and every catalogue indicator at that date,
//! and whether it defaulted within the horizon — the file `credence model train` learns a
//! PD model from, whose features are then the catalogue's indicators.

use std::path::Path;

use chrono::NaiveDate;
use credence_indicators::{Catalogue, EvalOptions};
use credence_store::Store;

use crate::EngineError;
use crate::analysis::{default_dates, horizon_end};
use crate::credit_file::Pool;

/// The column holding the customer id (not a feature).
pub const ID_COLUMN: &str = "customer_id";
/// Master-data columns written before the indicators.
pub const MASTER_COLUMNS: [&str; 2] = ["customer_type", "industry"];

/// What was written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelDataset {
    pub as_of: NaiveDate,
    pub horizon_months: u32,
    pub target: String,
    pub rows: u64,
    pub defaults: u64,
    /// Customers left out: in default on or before the as-of date, or unreadable.
    pub excluded: u64,
    pub features: Vec<String>,
}

/// The data set's feature columns: the master columns, then the catalogue's indicators.
pub(crate) fn feature_names(catalogue: &Catalogue) -> Vec<String> {
    MASTER_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain(catalogue.indicators().iter().map(|d| d.id.clone()))
        .collect()
}

/// A customer's feature cells in data-set order: the master columns, then every catalogue
/// indicator in the shortest form that reads back to the same value (empty when missing).
pub(crate) fn feature_cells(
    file: &credence_indicators::CustomerFile,
    set: &credence_indicators::IndicatorSet,
) -> Vec<String> {
    let mut row = Vec::with_capacity(MASTER_COLUMNS.len() + set.values.len());
    row.push(file.customer_type.clone());
    row.push(file.industry.clone());
    row.extend(
        set.values
            .iter()
            .map(|v| v.value.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default()),
    );
    row
}

/// The target column's name for a horizon, e.g. `default_12m`.
pub fn target_column(horizon_months: u32) -> String {
    format!("default_{horizon_months}m")
}

/// Writes the modelling data set of the stored portfolio at `as_of` to a CSV file.
pub fn write_model_dataset(
    store: &mut Store,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    horizon_months: u32,
    path: &Path,
) -> Result<ModelDataset, EngineError> {
    let defaults = default_dates(store)?;
    let end = horizon_end(as_of, horizon_months);
    let ids = store.customer_ids()?;
    let io = |source| EngineError::Io { path: path.display().to_string(), source };
    let csv_err = |source| EngineError::Csv { path: path.display().to_string(), source };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let target = target_column(horizon_months);
    let features = feature_names(catalogue);
    let header: Vec<&str> = std::iter::once(ID_COLUMN)
        .chain(features.iter().map(String::as_str))
        .chain([target.as_str()])
        .collect();
    out.write_record(&header).map_err(csv_err)?;
    let (mut rows, mut events, mut excluded) = (0u64, 0u64, 0u64);
    let mut pool = Pool::open(store)?;
    pool.run(
        &ids,
        &|c| {
            let defaulted_on = defaults.get(c.customer_id()).copied();
            if defaulted_on.is_some_and(|d| d <= as_of) {
                return None;
            }
            let (file, _) = c.file.as_ref().ok()?;
            let set = catalogue.evaluate(file, as_of, &EvalOptions { trends: false });
            let mut row = Vec::with_capacity(header.len());
            row.push(file.customer_id.clone());
            row.extend(feature_cells(file, &set));
            let event = defaulted_on.is_some_and(|d| d <= end);
            row.push(u8::from(event).to_string());
            Some((row, event))
        },
        |done, _, _| {
            for r in done {
                match r {
                    Some((row, event)) => {
                        out.write_record(&row).map_err(csv_err)?;
                        rows += 1;
                        events += u64::from(event);
                    }
                    None => excluded += 1,
                }
            }
            Ok(())
        },
    )?;
    out.flush().map_err(io)?;
    Ok(ModelDataset { as_of, horizon_months, target, rows, defaults: events, excluded, features })
}
