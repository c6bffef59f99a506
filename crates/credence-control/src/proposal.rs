//! Proposals (CTRL-1, CTRL-3): from a customer's grade, score and figures, the admission,
//! limit, payment term, collection method and mitigants the policy gives, with a reason for
//! each, and the limit request when the proposal asks for more than the customer has.
//!
//! The limit formula is documented in the policy file; [`propose`] follows it with integer
//! arithmetic: shares and factors are taken in millionths (rounded to the nearest), every
//! product is rounded down to a minor unit, and the limit down to `round_down_to`.
//!
//! A proposal needs a [`LimitRequest`] when its limit is above the current limit or its
//! term is longer than the current term; reductions need no approval. (A term beyond 90
//! days is routed to the CFO whenever it is new; a term already approved is not asked
//! for again.)

use chrono::NaiveDate;
use credence_domain::{Currency, CustomerId, CustomerType, Industry, Labelled, Money};
use serde::{Deserialize, Serialize};

use crate::authority::LimitRequest;
use crate::dates::whole_months;
use crate::labels::{Admission, CollectionMethod};
use crate::money::format_money;
use crate::policy::{CreditPolicy, GradeRule, GradeScale, LimitBase, Mitigant, ResolvedRule};

/// What is known about a customer when a proposal is made. Amounts are minor units of
/// `currency`, which must be the policy's; `None` is unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalInput {
    pub customer_id: CustomerId,
    /// The grade on the policy's scale; `None` when unrated.
    pub grade: Option<String>,
    /// The 0–100 score of the rating.
    pub score: Option<f64>,
    /// Probability of default within a year, 0–1.
    pub pd: Option<f64>,
    pub customer_type: Option<CustomerType>,
    pub industry: Option<Industry>,
    #[serde(with = "crate::money::currency")]
    pub currency: Currency,
    pub annual_revenue: Option<i64>,
    pub equity: Option<i64>,
    /// Our average monthly credit sales to the customer.
    pub monthly_sales: Option<i64>,
    pub current_limit: i64,
    pub current_term_days: u32,
    pub relationship_start: NaiveDate,
    /// Orders the customer has placed so far.
    pub orders_so_far: u32,
}

/// One reason of a proposal, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// One of `grade`, `unrated`, `admission`, `override`, `limit_base`, `no_limit_base`,
    /// `limit_cap`, `score_factor`, `limit`, `new_customer`, `refused`, `term`,
    /// `collection`, `mitigant`, `request`, `reduction`.
    pub code: String,
    pub text_en: String,
    pub text_zh: String,
}

fn reason(code: &str, text_en: String, text_zh: String) -> Reason {
    Reason { code: code.to_owned(), text_en, text_zh }
}

/// A mitigant the proposal requires, with its amount where one follows from the figures
/// (the risk reserve from monthly sales).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedMitigant {
    pub mitigant: Mitigant,
    /// Minor units.
    pub amount: Option<i64>,
    pub text_en: String,
    pub text_zh: String,
}

/// What the policy proposes for a customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub customer_id: CustomerId,
    pub policy_version: String,
    pub as_of: NaiveDate,
    /// The grade the policy was applied for (the unrated grade when the customer has none).
    pub grade: String,
    pub admission: Admission,
    /// Cash in advance as a new customer.
    pub new_customer: bool,
    #[serde(with = "crate::money::money_field")]
    pub limit: Money,
    /// What the formula gives, before the new-customer rule and refusal set the limit to 0.
    #[serde(with = "crate::money::money_field")]
    pub formula_limit: Money,
    pub term_days: u32,
    pub collection: CollectionMethod,
    pub mitigants: Vec<ProposedMitigant>,
    /// limit × PD × loss given default, when the PD is known.
    #[serde(with = "crate::money::money_field_opt")]
    pub expected_loss: Option<Money>,
    pub reasons: Vec<Reason>,
    /// The request this proposal needs approved, if any.
    pub request: Option<LimitRequest>,
}

/// Why no proposal could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    #[error("customer {customer}: figures in {found}, the policy in {policy}")]
    Currency { customer: String, found: String, policy: String },
}

/// A share or factor in millionths, rounded to the nearest.
pub(crate) fn ppm(x: f64) -> i64 {
    (x * 1_000_000.0).round() as i64
}

/// `amount × millionths / 1,000,000`, rounded down, without overflow.
pub(crate) fn times_ppm(amount: i64, millionths: i64) -> i64 {
    let v = i128::from(amount) * i128::from(millionths);
    v.div_euclid(1_000_000).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn pct_text(share: f64) -> String {
    let text = format!("{:.4}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Applies the policy to one customer as of a date.
pub fn propose(
    policy: &CreditPolicy,
    input: &ProposalInput,
    as_of: NaiveDate,
) -> Result<Proposal, ProposalError> {
    let c = policy.currency();
    if input.currency != c {
        return Err(ProposalError::Currency {
            customer: input.customer_id.to_string(),
            found: input.currency.code().to_owned(),
            policy: c.code().to_owned(),
        });
    }
    let mut reasons = Vec::new();
    let base_rule = policy.effective_grade(input.grade.as_deref());
    reasons.push(grade_reason(policy, input.grade.as_deref(), &base_rule.grade));
    let resolved = policy.resolve(base_rule, input.customer_type, input.industry);
    let rule = &resolved.rule;
    reasons.extend(resolved.applied.iter().map(|&i| override_reason(&policy.overrides()[i])));
    reasons.push(reason(
        "admission",
        format!("{}: {}", rule.admission.name_en(), admission_note_en(rule.admission)),
        format!("{}：{}", rule.admission.name_zh(), admission_note_zh(rule.admission)),
    ));
    let formula_limit = formula_limit(policy, input, &resolved, &mut reasons);
    let terms = terms(policy, input, rule, formula_limit, as_of, &mut reasons);
    let mitigants: Vec<ProposedMitigant> = if terms.cash_in_advance {
        Vec::new()
    } else {
        rule.mitigants.iter().map(|m| proposed_mitigant(*m, input.monthly_sales, c)).collect()
    };
    for m in &mitigants {
        reasons.push(reason("mitigant", m.text_en.clone(), m.text_zh.clone()));
    }
    let expected_loss = input
        .pd
        .filter(|pd| pd.is_finite() && (0.0..=1.0).contains(pd))
        .map(|pd| Money::new(times_ppm(terms.limit, ppm(pd * policy.limit().loss_given_default)), c));
    let request = request_for(input, rule, &terms, c, &mut reasons);
    Ok(Proposal {
        customer_id: input.customer_id.clone(),
        policy_version: policy.version().to_owned(),
        as_of,
        grade: rule.grade.clone(),
        admission: rule.admission,
        new_customer: terms.new_customer,
        limit: Money::new(terms.limit, c),
        formula_limit: Money::new(formula_limit, c),
        term_days: terms.term_days,
        collection: terms.collection,
        mitigants,
        expected_loss,
        reasons,
        request,
    })
}

/// The grade the policy is applied for: the customer's, or the unrated grade when the
/// customer has none the policy knows.
fn grade_reason(policy: &CreditPolicy, grade: Option<&str>, applied: &str) -> Reason {
    match grade {
        Some(g) if g == applied => reason(
            "grade",
            format!(
                "grade {g} on the {} scale",
                match policy.scale() {
                    GradeScale::Letter => "letter",
                    GradeScale::Points => "100-point",
                }
            ),
            format!(
                "信用等级{g}（{}）",
                match policy.scale() {
                    GradeScale::Letter => "字母等级",
                    GradeScale::Points => "百分制等级",
                }
            ),
        ),
        other => reason(
            "unrated",
            match other {
                Some(g) => format!("grade {g} is not in the policy: treated as {applied}"),
                None => format!("not rated: treated as {applied}"),
            },
            match other {
                Some(g) => format!("等级{g}不在政策中：按{applied}处理"),
                None => format!("未评级：按{applied}处理"),
            },
        ),
    }
}

/// Why an override of the policy applies to the customer.
fn override_reason(o: &crate::policy::Override) -> Reason {
    let mut who_en = Vec::new();
    let mut who_zh = Vec::new();
    if let Some(t) = o.customer_type {
        who_en.push(t.name_en().to_owned());
        who_zh.push(t.name_zh().to_owned());
    }
    if let Some(s) = o.industry {
        who_en.push(format!("industry {} ({})", s.code(), s.name_en()));
        who_zh.push(format!("行业{}（{}）", s.code(), s.name_zh()));
    }
    reason(
        "override",
        format!("{}: {}", who_en.join(", "), o.reason_en),
        format!("{}：{}", who_zh.join("，"), o.reason_zh),
    )
}

/// The limit formula: the smallest share of the customer's figures, capped for the
/// grade, scaled by the score (and overrides) and rounded down.
fn formula_limit(
    policy: &CreditPolicy,
    input: &ProposalInput,
    resolved: &ResolvedRule,
    reasons: &mut Vec<Reason>,
) -> i64 {
    let rule = &resolved.rule;
    let money = |m: i64| format_money(m, policy.currency());
    let formula_limit = match smallest_base(rule, input, reasons, &money) {
        None if rule.limit.cap > 0 => {
            reasons.push(reason(
                "no_limit_base",
                "no revenue, equity or sales history: no limit until one is known".to_owned(),
                "无营业收入、权益或销售记录：暂无额度".to_owned(),
            ));
            0
        }
        None => 0,
        Some(raw) => {
            let capped = if raw > rule.limit.cap {
                reasons.push(reason(
                    "limit_cap",
                    format!("capped at {} for grade {}", money(rule.limit.cap), rule.grade),
                    format!("{}级额度上限{}", rule.grade, money(rule.limit.cap)),
                ));
                rule.limit.cap
            } else {
                raw
            };
            let scaled = scale_by_score(policy, input.score, resolved.limit_factor, capped, reasons);
            let round = policy.limit().round_down_to;
            scaled - scaled.rem_euclid(round)
        }
    };
    if rule.limit.cap > 0 || formula_limit > 0 {
        reasons.push(reason(
            "limit",
            format!(
                "formula limit {} (rounded down to {})",
                money(formula_limit),
                money(policy.limit().round_down_to)
            ),
            format!("公式额度{}（向下取整至{}）", money(formula_limit), money(policy.limit().round_down_to)),
        ));
    }
    formula_limit
}

/// The smallest of the rule's shares of the customer's known figures; `None` when no
/// figure is known.
fn smallest_base(
    rule: &GradeRule,
    input: &ProposalInput,
    reasons: &mut Vec<Reason>,
    money: &dyn Fn(i64) -> String,
) -> Option<i64> {
    let figures = |b| match b {
        LimitBase::Revenue => input.annual_revenue,
        LimitBase::Equity => input.equity,
        LimitBase::MonthlySales => input.monthly_sales,
    };
    let mut raw: Option<i64> = None;
    for term in &rule.limit.bases {
        let Some(value) = figures(term.base).filter(|&v| v > 0) else { continue };
        let x = times_ppm(value, ppm(term.share));
        reasons.push(reason(
            "limit_base",
            format!("{}% of {} {} = {}", pct_text(term.share), term.base.name_en(), money(value), money(x)),
            format!(
                "{}的{}%：{} × {}% = {}",
                term.base.name_zh(),
                pct_text(term.share),
                money(value),
                pct_text(term.share),
                money(x)
            ),
        ));
        raw = Some(raw.map_or(x, |r| r.min(x)));
    }
    raw
}

/// The capped limit times the score factor and the overrides' factor.
fn scale_by_score(
    policy: &CreditPolicy,
    score: Option<f64>,
    limit_factor: f64,
    capped: i64,
    reasons: &mut Vec<Reason>,
) -> i64 {
    let money = |m: i64| format_money(m, policy.currency());
    let factor = policy.limit().score_factor(score) * limit_factor;
    let scaled = times_ppm(capped, ppm(factor));
    let score_text = score.map_or("no score".to_owned(), |s| format!("score {s:.1}"));
    reasons.push(reason(
        "score_factor",
        format!(
            "× {} ({score_text}{}) = {}",
            trim_factor(factor),
            if limit_factor != 1.0 {
                format!(", override factor {}", trim_factor(limit_factor))
            } else {
                String::new()
            },
            money(scaled)
        ),
        format!(
            "× {}（{}{}）= {}",
            trim_factor(factor),
            score.map_or("无评分".to_owned(), |s| format!("评分{s:.1}")),
            if limit_factor != 1.0 {
                format!("，调整系数{}", trim_factor(limit_factor))
            } else {
                String::new()
            },
            money(scaled)
        ),
    ));
    scaled
}

/// The limit, term and collection method that apply, after refusal and the new-customer
/// rule.
struct Terms {
    limit: i64,
    term_days: u32,
    collection: CollectionMethod,
    /// Cash in advance as a new customer (not refused).
    new_customer: bool,
    /// Refused or new: no credit, so no mitigants.
    cash_in_advance: bool,
}

fn terms(
    policy: &CreditPolicy,
    input: &ProposalInput,
    rule: &GradeRule,
    formula_limit: i64,
    as_of: NaiveDate,
    reasons: &mut Vec<Reason>,
) -> Terms {
    let months = whole_months(input.relationship_start, as_of);
    let nc = &policy.new_customer();
    let new_customer = input.orders_so_far < nc.cash_in_advance_orders || months < nc.min_relationship_months;
    let refused = rule.admission == Admission::Refuse;
    let (limit, term_days, collection) = if refused {
        reasons.push(reason(
            "refused",
            format!("grade {} is refused: no credit, cash in advance", rule.grade),
            format!("{}级不予授信：款到发货", rule.grade),
        ));
        (0, 0, CollectionMethod::CashInAdvance)
    } else if new_customer {
        reasons.push(reason(
            "new_customer",
            format!(
                "new customer ({} of the first {} orders placed, relationship {months} months, {} needed): \
                 cash in advance; the formula limit applies afterwards",
                input.orders_so_far, nc.cash_in_advance_orders, nc.min_relationship_months
            ),
            format!(
                "新客户（已下单{}笔，前{}笔款到发货；合作{months}个月，需满{}个月）：款到发货，之后适用公式额度",
                input.orders_so_far, nc.cash_in_advance_orders, nc.min_relationship_months
            ),
        ));
        (0, 0, CollectionMethod::CashInAdvance)
    } else {
        (formula_limit, rule.term_days, rule.collection)
    };
    reasons.push(reason("term", format!("payment term {term_days} days"), format!("信用期限{term_days}天")));
    reasons.push(reason(
        "collection",
        format!("collection: {}", collection.name_en()),
        format!("收款方式：{}", collection.name_zh()),
    ));
    Terms {
        limit,
        term_days,
        collection,
        new_customer: new_customer && !refused,
        cash_in_advance: refused || new_customer,
    }
}

/// The limit request a proposal needs when it asks for more limit or a longer term than
/// the customer has; a reduction applies without one.
fn request_for(
    input: &ProposalInput,
    rule: &GradeRule,
    terms: &Terms,
    c: Currency,
    reasons: &mut Vec<Reason>,
) -> Option<LimitRequest> {
    let money = |m: i64| format_money(m, c);
    let (limit, term_days) = (terms.limit, terms.term_days);
    let more_limit = limit > input.current_limit;
    let longer_term = term_days > input.current_term_days;
    let request = (more_limit || longer_term).then(|| LimitRequest {
        customer_id: input.customer_id.clone(),
        grade: rule.grade.clone(),
        admission: rule.admission,
        currency: c,
        current_limit: input.current_limit,
        requested_limit: limit,
        temporary: None,
        current_term_days: input.current_term_days,
        requested_term_days: term_days,
    });
    if request.is_some() {
        let mut en = Vec::new();
        let mut zh = Vec::new();
        if more_limit {
            en.push(format!("limit above the current {}", money(input.current_limit)));
            zh.push(format!("额度高于现有{}", money(input.current_limit)));
        }
        if longer_term {
            en.push(format!("term longer than the current {} days", input.current_term_days));
            zh.push(format!("期限长于现有{}天", input.current_term_days));
        }
        reasons.push(reason(
            "request",
            format!("needs approval: {}", en.join(" and ")),
            format!("需审批：{}", zh.join("，")),
        ));
    } else if limit < input.current_limit || term_days < input.current_term_days {
        reasons.push(reason(
            "reduction",
            format!(
                "reduction from {} and {} days: applies without approval",
                money(input.current_limit),
                input.current_term_days
            ),
            format!("由{}、{}天下调：无需审批", money(input.current_limit), input.current_term_days),
        ));
    }
    request
}

fn trim_factor(f: f64) -> String {
    let text = format!("{f:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn admission_note_en(a: Admission) -> &'static str {
    match a {
        Admission::GreenChannel => "simplified approval",
        Admission::Admit => "credit on the policy's terms",
        Admission::ListManaged => "on the managed list, high-risk business restricted",
        Admission::Refuse => "no credit",
    }
}

fn admission_note_zh(a: Admission) -> &'static str {
    match a {
        Admission::GreenChannel => "简化审批",
        Admission::Admit => "按政策授信",
        Admission::ListManaged => "名单制管理，限制高风险业务",
        Admission::Refuse => "不予授信",
    }
}

fn proposed_mitigant(m: Mitigant, monthly_sales: Option<i64>, c: Currency) -> ProposedMitigant {
    let p = |x: f64| pct_text(x / 100.0);
    let (amount, en, zh) = match m {
        Mitigant::StagedPayment {
            advance_pct,
            on_acceptance_pct,
            after_delivery_pct,
            after_delivery_days,
        } => (
            None,
            format!(
                "staged payment: {}% in advance, {}% on acceptance, {}% {after_delivery_days} days after delivery",
                p(advance_pct),
                p(on_acceptance_pct),
                p(after_delivery_pct)
            ),
            format!(
                "分期付款：预付{}%，验收后{}%，交货后{after_delivery_days}天{}%",
                p(advance_pct),
                p(on_acceptance_pct),
                p(after_delivery_pct)
            ),
        ),
        Mitigant::Deposit { pct } => (
            None,
            format!("performance deposit of {}% of the contract", p(pct)),
            format!("合同金额{}%的履约保证金", p(pct)),
        ),
        Mitigant::Guarantee => (None, "third-party guarantee".to_owned(), "第三方担保".to_owned()),
        Mitigant::CreditInsurance => {
            (None, "credit insurance on the limit".to_owned(), "投保信用保险".to_owned())
        }
        Mitigant::RiskReserve { pct } => {
            let amount = monthly_sales.map(|s| times_ppm(s.max(0), ppm(pct / 100.0)));
            let of_en = amount.map_or(String::new(), |a| format!(": {}", format_money(a, c)));
            let of_zh = amount.map_or(String::new(), |a| format!("：{}", format_money(a, c)));
            (
                amount,
                format!("risk reserve of {}% of monthly sales{of_en}", p(pct)),
                format!("按月销售额{}%计提风险准备金{of_zh}", p(pct)),
            )
        }
    };
    ProposedMitigant { mitigant: m, amount, text_en: en, text_zh: zh }
}
