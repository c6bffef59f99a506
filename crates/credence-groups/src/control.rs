//! Who controls whom, and the actual controller (实际控制人) of every company.
//!
//! # The rule
//!
//! A party controls a company when (in this order of precedence)
//! 1. it controls it by agreement or other means (a `control` link, rule (b));
//! 2. it holds **strictly more** than the control threshold (50%) of the company's votes,
//!    counting its own votes and **in full** the votes of every party it controls
//!    (rule (a): 一方直接或间接拥有另一方超过50%的表决权). So "A controls B (60%), B holds
//!    55% of C" makes A control C, although A's economic look-through share in C is only
//!    33% (see [`crate::ownership`]); and when A controls B and C, B's 30% and C's 25% of D
//!    add up to 55% and A controls D. Exactly 50% is not control; 50.01% is;
//! 3. it consolidates the company in its statements (a `consolidation` link, rule (c)).
//!
//! Votes are kept in parts per million, so sums are exact and the 50% boundary is sharp.
//! When recorded holdings in a company add up to more than 100% (inconsistent data),
//! each counts in proportion to the total.
//!
//! Control is a tree: each controlled company has one immediate controller, its
//! **parent**: the *lowest* party that controls it — for the votes rule, the deepest party
//! whose own votes plus those of the parties below it pass the threshold (A, in the
//! 30% + 25% example; B, if B alone held 55%). The top of a company's chain, a party that
//! nobody controls, is its **actual controller**. Votes of parties a company itself
//! controls never count towards its own control (a subsidiary's cross-holding in its parent
//! does not make anyone control the parent); parties that control each other in a circle
//! are cut above the smallest id of the circle, with a diagnostic.
//!
//! # Settling
//!
//! Control through controlled parties depends on control elsewhere, so it is settled in
//! rounds: every round decides each company's parent from the tree of the round before
//! (all at once, so the order of companies does not matter), until nothing changes. A
//! round costs one pass over the holdings, walking each holder's (short) chain of
//! controllers only when a single holding does not settle the question.

use std::collections::HashMap;

use credence_domain::RelationKind;
use serde::Serialize;

use crate::config::GroupConfig;
use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::explain::{Step, push_unique, sentences};
use crate::graph::{FULL_PPM, Graph, NONE, PartyIx};

/// Why a parent controls a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlBasis {
    /// More than the threshold of the votes, directly or through controlled parties.
    Votes,
    /// A control agreement or other means.
    Agreement,
    /// Consolidated reporting.
    Consolidation,
}

/// The control rules that apply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ControlRules {
    pub votes: bool,
    pub agreement: bool,
    pub consolidation: bool,
    pub threshold_ppm: u32,
    pub max_rounds: u32,
}

impl ControlRules {
    pub(crate) fn of(config: &GroupConfig) -> ControlRules {
        ControlRules {
            votes: config.rules.voting_control,
            agreement: config.rules.control_agreement,
            consolidation: config.rules.consolidation,
            threshold_ppm: (config.control.threshold_pct * 10_000.0).round() as u32,
            max_rounds: config.control.max_rounds,
        }
    }

    /// Whether `held` ppm of votes controls a company in which `total` ppm are recorded.
    fn controls(&self, held: u64, total: u64) -> bool {
        let denominator = total.max(u64::from(FULL_PPM));
        u128::from(held) * u128::from(FULL_PPM) > u128::from(self.threshold_ppm) * u128::from(denominator)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Decision {
    parent: u32,
    basis: ControlBasis,
    votes: u32,
}

/// Parent pointers with depth and root, rebuilt after every round.
struct Tree {
    parent: Vec<u32>,
    depth: Vec<u32>,
    root: Vec<u32>,
}

impl Tree {
    fn new(n: usize) -> Tree {
        Tree { parent: vec![NONE; n], depth: vec![0; n], root: (0..n as u32).collect() }
    }

    /// Recomputes depth and root; the parent pointers must be acyclic.
    fn index(&mut self) {
        const UNSET: u32 = u32::MAX;
        self.depth.fill(UNSET);
        let mut stack = Vec::new();
        for v in 0..self.parent.len() as u32 {
            let mut u = v;
            while self.depth[u as usize] == UNSET && self.parent[u as usize] != NONE {
                stack.push(u);
                u = self.parent[u as usize];
            }
            if self.depth[u as usize] == UNSET {
                self.depth[u as usize] = 0;
                self.root[u as usize] = u;
            }
            while let Some(w) = stack.pop() {
                let p = self.parent[w as usize] as usize;
                self.depth[w as usize] = self.depth[p] + 1;
                self.root[w as usize] = self.root[p];
            }
        }
    }

    /// Whether `c` is `x` or below it.
    fn in_subtree(&self, c: u32, x: u32) -> bool {
        let mut u = c;
        while self.depth[u as usize] > self.depth[x as usize] {
            u = self.parent[u as usize];
        }
        u == x
    }
}

/// The claims to control one company.
#[derive(Debug, Default)]
struct Candidates {
    agreement: Vec<u32>,
    votes: Option<(u32, u32)>,
    consolidation: Vec<u32>,
}

impl Candidates {
    fn decision(&self) -> Option<Decision> {
        if let Some(&p) = self.agreement.first() {
            return Some(Decision { parent: p, basis: ControlBasis::Agreement, votes: 0 });
        }
        if let Some((p, votes)) = self.votes {
            return Some(Decision { parent: p, basis: ControlBasis::Votes, votes });
        }
        self.consolidation.first().map(|&p| Decision {
            parent: p,
            basis: ControlBasis::Consolidation,
            votes: 0,
        })
    }
}

fn candidates(
    graph: &Graph,
    x: u32,
    tree: &Tree,
    rules: &ControlRules,
    scratch: &mut HashMap<u32, u64>,
) -> Candidates {
    let mut c = Candidates::default();
    let linked = |kind| -> Vec<u32> {
        graph.in_of(x, kind).iter().map(|&e| graph.edge(e).from).filter(|&p| !tree.in_subtree(p, x)).collect()
    };
    if rules.agreement {
        c.agreement = linked(RelationKind::Control);
    }
    if rules.consolidation {
        c.consolidation = linked(RelationKind::Consolidation);
    }
    if rules.votes {
        c.votes = votes_controller(graph, x, tree, rules, scratch);
    }
    c
}

/// The lowest party whose side holds more than the threshold of `x`'s votes, with those
/// votes.
fn votes_controller(
    graph: &Graph,
    x: u32,
    tree: &Tree,
    rules: &ControlRules,
    scratch: &mut HashMap<u32, u64>,
) -> Option<(u32, u32)> {
    let holdings = graph.in_of(x, RelationKind::Ownership);
    if holdings.is_empty() {
        return None;
    }
    let total = graph.votes_in(x);
    // One holding alone: nobody below another holder can pass the threshold as well,
    // since the votes of disjoint sides add up to at most the total.
    for &e in holdings {
        let edge = graph.edge(e);
        if rules.controls(u64::from(edge.voting), total) && !tree.in_subtree(edge.from, x) {
            return Some((edge.from, edge.voting));
        }
    }
    // Several holdings: first per actual controller, and only if one passes, per party on
    // the chains.
    let mut per_root: Vec<(u32, u64)> = holdings
        .iter()
        .map(|&e| graph.edge(e))
        .filter(|edge| edge.voting > 0 && !tree.in_subtree(edge.from, x))
        .map(|edge| (tree.root[edge.from as usize], u64::from(edge.voting)))
        .collect();
    per_root.sort_unstable();
    per_root.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            a.1 += b.1;
        }
        same
    });
    let (root, _) = *per_root.iter().find(|(_, held)| rules.controls(*held, total))?;
    scratch.clear();
    for &e in holdings {
        let edge = graph.edge(e);
        if edge.voting == 0 || tree.root[edge.from as usize] != root || tree.in_subtree(edge.from, x) {
            continue;
        }
        let mut u = edge.from;
        loop {
            *scratch.entry(u).or_insert(0) += u64::from(edge.voting);
            if tree.parent[u as usize] == NONE {
                break;
            }
            u = tree.parent[u as usize];
        }
    }
    scratch
        .iter()
        .filter(|(_, held)| rules.controls(**held, total))
        .max_by_key(|(u, _)| (tree.depth[**u as usize], std::cmp::Reverse(**u)))
        .map(|(&u, &held)| (u, u32::try_from(held).unwrap_or(u32::MAX)))
}

fn tree_parent_id<'g>(graph: &'g Graph, tree: &Tree, x: u32) -> &'g str {
    match tree.parent[x as usize] {
        NONE => "nobody",
        p => graph.id_of(p),
    }
}

/// Cuts circles of parent pointers above their smallest member; returns the circles.
fn break_cycles(parent: &mut [u32]) -> Vec<Vec<u32>> {
    let mut state = vec![0u8; parent.len()];
    let mut circles = Vec::new();
    let mut path = Vec::new();
    for v in 0..parent.len() as u32 {
        path.clear();
        let mut u = v;
        while u != NONE && state[u as usize] == 0 {
            state[u as usize] = 1;
            path.push(u);
            u = parent[u as usize];
        }
        if u != NONE && state[u as usize] == 1 {
            let at = path.iter().position(|&w| w == u).expect("u is on the path");
            let mut circle = path[at..].to_vec();
            circle.sort_unstable();
            parent[circle[0] as usize] = NONE;
            circles.push(circle);
        }
        for &w in &path {
            state[w as usize] = 2;
        }
    }
    circles
}

/// The settled control tree of every party of a graph.
#[derive(Debug, Clone)]
pub struct ControlForest {
    parent: Vec<u32>,
    basis: Vec<Option<ControlBasis>>,
    votes: Vec<u32>,
    depth: Vec<u32>,
    root: Vec<u32>,
    child_start: Vec<u32>,
    children: Vec<u32>,
    rounds: u32,
    settled: bool,
    diagnostics: Vec<Diagnostic>,
}

/// A company's chain of control, from its actual controller down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlChain {
    pub party: String,
    /// `None` when nobody controls the party.
    pub actual_controller: Option<String>,
    /// Parties from the actual controller down to the party.
    pub chain: Vec<String>,
    pub steps: Vec<Step>,
    pub text_en: String,
    pub text_zh: String,
}

/// Settles control over `graph` with the control rules (a), (b), (c) and the threshold of
/// `config`.
pub fn control_forest(graph: &Graph, config: &GroupConfig) -> ControlForest {
    ControlForest::settle(graph, &ControlRules::of(config))
}

impl ControlForest {
    pub(crate) fn settle(graph: &Graph, rules: &ControlRules) -> ControlForest {
        let n = graph.len();
        let mut tree = Tree::new(n);
        let mut basis: Vec<Option<ControlBasis>> = vec![None; n];
        let mut votes = vec![0u32; n];
        let mut scratch = HashMap::new();
        let mut circles = Vec::new();
        let (mut rounds, mut settled) = (0, false);
        let any_rule = rules.votes || rules.agreement || rules.consolidation;
        while any_rule && rounds < rules.max_rounds {
            rounds += 1;
            tree.index();
            let decisions: Vec<Option<Decision>> =
                (0..n as u32).map(|x| candidates(graph, x, &tree, rules, &mut scratch).decision()).collect();
            let mut changed = false;
            for (x, d) in decisions.into_iter().enumerate() {
                let (p, b, v) = d.map_or((NONE, None, 0), |d| (d.parent, Some(d.basis), d.votes));
                changed |= tree.parent[x] != p || basis[x] != b;
                tree.parent[x] = p;
                basis[x] = b;
                votes[x] = v;
            }
            for circle in break_cycles(&mut tree.parent) {
                basis[circle[0] as usize] = None;
                votes[circle[0] as usize] = 0;
                if !circles.contains(&circle) {
                    circles.push(circle);
                }
            }
            if !changed {
                settled = true;
                break;
            }
        }
        settled |= !any_rule;
        tree.index();

        let mut diagnostics = Vec::new();
        let ids = |vs: &[u32]| vs.iter().map(|&v| graph.id_of(v).to_owned()).collect::<Vec<_>>();
        for circle in &circles {
            diagnostics.push(Diagnostic::new(
                DiagnosticCode::CircularControl,
                ids(circle),
                format!(
                    "{} control each other in a circle; nobody is taken to control {}",
                    ids(circle).join(", "),
                    graph.id_of(circle[0])
                ),
            ));
        }
        if !settled {
            diagnostics.push(Diagnostic::new(
                DiagnosticCode::ControlNotSettled,
                Vec::new(),
                format!("control did not settle in {rounds} rounds; the last round's result is used"),
            ));
        }
        for x in 0..n as u32 {
            let c = candidates(graph, x, &tree, rules, &mut scratch);
            let mut claims: Vec<u32> = c.agreement.iter().chain(&c.consolidation).copied().collect();
            claims.extend(c.votes.map(|(p, _)| p));
            let roots: Vec<u32> = claims.iter().map(|&p| tree.root[p as usize]).collect();
            if roots.iter().any(|&r| r != roots[0]) {
                claims.sort_unstable();
                claims.dedup();
                let mut parties = vec![graph.id_of(x).to_owned()];
                parties.extend(ids(&claims));
                diagnostics.push(Diagnostic::new(
                    DiagnosticCode::ConflictingControllers,
                    parties,
                    format!(
                        "{} is claimed by {}; {} is taken as its controller",
                        graph.id_of(x),
                        ids(&claims).join(", "),
                        tree_parent_id(graph, &tree, x)
                    ),
                ));
            }
        }

        let mut child_start = vec![0u32; n + 1];
        for &p in &tree.parent {
            if p != NONE {
                child_start[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0u32; child_start[n] as usize];
        for (x, &p) in tree.parent.iter().enumerate() {
            if p != NONE {
                children[fill[p as usize] as usize] = x as u32;
                fill[p as usize] += 1;
            }
        }
        let Tree { parent, depth, root } = tree;
        ControlForest {
            parent,
            basis,
            votes,
            depth,
            root,
            child_start,
            children,
            rounds,
            settled,
            diagnostics,
        }
    }

    /// The immediate controller of `p`.
    pub fn parent(&self, p: PartyIx) -> Option<PartyIx> {
        self.parent_of(p.0).map(PartyIx)
    }

    /// Why the parent controls `p`.
    pub fn basis(&self, p: PartyIx) -> Option<ControlBasis> {
        self.basis[p.index()]
    }

    /// The votes of `p` (percent) its parent's side holds, under the votes rule.
    pub fn controlled_votes_pct(&self, p: PartyIx) -> Option<f64> {
        (self.basis[p.index()] == Some(ControlBasis::Votes))
            .then(|| crate::graph::pct_of_ppm(self.votes[p.index()]))
    }

    /// The top of `p`'s chain of control, if anybody controls `p`.
    pub fn actual_controller(&self, p: PartyIx) -> Option<PartyIx> {
        let r = self.root[p.index()];
        (r != p.0).then_some(PartyIx(r))
    }

    /// The parties `p` controls directly, in id order.
    pub fn controlled(&self, p: PartyIx) -> impl Iterator<Item = PartyIx> + '_ {
        self.children_of(p.0).iter().map(|&c| PartyIx(c))
    }

    /// Rounds it took to settle.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// False when control had not settled after the configured rounds.
    pub fn settled(&self) -> bool {
        self.settled
    }

    /// Circular control, conflicting claims, not settled.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// `p`'s chain from its actual controller down, with the evidence for each link.
    pub fn explain(&self, graph: &Graph, p: PartyIx) -> ControlChain {
        let mut chain = vec![p.0];
        while let Some(q) = self.parent_of(*chain.last().expect("not empty")) {
            chain.push(q);
        }
        chain.reverse();
        let mut steps = Vec::new();
        for &x in &chain[1..] {
            for s in self.tie_steps(graph, x) {
                push_unique(&mut steps, s);
            }
        }
        let (text_en, text_zh) = if steps.is_empty() {
            let id = graph.id_of(p.0);
            (format!("nobody controls {id}"), format!("{id}无控制方"))
        } else {
            sentences(&steps)
        };
        ControlChain {
            party: graph.id_of(p.0).to_owned(),
            actual_controller: self.actual_controller(p).map(|c| graph.id(c).to_owned()),
            chain: chain.iter().map(|&v| graph.id_of(v).to_owned()).collect(),
            steps,
            text_en,
            text_zh,
        }
    }

    pub(crate) fn parent_of(&self, v: u32) -> Option<u32> {
        Some(self.parent[v as usize]).filter(|&p| p != NONE)
    }

    pub(crate) fn basis_of(&self, v: u32) -> Option<ControlBasis> {
        self.basis[v as usize]
    }

    pub(crate) fn depth_of(&self, v: u32) -> u32 {
        self.depth[v as usize]
    }

    pub(crate) fn children_of(&self, v: u32) -> &[u32] {
        &self.children[self.child_start[v as usize] as usize..self.child_start[v as usize + 1] as usize]
    }

    /// Whether `c` is `x` or controlled by it, directly or not.
    fn under(&self, c: u32, x: u32) -> bool {
        let mut u = c;
        while self.depth[u as usize] > self.depth[x as usize] {
            u = self.parent[u as usize];
        }
        u == x
    }

    /// The link from `from` to `to` of `kind`.
    fn find_edge(graph: &Graph, from: u32, to: u32, kind: RelationKind) -> Option<u32> {
        graph.out_of(from, kind).find(|&e| graph.edge(e).to == to)
    }

    /// One step saying that `x`'s parent controls `x`: the link itself when one link
    /// shows it, else a derived step with the votes.
    pub(crate) fn summary_step(&self, graph: &Graph, x: u32) -> Option<Step> {
        let p = self.parent_of(x)?;
        let kind = match self.basis[x as usize]? {
            ControlBasis::Agreement => RelationKind::Control,
            ControlBasis::Consolidation => RelationKind::Consolidation,
            ControlBasis::Votes => RelationKind::Ownership,
        };
        match Self::find_edge(graph, p, x, kind) {
            Some(e) if kind != RelationKind::Ownership || graph.edge(e).voting == self.votes[x as usize] => {
                Some(Step::of_edge(graph, e))
            }
            _ => Some(Step::derived_control(graph, p, x, self.votes[x as usize])),
        }
    }

    /// The evidence that `x`'s parent controls `x`: for votes gathered through controlled
    /// parties, how the parent controls each holder, each holding, and the sum.
    pub(crate) fn tie_steps(&self, graph: &Graph, x: u32) -> Vec<Step> {
        let Some(p) = self.parent_of(x) else { return Vec::new() };
        let single = Self::find_edge(graph, p, x, RelationKind::Ownership)
            .is_some_and(|e| graph.edge(e).voting == self.votes[x as usize]);
        if self.basis[x as usize] != Some(ControlBasis::Votes) || single {
            return self.summary_step(graph, x).into_iter().collect();
        }
        let holdings: Vec<u32> = graph
            .in_of(x, RelationKind::Ownership)
            .iter()
            .copied()
            .filter(|&e| graph.edge(e).voting > 0 && self.under(graph.edge(e).from, p))
            .collect();
        let mut steps = Vec::new();
        for &e in &holdings {
            let mut path = Vec::new();
            let mut u = graph.edge(e).from;
            while u != p {
                path.push(u);
                u = self.parent[u as usize];
            }
            for &u in path.iter().rev() {
                if let Some(s) = self.summary_step(graph, u) {
                    push_unique(&mut steps, s);
                }
            }
        }
        for &e in &holdings {
            push_unique(&mut steps, Step::of_edge(graph, e));
        }
        steps.push(Step::derived_control(graph, p, x, self.votes[x as usize]));
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circles_are_cut_above_their_smallest_member() {
        // 0 → 1 → 2 → 0, and 3 → 0.
        let mut parent = vec![1, 2, 0, 0];
        let circles = break_cycles(&mut parent);
        assert_eq!(circles, [vec![0, 1, 2]]);
        assert_eq!(parent, [NONE, 2, 0, 0]);
    }

    #[test]
    fn threshold_is_strict_and_scaled_by_inconsistent_totals() {
        let rules = ControlRules {
            votes: true,
            agreement: true,
            consolidation: true,
            threshold_ppm: 500_000,
            max_rounds: 8,
        };
        assert!(!rules.controls(500_000, 1_000_000));
        assert!(rules.controls(500_100, 1_000_000));
        assert!(rules.controls(500_001, 600_000));
        // 60 of a recorded 130: 46%.
        assert!(!rules.controls(600_000, 1_300_000));
    }
}
