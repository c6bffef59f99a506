//! Weight of evidence and information value of one bin.
//!
//! With g and b the non-events and events of the bin and G and B their totals over all
//! rows of the feature (missing and special values included):
//!
//! ```text
//! WoE = ln((g/G) / (b/B))          IV = (g/G − b/B) · WoE
//! ```
//!
//! so a higher WoE means a lower risk, and IV ≥ 0 for every bin. A bin with no events or
//! no non-events gets [`ZERO_CELL_ADJUSTMENT`] added to both counts, which keeps its WoE
//! finite; the totals are not adjusted, so the IV of a bin never depends on the other bins
//! and the total IV is a sum the binning optimiser can maximise bin by bin. An empty bin
//! has WoE 0 (the average risk) and IV 0.

use std::ops::{Add, Sub};

/// Added to both counts of a bin with no events or no non-events.
pub const ZERO_CELL_ADJUSTMENT: f64 = 0.5;

/// Non-events and events of a set of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Counts {
    pub non_events: f64,
    pub events: f64,
}

impl Counts {
    pub fn total(self) -> f64 {
        self.non_events + self.events
    }

    /// Event rate; 0 for an empty set.
    pub fn rate(self) -> f64 {
        let n = self.total();
        if n > 0.0 { self.events / n } else { 0.0 }
    }

    pub fn add_row(&mut self, y: u8) {
        if y == 1 {
            self.events += 1.0;
        } else {
            self.non_events += 1.0;
        }
    }
}

impl Add for Counts {
    type Output = Counts;
    fn add(self, o: Counts) -> Counts {
        Counts { non_events: self.non_events + o.non_events, events: self.events + o.events }
    }
}

impl Sub for Counts {
    type Output = Counts;
    fn sub(self, o: Counts) -> Counts {
        Counts { non_events: self.non_events - o.non_events, events: self.events - o.events }
    }
}

/// (WoE, IV) of a bin against the feature's totals.
pub(crate) fn woe_iv(cell: Counts, totals: Counts) -> (f64, f64) {
    if cell.total() == 0.0 {
        return (0.0, 0.0);
    }
    let (g, b) = if cell.non_events == 0.0 || cell.events == 0.0 {
        (cell.non_events + ZERO_CELL_ADJUSTMENT, cell.events + ZERO_CELL_ADJUSTMENT)
    } else {
        (cell.non_events, cell.events)
    };
    let (dg, db) = (g / totals.non_events, b / totals.events);
    let woe = (dg / db).ln();
    (woe, (dg - db) * woe)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bin of 30 non-events and 10 events out of 90 and 30: 1/3 of each, WoE ln 1 = 0.
    /// A bin of 45 and 5: WoE = ln((45/90)/(5/30)) = ln 3, IV = (1/2 − 1/6) · ln 3. A bin of
    /// 15 and 0 is adjusted to 15.5 and 0.5: WoE = ln((15.5/90)/(0.5/30)) = ln(31/3).
    #[test]
    fn woe_by_hand() {
        let totals = Counts { non_events: 90.0, events: 30.0 };
        assert_eq!(woe_iv(Counts { non_events: 30.0, events: 10.0 }, totals), (0.0, 0.0));
        let (w, iv) = woe_iv(Counts { non_events: 45.0, events: 5.0 }, totals);
        assert!((w - 3f64.ln()).abs() < 1e-15);
        assert!((iv - (0.5 - 1.0 / 6.0) * 3f64.ln()).abs() < 1e-15);
        let (w, _) = woe_iv(Counts { non_events: 15.0, events: 0.0 }, totals);
        assert!((w - (31.0f64 / 3.0).ln()).abs() < 1e-14);
        assert_eq!(woe_iv(Counts::default(), totals), (0.0, 0.0));
    }
}
