//! The vocabulary of Credence: money and currencies with the one money formatter,
//! registration codes, the labelled enumerations that credit files are written in, the
//! two languages (`Lang`), the warning `Level`, ids (`CustomerId`), the statuses of
//! alerts, cases, blocked orders, requests and repair plans, and `Timestamp` with the
//! `Clock` trait the programs at the edge implement.
//!
//! This crate does no IO and reads no clock.
//!
//! ```
//! use credence_domain::{Currency, Labelled, CustomerType, Uscc};
//! assert_eq!(CustomerType::parse_label("中小企业"), Some(CustomerType::Sme));
//! assert_eq!(Currency::parse("人民币").unwrap().code(), "CNY");
//! assert!(Uscc::parse("91350100M000100Y43").is_ok());
//! ```

mod billing;
mod customer;
mod event;
mod id;
mod labels;
mod lang;
mod ledger;
mod level;
mod money;
mod region;
mod relation;
mod scope;
mod statement;
mod status;
mod time;
mod uscc;
mod version;

pub use billing::{
    AccountClass, BillingCycle, DisconnectionReason, HolderChange, MeterEventKind, Settlement,
};
pub use customer::{CustomerType, Industry, MonitoringTier, QualitativeFactor};
pub use event::EventKind;
pub use id::CustomerId;
pub use labels::Labelled;
pub use lang::Lang;
pub use ledger::OrderStatus;
pub use level::Level;
pub use money::{
    AmountError, Currency, CurrencyError, CurrencyMark, Money, MoneyFormat, Notation,
    decimal_from_minor_units, format_minor_units, group_thousands, minor_units_from_decimal,
};
pub use region::{Province, region_name_en, region_name_zh};
pub use relation::RelationKind;
pub use scope::{CustomerScope, scope_admits};
pub use statement::PeriodType;
pub use status::{
    AlertStatus, BlockedOrderStatus, CaseStatus, RepairItemStatus, RepairStatus, RequestStatus, UnknownStatus,
};
pub use time::{Clock, FixedClock, Timestamp, TimestampError, business_days_after};
pub use uscc::{Uscc, UsccError, uscc_check_char};
pub use version::is_version_name;

/// Calendar dates without time zone.
pub use chrono::NaiveDate as Date;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_codes_names_and_aliases() {
        assert_eq!(Industry::parse_label("制造业"), Some(Industry::C));
        assert_eq!(Industry::parse_label("c"), Some(Industry::C));
        assert_eq!(MonitoringTier::parse_label("Strategic"), Some(MonitoringTier::Core));
        assert_eq!(PeriodType::parse_label("年报"), Some(PeriodType::Annual));
        assert_eq!(EventKind::parse_label("失信被执行人"), Some(EventKind::DishonestDebtor));
        assert_eq!(RelationKind::parse_label("担保"), Some(RelationKind::Guarantee));
        assert_eq!(OrderStatus::parse_label("bogus"), None);
        assert_eq!(CustomerType::codes_joined(), "large|sme|micro|government_platform|individual");
    }
}
