//! Findings of validation and the report of one import.

use crate::rules::{Level, Rule, Severity};

/// One problem found in a file: where, which rule, which value, and what to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// Spreadsheet row: the header is row 1, the first record row 2.
    pub row: u64,
    pub column: Option<String>,
    #[serde(serialize_with = "rule_code")]
    pub rule: &'static Rule,
    pub value: String,
    pub message: String,
}

fn rule_code<S: serde::Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Rule", 4)?;
    st.serialize_field("code", rule.code)?;
    st.serialize_field("name", rule.name)?;
    st.serialize_field("level", &rule.level)?;
    st.serialize_field("severity", &rule.severity)?;
    st.end()
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.rule.severity == Severity::Error
    }

    pub fn level(&self) -> Level {
        self.rule.level
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}", self.file, self.row)?;
        if let Some(c) = &self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {sev} {} {}: {}", self.rule.code, self.rule.name, self.message)?;
        if !self.value.is_empty() {
            write!(f, " (value '{}')", self.value)?;
        }
        Ok(())
    }
}
