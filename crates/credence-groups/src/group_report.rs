//! A group with every member's rule and path from the head, as steps and sentences.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use credence_domain::RelationKind;
use serde::Serialize;

use crate::explain::{Step, push_unique, sentences};
use crate::graph::{Graph, PartyIx};
use crate::groups::{Group, GroupRule, Groups};
use crate::ownership::{Basis, look_through};

/// A group with the evidence for every member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub id: String,
    /// The configuration version the group was identified with.
    pub config_version: String,
    pub head: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_name: Option<String>,
    pub head_is_customer: bool,
    pub customer_count: usize,
    pub member_count: usize,
    /// The rules that tie members in, in rule order.
    pub rules: Vec<GroupRule>,
    /// The head first, then the others in id order.
    pub members: Vec<GroupMember>,
}

/// One member and why it belongs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub customer: bool,
    /// The rule of the tie that attaches the member; `None` for the head.
    pub rule: Option<GroupRule>,
    /// The top of the member's chain of control, if anybody controls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_controller: Option<String>,
    /// The head's look-through capital share in the member (see [`crate::ownership`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_effective_share_pct: Option<f64>,
    /// The path from the head: each tie's evidence, in order.
    pub steps: Vec<Step>,
    pub text_en: String,
    pub text_zh: String,
}

/// A tie between two members, as used on a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tie {
    /// The control tie of this party to its parent.
    Tree(u32, GroupRule),
    /// A control, consolidation or shared-funds link.
    Link(u32, GroupRule),
    /// A family tie between actual controllers (index).
    Family(usize),
}

impl Groups {
    /// The group with every member's explanation.
    pub fn report(&self, graph: &Graph, group: &Group) -> GroupReport {
        let g = self.index_of(group);
        let head = group.head;
        let prev = self.shortest_ties(graph, g, head);
        let effective: HashMap<u32, f64> =
            look_through(graph, head, Basis::Capital, true, &self.ownership).0.into_iter().collect();

        let mut members = Vec::with_capacity(group.members.len());
        let mut rules = Vec::new();
        let order = std::iter::once(head).chain(group.members.iter().copied().filter(|&m| m != head));
        for m in order {
            let mut ties = Vec::new();
            let mut u = m;
            // Every tie that joined the group is followed, so every member has a path.
            while let Some(&(from, tie)) = prev.get(&u) {
                ties.push(tie);
                u = from;
            }
            ties.reverse();
            let mut steps = Vec::new();
            let mut rule = None;
            for &tie in &ties {
                let (r, tie_steps) = self.tie_evidence(graph, tie);
                rule = Some(r);
                for s in tie_steps {
                    push_unique(&mut steps, s);
                }
            }
            if let Some(r) = rule
                && !rules.contains(&r)
            {
                rules.push(r);
            }
            let id = graph.id_of(m);
            let (text_en, text_zh) = if m == head {
                if self.forest.parent_of(m).is_none() {
                    (format!("{id} heads the group; nobody controls it"), format!("{id}为集团核心，无控制方"))
                } else {
                    (format!("{id} heads the group"), format!("{id}为集团核心"))
                }
            } else {
                sentences(&steps)
            };
            members.push(GroupMember {
                party: id.to_owned(),
                name: graph.name(PartyIx(m)).map(str::to_owned),
                customer: graph.customer_flag(m),
                rule,
                actual_controller: self.forest.actual_controller(PartyIx(m)).map(|c| graph.id(c).to_owned()),
                head_effective_share_pct: (m != head).then(|| effective.get(&m).map(|f| f * 100.0)).flatten(),
                steps,
                text_en,
                text_zh,
            });
        }
        rules.sort_unstable();
        GroupReport {
            id: group.id.clone(),
            config_version: self.version.clone(),
            head: graph.id_of(head).to_owned(),
            head_name: graph.name(PartyIx(head)).map(str::to_owned),
            head_is_customer: graph.customer_flag(head),
            customer_count: group.customer_count(),
            member_count: group.member_count(),
            rules,
            members,
        }
    }

    /// [`Groups::report`] of every group, in id order.
    pub fn reports(&self, graph: &Graph) -> Vec<GroupReport> {
        self.groups.iter().map(|g| self.report(graph, g)).collect()
    }

    /// The ties of member `v` of group `g`, with their costs.
    fn ties_of(&self, graph: &Graph, g: u32, v: u32) -> Vec<(u32, Tie, u32)> {
        let inside = |u: u32| self.group_of[u as usize] == g;
        let mut out = Vec::new();
        for &c in self.forest.children_of(v) {
            if let Some(rule) = self.tree_tie_rule(c)
                && inside(c)
            {
                out.push((c, Tie::Tree(c, rule), 1));
            }
        }
        if let Some(p) = self.forest.parent_of(v)
            && let Some(rule) = self.tree_tie_rule(v)
            && inside(p)
        {
            out.push((p, Tie::Tree(v, rule), 1));
        }
        for (kind, on, own, cost) in [
            (RelationKind::Control, self.rules.control_agreement, GroupRule::ControlAgreement, 2),
            (RelationKind::Consolidation, self.rules.consolidation, GroupRule::Consolidation, 2),
            (RelationKind::SharedFunds, self.rules.shared_funds, GroupRule::SharedFunds, 10),
        ] {
            if !on {
                continue;
            }
            let out_links = graph.out_of(v, kind);
            for e in out_links.chain(graph.in_of(v, kind).iter().copied()) {
                let edge = graph.edge(e);
                let u = if edge.from == v { edge.to } else { edge.from };
                let rule = if kind == RelationKind::SharedFunds {
                    Some(own)
                } else {
                    self.claim_rule(edge.from, own)
                };
                if let Some(rule) = rule
                    && inside(u)
                {
                    out.push((u, Tie::Link(e, rule), cost));
                }
            }
        }
        for &i in self.family_of.get(&v).into_iter().flatten() {
            let t = &self.family_ties[i];
            let u = if t.a == v { t.b } else { t.a };
            if inside(u) {
                out.push((u, Tie::Family(i), 10));
            }
        }
        out
    }

    /// Cheapest ties from the head to every member: member → (previous member, tie).
    fn shortest_ties(&self, graph: &Graph, g: u32, head: u32) -> HashMap<u32, (u32, Tie)> {
        let mut best: HashMap<u32, u32> = HashMap::from([(head, 0)]);
        let mut prev = HashMap::new();
        let mut heap = BinaryHeap::from([Reverse((0u32, head))]);
        while let Some(Reverse((cost, v))) = heap.pop() {
            if best.get(&v).is_some_and(|&b| b < cost) {
                continue;
            }
            for (u, tie, c) in self.ties_of(graph, g, v) {
                let next = cost + c;
                if best.get(&u).is_none_or(|&b| next < b) {
                    best.insert(u, next);
                    prev.insert(u, (v, tie));
                    heap.push(Reverse((next, u)));
                }
            }
        }
        prev
    }

    /// The rule and steps of one tie.
    fn tie_evidence(&self, graph: &Graph, tie: Tie) -> (GroupRule, Vec<Step>) {
        match tie {
            Tie::Tree(x, rule) => (rule, self.forest.tie_steps(graph, x)),
            Tie::Link(e, rule) => (rule, vec![Step::of_edge(graph, e)]),
            Tie::Family(i) => (
                GroupRule::Family,
                self.family_ties[i].edges.iter().map(|&e| Step::of_edge(graph, e)).collect(),
            ),
        }
    }
}
