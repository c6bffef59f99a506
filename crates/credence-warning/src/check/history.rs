//! The history check: every look back of a condition — `for`, `lag`, `change`, trends
//! and event windows, added up along the way from the condition's root — must fit the
//! pack's `history_quarters`. The same pass records, for every indicator and event
//! quantity, the offsets (quarters back) at which the pack reads it.

use super::Checker;
use crate::compile::{NodeId, Op, highest};

impl Checker<'_> {
    /// Records the offsets at which every read happens, top down (`mask` holds the
    /// offsets of `id`'s own evaluation as bits), and checks every look back against the
    /// history.
    pub(super) fn reach(&mut self, id: NodeId, mask: u64) {
        let history = self.history;
        let span = self.program.spans[id as usize];
        let beyond = |c: &mut Self, quarters: u16, what: String| {
            c.fail(
                span,
                format!(
                    "{what} looks back {quarters} quarters, beyond the {history} quarters of history a rule may read"
                ),
            );
        };
        let widen = |mask: u64, by: u16| -> u64 { (0..=by).fold(0, |m, j| m | mask << j) };
        match self.program.ops[id as usize].clone() {
            Op::Indicator(i) => self.program.indicators[i as usize].offsets |= mask,
            Op::Event(e) => {
                let read = &self.program.events[e as usize];
                let months = highest(mask) as u32 * 3 + read.shift.months_up() + read.length.months_up();
                if months > history as u32 * 3 {
                    let what = format!("'{}'", self.source(span));
                    beyond(self, months.div_ceil(3) as u16, what);
                    return;
                }
                self.program.events[e as usize].offsets |= mask;
            }
            Op::Lag(x, q)
            | Op::Change { value: x, quarters: q, .. }
            | Op::Trend { value: x, quarters: q, .. } => {
                if highest(mask) + q > history {
                    let what = format!("'{}'", self.source(span));
                    beyond(self, highest(mask) + q, what);
                    return;
                }
                let m = if matches!(self.program.ops[id as usize], Op::Lag(..)) {
                    mask << q
                } else {
                    mask | mask << q
                };
                self.reach(x, m);
            }
            Op::Held(x, n) => {
                if highest(mask) + n - 1 > history {
                    let what = format!("'{}'", self.source(span));
                    beyond(self, highest(mask) + n - 1, what);
                    return;
                }
                self.reach(x, widen(mask, n - 1));
            }
            _ => {
                for c in self.program.children(id).into_iter().flatten() {
                    self.reach(c, mask);
                }
            }
        }
    }
}
