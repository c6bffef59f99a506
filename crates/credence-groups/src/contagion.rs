//! Contagion of distress through related parties ("hidden risk", CTRL-10).
//!
//! # The rule
//!
//! Each distressed party (defaulted, or turned red by early warning) starts with its
//! severity (`defaulted_severity`, `red_severity`). A link passes distress on with a weight
//! that depends on its kind and direction (`[contagion.weights]`):
//!
//! | link | distress passes | weight |
//! | --- | --- | --- |
//! | ownership (≥ `min_share_pct`), control, consolidation | controller → controlled | `parent_to_subsidiary` |
//! | the same | controlled → controller | `subsidiary_to_parent` |
//! | guarantee | borrower → guarantor (the guarantee is called) | `borrower_to_guarantor` |
//! | guarantee | guarantor → borrower (a credit support weakens) | `guarantor_to_borrower` |
//! | supply chain | buyer → supplier (receivables unpaid) | `buyer_to_supplier` |
//! | supply chain | supplier → buyer (supply disrupted) | `supplier_to_buyer` |
//! | family | either way | `family` |
//! | shared funds | either way | `shared_funds` |
//!
//! A path's score is `severity × (product of the weights) × decay^(links − 1)`; a party's
//! score is that of its strongest path from any distressed party, which is given as the
//! evidence ("C009 guarantees C004 (¥5,000,000); C004 defaulted"). Parties below
//! `threshold` are neither reported nor passed through. Distressed parties keep their own
//! severity. Persons and other non-customers carry distress (a controller links the
//! companies it controls) but only customers are reported.
//!
//! # Computation
//!
//! Every factor is at most 1, so the strongest paths are found by Dijkstra's algorithm on
//! products (largest first), from all distressed parties at once; ties go to the smaller
//! party index, so the result is deterministic. Cost is proportional to the links of the
//! parties reached.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use credence_domain::RelationKind;
use serde::{Deserialize, Serialize};

use crate::config::ContagionSettings;
use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::explain::Step;
use crate::graph::{Graph, NONE, PartyIx};

/// How bad a distressed party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistressStatus {
    /// Turned red by early warning (CTRL-6).
    Red,
    Defaulted,
}

/// A distressed party given to [`propagate_contagion`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distressed {
    pub party: String,
    pub status: DistressStatus,
}

/// A customer reached by contagion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContagionHit {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f64,
    /// The distressed party at the start of the strongest path.
    pub source: String,
    pub source_status: DistressStatus,
    /// Links on the path.
    pub hops: u32,
    /// The path from the source to the party, link by link.
    pub steps: Vec<Step>,
    /// The path told from the party back to the source.
    pub text_en: String,
    pub text_zh: String,
}

/// Customers reached by contagion, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContagionReport {
    pub hits: Vec<ContagionHit>,
    /// Distressed parties not in the graph.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Queued {
    score: f64,
    party: u32,
}

impl Eq for Queued {}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.party.cmp(&self.party))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The weight with which distress at `at` passes along edge `e` to the edge's other end.
fn weight(graph: &Graph, e: u32, at: u32, s: &ContagionSettings) -> f64 {
    let edge = graph.edge(e);
    let forward = edge.from == at;
    let w = &s.weights;
    match edge.kind {
        RelationKind::Ownership => {
            let min_ppm = (s.min_share_pct * 10_000.0).round() as u32;
            if edge.share.max(edge.voting) < min_ppm {
                0.0
            } else if forward {
                w.parent_to_subsidiary
            } else {
                w.subsidiary_to_parent
            }
        }
        RelationKind::Control | RelationKind::Consolidation => {
            if forward {
                w.parent_to_subsidiary
            } else {
                w.subsidiary_to_parent
            }
        }
        RelationKind::Guarantee => {
            if forward {
                w.guarantor_to_borrower
            } else {
                w.borrower_to_guarantor
            }
        }
        RelationKind::SupplyChain => {
            if forward {
                w.supplier_to_buyer
            } else {
                w.buyer_to_supplier
            }
        }
        RelationKind::Family => w.family,
        RelationKind::SharedFunds => w.shared_funds,
    }
}

/// Spreads the distress of `distressed` through `graph`.
pub fn propagate_contagion(
    graph: &Graph,
    distressed: &[Distressed],
    settings: &ContagionSettings,
) -> ContagionReport {
    let n = graph.len();
    let mut score = vec![0.0f64; n];
    let mut pred_edge = vec![NONE; n];
    let mut pred = vec![NONE; n];
    let mut source_status: Vec<Option<DistressStatus>> = vec![None; n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    let mut diagnostics = Vec::new();
    for d in distressed {
        let Some(p) = graph.find(&d.party) else {
            diagnostics.push(Diagnostic::new(
                DiagnosticCode::UnknownParty,
                vec![d.party.clone()],
                format!("distressed party {} has no links", d.party),
            ));
            continue;
        };
        let severity = match d.status {
            DistressStatus::Defaulted => settings.defaulted_severity,
            DistressStatus::Red => settings.red_severity,
        };
        let v = p.0 as usize;
        if source_status[v].is_none_or(|s| d.status > s) {
            source_status[v] = Some(d.status);
            score[v] = severity;
        }
        heap.push(Queued { score: score[v], party: p.0 });
    }
    while let Some(Queued { score: s, party: v }) = heap.pop() {
        if done[v as usize] || s < score[v as usize] {
            continue;
        }
        done[v as usize] = true;
        let factor = if source_status[v as usize].is_some() { 1.0 } else { settings.decay };
        let range = graph.out_range(v);
        let incident = range
            .map(|e| (e, graph.edge(e).to))
            .chain(graph.in_all(v).iter().map(|&e| (e, graph.edge(e).from)));
        for (e, u) in incident {
            let ui = u as usize;
            if done[ui] || source_status[ui].is_some() {
                continue;
            }
            let candidate = s * factor * weight(graph, e, v, settings);
            if candidate >= settings.threshold && candidate > score[ui] {
                score[ui] = candidate;
                pred[ui] = v;
                pred_edge[ui] = e;
                heap.push(Queued { score: candidate, party: u });
            }
        }
    }

    let mut hits = Vec::new();
    for v in 0..n as u32 {
        if pred[v as usize] == NONE || !graph.customer_flag(v) {
            continue;
        }
        let mut edges = Vec::new();
        let mut u = v;
        while pred[u as usize] != NONE {
            edges.push(pred_edge[u as usize]);
            u = pred[u as usize];
        }
        edges.reverse();
        // Paths start at a distressed party: only they enter the queue without a predecessor.
        let Some(status) = source_status[u as usize] else { continue };
        let steps: Vec<Step> = edges.iter().map(|&e| Step::of_edge(graph, e)).collect();
        let source = graph.id_of(u);
        let (end_en, end_zh) = match status {
            DistressStatus::Defaulted => (format!("{source} defaulted"), format!("{source}已违约")),
            DistressStatus::Red => (format!("{source} is on red alert"), format!("{source}已红色预警")),
        };
        let mut en: Vec<&str> = steps.iter().rev().map(|s| s.text_en.as_str()).collect();
        let mut zh: Vec<&str> = steps.iter().rev().map(|s| s.text_zh.as_str()).collect();
        en.push(&end_en);
        zh.push(&end_zh);
        hits.push(ContagionHit {
            party: graph.id_of(v).to_owned(),
            name: graph.name(PartyIx(v)).map(str::to_owned),
            score: score[v as usize],
            source: source.to_owned(),
            source_status: status,
            hops: steps.len() as u32,
            text_en: en.join("; "),
            text_zh: zh.join("；"),
            steps,
        });
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.party.cmp(&b.party)));
    ContagionReport { hits, diagnostics }
}
