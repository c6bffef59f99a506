//! The billing policy (SCN-1, `policy/billing_policy.toml`, embedded as
//! [`BUILTIN_BILLING_POLICY`]): the arrears definition, the grade scale of electricity
//! accounts by PD band, the next-month forecast's model and high-risk cut-off, billing
//! terms by grade and account class, who approves a change of terms, and the statutory
//! controls no grade changes — the late-payment penalty and the disconnection procedure.
//!
//! [`penalty`] computes a bill's late-payment penalty day by day; [`propose_terms`]
//! compares an account's terms with its grade's and gives the changes, each with its
//! direction and a bilingual reason, and the approval route.

use chrono::{Datelike, NaiveDate};
use credence_domain::{AccountClass, BillingCycle, Currency, Labelled, Settlement};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::authority::ApprovalStep;
use crate::file::{FileError, Problems, is_version_name, parse};
use crate::money::{format_money, minor_of_major};
use crate::policy::Role;
use crate::policy_file::{RawRole, check_roles};

/// The shipped billing policy.
pub const BUILTIN_BILLING_POLICY: &str = include_str!("../policy/billing_policy.toml");

/// The name [`BUILTIN_BILLING_POLICY`] is reported under in messages.
pub const BUILTIN_BILLING_POLICY_FILE: &str = "billing_policy.toml";

/// Model kinds the forecast may use (the modelling workbench's codes).
const FORECAST_MODELS: [&str; 4] = ["gbdt", "scorecard", "logistic", "forest"];

/// Reminder actions the terms may list.
pub const REMINDER_ACTIONS: [&str; 4] = ["sms", "phone", "visit", "written_notice"];

/// A grade of the billing scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingGrade {
    pub grade: String,
    /// The grade's PD is below this; `None` for the last grade.
    pub pd_below: Option<f64>,
    pub name_zh: String,
    pub name_en: String,
}

/// A reminder `day` days after the due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub day: u32,
    pub action: String,
}

/// The billing terms of one grade and account class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingTerms {
    pub grade: String,
    pub class: AccountClass,
    pub cycle: BillingCycle,
    pub settlement: Settlement,
    /// Payments a month under split settlement.
    pub installments: Option<u32>,
    /// Share of the expected monthly bill paid in advance, 0–1.
    pub prepay_share: f64,
    /// Deposit worth this many months of the average bill.
    pub deposit_months: f64,
    /// Whether a performance guarantee may stand in for the deposit.
    pub guarantee: bool,
    pub reminders: Vec<Reminder>,
}

/// The statutory late-payment penalty rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenaltyRule {
    pub source: String,
    pub residential_daily: f64,
    pub current_year_daily: f64,
    pub cross_year_daily: f64,
    /// Minor units: a bill's penalty below this is charged as this.
    pub minimum: i64,
}

/// Days on which no account of the classes is disconnected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moratorium {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub classes: Vec<AccountClass>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The legal procedure of a disconnection for arrears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisconnectionRule {
    pub source: String,
    pub min_overdue_days: u32,
    pub notice_days_residential: u32,
    pub notice_days_other: u32,
    pub final_notice_hours: u32,
    pub approver: String,
    pub reconnect_hours: u32,
    pub moratoria: Vec<Moratorium>,
}

impl DisconnectionRule {
    /// The moratorium that protects an account of `class` on `date`, if any.
    pub fn moratorium_on(&self, date: NaiveDate, class: AccountClass) -> Option<&Moratorium> {
        self.moratoria.iter().find(|m| m.from <= date && date <= m.to && m.classes.contains(&class))
    }

    /// Days of written notice an account of `class` gets.
    pub fn notice_days(&self, class: AccountClass) -> u32 {
        if class == AccountClass::Residential { self.notice_days_residential } else { self.notice_days_other }
    }
}

/// The roles a change of terms is routed to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingAuthority {
    pub tighten: String,
    pub relax: String,
    pub large: String,
    pub waiver: String,
}

/// A checked billing policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingPolicy {
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(with = "crate::money::currency")]
    pub currency: Currency,
    /// Days after the due date at which arrears are measured.
    pub arrears_days: u32,
    /// Minor units: the smallest unpaid amount that counts as arrears.
    pub arrears_min: i64,
    pub train_months: u32,
    pub grades: Vec<BillingGrade>,
    pub forecast_model: String,
    pub high_risk_pd: f64,
    pub roles: Vec<Role>,
    pub authority: BillingAuthority,
    /// One per (grade, class), in grade order then class order.
    pub terms: Vec<BillingTerms>,
    pub penalty: PenaltyRule,
    pub disconnection: DisconnectionRule,
}

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBillingPolicy {
    version: S<String>,
    name_zh: String,
    name_en: String,
    currency: S<String>,
    arrears: RawArrears,
    grading: RawGrading,
    forecast: RawForecast,
    roles: Vec<RawRole>,
    authority: RawAuthority,
    terms: Vec<RawTerms>,
    penalty: RawPenalty,
    disconnection: RawDisconnection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArrears {
    days_after_due: S<i64>,
    min_unpaid: S<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrading {
    train_months: S<i64>,
    grades: Vec<RawGrade>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    grade: S<String>,
    pd_below: Option<S<f64>>,
    name_zh: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForecast {
    model: S<String>,
    high_risk_pd: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthority {
    tighten: S<String>,
    relax: S<String>,
    large: S<String>,
    waiver: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerms {
    grades: S<Vec<String>>,
    classes: S<Vec<AccountClass>>,
    cycle: BillingCycle,
    settlement: Settlement,
    installments: Option<S<i64>>,
    prepay_share: S<f64>,
    deposit_months: S<f64>,
    #[serde(default)]
    guarantee: bool,
    reminders: S<Vec<Reminder>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPenalty {
    source: S<String>,
    residential_daily: S<f64>,
    current_year_daily: S<f64>,
    cross_year_daily: S<f64>,
    minimum: S<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisconnection {
    source: S<String>,
    min_overdue_days: S<i64>,
    notice_days_residential: S<i64>,
    notice_days_other: S<i64>,
    final_notice_hours: S<i64>,
    approver: S<String>,
    reconnect_hours: S<i64>,
    #[serde(default)]
    moratoria: Vec<RawMoratorium>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMoratorium {
    from: S<String>,
    to: S<String>,
    classes: Vec<AccountClass>,
    reason_zh: String,
    reason_en: String,
}

/// `v` as a whole number in `range`, else a problem at its key.
fn whole(v: &S<i64>, range: std::ops::RangeInclusive<i64>, key: &str, p: &mut Problems) -> u32 {
    if range.contains(v.get_ref()) {
        *v.get_ref() as u32
    } else {
        p.at(
            v.span().start,
            key,
            format!(
                "must be a whole number from {} to {}, found {}",
                range.start(),
                range.end(),
                v.get_ref()
            ),
        );
        *range.start() as u32
    }
}

/// `v` as a share in `[low, high]`, else a problem at its key.
fn share(v: &S<f64>, low: f64, high: f64, key: &str, p: &mut Problems) -> f64 {
    let x = *v.get_ref();
    if !(x.is_finite() && low <= x && x <= high) {
        p.at(v.span().start, key, format!("must be from {low} to {high}, found {x}"));
    }
    x
}

fn known_role(v: &S<String>, roles: &[Role], key: &str, p: &mut Problems) -> String {
    if !roles.iter().any(|r| &r.id == v.get_ref()) {
        let ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
        p.at(v.span().start, key, format!("`{}` is not one of the roles {}", v.get_ref(), ids.join(", ")));
    }
    v.get_ref().clone()
}

fn check(raw: RawBillingPolicy, p: &mut Problems) -> Option<BillingPolicy> {
    if !is_version_name(raw.version.get_ref()) {
        p.at(
            raw.version.span().start,
            "version",
            format!("`{}` is not a version name", raw.version.get_ref()),
        );
    }
    let currency = match Currency::parse(raw.currency.get_ref()) {
        Ok(c) => Some(c),
        Err(e) => {
            p.at(raw.currency.span().start, "currency", e.to_string());
            None
        }
    };
    let minor = |v: &S<i64>, key: &str, p: &mut Problems| -> i64 {
        match currency.and_then(|c| minor_of_major(*v.get_ref(), c)).filter(|_| *v.get_ref() >= 0) {
            Some(m) => m,
            None => {
                p.at(
                    v.span().start,
                    key,
                    format!("must be a whole, non-negative amount, found {}", v.get_ref()),
                );
                0
            }
        }
    };
    let arrears_days = whole(&raw.arrears.days_after_due, 0..=365, "arrears.days_after_due", p);
    let arrears_min = minor(&raw.arrears.min_unpaid, "arrears.min_unpaid", p);
    let train_months = whole(&raw.grading.train_months, 1..=36, "grading.train_months", p);

    let mut grades = Vec::new();
    let mut last_bound = 0.0;
    if raw.grading.grades.len() < 2 {
        p.at(0, "grading.grades", "the scale needs at least two grades");
    }
    for (i, g) in raw.grading.grades.iter().enumerate() {
        let key = format!("grading.grades[{i}]");
        let name = g.grade.get_ref();
        if name.is_empty() || name.len() > 8 || grades.iter().any(|x: &BillingGrade| &x.grade == name) {
            p.at(
                g.grade.span().start,
                format!("{key}.grade"),
                format!("`{name}` is empty, too long or repeated"),
            );
        }
        let last = i + 1 == raw.grading.grades.len();
        let pd_below = match (&g.pd_below, last) {
            (Some(b), false) => {
                let x = *b.get_ref();
                if !(x > last_bound && x < 1.0) {
                    p.at(
                        b.span().start,
                        format!("{key}.pd_below"),
                        format!("must rise from grade to grade and stay below 1, found {x}"),
                    );
                }
                last_bound = x;
                Some(x)
            }
            (None, true) => None,
            (Some(b), true) => {
                p.at(b.span().start, format!("{key}.pd_below"), "the last grade has no upper bound");
                None
            }
            (None, false) => {
                p.at(
                    g.grade.span().start,
                    format!("{key}.pd_below"),
                    "every grade but the last needs pd_below",
                );
                None
            }
        };
        grades.push(BillingGrade {
            grade: name.clone(),
            pd_below,
            name_zh: g.name_zh.clone(),
            name_en: g.name_en.clone(),
        });
    }

    let model = raw.forecast.model.get_ref();
    if !FORECAST_MODELS.contains(&model.as_str()) {
        p.at(
            raw.forecast.model.span().start,
            "forecast.model",
            format!("`{model}` is not one of {}", FORECAST_MODELS.join(", ")),
        );
    }
    let high_risk_pd = share(&raw.forecast.high_risk_pd, 0.0, 1.0, "forecast.high_risk_pd", p);

    let roles = check_roles(&raw.roles, p);
    let authority = BillingAuthority {
        tighten: known_role(&raw.authority.tighten, &roles, "authority.tighten", p),
        relax: known_role(&raw.authority.relax, &roles, "authority.relax", p),
        large: known_role(&raw.authority.large, &roles, "authority.large", p),
        waiver: known_role(&raw.authority.waiver, &roles, "authority.waiver", p),
    };

    let mut terms: Vec<BillingTerms> = Vec::new();
    for (i, t) in raw.terms.iter().enumerate() {
        let key = format!("terms[{i}]");
        let installments = match (&t.installments, t.settlement) {
            (Some(n), Settlement::Split) => Some(whole(n, 2..=8, &format!("{key}.installments"), p)),
            (None, Settlement::Split) => {
                p.at(
                    t.grades.span().start,
                    format!("{key}.installments"),
                    "split settlement needs installments",
                );
                None
            }
            (Some(n), _) => {
                p.at(
                    n.span().start,
                    format!("{key}.installments"),
                    "installments are for split settlement only",
                );
                None
            }
            (None, _) => None,
        };
        let prepay_share = share(&t.prepay_share, 0.0, 1.0, &format!("{key}.prepay_share"), p);
        if t.settlement == Settlement::Prepaid && prepay_share != 1.0 {
            p.at(t.prepay_share.span().start, format!("{key}.prepay_share"), "a prepaid account pays 1");
        }
        let deposit_months = share(&t.deposit_months, 0.0, 6.0, &format!("{key}.deposit_months"), p);
        let mut days = 0;
        for (k, r) in t.reminders.get_ref().iter().enumerate() {
            if !REMINDER_ACTIONS.contains(&r.action.as_str()) || (k > 0 && r.day <= days) || r.day > 365 {
                p.at(
                    t.reminders.span().start,
                    format!("{key}.reminders[{k}]"),
                    format!(
                        "reminders need rising days up to 365 and an action of {}, found day {} `{}`",
                        REMINDER_ACTIONS.join(", "),
                        r.day,
                        r.action
                    ),
                );
            }
            days = r.day;
        }
        for g in t.grades.get_ref() {
            if !grades.iter().any(|x| &x.grade == g) {
                p.at(
                    t.grades.span().start,
                    format!("{key}.grades"),
                    format!("`{g}` is not a grade of the scale"),
                );
            }
            for &class in t.classes.get_ref() {
                if terms.iter().any(|x| &x.grade == g && x.class == class) {
                    p.at(
                        t.classes.span().start,
                        format!("{key}.classes"),
                        format!("grade {g}, class {} is covered twice", class.code()),
                    );
                }
                terms.push(BillingTerms {
                    grade: g.clone(),
                    class,
                    cycle: t.cycle,
                    settlement: t.settlement,
                    installments,
                    prepay_share,
                    deposit_months,
                    guarantee: t.guarantee,
                    reminders: t.reminders.get_ref().clone(),
                });
            }
        }
    }
    for g in &grades {
        for &class in AccountClass::ALL {
            if !terms.iter().any(|t| t.grade == g.grade && t.class == class) {
                p.at(0, "terms", format!("no terms for grade {}, class {}", g.grade, class.code()));
            }
        }
    }
    let rank = |g: &str| grades.iter().position(|x| x.grade == g).unwrap_or(usize::MAX);
    terms.sort_by_key(|t| (rank(&t.grade), t.class));

    let r = &raw.penalty;
    let daily = |v: &S<f64>, key: &str, p: &mut Problems| share(v, 0.0, 0.01, key, p);
    let penalty = PenaltyRule {
        source: r.source.get_ref().clone(),
        residential_daily: daily(&r.residential_daily, "penalty.residential_daily", p),
        current_year_daily: daily(&r.current_year_daily, "penalty.current_year_daily", p),
        cross_year_daily: daily(&r.cross_year_daily, "penalty.cross_year_daily", p),
        minimum: minor(&r.minimum, "penalty.minimum", p),
    };
    let d = &raw.disconnection;
    for (v, key) in [(&r.source, "penalty.source"), (&d.source, "disconnection.source")] {
        if v.get_ref().trim().is_empty() {
            p.at(v.span().start, key, "a statutory control names its legal source");
        }
    }
    let mut moratoria = Vec::new();
    for (i, m) in d.moratoria.iter().enumerate() {
        let date = |v: &S<String>, which: &str, p: &mut Problems| {
            NaiveDate::parse_from_str(v.get_ref(), "%Y-%m-%d").ok().or_else(|| {
                p.at(
                    v.span().start,
                    format!("disconnection.moratoria[{i}].{which}"),
                    format!("`{}` is not a date (YYYY-MM-DD)", v.get_ref()),
                );
                None
            })
        };
        if let (Some(from), Some(to)) = (date(&m.from, "from", p), date(&m.to, "to", p)) {
            if to < from {
                p.at(m.to.span().start, format!("disconnection.moratoria[{i}].to"), "ends before it starts");
            }
            moratoria.push(Moratorium {
                from,
                to,
                classes: m.classes.clone(),
                reason_zh: m.reason_zh.clone(),
                reason_en: m.reason_en.clone(),
            });
        }
    }
    let disconnection = DisconnectionRule {
        source: d.source.get_ref().clone(),
        min_overdue_days: whole(&d.min_overdue_days, 1..=365, "disconnection.min_overdue_days", p),
        notice_days_residential: whole(
            &d.notice_days_residential,
            1..=60,
            "disconnection.notice_days_residential",
            p,
        ),
        notice_days_other: whole(&d.notice_days_other, 1..=60, "disconnection.notice_days_other", p),
        final_notice_hours: whole(&d.final_notice_hours, 0..=72, "disconnection.final_notice_hours", p),
        approver: known_role(&d.approver, &roles, "disconnection.approver", p),
        reconnect_hours: whole(&d.reconnect_hours, 1..=168, "disconnection.reconnect_hours", p),
        moratoria,
    };
    Some(BillingPolicy {
        version: raw.version.get_ref().clone(),
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        currency: currency?,
        arrears_days,
        arrears_min,
        train_months,
        grades,
        forecast_model: model.clone(),
        high_risk_pd,
        roles,
        authority,
        terms,
        penalty,
        disconnection,
    })
}

impl BillingPolicy {
    /// Reads and checks a billing policy; every problem is reported with its key.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, FileError> {
        let raw: RawBillingPolicy = parse(text, file)?;
        let mut p = Problems::new(text, file);
        let policy = check(raw, &mut p);
        match policy {
            Some(policy) if p.is_empty() => Ok(policy),
            _ => Err(p.into_error()),
        }
    }

    /// The shipped policy ([`BUILTIN_BILLING_POLICY`]).
    pub fn builtin() -> Self {
        match Self::from_toml(BUILTIN_BILLING_POLICY, BUILTIN_BILLING_POLICY_FILE) {
            Ok(p) => p,
            Err(e) => panic!("the shipped billing policy is invalid: {e}"),
        }
    }

    /// The grade of a PD of arrears on next month's bill.
    pub fn grade_of(&self, pd: f64) -> &BillingGrade {
        let last = self.grades.len() - 1;
        &self.grades[self.grades.iter().position(|g| g.pd_below.is_some_and(|b| pd < b)).unwrap_or(last)]
    }

    /// The terms of a grade and class (every pair is covered, checked on loading).
    pub fn terms_for(&self, grade: &str, class: AccountClass) -> Option<&BillingTerms> {
        self.terms.iter().find(|t| t.grade == grade && t.class == class)
    }

    fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The authorities users may be granted for billing decisions.
    pub fn role_ids(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.id.clone()).collect()
    }

    /// The route of a penalty waiver.
    fn waiver_route(&self, account: &str, amount: i64) -> Vec<ApprovalStep> {
        let money = format_money(amount, self.currency);
        self.steps(vec![(
            self.authority.waiver.as_str(),
            format!("waive {money} of late-payment penalty on account {account}"),
            format!("减免户号 {account} 电费违约金 {money}"),
        )])
    }

    /// Steps for (role, why in English, why in Chinese), one per role, in the roles' order.
    fn steps(&self, parts: Vec<(&str, String, String)>) -> Vec<ApprovalStep> {
        let mut steps: Vec<ApprovalStep> = Vec::new();
        for (role, en, zh) in parts {
            match steps.iter_mut().find(|s| s.role == role) {
                Some(s) => {
                    s.why_en = format!("{}; {en}", s.why_en);
                    s.why_zh = format!("{}；{zh}", s.why_zh);
                }
                None => {
                    let r = self.role(role);
                    steps.push(ApprovalStep {
                        role: role.to_owned(),
                        role_en: r.map_or_else(|| role.to_owned(), |r| r.name_en.clone()),
                        role_zh: r.map_or_else(|| role.to_owned(), |r| r.name_zh.clone()),
                        why_en: en,
                        why_zh: zh,
                        quorum: r.map_or(1, |r| r.quorum.max(1)),
                    });
                }
            }
        }
        let rank = |id: &str| self.roles.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
        steps.sort_by_key(|s| rank(&s.role));
        steps
    }
}

/// A bill's late-payment penalty to a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Penalty {
    /// Days the bill was overdue with something unpaid.
    pub days: u32,
    /// Minor units.
    pub amount: i64,
}

/// The late-payment penalty of one bill from the day after `due` to `to` inclusive:
/// each day, what was still unpaid at the end of the day before × the day's rate
/// (residential: one rate; others: the current-year rate up to 31 December of the
/// due date's year, the cross-year rate after it). `applied` is (date, minor units) paid
/// to the bill, in any order. The sum is rounded to the minor unit, half up; a positive
/// penalty below the rule's minimum is charged as the minimum.
pub fn penalty(
    rule: &PenaltyRule,
    class: AccountClass,
    due: NaiveDate,
    owed: i64,
    applied: &[(NaiveDate, i64)],
    to: NaiveDate,
) -> Penalty {
    let mut paid: Vec<(NaiveDate, i64)> = applied.to_vec();
    paid.sort_by_key(|a| a.0);
    let mut sum = 0.0;
    let mut days = 0u32;
    let mut day = due.succ_opt();
    let mut k = 0;
    let mut unpaid = owed;
    while let Some(d) = day.filter(|d| *d <= to) {
        // Payments up to the end of the day before.
        while k < paid.len() && paid[k].0 < d {
            unpaid -= paid[k].1;
            k += 1;
        }
        if unpaid <= 0 {
            break;
        }
        let rate = if class == AccountClass::Residential {
            rule.residential_daily
        } else if d.year() > due.year() {
            rule.cross_year_daily
        } else {
            rule.current_year_daily
        };
        sum += unpaid as f64 * rate;
        days += 1;
        day = d.succ_opt();
    }
    let amount = (sum + 0.5).floor() as i64;
    let amount = if days > 0 { amount.max(rule.minimum) } else { 0 };
    Penalty { days, amount }
}

/// A request to waive part or all of an account's late-payment penalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverProposal {
    /// Always `waiver`: what tells a waiver from a change of terms among billing requests.
    pub kind: String,
    pub account_id: String,
    pub policy_version: String,
    pub as_of: NaiveDate,
    /// Minor units: the penalty to `as_of` and the part to waive.
    pub penalty: i64,
    pub amount: i64,
    pub reason: String,
    pub reason_en: String,
    pub reason_zh: String,
    pub route: Vec<ApprovalStep>,
}

impl BillingPolicy {
    /// A waiver of `amount` of the `penalty` an account owes at `as_of`, routed to the
    /// waiver role; `None` when the amount is not positive or is more than the penalty.
    pub fn waiver(
        &self,
        account: &str,
        as_of: NaiveDate,
        penalty: i64,
        amount: i64,
        reason: &str,
    ) -> Option<WaiverProposal> {
        if amount <= 0 || amount > penalty {
            return None;
        }
        let (m, p) = (format_money(amount, self.currency), format_money(penalty, self.currency));
        Some(WaiverProposal {
            kind: "waiver".into(),
            account_id: account.to_owned(),
            policy_version: self.version.clone(),
            as_of,
            penalty,
            amount,
            reason: reason.to_owned(),
            reason_en: format!("waive {m} of the {p} late-payment penalty to {as_of}: {reason}"),
            reason_zh: format!("减免截至 {as_of} 的电费违约金 {p} 中的 {m}：{reason}"),
            route: self.waiver_route(account, amount),
        })
    }
}

/// An account's terms as they stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentTerms {
    pub account_id: String,
    pub class: AccountClass,
    pub cycle: BillingCycle,
    pub settlement: Settlement,
    pub installments: Option<u32>,
    pub prepay_share: f64,
    /// Minor units.
    pub deposit: i64,
    /// Minor units: the average bill over the last months, the base of the deposit.
    pub average_bill: i64,
    /// Whether these terms were put in force by an earlier decision (only such terms are
    /// relaxed when the grade improves).
    pub imposed: bool,
}

/// One term changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermChange {
    /// `cycle`, `settlement`, `prepay_share` or `deposit`.
    pub term: String,
    pub from: String,
    pub to: String,
    /// Stricter than before.
    pub tighten: bool,
}

/// The changes of terms a grade asks for, with the reasons and the approval route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsProposal {
    pub account_id: String,
    pub grade: String,
    pub class: AccountClass,
    pub policy_version: String,
    pub cycle: BillingCycle,
    pub settlement: Settlement,
    pub installments: Option<u32>,
    pub prepay_share: f64,
    /// Minor units: the deposit (or guarantee) the terms ask for.
    pub deposit: i64,
    pub guarantee: bool,
    pub reminders: Vec<Reminder>,
    pub changes: Vec<TermChange>,
    pub reason_en: String,
    pub reason_zh: String,
    pub route: Vec<ApprovalStep>,
}

fn strictness_cycle(c: BillingCycle) -> u8 {
    match c {
        BillingCycle::Monthly => 0,
        BillingCycle::SemiMonthly => 1,
        BillingCycle::Weekly => 2,
    }
}

fn strictness_settlement(s: Settlement) -> u8 {
    match s {
        Settlement::Postpaid => 0,
        Settlement::Split => 1,
        Settlement::Prepaid => 2,
    }
}

/// Deposits are asked for in whole hundreds of the currency's major unit, rounded up.
fn deposit_of(months: f64, average_bill: i64, currency: Currency) -> i64 {
    let step = 100 * 10i64.pow(currency.exponent().into());
    let raw = (months * average_bill.max(0) as f64).ceil() as i64;
    (raw + step - 1) / step * step
}

/// The terms `grade` gives an account of `current.class`, and what changes; `None` when
/// nothing changes. Stricter terms are always proposed; looser ones only where an earlier
/// decision imposed the current ones (`current.imposed`), so an account's own choice of
/// prepaying is kept. A deposit above what the grade asks for is kept: a refund is asked
/// for by the account holder, not proposed.
pub fn propose_terms(policy: &BillingPolicy, current: &CurrentTerms, grade: &str) -> Option<TermsProposal> {
    let terms = policy.terms_for(grade, current.class)?;
    let deposit = deposit_of(terms.deposit_months, current.average_bill, policy.currency);
    // A looser term is proposed only where an earlier decision imposed the stricter one:
    // an account's own choice (a household that buys electricity in advance) is kept.
    let may = |tighten: bool| tighten || current.imposed;
    let mut target = (current.cycle, current.settlement, current.installments, current.prepay_share);
    let mut changes = Vec::new();
    let mut change = |term: &str, from: String, to: String, tighten: bool| {
        changes.push(TermChange { term: term.to_owned(), from, to, tighten });
    };
    let tighten = strictness_cycle(terms.cycle) > strictness_cycle(current.cycle);
    if terms.cycle != current.cycle && may(tighten) {
        target.0 = terms.cycle;
        change("cycle", current.cycle.code().into(), terms.cycle.code().into(), tighten);
    }
    let (a, b) = (strictness_settlement(current.settlement), strictness_settlement(terms.settlement));
    let tighten = b > a || (a == b && terms.installments.unwrap_or(0) > current.installments.unwrap_or(0));
    if (terms.settlement != current.settlement || terms.installments != current.installments) && may(tighten)
    {
        let show = |s: Settlement, n: Option<u32>| match n {
            Some(n) => format!("{} ×{n}", s.code()),
            None => s.code().to_owned(),
        };
        (target.1, target.2) = (terms.settlement, terms.installments);
        change(
            "settlement",
            show(current.settlement, current.installments),
            show(terms.settlement, terms.installments),
            tighten,
        );
    }
    // Prepaid settlement pays in full in advance whatever the share says.
    let share = if target.1 == Settlement::Prepaid { 1.0 } else { terms.prepay_share };
    let tighten = share > current.prepay_share;
    if (share - current.prepay_share).abs() > 1e-9 && may(tighten) {
        target.3 = share;
        change("prepay_share", format!("{:.2}", current.prepay_share), format!("{share:.2}"), tighten);
    }
    if deposit > current.deposit {
        change(
            "deposit",
            format_money(current.deposit, policy.currency),
            format_money(deposit, policy.currency),
            true,
        );
    }
    if changes.is_empty() {
        return None;
    }
    let grade_name = policy.grades.iter().find(|g| g.grade == grade);
    let list =
        |c: &[TermChange]| c.iter().map(|c| format!("{} {} → {}", c.term, c.from, c.to)).collect::<Vec<_>>();
    let reason_en = format!(
        "grade {grade} ({}), {}: {}",
        grade_name.map_or("", |g| g.name_en.as_str()),
        current.class.name_en(),
        list(&changes).join("; ")
    );
    let reason_zh = format!(
        "信用等级 {grade}（{}），{}：{}",
        grade_name.map_or("", |g| g.name_zh.as_str()),
        current.class.name_zh(),
        list(&changes).join("；")
    );
    let mut parts = Vec::new();
    let a = &policy.authority;
    let tightened: Vec<&str> = changes.iter().filter(|c| c.tighten).map(|c| c.term.as_str()).collect();
    let relaxed: Vec<&str> = changes.iter().filter(|c| !c.tighten).map(|c| c.term.as_str()).collect();
    if !tightened.is_empty() {
        parts.push((
            a.tighten.as_str(),
            format!("stricter {}", tightened.join(", ")),
            format!("收紧{}", tightened.join("、")),
        ));
    }
    if !relaxed.is_empty() {
        parts.push((
            a.relax.as_str(),
            format!("looser {}", relaxed.join(", ")),
            format!("放宽{}", relaxed.join("、")),
        ));
    }
    if current.class == AccountClass::LargeIndustrial {
        parts.push((
            a.large.as_str(),
            "terms of a large industrial account".to_owned(),
            "大工业用户电费结算条件变更".to_owned(),
        ));
    }
    let route = policy.steps(parts);
    Some(TermsProposal {
        account_id: current.account_id.clone(),
        grade: grade.to_owned(),
        class: current.class,
        policy_version: policy.version.clone(),
        cycle: target.0,
        settlement: target.1,
        installments: target.2,
        prepay_share: target.3,
        deposit: deposit.max(current.deposit),
        guarantee: terms.guarantee,
        reminders: terms.reminders.clone(),
        changes,
        reason_en,
        reason_zh,
        route,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_shipped_policy_loads_and_covers_every_grade_and_class() {
        let p = BillingPolicy::builtin();
        assert_eq!(p.grades.len(), 5);
        assert_eq!(p.terms.len(), 5 * AccountClass::ALL.len());
        assert_eq!((p.arrears_days, p.arrears_min), (30, 10_000));
        assert_eq!(p.grade_of(0.005).grade, "AAA");
        assert_eq!(p.grade_of(0.01).grade, "AA");
        assert_eq!(p.grade_of(0.19).grade, "B");
        assert_eq!(p.grade_of(0.9).grade, "C");
        assert_eq!(p.penalty.minimum, 100);
        assert_eq!(p.terms_for("C", AccountClass::Residential).unwrap().settlement, Settlement::Prepaid);
    }

    #[test]
    fn problems_are_reported_with_their_keys() {
        let text = BUILTIN_BILLING_POLICY
            .replace("pd_below = 0.03", "pd_below = 0.005")
            .replace("high_risk_pd = 0.25", "high_risk_pd = 1.5")
            .replace("waiver = \"marketing_manager\"", "waiver = \"nobody\"")
            .replace("grades = [\"A\"]\n", "grades = [\"B\"]\n");
        let e = BillingPolicy::from_toml(&text, "b.toml").unwrap_err().to_string();
        assert!(e.contains("`grading.grades[1].pd_below`: must rise"), "{e}");
        assert!(e.contains("`forecast.high_risk_pd`: must be from 0 to 1, found 1.5"), "{e}");
        assert!(e.contains("`authority.waiver`: `nobody` is not one of the roles"), "{e}");
        assert!(e.contains("grade B, class residential is covered twice"), "{e}");
        assert!(e.contains("no terms for grade A, class residential"), "{e}");
    }

    /// A household owes 200.00 due 15 March and pays it on 14 April: 30 days (16 March to
    /// 14 April inclusive) × 0.1% × 200.00 = 6.00.
    #[test]
    fn a_households_penalty_by_hand() {
        let p = BillingPolicy::builtin();
        let got = penalty(
            &p.penalty,
            AccountClass::Residential,
            date(2026, 3, 15),
            20_000,
            &[(date(2026, 4, 14), 20_000)],
            date(2026, 5, 1),
        );
        assert_eq!(got, Penalty { days: 30, amount: 600 });
    }

    /// A factory owes 10,000.00 due 20 December 2026 and pays on 10 January 2027: 11 days
    /// of December at 0.2% (220.00) and 10 days of January, across the year end, at 0.3%
    /// (300.00): 520.00.
    #[test]
    fn cross_year_arrears_pay_the_higher_rate_after_the_year_end() {
        let p = BillingPolicy::builtin();
        let got = penalty(
            &p.penalty,
            AccountClass::NonResidential,
            date(2026, 12, 20),
            1_000_000,
            &[(date(2027, 1, 10), 1_000_000)],
            date(2027, 3, 1),
        );
        assert_eq!(got, Penalty { days: 21, amount: 52_000 });
    }

    /// 1,000.00 due 10 May, 600.00 paid on 15 May, the rest on 20 May, a shop (0.2%):
    /// 11–15 May on 1,000.00 (5 × 2.00 = 10.00), 16–20 May on 400.00 (5 × 0.80 = 4.00):
    /// 14.00. A household's 50.00 five days late is 0.25, charged as the 1.00 minimum; a bill
    /// paid on its due date has no penalty.
    #[test]
    fn part_payments_and_the_minimum() {
        let p = BillingPolicy::builtin();
        let paid = [(date(2026, 5, 20), 40_000), (date(2026, 5, 15), 60_000)];
        let got = penalty(
            &p.penalty,
            AccountClass::NonResidential,
            date(2026, 5, 10),
            100_000,
            &paid,
            date(2026, 6, 30),
        );
        assert_eq!(got, Penalty { days: 10, amount: 1_400 });
        let small =
            penalty(&p.penalty, AccountClass::Residential, date(2026, 5, 10), 5_000, &[], date(2026, 5, 15));
        assert_eq!(small, Penalty { days: 5, amount: 100 });
        let on_time = penalty(
            &p.penalty,
            AccountClass::Residential,
            date(2026, 5, 10),
            5_000,
            &[(date(2026, 5, 10), 5_000)],
            date(2026, 6, 1),
        );
        assert_eq!(on_time, Penalty { days: 0, amount: 0 });
    }

    /// A waiver names its amount against the penalty and goes to the marketing manager; it
    /// cannot waive nothing or more than is owed.
    #[test]
    fn waivers_are_routed_and_bounded() {
        let p = BillingPolicy::builtin();
        let w = p.waiver("E1", date(2026, 9, 30), 52_000, 20_000, "hospital, paid in full").unwrap();
        assert_eq!(
            w.reason_en,
            "waive 200.00 CNY of the 520.00 CNY late-payment penalty to 2026-09-30: hospital, paid in full"
        );
        assert_eq!(w.route.iter().map(|s| s.role.as_str()).collect::<Vec<_>>(), ["marketing_manager"]);
        assert!(p.waiver("E1", date(2026, 9, 30), 52_000, 52_001, "x").is_none());
        assert!(p.waiver("E1", date(2026, 9, 30), 52_000, 0, "x").is_none());
    }

    #[test]
    fn moratoria_protect_their_classes_on_their_days() {
        let d = BillingPolicy::builtin().disconnection;
        assert!(d.moratorium_on(date(2026, 8, 1), AccountClass::Residential).is_some());
        assert!(d.moratorium_on(date(2026, 8, 1), AccountClass::LargeIndustrial).is_none());
        assert!(d.moratorium_on(date(2026, 10, 3), AccountClass::LargeIndustrial).is_some());
        assert_eq!(
            (d.notice_days(AccountClass::Residential), d.notice_days(AccountClass::NonResidential)),
            (7, 3)
        );
    }

    fn current(class: AccountClass) -> CurrentTerms {
        CurrentTerms {
            account_id: "E1".into(),
            class,
            cycle: BillingCycle::Monthly,
            settlement: Settlement::Postpaid,
            installments: None,
            prepay_share: 0.0,
            deposit: 0,
            average_bill: 1_234_500,
            imposed: false,
        }
    }

    /// A large industrial account graded C: semi-monthly, split in 4, half prepaid and a
    /// deposit of 2 × 12,345.00 = 24,690.00 rounded up to 24,700.00. All stricter: the
    /// billing supervisor, then the deputy general manager for a large industrial account.
    #[test]
    fn a_downgrade_tightens_terms_and_routes_them() {
        let p = BillingPolicy::builtin();
        let got = propose_terms(&p, &current(AccountClass::LargeIndustrial), "C").unwrap();
        assert_eq!(
            (got.cycle, got.settlement, got.installments),
            (BillingCycle::SemiMonthly, Settlement::Split, Some(4))
        );
        assert_eq!(got.deposit, 2_470_000);
        assert!(got.changes.iter().all(|c| c.tighten));
        let terms: Vec<&str> = got.changes.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["cycle", "settlement", "prepay_share", "deposit"]);
        let roles: Vec<&str> = got.route.iter().map(|s| s.role.as_str()).collect();
        assert_eq!(roles, ["billing_supervisor", "deputy_general_manager"]);
        assert!(got.reason_zh.starts_with("信用等级 C（信用差），大工业："), "{}", got.reason_zh);
    }

    /// A household put on prepaid by an earlier decision when it was graded C, now AA:
    /// back to postpaid with nothing in advance — looser, so the marketing manager
    /// approves. A household that prepays by its own choice keeps prepaying, and an
    /// account already on its grade's terms gets no proposal.
    #[test]
    fn an_upgrade_relaxes_imposed_terms_only() {
        let p = BillingPolicy::builtin();
        let mut c = current(AccountClass::Residential);
        c.settlement = Settlement::Prepaid;
        c.prepay_share = 1.0;
        assert!(propose_terms(&p, &c, "AA").is_none());
        c.imposed = true;
        let got = propose_terms(&p, &c, "AA").unwrap();
        assert_eq!((got.settlement, got.prepay_share), (Settlement::Postpaid, 0.0));
        assert!(got.changes.iter().all(|c| !c.tighten));
        assert_eq!(got.route.len(), 1);
        assert_eq!(got.route[0].role, "marketing_manager");
        assert!(propose_terms(&p, &current(AccountClass::Residential), "AA").is_none());
    }
}
