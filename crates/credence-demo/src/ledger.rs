//! The receivables ledger (DATA-3): eighteen months of invoices, the payments and credit
//! notes applied to them. Payment behaviour follows health: healthy customers pay on
//! time or early, weak ones weeks to months late and in parts, and a customer heading for
//! default stops paying two to three months before it.

use chrono::NaiveDate;
use credence_domain::CustomerType;
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{add_days, days_between, iso};
use crate::columns::Row;
use crate::health::Health;
use crate::profile::{Profile, expected_invoices_per_month};
use crate::rng::{DemoRng, Purpose, chance, int_in, logistic, normal, stream, uniform, unit};

/// Invoices issued per month: SMEs differ most, between one and two a month.
fn invoices_per_month(rng: &mut DemoRng, ctype: CustomerType) -> f64 {
    if ctype == CustomerType::Sme { uniform(rng, 1.0, 2.0) } else { expected_invoices_per_month(ctype) }
}

const METHODS: [&str; 3] = ["银行转账", "银行承兑汇票", "商业承兑汇票"];
const CREDIT_REASONS: [&str; 4] = ["质量问题退货", "价格折让", "少发货补差", "返利"];

#[derive(Debug, Clone, Copy)]
struct Invoice {
    issue: NaiveDate,
    due: NaiveDate,
    amount: i64,
}

#[derive(Debug, Clone, Copy)]
struct Applied {
    /// Position of the invoice in the customer's invoice list.
    invoice: usize,
    date: NaiveDate,
    amount: i64,
    /// Payment method or credit-note reason, as an index into its table.
    detail: usize,
}

/// A customer's ledger, kept in compact form until each kind's turn to be emitted.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    invoices: Vec<Invoice>,
    payments: Vec<Applied>,
    credit_notes: Vec<Applied>,
}

impl Ledger {
    pub fn draw(ctx: &Ctx, p: &Profile, health: &Health) -> Ledger {
        let rng = &mut stream(ctx.config.seed, p.index, Purpose::Ledger);
        let as_of = ctx.timeline.as_of;
        let start = ctx.timeline.ledger_start.max(p.relationship_start);
        // No new invoices once the customer has defaulted.
        let end = health.default_date.map_or(as_of, |d| d.min(as_of));
        let mut ledger = Ledger::default();
        let rate = invoices_per_month(rng, p.ctype);
        if end < start {
            return ledger;
        }
        let span = days_between(start, end);
        let count = crate::rng::poisson(rng, rate * span as f64 / 30.44);
        let mean_amount = p.sales_in_ledger_currency() / 12.0 / rate;
        let mut dates: Vec<i64> = (0..count).map(|_| int_in(rng, 0, span)).collect();
        dates.sort_unstable();
        // Payments stop two to three months before a default.
        let stop = health.default_date.map(|d| add_days(d, -int_in(rng, 60, 90)));
        for offset in dates {
            let issue = add_days(start, offset);
            let amount =
                ((mean_amount * (0.5 * normal(rng) - 0.125).exp()).max(100.0) * 100.0).round() as i64;
            let due = add_days(issue, p.terms_days);
            let n = ledger.invoices.len();
            ledger.invoices.push(Invoice { issue, due, amount });
            ledger.settle(ctx, p, health, n, stop, rng);
        }
        ledger
    }

    /// Credit note and payments of invoice `n`, kept only if dated by `as_of` and, for a
    /// customer heading for default, before it stopped paying.
    fn settle(
        &mut self,
        ctx: &Ctx,
        p: &Profile,
        health: &Health,
        n: usize,
        stop: Option<NaiveDate>,
        rng: &mut DemoRng,
    ) {
        let as_of = ctx.timeline.as_of;
        let inv = self.invoices[n];
        let mut credited = 0;
        if chance(rng, if p.quality_prone { 0.12 } else { 0.025 }) {
            let amount =
                ((inv.amount as f64 * uniform(rng, 0.03, 0.3)).round() as i64).clamp(1, inv.amount - 1);
            let date = add_days(inv.issue, int_in(rng, 3, 45));
            let reason = if p.quality_prone { 0 } else { int_in(rng, 0, 3) as usize };
            if date <= as_of && amount > 0 {
                credited = amount;
                self.credit_notes.push(Applied { invoice: n, date, amount, detail: reason });
            }
        }
        let remaining = inv.amount - credited;
        // Behaviour follows health when the invoice falls due.
        let h = health.at(ctx, inv.due.min(as_of));
        let late = if chance(rng, 0.35 * logistic(1.5 * h)) {
            -int_in(rng, 0, p.terms_days / 3)
        } else {
            let mean = (3.0 * (-1.1 * h).exp()).min(150.0);
            (-mean * (1.0 - unit(rng)).ln()).round() as i64
        };
        let paid_on = add_days(inv.due, late).max(inv.issue);
        let method = if chance(rng, 0.05 + 0.25 * logistic(-2.0 * h - 1.0)) {
            2
        } else if chance(rng, 0.25) {
            1
        } else {
            0
        };
        let mut parts = vec![(paid_on, remaining)];
        if remaining >= 2 && chance(rng, 0.03 + 0.25 * logistic(-2.0 * h - 2.0)) {
            let first = ((remaining as f64 * uniform(rng, 0.3, 0.8)).round() as i64).clamp(1, remaining - 1);
            parts = vec![(paid_on, first), (add_days(paid_on, int_in(rng, 20, 90)), remaining - first)];
        }
        for (date, amount) in parts {
            let stopped = stop.is_some_and(|s| date >= s);
            if date <= as_of && !stopped && amount > 0 {
                self.payments.push(Applied { invoice: n, date, amount, detail: method });
            }
        }
    }

    pub fn emit_invoices<E>(
        &self,
        ctx: &Ctx,
        p: &Profile,
        emit: &mut dyn FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &ctx.cols.invoices;
        for (n, inv) in self.invoices.iter().enumerate() {
            let mut r = Row::new(Kind::Invoices);
            r.set(c.invoice_no, invoice_no(p, n))
                .set(c.customer_id, p.id.as_str())
                .set(c.issue_date, iso(inv.issue))
                .set(c.due_date, iso(inv.due))
                .set(c.amount, inv.amount)
                .set(c.currency, p.ledger_currency);
            emit(r.finish())?;
        }
        Ok(())
    }

    pub fn emit_payments<E>(
        &self,
        ctx: &Ctx,
        p: &Profile,
        emit: &mut dyn FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &ctx.cols.payments;
        for (n, pay) in self.payments.iter().enumerate() {
            let mut r = Row::new(Kind::Payments);
            r.set(c.payment_id, format!("RC-{}-{:05}", p.id, n + 1))
                .set(c.customer_id, p.id.as_str())
                .set(c.invoice_no, invoice_no(p, pay.invoice))
                .set(c.payment_date, iso(pay.date))
                .set(c.amount, pay.amount)
                .set(c.currency, p.ledger_currency)
                .set(c.method, METHODS[pay.detail]);
            emit(r.finish())?;
        }
        Ok(())
    }

    pub fn emit_credit_notes<E>(
        &self,
        ctx: &Ctx,
        p: &Profile,
        emit: &mut dyn FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &ctx.cols.credit_notes;
        for (n, note) in self.credit_notes.iter().enumerate() {
            let mut r = Row::new(Kind::CreditNotes);
            r.set(c.credit_note_no, format!("CN-{}-{:04}", p.id, n + 1))
                .set(c.customer_id, p.id.as_str())
                .set(c.invoice_no, invoice_no(p, note.invoice))
                .set(c.issue_date, iso(note.date))
                .set(c.amount, note.amount)
                .set(c.currency, p.ledger_currency)
                .set(c.reason, CREDIT_REASONS[note.detail]);
            emit(r.finish())?;
        }
        Ok(())
    }
}

/// `INV-C0000001-0001` for the customer's first invoice.
fn invoice_no(p: &Profile, n: usize) -> String {
    format!("INV-{}-{:04}", p.id, n + 1)
}
