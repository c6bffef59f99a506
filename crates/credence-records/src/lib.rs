//! Credit-file records: the kinds Credence imports (customers, statements, ledger entries,
//! events, relationships), their columns in English and Chinese, reading and writing CSV
//! and xlsx, and the five-level data-quality validation (DATA-6, DATA-7).
//!
//! This crate reads and writes files but knows nothing of databases: checks that need
//! stored data ask through the [`validate::StoredFacts`] trait.

pub mod schema;
pub mod value;

pub use schema::{Field, FieldType, Kind, LabelSet, Schema};
pub use value::{Record, Value};
