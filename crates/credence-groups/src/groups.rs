//! Group-customer identification (集团客户识别, CTRL-10).
//!
//! # The rules
//!
//! The group-customer definition of 《商业银行集团客户授信业务风险管理指引》 and the bank
//! rules built on it: customers that control, are controlled by or are jointly controlled
//! with each other form one group customer. Each rule is switched in the `[rules]` table
//! of the configuration:
//!
//! | rule | 认定标准 | ties |
//! | --- | --- | --- |
//! | (a) [`GroupRule::VotingControl`] | 直接或间接拥有超过50%表决权 | a company and its controller under the votes rule of [`crate::control`] |
//! | (b) [`GroupRule::ControlAgreement`] | 通过协议等其他方式控制 | a company and a party controlling it by agreement |
//! | (c) [`GroupRule::Consolidation`] | 纳入合并财务报表 | a consolidated company and its parent |
//! | (d) [`GroupRule::SameController`] | 共同被第三方控制 | customers whose chains of control meet in a party that is not a customer (a person, a holding company outside the portfolio) |
//! | (e) [`GroupRule::Family`] | 实际控制人为近亲属 | two actual controllers at most `family_hops` family ties apart |
//! | (f) [`GroupRule::SharedFunds`] | 财务集中管理、资金统一调度 | two parties that share fund management |
//!
//! Rules (a)–(c) build the control tree ([`ControlForest`]); a company is tied to its
//! immediate controller. Where that controller is not a customer and has no customer above
//! it, the tie holds only under (d): with (d) off, a person controlling two unrelated
//! customers does not make them one group, and the topmost customer heads the group.
//! Rule (e) ties actual controllers (parties nobody controls that control someone), so it
//! widens (d). Consolidation and control links that are not the chosen control tie (a
//! company claimed by two parties) still tie the two. Guarantees and supply-chain links
//! never make a group: they are related parties, used for guarantee circles and contagion.
//!
//! A group is a connected set of ties with at least `min_customer_members` customers.
//! Persons and companies that are not customers are members too (they carry the ties) but
//! do not count.
//!
//! # Head and id
//!
//! The **head** is the member nobody in the group controls that controls the most parties
//! (the ultimate controller; for a group tied only by family or shared funds, the
//! controller of the largest tree), ties going to the smallest id. The group id is
//! `G-` + the head's id: stable as long as the head is, and readable.
//!
//! # Explanations
//!
//! Every member's path from the head is the shortest chain of ties, preferring control
//! ties (cost 1) over other control and consolidation links (2) over family and shared
//! funds ties (10); its `rule` is the rule of the tie that attaches it, and its steps show
//! each tie's evidence ([`crate::GroupReport`]).

use std::collections::HashMap;

use credence_domain::{RelationKind, labelled_enum};

use crate::config::{GroupConfig, OwnershipSettings, RuleSwitches};
use crate::control::{ControlBasis, ControlForest, ControlRules};
use crate::graph::{Graph, NONE, PartyIx};

labelled_enum! {
    /// The rule that ties a member to its group.
    pub enum GroupRule {
        /// (a) More than 50% of the votes, directly or through controlled parties.
        VotingControl = ("voting_control", "表决权控制", "Voting control", "a"),
        /// (b) Control by agreement or other means.
        ControlAgreement = ("control_agreement", "协议控制", "Control by agreement", "b"),
        /// (c) Consolidated reporting.
        Consolidation = ("consolidation", "合并报表", "Consolidated reporting", "c"),
        /// (d) The same actual controller, not a customer itself.
        SameController = ("same_controller", "同一实际控制人", "Same actual controller", "d"),
        /// (e) Actual controllers who are close family.
        Family = ("family", "实际控制人为近亲属", "Controllers are close family", "e"),
        /// (f) Shared fund management.
        SharedFunds = ("shared_funds", "资金共管", "Shared fund management", "f"),
    }
}

impl GroupRule {
    pub(crate) fn of_basis(basis: ControlBasis) -> GroupRule {
        match basis {
            ControlBasis::Votes => GroupRule::VotingControl,
            ControlBasis::Agreement => GroupRule::ControlAgreement,
            ControlBasis::Consolidation => GroupRule::Consolidation,
        }
    }
}

/// One identified group.
#[derive(Debug, Clone)]
pub struct Group {
    pub(crate) id: String,
    pub(crate) head: u32,
    pub(crate) members: Vec<u32>,
    pub(crate) customers: u32,
}

impl Group {
    /// `G-` + the head's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn head(&self) -> PartyIx {
        PartyIx(self.head)
    }

    /// Every member (customers and others), in id order.
    pub fn members(&self) -> impl Iterator<Item = PartyIx> + '_ {
        self.members.iter().map(|&m| PartyIx(m))
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    pub fn customer_count(&self) -> usize {
        self.customers as usize
    }
}

/// Two actual controllers tied by family, with the family links between them in order.
#[derive(Debug, Clone)]
pub(crate) struct FamilyTie {
    pub a: u32,
    pub b: u32,
    pub edges: Vec<u32>,
}

/// The groups of a graph. Compact: explanations are built on demand by
/// [`Groups::report`].
#[derive(Debug, Clone)]
pub struct Groups {
    pub(crate) forest: ControlForest,
    pub(crate) rules: RuleSwitches,
    pub(crate) ownership: OwnershipSettings,
    pub(crate) version: String,
    /// Whether a party or one of its controllers is a customer.
    pub(crate) customer_above: Vec<bool>,
    pub(crate) family_ties: Vec<FamilyTie>,
    pub(crate) family_of: HashMap<u32, Vec<usize>>,
    pub(crate) groups: Vec<Group>,
    pub(crate) group_of: Vec<u32>,
}

/// Union–find over party indices, with path halving and union by size.
struct Sets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    fn find(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            let grand = self.parent[self.parent[v as usize] as usize];
            self.parent[v as usize] = grand;
            v = grand;
        }
        v
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Identifies the groups of `graph` under the rules of `config`.
pub fn identify_groups(graph: &Graph, config: &GroupConfig) -> Groups {
    let n = graph.len();
    let rules = config.rules;
    let forest = ControlForest::settle(graph, &ControlRules::of(config));

    // Parties by depth in the control tree: parents before children.
    let max_depth = (0..n as u32).map(|v| forest.depth_of(v)).max().unwrap_or(0) as usize;
    let mut by_depth = vec![0u32; max_depth + 2];
    for v in 0..n as u32 {
        by_depth[forest.depth_of(v) as usize + 1] += 1;
    }
    for d in 0..=max_depth {
        by_depth[d + 1] += by_depth[d];
    }
    let mut order = vec![0u32; n];
    for v in 0..n as u32 {
        let slot = &mut by_depth[forest.depth_of(v) as usize];
        order[*slot as usize] = v;
        *slot += 1;
    }
    let mut customer_above = vec![false; n];
    for &v in &order {
        customer_above[v as usize] =
            graph.customer_flag(v) || forest.parent_of(v).is_some_and(|p| customer_above[p as usize]);
    }
    let mut subtree = vec![1u32; n];
    for &v in order.iter().rev() {
        if let Some(p) = forest.parent_of(v) {
            subtree[p as usize] += subtree[v as usize];
        }
    }
    drop(order);

    let mut sets = Sets::new(n);
    for v in 0..n as u32 {
        if let Some(p) = forest.parent_of(v)
            && (rules.same_controller || customer_above[p as usize])
        {
            sets.union(v, p);
        }
    }
    for e in graph.edges() {
        let tie = match e.kind {
            RelationKind::Control => rules.control_agreement,
            RelationKind::Consolidation => rules.consolidation,
            RelationKind::SharedFunds => rules.shared_funds,
            _ => false,
        };
        // A control claim from outside the customers ties only under (d), like a
        // control tie.
        let claim = matches!(e.kind, RelationKind::Control | RelationKind::Consolidation);
        if tie && (!claim || rules.same_controller || customer_above[e.from as usize]) {
            sets.union(e.from, e.to);
        }
    }
    let family_ties =
        if rules.family { family_ties(graph, &forest, config.groups.family_hops) } else { Vec::new() };
    let mut family_of: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, t) in family_ties.iter().enumerate() {
        sets.union(t.a, t.b);
        family_of.entry(t.a).or_default().push(i);
        family_of.entry(t.b).or_default().push(i);
    }

    // Components with enough customers.
    let mut customers_in: HashMap<u32, u32> = HashMap::new();
    for v in 0..n as u32 {
        if graph.customer_flag(v) {
            let r = sets.find(v);
            if sets.size[r as usize] > 1 {
                *customers_in.entry(r).or_insert(0) += 1;
            }
        }
    }
    let min = config.groups.min_customer_members;
    let mut members: Vec<(u32, u32)> = Vec::new();
    for v in 0..n as u32 {
        let r = sets.find(v);
        if customers_in.get(&r).is_some_and(|&c| c >= min) {
            members.push((r, v));
        }
    }
    members.sort_unstable();
    let mut group_of = vec![NONE; n];
    let mut groups = Vec::new();
    for chunk in members.chunk_by(|a, b| a.0 == b.0) {
        let g = groups.len() as u32;
        let list: Vec<u32> = chunk.iter().map(|&(_, v)| v).collect();
        for &v in &list {
            group_of[v as usize] = g;
        }
        groups.push(Group {
            id: String::new(),
            head: NONE,
            customers: customers_in[&chunk[0].0],
            members: list,
        });
    }
    for (g, group) in groups.iter_mut().enumerate() {
        let head = group
            .members
            .iter()
            .copied()
            .filter(|&v| forest.parent_of(v).is_none_or(|p| group_of[p as usize] != g as u32))
            .max_by_key(|&v| (subtree[v as usize], std::cmp::Reverse(v)))
            // Control is acyclic, so some member has no controller inside the group.
            .unwrap_or(group.members[0]);
        group.head = head;
        group.id = format!("G-{}", graph.id_of(head));
    }
    // Heads are distinct parties, so id order is head order.
    groups.sort_unstable_by_key(|g| g.head);
    for (g, group) in groups.iter().enumerate() {
        for &v in &group.members {
            group_of[v as usize] = g as u32;
        }
    }

    Groups {
        forest,
        rules,
        ownership: config.ownership,
        version: config.version.clone(),
        customer_above,
        family_ties,
        family_of,
        groups,
        group_of,
    }
}

/// Family ties between actual controllers (parties nobody controls that control somebody)
/// at most `hops` family links apart, each found once from its smaller end.
fn family_ties(graph: &Graph, forest: &ControlForest, hops: u32) -> Vec<FamilyTie> {
    let is_controller = |v: u32| forest.parent_of(v).is_none() && !forest.children_of(v).is_empty();
    let family = |v: u32| {
        graph
            .out_of(v, RelationKind::Family)
            .map(|e| (e, graph.edge(e).to))
            .chain(graph.in_of(v, RelationKind::Family).iter().map(|&e| (e, graph.edge(e).from)))
    };
    let mut ties = Vec::new();
    for r in 0..graph.len() as u32 {
        if !is_controller(r) || family(r).next().is_none() {
            continue;
        }
        // Breadth first, remembering the link each party was reached by.
        let mut reached: HashMap<u32, (u32, u32)> = HashMap::from([(r, (NONE, NONE))]);
        let mut frontier = vec![r];
        for _ in 0..hops {
            let mut next = Vec::new();
            for &v in &frontier {
                for (e, u) in family(v) {
                    if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(u) {
                        slot.insert((v, e));
                        next.push(u);
                    }
                }
            }
            next.sort_unstable();
            frontier = next;
        }
        let mut found: Vec<u32> = reached.keys().copied().filter(|&q| q > r && is_controller(q)).collect();
        found.sort_unstable();
        for q in found {
            let mut edges = Vec::new();
            let mut u = q;
            while u != r {
                let (prev, e) = reached[&u];
                edges.push(e);
                u = prev;
            }
            edges.reverse();
            ties.push(FamilyTie { a: r, b: q, edges });
        }
    }
    ties
}

impl Groups {
    /// Every group, in id order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The group `p` is a member of.
    pub fn group_of(&self, p: PartyIx) -> Option<&Group> {
        self.groups.get(*self.group_of.get(p.index())? as usize)
    }

    /// The group with this id.
    pub fn find(&self, id: &str) -> Option<&Group> {
        self.groups.binary_search_by(|g| g.id.as_str().cmp(id)).ok().map(|i| &self.groups[i])
    }

    /// The control tree the groups were built on.
    pub fn control(&self) -> &ControlForest {
        &self.forest
    }

    /// The version of the configuration used.
    pub fn config_version(&self) -> &str {
        &self.version
    }

    pub(crate) fn index_of(&self, group: &Group) -> u32 {
        self.group_of[group.head as usize]
    }

    /// Whether the control tie of `x` to its parent counts, and under which rule.
    pub(crate) fn tree_tie_rule(&self, x: u32) -> Option<GroupRule> {
        let p = self.forest.parent_of(x)?;
        self.claim_rule(p, GroupRule::of_basis(self.forest.basis_of(x)?))
    }

    /// The rule under which a control claim by `controller` ties, if it does: its own rule
    /// when a customer is at or above the controller, else (d) when that is on.
    pub(crate) fn claim_rule(&self, controller: u32, own: GroupRule) -> Option<GroupRule> {
        if self.customer_above[controller as usize] {
            Some(own)
        } else if self.rules.same_controller {
            Some(GroupRule::SameController)
        } else {
            None
        }
    }
}
