//! Reading CSV and xlsx files as rows of text cells, one row at a time.
//!
//! CSV files may be UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK — the
//! encoding Chinese Excel writes by default. xlsx cells are rendered the way a person
//! reads them: dates as `YYYY-MM-DD`, whole numbers without a decimal point.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

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
    #[error("{path}: row {row}: CSV is malformed")]
    Csv {
        path: String,
        row: u64,
        #[source]
        source: csv::Error,
    },
    #[error("{path}: not a readable xlsx workbook")]
    Xlsx {
        path: String,
        #[source]
        source: calamine::XlsxError,
    },
    #[error("{path}: the workbook has no worksheet")]
    NoSheet { path: String },
    #[error("{path}: the file is empty (no header row)")]
    Empty { path: String },
}

/// A source of rows: the header first, then records.
pub struct RowReader {
    path: String,
    inner: Inner,
    /// Spreadsheet row number of the next row to be returned (header = 1).
    next_row: u64,
}

enum Inner {
    Csv(csv::Reader<Box<dyn Read>>, csv::StringRecord),
    Sheet(std::vec::IntoIter<Vec<String>>),
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
    /// Opens a `.csv` or `.xlsx` file by its extension.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        Self::open_named(path, &path.display().to_string())
    }

    /// Opens a file whose messages name it `shown` (an upload's name rather than the
    /// temporary file holding it); the type comes from `shown`'s extension.
    pub fn open_named(path: &Path, shown: &str) -> Result<Self, ReadError> {
        let shown = shown.to_owned();
        let ext = Path::new(&shown).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let open_err = |source| ReadError::Open { path: shown.clone(), source };
        match ext.as_str() {
            "csv" | "txt" => {
                let mut file = File::open(path).map_err(open_err)?;
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
                let reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(Box::new(decoded) as Box<dyn Read>);
                Ok(Self { path: shown, inner: Inner::Csv(reader, csv::StringRecord::new()), next_row: 1 })
            }
            "xlsx" | "xlsm" => {
                use calamine::Reader;
                let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)
                    .map_err(|source| ReadError::Xlsx { path: shown.clone(), source })?;
                let range = wb
                    .worksheet_range_at(0)
                    .ok_or_else(|| ReadError::NoSheet { path: shown.clone() })?
                    .map_err(|source| ReadError::Xlsx { path: shown.clone(), source })?;
                // Rows are rendered up front: an xlsx sheet holds at most 1,048,576 rows and
                // calamine materialises the range anyway.
                let (start_row, start_col) = range.start().unwrap_or((0, 0));
                let mut rows: Vec<Vec<String>> = Vec::with_capacity(range.height() + 1);
                // Rows above the used range are blank; keep numbering equal to Excel's.
                for _ in 0..start_row {
                    rows.push(Vec::new());
                }
                for r in range.rows() {
                    let mut cells: Vec<String> = vec![String::new(); start_col as usize];
                    cells.extend(r.iter().map(render_cell));
                    rows.push(cells);
                }
                Ok(Self { path: shown, inner: Inner::Sheet(rows.into_iter()), next_row: 1 })
            }
            _ => Err(ReadError::UnsupportedType { path: shown, extension: ext }),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The next row with its spreadsheet row number, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<(u64, Vec<String>)>, ReadError> {
        let row = self.next_row;
        let cells = match &mut self.inner {
            Inner::Csv(reader, record) => match reader.read_record(record) {
                Ok(true) => record.iter().map(str::to_owned).collect(),
                Ok(false) => return Ok(None),
                Err(source) => {
                    return Err(ReadError::Csv { path: self.path.clone(), row, source });
                }
            },
            Inner::Sheet(rows) => match rows.next() {
                Some(cells) => cells,
                None => return Ok(None),
            },
        };
        self.next_row += 1;
        Ok(Some((row, cells)))
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
