//! The order-time credit check (CTRL-4): whether an order can ship on credit, every step's
//! result with its value and threshold, and, when it cannot, the smallest remedy
//! ([`crate::remedy`]).
//!
//! Steps, always all six in this order (a step that does not apply passes):
//! 1. `limit`: exposure (receivables net of unapplied cash + open orders + special
//!    exposure) plus the order, at most the limit (permanent + an unexpired temporary limit);
//! 2. `oldest_overdue`: days the oldest open invoice is past due (date − due date), at most
//!    `max_oldest_overdue_days`;
//! 3. `overdue_share`: overdue amount as a percentage of open invoices, at most
//!    `max_overdue_share_pct`;
//! 4. `grade`: a refused grade blocks; a list-managed grade blocks an order above
//!    `list_managed_max_order_share` of the limit;
//! 5. `red_level`: a red warning level blocks;
//! 6. `group_limit`: the group's exposure plus the order, at most the group limit (only
//!    for a customer in a group with a limit).
//!
//! A check reads only the customer's aggregates and the overdue prefix of its open items
//! and allocates nothing when the order passes: the result is a fixed array of steps whose
//! messages are written only when asked for (or serialized).

use chrono::NaiveDate;
use credence_domain::{Currency, Labelled};
use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::book::{BookError, ExposureBook, GradeCode, NO_GROUP};
use crate::labels::{Admission, Level};
use crate::money::format_money;
use crate::proposal::times_ppm;
use crate::remedy::{Remedy, remedy};

/// A check step, by its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepCode {
    Limit,
    OldestOverdue,
    OverdueShare,
    Grade,
    RedLevel,
    GroupLimit,
}

impl StepCode {
    pub const ALL: [StepCode; 6] = [
        StepCode::Limit,
        StepCode::OldestOverdue,
        StepCode::OverdueShare,
        StepCode::Grade,
        StepCode::RedLevel,
        StepCode::GroupLimit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StepCode::Limit => "limit",
            StepCode::OldestOverdue => "oldest_overdue",
            StepCode::OverdueShare => "overdue_share",
            StepCode::Grade => "grade",
            StepCode::RedLevel => "red_level",
            StepCode::GroupLimit => "group_limit",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            StepCode::Limit => "Credit limit",
            StepCode::OldestOverdue => "Oldest overdue item",
            StepCode::OverdueShare => "Overdue share",
            StepCode::Grade => "Grade",
            StepCode::RedLevel => "Red warning level",
            StepCode::GroupLimit => "Group limit",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            StepCode::Limit => "信用额度",
            StepCode::OldestOverdue => "最长逾期天数",
            StepCode::OverdueShare => "逾期占比",
            StepCode::Grade => "信用等级",
            StepCode::RedLevel => "红色预警",
            StepCode::GroupLimit => "集团额度",
        }
    }
}

/// A step's value or threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    None,
    /// Minor units of the result's currency.
    Money(i64),
    Days(i64),
    Percent(f64),
    Level(Level),
    Admission(Admission),
}

pub use credence_domain::Lang;

/// One step of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    pub code: StepCode,
    /// False when the step has nothing to check (no group, or a group without limit).
    pub applies: bool,
    pub passed: bool,
    pub value: Measure,
    pub threshold: Measure,
    currency: Currency,
    grade: GradeCode,
}

impl StepResult {
    /// What the step found, in words.
    pub fn message(&self, lang: Lang) -> String {
        let m = |x: i64| format_money(x, self.currency);
        let en = lang == Lang::En;
        let ok = |en_text: &str, zh_text: &str| if en { en_text.to_owned() } else { zh_text.to_owned() };
        match (self.code, self.value, self.threshold) {
            (_, _, _) if !self.applies => ok("not applicable", "不适用"),
            (StepCode::Limit, Measure::Money(v), Measure::Money(t))
            | (StepCode::GroupLimit, Measure::Money(v), Measure::Money(t)) => {
                let (what_en, what_zh) = if self.code == StepCode::Limit {
                    ("exposure", "敞口")
                } else {
                    ("group exposure", "集团敞口")
                };
                match (en, self.passed) {
                    (true, true) => format!("{what_en} with this order {} within the limit {}", m(v), m(t)),
                    (true, false) => format!(
                        "{what_en} with this order {} exceeds the limit {} by {}",
                        m(v),
                        m(t),
                        m(v - t)
                    ),
                    (false, true) => format!("含本单{what_zh}{}，未超额度{}", m(v), m(t)),
                    (false, false) => format!("含本单{what_zh}{}，超过额度{}，超出{}", m(v), m(t), m(v - t)),
                }
            }
            (StepCode::OldestOverdue, Measure::Days(v), Measure::Days(t)) => match (en, v) {
                (true, 0) => "nothing overdue".to_owned(),
                (false, 0) => "无逾期".to_owned(),
                (true, _) if self.passed => format!("oldest item {v} days overdue, at most {t} allowed"),
                (true, _) => format!("oldest item {v} days overdue, more than the {t} allowed"),
                (false, _) if self.passed => format!("最早一笔逾期{v}天，未超过{t}天"),
                (false, _) => format!("最早一笔逾期{v}天，超过{t}天"),
            },
            (StepCode::OverdueShare, Measure::Percent(v), Measure::Percent(t)) => match (en, self.passed) {
                (true, true) => format!("{v:.1}% of receivables overdue, at most {t}% allowed"),
                (true, false) => format!("{v:.1}% of receivables overdue, more than the {t}% allowed"),
                (false, true) => format!("逾期占应收{v:.1}%，未超过{t}%"),
                (false, false) => format!("逾期占应收{v:.1}%，超过{t}%"),
            },
            (StepCode::Grade, Measure::Money(v), Measure::Money(t)) => match (en, self.passed) {
                (true, true) => {
                    format!("grade {} is list-managed: order {} within {} per order", self.grade, m(v), m(t))
                }
                (true, false) => format!(
                    "grade {} is list-managed: order {} above the {} allowed per order",
                    self.grade,
                    m(v),
                    m(t)
                ),
                (false, true) => format!("{}级名单管理：本单{}，未超过单笔上限{}", self.grade, m(v), m(t)),
                (false, false) => format!("{}级名单管理：本单{}，超过单笔上限{}", self.grade, m(v), m(t)),
            },
            (StepCode::Grade, Measure::Admission(a), _) => match (en, a) {
                (true, Admission::Refuse) => format!("grade {} is refused credit", self.grade),
                (false, Admission::Refuse) => format!("{}级不予授信", self.grade),
                (true, _) => format!("grade {}: {}", self.grade, a.name_en()),
                (false, _) => format!("{}级：{}", self.grade, a.name_zh()),
            },
            (StepCode::RedLevel, Measure::Level(l), _) => match (en, l) {
                (true, Level::Red) => "red warning level: credit frozen".to_owned(),
                (false, Level::Red) => "红色预警：冻结授信".to_owned(),
                (true, _) => format!("warning level {}", l.name_en().to_lowercase()),
                (false, _) => format!("预警等级：{}", l.name_zh()),
            },
            _ => ok("", ""),
        }
    }
}

impl Serialize for StepResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("StepResult", 9)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("name_en", self.code.name_en())?;
        st.serialize_field("name_zh", self.code.name_zh())?;
        st.serialize_field("applies", &self.applies)?;
        st.serialize_field("passed", &self.passed)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("threshold", &self.threshold)?;
        st.serialize_field("message_en", &self.message(Lang::En))?;
        st.serialize_field("message_zh", &self.message(Lang::Zh))?;
        st.end()
    }
}

/// Exposure by category, minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Open invoices less unapplied cash.
    pub receivables: i64,
    pub open_orders: i64,
    pub special: i64,
    pub new_order: i64,
    pub total: i64,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub pass: bool,
    pub date: NaiveDate,
    #[serde(with = "crate::money::currency")]
    pub currency: Currency,
    pub amount: i64,
    pub grade: GradeCode,
    pub admission: Admission,
    pub level: Level,
    pub exposure: Exposure,
    pub permanent_limit: i64,
    /// The temporary limit counted on the date (0 when none or expired).
    pub temporary_limit: i64,
    /// Group exposure before the order, when the customer is in a group.
    pub group_exposure: Option<i64>,
    pub steps: [StepResult; 6],
    /// `None` when the order passes.
    pub remedy: Option<Remedy>,
}

impl CheckResult {
    pub fn step(&self, code: StepCode) -> &StepResult {
        &self.steps[code as usize]
    }

    /// The steps that blocked, in step order.
    pub fn blocking(&self) -> impl Iterator<Item = &StepResult> {
        self.steps.iter().filter(|s| !s.passed)
    }
}

/// Why no check could be made.
pub type CheckError = BookError;

/// Checks an order of `amount` (minor units of `currency`, the book's) for `customer` on
/// `date`.
pub fn check(
    book: &ExposureBook,
    customer: &str,
    amount: i64,
    currency: Currency,
    date: NaiveDate,
) -> Result<CheckResult, CheckError> {
    if currency != book.currency {
        return Err(BookError::Currency {
            book: book.currency.code().to_owned(),
            found: currency.code().to_owned(),
        });
    }
    let ix = book.account_ix(customer).ok_or_else(|| BookError::UnknownCustomer(customer.to_owned()))?;
    let a = &book.accounts[ix];
    let amount = amount.max(0);
    let (permanent, temporary) = a.limit_on(date);
    let limit = permanent + temporary;
    let before = a.exposure();
    let after = before.saturating_add(amount);
    let step = |code, applies, passed, value, threshold| StepResult {
        code,
        applies,
        passed,
        value,
        threshold,
        currency,
        grade: a.grade,
    };

    // The overdue prefix of the items (sorted by due date).
    let mut overdue = 0i64;
    let mut oldest_days = 0i64;
    for i in &a.items {
        if i.due_date >= date {
            break;
        }
        if overdue == 0 {
            oldest_days = (date - i.due_date).num_days();
        }
        overdue += i.open;
    }
    let rule = &book.rule;
    let max_days = i64::from(rule.max_oldest_overdue_days);
    let share_pct = if a.open_items > 0 { overdue as f64 / a.open_items as f64 * 100.0 } else { 0.0 };
    let share_ok = overdue_share_ok(overdue, a.open_items, book.max_overdue_share_ppm);

    let grade_step = match a.admission {
        Admission::Refuse => {
            step(StepCode::Grade, true, false, Measure::Admission(a.admission), Measure::None)
        }
        Admission::ListManaged => {
            let max = times_ppm(limit, book.max_order_ppm);
            step(StepCode::Grade, true, amount <= max, Measure::Money(amount), Measure::Money(max))
        }
        _ => step(StepCode::Grade, true, true, Measure::Admission(a.admission), Measure::None),
    };
    let group = (a.group != NO_GROUP).then(|| &book.groups[a.group as usize]);
    let group_step = match group.and_then(|g| g.limit.map(|l| (g.exposure, l))) {
        Some((exposure, l)) => {
            let after = exposure.saturating_add(amount);
            step(StepCode::GroupLimit, true, after <= l, Measure::Money(after), Measure::Money(l))
        }
        None => step(StepCode::GroupLimit, false, true, Measure::None, Measure::None),
    };
    let steps = [
        step(StepCode::Limit, true, after <= limit, Measure::Money(after), Measure::Money(limit)),
        step(
            StepCode::OldestOverdue,
            true,
            oldest_days <= max_days,
            Measure::Days(oldest_days),
            Measure::Days(max_days),
        ),
        step(
            StepCode::OverdueShare,
            true,
            share_ok,
            Measure::Percent(share_pct),
            Measure::Percent(rule.max_overdue_share_pct),
        ),
        grade_step,
        step(StepCode::RedLevel, true, a.level != Level::Red, Measure::Level(a.level), Measure::None),
        group_step,
    ];
    let pass = steps.iter().all(|s| s.passed);
    let mut result = CheckResult {
        pass,
        date,
        currency,
        amount,
        grade: a.grade,
        admission: a.admission,
        level: a.level,
        exposure: Exposure {
            receivables: a.receivables(),
            open_orders: a.open_orders,
            special: a.special,
            new_order: amount,
            total: after,
        },
        permanent_limit: permanent,
        temporary_limit: temporary,
        group_exposure: group.map(|g| g.exposure),
        steps,
        remedy: None,
    };
    if !pass {
        result.remedy = Some(remedy(book, a, &result));
    }
    Ok(result)
}

/// `overdue / open × 100 ≤ max %`, exactly: `overdue × 10⁸ ≤ max_ppm × open`.
pub(crate) fn overdue_share_ok(overdue: i64, open: i64, max_pct_ppm: i64) -> bool {
    overdue <= 0 || i128::from(overdue) * 100_000_000 <= i128::from(max_pct_ppm) * i128::from(open)
}
