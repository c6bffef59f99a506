//! Group exposure and limit roll-up (CTRL-4, CTRL-10): a group's exposure is the sum of
//! its customer members' exposures, checked against the group limit.
//!
//! Amounts are minor units of one reporting currency (the caller converts). Members that
//! are not customers carry no exposure; customers without an entry count as zero.

use std::collections::HashMap;

use serde::Serialize;

use crate::graph::Graph;
use crate::groups::Groups;

/// One group's exposure against its limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupExposure {
    pub group: String,
    pub head: String,
    /// Sum over customer members, minor units.
    pub exposure: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Limit minus exposure; negative when the limit is exceeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headroom: Option<i64>,
    /// Exposure as a percentage of the limit (none for a zero limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilisation_pct: Option<f64>,
    pub over_limit: bool,
    pub customers: usize,
    pub customers_with_exposure: usize,
    /// The customer with the largest exposure (smallest id among equals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_member: Option<String>,
    pub largest_member_exposure: i64,
    /// The largest member's share of the group's exposure (none when it is not positive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_member_share_pct: Option<f64>,
}

/// Rolls `exposures` (customer id → minor units) up to every group, with `limits` (group
/// id → minor units) where given. In group id order.
pub fn roll_up_exposure(
    graph: &Graph,
    groups: &Groups,
    exposures: &HashMap<String, i64>,
    limits: &HashMap<String, i64>,
) -> Vec<GroupExposure> {
    groups
        .groups()
        .iter()
        .map(|g| {
            let mut total: i64 = 0;
            let mut with_exposure = 0;
            let mut largest: Option<(&str, i64)> = None;
            for m in g.members().filter(|&m| graph.is_customer(m)) {
                let id = graph.id(m);
                let Some(&x) = exposures.get(id) else { continue };
                total = total.saturating_add(x);
                if x != 0 {
                    with_exposure += 1;
                }
                // Members come in id order, so the first of equals stays.
                if largest.is_none_or(|(_, best)| x > best) {
                    largest = Some((id, x));
                }
            }
            let limit = limits.get(g.id()).copied();
            let headroom = limit.map(|l| l.saturating_sub(total));
            let largest_exposure = largest.map_or(0, |(_, x)| x);
            GroupExposure {
                group: g.id().to_owned(),
                head: graph.id(g.head()).to_owned(),
                exposure: total,
                limit,
                headroom,
                utilisation_pct: limit.filter(|&l| l > 0).map(|l| total as f64 / l as f64 * 100.0),
                over_limit: headroom.is_some_and(|h| h < 0),
                customers: g.customer_count(),
                customers_with_exposure: with_exposure,
                largest_member: largest.map(|(id, _)| id.to_owned()),
                largest_member_exposure: largest_exposure,
                largest_member_share_pct: (total > 0).then(|| largest_exposure as f64 / total as f64 * 100.0),
            }
        })
        .collect()
}
