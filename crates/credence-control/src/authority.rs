//! Limit requests, their route through the authority matrix (CTRL-2), and the check of a
//! sequence of decisions against the route.
//!
//! A request asks for a limit (optionally with a temporary part until an expiry date) and
//! a payment term. Two parts of the matrix may apply:
//! - **term**: when the requested term is longer than the current one, the level whose
//!   `up_to_days` covers it (shipped: up to 90 days the sales manager, beyond it the CFO);
//! - **amount**: when the requested limit plus temporary part is above the current limit,
//!   the level whose `up_to` covers the amount (the new total, or the increase, by
//!   `amount_basis`). A green-channel grade's request up to `green_channel_up_to` needs only
//!   the green-channel role.
//!
//! With `chain = true` every level up to the needed one approves, lowest first; otherwise
//! only the needed level. A role needed by both parts approves once, with both reasons.
//! Steps are in the roles' order of authority, and decisions must follow them in order.

use chrono::{DateTime, NaiveDate, Utc};
use credence_domain::{Currency, CustomerId};
use serde::{Deserialize, Serialize};

use crate::labels::Admission;
use crate::money::format_money;
use crate::policy::{AmountBasis, AuthorityLevel, AuthorityMatrix, CreditPolicy, RoleRef};

/// A limit on top of the permanent one, valid until `expires` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryLimit {
    /// Minor units.
    pub amount: i64,
    pub expires: NaiveDate,
}

impl TemporaryLimit {
    /// Whether it counts on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        date <= self.expires
    }
}

/// A request for a limit and term above what the customer has (amounts in minor units of
/// `currency`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitRequest {
    pub customer_id: CustomerId,
    pub grade: String,
    pub admission: Admission,
    #[serde(with = "crate::money::currency")]
    pub currency: Currency,
    pub current_limit: i64,
    pub requested_limit: i64,
    pub temporary: Option<TemporaryLimit>,
    pub current_term_days: u32,
    pub requested_term_days: u32,
}

impl LimitRequest {
    /// The requested limit with its temporary part.
    pub fn requested_total(&self) -> i64 {
        self.requested_limit.saturating_add(self.temporary.map_or(0, |t| t.amount))
    }
}

/// One approval a request needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStep {
    pub role: String,
    pub role_en: String,
    pub role_zh: String,
    pub why_en: String,
    pub why_zh: String,
    /// Distinct members of the role who approve the step (a committee's quorum). Routes
    /// stored before committees had a quorum read as one.
    #[serde(default = "one")]
    pub quorum: u32,
}

fn one() -> u32 {
    1
}

/// Why a request cannot be routed or a temporary limit is not allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("the request is in {found}, the policy in {policy}")]
    Currency { found: String, policy: String },
    #[error("a temporary limit must expire after {granted}, found {expires}")]
    ExpiredTemporary { granted: NaiveDate, expires: NaiveDate },
    #[error("a temporary limit may run at most {max_days} days, found {days}")]
    TemporaryTooLong { days: i64, max_days: u32 },
    #[error("a temporary limit may be at most {max} minor units ({share} of the limit), found {amount}")]
    TemporaryTooLarge { amount: i64, max: i64, share: f64 },
}

/// The approvals a request needs, in order of authority; empty when it asks for nothing
/// above what the customer has.
pub fn route(policy: &CreditPolicy, request: &LimitRequest) -> Result<Vec<ApprovalStep>, RequestError> {
    if request.currency != policy.currency() {
        return Err(RequestError::Currency {
            found: request.currency.code().to_owned(),
            policy: policy.currency().code().to_owned(),
        });
    }
    let a = policy.authority();
    let mut parts = term_parts(a, request);
    parts.extend(amount_parts(a, request));
    let mut steps: Vec<(usize, ApprovalStep)> = Vec::new();
    for (role, en, zh) in parts {
        match steps.iter_mut().find(|(_, s)| s.role == role.id()) {
            Some((_, s)) => {
                s.why_en = format!("{}; {en}", s.why_en);
                s.why_zh = format!("{}；{zh}", s.why_zh);
            }
            None => {
                let r = a.role_of(role);
                steps.push((
                    role.rank(),
                    ApprovalStep {
                        role: role.id().to_owned(),
                        role_en: r.name_en.clone(),
                        role_zh: r.name_zh.clone(),
                        why_en: en,
                        why_zh: zh,
                        quorum: r.quorum.max(1),
                    },
                ));
            }
        }
    }
    steps.sort_by_key(|(rank, _)| *rank);
    Ok(steps.into_iter().map(|(_, s)| s).collect())
}

/// The approvals a longer payment term needs: (role, why_en, why_zh) by level.
fn term_parts<'a>(a: &'a AuthorityMatrix, request: &LimitRequest) -> Vec<(&'a RoleRef, String, String)> {
    let mut parts: Vec<(&RoleRef, String, String)> = Vec::new();
    let term = request.requested_term_days;
    if term > request.current_term_days {
        let k = level_for(&a.terms, i64::from(term));
        let target = &a.terms[k];
        let first = if a.chain { 0 } else { k };
        for (i, level) in a.terms.iter().enumerate().take(k + 1).skip(first) {
            let (en, zh) = if i == k {
                match target.up_to {
                    Some(b) => (
                        format!(
                            "payment term {term} days (from {}): terms up to {b} days",
                            request.current_term_days
                        ),
                        format!("信用期限{term}天（原{}天）：{b}天以内", request.current_term_days),
                    ),
                    None => {
                        let below = k.checked_sub(1).and_then(|j| a.terms[j].up_to).unwrap_or(0);
                        (
                            format!(
                                "payment term {term} days (from {}): beyond {below} days",
                                request.current_term_days
                            ),
                            format!("信用期限{term}天（原{}天）：超过{below}天", request.current_term_days),
                        )
                    }
                }
            } else {
                (format!("payment term {term} days: first review"), format!("信用期限{term}天：初审"))
            };
            parts.push((&level.role, en, zh));
        }
    }
    parts
}

/// The approvals a higher limit needs: (role, why_en, why_zh) by level, or the green
/// channel's.
fn amount_parts<'a>(a: &'a AuthorityMatrix, request: &LimitRequest) -> Vec<(&'a RoleRef, String, String)> {
    let mut parts: Vec<(&RoleRef, String, String)> = Vec::new();
    let total = request.requested_total();
    if total > request.current_limit {
        let amount = match a.amount_basis {
            AmountBasis::NewLimit => total,
            AmountBasis::Increase => total - request.current_limit,
        };
        let c = request.currency;
        let what_en = match a.amount_basis {
            AmountBasis::NewLimit => format!("limit {}", format_money(total, c)),
            AmountBasis::Increase => format!("limit increase {}", format_money(amount, c)),
        };
        let what_zh = match a.amount_basis {
            AmountBasis::NewLimit => format!("额度{}", format_money(total, c)),
            AmountBasis::Increase => format!("额度增加{}", format_money(amount, c)),
        };
        let from_en = format!("{what_en} (from {})", format_money(request.current_limit, c));
        let from_zh = format!("{what_zh}（原{}）", format_money(request.current_limit, c));
        let green = a
            .green_channel_role
            .as_ref()
            .filter(|_| request.admission == Admission::GreenChannel && amount <= a.green_channel_up_to);
        if let Some(role) = green {
            parts.push((
                role,
                format!("{from_en}: green channel up to {}", format_money(a.green_channel_up_to, c)),
                format!("{from_zh}：绿色通道，{}以内", format_money(a.green_channel_up_to, c)),
            ));
        } else {
            let k = level_for(&a.amounts, amount);
            let first = if a.chain { 0 } else { k };
            for (i, level) in a.amounts.iter().enumerate().take(k + 1).skip(first) {
                let (en, zh) = if i < k {
                    (format!("{what_en}: first review"), format!("{what_zh}：初审"))
                } else {
                    match level.up_to {
                        Some(b) => (
                            format!("{from_en}: up to {}", format_money(b, c)),
                            format!("{from_zh}：{}以内", format_money(b, c)),
                        ),
                        None => {
                            let below = k.checked_sub(1).and_then(|j| a.amounts[j].up_to).unwrap_or(0);
                            (
                                format!("{from_en}: above {}", format_money(below, c)),
                                format!("{from_zh}：超过{}", format_money(below, c)),
                            )
                        }
                    }
                };
                parts.push((&level.role, en, zh));
            }
        }
    }
    parts
}

/// The first level whose bound covers `x` (the last is unbounded).
fn level_for(levels: &[AuthorityLevel], x: i64) -> usize {
    levels.iter().position(|l| l.up_to.is_none_or(|b| x <= b)).unwrap_or(levels.len() - 1)
}

/// Checks a temporary limit granted on `granted` on top of `permanent_limit` against the
/// policy's bounds.
pub fn check_temporary_limit(
    policy: &CreditPolicy,
    permanent_limit: i64,
    temporary: &TemporaryLimit,
    granted: NaiveDate,
) -> Result<(), RequestError> {
    let rule = &policy.temporary_limits();
    if temporary.expires <= granted {
        return Err(RequestError::ExpiredTemporary { granted, expires: temporary.expires });
    }
    let days = (temporary.expires - granted).num_days();
    if days > i64::from(rule.max_days) {
        return Err(RequestError::TemporaryTooLong { days, max_days: rule.max_days });
    }
    let max = (i128::from(permanent_limit.max(0)) * i128::from(crate::proposal::ppm(rule.max_share_of_limit))
        / 1_000_000) as i64;
    if temporary.amount > max {
        return Err(RequestError::TemporaryTooLarge {
            amount: temporary.amount,
            max,
            share: rule.max_share_of_limit,
        });
    }
    Ok(())
}

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
}

/// One approver's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// The user who decided.
    pub by: String,
    /// The role they decided in.
    pub role: String,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// Where a request stands after its decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequestStatus {
    /// The route is empty: nothing above what the customer has was asked for.
    NotNeeded,
    /// Waiting for the step at `step` (0-based) and its role, which has `approvals` of the
    /// `quorum` approvals it needs.
    Pending {
        step: usize,
        role: String,
        approvals: u32,
        quorum: u32,
    },
    Approved {
        at: DateTime<Utc>,
    },
    Rejected {
        step: usize,
        by: String,
        at: DateTime<Utc>,
    },
}

/// Why a sequence of decisions does not fit its route. `index` is the 0-based position of
/// the offending decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("decision {index}: the request is already {status}")]
    AlreadyDecided { index: usize, status: &'static str },
    #[error("decision {index}: role `{found}` is not on the route (next is `{expected}`)")]
    WrongRole { index: usize, expected: String, found: String },
    #[error("decision {index}: `{found}` decides after `{expected}`, whose decision is missing")]
    OutOfOrder { index: usize, expected: String, found: String },
    #[error(
        "decision {index}: {by} already signed this request; each step, and each committee member's approval, needs another person"
    )]
    SameApprover { index: usize, by: String },
    #[error("decision {index}: dated before the previous decision")]
    NotChronological { index: usize },
    #[error("decision {index}: a rejection needs a comment")]
    RejectionWithoutComment { index: usize },
}

/// Checks `decisions` against `route` in order and says where the request stands. An empty
/// route needs no decision; any decision on it is an error. A step passes once `quorum`
/// distinct people approved it; one rejection at any step rejects the request. Nobody
/// signs a request twice, so no one approves two steps or counts twice in a quorum.
pub fn review(route: &[ApprovalStep], decisions: &[Decision]) -> Result<RequestStatus, DecisionError> {
    let pending = |step: usize, approvals: u32| RequestStatus::Pending {
        step,
        role: route[step].role.clone(),
        approvals,
        quorum: route[step].quorum.max(1),
    };
    let mut status = if route.is_empty() { RequestStatus::NotNeeded } else { pending(0, 0) };
    for (index, d) in decisions.iter().enumerate() {
        let (step, approvals) = match &status {
            RequestStatus::Pending { step, approvals, .. } => (*step, *approvals),
            RequestStatus::Approved { .. } => {
                return Err(DecisionError::AlreadyDecided { index, status: "approved" });
            }
            RequestStatus::NotNeeded => {
                return Err(DecisionError::AlreadyDecided { index, status: "not in need of approval" });
            }
            RequestStatus::Rejected { .. } => {
                return Err(DecisionError::AlreadyDecided { index, status: "rejected" });
            }
        };
        let expected = &route[step].role;
        if &d.role != expected {
            return Err(if route[step..].iter().any(|s| s.role == d.role) {
                DecisionError::OutOfOrder { index, expected: expected.clone(), found: d.role.clone() }
            } else {
                DecisionError::WrongRole { index, expected: expected.clone(), found: d.role.clone() }
            });
        }
        if decisions[..index].iter().any(|e| e.by == d.by) {
            return Err(DecisionError::SameApprover { index, by: d.by.clone() });
        }
        if index > 0 && d.at < decisions[index - 1].at {
            return Err(DecisionError::NotChronological { index });
        }
        status = match d.outcome {
            Outcome::Rejected if d.comment.trim().is_empty() => {
                return Err(DecisionError::RejectionWithoutComment { index });
            }
            Outcome::Rejected => RequestStatus::Rejected { step, by: d.by.clone(), at: d.at },
            Outcome::Approved if approvals + 1 < route[step].quorum.max(1) => pending(step, approvals + 1),
            Outcome::Approved if step + 1 == route.len() => RequestStatus::Approved { at: d.at },
            Outcome::Approved => pending(step + 1, 0),
        };
    }
    Ok(status)
}

/// A documented credit decision: the request, its route, the decisions and the outcome,
/// with the policy version, as stored for audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditDecision {
    pub policy_version: String,
    pub request: LimitRequest,
    pub route: Vec<ApprovalStep>,
    pub decisions: Vec<Decision>,
    pub status: RequestStatus,
}
