//! A party's neighbourhood — every party within k links, whatever their kind and
//! direction — as Graphviz DOT or JSON, for drawing and for the UI.

use std::collections::HashMap;
use std::fmt::Write;

use credence_domain::{Labelled, Money, RelationKind};
use serde::Serialize;

use crate::explain::{Lang, format_money, format_pct, money_opt};
use crate::graph::{Graph, PartyIx};

/// A party in a neighbourhood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeighbourNode {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub customer: bool,
    /// Links from the centre.
    pub distance: u32,
}

/// A link in a neighbourhood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeighbourEdge {
    pub from: String,
    pub to: String,
    pub kind: RelationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voting_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "money_opt")]
    pub amount: Option<Money>,
}

/// The parties within `hops` links of a centre and every link among them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbourhood {
    pub center: String,
    pub hops: u32,
    /// In id order.
    pub nodes: Vec<NeighbourNode>,
    /// In (from, kind, to) order.
    pub edges: Vec<NeighbourEdge>,
    /// `max_nodes` was reached: farther parties were left out.
    pub truncated: bool,
}

/// The neighbourhood of `center` up to `hops` links, with at most `max_nodes` parties
/// (nearest first, then by id).
pub fn neighbourhood(graph: &Graph, center: PartyIx, hops: u32, max_nodes: usize) -> Neighbourhood {
    let mut distance: HashMap<u32, u32> = HashMap::from([(center.0, 0)]);
    let mut frontier = vec![center.0];
    let mut truncated = false;
    'outer: for d in 1..=hops {
        let mut next: Vec<u32> = frontier
            .iter()
            .flat_map(|&v| {
                graph
                    .out_range(v)
                    .map(|e| graph.edge(e).to)
                    .chain(graph.in_all(v).iter().map(|&e| graph.edge(e).from))
            })
            .filter(|u| !distance.contains_key(u))
            .collect();
        next.sort_unstable();
        next.dedup();
        for &u in &next {
            if distance.len() >= max_nodes.max(1) {
                truncated = true;
                break 'outer;
            }
            distance.insert(u, d);
        }
        frontier = next;
    }
    let mut members: Vec<u32> = distance.keys().copied().collect();
    members.sort_unstable();
    let nodes = members
        .iter()
        .map(|&v| NeighbourNode {
            id: graph.id_of(v).to_owned(),
            name: graph.name(PartyIx(v)).map(str::to_owned),
            customer: graph.customer_flag(v),
            distance: distance[&v],
        })
        .collect();
    let edges = members
        .iter()
        .flat_map(|&v| graph.out_range(v))
        .map(|e| graph.edge(e))
        .filter(|e| distance.contains_key(&e.to))
        .map(|e| NeighbourEdge {
            from: graph.id_of(e.from).to_owned(),
            to: graph.id_of(e.to).to_owned(),
            kind: e.kind,
            share_pct: e.share_pct(),
            voting_pct: e.voting_pct(),
            amount: e.amount,
        })
        .collect();
    Neighbourhood { center: graph.id(center).to_owned(), hops, nodes, edges, truncated }
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`.
/// Chinese text needs no escaping (DOT is UTF-8).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl NeighbourEdge {
    fn label(&self, lang: Lang) -> String {
        let kind = match lang {
            Lang::En => self.kind.code().replace('_', " "),
            Lang::Zh => self.kind.name_zh().to_owned(),
        };
        match (self.share_pct, self.voting_pct, self.amount) {
            (Some(s), Some(v), _) if s != v => match lang {
                Lang::En => format!("{kind} {}% (votes {}%)", format_pct(s), format_pct(v)),
                Lang::Zh => format!("{kind} {}%（表决权{}%）", format_pct(s), format_pct(v)),
            },
            (Some(s), _, _) => format!("{kind} {}%", format_pct(s)),
            (_, _, Some(m)) => format!("{kind} {}", format_money(m)),
            _ => kind,
        }
    }
}

impl Neighbourhood {
    /// Graphviz DOT: customers as boxes, other parties as ellipses, the centre filled;
    /// family and shared-funds links undirected, guarantees dashed.
    pub fn to_dot(&self, lang: Lang) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph {} {{", quote(&self.center));
        out.push_str("  graph [charset=\"UTF-8\", rankdir=LR, fontname=\"Noto Sans CJK SC\"];\n");
        out.push_str("  node [fontname=\"Noto Sans CJK SC\"];\n");
        out.push_str("  edge [fontname=\"Noto Sans CJK SC\", fontsize=10];\n");
        for n in &self.nodes {
            let label = match &n.name {
                Some(name) => format!("{}\n{name}", n.id),
                None => n.id.clone(),
            };
            let shape = if n.customer { "box" } else { "ellipse" };
            let fill = if n.id == self.center { ", style=filled, fillcolor=\"#ffe9a8\"" } else { "" };
            let _ = writeln!(out, "  {} [label={}, shape={shape}{fill}];", quote(&n.id), quote(&label));
        }
        for e in &self.edges {
            let style = match e.kind {
                RelationKind::Family | RelationKind::SharedFunds => ", dir=none, style=dotted",
                RelationKind::Guarantee => ", style=dashed",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} -> {} [label={}{style}];",
                quote(&e.from),
                quote(&e.to),
                quote(&e.label(lang))
            );
        }
        out.push_str("}\n");
        out
    }

    /// The neighbourhood as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a neighbourhood holds only text, numbers and flags")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_is_safe_for_any_text() {
        assert_eq!(quote("张三"), "\"张三\"");
        assert_eq!(quote("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }
}
