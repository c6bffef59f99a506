//! What to generate ([`DemoConfig`]) and what was generated ([`DemoSummary`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use credence_records::Kind;

/// The portfolio to generate. Same config ⇒ the same records, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoConfig {
    /// Number of customers, ids `C0000001` upwards.
    pub customers: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// The date the portfolio is seen from: nothing is dated after it except what is
    /// still to come by nature — due dates of invoices not yet due, planned ship dates of
    /// orders and due dates of contract milestones.
    pub as_of: NaiveDate,
}

/// Counts of what [`crate::generate`] emitted, and the portfolio's realised default rate.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DemoSummary {
    pub customers: u64,
    /// Records emitted per kind.
    pub records: BTreeMap<Kind, u64>,
    /// Customers that defaulted in the last eight quarters (one `default` event each).
    pub defaults: u64,
    /// Of those, customers that defaulted in the last four quarters.
    pub defaults_last_four_quarters: u64,
    /// `defaults / customers`.
    pub default_rate: f64,
    /// Groups of related companies, and the companies in them.
    pub groups: u64,
    pub group_members: u64,
    /// Guarantee circles (A→B→C→A) and mutual guarantee pairs (A→B, B→A).
    pub guarantee_circles: u64,
    pub mutual_guarantees: u64,
    /// External natural persons (actual controllers) referred to by relationships.
    pub persons: u64,
}

impl DemoSummary {
    /// Records emitted of one kind.
    pub fn count(&self, kind: Kind) -> u64 {
        self.records.get(&kind).copied().unwrap_or(0)
    }

    /// Records emitted of every kind.
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }

    pub(crate) fn finish(&mut self) {
        self.default_rate =
            if self.customers == 0 { 0.0 } else { self.defaults as f64 / self.customers as f64 };
    }
}
