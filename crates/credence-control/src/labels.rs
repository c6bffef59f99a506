//! The closed vocabularies of credit control, each value with a stable code and names in
//! Chinese and English: admission, collection method, warning level, overdue bucket and
//! collection action.

use credence_domain::labelled_enum;

labelled_enum! {
    /// What the policy allows for a grade (CTRL-1).
    pub enum Admission {
        /// Simplified approval: amount requests need only the green-channel approver.
        GreenChannel = ("green_channel", "绿色通道", "Green channel", "green"),
        Admit = ("admit", "准入", "Admit", "admitted"),
        /// On the managed list: high-risk business restricted (single orders are capped).
        ListManaged = ("list_managed", "名单管理", "List-managed", "managed", "名单制管理"),
        /// No credit: cash in advance only, and every order escalates.
        Refuse = ("refuse", "拒绝", "Refuse", "refused", "禁入"),
    }
}

labelled_enum! {
    /// How receivables of a customer are collected (CTRL-1).
    pub enum CollectionMethod {
        /// Statement and reminder around the due date, the ladder of the strategy file after it.
        Standard = ("standard", "常规催收", "Standard collection", "常规"),
        /// Reminder before the due date and a call on the first overdue day.
        Close = ("close", "密切跟踪催收", "Close follow-up", "密切跟踪"),
        /// As close, and shipments stop at the first overdue day.
        Strict = ("strict", "严格催收（逾期停货）", "Strict (stop shipping when overdue)", "严格"),
        /// Payment before shipment; nothing to collect.
        CashInAdvance = ("cash_in_advance", "款到发货", "Cash in advance", "prepayment", "预付"),
    }
}

pub use credence_domain::Level;

labelled_enum! {
    /// Days-overdue buckets of aging and of the collection strategy (CTRL-9). Days overdue
    /// count from the due date: due today is 0 days, which is current.
    pub enum OverdueBucket {
        Current = ("current", "未逾期", "Current", "not due", "未到期"),
        Days1To30 = ("1-30", "逾期1-30天", "1-30 days overdue", "1_30"),
        Days31To60 = ("31-60", "逾期31-60天", "31-60 days overdue", "31_60"),
        Days61To90 = ("61-90", "逾期61-90天", "61-90 days overdue", "61_90"),
        Over90 = ("90+", "逾期90天以上", "Over 90 days overdue", "90_plus", "over_90"),
    }
}

impl OverdueBucket {
    /// The bucket of a number of days overdue (zero or negative: current).
    pub fn of_days(days_overdue: i64) -> OverdueBucket {
        match days_overdue {
            ..=0 => OverdueBucket::Current,
            1..=30 => OverdueBucket::Days1To30,
            31..=60 => OverdueBucket::Days31To60,
            61..=90 => OverdueBucket::Days61To90,
            _ => OverdueBucket::Over90,
        }
    }

    /// The days-overdue range of the bucket, inclusive; `None` is unbounded.
    pub fn days(self) -> (Option<i64>, Option<i64>) {
        match self {
            OverdueBucket::Current => (None, Some(0)),
            OverdueBucket::Days1To30 => (Some(1), Some(30)),
            OverdueBucket::Days31To60 => (Some(31), Some(60)),
            OverdueBucket::Days61To90 => (Some(61), Some(90)),
            OverdueBucket::Over90 => (Some(91), None),
        }
    }
}

labelled_enum! {
    /// Collection actions, mildest first: escalation moves down this list (CTRL-9).
    pub enum Action {
        Reminder = ("reminder", "提醒（短信/邮件）", "Reminder (message or e-mail)", "提醒"),
        Phone = ("phone", "电话催收", "Phone call", "call", "电话"),
        Letter = ("letter", "催款函", "Dunning letter", "函件", "律师函"),
        Visit = ("visit", "上门拜访", "Visit", "拜访"),
        Agency = ("agency", "委托外部催收机构", "External collection agency", "外包催收", "委外"),
        Legal = ("legal", "法律诉讼", "Legal action", "诉讼", "法律"),
    }
}

impl Action {
    /// The next harsher action; legal action is the last.
    pub fn escalated(self) -> Action {
        match self {
            Action::Reminder => Action::Phone,
            Action::Phone => Action::Letter,
            Action::Letter => Action::Visit,
            Action::Visit => Action::Agency,
            Action::Agency | Action::Legal => Action::Legal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_domain::Labelled;

    #[test]
    fn buckets_split_days_overdue() {
        let cases = [
            (-5, "current"),
            (0, "current"),
            (1, "1-30"),
            (30, "1-30"),
            (31, "31-60"),
            (60, "31-60"),
            (61, "61-90"),
            (90, "61-90"),
            (91, "90+"),
        ];
        for (days, code) in cases {
            assert_eq!(OverdueBucket::of_days(days).code(), code, "{days} days");
        }
    }

    #[test]
    fn actions_escalate_to_legal() {
        let mut a = Action::Reminder;
        let mut seen = vec![a];
        while a != Action::Legal {
            a = a.escalated();
            seen.push(a);
        }
        assert_eq!(seen, Action::ALL);
        assert_eq!(Action::Legal.escalated(), Action::Legal);
        assert_eq!(Admission::parse_label("名单管理"), Some(Admission::ListManaged));
    }
}
