//! Collection quantities (IND-2, CTRL-9) over a window `(start, end]` of a date:
//!
//! * **`promises_kept(window)`, `promises_broken(window)`**: promises to pay decided
//!   (kept, or broken) on a day in the window. A promise still open at the end of the
//!   window counts in neither, and one decided after it is open at that date too.
//! * **`invoice_count(window)`**: invoices issued in the window.
//! * **`disputed_invoices(window)`**: of those, the ones the customer had disputed by the
//!   end of the window; an invoice disputed twice counts once.
//!
//! So `promises_kept(12m) / (promises_kept(12m) + promises_broken(12m))` is the share of
//! promises kept, and `disputed_invoices(12m) / invoice_count(12m)` the dispute rate.

use crate::input::CustomerFile;
use crate::ledger::day;

fn inside((start, end): (i32, i32), d: i32) -> bool {
    d > start && d <= end
}

pub(crate) fn promises_decided(file: &CustomerFile, window: (i32, i32), kept: bool) -> f64 {
    file.promises
        .iter()
        .filter(|p| p.kept == kept && p.decided_on.is_some_and(|d| inside(window, day(d))))
        .count() as f64
}

pub(crate) fn invoice_count(file: &CustomerFile, window: (i32, i32)) -> f64 {
    file.invoices.iter().filter(|i| inside(window, day(i.issue_date))).count() as f64
}

pub(crate) fn disputed_invoices(file: &CustomerFile, window: (i32, i32)) -> f64 {
    if file.disputes.is_empty() {
        return 0.0;
    }
    let mut disputed: Vec<&str> = file
        .disputes
        .iter()
        .filter(|d| day(d.opened_on) <= window.1)
        .map(|d| d.invoice_no.as_str())
        .collect();
    disputed.sort_unstable();
    disputed.dedup();
    file.invoices
        .iter()
        .filter(|i| {
            inside(window, day(i.issue_date)) && disputed.binary_search(&i.invoice_no.as_str()).is_ok()
        })
        .count() as f64
}
