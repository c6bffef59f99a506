//! Utility billing (SCN-1): the billing accounts by grade and class, the arrears trend,
//! the supply units, the month's high-risk list with reasons, and the billing requests
//! awaiting the user.

use askama::Template;

use super::Frame;
use crate::words::Lang;

/// An account on the high-risk list.
#[derive(Debug, Clone)]
pub struct HighRiskRow {
    pub account_id: String,
    pub grade: String,
    pub points: String,
    pub pd: String,
    pub forecast_pd: String,
    /// The reasons, most points lost first, in the page's language.
    pub reasons: String,
}

/// A billing request awaiting the user.
#[derive(Debug, Clone)]
pub struct BillingRequestRow {
    pub id: i64,
    pub account_id: String,
    pub grade: String,
    pub changes: String,
    pub route: String,
    /// The route's next step the user decides as: its name.
    pub authority_name: String,
}

/// The billing page.
#[derive(Template)]
#[template(path = "billing.html")]
pub struct BillingPage {
    pub f: Frame,
    /// What the latest grading run is (none: no run yet).
    pub run_note: Option<String>,
    pub grade_header: Vec<String>,
    /// Class, a count per grade, accounts, high-risk.
    pub class_rows: Vec<Vec<String>>,
    /// The arrears trend as an SVG chart.
    pub trend_chart: String,
    /// Supply unit, accounts, high-risk, collection rate, arrears, old arrears, zero
    /// arrears (✓) or the accounts in arrears.
    pub units: Vec<Vec<String>>,
    pub high_risk: Vec<HighRiskRow>,
    pub requests: Vec<BillingRequestRow>,
    /// How many billing requests stand pending, approved and rejected.
    pub requests_note: String,
    /// The month's reconnection commitment, in a sentence.
    pub reconnection_note: String,
    pub may_decide: bool,
    pub amounts_note: String,
}

/// The name of a billing behaviour feature (or the account's class and settlement) in a
/// language; an unknown code is shown as it is.
pub fn billing_feature(lang: Lang, code: &str) -> String {
    let (en, zh) = match code {
        "account_class" => ("account class", "用户类别"),
        "settlement" => ("settlement", "结算方式"),
        "tenure_months" => ("months on supply", "用电月数"),
        "bills_12" => ("bills in 12 months", "近12月账单数"),
        "bill_last" => ("last bill", "最近账单金额"),
        "bill_mean_6" => ("mean bill, 6 months", "近6月平均电费"),
        "bill_mean_12" => ("mean bill, 12 months", "近12月平均电费"),
        "bill_change_3_12" => ("bill change, 3 v 12 months", "电费变化(3月/12月)"),
        "bill_cv_12" => ("bill volatility", "电费波动率"),
        "kwh_last" => ("last consumption", "最近用电量"),
        "kwh_change_3_12" => ("consumption change", "用电量变化"),
        "owed_now" => ("owed now", "当前欠费"),
        "overdue_now" => ("overdue now", "当前逾期欠费"),
        "overdue_days_now" => ("days overdue now", "当前逾期天数"),
        "overdue_to_bill" => ("overdue to mean bill", "逾期欠费/月均电费"),
        "arrears_6" => ("months in arrears, 6", "近6月欠费次数"),
        "arrears_12" => ("months in arrears, 12", "近12月欠费次数"),
        "arrears_24" => ("months in arrears, 24", "近24月欠费次数"),
        "longest_arrears_run_24" => ("longest arrears run", "最长连续欠费月数"),
        "months_since_arrears" => ("months since arrears", "距上次欠费月数"),
        "late_days_last" => ("days late, last bill", "最近账单逾期天数"),
        "late_days_mean_6" => ("mean days late, 6 months", "近6月平均逾期天数"),
        "late_days_max_6" => ("most days late, 6 months", "近6月最长逾期天数"),
        "late_days_max_12" => ("most days late, 12 months", "近12月最长逾期天数"),
        "late_days_trend_6" => ("lateness trend", "逾期天数趋势"),
        "on_time_share_12" => ("share paid on time", "按时缴费比例"),
        "paid_to_billed_3" => ("paid to billed, 3 months", "近3月缴费/应缴"),
        "paid_to_billed_6" => ("paid to billed, 6 months", "近6月缴费/应缴"),
        "paid_last_month" => ("paid last month", "上月缴费金额"),
        "credit_now" => ("prepaid credit", "预收电费余额"),
        "limit_use" => ("credit limit used", "信用额度使用率"),
        "deposit_cover" => ("deposit cover", "保证金覆盖月数"),
        "status_last" => ("reported arrears status", "系统欠费状态"),
        "status_max_6" => ("worst status, 6 months", "近6月最差欠费状态"),
        "status_mean_6" => ("mean status, 6 months", "近6月平均欠费状态"),
        "status_months_6" => ("months with arrears status", "近6月欠费状态月数"),
        "payments_6" => ("payments in 6 months", "近6月缴费次数"),
        "payment_gap_cv_12" => ("irregular top-ups", "缴费间隔波动"),
        "disconnections_12" => ("arrears disconnections, 12 months", "近12月欠费停电次数"),
        "off_now" => ("supply cut now", "当前停电"),
        "meter_tamper_24" => ("tampering found, 24 months", "近24月窃电次数"),
        "meter_events_12" => ("meter events, 12 months", "近12月计量异常次数"),
        _ => return code.to_owned(),
    };
    lang.pick(en, zh).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_named_in_both_languages() {
        assert_eq!(billing_feature(Lang::Zh, "late_days_max_12"), "近12月最长逾期天数");
        assert_eq!(billing_feature(Lang::En, "credit_now"), "prepaid credit");
        assert_eq!(billing_feature(Lang::En, "something_new"), "something_new");
    }
}
