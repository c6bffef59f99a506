//! The columns of every record kind: names, Chinese headers, aliases, types, whether
//! required, and the guide text and example shown in templates.

mod billing;
mod ledger;
mod parties;
mod statements;
mod supply;

pub use billing::{ACCOUNTS, BILL_PAYMENTS, BILLS};
pub use ledger::{CREDIT_NOTES, INVOICES, MILESTONES, ORDERS, PAYMENTS};
pub use parties::{ASSESSMENTS, CUSTOMERS, EVENTS, RELATIONSHIPS};
pub use statements::STATEMENTS;
pub use supply::{DISCONNECTIONS, HOLDER_CHANGES, METER_EVENTS};

pub(crate) use crate::schema::{Field, FieldType, Kind, LabelSet, Schema};

pub(crate) const fn f(
    name: &'static str,
    zh: &'static str,
    ty: FieldType,
    required: bool,
    doc: &'static str,
    example: &'static str,
) -> Field {
    Field { name, zh, aliases: &[], ty, required, doc, example }
}

pub(crate) const fn fa(
    name: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    ty: FieldType,
    required: bool,
    doc: &'static str,
    example: &'static str,
) -> Field {
    Field { name, zh, aliases, ty, required, doc, example }
}

pub(crate) use FieldType as T;
pub(crate) const TEXT: FieldType = T::Text { max_chars: 200 };
pub(crate) const LONG_TEXT: FieldType = T::Text { max_chars: 2000 };
pub(crate) const MONEY: FieldType = T::Money { currency: "currency" };
