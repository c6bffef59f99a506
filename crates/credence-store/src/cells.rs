//! Small helpers for reading rows as cells and inserting with `RETURNING id`.

use crate::StoreError;
use crate::db::{Cell, Db};
use credence_domain::Timestamp;
use credence_records::Value;

pub(crate) fn text(c: Cell<'_>) -> String {
    c.text().unwrap_or_default().to_owned()
}

pub(crate) fn opt_text(c: Cell<'_>) -> Option<String> {
    c.text().map(str::to_owned)
}

/// Runs an `INSERT … RETURNING id` and gives the id.
pub(crate) fn returning_id(db: &mut Db, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    db.query_one(sql, params)?.and_then(|v| v.as_int()).ok_or(StoreError::NoImportId)
}

/// A time stamp as stored; an empty text for a NULL, like [`text`].
pub(crate) fn stamp(c: Cell<'_>) -> Timestamp {
    Timestamp::stored(c.text().unwrap_or_default())
}

pub(crate) fn opt_stamp(c: Cell<'_>) -> Option<Timestamp> {
    c.text().map(Timestamp::stored)
}
