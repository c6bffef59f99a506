//! Scale check: a synthetic portfolio of 1,000,000 companies and about 3,000,000 links
//! (ownership trees with person controllers, control agreements, consolidation, cash
//! pooling, family ties, guarantees with circles and mutual pairs, supply chains), then
//! graph build, group identification, guarantee circles and chains, and contagion from 1%
//! distressed customers, each timed, with the peak resident memory.
//!
//! Run with `cargo bench -p credence-groups --bench groups` (optionally a company count
//! as argument). Deterministic: a splitmix64 stream drives every draw.

use std::time::Instant;

use chrono::NaiveDate;
use credence_domain::{Currency, RelationKind};
use credence_groups::{
    DistressStatus, Distressed, GraphBuilder, GroupConfig, Link, guarantee_structures, identify_groups,
    propagate_contagion,
};

/// Companies per block: groups and guarantees stay inside a block, as in real portfolios
/// where they cluster by region and owner.
const BLOCK: u32 = 1000;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (((self.next() >> 32) * u64::from(n)) >> 32) as u32
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pct(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((lo + u * (hi - lo)) * 100.0).round() / 100.0
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Party {
    Company(u32),
    Person(u32),
}

/// A generated link, compact: formatted into a [`Link`] only when fed to the builder.
struct Raw {
    kind: RelationKind,
    from: Party,
    to: Party,
    share: f64,
    voting: f64,
    amount: i64,
}

fn raw(kind: RelationKind, from: Party, to: Party) -> Raw {
    Raw { kind, from, to, share: 0.0, voting: 0.0, amount: 0 }
}

fn own(from: Party, to: u32, share: f64) -> Raw {
    Raw { share, voting: share, ..raw(RelationKind::Ownership, from, Party::Company(to)) }
}

fn generate(companies: u32, rng: &mut SplitMix) -> Vec<Raw> {
    let mut out = Vec::with_capacity(companies as usize * 3);
    let mut persons = 0u32;
    let blocks = companies.div_ceil(BLOCK);
    for b in 0..blocks {
        let lo = b * BLOCK;
        let hi = (lo + BLOCK).min(companies);
        let n = hi - lo;
        let pick = |rng: &mut SplitMix| lo + rng.below(n);
        // Groups over the first 30% of the block.
        let mut c = lo;
        let grouped_end = lo + n * 3 / 10;
        let mut last_controller: Option<u32> = None;
        while c + 1 < grouped_end {
            let size = (2 + rng.below(7)).min(grouped_end - c);
            let members: Vec<u32> = (c..c + size).collect();
            c += size;
            let parent = members[0];
            for j in 1..members.len() {
                let sub = members[j];
                let holder =
                    if j >= 2 && rng.chance(0.35) { members[rng.below(j as u32) as usize] } else { parent };
                match rng.below(100) {
                    0..60 => out.push(own(Party::Company(holder), sub, rng.pct(51.0, 100.0))),
                    60..70 => out.push(own(Party::Company(holder), sub, 50.0)),
                    70..85 => out.push(own(Party::Company(holder), sub, rng.pct(30.0, 49.0))),
                    _ => {
                        let first = rng.pct(26.0, 40.0);
                        out.push(own(Party::Company(holder), sub, first));
                        let other = if holder == parent { members[1] } else { parent };
                        if other != holder && other != sub {
                            out.push(own(Party::Company(other), sub, rng.pct(52.0 - first, 65.0 - first)));
                        }
                    }
                }
                if rng.chance(0.4) {
                    out.push(raw(RelationKind::Consolidation, Party::Company(parent), Party::Company(sub)));
                }
                if rng.chance(0.1) {
                    out.push(raw(RelationKind::SharedFunds, Party::Company(parent), Party::Company(sub)));
                }
            }
            if rng.chance(0.7) {
                persons += 1;
                let person = Party::Person(persons);
                if rng.chance(0.65) {
                    out.push(own(person, parent, rng.pct(30.0, 90.0)));
                } else {
                    out.push(raw(RelationKind::Control, person, Party::Company(parent)));
                }
                if let Some(prev) = last_controller
                    && rng.chance(0.3)
                {
                    out.push(raw(RelationKind::Family, Party::Person(prev), person));
                }
                last_controller = Some(persons);
            }
        }
        // Minority holdings, control agreements, guarantees, supply chain.
        for _ in 0..n * 7 / 10 {
            let (a, t) = (pick(rng), pick(rng));
            out.push(own(Party::Company(a), t, rng.pct(1.0, 15.0)));
        }
        for _ in 0..n / 50 {
            let (a, t) = (pick(rng), pick(rng));
            out.push(raw(RelationKind::Control, Party::Company(a), Party::Company(t)));
        }
        for _ in 0..n * 6 / 10 {
            let (a, t) = (pick(rng), pick(rng));
            out.push(Raw {
                amount: i64::from(1 + rng.below(500)) * 1_000_000,
                ..raw(RelationKind::Guarantee, Party::Company(a), Party::Company(t))
            });
        }
        for len in [2, 2, 3, 4] {
            let ring: Vec<u32> = (0..len).map(|_| pick(rng)).collect();
            for i in 0..len {
                let (a, t) = (ring[i], ring[(i + 1) % len]);
                out.push(Raw {
                    amount: 50_000_000,
                    ..raw(RelationKind::Guarantee, Party::Company(a), Party::Company(t))
                });
            }
        }
        while out.len() < (u64::from(hi) * 3) as usize {
            // Most supply links stay in the region, some cross it.
            let a = pick(rng);
            let t = if rng.chance(0.8) { pick(rng) } else { rng.below(companies) };
            out.push(raw(RelationKind::SupplyChain, Party::Company(a), Party::Company(t)));
        }
    }
    out
}

fn set_id(buf: &mut String, p: Party) {
    use std::fmt::Write;
    buf.clear();
    let _ = match p {
        Party::Company(i) => write!(buf, "C{:07}", i + 1),
        Party::Person(i) => write!(buf, "P{i:07}"),
    };
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let companies: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let as_of = NaiveDate::from_ymd_opt(2026, 9, 30).expect("valid date");
    let config = GroupConfig::builtin();
    let mut rng = SplitMix(20_260_930);

    let t = Instant::now();
    let raws = generate(companies, &mut rng);
    println!("generate {companies} companies, {} links: {:.2} s", raws.len(), t.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut builder = GraphBuilder::new(as_of);
    let mut id = String::new();
    for c in 0..companies {
        // Nine companies in ten are customers.
        if c % 10 != 9 {
            set_id(&mut id, Party::Company(c));
            builder.add_customer(&id, None);
        }
    }
    let mut link = Link::new(RelationKind::Ownership, "", "");
    for r in &raws {
        link.kind = r.kind;
        set_id(&mut link.from, r.from);
        set_id(&mut link.to, r.to);
        let holding = r.kind == RelationKind::Ownership;
        link.share_pct = holding.then_some(r.share);
        link.voting_pct = holding.then_some(r.voting);
        link.amount = (r.amount > 0).then_some(r.amount);
        link.currency = (r.amount > 0).then_some(Currency::CNY);
        builder.add_link(&link);
    }
    drop(raws);
    let graph = builder.build();
    let build = t.elapsed().as_secs_f64();
    println!(
        "graph build: {build:.2} s ({} parties, {} links, {} diagnostics)",
        graph.party_count(),
        graph.edge_count(),
        graph.diagnostics().len()
    );

    let t = Instant::now();
    let groups = identify_groups(&graph, &config);
    let identify = t.elapsed().as_secs_f64();
    let in_groups: usize = groups.groups().iter().map(|g| g.customer_count()).sum();
    println!(
        "group identification: {identify:.2} s ({} groups, {in_groups} customers in groups, control settled in {} rounds, {} control diagnostics)",
        groups.len(),
        groups.control().rounds(),
        groups.control().diagnostics().len()
    );

    let t = Instant::now();
    let reports = groups.reports(&graph);
    let steps: usize = reports.iter().flat_map(|r| &r.members).map(|m| m.steps.len()).sum();
    println!("group reports with explanations: {:.2} s ({steps} evidence steps)", t.elapsed().as_secs_f64());
    drop(reports);

    let t = Instant::now();
    let guarantees = guarantee_structures(&graph, &config.guarantees);
    let cycles = t.elapsed().as_secs_f64();
    let pairs = guarantees.circles.iter().filter(|c| c.members.len() == 2).count();
    println!(
        "guarantee circles and chains: {cycles:.2} s ({} clusters, {} circles of which {pairs} mutual pairs, {} chains{})",
        guarantees.clusters.len(),
        guarantees.circles.len(),
        guarantees.chains.len(),
        if guarantees.chains_truncated { ", chain listing capped" } else { "" }
    );

    let t = Instant::now();
    let mut distressed = Vec::new();
    let mut pick = SplitMix(7);
    while distressed.len() < (companies / 100) as usize {
        set_id(&mut id, Party::Company(pick.below(companies)));
        let status = if pick.chance(0.5) { DistressStatus::Defaulted } else { DistressStatus::Red };
        distressed.push(Distressed { party: id.clone(), status });
    }
    let contagion = propagate_contagion(&graph, &distressed, &config.contagion);
    println!(
        "contagion from {} distressed: {:.2} s ({} customers hit)",
        distressed.len(),
        t.elapsed().as_secs_f64(),
        contagion.hits.len()
    );

    println!("identification + cycle detection: {:.2} s (target ≤ 30 s)", identify + cycles);
    match peak_rss_mib() {
        Some(mib) => println!("peak resident memory: {mib:.0} MiB (target ≤ 4096 MiB)"),
        None => println!("peak resident memory: not available"),
    }
}
