//! Guarantee circles (担保圈) and long guarantee chains (担保链).
//!
//! A guarantee link runs from guarantor to borrower. A **circle** is an elementary cycle of
//! guarantees — a mutual pair (A guarantees B, B guarantees A), a triangle or longer: when
//! one member fails, the others' guarantees are called one after the other, and the circle
//! can fall as a whole. A **chain** is a path of guarantees: A guarantees B, B guarantees
//! C, …; the first guarantor ends up exposed to the last borrower.
//!
//! # Computation
//!
//! Circles live inside the strongly connected clusters of the guarantee graph, found by
//! Tarjan's algorithm (iterative, linear). In each cluster of two or more parties, the
//! elementary cycles up to `max_cycle_len` parties are enumerated by depth-first search
//! from each member in id order, visiting only members with a larger id, so each circle is
//! found once, starting at its smallest id. Dense clusters can hold exponentially many
//! circles: at most `max_cycles_per_cluster` are listed and at most `max_search_steps` links
//! followed per cluster; the cluster itself is always reported whole, with `truncated` set
//! when the listing stopped early.
//!
//! Chains are followed from every party nobody guarantees, to at most `max_chain_len`
//! links; a chain is listed when it cannot be extended (or reached the length bound) and
//! has at least `min_chain_len` links. Branches that cannot reach `min_chain_len` are not
//! followed: Tarjan's clusters come out in reverse topological order, so the longest
//! possible continuation from each cluster (its size plus the longest continuation of its
//! successors) is known for free. At most `max_chains` chains are listed and
//! `max_search_steps` links followed in all.

use credence_domain::{Money, RelationKind};
use serde::Serialize;

use crate::config::GuaranteeSettings;
use crate::explain::{format_money, money_opt, money_vec, totals};
use crate::graph::{Graph, NONE};

/// One guarantee.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeLink {
    pub guarantor: String,
    pub borrower: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "money_opt")]
    pub amount: Option<Money>,
}

/// A mutual pair or a longer circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircleKind {
    MutualPair,
    Circle,
}

/// A guarantee circle: members in order (each guarantees the next, the last the first),
/// starting at the smallest id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeCircle {
    pub kind: CircleKind,
    pub members: Vec<String>,
    pub links: Vec<GuaranteeLink>,
    /// Guaranteed amounts summed per currency.
    #[serde(serialize_with = "money_vec")]
    pub totals: Vec<Money>,
    pub text_en: String,
    pub text_zh: String,
}

/// A strongly connected cluster of guarantees: every member is exposed to every other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeCluster {
    pub members: Vec<String>,
    /// Guarantee links inside the cluster.
    pub links: usize,
    /// Circles listed for the cluster.
    pub circles_listed: usize,
    /// The listing stopped at a bound: the cluster may hold more circles.
    pub truncated: bool,
}

/// A guarantee chain: each party guarantees the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeChain {
    pub parties: Vec<String>,
    pub links: Vec<GuaranteeLink>,
    #[serde(serialize_with = "money_vec")]
    pub totals: Vec<Money>,
    pub text_en: String,
    pub text_zh: String,
}

/// Circles, their clusters and long chains of a graph's guarantees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeReport {
    /// Clusters of two or more parties, by smallest member id.
    pub clusters: Vec<GuaranteeCluster>,
    /// Circles, cluster by cluster.
    pub circles: Vec<GuaranteeCircle>,
    pub chains: Vec<GuaranteeChain>,
    /// The chain listing stopped at a bound.
    pub chains_truncated: bool,
}

/// Strongly connected clusters of the guarantee links.
struct Clusters {
    /// Cluster of each party (`NONE` for parties without guarantees).
    of: Vec<u32>,
    /// Members of each cluster, in id order.
    members: Vec<Vec<u32>>,
    /// Most parties on a simple path starting in each cluster (an upper bound).
    reach: Vec<u32>,
}

fn guaranteed(graph: &Graph, v: u32) -> impl Iterator<Item = u32> + '_ {
    graph.out_of(v, RelationKind::Guarantee)
}

/// Tarjan's algorithm without recursion.
fn clusters(graph: &Graph) -> Clusters {
    let n = graph.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut of = vec![NONE; n];
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut reach: Vec<u32> = Vec::new();
    let mut next_index = 0u32;
    let mut calls: Vec<(u32, std::ops::Range<u32>)> = Vec::new();
    for start in 0..n as u32 {
        if index[start as usize] != NONE || guaranteed(graph, start).next().is_none() {
            continue;
        }
        index[start as usize] = next_index;
        low[start as usize] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start as usize] = true;
        calls.push((start, graph.out_of(start, RelationKind::Guarantee)));
        while let Some((v, edges)) = calls.last_mut() {
            let v = *v;
            if let Some(e) = edges.next() {
                let u = graph.edge(e).to;
                if index[u as usize] == NONE {
                    index[u as usize] = next_index;
                    low[u as usize] = next_index;
                    next_index += 1;
                    stack.push(u);
                    on_stack[u as usize] = true;
                    calls.push((u, graph.out_of(u, RelationKind::Guarantee)));
                } else if on_stack[u as usize] {
                    low[v as usize] = low[v as usize].min(index[u as usize]);
                }
                continue;
            }
            calls.pop();
            if let Some((parent, _)) = calls.last() {
                low[*parent as usize] = low[*parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let c = members.len() as u32;
                let mut list = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w as usize] = false;
                    of[w as usize] = c;
                    list.push(w);
                    if w == v {
                        break;
                    }
                }
                list.sort_unstable();
                // Successor clusters are complete: Tarjan emits them first.
                let onward = list
                    .iter()
                    .flat_map(|&w| guaranteed(graph, w).map(|e| of[graph.edge(e).to as usize]))
                    .filter(|&d| d != c)
                    .map(|d| reach[d as usize])
                    .max()
                    .unwrap_or(0);
                reach.push(list.len() as u32 + onward);
                members.push(list);
            }
        }
    }
    Clusters { of, members, reach }
}

fn link(graph: &Graph, e: u32) -> GuaranteeLink {
    let edge = graph.edge(e);
    GuaranteeLink {
        guarantor: graph.id_of(edge.from).to_owned(),
        borrower: graph.id_of(edge.to).to_owned(),
        amount: edge.amount,
    }
}

fn describe(links: &[GuaranteeLink]) -> (String, String) {
    let (en, zh): (Vec<String>, Vec<String>) = links
        .iter()
        .map(|l| match l.amount {
            Some(m) => {
                let a = format_money(m);
                (
                    format!("{} guarantees {} ({a})", l.guarantor, l.borrower),
                    format!("{}为{}提供担保（{a}）", l.guarantor, l.borrower),
                )
            }
            None => (
                format!("{} guarantees {}", l.guarantor, l.borrower),
                format!("{}为{}提供担保", l.guarantor, l.borrower),
            ),
        })
        .unzip();
    (en.join("; "), zh.join("；"))
}

/// Finds guarantee circles, their clusters and long chains.
pub fn guarantee_structures(graph: &Graph, settings: &GuaranteeSettings) -> GuaranteeReport {
    let found = clusters(graph);
    let mut on_path = vec![false; graph.len()];
    let mut report = GuaranteeReport {
        clusters: Vec::new(),
        circles: Vec::new(),
        chains: Vec::new(),
        chains_truncated: false,
    };
    for (c, members) in found.members.iter().enumerate() {
        if members.len() < 2 {
            continue;
        }
        let (circles, truncated) = circles_in(graph, &found, c as u32, &mut on_path, settings);
        let links = members
            .iter()
            .map(|&v| {
                guaranteed(graph, v).filter(|&e| found.of[graph.edge(e).to as usize] == c as u32).count()
            })
            .sum();
        report.clusters.push(GuaranteeCluster {
            members: members.iter().map(|&v| graph.id_of(v).to_owned()).collect(),
            links,
            circles_listed: circles.len(),
            truncated,
        });
        for edges in circles {
            let links: Vec<GuaranteeLink> = edges.iter().map(|&e| link(graph, e)).collect();
            let (text_en, text_zh) = describe(&links);
            report.circles.push(GuaranteeCircle {
                kind: if edges.len() == 2 { CircleKind::MutualPair } else { CircleKind::Circle },
                members: links.iter().map(|l| l.guarantor.clone()).collect(),
                totals: totals(links.iter().filter_map(|l| l.amount)),
                links,
                text_en,
                text_zh,
            });
        }
    }
    report.clusters.sort_by(|a, b| a.members[0].cmp(&b.members[0]));
    report.circles.sort_by(|a, b| a.members[0].cmp(&b.members[0]));
    let (chains, truncated) = chains(graph, &found, &mut on_path, settings);
    report.chains_truncated = truncated;
    report.chains = chains
        .into_iter()
        .map(|edges| {
            let links: Vec<GuaranteeLink> = edges.iter().map(|&e| link(graph, e)).collect();
            let (text_en, text_zh) = describe(&links);
            let mut parties: Vec<String> = links.iter().map(|l| l.guarantor.clone()).collect();
            parties.extend(links.last().map(|l| l.borrower.clone()));
            GuaranteeChain {
                parties,
                totals: totals(links.iter().filter_map(|l| l.amount)),
                links,
                text_en,
                text_zh,
            }
        })
        .collect();
    report
}

/// The circles of cluster `c` as lists of links, and whether a bound stopped the search.
fn circles_in(
    graph: &Graph,
    found: &Clusters,
    c: u32,
    on_path: &mut [bool],
    settings: &GuaranteeSettings,
) -> (Vec<Vec<u32>>, bool) {
    let max_len = settings.max_cycle_len as usize;
    let cap = settings.max_cycles_per_cluster as usize;
    let mut steps = 0u64;
    let mut circles = Vec::new();
    let mut path_edges: Vec<u32> = Vec::new();
    let mut frames: Vec<(u32, std::ops::Range<u32>)> = Vec::new();
    for &s in &found.members[c as usize] {
        on_path[s as usize] = true;
        frames.push((s, graph.out_of(s, RelationKind::Guarantee)));
        let mut stopped = false;
        while let Some((_, edges)) = frames.last_mut() {
            let Some(e) = edges.next() else {
                let (v, _) = frames.pop().expect("not empty");
                on_path[v as usize] = false;
                path_edges.pop();
                continue;
            };
            steps += 1;
            if steps > settings.max_search_steps {
                stopped = true;
                break;
            }
            let u = graph.edge(e).to;
            if u == s {
                if !path_edges.is_empty() {
                    let mut circle = path_edges.clone();
                    circle.push(e);
                    circles.push(circle);
                    if circles.len() >= cap {
                        stopped = true;
                        break;
                    }
                }
            } else if found.of[u as usize] == c && u > s && !on_path[u as usize] && frames.len() < max_len {
                on_path[u as usize] = true;
                path_edges.push(e);
                frames.push((u, graph.out_of(u, RelationKind::Guarantee)));
            }
        }
        for (v, _) in frames.drain(..) {
            on_path[v as usize] = false;
        }
        path_edges.clear();
        if stopped {
            return (circles, true);
        }
    }
    (circles, false)
}

/// Maximal guarantee paths of at least `min_chain_len` links from parties nobody
/// guarantees, as lists of links, and whether a bound stopped the search.
fn chains(
    graph: &Graph,
    found: &Clusters,
    on_path: &mut [bool],
    settings: &GuaranteeSettings,
) -> (Vec<Vec<u32>>, bool) {
    let (min_len, max_len) = (settings.min_chain_len as usize, settings.max_chain_len as usize);
    let mut out = Vec::new();
    let mut steps = 0u64;
    // Links still possible after reaching `u`.
    let onward = |u: u32| found.reach[found.of[u as usize] as usize] as usize - 1;
    let mut path_edges: Vec<u32> = Vec::new();
    // (party, its links, whether the path was extended from it)
    let mut frames: Vec<(u32, std::ops::Range<u32>, bool)> = Vec::new();
    for s in 0..graph.len() as u32 {
        if found.of[s as usize] == NONE
            || !graph.in_of(s, RelationKind::Guarantee).is_empty()
            || onward(s) < min_len
        {
            continue;
        }
        on_path[s as usize] = true;
        frames.push((s, graph.out_of(s, RelationKind::Guarantee), false));
        let mut stopped = false;
        while let Some((_, edges, extended)) = frames.last_mut() {
            let len = path_edges.len();
            let next = if len < max_len { edges.next() } else { None };
            let Some(e) = next else {
                if !*extended && len >= min_len {
                    out.push(path_edges.clone());
                    if out.len() >= settings.max_chains as usize {
                        stopped = true;
                    }
                }
                let (v, _, _) = frames.pop().expect("not empty");
                on_path[v as usize] = false;
                path_edges.pop();
                if stopped {
                    break;
                }
                continue;
            };
            steps += 1;
            if steps > settings.max_search_steps {
                stopped = true;
                break;
            }
            let u = graph.edge(e).to;
            if on_path[u as usize] {
                continue;
            }
            *extended = true;
            if len + 1 + onward(u) < min_len {
                continue;
            }
            on_path[u as usize] = true;
            path_edges.push(e);
            frames.push((u, graph.out_of(u, RelationKind::Guarantee), false));
        }
        for (v, _, _) in frames.drain(..) {
            on_path[v as usize] = false;
        }
        path_edges.clear();
        if stopped {
            return (out, true);
        }
    }
    (out, false)
}
