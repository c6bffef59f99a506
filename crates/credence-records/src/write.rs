//! Writing records as CSV or xlsx: import templates with their guide, and exports that
//! import back unchanged.

use crate::schema::{Field, FieldType, Schema};
use std::io::Write;
use std::path::Path;

/// File formats for templates and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Which header names to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderLanguage {
    #[default]
    English,
    Chinese,
}

impl From<credence_domain::Lang> for HeaderLanguage {
    fn from(l: credence_domain::Lang) -> Self {
        match l {
            credence_domain::Lang::En => HeaderLanguage::English,
            credence_domain::Lang::Zh => HeaderLanguage::Chinese,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("cannot write workbook {path}")]
    Xlsx {
        path: String,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
}

/// Describes a field's format for people.
pub fn describe_type(field: &Field) -> String {
    match field.ty {
        FieldType::Text { max_chars } => format!("text, at most {max_chars} characters"),
        FieldType::Id => "identifier, at most 64 characters".into(),
        FieldType::Date => "date: 2026-09-30, 2026/9/30, 20260930 or 2026年9月30日".into(),
        FieldType::DateTime => {
            "date and time: 2026-09-30 14:05, 2026/9/30 14:05 or 2026-09-30T14:05:00".into()
        }
        FieldType::Money { currency } => {
            format!("amount in the currency of column {currency}; 1,234,567.89 and (1,000.00) accepted")
        }
        FieldType::Currency => "ISO 4217 code (CNY, USD…) or name (人民币, 美元)".into(),
        FieldType::Number => "number".into(),
        FieldType::Percent => "percent: 51 or 51%".into(),
        FieldType::Integer => "whole number".into(),
        FieldType::Bool => "1/0, true/false, 是/否".into(),
        FieldType::Uscc => "unified social credit code, 18 characters (GB 32100-2015)".into(),
        FieldType::Label(set) => {
            let entries: Vec<String> =
                set.entries().iter().map(|(c, zh, en)| format!("{c} ({zh}/{en})")).collect();
            format!("one of: {}", entries.join("; "))
        }
    }
}

fn header_name(field: &Field, lang: HeaderLanguage) -> &'static str {
    match lang {
        HeaderLanguage::English => field.name,
        HeaderLanguage::Chinese => field.zh,
    }
}

/// Writes rows of cells to a CSV or xlsx file, streaming.
pub struct TableWriter {
    path: String,
    inner: WriterInner,
    row: u32,
}

enum WriterInner {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Xlsx(Box<rust_xlsxwriter::Workbook>),
}

impl TableWriter {
    /// Creates the file and writes the header row. CSV files get a UTF-8 byte-order mark
    /// so that Excel opens Chinese text correctly.
    pub fn create(
        path: &Path,
        format: Format,
        schema: &Schema,
        lang: HeaderLanguage,
    ) -> Result<Self, WriteError> {
        let shown = path.display().to_string();
        let headers: Vec<&str> = schema.fields.iter().map(|f| header_name(f, lang)).collect();
        let inner = match format {
            Format::Csv => {
                let io = |source| WriteError::Io { path: shown.clone(), source };
                let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
                file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
                let mut w = csv::Writer::from_writer(file);
                w.write_record(&headers).map_err(|source| WriteError::Csv { path: shown.clone(), source })?;
                WriterInner::Csv(Box::new(w))
            }
            Format::Xlsx => {
                let x = |source| WriteError::Xlsx { path: shown.clone(), source };
                let mut wb = rust_xlsxwriter::Workbook::new();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let sheet = wb.add_worksheet_with_constant_memory().map_err(x)?;
                sheet.set_name(schema.table).map_err(x)?;
                for (c, h) in headers.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(x)?;
                    sheet.set_column_width(c as u16, 16).map_err(x)?;
                }
                WriterInner::Xlsx(Box::new(wb))
            }
        };
        Ok(Self { path: shown, inner, row: 1 })
    }

    pub fn write_row(&mut self, cells: &[String]) -> Result<(), WriteError> {
        match &mut self.inner {
            WriterInner::Csv(w) => {
                w.write_record(cells).map_err(|source| WriteError::Csv { path: self.path.clone(), source })?
            }
            WriterInner::Xlsx(wb) => {
                let sheet = wb
                    .worksheet_from_index(0)
                    .map_err(|source| WriteError::Xlsx { path: self.path.clone(), source })?;
                for (c, cell) in cells.iter().enumerate() {
                    if !cell.is_empty() {
                        // Everything is written as text so that codes like 0012 and
                        // amounts keep exactly the digits import will read.
                        sheet
                            .write_string(self.row, c as u16, cell)
                            .map_err(|source| WriteError::Xlsx { path: self.path.clone(), source })?;
                    }
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Adds the guide sheet (xlsx only) and closes the file.
    pub fn finish(self, guide_for: Option<&Schema>) -> Result<(), WriteError> {
        let path = self.path;
        match self.inner {
            WriterInner::Csv(mut w) => w.flush().map_err(|source| WriteError::Io { path, source }),
            WriterInner::Xlsx(mut wb) => {
                let x = |source| WriteError::Xlsx { path: path.clone(), source };
                if let Some(schema) = guide_for {
                    let bold = rust_xlsxwriter::Format::new().set_bold();
                    let sheet = wb.add_worksheet();
                    sheet.set_name("说明 Guide").map_err(x)?;
                    for (c, h) in [
                        "column",
                        "中文列名",
                        "required 必填",
                        "format 格式",
                        "description 说明",
                        "example 示例",
                    ]
                    .iter()
                    .enumerate()
                    {
                        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(x)?;
                    }
                    for (r, row) in guide_rows(schema).iter().enumerate() {
                        for (c, cell) in row.iter().enumerate() {
                            sheet.write_string(r as u32 + 1, c as u16, cell).map_err(x)?;
                        }
                    }
                    sheet.set_column_width(3, 60).map_err(x)?;
                    sheet.set_column_width(4, 60).map_err(x)?;
                }
                wb.save(Path::new(&path)).map_err(x)
            }
        }
    }
}

/// The guide to a kind's columns: name, Chinese header, required, format, description,
/// example.
pub fn guide_rows(schema: &Schema) -> Vec<[String; 6]> {
    schema
        .fields
        .iter()
        .map(|f| {
            [
                f.name.to_owned(),
                f.zh.to_owned(),
                if f.required { "yes 是" } else { "no 否" }.to_owned(),
                describe_type(f),
                f.doc.to_owned(),
                f.example.to_owned(),
            ]
        })
        .collect()
}
