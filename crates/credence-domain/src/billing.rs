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

labelled_enum! {
    /// Why supply was cut (停电原因): only arrears disconnections follow the arrears
    /// procedure and count against the account's payment behaviour.
    pub enum DisconnectionReason {
        Arrears = ("arrears", "欠费", "Arrears", "欠费停电", "nonpayment"),
        Safety = ("safety", "安全", "Safety", "安全隐患", "违章用电"),
        Request = ("request", "用户申请", "Customer request", "申请停电", "customer_request"),
    }
}

labelled_enum! {
    /// What a meter reading or inspection found (计量事件).
    pub enum MeterEventKind {
        Tamper = ("tamper", "窃电", "Tampering", "违约窃电", "theft", "表计被破坏"),
        Fault = ("fault", "表计故障", "Meter fault", "故障"),
        EstimatedReading = ("estimated_reading", "估抄", "Estimated reading", "估算电量", "estimated"),
        MeterReplaced = ("meter_replaced", "换表", "Meter replaced", "更换电表", "replaced"),
    }
}

labelled_enum! {
    /// A change of who answers for an account (户主变更).
    pub enum HolderChange {
        /// The account passes to a new holder (过户); the earlier bills stay the previous
        /// holder's.
        Transfer = ("transfer", "过户", "Change of holder", "更名过户", "change_of_holder"),
        /// A court accepted the holder's bankruptcy (破产受理): what was owed by then is a
        /// claim in the bankruptcy, not collected from the account.
        Bankruptcy = ("bankruptcy", "破产", "Bankruptcy", "破产受理", "insolvency"),
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
        assert_eq!(DisconnectionReason::parse_label("欠费停电"), Some(DisconnectionReason::Arrears));
        assert_eq!(MeterEventKind::parse_label("theft"), Some(MeterEventKind::Tamper));
        assert_eq!(HolderChange::parse_label("过户"), Some(HolderChange::Transfer));
    }
}
