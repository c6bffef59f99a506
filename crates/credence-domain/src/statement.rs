//! Reporting periods of financial statements (DATA-2).

use crate::labelled_enum;

labelled_enum! {
    /// The length of the period a statement's flows (income, cash flow) cover. Flows are
    /// for the period itself, not year-to-date.
    pub enum PeriodType {
        Quarter = ("Q", "季度", "Quarter", "quarterly", "季报", "季"),
        HalfYear = ("H", "半年度", "Half year", "half", "半年报", "半年"),
        Annual = ("A", "年度", "Annual", "annual", "年报", "年", "Y"),
    }
}

impl PeriodType {
    /// Months covered by the period's flows.
    pub fn months(&self) -> u32 {
        match self {
            Self::Quarter => 3,
            Self::HalfYear => 6,
            Self::Annual => 12,
        }
    }
}
