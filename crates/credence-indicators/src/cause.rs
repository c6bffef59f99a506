//! Why an indicator has no value. Causes are small copyable values while evaluating; the
//! text a person reads is made only for the indicators that end up missing.

use chrono::NaiveDate;

use crate::input::STATEMENT_ITEMS;
use crate::periods::{month_end, type_name};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cause {
    /// No statement on or before the as-of date.
    NoStatement,
    /// No statement of that type ending in that month.
    NoPeriod {
        month: i32,
        ptype: u8,
    },
    /// The statement exists but the item is empty.
    NotReported {
        item: u16,
        month: i32,
        ptype: u8,
    },
    /// Neither four quarters nor a year (nor two half years) end in that month.
    TtmIncomplete {
        month: i32,
        found: u8,
    },
    /// A reason written in the catalogue (`missing("…")`), or a default division reason.
    Declared(u16),
    NonFinite,
    NoCreditLimit,
    NoPaymentTerms,
    /// Nothing invoiced in the 365 days to that date.
    NoInvoices {
        end: NaiveDate,
    },
    /// No payment in the 12 months to that date and nothing overdue then.
    NoPaymentRecord {
        end: NaiveDate,
    },
    /// No news with a sentiment in the window ending then.
    NoSentiment {
        end: NaiveDate,
    },
    RelationshipNotStarted {
        date: NaiveDate,
    },
    /// The customer holds no utility billing account with a bill.
    NoUtilityAccount,
}

/// What a cause's text needs to know.
pub(crate) struct CauseContext<'a> {
    pub reasons: &'a [String],
    pub as_of: NaiveDate,
}

impl Cause {
    pub fn text(&self, cx: &CauseContext<'_>) -> String {
        match *self {
            Cause::NoStatement => format!("no statement on or before {}", cx.as_of),
            Cause::NoPeriod { month, ptype } => {
                format!("no {} statement ending {}", type_name(ptype).0, month_end(month))
            }
            Cause::NotReported { item, month, ptype } => format!(
                "{} not reported for the {} ending {}",
                STATEMENT_ITEMS[item as usize],
                type_name(ptype).1,
                month_end(month)
            ),
            Cause::TtmIncomplete { month, found } => format!(
                "the twelve months to {} need four quarterly statements or an annual one; found {found} quarter{}",
                month_end(month),
                if found == 1 { "" } else { "s" }
            ),
            Cause::Declared(i) => cx.reasons[i as usize].clone(),
            Cause::NonFinite => "the formula gave no finite number".into(),
            Cause::NoCreditLimit => "no credit limit on file".into(),
            Cause::NoPaymentTerms => "no payment terms on file".into(),
            Cause::NoInvoices { end } => format!("nothing invoiced in the 365 days to {end}"),
            Cause::NoPaymentRecord { end } => {
                format!("no payments in the 12 months to {end} and nothing overdue")
            }
            Cause::NoSentiment { end } => format!("no news with a sentiment in the window to {end}"),
            Cause::RelationshipNotStarted { date } => format!("the relationship starts after {date}"),
            Cause::NoUtilityAccount => "the customer holds no utility billing account with a bill".into(),
        }
    }
}
