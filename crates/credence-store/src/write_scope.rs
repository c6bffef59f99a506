//! The data scope of a write, checked in the import's own transaction: a row is written
//! only if the customer that owns the stored record, the customer the row names and, for
//! a customer, the unit and line it is placed in are all in the writer's scope.
//!
//! Checking here rather than before the import leaves no gap between the check and the
//! write, and covers every way records are written (API rows, uploads, CLI imports).
//!
//! What a refusal cannot hide: natural keys are global, so refusing a row whose key is
//! taken by another scope's record tells the writer the key exists. Everything else
//! about such a record (its customer, values) stays unseen.

use credence_domain::CustomerScope;
use credence_records::{Kind, Record};

use crate::db::{Db, DbError};

/// Why a row is outside the writer's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeReason {
    /// The stored record with this natural key belongs to a customer outside the scope.
    StoredOwner,
    /// The customer the row names is outside the scope (or does not exist).
    RowOwner,
    /// A customer row's organisation unit or business line is outside the scope.
    Placement,
    /// A relationship party is a customer outside the scope.
    PartyOutside,
    /// Neither party of a relationship is a customer in the scope.
    NoPartyInScope,
    /// Billing accounts, bills and their payments belong to no customer scope: only a
    /// writer whose scope is the whole portfolio writes them.
    WholePortfolioOnly,
}

/// A row refused because of the writer's data scope: the column and value that put it
/// outside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{column} '{value}': {}", reason_text(*.reason, *.kind))]
pub struct ScopeRefusal {
    pub kind: Kind,
    pub column: &'static str,
    pub value: String,
    pub reason: ScopeReason,
}

fn reason_text(reason: ScopeReason, kind: Kind) -> String {
    match reason {
        ScopeReason::StoredOwner => format!(
            "the stored {} with this key belongs to a customer outside your data scope",
            kind.schema().table
        ),
        ScopeReason::RowOwner => "no customer with this id in your data scope".to_owned(),
        ScopeReason::Placement => "would place the customer outside your data scope".to_owned(),
        ScopeReason::PartyOutside => "is a customer outside your data scope".to_owned(),
        ScopeReason::NoPartyInScope => {
            "neither party is a customer in your data scope; a link between other parties is written by a user whose scope is the whole portfolio".to_owned()
        }
        ScopeReason::WholePortfolioOnly => format!(
            "{} are written by a user whose data scope is the whole portfolio",
            kind.schema().table.replace('_', " ")
        ),
    }
}

/// Whether only a writer whose scope is the whole portfolio may write records of `kind`:
/// a kind that names no customer (billing accounts, bills, bill payments) and is not a
/// relationship (whose parties are checked instead).
pub fn whole_portfolio_only(kind: Kind) -> bool {
    kind.schema().customer_column.is_none() && kind != Kind::Relationships
}

/// A customer's (organisation unit, business line), if it exists.
type Placement = (Option<String>, Option<String>);

fn placement(db: &mut Db, customer_id: &str) -> Result<Option<Placement>, DbError> {
    let rows = db.query(
        "SELECT org_unit, business_line FROM customers WHERE natural_key = ?",
        &[customer_id.into()],
    )?;
    Ok(rows
        .into_iter()
        .next()
        .map(|r| (r[0].as_text().map(str::to_owned), r[1].as_text().map(str::to_owned))))
}

/// Whether a stored customer is in scope (a missing one is not).
pub(crate) fn admits_stored(db: &mut Db, scope: &CustomerScope, customer_id: &str) -> Result<bool, DbError> {
    Ok(placement(db, customer_id)?
        .is_some_and(|(u, b)| scope.admits(customer_id, u.as_deref(), b.as_deref())))
}

/// The first reason `record` may not be written by a writer with `scope`, if any.
pub(crate) fn refusal(
    db: &mut Db,
    scope: &CustomerScope,
    record: &Record,
) -> Result<Option<ScopeRefusal>, DbError> {
    if scope.is_whole_portfolio() {
        return Ok(None);
    }
    let kind = record.kind;
    let refuse = |column: &'static str, value: &str, reason| {
        Ok(Some(ScopeRefusal { kind, column, value: value.to_owned(), reason }))
    };
    match kind {
        Kind::Customers => {
            let id = record.text("customer_id").unwrap_or_default();
            if let Some((u, b)) = placement(db, id)?
                && !scope.admits(id, u.as_deref(), b.as_deref())
            {
                return refuse("customer_id", id, ScopeReason::StoredOwner);
            }
            let (unit, line) = (record.text("org_unit"), record.text("business_line"));
            if !scope.admits(id, unit, line) {
                let column = if scope.org_unit.as_deref().is_some_and(|u| unit != Some(u)) {
                    "org_unit"
                } else if !scope.admits(id, scope.org_unit.as_deref(), line) {
                    "business_line"
                } else {
                    "customer_id"
                };
                let value = record.text(column).unwrap_or_default();
                return refuse(column, value, ScopeReason::Placement);
            }
            Ok(None)
        }
        Kind::Relationships => {
            // The parties are the natural key, so the stored record names the same ones.
            let mut any_in_scope = false;
            for column in ["from_party", "to_party"] {
                let party = record.text(column).unwrap_or_default();
                match placement(db, party)? {
                    Some((u, b)) if scope.admits(party, u.as_deref(), b.as_deref()) => any_in_scope = true,
                    Some(_) => return refuse(column, party, ScopeReason::PartyOutside),
                    None => {}
                }
            }
            if any_in_scope {
                Ok(None)
            } else {
                refuse(
                    "from_party",
                    record.text("from_party").unwrap_or_default(),
                    ScopeReason::NoPartyInScope,
                )
            }
        }
        _ if whole_portfolio_only(kind) => {
            let first_key = kind.schema().key[0];
            refuse(first_key, record.text(first_key).unwrap_or_default(), ScopeReason::WholePortfolioOnly)
        }
        _ => {
            let Some(column) = kind.schema().customer_column else {
                return Ok(None);
            };
            let stored = db.query_one(
                &format!("SELECT {column} FROM {} WHERE natural_key = ?", kind.schema().table),
                &[record.key().into()],
            )?;
            if let Some(owner) = stored.as_ref().and_then(|v| v.as_text())
                && !admits_stored(db, scope, owner)?
            {
                let first_key = kind.schema().key[0];
                return refuse(
                    first_key,
                    record.text(first_key).unwrap_or_default(),
                    ScopeReason::StoredOwner,
                );
            }
            let owner = record.text(column).unwrap_or_default();
            if !admits_stored(db, scope, owner)? {
                return refuse(column, owner, ScopeReason::RowOwner);
            }
            Ok(None)
        }
    }
}
