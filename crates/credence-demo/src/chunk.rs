//! One chunk of customers, generated and emitted kind by kind so every record refers
//! only to records already emitted; memory is bounded by the chunk, not the portfolio.

use credence_records::{Kind, Record};

use crate::config::DemoSummary;
use crate::health::{Health, simulate_block};
use crate::ledger::Ledger;
use crate::profile::Profile;
use crate::relations::{BLOCK, BlockPlan, plan_block};
use crate::{Ctx, assessments, calendar, contracts, events, statements};

/// Customers per chunk: a whole number of relationship blocks.
pub(crate) const CHUNK: usize = 5 * BLOCK;

/// Counts records per kind on their way to the caller's sink.
pub(crate) struct Counter<'a, E> {
    sink: &'a mut dyn FnMut(Record) -> Result<(), E>,
    counts: [u64; Kind::ALL.len()],
}

impl<'a, E> Counter<'a, E> {
    pub fn new(sink: &'a mut dyn FnMut(Record) -> Result<(), E>) -> Self {
        Self { sink, counts: [0; Kind::ALL.len()] }
    }

    pub fn emit(&mut self, record: Record) -> Result<(), E> {
        self.counts[record.kind as usize] += 1;
        (self.sink)(record)
    }

    pub fn into_counts(self, summary: &mut DemoSummary) {
        for kind in Kind::ALL {
            summary.records.insert(kind, self.counts[kind as usize]);
        }
    }
}

/// Generates customers `[start, end)` and emits them: customers, statements, invoices,
/// payments, credit notes, orders, milestones, events, assessments, relationships.
///
/// The last block is planned and simulated whole even when the portfolio ends inside it,
/// and only its first customers are emitted: groups, contagion and so every customer's
/// data are then the same whatever the portfolio's size.
pub(crate) fn run<E>(
    ctx: &Ctx,
    start: usize,
    end: usize,
    out: &mut Counter<'_, E>,
    summary: &mut DemoSummary,
) -> Result<(), E> {
    let whole_blocks_end = end.div_ceil(BLOCK) * BLOCK;
    let mut all: Vec<Profile> = (start..whole_blocks_end).map(|i| Profile::draw(ctx, i as u64)).collect();
    let mut plans: Vec<BlockPlan> = Vec::new();
    let mut health: Vec<Health> = Vec::with_capacity(all.len());
    for (b, block) in all.chunks(BLOCK).enumerate() {
        let plan = plan_block(ctx, (start / BLOCK + b) as u64, block);
        health.extend(simulate_block(ctx, block, &plan.group_factor, &plan.contagion));
        plans.push(plan);
    }
    let live = end - start;
    all.truncate(live);
    health.truncate(live);
    let profiles = all;
    let mut emit = |r: Record| out.emit(r);

    for p in &profiles {
        emit(p.record(ctx))?;
    }
    for (p, h) in profiles.iter().zip(&health) {
        statements::generate(ctx, p, h, &mut emit)?;
    }
    let ledgers: Vec<Ledger> = profiles.iter().zip(&health).map(|(p, h)| Ledger::draw(ctx, p, h)).collect();
    for (p, l) in profiles.iter().zip(&ledgers) {
        l.emit_invoices(ctx, p, &mut emit)?;
    }
    for (p, l) in profiles.iter().zip(&ledgers) {
        l.emit_payments(ctx, p, &mut emit)?;
    }
    for (p, l) in profiles.iter().zip(&ledgers) {
        l.emit_credit_notes(ctx, p, &mut emit)?;
    }
    drop(ledgers);
    for (p, h) in profiles.iter().zip(&health) {
        contracts::emit_orders(ctx, p, h, &mut emit)?;
    }
    for p in &profiles {
        contracts::emit_milestones(ctx, p, &mut emit)?;
    }
    for (p, h) in profiles.iter().zip(&health) {
        events::generate(ctx, p, h, &mut emit)?;
    }
    for (p, h) in profiles.iter().zip(&health) {
        assessments::emit(ctx, p, h, &mut emit)?;
    }
    for (b, plan) in plans.iter().enumerate() {
        let first = (b * BLOCK).min(live);
        let live_in_block = (live - first).min(BLOCK);
        plan.emit(ctx, &profiles[first..first + live_in_block], live_in_block, &mut emit)?;
    }

    summary.customers += profiles.len() as u64;
    for h in &health {
        if let Some(k) = h.default_quarter {
            summary.defaults += 1;
            if k + 4 > calendar::LAST {
                summary.defaults_last_four_quarters += 1;
            }
        }
    }
    for (b, plan) in plans.iter().enumerate() {
        let t = plan.tally(live.saturating_sub(b * BLOCK).min(BLOCK));
        summary.groups += t.groups;
        summary.group_members += t.group_members;
        summary.guarantee_circles += t.circles;
        summary.mutual_guarantees += t.mutual_pairs;
        summary.persons += t.persons;
    }
    Ok(())
}
