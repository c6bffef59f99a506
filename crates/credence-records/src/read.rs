//! Reading CSV and xlsx files as rows of text cells, one row at a time, within
//! [`ReadLimits`] and a [`Budget`].
//!
//! CSV files may be UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK — the
//! encoding Chinese Excel writes by default. xlsx cells are rendered the way a person
//! reads them: dates as `YYYY-MM-DD`, whole numbers without a decimal point. Blank xlsx
//! rows are not returned; rows keep their spreadsheet numbers.

mod csv_rows;
mod sheet;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::budget::{Budget, Cancelled};
use crate::limits::{Exceeded, Limit, Place, ReadLimits};
use csv_rows::{CsvFailure, CsvRows};
use sheet::{SheetFailure, SheetRows};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot open {path}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: unsupported file type '{extension}' (use .csv or .xlsx)")]
    UnsupportedType { path: String, extension: String },
    #[error("{path}: row {row}: cannot read the CSV")]
    CsvIo {
        path: String,
        row: u64,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: row {row}, column {column}: the text is not valid UTF-8")]
    CsvUtf8 {
        path: String,
        row: u64,
        column: u64,
        #[source]
        source: std::string::FromUtf8Error,
    },
    #[error("{path}: not a readable xlsx workbook")]
    Xlsx {
        path: String,
        #[source]
        source: calamine::XlsxError,
    },
    #[error("{path}: {part} cannot be trusted: {problem}")]
    SharedStrings { path: String, part: String, problem: String },
    #[error("{path}: the xlsx reader failed on this workbook")]
    ReaderFailed { path: String },
    #[error("{path}: the workbook has no worksheet")]
    NoSheet { path: String },
    #[error("{path}: the file is empty (no header row)")]
    Empty { path: String },
    /// The file goes beyond one of the [`ReadLimits`].
    #[error("{path}: {exceeded}")]
    Limit { path: String, exceeded: Exceeded },
    #[error("{path}: reading stopped")]
    Cancelled {
        path: String,
        #[source]
        source: Cancelled,
    },
}

impl ReadError {
    /// The limit the file went beyond, if that is why it was refused.
    pub fn exceeded(&self) -> Option<&Exceeded> {
        match self {
            ReadError::Limit { exceeded, .. } => Some(exceeded),
            _ => None,
        }
    }
}

/// A source of rows: the header first, then records.
pub struct RowReader {
    path: String,
    inner: Inner,
    /// Spreadsheet row number of the next CSV row to be returned (header = 1).
    next_row: u64,
    limits: ReadLimits,
}

enum Inner {
    Csv(Box<CsvRows>),
    Sheet(SheetRows),
}

/// How many bytes are sniffed to tell UTF-8 from GB18030.
const SNIFF_BYTES: usize = 64 * 1024;

fn sniff_is_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the sniffed block is still UTF-8.
        Err(e) => e.error_len().is_none() && bytes.len() == SNIFF_BYTES,
    }
}

impl RowReader {
    /// Opens a `.csv` or `.xlsx` file by its extension, within the default limits.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        Self::open_named(path, &path.display().to_string())
    }

    /// Opens a file whose messages name it `shown` (an upload's name rather than the
    /// temporary file holding it); the type comes from `shown`'s extension.
    pub fn open_named(path: &Path, shown: &str) -> Result<Self, ReadError> {
        Self::open_within(path, shown, ReadLimits::default(), Budget::default())
    }

    /// [`RowReader::open_named`] within `limits`, stopping when `budget` runs out.
    pub fn open_within(
        path: &Path,
        shown: &str,
        limits: ReadLimits,
        budget: Budget,
    ) -> Result<Self, ReadError> {
        let shown = shown.to_owned();
        let ext = Path::new(&shown).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let open_err = |source| ReadError::Open { path: shown.clone(), source };
        if !matches!(ext.as_str(), "csv" | "txt" | "xlsx" | "xlsm") {
            return Err(ReadError::UnsupportedType { path: shown, extension: ext });
        }
        let mut file = File::open(path).map_err(open_err)?;
        let size = file.metadata().map_err(open_err)?.len();
        limits
            .check(Limit::FileBytes, size, || Place::File)
            .map_err(|exceeded| ReadError::Limit { path: shown.clone(), exceeded })?;
        let inner = if ext == "csv" || ext == "txt" {
            let mut head = vec![0; SNIFF_BYTES];
            let n = read_up_to(&mut file, &mut head).map_err(open_err)?;
            head.truncate(n);
            file.seek(SeekFrom::Start(0)).map_err(open_err)?;
            let has_bom = head.starts_with(&[0xEF, 0xBB, 0xBF])
                || head.starts_with(&[0xFF, 0xFE])
                || head.starts_with(&[0xFE, 0xFF]);
            let fallback =
                if has_bom || sniff_is_utf8(&head) { encoding_rs::UTF_8 } else { encoding_rs::GB18030 };
            let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(fallback))
                .bom_override(true)
                .build(BufReader::with_capacity(1 << 16, file));
            Inner::Csv(Box::new(CsvRows::new(Box::new(decoded), limits, budget)))
        } else {
            drop(file);
            let failed = |e| sheet_error(&shown, e);
            sheet::check_package(path, &limits).map_err(failed)?;
            Inner::Sheet(SheetRows::open(path, limits, budget).map_err(failed)?)
        };
        Ok(Self { path: shown, inner, next_row: 1, limits })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The limits this reader holds the file to.
    pub fn limits(&self) -> &ReadLimits {
        &self.limits
    }

    /// The next row with its spreadsheet row number, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<(u64, Vec<String>)>, ReadError> {
        match &mut self.inner {
            Inner::Csv(rows) => {
                let row = self.next_row;
                let path = &self.path;
                let cells = match rows.next_record(row) {
                    Ok(Some(cells)) => cells,
                    Ok(None) => return Ok(None),
                    Err(CsvFailure::Io(source)) => {
                        return Err(ReadError::CsvIo { path: path.clone(), row, source });
                    }
                    Err(CsvFailure::Utf8 { column, source }) => {
                        return Err(ReadError::CsvUtf8 { path: path.clone(), row, column, source });
                    }
                    Err(CsvFailure::Limit(exceeded)) => {
                        return Err(ReadError::Limit { path: path.clone(), exceeded });
                    }
                    Err(CsvFailure::Cancelled(source)) => {
                        return Err(ReadError::Cancelled { path: path.clone(), source });
                    }
                };
                self.limits
                    .check(Limit::Rows, row, || Place::Row(row))
                    .map_err(|exceeded| ReadError::Limit { path: path.clone(), exceeded })?;
                self.next_row += 1;
                Ok(Some((row, cells)))
            }
            Inner::Sheet(rows) => rows.next().map_err(|e| sheet_error(&self.path, e)),
        }
    }
}

fn sheet_error(path: &str, e: SheetFailure) -> ReadError {
    let path = path.to_owned();
    match e {
        SheetFailure::Xlsx(source) => ReadError::Xlsx { path, source },
        SheetFailure::Limit(exceeded) => ReadError::Limit { path, exceeded },
        SheetFailure::SharedStrings { part, problem } => ReadError::SharedStrings { path, part, problem },
        SheetFailure::NoSheet => ReadError::NoSheet { path },
        SheetFailure::Cancelled(source) => ReadError::Cancelled { path, source },
        SheetFailure::Stopped => ReadError::ReaderFailed { path },
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Renders an xlsx cell as the text a person sees.
fn render_cell(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => render_float(*f),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) if d.time() == chrono::NaiveTime::MIN => d.date().to_string(),
            Some(d) => d.to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Whole numbers without `.0`; others with the shortest exact decimal.
fn render_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        // Excel stores amounts as binary floats: 1234.56 comes back as
        // 1234.5599999999999. Round to 10 significant decimals to recover what was typed.
        let rounded = format!("{f:.10}");
        rounded.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_render_as_typed() {
        assert_eq!(render_float(10023.0), "10023");
        // 1234.56 is stored as the nearest double, 1234.55999999999994543031789362430572509765625.
        assert_eq!(render_float(1234.56_f64.next_down()), "1234.56");
        assert_eq!(render_float(-0.25), "-0.25");
    }

    #[test]
    fn csv_in_gb18030_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.csv");
        let (bytes, _, _) = encoding_rs::GB18030.encode("客户编号,客户名称\nC1,福州机械有限公司\n");
        std::fs::write(&path, &bytes).unwrap();
        let mut r = RowReader::open(&path).unwrap();
        assert_eq!(r.next_row().unwrap(), Some((1, vec!["客户编号".into(), "客户名称".into()])));
        assert_eq!(r.next_row().unwrap(), Some((2, vec!["C1".into(), "福州机械有限公司".into()])));
        assert_eq!(r.next_row().unwrap(), None);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.csv");
        std::fs::write(&path, "\u{feff}customer_id\nC1\n").unwrap();
        let mut r = RowReader::open(&path).unwrap();
        assert_eq!(r.next_row().unwrap().unwrap().1, vec!["customer_id".to_owned()]);
    }

    #[test]
    fn unknown_extension_is_refused() {
        let err = RowReader::open(Path::new("x.pdf")).err().unwrap();
        assert!(err.to_string().contains("unsupported file type 'pdf'"));
    }
}
