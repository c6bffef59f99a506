//! Exposure beyond invoices (DATA-3, CTRL-3, CTRL-4): open sales orders of the last 30
//! days and contracts paid in 30% / 30% / 40% milestones.

use credence_domain::CustomerType;
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{add_days, iso};
use crate::columns::Row;
use crate::health::Health;
use crate::profile::Profile;
use crate::rng::{Purpose, chance, int_in, normal, stream, uniform, weighted};

const STATUSES: [&str; 3] = ["open", "invoiced", "cancelled"];

/// The milestones of a staged-payment contract: description, share of the contract, and
/// days after signing it falls due (the third counts from acceptance).
const STAGES: [(&str, f64); 3] = [("30%预付款", 0.3), ("30%验收款", 0.3), ("40%交付后三个月尾款", 0.4)];

/// Orders then milestones of one customer, emitted through separate callbacks because the
/// two kinds go out in separate passes over a chunk.
pub(crate) fn emit_orders<E>(
    ctx: &Ctx,
    p: &Profile,
    health: &Health,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    let rng = &mut stream(ctx.config.seed, p.index, Purpose::Orders);
    // A defaulted customer gets no new orders.
    if health.default_date.is_some() {
        return Ok(());
    }
    let weights =
        if p.ctype == CustomerType::Individual { [60.0, 30.0, 10.0, 0.0] } else { [30.0, 35.0, 22.0, 13.0] };
    let count = weighted(rng, &weights);
    // The open pipeline is about half a month of sales, shared by the orders in it.
    let mean = p.sales_in_ledger_currency() / 12.0 * 0.5 / count.max(1) as f64;
    let c = &ctx.cols.orders;
    for n in 0..count {
        let order_date = add_days(ctx.timeline.as_of, -int_in(rng, 0, 29)).max(p.relationship_start);
        let ship_date = add_days(order_date, int_in(rng, 3, 45));
        let amount = ((mean * (0.6 * normal(rng) - 0.18).exp()).max(50.0) * 100.0).round() as i64;
        let status = STATUSES[weighted(rng, &[85.0, 10.0, 5.0])];
        let mut r = Row::new(Kind::Orders);
        r.set(c.order_no, format!("SO-{}-{:02}", p.id, n + 1))
            .set(c.customer_id, p.id.as_str())
            .set(c.order_date, iso(order_date))
            .set(c.ship_date, iso(ship_date))
            .set(c.amount, amount)
            .set(c.currency, p.ledger_currency)
            .set(c.status, status);
        emit(r.finish())?;
    }
    Ok(())
}

/// About 5% of customers (construction firms, large customers, government platforms)
/// buy under contracts paid in stages: advance, on acceptance, three months after delivery.
pub(crate) fn emit_milestones<E>(
    ctx: &Ctx,
    p: &Profile,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    let rng = &mut stream(ctx.config.seed, p.index, Purpose::Milestones);
    let share = match p.ctype {
        CustomerType::Individual => 0.0,
        _ if p.segment.section == "E" => 0.4,
        CustomerType::Large => 0.25,
        CustomerType::GovernmentPlatform => 0.3,
        _ => 0.005,
    };
    if !chance(rng, share) {
        return Ok(());
    }
    let contracts = if p.ctype == CustomerType::Large { int_in(rng, 1, 2) } else { 1 };
    let c = &ctx.cols.milestones;
    for n in 0..contracts {
        let signed = add_days(ctx.timeline.as_of, -int_in(rng, 30, 500)).max(p.relationship_start);
        let total = p.sales_in_ledger_currency() * uniform(rng, 0.2, 0.8) * 100.0;
        let accepted = add_days(signed, int_in(rng, 90, 270));
        let dues = [add_days(signed, int_in(rng, 5, 15)), accepted, add_days(accepted, 90)];
        let first = (total * STAGES[0].1).round().max(1.0) as i64;
        let second = (total * STAGES[1].1).round().max(1.0) as i64;
        let third = ((total.round() as i64) - first - second).max(1);
        let contract_no = format!("HT-{}-{:02}", p.id, n + 1);
        for (i, ((description, _), (due, amount))) in
            STAGES.iter().zip(dues.iter().zip([first, second, third])).enumerate()
        {
            let mut r = Row::new(Kind::Milestones);
            r.set(c.contract_no, contract_no.as_str())
                .set(c.milestone_no, i as i64 + 1)
                .set(c.customer_id, p.id.as_str())
                .set(c.description, *description)
                .set(c.due_date, iso(*due))
                .set(c.amount, amount)
                .set(c.currency, p.ledger_currency);
            emit(r.finish())?;
        }
    }
    Ok(())
}
