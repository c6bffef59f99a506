//! Figures computed for the edges (the API and the web pages), so that they show analytic
//! results without calling the analytic crates themselves: the portfolio overview and its
//! positions, a party's neighbourhood of relations, and where an approval stands.

use credence_control::{ApprovalStep, Decision, DecisionError, RequestStatus};
use credence_groups::Neighbourhood;
use credence_portfolio::{Overview, OverviewConfig, Portfolio, Position, PositionSort, Selection};

use crate::RelatedParties;

/// The positions of `portfolio` that the caller `admits` and the selection matches, in
/// `sort` order.
pub fn portfolio_positions<'a>(
    portfolio: &'a Portfolio,
    selection: &Selection,
    admits: &dyn Fn(&Position) -> bool,
    sort: PositionSort,
) -> Vec<&'a Position> {
    credence_portfolio::select(portfolio, selection, admits, sort)
}

/// The cockpit's figures (levels, grades, heat map, largest exposures, concentration,
/// expected loss, trends) over the positions the caller `admits` that the selection matches.
pub fn portfolio_overview(
    portfolio: &Portfolio,
    selection: &Selection,
    admits: &dyn Fn(&Position) -> bool,
    config: &OverviewConfig,
) -> Overview {
    let list = credence_portfolio::select(portfolio, selection, admits, PositionSort::CustomerId);
    credence_portfolio::overview(portfolio, &list, config)
}

/// The parties within `hops` links of the party `id` (at most `max_nodes`), or `None` when
/// the relations do not know the party.
pub fn neighbourhood_of(
    parties: &RelatedParties,
    id: &str,
    hops: u32,
    max_nodes: usize,
) -> Option<Neighbourhood> {
    let center = parties.graph.find(id)?;
    Some(credence_groups::neighbourhood(&parties.graph, center, hops, max_nodes))
}

/// Where a request on `route` stands after the decisions signed so far.
pub fn approval_status(route: &[ApprovalStep], signed: &[Decision]) -> Result<RequestStatus, DecisionError> {
    credence_control::review(route, signed)
}
