//! The credit policy (CTRL-1 … CTRL-4): a versioned TOML file (`policy/credit_policy.toml`,
//! embedded as [`BUILTIN_POLICY`]) checked into a [`CreditPolicy`].
//!
//! The file's comments document every field and the limit formula; [`crate::proposal`]
//! applies it. Loading checks everything and reports every problem with file, line,
//! column and key; unknown keys are errors, so a misspelt key is not silently ignored.

use credence_domain::{Currency, CustomerType, Industry};
use serde::Serialize;

use crate::book::GradeCode;
use crate::file::{FileError, Problems, parse};
use crate::labels::{Admission, CollectionMethod};
use crate::policy_file::{RawPolicy, check_policy};

/// The shipped policy.
pub const BUILTIN_POLICY: &str = include_str!("../policy/credit_policy.toml");

/// The name [`BUILTIN_POLICY`] is reported under in messages.
pub const BUILTIN_POLICY_FILE: &str = "credit_policy.toml";

/// Which rating scale the grade table is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeScale {
    /// AAA … C by PD band.
    Letter,
    /// The 100-point AAA/AA/A/B/C scale.
    Points,
}

/// A checked credit policy. Amounts are minor units of [`CreditPolicy::currency`].
///
/// Built only by [`CreditPolicy::from_toml`] (or [`CreditPolicy::builtin`]), which checks
/// every value and every cross-reference (roles named by levels and escalations, the
/// unrated grade, override grades), so the accessors never meet a dangling name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditPolicy {
    version: String,
    name_zh: String,
    name_en: String,
    #[serde(with = "crate::money::currency")]
    currency: Currency,
    scale: GradeScale,
    limit: LimitSettings,
    new_customer: NewCustomerRule,
    unrated_grade: String,
    temporary_limits: TemporaryLimitRule,
    check: CheckRule,
    authority: AuthorityMatrix,
    grades: Vec<GradeRule>,
    overrides: Vec<Override>,
    /// Position of the unrated grade in `grades`.
    #[serde(skip)]
    unrated: usize,
}

/// The parts of a [`CreditPolicy`] the file checks produce; only [`CreditPolicy::new`]
/// turns them into a policy.
#[derive(Debug)]
pub(crate) struct PolicyParts {
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub currency: Currency,
    pub scale: GradeScale,
    pub limit: LimitSettings,
    pub new_customer: NewCustomerRule,
    pub unrated_grade: String,
    pub temporary_limits: TemporaryLimitRule,
    pub check: CheckRule,
    pub authority: AuthorityMatrix,
    pub grades: Vec<GradeRule>,
    pub overrides: Vec<Override>,
}

/// Settings shared by every grade's limit formula.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitSettings {
    /// Limits are rounded down to a multiple of this (minor units, at least 1).
    pub round_down_to: i64,
    pub score_low: f64,
    pub factor_at_low: f64,
    pub score_high: f64,
    pub factor_at_high: f64,
    pub loss_given_default: f64,
}

impl LimitSettings {
    /// The score scaling factor: `factor_at_low` at or below `score_low` (and without a
    /// score), `factor_at_high` at or above `score_high`, linear between.
    pub fn score_factor(&self, score: Option<f64>) -> f64 {
        let Some(s) = score.filter(|s| s.is_finite()) else { return self.factor_at_low };
        if s <= self.score_low {
            self.factor_at_low
        } else if s >= self.score_high {
            self.factor_at_high
        } else {
            let t = (s - self.score_low) / (self.score_high - self.score_low);
            self.factor_at_low + t * (self.factor_at_high - self.factor_at_low)
        }
    }
}

/// Cash in advance for new customers (CTRL-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NewCustomerRule {
    pub cash_in_advance_orders: u32,
    pub min_relationship_months: u32,
}

/// Bounds of temporary limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TemporaryLimitRule {
    /// A temporary limit may be at most this share of the permanent limit.
    pub max_share_of_limit: f64,
    /// It may run at most this many days from the day it is granted.
    pub max_days: u32,
}

/// Thresholds of the order-time credit check (CTRL-4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckRule {
    pub max_oldest_overdue_days: u32,
    pub max_overdue_share_pct: f64,
    pub list_managed_max_order_share: f64,
    pub escalate_red_to: RoleRef,
    pub escalate_refused_to: RoleRef,
}

/// An approver role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// How many distinct members approve this role's step (1 for a person; a committee's
    /// quorum).
    pub quorum: u32,
}

/// What the amount level of a limit request is chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountBasis {
    /// The requested limit, a temporary part included.
    NewLimit,
    /// The increase over the current limit.
    Increase,
}

/// One level of the authority matrix: up to `up_to` (inclusive; `None` = unbounded) the
/// role approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorityLevel {
    pub up_to: Option<i64>,
    pub role: RoleRef,
}

/// A role named by the policy (an authority level, an escalation, the green channel),
/// checked when the policy loads to be one of [`AuthorityMatrix::roles`]. Serialised as
/// the role id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    id: String,
    rank: usize,
}

impl RoleRef {
    pub(crate) fn new(id: String, rank: usize) -> RoleRef {
        RoleRef { id, rank }
    }

    /// The role id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The role's authority rank: its position in [`AuthorityMatrix::roles`], 0 lowest.
    pub fn rank(&self) -> usize {
        self.rank
    }
}

impl Serialize for RoleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id)
    }
}

/// The authority matrix (CTRL-2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthorityMatrix {
    /// Lowest authority first.
    pub roles: Vec<Role>,
    /// Payment-term levels in days, ascending, the last unbounded.
    pub terms: Vec<AuthorityLevel>,
    /// Amount levels in minor units, ascending, the last unbounded.
    pub amounts: Vec<AuthorityLevel>,
    pub amount_basis: AmountBasis,
    pub chain: bool,
    pub green_channel_role: Option<RoleRef>,
    pub green_channel_up_to: i64,
}

impl AuthorityMatrix {
    /// Position of a role (its authority rank, 0 lowest).
    pub fn rank(&self, role: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.id == role)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The role a checked reference names.
    pub fn role_of(&self, role: &RoleRef) -> &Role {
        &self.roles[role.rank]
    }
}

/// What a limit is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitBase {
    /// The customer's last annual revenue.
    Revenue,
    /// The customer's latest equity.
    Equity,
    /// Our average monthly credit sales to the customer.
    MonthlySales,
}

impl LimitBase {
    pub fn name_en(self) -> &'static str {
        match self {
            LimitBase::Revenue => "annual revenue",
            LimitBase::Equity => "equity",
            LimitBase::MonthlySales => "monthly sales",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            LimitBase::Revenue => "年营业收入",
            LimitBase::Equity => "所有者权益",
            LimitBase::MonthlySales => "月均销售额",
        }
    }
}

/// One term of a limit formula: `share × base`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LimitTerm {
    pub base: LimitBase,
    pub share: f64,
}

/// A grade's limit formula; see the policy file for how it is applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitFormula {
    pub bases: Vec<LimitTerm>,
    /// Minor units.
    pub cap: i64,
}

/// A required mitigant (CTRL-3). Percentages are plain numbers of percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mitigant {
    /// Payment in stages: an advance, a part on acceptance and the rest some days after
    /// delivery (the source: 30% / 30% / 40% three months after delivery).
    StagedPayment {
        advance_pct: f64,
        on_acceptance_pct: f64,
        after_delivery_pct: f64,
        after_delivery_days: u32,
    },
    /// Performance deposit as a percentage of the contract (25–40% in the sources).
    Deposit { pct: f64 },
    /// Third-party guarantee.
    Guarantee,
    /// Trade-credit insurance on the limit.
    CreditInsurance,
    /// A risk reserve of a percentage of monthly sales (1–3% in the sources).
    RiskReserve { pct: f64 },
}

impl Mitigant {
    pub fn code(&self) -> &'static str {
        match self {
            Mitigant::StagedPayment { .. } => "staged_payment",
            Mitigant::Deposit { .. } => "deposit",
            Mitigant::Guarantee => "guarantee",
            Mitigant::CreditInsurance => "credit_insurance",
            Mitigant::RiskReserve { .. } => "risk_reserve",
        }
    }
}

/// The policy for one grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeRule {
    pub grade: String,
    /// `grade`, checked to fit a [`GradeCode`].
    #[serde(skip)]
    pub(crate) code: GradeCode,
    pub admission: Admission,
    pub term_days: u32,
    pub collection: CollectionMethod,
    pub limit: LimitFormula,
    pub mitigants: Vec<Mitigant>,
}

/// A change to the grade rules for a customer type and/or industry section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Override {
    pub customer_type: Option<CustomerType>,
    pub industry: Option<Industry>,
    /// Empty: every grade.
    pub grades: Vec<String>,
    pub admission: Option<Admission>,
    pub term_days: Option<u32>,
    pub collection: Option<CollectionMethod>,
    pub limit: Option<LimitFormula>,
    pub limit_factor: Option<f64>,
    pub mitigants: Option<Vec<Mitigant>>,
    pub reason_zh: String,
    pub reason_en: String,
}

impl GradeRule {
    /// The grade code, inline.
    pub fn code(&self) -> GradeCode {
        self.code
    }
}

impl Override {
    /// Industry 2 + customer type 1.
    pub fn specificity(&self) -> u8 {
        2 * u8::from(self.industry.is_some()) + u8::from(self.customer_type.is_some())
    }

    fn applies(&self, grade: &str, customer_type: Option<CustomerType>, industry: Option<Industry>) -> bool {
        self.customer_type.is_none_or(|t| Some(t) == customer_type)
            && self.industry.is_none_or(|i| Some(i) == industry)
            && (self.grades.is_empty() || self.grades.iter().any(|g| g == grade))
    }
}

/// A grade rule after the overrides that apply to a customer, with their positions in
/// [`CreditPolicy::overrides`] in the order they were applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedRule {
    pub rule: GradeRule,
    /// Product of the applied `limit_factor`s (1 when none).
    pub limit_factor: f64,
    pub applied: Vec<usize>,
}

impl CreditPolicy {
    /// The shipped policy ([`BUILTIN_POLICY`]).
    pub fn builtin() -> CreditPolicy {
        match CreditPolicy::from_toml(BUILTIN_POLICY, BUILTIN_POLICY_FILE) {
            Ok(p) => p,
            // The shipped file is checked by the crate's tests.
            Err(e) => panic!("the built-in credit policy is invalid: {e}"),
        }
    }

    /// Parses and checks a policy; `file_name` is used in messages.
    pub fn from_toml(text: &str, file_name: &str) -> Result<CreditPolicy, FileError> {
        let raw: RawPolicy = parse(text, file_name)?;
        let mut problems = Problems::new(text, file_name);
        let policy = check_policy(raw, &mut problems);
        match policy {
            Some(p) if problems.is_empty() => Ok(p),
            _ => Err(problems.into_error()),
        }
    }

    /// Assembles a policy from checked parts; `None` when the unrated grade is not in the
    /// table (the checks report that as a problem first).
    pub(crate) fn new(parts: PolicyParts) -> Option<CreditPolicy> {
        let unrated = parts.grades.iter().position(|g| g.grade == parts.unrated_grade)?;
        let PolicyParts {
            version,
            name_zh,
            name_en,
            currency,
            scale,
            limit,
            new_customer,
            unrated_grade,
            temporary_limits,
            check,
            authority,
            grades,
            overrides,
        } = parts;
        Some(CreditPolicy {
            version,
            name_zh,
            name_en,
            currency,
            scale,
            limit,
            new_customer,
            unrated_grade,
            temporary_limits,
            check,
            authority,
            grades,
            overrides,
            unrated,
        })
    }

    /// Named like `2026-Q4-V1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn name_zh(&self) -> &str {
        &self.name_zh
    }

    pub fn name_en(&self) -> &str {
        &self.name_en
    }

    /// The currency of every amount in the policy.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn scale(&self) -> GradeScale {
        self.scale
    }

    pub fn limit(&self) -> &LimitSettings {
        &self.limit
    }

    pub fn new_customer(&self) -> &NewCustomerRule {
        &self.new_customer
    }

    /// The grade an unrated customer is treated as.
    pub fn unrated_grade(&self) -> &str {
        &self.unrated_grade
    }

    pub fn temporary_limits(&self) -> &TemporaryLimitRule {
        &self.temporary_limits
    }

    pub fn check(&self) -> &CheckRule {
        &self.check
    }

    pub fn authority(&self) -> &AuthorityMatrix {
        &self.authority
    }

    /// Best grade first.
    pub fn grades(&self) -> &[GradeRule] {
        &self.grades
    }

    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// The rule of a grade code on the policy's scale.
    pub fn grade(&self, grade: &str) -> Option<&GradeRule> {
        self.grades.iter().find(|g| g.grade == grade)
    }

    /// The grade a customer is treated as: its own when the policy knows it, otherwise
    /// (unrated or a grade of another scale) [`CreditPolicy::unrated_grade`].
    pub fn effective_grade<'p>(&'p self, grade: Option<&str>) -> &'p GradeRule {
        grade.and_then(|g| self.grade(g)).unwrap_or(&self.grades[self.unrated])
    }

    /// The rule for a grade after the overrides that apply, least specific first (equals in
    /// file order).
    pub fn resolve(
        &self,
        grade: &GradeRule,
        customer_type: Option<CustomerType>,
        industry: Option<Industry>,
    ) -> ResolvedRule {
        let mut order: Vec<usize> = (0..self.overrides.len())
            .filter(|&i| self.overrides[i].applies(&grade.grade, customer_type, industry))
            .collect();
        order.sort_by_key(|&i| (self.overrides[i].specificity(), i));
        let mut rule = grade.clone();
        let mut limit_factor = 1.0;
        for &i in &order {
            let o = &self.overrides[i];
            if let Some(a) = o.admission {
                rule.admission = a;
            }
            if let Some(t) = o.term_days {
                rule.term_days = t;
            }
            if let Some(c) = o.collection {
                rule.collection = c;
            }
            if let Some(l) = &o.limit {
                rule.limit = l.clone();
            }
            if let Some(m) = &o.mitigants {
                rule.mitigants = m.clone();
            }
            if let Some(f) = o.limit_factor {
                limit_factor *= f;
            }
        }
        ResolvedRule { rule, limit_factor, applied: order }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_policy_loads() {
        let p = CreditPolicy::builtin();
        assert_eq!(p.version, "2026-Q4-V1.1");
        let grades: Vec<&str> = p.grades.iter().map(|g| g.grade.as_str()).collect();
        assert_eq!(grades, ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "C"]);
        assert_eq!(p.grade("AAA").unwrap().admission, Admission::GreenChannel);
        assert_eq!(p.grade("B").unwrap().admission, Admission::ListManaged);
        assert_eq!(p.grade("C").unwrap().admission, Admission::Refuse);
        assert_eq!(p.limit.round_down_to, 1_000_000);
        assert_eq!(p.authority.amounts[0].up_to, Some(100_000_000));
        assert!(p.grade("CCC").unwrap().mitigants.contains(&Mitigant::CreditInsurance));
        assert!(!p.grade("B").unwrap().mitigants.contains(&Mitigant::CreditInsurance));
    }

    #[test]
    fn score_factor_is_linear_between_the_anchors() {
        let l = &CreditPolicy::builtin().limit;
        assert_eq!(l.score_factor(None), 0.6);
        assert_eq!(l.score_factor(Some(40.0)), 0.6);
        assert_eq!(l.score_factor(Some(70.0)), 0.8);
        assert_eq!(l.score_factor(Some(95.0)), 1.0);
    }

    #[test]
    fn most_specific_override_has_the_last_word() {
        let p = CreditPolicy::builtin();
        let aa = p.grade("AA").unwrap();
        let r = p.resolve(aa, Some(CustomerType::GovernmentPlatform), Some(Industry::K));
        assert_eq!(r.rule.term_days, 120);
        assert_eq!(r.limit_factor, 0.5);
        // Customer type (1) before industry (2).
        assert_eq!(r.applied, [0, 1]);
        let bbb = p.grade("BBB").unwrap();
        let r = p.resolve(bbb, Some(CustomerType::GovernmentPlatform), None);
        assert_eq!(r.rule.term_days, 30);
        assert!(r.applied.is_empty());
    }
}
