//! The columns the engine reads from stored records, one constant per column and kind.
//! Code reads `customers::INDUSTRY.text(&record)`, never a column by a name written at
//! the call: a misspelt column is a compile error, and the test below checks every
//! constant against its kind's schema.

use credence_records::{Kind, Record, Value};

/// A column of one record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    kind: Kind,
    name: &'static str,
}

impl Column {
    const fn new(kind: Kind, name: &'static str) -> Column {
        Column { kind, name }
    }

    pub(crate) fn name(self) -> &'static str {
        self.name
    }

    pub(crate) fn value(self, r: &Record) -> &Value {
        debug_assert_eq!(r.kind, self.kind, "column {} read from a {} record", self.name, r.kind);
        r.get(self.name)
    }

    pub(crate) fn text(self, r: &Record) -> Option<&str> {
        self.value(r).as_text()
    }

    pub(crate) fn int(self, r: &Record) -> Option<i64> {
        self.value(r).as_int()
    }

    pub(crate) fn real(self, r: &Record) -> Option<f64> {
        self.value(r).as_real()
    }
}

/// Customer master data.
pub(crate) mod customers {
    use super::{Column, Kind};
    const fn c(name: &'static str) -> Column {
        Column::new(Kind::Customers, name)
    }
    pub(crate) const CUSTOMER_ID: Column = c("customer_id");
    pub(crate) const NAME: Column = c("name");
    pub(crate) const CUSTOMER_TYPE: Column = c("customer_type");
    pub(crate) const INDUSTRY: Column = c("industry");
    pub(crate) const SUB_INDUSTRY: Column = c("sub_industry");
    pub(crate) const REGION: Column = c("region");
    pub(crate) const RELATIONSHIP_START: Column = c("relationship_start");
    pub(crate) const CREDIT_LIMIT: Column = c("credit_limit");
    pub(crate) const LIMIT_CURRENCY: Column = c("limit_currency");
    pub(crate) const PAYMENT_TERMS_DAYS: Column = c("payment_terms_days");
    pub(crate) const MONITORING_TIER: Column = c("monitoring_tier");
    pub(crate) const BUSINESS_LINE: Column = c("business_line");
    pub(crate) const ORG_UNIT: Column = c("org_unit");

    #[cfg(test)]
    pub(super) const ALL: &[Column] = &[
        CUSTOMER_ID,
        NAME,
        CUSTOMER_TYPE,
        INDUSTRY,
        SUB_INDUSTRY,
        REGION,
        RELATIONSHIP_START,
        CREDIT_LIMIT,
        LIMIT_CURRENCY,
        PAYMENT_TERMS_DAYS,
        MONITORING_TIER,
        BUSINESS_LINE,
        ORG_UNIT,
    ];

    /// The business line that owns the customer's cases and worklists: its business
    /// line, else its organisation unit, else "unassigned".
    pub(crate) fn owner(r: &credence_records::Record) -> &str {
        BUSINESS_LINE.text(r).or(ORG_UNIT.text(r)).unwrap_or("unassigned")
    }
}

/// Invoices.
pub(crate) mod invoices {
    use super::{Column, Kind};
    const fn c(name: &'static str) -> Column {
        Column::new(Kind::Invoices, name)
    }
    pub(crate) const CUSTOMER_ID: Column = c("customer_id");
    pub(crate) const AMOUNT: Column = c("amount");
    pub(crate) const CURRENCY: Column = c("currency");

    #[cfg(test)]
    pub(super) const ALL: &[Column] = &[CUSTOMER_ID, AMOUNT, CURRENCY];
}

/// Relationships between parties (shareholdings, guarantees, …).
pub(crate) mod relationships {
    use super::{Column, Kind};
    const fn c(name: &'static str) -> Column {
        Column::new(Kind::Relationships, name)
    }
    pub(crate) const RELATION_TYPE: Column = c("relation_type");
    pub(crate) const FROM_PARTY: Column = c("from_party");
    pub(crate) const FROM_NAME: Column = c("from_name");
    pub(crate) const TO_PARTY: Column = c("to_party");
    pub(crate) const TO_NAME: Column = c("to_name");
    pub(crate) const SHARE_PCT: Column = c("share_pct");
    pub(crate) const VOTING_PCT: Column = c("voting_pct");
    pub(crate) const AMOUNT: Column = c("amount");
    pub(crate) const CURRENCY: Column = c("currency");
    pub(crate) const START_DATE: Column = c("start_date");
    pub(crate) const END_DATE: Column = c("end_date");
    pub(crate) const DESCRIPTION: Column = c("description");

    #[cfg(test)]
    pub(super) const ALL: &[Column] = &[
        RELATION_TYPE,
        FROM_PARTY,
        FROM_NAME,
        TO_PARTY,
        TO_NAME,
        SHARE_PCT,
        VOTING_PCT,
        AMOUNT,
        CURRENCY,
        START_DATE,
        END_DATE,
        DESCRIPTION,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_in_its_kinds_schema() {
        for c in customers::ALL.iter().chain(invoices::ALL).chain(relationships::ALL) {
            assert!(c.kind.schema().index(c.name).is_some(), "{} has no column {}", c.kind, c.name);
        }
    }
}
