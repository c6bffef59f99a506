//! Credit-file records: the kinds Credence imports (customers, statements, ledger entries,
//! events, relationships), their columns in English and Chinese, reading and writing CSV
//! and xlsx, and the five-level data-quality validation (DATA-6, DATA-7).
//!
//! This crate reads and writes files but knows nothing of databases: checks that need
//! stored data ask through the [`StoredFacts`] trait.
//!
//! ```
//! use credence_records::{Kind, normalise::{clean, normalise}, FieldType, Value};
//! let v = normalise(&clean("１，２３４．５"), FieldType::Money { currency: "currency" }, 2);
//! assert_eq!(v, Ok(Value::Int(123_450)));
//! assert_eq!(Kind::parse("发票"), Some(Kind::Invoices));
//! ```

pub mod budget;
pub mod checks;
pub mod diagnostic;
pub mod kinds;
pub mod limits;
pub mod normalise;
pub mod outlier;
pub mod read;
pub mod rules;
pub mod schema;
pub mod validate;
pub mod value;
pub mod write;

pub use budget::{Budget, CancelOnDrop, Cancelled};
pub use checks::{BillFacts, CheckConfig, FactsError, InvoiceFacts, StoredFacts};
pub use diagnostic::Diagnostic;
pub use limits::{Exceeded, Limit, Place, ReadLimits};
pub use read::{ReadError, RowReader};
pub use rules::{Level, Rule, Severity};
pub use schema::{Field, FieldType, Kind, LabelSet, Schema};
pub use validate::{RowOutcome, ValidationConfig, Validator};
pub use value::{Record, Value};
pub use write::{Format, HeaderLanguage, TableWriter, WriteError};
