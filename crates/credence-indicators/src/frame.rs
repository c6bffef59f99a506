//! What evaluation reads for one customer at one as-of date: the statement index, and
//! every ledger, event and customer quantity of the catalogue computed once for each
//! date formulas and trends need (the as-of date and whole quarters before it).

use chrono::NaiveDate;

use crate::cause::Cause;
use crate::input::CustomerFile;
use crate::ledger::{Ledger, day, timeliness_points, window_bounds};
use crate::periods::{StatementIndex, shift_months};
use crate::program::{Aggregate, Program};
use crate::{collections, events, utility};

pub(crate) struct Frame<'a> {
    pub file: &'a CustomerFile,
    pub index: StatementIndex,
    /// `slots[point × aggregates + slot]`.
    slots: Vec<Result<f64, Cause>>,
    aggregates: usize,
    points: usize,
}

impl<'a> Frame<'a> {
    /// Indexes the statements on or before `as_of` and computes every aggregate of the
    /// program at `points` dates: point k is `as_of` moved back k quarters.
    pub fn new(file: &'a CustomerFile, as_of: NaiveDate, program: &Program, points: usize) -> Frame<'a> {
        let aggregates = program.aggregates.len();
        let points = if aggregates == 0 { 0 } else { points };
        let mut slots = Vec::with_capacity(points * aggregates);
        let mut ledger = program.aggregates.iter().any(|a| a.is_ledger()).then(|| Ledger::new(file));
        let needs_dbt = program
            .aggregates
            .iter()
            .any(|a| matches!(a, Aggregate::DaysBeyondTerms | Aggregate::TimelinessScore));
        let event_days: Vec<i32> = if program.windows.is_empty() {
            Vec::new()
        } else {
            file.events.iter().map(|e| day(e.date)).collect()
        };
        let mut bounds = vec![(0, 0); program.windows.len()];
        for k in 0..points {
            let d = shift_months(as_of, -3 * k as i32);
            for (b, w) in bounds.iter_mut().zip(&program.windows) {
                let (start, end) = window_bounds(*w, d);
                *b = (day(start), day(end));
            }
            let at = ledger.as_mut().map(|l| l.at(day(d)));
            let dbt = match &at {
                Some(at) if needs_dbt => {
                    at.days_beyond_terms(day(shift_months(d, -12))).ok_or(Cause::NoPaymentRecord { end: d })
                }
                _ => Err(Cause::NonFinite),
            };
            for (&a, &w) in program.aggregates.iter().zip(&program.aggregate_windows) {
                let window = bounds.get(w as usize).copied().unwrap_or((0, 0));
                slots.push(match (&at, a) {
                    (Some(at), Aggregate::OpenReceivables) => Ok(at.open_total),
                    (Some(at), Aggregate::Overdue { min_days, max_days }) => {
                        Ok(at.overdue(min_days, max_days))
                    }
                    (Some(at), Aggregate::OpenOrders) => Ok(at.open_orders()),
                    (Some(at), Aggregate::Invoiced(_)) => Ok(at.invoiced(window)),
                    (Some(at), Aggregate::Dso) => at.dso().ok_or(Cause::NoInvoices { end: d }),
                    (_, Aggregate::DaysBeyondTerms) => dbt.map(|days| days / 365.0),
                    (_, Aggregate::TimelinessScore) => dbt.map(timeliness_points),
                    (_, Aggregate::InvoiceCount(_)) => Ok(collections::invoice_count(file, window)),
                    (_, Aggregate::DisputedInvoices(_)) => Ok(collections::disputed_invoices(file, window)),
                    (_, Aggregate::PromisesKept(_)) => Ok(collections::promises_decided(file, window, true)),
                    (_, Aggregate::PromisesBroken(_)) => {
                        Ok(collections::promises_decided(file, window, false))
                    }
                    (
                        _,
                        Aggregate::UtilityBills(_)
                        | Aggregate::UtilityLateBills(_)
                        | Aggregate::UtilityBilled(_)
                        | Aggregate::UtilityOverdue { .. },
                    ) if file.utility_bills.is_empty() => Err(Cause::NoUtilityAccount),
                    (_, Aggregate::UtilityBills(_)) => Ok(utility::bills(file, window)),
                    (_, Aggregate::UtilityLateBills(_)) => Ok(utility::late_bills(file, window)),
                    (_, Aggregate::UtilityBilled(_)) => Ok(utility::billed(file, window)),
                    (_, Aggregate::UtilityOverdue { min_days }) => Ok(utility::overdue(file, min_days, d)),
                    _ => events::value(file, &event_days, a, window, d),
                });
            }
        }
        Frame { file, index: StatementIndex::new(&file.statements, as_of), slots, aggregates, points }
    }

    /// An aggregate at a point.
    #[inline]
    pub fn aggregate(&self, point: u16, slot: u16) -> Result<f64, Cause> {
        if point as usize >= self.points {
            // Only a formula lagging an aggregate further back than the dates computed
            // for it gets here; the catalogue sizes the frame so that none does.
            return Err(Cause::NonFinite);
        }
        self.slots[point as usize * self.aggregates + slot as usize]
    }
}
