//! Tabular data typed into feature columns, one row at a time.
//!
//! A column is **numeric** when every non-missing value parses as a number, otherwise
//! **categorical**. Missing values are empty cells and the usual spellings of "not
//! available" (`NA`, `N/A`, `NaN`, `null`, `?`, `#N/A`, case-insensitive; `none` is a category). A column
//! starts numeric and turns categorical at its first non-numeric value; the numbers seen
//! before then become categories as written in shortest form (`3`, `0.25`), so `3` and
//! `3.0` are one category. Numeric columns hold `f64` with `NaN` for missing;
//! categorical ones hold codes into their labels, in order of first appearance, with
//! [`Column::MISSING`] for missing.

use serde::{Deserialize, Serialize};

/// One feature column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Column {
    Numeric { values: Vec<f64> },
    Categorical { codes: Vec<u32>, labels: Vec<String> },
}

impl Column {
    /// The code of a missing categorical value.
    pub const MISSING: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        match self {
            Column::Numeric { values } => values.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Column::Numeric { .. })
    }

    /// Rows whose value is missing.
    pub fn missing(&self) -> usize {
        match self {
            Column::Numeric { values } => values.iter().filter(|v| v.is_nan()).count(),
            Column::Categorical { codes, .. } => codes.iter().filter(|&&c| c == Column::MISSING).count(),
        }
    }
}

/// Whether a cell means "no value".
pub fn is_missing(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || ["na", "n/a", "nan", "null", "?", "#n/a"].iter().any(|m| t.eq_ignore_ascii_case(m))
}

/// A number as written, if the cell is one (thousands separators are not accepted: a
/// column that has them is text).
pub fn parse_number(cell: &str) -> Option<f64> {
    let v: f64 = cell.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// Feature columns by name, all of the same length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: usize,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.names.iter().position(|n| n == name).map(|i| &self.columns[i])
    }

    /// The rows at `index` (in that order), e.g. one fold of a cross-validation.
    pub fn take(&self, index: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric { values } => {
                    Column::Numeric { values: index.iter().map(|&i| values[i]).collect() }
                }
                Column::Categorical { codes, labels } => Column::Categorical {
                    codes: index.iter().map(|&i| codes[i]).collect(),
                    labels: labels.clone(),
                },
            })
            .collect();
        Table { names: self.names.clone(), columns, rows: index.len() }
    }
}

/// Why rows could not be made into a table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    #[error("the header has no columns")]
    NoColumns,
    #[error("column {position} has an empty name")]
    EmptyName { position: usize },
    #[error("column '{name}' appears twice (positions {first} and {second})")]
    DuplicateName { name: String, first: usize, second: usize },
    #[error("row {row} has {found} cells; the header has {expected}")]
    RowLength { row: u64, found: usize, expected: usize },
    #[error("no column '{name}'")]
    UnknownColumn { name: String },
}

/// A column while rows come in.
enum Building {
    Numeric(Vec<f64>),
    Categorical { codes: Vec<u32>, labels: Vec<String>, index: std::collections::HashMap<String, u32> },
}

impl Building {
    fn push(&mut self, cell: &str) {
        if let Building::Numeric(values) = self {
            if is_missing(cell) {
                values.push(f64::NAN);
                return;
            }
            if let Some(v) = parse_number(cell) {
                values.push(v);
                return;
            }
            *self = Building::categorical_from(std::mem::take(values));
        }
        let Building::Categorical { codes, labels, index } = self else {
            unreachable!("turned categorical above")
        };
        if is_missing(cell) {
            codes.push(Column::MISSING);
            return;
        }
        let label = cell.trim();
        let code = match index.get(label) {
            Some(&c) => c,
            None => {
                let c = labels.len() as u32;
                labels.push(label.to_owned());
                index.insert(label.to_owned(), c);
                c
            }
        };
        codes.push(code);
    }

    fn categorical_from(values: Vec<f64>) -> Building {
        let mut b = Building::Categorical {
            codes: Vec::with_capacity(values.capacity()),
            labels: Vec::new(),
            index: Default::default(),
        };
        for v in values {
            if v.is_nan() { b.push("") } else { b.push(&v.to_string()) }
        }
        b
    }

    fn finish(self) -> Column {
        match self {
            Building::Numeric(values) => Column::Numeric { values },
            Building::Categorical { codes, labels, .. } => Column::Categorical { codes, labels },
        }
    }
}

/// Builds a [`Table`] of feature columns and the target's cells from a header and rows.
pub struct TableBuilder {
    names: Vec<String>,
    /// For each header position: the feature column it fills, or `None` (target or
    /// excluded).
    slots: Vec<Option<usize>>,
    target_position: Option<usize>,
    columns: Vec<Building>,
    target: Vec<String>,
    rows: usize,
}

impl TableBuilder {
    /// Starts from the header; `target` (if any) is kept as text for [`read_target`] and
    /// the `exclude`d columns are dropped. Unknown names in either are errors.
    pub fn new(
        header: &[String],
        target: Option<&str>,
        exclude: &[String],
    ) -> Result<TableBuilder, TableError> {
        if header.is_empty() {
            return Err(TableError::NoColumns);
        }
        let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        for (i, h) in header.iter().enumerate() {
            if h.is_empty() {
                return Err(TableError::EmptyName { position: i + 1 });
            }
            if let Some(j) = header[..i].iter().position(|x| x == h) {
                return Err(TableError::DuplicateName { name: (*h).to_owned(), first: j + 1, second: i + 1 });
            }
        }
        for name in target.into_iter().chain(exclude.iter().map(String::as_str)) {
            if !header.contains(&name) {
                return Err(TableError::UnknownColumn { name: name.to_owned() });
            }
        }
        let target_position = target.and_then(|t| header.iter().position(|h| *h == t));
        let mut names = Vec::new();
        let mut slots = Vec::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            if Some(i) == target_position || exclude.iter().any(|e| e == h) {
                slots.push(None);
            } else {
                slots.push(Some(names.len()));
                names.push((*h).to_owned());
            }
        }
        let columns = names.iter().map(|_| Building::Numeric(Vec::new())).collect();
        Ok(TableBuilder { names, slots, target_position, columns, target: Vec::new(), rows: 0 })
    }

    /// Adds a row; `row` is its number in the file, for messages. A row of only empty
    /// cells (a blank line) is skipped.
    pub fn push<S: AsRef<str>>(&mut self, row: u64, cells: &[S]) -> Result<(), TableError> {
        if cells.iter().all(|c| c.as_ref().trim().is_empty()) {
            return Ok(());
        }
        if cells.len() != self.slots.len() {
            return Err(TableError::RowLength { row, found: cells.len(), expected: self.slots.len() });
        }
        for (cell, slot) in cells.iter().zip(&self.slots) {
            if let Some(k) = slot {
                self.columns[*k].push(cell.as_ref());
            }
        }
        if let Some(t) = self.target_position {
            self.target.push(cells[t].as_ref().trim().to_owned());
        }
        self.rows += 1;
        Ok(())
    }

    /// The feature table and the target's cells (empty without a target).
    pub fn finish(self) -> (Table, Vec<String>) {
        let columns = self.columns.into_iter().map(Building::finish).collect();
        (Table { names: self.names, columns, rows: self.rows }, self.target)
    }
}

/// A binary target: 1 for the event (default, bad), 0 otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub values: Vec<u8>,
    /// The value read as the event, and the other one.
    pub event: String,
    pub non_event: String,
}

impl Target {
    pub fn events(&self) -> usize {
        self.values.iter().filter(|&&v| v == 1).count()
    }
}

/// Why a target column cannot be read as event or not.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("row {row}: the target is empty")]
    Missing { row: usize },
    #[error("the target has {found} distinct values ({values}); it must have two")]
    NotBinary { found: usize, values: String },
    #[error("the target's values {values} do not say which is the event; name it with --event")]
    AmbiguousEvent { values: String },
    #[error("--event '{event}' is not a value of the target ({values})")]
    UnknownEvent { event: String, values: String },
}

/// Values read as the event when `--event` does not say: defaults, bad outcomes, yes.
const EVENT_WORDS: &[&str] = &["1", "bad", "yes", "y", "true", "default", "defaulted", "bankrupt", "event"];
/// Values read as the non-event.
const NON_EVENT_WORDS: &[&str] = &["0", "good", "no", "n", "false", "non-default", "performing"];

/// Reads target cells as event (1) or not (0). `event` names the event's value; without
/// it the two values must be a known pair (0/1, good/bad, yes/no, true/false). `first_row`
/// is the file row of the first cell, for messages.
pub fn read_target(cells: &[String], event: Option<&str>, first_row: usize) -> Result<Target, TargetError> {
    let mut distinct: Vec<&str> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if is_missing(c) {
            return Err(TargetError::Missing { row: first_row + i });
        }
        if !distinct.contains(&c.as_str()) {
            distinct.push(c);
            if distinct.len() > 2 {
                break;
            }
        }
    }
    let listed = |d: &[&str]| d.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    if distinct.len() != 2 {
        let mut all: Vec<&str> = cells.iter().map(String::as_str).collect();
        all.sort_unstable();
        all.dedup();
        let shown: Vec<&str> = all.iter().take(5).copied().collect();
        return Err(TargetError::NotBinary { found: all.len(), values: listed(&shown) });
    }
    let same = |a: &str, b: &str| {
        a.eq_ignore_ascii_case(b) || parse_number(a).is_some_and(|x| Some(x) == parse_number(b))
    };
    let event_value = match event {
        Some(e) => *distinct
            .iter()
            .find(|d| same(d, e))
            .ok_or_else(|| TargetError::UnknownEvent { event: e.to_owned(), values: listed(&distinct) })?,
        None => {
            let is = |d: &str, words: &[&str]| words.iter().any(|w| same(d, w));
            match (
                distinct.iter().position(|d| is(d, EVENT_WORDS)),
                distinct.iter().position(|d| is(d, NON_EVENT_WORDS)),
            ) {
                (Some(e), Some(n)) if e != n => distinct[e],
                _ => return Err(TargetError::AmbiguousEvent { values: listed(&distinct) }),
            }
        }
    };
    let non_event = distinct.iter().find(|d| **d != event_value).copied().unwrap_or_default();
    Ok(Target {
        values: cells.iter().map(|c| u8::from(c == event_value)).collect(),
        event: event_value.to_owned(),
        non_event: non_event.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn columns_are_typed_by_their_values() {
        let header = strings(&["age", "purpose", "code", "id", "status"]);
        let mut b = TableBuilder::new(&header, Some("status"), &strings(&["id"])).unwrap();
        b.push(2, &["34", "car", "3", "a", "good"]).unwrap();
        b.push(3, &["NA", "", "3.0", "b", "bad"]).unwrap();
        b.push(4, &["", "", "", "", ""]).unwrap();
        b.push(5, &["41.5", "tv", "x7", "c", "good"]).unwrap();
        let (t, target) = b.finish();
        assert_eq!(t.names, ["age", "purpose", "code"]);
        assert_eq!(t.rows, 3);
        let Column::Numeric { values } = &t.columns[0] else { panic!("age is numeric") };
        assert_eq!(values[0], 34.0);
        assert!(values[1].is_nan());
        assert_eq!(values[2], 41.5);
        assert_eq!(
            t.columns[1],
            Column::Categorical { codes: vec![0, Column::MISSING, 1], labels: strings(&["car", "tv"]) }
        );
        // Numbers seen before the first text become categories in shortest form.
        assert_eq!(t.columns[2], Column::Categorical { codes: vec![0, 0, 1], labels: strings(&["3", "x7"]) });
        assert_eq!(t.columns[1].missing(), 1);
        assert_eq!(target, ["good", "bad", "good"]);
        assert_eq!(
            t.take(&[2, 0]).columns[2],
            Column::Categorical { codes: vec![1, 0], labels: strings(&["3", "x7"]) }
        );
    }

    #[test]
    fn bad_headers_and_rows_are_named() {
        let e =
            |h: &[&str], t: Option<&str>| TableBuilder::new(&strings(h), t, &[]).err().unwrap().to_string();
        assert_eq!(e(&["a", "", "b"], None), "column 2 has an empty name");
        assert_eq!(e(&["a", "b", "a"], None), "column 'a' appears twice (positions 1 and 3)");
        assert_eq!(e(&["a", "b"], Some("y")), "no column 'y'");
        let mut b = TableBuilder::new(&strings(&["a", "b"]), None, &[]).unwrap();
        assert_eq!(b.push(7, &["1"]).unwrap_err().to_string(), "row 7 has 1 cells; the header has 2");
    }

    #[test]
    fn targets_are_read_as_event_or_not() {
        let t = read_target(&strings(&["good", "bad", "Good"]), None, 2);
        assert_eq!(
            t.unwrap_err().to_string(),
            "the target has 3 distinct values ('Good', 'bad', 'good'); it must have two"
        );
        let t = read_target(&strings(&["good", "bad", "good"]), None, 2).unwrap();
        assert_eq!(
            (t.values.as_slice(), t.event.as_str(), t.non_event.as_str()),
            (&[0, 1, 0][..], "bad", "good")
        );
        let t = read_target(&strings(&["0", "1", "1"]), None, 2).unwrap();
        assert_eq!((t.events(), t.event.as_str()), (2, "1"));
        let t = read_target(&strings(&["paid", "written off"]), None, 2);
        assert_eq!(
            t.unwrap_err().to_string(),
            "the target's values 'paid', 'written off' do not say which is the event; name it with --event"
        );
        let t = read_target(&strings(&["paid", "written off", "paid"]), Some("written off"), 2).unwrap();
        assert_eq!(t.values, [0, 1, 0]);
        let t = read_target(&strings(&["no", "yes"]), Some("maybe"), 2);
        assert_eq!(t.unwrap_err().to_string(), "--event 'maybe' is not a value of the target ('no', 'yes')");
        let t = read_target(&strings(&["no", "", "yes"]), None, 2);
        assert_eq!(t.unwrap_err().to_string(), "row 3: the target is empty");
    }
}
