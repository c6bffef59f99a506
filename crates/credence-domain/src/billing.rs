//! The words of utility billing accounts (SCN-1): who an account is billed as and how it
//! settles. Tariffs and late-payment penalties are set by regulation, not by these.

use crate::labelled_enum;

labelled_enum! {
    /// The user class an account is billed under (用户类别).
    pub enum AccountClass {
        Residential = ("residential", "居民", "Residential", "居民用户", "household", "居民生活"),
        NonResidential = ("non_residential", "非居民", "Non-residential", "非居民用户", "一般工商业", "commercial"),
        LargeIndustrial = ("large_industrial", "大工业", "Large industrial", "大工业用户", "industrial"),
    }
}

labelled_enum! {
    /// How an account settles its bills (结算方式).
    pub enum Settlement {
        Postpaid = ("postpaid", "后付费", "Postpaid", "先用后付", "抄表结算"),
        Prepaid = ("prepaid", "预付费", "Prepaid", "预购电", "先付后用", "费控"),
        Split = ("split", "分次结算", "Split settlement", "分次划拨", "split_settlement"),
    }
}

labelled_enum! {
    /// How often an account is billed (电费结算周期).
    pub enum BillingCycle {
        Monthly = ("monthly", "按月", "Monthly", "月度", "每月"),
        SemiMonthly = ("semi_monthly", "半月", "Semi-monthly", "每半月", "semimonthly"),
        Weekly = ("weekly", "按周", "Weekly", "每周"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Labelled;

    #[test]
    fn billing_words_parse_by_code_chinese_and_alias() {
        assert_eq!(AccountClass::parse_label("大工业"), Some(AccountClass::LargeIndustrial));
        assert_eq!(AccountClass::parse_label("household"), Some(AccountClass::Residential));
        assert_eq!(Settlement::parse_label("费控"), Some(Settlement::Prepaid));
        assert_eq!(BillingCycle::parse_label("semi_monthly"), Some(BillingCycle::SemiMonthly));
        assert_eq!(Settlement::parse_label("barter"), None);
    }
}
