//! The daily (T+1) batch: every export file an ERP dropped in a folder, imported in load
//! order (customers before the invoices that name them, invoices before payments).

use crate::EngineError;
use crate::import::{ImportOptions, ImportReport, ImportStatus, import_file};
use credence_records::Kind;
use credence_store::Store;
use std::path::{Path, PathBuf};

/// The kind a file name announces: the longest kind name or alias its stem starts with
/// (`invoices_20261001.csv`, `credit-notes.xlsx`, `客户.csv`).
pub fn kind_of_file(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if !matches!(ext.as_str(), "csv" | "xlsx" | "xlsm") {
        return None;
    }
    let stem = path.file_stem()?.to_str()?.to_lowercase().replace('-', "_");
    let mut best: Option<(usize, Kind)> = None;
    for kind in Kind::ALL {
        let s = kind.schema();
        for name in [s.table, s.name_zh].iter().chain(s.aliases) {
            if stem.starts_with(*name) && best.is_none_or(|(len, _)| name.len() > len) {
                best = Some((name.len(), kind));
            }
        }
    }
    best.map(|(_, k)| k)
}

/// The files of a folder to import, in load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    pub files: Vec<(Kind, PathBuf)>,
    /// Files whose name announces no record kind; not imported.
    pub unknown: Vec<PathBuf>,
}

/// Plans the import of a folder.
pub fn plan_batch(dir: &Path) -> Result<BatchPlan, EngineError> {
    let io = |source| EngineError::Io { path: dir.display().to_string(), source };
    let mut files = Vec::new();
    let mut unknown = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if !path.is_file() || path.to_string_lossy().ends_with(".rejects.csv") {
            continue;
        }
        match kind_of_file(&path) {
            Some(kind) => files.push((kind, path)),
            None => unknown.push(path),
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    unknown.sort();
    Ok(BatchPlan { files, unknown })
}

/// Imports every file of a folder in load order. Stops at the first rejected file, since
/// later kinds refer to earlier ones; the reports of the files done so far are returned.
pub fn import_batch(
    store: &mut Store,
    files: &[(Kind, PathBuf)],
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<ImportReport>, EngineError> {
    let mut reports = Vec::new();
    for (kind, path) in files {
        let mut opts = options.clone();
        if let crate::InvalidRows::Skip { .. } = opts.invalid_rows {
            let mut rejects = path.clone().into_os_string();
            rejects.push(".rejects.csv");
            opts.invalid_rows = crate::InvalidRows::Skip { rejects: rejects.into() };
        }
        let report = import_file(store, *kind, path, &opts, progress)?;
        let rejected = report.status == ImportStatus::Rejected;
        reports.push(report);
        if rejected {
            break;
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_file_names() {
        let k = |n: &str| kind_of_file(Path::new(n));
        assert_eq!(k("invoices_20261001.csv"), Some(Kind::Invoices));
        assert_eq!(k("Credit-Notes.xlsx"), Some(Kind::CreditNotes));
        assert_eq!(k("客户2026.csv"), Some(Kind::Customers));
        assert_eq!(k("open_orders.csv"), Some(Kind::Orders));
        // The longest name a stem starts with wins: bill payments are not bills.
        assert_eq!(k("bill_payments_202610.csv"), Some(Kind::BillPayments));
        assert_eq!(k("bills_202610.csv"), Some(Kind::Bills));
        assert_eq!(k("电费缴费.xlsx"), Some(Kind::BillPayments));
        assert_eq!(k("电费账单.csv"), Some(Kind::Bills));
        assert_eq!(k("accounts.csv"), Some(Kind::Accounts));
        assert_eq!(k("customers.pdf"), None);
        assert_eq!(k("misc.csv"), None);
    }
}
