//! Related parties (DATA-5, CTRL-10): groups with multi-level shareholdings, actual
//! controllers and their family ties, consolidation and cash pooling, guarantees inside
//! and across groups (with circles and mutual pairs), and supply-chain links.
//!
//! Links are planned per block of consecutive customers before health is simulated, so a
//! group shares a health factor and a default can spread to group members and guarantors.

use std::collections::HashSet;

use chrono::NaiveDate;
use credence_domain::{CustomerType, Labelled, RelationKind};
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{add_days, days_between, iso};
use crate::columns::{Row, round2};
use crate::health::{Contagion, GROUP_CONTAGION, GUARANTOR_CONTAGION};
use crate::profile::Profile;
use crate::rng::{DemoRng, Purpose, chance, int_in, normal, pick, stream, uniform, weighted};

/// Customers per relationship block: groups and guarantee circles stay inside one block.
pub(crate) const BLOCK: usize = 1000;
/// Share of companies that belong to a group.
const GROUP_SHARE: f64 = 0.10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Party {
    /// A customer, by position in the block.
    Customer(usize),
    /// An external natural person, by position in the block's person list.
    Person(usize),
}

#[derive(Debug)]
struct Link {
    kind: RelationKind,
    from: Party,
    to: Party,
    share: Option<f64>,
    voting: Option<f64>,
    /// Guaranteed amount, fen.
    amount: Option<i64>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    description: Option<&'static str>,
}

/// What a block's relationships mean for health, and the links to emit.
#[derive(Debug, Default)]
pub(crate) struct BlockPlan {
    /// The group health factor of each customer of the block, if in a group.
    pub group_factor: Vec<Option<f64>>,
    /// Who each customer's default hurts.
    pub contagion: Contagion,
    groups: Vec<Vec<usize>>,
    circles: Vec<Vec<usize>>,
    mutual_pairs: Vec<[usize; 2]>,
    links: Vec<Link>,
    persons: Vec<(String, String)>,
    seen: HashSet<(RelationKind, Party, Party)>,
}

/// What a block contributes to the summary.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub groups: u64,
    pub group_members: u64,
    pub circles: u64,
    pub mutual_pairs: u64,
    pub persons: u64,
}

impl BlockPlan {
    /// Counts what is emitted when only the first `live` customers of the block exist
    /// (the last block of a portfolio is planned whole, so earlier customers do not
    /// depend on the portfolio's size, and emitted in part).
    pub fn tally(&self, live: usize) -> Tally {
        let all_live = |members: &[usize]| members.iter().all(|&m| m < live);
        let mut persons = HashSet::new();
        for l in self.links.iter().filter(|l| self.is_live(l, live)) {
            for p in [l.from, l.to] {
                if let Party::Person(i) = p {
                    persons.insert(i);
                }
            }
        }
        let live_members = |g: &Vec<usize>| g.iter().filter(|&&m| m < live).count() as u64;
        Tally {
            groups: self.groups.iter().filter(|g| live_members(g) >= 2).count() as u64,
            group_members: self.groups.iter().map(live_members).filter(|&n| n >= 2).sum(),
            circles: self.circles.iter().filter(|c| all_live(c)).count() as u64,
            mutual_pairs: self.mutual_pairs.iter().filter(|p| all_live(&p[..])).count() as u64,
            persons: persons.len() as u64,
        }
    }

    fn is_live(&self, link: &Link, live: usize) -> bool {
        [link.from, link.to].iter().all(|p| match p {
            Party::Customer(i) => *i < live,
            Party::Person(_) => true,
        })
    }

    /// Adds a link unless one of the same kind between the same parties exists.
    fn add(&mut self, link: Link) -> bool {
        if link.from == link.to || !self.seen.insert((link.kind, link.from, link.to)) {
            return false;
        }
        self.links.push(link);
        true
    }

    fn person(&mut self, ctx: &Ctx, block: u64, rng: &mut DemoRng) -> Option<usize> {
        // Two digits per block keep person ids unique without a registry.
        if self.persons.len() >= 99 {
            return None;
        }
        let id = format!("P{:06}", block * 100 + self.persons.len() as u64 + 1);
        self.persons.push((id, ctx.names.person_name(rng)));
        Some(self.persons.len() - 1)
    }

    /// Emits the links between parties that exist: customers among the first `live`.
    pub fn emit<E>(
        &self,
        ctx: &Ctx,
        profiles: &[Profile],
        live: usize,
        emit: &mut dyn FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &ctx.cols.relations;
        let party = |p: Party| match p {
            Party::Customer(i) => (profiles[i].id.clone(), None),
            Party::Person(i) => (self.persons[i].0.clone(), Some(self.persons[i].1.clone())),
        };
        for link in self.links.iter().filter(|l| self.is_live(l, live)) {
            let (from, from_name) = party(link.from);
            let (to, to_name) = party(link.to);
            let mut r = Row::new(Kind::Relationships);
            r.set(c.relation_type, link.kind.code())
                .set(c.from_party, from)
                .set(c.from_name, from_name)
                .set(c.to_party, to)
                .set(c.to_name, to_name)
                .set(c.share_pct, link.share)
                .set(c.voting_pct, link.voting)
                .set(c.amount, link.amount)
                .set(c.currency, link.amount.map(|_| "CNY"))
                .set(c.start_date, iso(link.start))
                .set(c.end_date, link.end.map(iso))
                .set(c.description, link.description);
            emit(r.finish())?;
        }
        Ok(())
    }
}

/// Plans the links of block `block`, whose customers are `profiles`.
pub(crate) fn plan_block(ctx: &Ctx, block: u64, profiles: &[Profile]) -> BlockPlan {
    let rng = &mut stream(ctx.config.seed, block, Purpose::Relations);
    let n = profiles.len();
    let mut plan =
        BlockPlan { group_factor: vec![None; n], contagion: vec![Vec::new(); n], ..BlockPlan::default() };
    let mut pool: Vec<usize> = (0..n).filter(|&i| profiles[i].is_company()).collect();
    let companies = pool.clone();
    shuffle(&mut pool, rng);

    let target = (companies.len() as f64 * GROUP_SHARE).round() as usize;
    let mut cursor = 0;
    let mut last_controller = None;
    while cursor < target && pool.len() - cursor >= 2 {
        let size = (2 + weighted(rng, &[30.0, 25.0, 15.0, 10.0, 8.0, 6.0, 6.0])).min(pool.len() - cursor);
        let members = &mut pool[cursor..cursor + size];
        // Parents are usually large customers: look a little ahead for one.
        if chance(rng, 0.7)
            && let Some(j) = members.iter().position(|&i| profiles[i].ctype == CustomerType::Large)
        {
            members.swap(0, j);
        }
        let members = members.to_vec();
        cursor += size;
        let controller = build_group(ctx, block, profiles, &members, &companies, &mut plan, rng);
        if let (Some(prev), Some(this)) = (last_controller, controller)
            && chance(rng, 0.3)
        {
            let description = *pick(rng, &["配偶", "兄弟姐妹", "父子", "母女"]);
            let start = link_start(ctx, rng);
            plan.add(Link {
                description: Some(description),
                ..link(RelationKind::Family, Party::Person(prev), Party::Person(this), start)
            });
        }
        last_controller = controller;
    }

    if companies.len() >= 3 {
        cross_guarantees(ctx, profiles, &companies, &mut plan, rng);
        for _ in 0..(companies.len() as f64 * 0.05).round() as usize {
            let (a, b) = (*pick(rng, &companies), *pick(rng, &companies));
            let description = *pick(rng, &["原材料供应", "零部件供应", "物流服务", "设备供应"]);
            let start = link_start(ctx, rng);
            plan.add(Link {
                description: Some(description),
                ..link(RelationKind::SupplyChain, Party::Customer(a), Party::Customer(b), start)
            });
        }
    }
    plan
}

/// One group: ownership tree (some links below control, some pairs of holdings that only
/// together pass 50%), consolidation, guarantees, cash pooling and an actual controller.
/// Returns the controller's position in the person list.
fn build_group(
    ctx: &Ctx,
    block: u64,
    profiles: &[Profile],
    members: &[usize],
    companies: &[usize],
    plan: &mut BlockPlan,
    rng: &mut DemoRng,
) -> Option<usize> {
    let parent = members[0];
    let factor = normal(rng);
    plan.groups.push(members.to_vec());
    for &m in members {
        plan.group_factor[m] = Some(factor);
        plan.contagion[m].extend(members.iter().filter(|&&o| o != m).map(|&o| (o, GROUP_CONTAGION)));
    }
    for j in 1..members.len() {
        let sub = members[j];
        let holder =
            if j >= 2 && chance(rng, 0.35) { members[int_in(rng, 1, j as i64 - 1) as usize] } else { parent };
        let style = weighted(rng, &[60.0, 10.0, 15.0, 15.0]);
        let start = link_start(ctx, rng);
        let own = |from: usize, share: f64| Link {
            share: Some(share),
            ..link(RelationKind::Ownership, Party::Customer(from), Party::Customer(sub), start)
        };
        let share = match style {
            1 => 50.0,
            2 => round2(uniform(rng, 30.0, 49.0)),
            3 => {
                // Two holdings that only together give control.
                let first = round2(uniform(rng, 26.0, 40.0));
                let other = if holder != parent {
                    parent
                } else if j >= 2 {
                    members[1]
                } else {
                    parent
                };
                if other != holder {
                    let second = round2(uniform(rng, 52.0 - first, 65.0 - first));
                    plan.add(own(other, second));
                }
                first
            }
            _ if chance(rng, 0.25) => 100.0,
            _ => round2(uniform(rng, 51.0, 99.9)),
        };
        let mut holding = own(holder, share);
        if share < 100.0 && chance(rng, 0.1) {
            holding.voting = Some(round2((share + uniform(rng, 5.0, 15.0)).min(100.0)));
        }
        plan.add(holding);
        if holder == parent && share > 50.0 && chance(rng, 0.7) {
            plan.add(link(RelationKind::Consolidation, Party::Customer(parent), Party::Customer(sub), start));
        }
        if chance(rng, 0.4) {
            guarantee(ctx, profiles, plan, parent, sub, rng);
        } else if chance(rng, 0.1) {
            guarantee(ctx, profiles, plan, sub, parent, rng);
        }
        if chance(rng, 0.15) {
            plan.add(Link {
                description: Some("资金池归集"),
                ..link(RelationKind::SharedFunds, Party::Customer(parent), Party::Customer(sub), start)
            });
        }
    }
    let person = plan.person(ctx, block, rng)?;
    let start = link_start(ctx, rng);
    let to_parent = if chance(rng, 0.6) {
        Link {
            share: Some(round2(uniform(rng, 30.0, 90.0))),
            description: Some("实际控制人"),
            ..link(RelationKind::Ownership, Party::Person(person), Party::Customer(parent), start)
        }
    } else {
        Link {
            description: Some("实际控制人(协议控制)"),
            ..link(RelationKind::Control, Party::Person(person), Party::Customer(parent), start)
        }
    };
    plan.add(to_parent);
    // Some controllers also hold a company outside the group: same actual controller.
    if chance(rng, 0.2) {
        let other = *pick(rng, companies);
        if !members.contains(&other) {
            plan.add(Link {
                share: Some(round2(uniform(rng, 51.0, 100.0))),
                ..link(RelationKind::Ownership, Party::Person(person), Party::Customer(other), start)
            });
        }
    }
    Some(person)
}

/// Guarantees between customers outside groups: scattered ones, a few circles
/// (A→B→C→A) and mutual pairs.
fn cross_guarantees(
    ctx: &Ctx,
    profiles: &[Profile],
    companies: &[usize],
    plan: &mut BlockPlan,
    rng: &mut DemoRng,
) {
    for _ in 0..(companies.len() as f64 * 0.02).round() as usize {
        let (a, b) = (*pick(rng, companies), *pick(rng, companies));
        guarantee(ctx, profiles, plan, a, b, rng);
    }
    if companies.len() >= 20 {
        let circles = if chance(rng, 0.3) { 2 } else { 1 };
        for _ in 0..circles {
            let len = int_in(rng, 3, 4) as usize;
            let mut ring: Vec<usize> = Vec::with_capacity(len);
            while ring.len() < len {
                let c = *pick(rng, companies);
                if !ring.contains(&c) {
                    ring.push(c);
                }
            }
            let added = (0..len)
                .filter(|&i| guarantee(ctx, profiles, plan, ring[i], ring[(i + 1) % len], rng))
                .count();
            if added == len {
                plan.circles.push(ring);
            }
        }
    }
    if companies.len() >= 10 {
        for _ in 0..int_in(rng, 1, 2) {
            let (a, b) = (*pick(rng, companies), *pick(rng, companies));
            if a != b
                && guarantee(ctx, profiles, plan, a, b, rng)
                && guarantee(ctx, profiles, plan, b, a, rng)
            {
                plan.mutual_pairs.push([a, b]);
            }
        }
    }
}

/// `guarantor` guarantees `borrower` for a share of the borrower's revenue; the
/// guarantor is hurt if the borrower defaults.
fn guarantee(
    ctx: &Ctx,
    profiles: &[Profile],
    plan: &mut BlockPlan,
    guarantor: usize,
    borrower: usize,
    rng: &mut DemoRng,
) -> bool {
    let amount_yuan =
        (profiles[borrower].revenue * uniform(rng, 0.05, 0.3) / 10_000.0).round().max(1.0) * 10_000.0;
    let start = link_start(ctx, rng);
    let end = add_days(start, int_in(rng, 365, 1095));
    let ended = chance(rng, 0.2) && end <= ctx.timeline.as_of;
    let added = plan.add(Link {
        amount: Some((amount_yuan * 100.0) as i64),
        end: ended.then_some(end),
        description: Some("连带责任保证"),
        ..link(RelationKind::Guarantee, Party::Customer(guarantor), Party::Customer(borrower), start)
    });
    if added && !ended {
        plan.contagion[borrower].push((guarantor, GUARANTOR_CONTAGION));
    }
    added
}

fn link(kind: RelationKind, from: Party, to: Party, start: NaiveDate) -> Link {
    Link { kind, from, to, share: None, voting: None, amount: None, start, end: None, description: None }
}

/// A start date between 2010 (or ten years before `as_of`) and a month before `as_of`.
fn link_start(ctx: &Ctx, rng: &mut DemoRng) -> NaiveDate {
    let as_of = ctx.timeline.as_of;
    let latest = add_days(as_of, -30);
    let earliest =
        NaiveDate::from_ymd_opt(2010, 1, 1).map_or(add_days(as_of, -3650), |d| d.min(add_days(as_of, -3650)));
    add_days(earliest, int_in(rng, 0, days_between(earliest, latest)))
}

fn shuffle(items: &mut [usize], rng: &mut DemoRng) {
    for i in (1..items.len()).rev() {
        let j = int_in(rng, 0, i as i64) as usize;
        items.swap(i, j);
    }
}
