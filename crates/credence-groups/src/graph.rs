//! The relationship graph as of a date: parties interned to dense indices in id order,
//! links that are active on that date as edges in compressed sparse rows.
//!
//! Party ids are sorted before indices are handed out, so index order is id order: every
//! "sort by id" in this crate is a sort of integers, and the same links give the same
//! indices whatever order they arrive in. Ids and names live in one string buffer each
//! (no allocation per party). Edges are sorted by (from, kind, to), so the outgoing edges
//! of a party are one slice and those of one kind a sub-slice; incoming edges are an index
//! array sorted by (to, kind, from).

use std::collections::HashMap;

use chrono::NaiveDate;
use credence_domain::{Currency, Labelled, Money, RelationKind};

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::intern::{IdMap, StrTable};

/// 100% in parts per million, the unit percentages are kept in: integer sums make the
/// "more than 50%" boundary exact (50% is 500,000; 50.01% is 500,100).
pub(crate) const FULL_PPM: u32 = 1_000_000;
/// "No party" in parent and predecessor arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// One relationship record, as the store holds it (schema `relationships`, DATA-5).
///
/// Directions follow [`RelationKind`]: the holder, controller, consolidating parent,
/// guarantor or supplier is `from`. Percentages are 0–100; `voting_pct` defaults to
/// `share_pct` and, for a holding recorded with voting rights only, `share_pct` to
/// `voting_pct`. `amount` is in minor units of `currency` (CNY when no currency is given).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub kind: RelationKind,
    pub from: String,
    pub from_name: Option<String>,
    pub to: String,
    pub to_name: Option<String>,
    pub share_pct: Option<f64>,
    pub voting_pct: Option<f64>,
    pub amount: Option<i64>,
    pub currency: Option<Currency>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Kept for family ties (the degree: 配偶, 兄弟姐妹 …), which explanations quote.
    pub description: Option<String>,
}

impl Link {
    /// A link of `kind` from `from` to `to` with nothing else set.
    pub fn new(kind: RelationKind, from: impl Into<String>, to: impl Into<String>) -> Link {
        Link {
            kind,
            from: from.into(),
            from_name: None,
            to: to.into(),
            to_name: None,
            share_pct: None,
            voting_pct: None,
            amount: None,
            currency: None,
            start: None,
            end: None,
            description: None,
        }
    }

    /// A shareholding of `pct` percent (capital and votes).
    pub fn holding(from: impl Into<String>, to: impl Into<String>, pct: f64) -> Link {
        Link { share_pct: Some(pct), ..Link::new(RelationKind::Ownership, from, to) }
    }

    /// A guarantee of `minor` units of `currency` by `guarantor` for `borrower`.
    pub fn guarantee(
        guarantor: impl Into<String>,
        borrower: impl Into<String>,
        minor: i64,
        currency: Currency,
    ) -> Link {
        Link {
            amount: Some(minor),
            currency: Some(currency),
            ..Link::new(RelationKind::Guarantee, guarantor, borrower)
        }
    }

    /// Whether the link counts on `as_of`: started on or before it and not yet ended
    /// (a link ending on `as_of` has ended).
    pub fn is_active(&self, as_of: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= as_of) && self.end.is_none_or(|e| e > as_of)
    }
}

/// A party of the graph. Indices follow id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartyIx(pub(crate) u32);

impl PartyIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An active link between two parties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) kind: RelationKind,
    /// Capital share in ppm (ownership only, else 0).
    pub(crate) share: u32,
    /// Voting share in ppm (ownership only, else 0).
    pub(crate) voting: u32,
    pub(crate) amount: Option<Money>,
}

impl Edge {
    pub fn from(&self) -> PartyIx {
        PartyIx(self.from)
    }

    pub fn to(&self) -> PartyIx {
        PartyIx(self.to)
    }

    pub fn kind(&self) -> RelationKind {
        self.kind
    }

    /// Capital share in percent, for a holding.
    pub fn share_pct(&self) -> Option<f64> {
        (self.kind == RelationKind::Ownership).then(|| pct_of_ppm(self.share))
    }

    /// Voting share in percent, for a holding.
    pub fn voting_pct(&self) -> Option<f64> {
        (self.kind == RelationKind::Ownership).then(|| pct_of_ppm(self.voting))
    }

    /// The guaranteed amount.
    pub fn amount(&self) -> Option<Money> {
        self.amount
    }
}

pub(crate) fn pct_of_ppm(ppm: u32) -> f64 {
    f64::from(ppm) / 10_000.0
}

/// Percent to ppm, rounded to the nearest; `None` outside 0–100 or not a number.
fn ppm_of_pct(pct: f64) -> Option<u32> {
    (pct.is_finite() && (0.0..=100.0).contains(&pct)).then(|| (pct * 10_000.0).round() as u32)
}

/// Collects customers and links, then [`GraphBuilder::build`]s the [`Graph`]. Links not
/// active on the as-of date are skipped as they arrive, so a long history costs nothing.
#[derive(Debug)]
pub struct GraphBuilder {
    as_of: NaiveDate,
    index: IdMap,
    names: Vec<Option<Box<str>>>,
    customer: Vec<bool>,
    edges: Vec<Edge>,
    family_notes: Vec<(u32, Box<str>)>,
    diagnostics: Vec<Diagnostic>,
    inactive: u64,
}

impl GraphBuilder {
    pub fn new(as_of: NaiveDate) -> GraphBuilder {
        GraphBuilder {
            as_of,
            index: IdMap::default(),
            names: Vec::new(),
            customer: Vec::new(),
            edges: Vec::new(),
            family_notes: Vec::new(),
            diagnostics: Vec::new(),
            inactive: 0,
        }
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = u32::try_from(self.names.len()).expect("fewer than 2^32 parties");
        self.index.insert(id.into(), i);
        self.names.push(None);
        self.customer.push(false);
        i
    }

    fn name(&mut self, i: u32, name: Option<&str>) {
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            self.names[i as usize].get_or_insert_with(|| n.into());
        }
    }

    /// Declares a customer (a party whose credit the user manages). Customers matter for
    /// group membership counts, exposure and contagion reports.
    pub fn add_customer(&mut self, id: &str, name: Option<&str>) {
        let i = self.intern(id);
        self.customer[i as usize] = true;
        self.name(i, name);
    }

    /// Adds a link if it is active on the as-of date; a link that cannot be used (a party
    /// linked to itself, a percentage outside 0–100, a holding without percentage) is
    /// skipped with a diagnostic.
    pub fn add_link(&mut self, link: &Link) {
        if !link.is_active(self.as_of) {
            self.inactive += 1;
            return;
        }
        let parties = || vec![link.from.clone(), link.to.clone()];
        if link.from == link.to {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticCode::SelfLink,
                parties(),
                format!("{} link from {} to itself ignored", link.kind.code(), link.from),
            ));
            return;
        }
        let (mut share, mut voting) = (0, 0);
        if link.kind == RelationKind::Ownership {
            let parse = |v: Option<f64>| v.map(|p| ppm_of_pct(p).ok_or(p)).transpose();
            match (parse(link.share_pct), parse(link.voting_pct)) {
                (Err(bad), _) | (_, Err(bad)) => {
                    self.diagnostics.push(Diagnostic::new(
                        DiagnosticCode::PercentOutOfRange,
                        parties(),
                        format!("holding of {} in {}: {bad} is not a percentage 0–100", link.from, link.to),
                    ));
                    return;
                }
                (Ok(None), Ok(None)) => {
                    self.diagnostics.push(Diagnostic::new(
                        DiagnosticCode::HoldingWithoutPercent,
                        parties(),
                        format!("holding of {} in {} has no percentage", link.from, link.to),
                    ));
                    return;
                }
                (Ok(s), Ok(v)) => {
                    share = s.or(v).unwrap_or(0);
                    voting = v.or(s).unwrap_or(0);
                }
            }
        }
        let amount = link.amount.map(|minor| Money::new(minor, link.currency.unwrap_or(Currency::CNY)));
        let from = self.intern(&link.from);
        let to = self.intern(&link.to);
        self.name(from, link.from_name.as_deref());
        self.name(to, link.to_name.as_deref());
        if link.kind == RelationKind::Family
            && let Some(note) = link.description.as_deref().map(str::trim).filter(|d| !d.is_empty())
        {
            let e = u32::try_from(self.edges.len()).expect("fewer than 2^32 links");
            self.family_notes.push((e, note.into()));
        }
        self.edges.push(Edge { from, to, kind: link.kind, share, voting, amount });
    }

    /// Interns, sorts and indexes everything added.
    pub fn build(self) -> Graph {
        let GraphBuilder {
            as_of,
            index,
            names,
            customer,
            mut edges,
            family_notes,
            mut diagnostics,
            inactive,
        } = self;
        let mut order: Vec<(Box<str>, u32)> = index.into_iter().collect();
        order.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let n = order.len();
        let mut new_of = vec![0u32; n];
        let mut ids = StrTable::default();
        let mut name_table = StrTable::default();
        let mut is_customer = Vec::with_capacity(n);
        for (new, (id, old)) in order.iter().enumerate() {
            new_of[*old as usize] = new as u32;
            ids.push(id);
            name_table.push(names[*old as usize].as_deref().unwrap_or(""));
            is_customer.push(customer[*old as usize]);
        }
        drop(order);
        drop(names);

        // Remember each edge's arrival so family notes follow their edge through the sort.
        let mut arrival: Vec<u32> = (0..edges.len() as u32).collect();
        for e in &mut edges {
            e.from = new_of[e.from as usize];
            e.to = new_of[e.to as usize];
        }
        // Stable on arrival: of duplicates, the first given is kept.
        arrival.sort_by_key(|&i| {
            let e = &edges[i as usize];
            (e.from, e.kind, e.to)
        });
        let mut sorted = Vec::with_capacity(edges.len());
        let mut notes_by_arrival: HashMap<u32, Box<str>> = family_notes.into_iter().collect();
        let mut family_notes = HashMap::new();
        for &i in &arrival {
            let e = edges[i as usize];
            if let Some(last) = sorted.last()
                && same_link(last, &e)
            {
                diagnostics.push(Diagnostic::new(
                    DiagnosticCode::DuplicateLink,
                    vec![ids.get(e.from as usize).to_owned(), ids.get(e.to as usize).to_owned()],
                    format!(
                        "{} link from {} to {} given twice; the first is used",
                        e.kind.code(),
                        ids.get(e.from as usize),
                        ids.get(e.to as usize)
                    ),
                ));
                continue;
            }
            if let Some(note) = notes_by_arrival.remove(&i) {
                family_notes.insert(sorted.len() as u32, note);
            }
            sorted.push(e);
        }
        drop(edges);
        drop(arrival);
        let edges = sorted;

        let mut out_start = vec![0u32; n + 1];
        let mut in_start = vec![0u32; n + 1];
        for e in &edges {
            out_start[e.from as usize + 1] += 1;
            in_start[e.to as usize + 1] += 1;
        }
        for i in 0..n {
            out_start[i + 1] += out_start[i];
            in_start[i + 1] += in_start[i];
        }
        // Counting sort by target keeps (from, kind) order within a target; re-sort each
        // short bucket by (kind, from).
        let mut fill = in_start.clone();
        let mut in_edges = vec![0u32; edges.len()];
        for (i, e) in edges.iter().enumerate() {
            let slot = &mut fill[e.to as usize];
            in_edges[*slot as usize] = i as u32;
            *slot += 1;
        }
        for v in 0..n {
            let bucket = &mut in_edges[in_start[v] as usize..in_start[v + 1] as usize];
            bucket.sort_unstable_by_key(|&i| (edges[i as usize].kind, edges[i as usize].from));
        }

        let mut graph = Graph {
            as_of,
            ids,
            names: name_table,
            is_customer,
            edges,
            out_start,
            in_start,
            in_edges,
            family_notes,
            diagnostics,
            inactive,
        };
        let totals = graph.holding_total_diagnostics();
        graph.diagnostics.extend(totals);
        graph
    }
}

fn same_link(a: &Edge, b: &Edge) -> bool {
    (a.from, a.kind, a.to) == (b.from, b.kind, b.to)
}

/// The relationship graph on one date. Immutable once built; every analysis takes `&Graph`.
#[derive(Debug, Clone)]
pub struct Graph {
    as_of: NaiveDate,
    ids: StrTable,
    names: StrTable,
    is_customer: Vec<bool>,
    edges: Vec<Edge>,
    out_start: Vec<u32>,
    in_start: Vec<u32>,
    in_edges: Vec<u32>,
    family_notes: HashMap<u32, Box<str>>,
    diagnostics: Vec<Diagnostic>,
    inactive: u64,
}

impl Graph {
    /// Builds the graph of `links` active on `as_of`, with `customers` marked.
    pub fn build<'a>(
        as_of: NaiveDate,
        customers: impl IntoIterator<Item = &'a str>,
        links: &[Link],
    ) -> Graph {
        let mut b = GraphBuilder::new(as_of);
        for c in customers {
            b.add_customer(c, None);
        }
        for l in links {
            b.add_link(l);
        }
        b.build()
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Number of parties (customers and other parties that appear in active links).
    pub fn party_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of active links (after duplicates were dropped).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Links skipped because they were not active on the as-of date.
    pub fn inactive_links(&self) -> u64 {
        self.inactive
    }

    /// The party with this id.
    pub fn find(&self, id: &str) -> Option<PartyIx> {
        let (mut lo, mut hi) = (0, self.ids.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.ids.get(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(PartyIx(mid as u32)),
            }
        }
        None
    }

    pub fn id(&self, p: PartyIx) -> &str {
        self.ids.get(p.index())
    }

    pub fn name(&self, p: PartyIx) -> Option<&str> {
        Some(self.names.get(p.index())).filter(|n| !n.is_empty())
    }

    pub fn is_customer(&self, p: PartyIx) -> bool {
        self.is_customer[p.index()]
    }

    /// Every party, in id order.
    pub fn parties(&self) -> impl Iterator<Item = PartyIx> + '_ {
        (0..self.ids.len() as u32).map(PartyIx)
    }

    /// Every active link, sorted by (from, kind, to).
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Problems found in the input; none of them stopped the build.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The description of a family tie (its degree), if one was given.
    pub(crate) fn family_note(&self, edge: u32) -> Option<&str> {
        self.family_notes.get(&edge).map(|s| &**s)
    }

    pub(crate) fn edge(&self, e: u32) -> &Edge {
        &self.edges[e as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn customer_flag(&self, v: u32) -> bool {
        self.is_customer[v as usize]
    }

    pub(crate) fn id_of(&self, v: u32) -> &str {
        self.ids.get(v as usize)
    }

    /// Outgoing edges of `v` (indices), all kinds.
    pub(crate) fn out_range(&self, v: u32) -> std::ops::Range<u32> {
        self.out_start[v as usize]..self.out_start[v as usize + 1]
    }

    /// Outgoing edges of `v` of `kind`, as edge indices in target order.
    pub(crate) fn out_of(&self, v: u32, kind: RelationKind) -> std::ops::Range<u32> {
        let r = self.out_range(v);
        let slice = &self.edges[r.start as usize..r.end as usize];
        let lo = slice.partition_point(|e| e.kind < kind) as u32;
        let hi = slice.partition_point(|e| e.kind <= kind) as u32;
        r.start + lo..r.start + hi
    }

    /// Incoming edges of `v`, all kinds, as edge indices sorted by (kind, from).
    pub(crate) fn in_all(&self, v: u32) -> &[u32] {
        &self.in_edges[self.in_start[v as usize] as usize..self.in_start[v as usize + 1] as usize]
    }

    /// Incoming edges of `v` of `kind`, as edge indices in source order.
    pub(crate) fn in_of(&self, v: u32, kind: RelationKind) -> &[u32] {
        let all = self.in_all(v);
        let lo = all.partition_point(|&e| self.edges[e as usize].kind < kind);
        let hi = all.partition_point(|&e| self.edges[e as usize].kind <= kind);
        &all[lo..hi]
    }

    /// Total votes held in `v` (ppm); more than 100% only with inconsistent data.
    pub(crate) fn votes_in(&self, v: u32) -> u64 {
        self.in_of(v, RelationKind::Ownership).iter().map(|&e| u64::from(self.edges[e as usize].voting)).sum()
    }

    /// Total capital held in `v` (ppm).
    pub(crate) fn shares_in(&self, v: u32) -> u64 {
        self.in_of(v, RelationKind::Ownership).iter().map(|&e| u64::from(self.edges[e as usize].share)).sum()
    }

    fn holding_total_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for v in 0..self.len() as u32 {
            let (votes, shares) = (self.votes_in(v), self.shares_in(v));
            if votes.max(shares) > u64::from(FULL_PPM) {
                out.push(Diagnostic::new(
                    DiagnosticCode::HoldingsAboveFull,
                    vec![self.id_of(v).to_owned()],
                    format!(
                        "holdings in {} add up to {}% of capital and {}% of votes; each holding \
                         counts in proportion to the total",
                        self.id_of(v),
                        format_ppm_u64(shares),
                        format_ppm_u64(votes)
                    ),
                ));
            }
        }
        out
    }
}

fn format_ppm_u64(ppm: u64) -> String {
    crate::explain::format_pct(ppm as f64 / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ids_are_indexed_in_id_order_whatever_the_arrival() {
        let links = [Link::holding("C3", "C1", 60.0), Link::holding("A", "C3", 10.0)];
        let g = Graph::build(day(2026, 1, 1), ["C2"], &links);
        let ids: Vec<&str> = g.parties().map(|p| g.id(p)).collect();
        assert_eq!(ids, ["A", "C1", "C2", "C3"]);
        assert_eq!(g.find("C3"), Some(PartyIx(3)));
        assert_eq!(g.find("B"), None);
        assert!(g.is_customer(g.find("C2").unwrap()));
        assert!(!g.is_customer(g.find("C1").unwrap()));
    }

    #[test]
    fn adjacency_by_kind_and_direction() {
        let links = [
            Link::holding("A", "B", 60.0),
            Link::guarantee("A", "B", 100, Currency::CNY),
            Link::holding("A", "C", 30.0),
            Link::new(RelationKind::SupplyChain, "C", "B"),
        ];
        let g = Graph::build(day(2026, 1, 1), [], &links);
        let (a, b) = (0, 1);
        let owned: Vec<u32> = g.out_of(a, RelationKind::Ownership).map(|e| g.edge(e).to).collect();
        assert_eq!(owned, [1, 2]);
        assert_eq!(g.out_of(a, RelationKind::Guarantee).len(), 1);
        assert_eq!(g.in_of(b, RelationKind::Ownership).len(), 1);
        assert_eq!(g.in_of(b, RelationKind::SupplyChain).len(), 1);
        assert_eq!(g.in_all(b).len(), 3);
    }

    #[test]
    fn unusable_links_become_diagnostics() {
        let links = [
            Link::holding("A", "A", 10.0),
            Link::holding("A", "B", 120.0),
            Link::new(RelationKind::Ownership, "A", "C"),
            Link::holding("A", "D", 60.0),
            Link::holding("A", "D", 70.0),
            Link::holding("E", "D", 60.0),
        ];
        let g = Graph::build(day(2026, 1, 1), [], &links);
        let codes: Vec<&str> = g.diagnostics().iter().map(|d| d.code.code()).collect();
        assert_eq!(
            codes,
            [
                "self_link",
                "percent_out_of_range",
                "holding_without_percent",
                "duplicate_link",
                "holdings_above_full"
            ]
        );
        assert_eq!(g.edge_count(), 2);
        let d = g.find("D").unwrap();
        assert_eq!(g.edges()[0].to(), d);
        assert_eq!(g.edges()[0].share_pct(), Some(60.0));
    }

    #[test]
    fn voting_and_share_default_to_each_other() {
        let links = [
            Link { voting_pct: Some(55.0), ..Link::new(RelationKind::Ownership, "A", "B") },
            Link {
                share_pct: Some(40.0),
                voting_pct: Some(51.0),
                ..Link::new(RelationKind::Ownership, "A", "C")
            },
        ];
        let g = Graph::build(day(2026, 1, 1), [], &links);
        assert_eq!((g.edges()[0].share_pct(), g.edges()[0].voting_pct()), (Some(55.0), Some(55.0)));
        assert_eq!((g.edges()[1].share_pct(), g.edges()[1].voting_pct()), (Some(40.0), Some(51.0)));
    }

    #[test]
    fn only_links_active_on_the_as_of_date_count() {
        let as_of = day(2026, 6, 30);
        let ended = Link { end: Some(as_of), ..Link::holding("A", "B", 60.0) };
        let future = Link { start: Some(day(2026, 7, 1)), ..Link::holding("A", "C", 60.0) };
        let running =
            Link { start: Some(as_of), end: Some(day(2026, 7, 1)), ..Link::holding("A", "D", 60.0) };
        let g = Graph::build(as_of, [], &[ended, future, running]);
        assert_eq!(g.edge_count(), 1);
        assert_eq!(g.inactive_links(), 2);
        assert_eq!(g.find("B"), None);
    }
}
