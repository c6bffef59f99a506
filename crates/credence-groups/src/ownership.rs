//! Look-through (effective) ownership: the share of a company a holder owns directly and
//! through every chain of holdings.
//!
//! # The rule
//!
//! With `w(x, y)` the fraction of `y` that `x` holds, the effective share of holder `h` in
//! company `c` is the sum over every path `h → … → c` of the product of the fractions on
//! it: A holds 60% of B, B holds 55% of C ⇒ A owns 33% of C (while A *controls* C, see
//! [`crate::control`]). Two paths add up. Cross-holdings make the paths infinitely many
//! (B → C → B → C …), and the sum is the `(h, c)` entry of `W + W² + … = W(I − W)⁻¹`
//! (integrated ownership), the fixed point of `e(c) = w(h, c) + Σ_y e(y)·w(y, c)`. Both
//! directions — what `h` owns, who owns `c` — give the same figures.
//!
//! Example: A holds 60% of B, B holds 20% of C, C holds 10% of B. Then
//! `e(B) = 0.6 + 0.1·e(C)` and `e(C) = 0.2·e(B)`, so `e(B) = 0.6 / 0.98 = 61.2245%` and
//! `e(C) = 0.12 / 0.98 = 12.2449%`.
//!
//! `basis` chooses capital shares (economic ownership) or voting shares. Holdings in a
//! company that add up to more than 100% (inconsistent data) count in proportion to the
//! total, so the sum always converges.
//!
//! # Computation
//!
//! Residual pushing (a Gauss–Seidel style solve of the fixed point over the reachable part
//! of the graph only): the direct fractions are pending residuals; taking a party's
//! residual adds it to the party's share and passes `residual × w` on along its holdings.
//! Parties whose residual is below `tolerance` are not passed on; at the end what is left
//! is added where it is. Each figure is then within about `tolerance / (1 − ρ)` of the
//! exact fixed point, ρ being the largest product of fractions around a cross-holding
//! circle (0.02 in the example). The work is bounded by `max_pushes`; a result that hit
//! the bound says `converged = false`. Cost is proportional to the part of the graph
//! reached, never to the whole graph.

use std::collections::{HashMap, VecDeque};

use credence_domain::RelationKind;
use serde::Serialize;

use crate::config::OwnershipSettings;
use crate::graph::{FULL_PPM, Graph, PartyIx};

/// Which percentage of a holding is looked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Capital shares: economic ownership.
    Capital,
    /// Voting shares.
    Votes,
}

/// One party's effective share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveStake {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The direct holding, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_pct: Option<f64>,
    pub effective_pct: f64,
}

/// Effective shares from one party's point of view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveOwnership {
    pub party: String,
    pub basis: Basis,
    /// For [`effective_holdings`]: the companies the party owns, directly or not; for
    /// [`effective_owners`]: the parties that own it. In id order.
    pub stakes: Vec<EffectiveStake>,
    pub converged: bool,
}

/// The companies `holder` owns and its effective share in each.
pub fn effective_holdings(
    graph: &Graph,
    holder: PartyIx,
    basis: Basis,
    settings: &OwnershipSettings,
) -> EffectiveOwnership {
    report(graph, holder, basis, settings, true)
}

/// The parties that own `company` and the effective share of each (ultimate owners
/// included).
pub fn effective_owners(
    graph: &Graph,
    company: PartyIx,
    basis: Basis,
    settings: &OwnershipSettings,
) -> EffectiveOwnership {
    report(graph, company, basis, settings, false)
}

fn report(
    graph: &Graph,
    party: PartyIx,
    basis: Basis,
    settings: &OwnershipSettings,
    downward: bool,
) -> EffectiveOwnership {
    let (shares, converged) = look_through(graph, party.0, basis, downward, settings);
    let stakes = shares
        .into_iter()
        .map(|(v, fraction)| {
            let (holder, company) = if downward { (party.0, v) } else { (v, party.0) };
            let direct = graph
                .out_of(holder, RelationKind::Ownership)
                .find(|&e| graph.edge(e).to == company)
                .map(|e| crate::graph::pct_of_ppm(fraction_ppm(graph, e, basis)));
            EffectiveStake {
                party: graph.id_of(v).to_owned(),
                name: graph.name(PartyIx(v)).map(str::to_owned),
                direct_pct: direct,
                effective_pct: fraction * 100.0,
            }
        })
        .collect();
    EffectiveOwnership { party: graph.id_of(party.0).to_owned(), basis, stakes, converged }
}

fn fraction_ppm(graph: &Graph, e: u32, basis: Basis) -> u32 {
    let edge = graph.edge(e);
    match basis {
        Basis::Capital => edge.share,
        Basis::Votes => edge.voting,
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    share: f64,
    residual: f64,
    queued: bool,
}

/// Effective fractions (0–1) of every party reached from `start`, in index order, and
/// whether the solve converged. `downward` follows holdings from holder to company.
pub(crate) fn look_through(
    graph: &Graph,
    start: u32,
    basis: Basis,
    downward: bool,
    settings: &OwnershipSettings,
) -> (Vec<(u32, f64)>, bool) {
    let mut totals: HashMap<u32, f64> = HashMap::new();
    let mut weight = |e: u32| {
        let edge = graph.edge(e);
        let total = *totals.entry(edge.to).or_insert_with(|| {
            let sum = match basis {
                Basis::Capital => graph.shares_in(edge.to),
                Basis::Votes => graph.votes_in(edge.to),
            };
            sum.max(u64::from(FULL_PPM)) as f64
        });
        f64::from(fraction_ppm(graph, e, basis)) / total
    };
    let next = |v: u32| -> Vec<(u32, u32)> {
        if downward {
            graph.out_of(v, RelationKind::Ownership).map(|e| (e, graph.edge(e).to)).collect()
        } else {
            graph.in_of(v, RelationKind::Ownership).iter().map(|&e| (e, graph.edge(e).from)).collect()
        }
    };
    let mut slots: HashMap<u32, Slot> = HashMap::new();
    let mut queue = VecDeque::new();
    let pass = |v: u32, amount: f64, slots: &mut HashMap<u32, Slot>, queue: &mut VecDeque<u32>| {
        let slot = slots.entry(v).or_default();
        slot.residual += amount;
        if !slot.queued && slot.residual >= settings.tolerance {
            slot.queued = true;
            queue.push_back(v);
        }
    };
    for (e, v) in next(start) {
        pass(v, weight(e), &mut slots, &mut queue);
    }
    let mut pushes = 0u64;
    let mut converged = true;
    while let Some(v) = queue.pop_front() {
        if pushes >= settings.max_pushes {
            converged = false;
            break;
        }
        pushes += 1;
        let slot = slots.get_mut(&v).expect("queued parties have a slot");
        let residual = std::mem::take(&mut slot.residual);
        slot.share += residual;
        slot.queued = false;
        for (e, u) in next(v) {
            pass(u, residual * weight(e), &mut slots, &mut queue);
        }
    }
    let mut out: Vec<(u32, f64)> = slots.into_iter().map(|(v, s)| (v, s.share + s.residual)).collect();
    out.retain(|&(v, f)| v != start && f > 0.0);
    out.sort_unstable_by_key(|&(v, _)| v);
    (out, converged)
}
