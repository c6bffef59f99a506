//! The five-level validation of one file, row by row: completeness, format, consistency,
//! duplicates as each row is read; outliers once the whole file is known.

use crate::checks::{CheckConfig, FactsError, StoredFacts, check_record};
use crate::diagnostic::Diagnostic;
use crate::normalise::{clean, normalise};
use crate::outlier::{OutlierConfig, OutlierScreen};
use crate::rules::{self, Rule};
use crate::schema::{FieldType, Kind, Schema};
use crate::value::Record;
use std::collections::HashMap;

/// Everything validation can be told.
#[derive(Debug, Clone)]
pub struct ValidationConfig {
    pub checks: CheckConfig,
    pub outliers: OutlierConfig,
}

impl ValidationConfig {
    pub fn new(as_of: chrono::NaiveDate) -> Self {
        Self { checks: CheckConfig::new(as_of), outliers: OutlierConfig::default() }
    }
}

/// Normalises a header cell for matching: full-width folded, trimmed, lower case, without
/// spaces, underscores or the `*` that marks required columns in templates.
fn header_key(h: &str) -> String {
    crate::normalise::fold_width(h.trim())
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '*' | '\u{3000}'))
        .collect()
}

/// Maps each header cell to the field it names, reporting unknown, repeated and missing
/// columns.
pub fn map_header(schema: &Schema, file: &str, header: &[String]) -> (Vec<Option<usize>>, Vec<Diagnostic>) {
    let mut lookup: HashMap<String, usize> = HashMap::new();
    for (i, f) in schema.fields.iter().enumerate() {
        for name in [f.name, f.zh].iter().chain(f.aliases) {
            lookup.insert(header_key(name), i);
        }
    }
    let diag = |column: &str, rule: &'static Rule, value: &str, message: String| Diagnostic {
        file: file.to_owned(),
        row: 1,
        column: Some(column.to_owned()),
        rule,
        value: value.to_owned(),
        message,
    };
    let mut mapping = Vec::with_capacity(header.len());
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut out = Vec::new();
    for (pos, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            mapping.push(None);
            continue;
        }
        match lookup.get(&header_key(h)) {
            Some(&i) => {
                if let Some(first) = seen.insert(i, pos) {
                    out.push(diag(
                        h,
                        &rules::DUPLICATE_COLUMN,
                        h,
                        format!(
                            "column {} also named by header cell {} ('{}')",
                            schema.fields[i].name,
                            first + 1,
                            header[first]
                        ),
                    ));
                    mapping.push(None);
                } else {
                    mapping.push(Some(i));
                }
            }
            None => {
                out.push(diag(
                    h,
                    &rules::UNKNOWN_COLUMN,
                    h,
                    format!("not a column of {}; ignored", schema.table),
                ));
                mapping.push(None);
            }
        }
    }
    for (i, f) in schema.fields.iter().enumerate() {
        if f.required && !seen.contains_key(&i) {
            out.push(diag(
                f.name,
                &rules::REQUIRED_COLUMN_MISSING,
                "",
                format!("required column {} ({}) is missing", f.name, f.zh),
            ));
        }
    }
    (mapping, out)
}

/// What validation made of one row.
#[derive(Debug)]
pub struct RowOutcome {
    /// The record, when the row has no error.
    pub record: Option<Record>,
    /// Errors and warnings for this row.
    pub diagnostics: Vec<Diagnostic>,
}

/// Validates the rows of one file of one kind.
pub struct Validator {
    schema: &'static Schema,
    file: String,
    mapping: Vec<Option<usize>>,
    /// For each field, the field index of its currency column.
    currency_of: Vec<Option<usize>>,
    config: ValidationConfig,
    seen_keys: HashMap<u128, u64>,
    seen_uscc: HashMap<String, u64>,
    screen: OutlierScreen,
}

impl Validator {
    /// Reads the header. `Err` carries the diagnostics when the header makes the file
    /// unreadable (missing required or repeated columns); `Ok` carries header warnings.
    pub fn new(
        kind: Kind,
        file: &str,
        header: &[String],
        config: ValidationConfig,
    ) -> Result<(Self, Vec<Diagnostic>), Vec<Diagnostic>> {
        let schema = kind.schema();
        let (mapping, diagnostics) = map_header(schema, file, header);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(diagnostics);
        }
        let currency_of = schema
            .fields
            .iter()
            .map(|f| match f.ty {
                FieldType::Money { currency } => Some(schema.col(currency)),
                _ => None,
            })
            .collect();
        let screen = OutlierScreen::new(config.outliers.clone());
        let v = Self {
            schema,
            file: file.to_owned(),
            mapping,
            currency_of,
            config,
            seen_keys: HashMap::new(),
            seen_uscc: HashMap::new(),
            screen,
        };
        Ok((v, diagnostics))
    }

    pub fn kind(&self) -> Kind {
        self.schema.kind
    }

    fn diag(&self, row: u64, column: &str, rule: &'static Rule, value: &str, message: String) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            row,
            column: Some(column.to_owned()),
            rule,
            value: value.to_owned(),
            message,
        }
    }

    /// Whether every cell of a row is blank (such rows are skipped, as spreadsheets leave
    /// them at the end).
    pub fn is_blank(cells: &[String]) -> bool {
        cells.iter().all(|c| c.trim().is_empty())
    }

    /// Runs levels 1, 2, 3 and 5 on one row.
    pub fn check_row(
        &mut self,
        row: u64,
        cells: &[String],
        facts: &mut dyn StoredFacts,
    ) -> Result<RowOutcome, FactsError> {
        let schema = self.schema;
        let mut raw: Vec<Option<String>> = vec![None; schema.fields.len()];
        for (pos, cell) in cells.iter().enumerate() {
            if let Some(Some(i)) = self.mapping.get(pos) {
                let c = clean(cell);
                if !c.is_empty() {
                    raw[*i] = Some(c);
                }
            }
        }
        let mut diagnostics = Vec::new();
        let mut record = Record::empty(schema.kind);
        // Currencies first: money columns need their number of decimals.
        let mut order: Vec<usize> = (0..schema.fields.len()).collect();
        order.sort_by_key(|&i| !matches!(schema.fields[i].ty, FieldType::Currency));
        for i in order {
            let field = &schema.fields[i];
            let Some(text) = &raw[i] else {
                if field.required {
                    diagnostics.push(self.diag(
                        row,
                        field.name,
                        &rules::REQUIRED_VALUE_MISSING,
                        "",
                        format!("{} ({}) is required", field.name, field.zh),
                    ));
                }
                continue;
            };
            let exponent = self.currency_of[i]
                .and_then(|c| record.values[c].as_text())
                .and_then(|c| credence_domain::Currency::parse(c).ok())
                .map_or(2, |c| c.exponent());
            match normalise(text, field.ty, exponent) {
                Ok(v) => record.values[i] = v,
                Err(e) => diagnostics.push(self.diag(row, field.name, e.rule, text, e.message)),
            }
        }
        if !diagnostics.is_empty() {
            return Ok(RowOutcome { record: None, diagnostics });
        }
        for (rule, column, message) in check_record(&record, &self.config.checks, facts)? {
            let value = cell_text(&record, column);
            diagnostics.push(self.diag(row, column, rule, &value, message));
        }
        let key_hash = xxhash_rust::xxh3::xxh3_128(record.key().as_bytes());
        if let Some(first) = self.seen_keys.get(&key_hash) {
            let msg = format!("same {} as row {first}", schema.key.join(" + "));
            diagnostics.push(self.diag(
                row,
                schema.key[0],
                &rules::DUPLICATE_KEY_IN_FILE,
                &record.key().replace('\u{1f}', " | "),
                msg,
            ));
        }
        if schema.kind == Kind::Customers
            && let Some(code) = record.text("uscc")
        {
            if let Some(first) = self.seen_uscc.get(code) {
                let msg = format!(
                    "customer on row {first} has the same code; check that these are branches of one company"
                );
                diagnostics.push(self.diag(row, "uscc", &rules::SHARED_REGISTRATION_CODE, code, msg));
            } else {
                self.seen_uscc.insert(code.to_owned(), row);
            }
        }
        let ok = !diagnostics.iter().any(Diagnostic::is_error);
        if ok {
            self.seen_keys.insert(key_hash, row);
        }
        Ok(RowOutcome { record: ok.then_some(record), diagnostics })
    }

    /// Registers a written record for the outlier screen; `industry` is the customer's
    /// industry section where the kind compares with peers.
    pub fn screen_candidate(&mut self, row: u64, record: &Record, industry: Option<&str>) {
        self.screen.add_candidate(row, record, industry);
    }

    /// The customers whose stored records are all the reference values the screen can
    /// use, or `None` for every stored record ([`OutlierScreen::reference_customers`]).
    pub fn reference_customers(&self) -> Option<Vec<String>> {
        self.screen.reference_customers()
    }

    /// Adds a stored record to the outlier reference values.
    pub fn screen_reference(&mut self, record: &Record, industry: Option<&str>) {
        self.screen.add_reference(record, industry);
    }

    /// Level 4: outlier warnings, once every row has been read and the reference values
    /// added.
    pub fn finish(self) -> Vec<Diagnostic> {
        let file = self.file;
        let schema = self.schema;
        self.screen
            .finish()
            .into_iter()
            .map(|(row, column, rule, message)| Diagnostic {
                file: file.clone(),
                row,
                column: Some(column.to_owned()),
                rule,
                value: String::new(),
                message: format!("{message} [{}]", schema.table),
            })
            .collect()
    }
}

fn cell_text(record: &Record, column: &str) -> String {
    let i = record.schema().col(column);
    record.to_cells().swap_remove(i)
}
