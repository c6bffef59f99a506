//! The policy file as written: TOML read into plain structs that keep each value's
//! position, then checked into a [`CreditPolicy`], every problem with its key.

use credence_domain::{Currency, CustomerType, Industry};
use serde::Deserialize;
use toml::Spanned;

use crate::book::GradeCode;
use crate::file::{Problems, is_version_name};
use crate::labels::{Admission, CollectionMethod};
use crate::money::minor_of_major;
use crate::policy::{
    AmountBasis, AuthorityLevel, AuthorityMatrix, CheckRule, CreditPolicy, GradeRule, GradeScale, LimitBase,
    LimitFormula, LimitSettings, LimitTerm, Mitigant, NewCustomerRule, Override, PolicyParts, Role, RoleRef,
    TemporaryLimitRule,
};

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    version: S<String>,
    name_zh: String,
    name_en: String,
    currency: S<String>,
    scale: GradeScale,
    limit: RawLimitSettings,
    new_customer: RawNewCustomer,
    unrated: RawUnrated,
    temporary_limits: RawTemporary,
    check: RawCheck,
    roles: Vec<RawRole>,
    authority: RawAuthority,
    grades: Vec<RawGrade>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimitSettings {
    round_down_to: S<i64>,
    score_low: S<f64>,
    factor_at_low: S<f64>,
    score_high: S<f64>,
    factor_at_high: S<f64>,
    loss_given_default: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewCustomer {
    cash_in_advance_orders: S<i64>,
    min_relationship_months: S<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnrated {
    treat_as: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemporary {
    max_share_of_limit: S<f64>,
    max_days: S<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    max_oldest_overdue_days: S<i64>,
    max_overdue_share_pct: S<f64>,
    list_managed_max_order_share: S<f64>,
    escalate_red_to: S<String>,
    escalate_refused_to: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRole {
    id: S<String>,
    name_zh: String,
    name_en: String,
    /// Distinct members who must approve the role's step (a committee); 1 when absent.
    quorum: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthority {
    terms: Vec<RawTermLevel>,
    amounts: Vec<RawAmountLevel>,
    amount_basis: AmountBasis,
    chain: bool,
    #[serde(default)]
    green_channel_role: Option<S<String>>,
    #[serde(default)]
    green_channel_up_to: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTermLevel {
    #[serde(default)]
    up_to_days: Option<S<i64>>,
    role: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmountLevel {
    #[serde(default)]
    up_to: Option<S<i64>>,
    role: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    cap: S<i64>,
    bases: Vec<RawBase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBase {
    base: LimitBase,
    share: S<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MitigantKind {
    StagedPayment,
    Deposit,
    Guarantee,
    CreditInsurance,
    RiskReserve,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMitigant {
    kind: S<MitigantKind>,
    #[serde(default)]
    pct: Option<S<f64>>,
    #[serde(default)]
    advance_pct: Option<S<f64>>,
    #[serde(default)]
    on_acceptance_pct: Option<S<f64>>,
    #[serde(default)]
    after_delivery_pct: Option<S<f64>>,
    #[serde(default)]
    after_delivery_days: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    grade: S<String>,
    admission: Admission,
    term_days: S<i64>,
    collection: CollectionMethod,
    limit: RawLimit,
    #[serde(default)]
    mitigants: Vec<RawMitigant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(default)]
    customer_type: Option<CustomerType>,
    #[serde(default)]
    industry: Option<Industry>,
    #[serde(default)]
    grades: Vec<S<String>>,
    #[serde(default)]
    admission: Option<Admission>,
    #[serde(default)]
    term_days: Option<S<i64>>,
    #[serde(default)]
    collection: Option<CollectionMethod>,
    #[serde(default)]
    limit: Option<RawLimit>,
    #[serde(default)]
    limit_factor: Option<S<f64>>,
    #[serde(default)]
    mitigants: Option<Vec<RawMitigant>>,
    reason_zh: String,
    reason_en: String,
}

/// Checks a raw policy; `None` when a problem leaves no usable value (the problems say why).
pub(crate) fn check_policy(raw: RawPolicy, p: &mut Problems) -> Option<CreditPolicy> {
    if !is_version_name(raw.version.get_ref()) {
        p.at(
            raw.version.span().start,
            "version",
            format!("`{}` is not named like 2026-Q4-V1.0", raw.version.get_ref()),
        );
    }
    let currency = match Currency::parse(raw.currency.get_ref()) {
        Ok(c) => c,
        Err(e) => {
            p.at(raw.currency.span().start, "currency", e.to_string());
            Currency::CNY
        }
    };
    let limit = check_limit_settings(&raw.limit, currency, p);
    let roles = check_roles(&raw.roles, p);
    let role_ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let grades: Vec<GradeRule> =
        raw.grades.iter().enumerate().map(|(i, g)| check_grade(g, i, currency, p)).collect();
    if grades.is_empty() {
        p.at(0, "grades", "the policy has no grades");
    }
    for (i, g) in raw.grades.iter().enumerate() {
        if raw.grades[..i].iter().any(|h| h.grade.get_ref() == g.grade.get_ref()) {
            p.at(
                g.grade.span().start,
                format!("grades[{i}].grade"),
                format!("grade `{}` appears twice", g.grade.get_ref()),
            );
        }
    }
    let grade_ids: Vec<&str> = grades.iter().map(|g| g.grade.as_str()).collect();
    let unrated = &raw.unrated.treat_as;
    known(unrated, &grade_ids, "unrated.treat_as", "grade", p);
    let n = &raw.new_customer;
    let new_customer = NewCustomerRule {
        cash_in_advance_orders: count(
            &n.cash_in_advance_orders,
            "new_customer.cash_in_advance_orders",
            100,
            p,
        ),
        min_relationship_months: count(
            &n.min_relationship_months,
            "new_customer.min_relationship_months",
            120,
            p,
        ),
    };
    let t = &raw.temporary_limits;
    let temporary_limits = TemporaryLimitRule {
        max_share_of_limit: share(&t.max_share_of_limit, "temporary_limits.max_share_of_limit", 10.0, p),
        max_days: count(&t.max_days, "temporary_limits.max_days", 3660, p),
    };
    let c = &raw.check;
    let escalate_red_to = role_ref(&c.escalate_red_to, &role_ids, "check.escalate_red_to", p);
    let escalate_refused_to = role_ref(&c.escalate_refused_to, &role_ids, "check.escalate_refused_to", p);
    let pct = *c.max_overdue_share_pct.get_ref();
    if !(pct.is_finite() && (0.0..=100.0).contains(&pct)) {
        p.at(
            c.max_overdue_share_pct.span().start,
            "check.max_overdue_share_pct",
            format!("must be 0–100, found {pct}"),
        );
    }
    let check = CheckRule {
        max_oldest_overdue_days: count(&c.max_oldest_overdue_days, "check.max_oldest_overdue_days", 3660, p),
        max_overdue_share_pct: pct,
        list_managed_max_order_share: share(
            &c.list_managed_max_order_share,
            "check.list_managed_max_order_share",
            1.0,
            p,
        ),
        escalate_red_to,
        escalate_refused_to,
    };
    let authority = check_authority(&raw.authority, roles, currency, p);
    let overrides = raw
        .overrides
        .iter()
        .enumerate()
        .map(|(i, o)| check_override(o, i, currency, &grade_ids, p))
        .collect();
    CreditPolicy::new(PolicyParts {
        version: raw.version.into_inner(),
        name_zh: raw.name_zh,
        name_en: raw.name_en,
        currency,
        scale: raw.scale,
        limit: limit?,
        new_customer,
        unrated_grade: unrated.get_ref().clone(),
        temporary_limits,
        check,
        authority,
        grades,
        overrides,
    })
}

/// A checked reference to a role; an unknown one is reported (and the policy refused).
fn role_ref(value: &S<String>, ids: &[&str], key: &str, p: &mut Problems) -> RoleRef {
    known(value, ids, key, "role", p);
    RoleRef::new(value.get_ref().clone(), rank_of(ids, value))
}

fn known(value: &S<String>, ids: &[&str], key: &str, what: &str, p: &mut Problems) {
    if !ids.contains(&value.get_ref().as_str()) {
        p.at(
            value.span().start,
            key,
            format!("unknown {what} `{}`; known: {}", value.get_ref(), ids.join(", ")),
        );
    }
}

/// A whole number from 0 to `max`.
fn count(v: &S<i64>, key: &str, max: i64, p: &mut Problems) -> u32 {
    let x = *v.get_ref();
    if !(0..=max).contains(&x) {
        p.at(v.span().start, key, format!("must be 0–{max}, found {x}"));
        return 0;
    }
    x as u32
}

/// A finite number above 0 and at most `max`.
fn share(v: &S<f64>, key: &str, max: f64, p: &mut Problems) -> f64 {
    let x = *v.get_ref();
    if !(x.is_finite() && x > 0.0 && x <= max) {
        p.at(v.span().start, key, format!("must be above 0 and at most {max}, found {x}"));
    }
    x
}

/// A whole amount in major units, 0 or more, as minor units.
fn amount(v: &S<i64>, key: &str, currency: Currency, p: &mut Problems) -> i64 {
    let x = *v.get_ref();
    match minor_of_major(x, currency).filter(|_| x >= 0) {
        Some(m) => m,
        None => {
            p.at(v.span().start, key, format!("must be a whole amount of {currency} from 0, found {x}"));
            0
        }
    }
}

fn check_limit_settings(l: &RawLimitSettings, currency: Currency, p: &mut Problems) -> Option<LimitSettings> {
    let round = amount(&l.round_down_to, "limit.round_down_to", currency, p);
    if round == 0 && *l.round_down_to.get_ref() == 0 {
        p.at(l.round_down_to.span().start, "limit.round_down_to", "must be at least 1");
    }
    let score = |v: &S<f64>, key: &str, p: &mut Problems| {
        let x = *v.get_ref();
        if !(x.is_finite() && (0.0..=100.0).contains(&x)) {
            p.at(v.span().start, key, format!("must be a score 0–100, found {x}"));
        }
        x
    };
    let score_low = score(&l.score_low, "limit.score_low", p);
    let score_high = score(&l.score_high, "limit.score_high", p);
    if score_high <= score_low {
        p.at(
            l.score_high.span().start,
            "limit.score_high",
            format!("must be above score_low ({score_low}), found {score_high}"),
        );
    }
    let factor_at_low = share(&l.factor_at_low, "limit.factor_at_low", 1.0, p);
    let factor_at_high = share(&l.factor_at_high, "limit.factor_at_high", 1.0, p);
    let loss_given_default = share(&l.loss_given_default, "limit.loss_given_default", 1.0, p);
    Some(LimitSettings {
        round_down_to: round.max(1),
        score_low,
        factor_at_low,
        score_high,
        factor_at_high,
        loss_given_default,
    })
}

pub(crate) fn check_roles(raw: &[RawRole], p: &mut Problems) -> Vec<Role> {
    if raw.is_empty() {
        p.at(0, "roles", "the policy has no roles");
    }
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.id.get_ref();
            let ok = !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                p.at(
                    r.id.span().start,
                    format!("roles[{i}].id"),
                    format!("`{id}` is not a lower-case identifier"),
                );
            }
            if raw[..i].iter().any(|s| s.id.get_ref() == id) {
                p.at(r.id.span().start, format!("roles[{i}].id"), format!("role `{id}` appears twice"));
            }
            let quorum = match &r.quorum {
                None => 1,
                Some(q) if (1..=50).contains(q.get_ref()) => *q.get_ref() as u32,
                Some(q) => {
                    p.at(
                        q.span().start,
                        format!("roles[{i}].quorum"),
                        format!("must be 1–50, found {}", q.get_ref()),
                    );
                    1
                }
            };
            Role { id: id.clone(), name_zh: r.name_zh.clone(), name_en: r.name_en.clone(), quorum }
        })
        .collect()
}

/// Levels ascend strictly and only the last is unbounded.
fn check_levels(
    levels: &[(Option<&S<i64>>, &S<String>)],
    key: &str,
    bound: &str,
    roles: &[&str],
    p: &mut Problems,
) {
    if levels.is_empty() {
        p.at(0, format!("authority.{key}"), "needs at least one level");
    }
    let mut prev: Option<i64> = None;
    for (i, (up_to, role)) in levels.iter().enumerate() {
        known(role, roles, &format!("authority.{key}[{i}].role"), "role", p);
        let last = i + 1 == levels.len();
        match (up_to, last) {
            (Some(v), true) => p.at(
                v.span().start,
                format!("authority.{key}[{i}].{bound}"),
                "the last level must have no bound: it takes everything above the others",
            ),
            (None, false) => p.at(
                role.span().start,
                format!("authority.{key}[{i}]"),
                format!("only the last level may leave out `{bound}`"),
            ),
            (Some(v), false) => {
                let x = *v.get_ref();
                if x < 0 || prev.is_some_and(|q| x <= q) {
                    p.at(
                        v.span().start,
                        format!("authority.{key}[{i}].{bound}"),
                        format!("levels must ascend from 0, found {x} after {}", prev.unwrap_or(0)),
                    );
                }
                prev = Some(x);
            }
            (None, true) => {}
        }
    }
}

fn check_authority(
    a: &RawAuthority,
    roles: Vec<Role>,
    currency: Currency,
    p: &mut Problems,
) -> AuthorityMatrix {
    let ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let terms: Vec<_> = a.terms.iter().map(|l| (l.up_to_days.as_ref(), &l.role)).collect();
    check_levels(&terms, "terms", "up_to_days", &ids, p);
    let amounts: Vec<_> = a.amounts.iter().map(|l| (l.up_to.as_ref(), &l.role)).collect();
    check_levels(&amounts, "amounts", "up_to", &ids, p);
    let green_role =
        a.green_channel_role.as_ref().map(|r| role_ref(r, &ids, "authority.green_channel_role", p));
    let green_up_to = match (&a.green_channel_role, &a.green_channel_up_to) {
        (Some(_), Some(v)) => amount(v, "authority.green_channel_up_to", currency, p),
        (Some(r), None) => {
            p.at(r.span().start, "authority.green_channel_role", "needs `green_channel_up_to` beside it");
            0
        }
        (None, Some(v)) => {
            p.at(v.span().start, "authority.green_channel_up_to", "needs `green_channel_role` beside it");
            0
        }
        (None, None) => 0,
    };
    let terms = a
        .terms
        .iter()
        .map(|l| AuthorityLevel {
            up_to: l.up_to_days.as_ref().map(|v| *v.get_ref()),
            role: RoleRef::new(l.role.get_ref().clone(), rank_of(&ids, &l.role)),
        })
        .collect();
    let amounts = a
        .amounts
        .iter()
        .enumerate()
        .map(|(i, l)| AuthorityLevel {
            up_to: l.up_to.as_ref().map(|v| amount(v, &format!("authority.amounts[{i}].up_to"), currency, p)),
            role: RoleRef::new(l.role.get_ref().clone(), rank_of(&ids, &l.role)),
        })
        .collect();
    AuthorityMatrix {
        roles,
        terms,
        amounts,
        amount_basis: a.amount_basis,
        chain: a.chain,
        green_channel_role: green_role,
        green_channel_up_to: green_up_to,
    }
}

/// The rank of a role checked by [`check_levels`] (0 for an unknown one, which is reported).
fn rank_of(ids: &[&str], role: &S<String>) -> usize {
    ids.iter().position(|id| id == role.get_ref()).unwrap_or(0)
}

fn check_formula(l: &RawLimit, key: &str, currency: Currency, p: &mut Problems) -> LimitFormula {
    let cap = amount(&l.cap, &format!("{key}.cap"), currency, p);
    let bases = l
        .bases
        .iter()
        .enumerate()
        .map(|(i, b)| {
            // Shares of revenue and equity are fractions; monthly sales may be several months.
            let max = if b.base == LimitBase::MonthlySales { 24.0 } else { 1.0 };
            let share = share(&b.share, &format!("{key}.bases[{i}].share"), max, p);
            if l.bases[..i].iter().any(|c| c.base == b.base) {
                p.at(b.share.span().start, format!("{key}.bases[{i}].base"), "each base may appear once");
            }
            LimitTerm { base: b.base, share }
        })
        .collect::<Vec<_>>();
    if bases.is_empty() && cap > 0 {
        p.at(l.cap.span().start, format!("{key}.bases"), "a positive cap needs at least one base");
    }
    LimitFormula { bases, cap }
}

fn check_mitigants(raw: &[RawMitigant], key: &str, p: &mut Problems) -> Vec<Mitigant> {
    raw.iter()
        .enumerate()
        .map(|(i, m)| {
            let key = format!("{key}[{i}]");
            let kind = *m.kind.get_ref();
            let pct = |v: &Option<S<f64>>, name: &str, p: &mut Problems| -> f64 {
                match v {
                    Some(v) => {
                        let x = *v.get_ref();
                        if !(x.is_finite() && (0.0..=100.0).contains(&x)) {
                            p.at(
                                v.span().start,
                                format!("{key}.{name}"),
                                format!("must be 0–100, found {x}"),
                            );
                        }
                        x
                    }
                    None => {
                        p.at(
                            m.kind.span().start,
                            format!("{key}.{name}"),
                            format!("`{name}` is required here"),
                        );
                        0.0
                    }
                }
            };
            let extra: &[(&str, bool)] = &[
                ("pct", m.pct.is_some()),
                ("advance_pct", m.advance_pct.is_some()),
                ("on_acceptance_pct", m.on_acceptance_pct.is_some()),
                ("after_delivery_pct", m.after_delivery_pct.is_some()),
                ("after_delivery_days", m.after_delivery_days.is_some()),
            ];
            let allowed: &[&str] = match kind {
                MitigantKind::StagedPayment => {
                    &["advance_pct", "on_acceptance_pct", "after_delivery_pct", "after_delivery_days"]
                }
                MitigantKind::Deposit | MitigantKind::RiskReserve => &["pct"],
                MitigantKind::Guarantee | MitigantKind::CreditInsurance => &[],
            };
            for (name, given) in extra {
                if *given && !allowed.contains(name) {
                    p.at(
                        m.kind.span().start,
                        format!("{key}.{name}"),
                        format!("`{name}` does not apply to this kind"),
                    );
                }
            }
            match kind {
                MitigantKind::StagedPayment => {
                    let a = pct(&m.advance_pct, "advance_pct", p);
                    let b = pct(&m.on_acceptance_pct, "on_acceptance_pct", p);
                    let c = pct(&m.after_delivery_pct, "after_delivery_pct", p);
                    if (a + b + c - 100.0).abs() > 1e-9 {
                        p.at(
                            m.kind.span().start,
                            key.clone(),
                            format!("the parts must sum to 100, found {}", a + b + c),
                        );
                    }
                    let days = match &m.after_delivery_days {
                        Some(d) => count(d, &format!("{key}.after_delivery_days"), 3660, p),
                        None => {
                            p.at(
                                m.kind.span().start,
                                format!("{key}.after_delivery_days"),
                                "is required here",
                            );
                            0
                        }
                    };
                    Mitigant::StagedPayment {
                        advance_pct: a,
                        on_acceptance_pct: b,
                        after_delivery_pct: c,
                        after_delivery_days: days,
                    }
                }
                MitigantKind::Deposit => Mitigant::Deposit { pct: pct(&m.pct, "pct", p) },
                MitigantKind::RiskReserve => Mitigant::RiskReserve { pct: pct(&m.pct, "pct", p) },
                MitigantKind::Guarantee => Mitigant::Guarantee,
                MitigantKind::CreditInsurance => Mitigant::CreditInsurance,
            }
        })
        .collect()
}

fn check_grade(g: &RawGrade, i: usize, currency: Currency, p: &mut Problems) -> GradeRule {
    let code = g.grade.get_ref();
    let inline = GradeCode::new(code);
    if code.is_empty() || inline.is_none() || code.chars().any(char::is_whitespace) {
        p.at(
            g.grade.span().start,
            format!("grades[{i}].grade"),
            format!("`{code}` is not a grade code (1–8 characters)"),
        );
    }
    GradeRule {
        grade: code.clone(),
        code: inline.unwrap_or_default(),
        admission: g.admission,
        term_days: count(&g.term_days, &format!("grades[{i}].term_days"), 3660, p),
        collection: g.collection,
        limit: check_formula(&g.limit, &format!("grades[{i}].limit"), currency, p),
        mitigants: check_mitigants(&g.mitigants, &format!("grades[{i}].mitigants"), p),
    }
}

fn check_override(
    o: &RawOverride,
    i: usize,
    currency: Currency,
    grades: &[&str],
    p: &mut Problems,
) -> Override {
    let key = format!("overrides[{i}]");
    for (j, g) in o.grades.iter().enumerate() {
        known(g, grades, &format!("{key}.grades[{j}]"), "grade", p);
    }
    Override {
        customer_type: o.customer_type,
        industry: o.industry,
        grades: o.grades.iter().map(|g| g.get_ref().clone()).collect(),
        admission: o.admission,
        term_days: o.term_days.as_ref().map(|t| count(t, &format!("{key}.term_days"), 3660, p)),
        collection: o.collection,
        limit: o.limit.as_ref().map(|l| check_formula(l, &format!("{key}.limit"), currency, p)),
        limit_factor: o.limit_factor.as_ref().map(|f| share(f, &format!("{key}.limit_factor"), 10.0, p)),
        mitigants: o.mitigants.as_ref().map(|m| check_mitigants(m, &format!("{key}.mitigants"), p)),
        reason_zh: o.reason_zh.clone(),
        reason_en: o.reason_en.clone(),
    }
}
