//! The record kinds and their columns: one table per kind in the store, one template per
//! kind for import, the same headers for export.
//!
//! Column names are the English headers and the stored column names; every column also has
//! a Chinese header and aliases, because users export from Chinese ERPs.

use crate::kinds;
use credence_domain::{
    AccountClass, BillingCycle, CustomerType, DisconnectionReason, EventKind, HolderChange, Industry,
    Labelled, MeterEventKind, MonitoringTier, OrderStatus, PeriodType, QualitativeFactor, RelationKind,
    Settlement,
};

/// A kind of record that can be imported, stored and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Customers,
    Statements,
    Invoices,
    Payments,
    CreditNotes,
    Orders,
    Milestones,
    Events,
    Relationships,
    Assessments,
    Accounts,
    Bills,
    BillPayments,
    Disconnections,
    MeterEvents,
    HolderChanges,
}

impl Kind {
    /// Every kind in load order: a kind only refers to kinds before it.
    pub const ALL: [Kind; 16] = [
        Kind::Customers,
        Kind::Statements,
        Kind::Invoices,
        Kind::Payments,
        Kind::CreditNotes,
        Kind::Orders,
        Kind::Milestones,
        Kind::Events,
        Kind::Relationships,
        Kind::Assessments,
        Kind::Accounts,
        Kind::Bills,
        Kind::BillPayments,
        Kind::Disconnections,
        Kind::MeterEvents,
        Kind::HolderChanges,
    ];

    /// The kinds of utility billing (SCN-1): accounts and what is recorded against them.
    pub fn is_billing(self) -> bool {
        matches!(
            self,
            Kind::Accounts
                | Kind::Bills
                | Kind::BillPayments
                | Kind::Disconnections
                | Kind::MeterEvents
                | Kind::HolderChanges
        )
    }

    /// The command-line name and table name.
    pub fn code(self) -> &'static str {
        self.schema().table
    }

    pub fn parse(text: &str) -> Option<Kind> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        Kind::ALL.into_iter().find(|k| {
            let s = k.schema();
            s.table == t || s.name_zh == text.trim() || s.aliases.contains(&t.as_str())
        })
    }

    pub fn schema(self) -> &'static Schema {
        match self {
            Kind::Customers => &kinds::CUSTOMERS,
            Kind::Statements => &kinds::STATEMENTS,
            Kind::Invoices => &kinds::INVOICES,
            Kind::Payments => &kinds::PAYMENTS,
            Kind::CreditNotes => &kinds::CREDIT_NOTES,
            Kind::Orders => &kinds::ORDERS,
            Kind::Milestones => &kinds::MILESTONES,
            Kind::Events => &kinds::EVENTS,
            Kind::Relationships => &kinds::RELATIONSHIPS,
            Kind::Assessments => &kinds::ASSESSMENTS,
            Kind::Accounts => &kinds::ACCOUNTS,
            Kind::Bills => &kinds::BILLS,
            Kind::BillPayments => &kinds::BILL_PAYMENTS,
            Kind::Disconnections => &kinds::DISCONNECTIONS,
            Kind::MeterEvents => &kinds::METER_EVENTS,
            Kind::HolderChanges => &kinds::HOLDER_CHANGES,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How a cell is read and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text up to a length in characters.
    Text { max_chars: usize },
    /// An identifier: trimmed, no inner line breaks, at most 64 characters.
    Id,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// A date and time to the minute, stored as `YYYY-MM-DD HH:MM`.
    DateTime,
    /// An amount in the currency named by another column, stored in minor units.
    Money { currency: &'static str },
    /// An ISO 4217 currency, stored as its code.
    Currency,
    /// A real number, stored as `f64`.
    Number,
    /// A percentage 0–100 as written (`51`, `51%`), stored as the number of percent.
    Percent,
    /// A whole number.
    Integer,
    /// Yes/no (`1`, `true`, `是`, `Y`…), stored as 0 or 1.
    Bool,
    /// A unified social credit code (GB 32100-2015), stored upper case.
    Uscc,
    /// One of a closed list of codes, stored as the code.
    Label(LabelSet),
}

/// The closed vocabularies a [`FieldType::Label`] column can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSet {
    CustomerType,
    Industry,
    MonitoringTier,
    PeriodType,
    OrderStatus,
    EventKind,
    RelationKind,
    QualitativeFactor,
    AccountClass,
    Settlement,
    BillingCycle,
    DisconnectionReason,
    MeterEventKind,
    HolderChange,
}

impl LabelSet {
    /// The stored code for an input label, if it is one of the set.
    pub fn parse(self, text: &str) -> Option<&'static str> {
        fn code<T: Labelled>(text: &str) -> Option<&'static str> {
            T::parse_label(text).map(|v| v.code())
        }
        match self {
            LabelSet::CustomerType => code::<CustomerType>(text),
            LabelSet::Industry => code::<Industry>(text),
            LabelSet::MonitoringTier => code::<MonitoringTier>(text),
            LabelSet::PeriodType => code::<PeriodType>(text),
            LabelSet::OrderStatus => code::<OrderStatus>(text),
            LabelSet::EventKind => code::<EventKind>(text),
            LabelSet::RelationKind => code::<RelationKind>(text),
            LabelSet::QualitativeFactor => code::<QualitativeFactor>(text),
            LabelSet::AccountClass => code::<AccountClass>(text),
            LabelSet::Settlement => code::<Settlement>(text),
            LabelSet::BillingCycle => code::<BillingCycle>(text),
            LabelSet::DisconnectionReason => code::<DisconnectionReason>(text),
            LabelSet::MeterEventKind => code::<MeterEventKind>(text),
            LabelSet::HolderChange => code::<HolderChange>(text),
        }
    }

    /// Every code with its Chinese and English names, for templates and messages.
    pub fn entries(self) -> Vec<(&'static str, &'static str, &'static str)> {
        fn all<T: Labelled>() -> Vec<(&'static str, &'static str, &'static str)> {
            T::ALL.iter().map(|v| (v.code(), v.name_zh(), v.name_en())).collect()
        }
        match self {
            LabelSet::CustomerType => all::<CustomerType>(),
            LabelSet::Industry => all::<Industry>(),
            LabelSet::MonitoringTier => all::<MonitoringTier>(),
            LabelSet::PeriodType => all::<PeriodType>(),
            LabelSet::OrderStatus => all::<OrderStatus>(),
            LabelSet::EventKind => all::<EventKind>(),
            LabelSet::RelationKind => all::<RelationKind>(),
            LabelSet::QualitativeFactor => all::<QualitativeFactor>(),
            LabelSet::AccountClass => all::<AccountClass>(),
            LabelSet::Settlement => all::<Settlement>(),
            LabelSet::BillingCycle => all::<BillingCycle>(),
            LabelSet::DisconnectionReason => all::<DisconnectionReason>(),
            LabelSet::MeterEventKind => all::<MeterEventKind>(),
            LabelSet::HolderChange => all::<HolderChange>(),
        }
    }

    pub fn codes_joined(self) -> String {
        self.entries().iter().map(|e| e.0).collect::<Vec<_>>().join("|")
    }
}

/// One column of a record kind.
#[derive(Debug)]
pub struct Field {
    /// Stored column name and English header.
    pub name: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// Further accepted headers (compared after normalisation, case-insensitively).
    pub aliases: &'static [&'static str],
    pub ty: FieldType,
    pub required: bool,
    /// What the column holds, for the template guide.
    pub doc: &'static str,
    /// An example value for the template guide.
    pub example: &'static str,
}

/// The columns of a record kind and its natural key.
#[derive(Debug)]
pub struct Schema {
    pub kind: Kind,
    pub table: &'static str,
    pub name_zh: &'static str,
    pub aliases: &'static [&'static str],
    pub fields: &'static [Field],
    /// Columns that identify a record: re-importing a row with the same key updates it.
    pub key: &'static [&'static str],
    /// The column naming the customer a record belongs to, if any.
    pub customer_column: Option<&'static str>,
}

impl Schema {
    pub fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Index of a column that is known to exist (a programming error otherwise).
    pub fn col(&self, name: &str) -> usize {
        self.index(name).unwrap_or_else(|| panic!("{} has no column {name}", self.table))
    }

    pub fn key_indices(&self) -> Vec<usize> {
        self.key.iter().map(|k| self.col(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_currency_column_exists() {
        for kind in Kind::ALL {
            let s = kind.schema();
            assert_eq!(s.kind, kind);
            s.key_indices();
            for field in s.fields {
                if let FieldType::Money { currency } = field.ty {
                    assert!(s.index(currency).is_some(), "{}.{}", s.table, field.name);
                }
            }
            if let Some(c) = s.customer_column {
                s.col(c);
            }
        }
    }

    #[test]
    fn headers_are_unique_within_a_kind() {
        for kind in Kind::ALL {
            let mut seen = std::collections::HashSet::new();
            for field in kind.schema().fields {
                for h in [field.name, field.zh].iter().chain(field.aliases) {
                    assert!(seen.insert(h.to_lowercase()), "{kind}: header {h} used twice");
                }
            }
        }
    }

    #[test]
    fn kinds_parse_by_code_alias_and_chinese_name() {
        assert_eq!(Kind::parse("credit-notes"), Some(Kind::CreditNotes));
        assert_eq!(Kind::parse("发票"), Some(Kind::Invoices));
        assert_eq!(Kind::parse("open_orders"), Some(Kind::Orders));
        assert_eq!(Kind::parse("bill-payments"), Some(Kind::BillPayments));
        assert_eq!(Kind::parse("电费账单"), Some(Kind::Bills));
        assert_eq!(Kind::parse("用电户"), Some(Kind::Accounts));
        assert_eq!(Kind::parse("nothing"), None);
    }
}
