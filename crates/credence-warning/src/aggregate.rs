//! Peer rules: alerts about a whole industry or region, raised when several of its firms
//! deteriorate on the same indicator in the same quarter (CTRL-5: "3 or more leading firms
//! of one industry deteriorate on the same financial indicator → industry risk
//! monitoring"; regional shocks).
//!
//! A peer rule (`[[aggregate]]` in the pack) declares
//!
//! * `group_by`: `industry` (GB/T 4754 section), `sub_industry` or `region`;
//! * `signals`: what deteriorating means, one condition per indicator in the rule
//!   language (`worsening(current_ratio, 1q) > 10%`), evaluated with each customer's
//!   rules, so a customer's [`PeerSummary`] lists the signals that hold for it;
//! * `leading` (optional): which firms of a group count — the `top_by_revenue` firms by
//!   revenue over the last twelve months, and/or those whose monitoring tier is in
//!   `tiers`; without it every firm counts;
//! * `min_count` (and optionally `min_share` of the counted firms): how many counted
//!   firms must show the same signal;
//! * `level`: what the alert contributes to the level of every customer of the group,
//!   which is put under watch.
//!
//! [`evaluate_peers`] takes every customer's summary, after the portfolio has been
//! evaluated, and returns the alerts in pack order, then by group, then by signal.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use credence_domain::{CustomerId, MonitoringTier, PeriodType};
use credence_indicators::{CustomerFile, statement_item};
use serde::Serialize;

use crate::evidence::Language;
use crate::level::RuleLevel;

/// What a peer rule groups customers by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Industry,
    SubIndustry,
    Region,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::Industry, GroupBy::SubIndustry, GroupBy::Region];

    pub fn code(self) -> &'static str {
        match self {
            GroupBy::Industry => "industry",
            GroupBy::SubIndustry => "sub_industry",
            GroupBy::Region => "region",
        }
    }

    fn key<'s>(self, industry: &'s str, sub_industry: Option<&'s str>, region: &'s str) -> Option<&'s str> {
        match self {
            GroupBy::Industry => Some(industry),
            GroupBy::SubIndustry => sub_industry,
            GroupBy::Region => Some(region),
        }
    }
}

/// Which firms of a group count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leading {
    /// The largest firms by revenue over the last twelve months.
    pub top_by_revenue: Option<u32>,
    /// Firms of these monitoring tiers.
    pub tiers: Vec<MonitoringTier>,
}

/// One deterioration signal of a peer rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerSignal {
    /// What "the same indicator" means: usually the indicator id.
    pub id: String,
    /// The condition, in the rule language.
    pub when: String,
}

/// A peer rule of the pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateRule {
    pub code: String,
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    pub group_by: GroupBy,
    pub leading: Option<Leading>,
    pub signals: Vec<PeerSignal>,
    pub min_count: u32,
    /// Share (0–1) of the counted firms that must show the signal, besides `min_count`.
    pub min_share: Option<f64>,
    pub level: RuleLevel,
    pub action_zh: String,
    pub action_en: String,
    pub source: String,
}

/// A signal that holds for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalHit {
    /// The peer rule's code.
    pub rule: String,
    /// The signal's id.
    pub signal: String,
}

/// What peer rules need of one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerSummary {
    pub customer_id: CustomerId,
    pub industry: String,
    pub sub_industry: Option<String>,
    pub region: String,
    pub tier: Option<MonitoringTier>,
    /// Revenue over the last twelve months (see [`revenue_ttm`]); `None` when not known
    /// or when the pack has no peer rule.
    pub revenue_ttm: Option<f64>,
    pub deteriorations: Vec<SignalHit>,
}

/// An alert about a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerAlert {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: RuleLevel,
    pub group_by: GroupBy,
    /// The industry section, sub-industry or region.
    pub group: String,
    pub signal: String,
    /// The counted firms that show the signal, by customer id.
    pub firms: Vec<CustomerId>,
    /// Firms counted (leading firms) in the group.
    pub counted: usize,
    /// Customers in the group, all of which the alert covers.
    pub members: usize,
    pub action_zh: String,
    pub action_en: String,
}

/// Firms a peer alert's sentence names before it says how many more there are.
const SENTENCE_FIRMS: usize = 10;

impl PeerAlert {
    /// Whether the alert covers a customer of this industry, sub-industry and region.
    pub fn covers(&self, industry: &str, sub_industry: Option<&str>, region: &str) -> bool {
        self.group_by.key(industry, sub_industry, region) == Some(self.group.as_str())
    }

    pub fn sentence(&self, lang: Language) -> String {
        // A sentence names the first firms; the evidence keeps them all.
        let shown = self.firms.len().min(SENTENCE_FIRMS);
        let mut firms = self.firms[..shown].join(", ");
        if self.firms.len() > shown {
            let more = self.firms.len() - shown;
            firms += &match lang {
                Language::En => format!(" and {more} more"),
                Language::Zh => format!("等，另有{more}家"),
            };
        }
        match lang {
            Language::En => format!(
                "{} {}: {} of the {} counted firms of {} {} deteriorated on {} ({firms}); all {} customers of the group are under watch.",
                self.code,
                self.name_en,
                self.firms.len(),
                self.counted,
                self.group_by.code().replace('_', "-"),
                self.group,
                self.signal,
                self.members
            ),
            Language::Zh => {
                let what = match self.group_by {
                    GroupBy::Industry => "行业",
                    GroupBy::SubIndustry => "细分行业",
                    GroupBy::Region => "地区",
                };
                format!(
                    "{} {}：{what}{}的{}家计入企业中有{}家{}恶化（{firms}）；该组{}家客户全部纳入关注。",
                    self.code,
                    self.name_zh,
                    self.group,
                    self.counted,
                    self.firms.len(),
                    self.signal,
                    self.members
                )
            }
        }
    }
}

/// Revenue over the twelve months to the latest statement on or before `as_of`: the four
/// quarterly statements ending then, else the annual statement ending then; `None`
/// without either.
pub fn revenue_ttm(file: &CustomerFile, as_of: NaiveDate) -> Option<f64> {
    let item = statement_item("revenue")?;
    let latest = file.statements.iter().rev().find(|s| s.period_end <= as_of)?;
    let month = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let end = month(latest.period_end);
    let value = |ptype: PeriodType, m: i32| {
        file.statements
            .iter()
            .rev()
            .filter(|s| s.period_end <= as_of)
            .find(|s| s.period_type == ptype && month(s.period_end) == m)
            .map(|s| s.values[item])
            .filter(|v| !v.is_nan())
    };
    let quarters: Option<f64> = (0..4).map(|k| value(PeriodType::Quarter, end - 3 * k)).sum();
    quarters.or_else(|| value(PeriodType::Annual, end))
}

/// The alerts of `rules` over every customer's summary.
pub fn evaluate_peers<'a>(
    rules: &[AggregateRule],
    peers: impl IntoIterator<Item = &'a PeerSummary>,
) -> Vec<PeerAlert> {
    let peers: Vec<&PeerSummary> = peers.into_iter().collect();
    let mut alerts = Vec::new();
    for rule in rules {
        let mut groups: BTreeMap<&str, Vec<&PeerSummary>> = BTreeMap::new();
        for p in &peers {
            if let Some(key) = rule.group_by.key(&p.industry, p.sub_industry.as_deref(), &p.region) {
                groups.entry(key).or_default().push(p);
            }
        }
        for (group, members) in groups {
            let counted = counted_firms(rule.leading.as_ref(), &members);
            if counted.is_empty() {
                continue;
            }
            for signal in &rule.signals {
                let mut firms: Vec<CustomerId> = counted
                    .iter()
                    .filter(|p| p.deteriorations.iter().any(|h| h.rule == rule.code && h.signal == signal.id))
                    .map(|p| p.customer_id.clone())
                    .collect();
                let share = firms.len() as f64 / counted.len() as f64;
                if firms.len() < rule.min_count as usize || rule.min_share.is_some_and(|s| share < s) {
                    continue;
                }
                firms.sort();
                alerts.push(PeerAlert {
                    code: rule.code.clone(),
                    name_zh: rule.name_zh.clone(),
                    name_en: rule.name_en.clone(),
                    level: rule.level,
                    group_by: rule.group_by,
                    group: group.to_owned(),
                    signal: signal.id.clone(),
                    firms,
                    counted: counted.len(),
                    members: members.len(),
                    action_zh: rule.action_zh.clone(),
                    action_en: rule.action_en.clone(),
                });
            }
        }
    }
    alerts
}

/// The firms of a group that count: the leading ones, or all without a definition.
fn counted_firms<'a>(leading: Option<&Leading>, members: &[&'a PeerSummary]) -> Vec<&'a PeerSummary> {
    let Some(leading) = leading else { return members.to_vec() };
    let mut top: Vec<&PeerSummary> = Vec::new();
    if let Some(n) = leading.top_by_revenue {
        let mut by_revenue: Vec<&PeerSummary> =
            members.iter().copied().filter(|p| p.revenue_ttm.is_some()).collect();
        by_revenue.sort_by(|a, b| {
            b.revenue_ttm
                .unwrap_or(0.0)
                .total_cmp(&a.revenue_ttm.unwrap_or(0.0))
                .then_with(|| a.customer_id.cmp(&b.customer_id))
        });
        top.extend(by_revenue.into_iter().take(n as usize));
    }
    members
        .iter()
        .copied()
        .filter(|p| {
            top.iter().any(|t| std::ptr::eq(*t, *p)) || p.tier.is_some_and(|t| leading.tiers.contains(&t))
        })
        .collect()
}
