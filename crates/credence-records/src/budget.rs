//! A budget for heavy work (reading and importing a file): a deadline and a flag another
//! thread can raise. The work checks it as it goes (the importer once per row) and stops
//! with [`Cancelled`], so a request that timed out or whose client went away does not keep
//! a blocking thread busy, and an import stopped this way rolls back.
//!
//! The deadline is measured on the monotonic clock; it decides only whether work goes on,
//! never what the work computes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Why work stopped before it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Cancelled {
    #[error("the work was cancelled (the request ended or was abandoned)")]
    Requested,
    #[error("the work ran past its time budget of {0:?}")]
    DeadlinePassed(Duration),
}

/// A cancellation handle; clones share it. [`Budget::default`] never runs out.
#[derive(Debug, Clone, Default)]
pub struct Budget(Option<Arc<Shared>>);

#[derive(Debug)]
struct Shared {
    cancelled: AtomicBool,
    /// The deadline and the allowance it was set from (for the message).
    deadline: Option<(Instant, Duration)>,
}

impl Budget {
    /// A budget that runs out only when cancelled.
    pub fn cancellable() -> Budget {
        Budget(Some(Arc::new(Shared { cancelled: AtomicBool::new(false), deadline: None })))
    }

    /// A budget that runs out `allowance` from now, or when cancelled.
    pub fn lasting(allowance: Duration) -> Budget {
        let deadline = Instant::now().checked_add(allowance).map(|at| (at, allowance));
        Budget(Some(Arc::new(Shared { cancelled: AtomicBool::new(false), deadline })))
    }

    /// Stops the work at its next check. A budget made by `default()` cannot be cancelled.
    pub fn cancel(&self) {
        if let Some(s) = &self.0 {
            s.cancelled.store(true, Ordering::Relaxed);
        }
    }

    /// `Err` once the budget is cancelled or past its deadline.
    pub fn check(&self) -> Result<(), Cancelled> {
        let Some(s) = &self.0 else { return Ok(()) };
        if s.cancelled.load(Ordering::Relaxed) {
            return Err(Cancelled::Requested);
        }
        match s.deadline {
            Some((at, allowance)) if Instant::now() >= at => Err(Cancelled::DeadlinePassed(allowance)),
            _ => Ok(()),
        }
    }

    /// A guard that cancels the budget when dropped: held by the future that waits for the
    /// work, it stops the work when that future is dropped (a timeout, a client that hung
    /// up). Call [`CancelOnDrop::disarm`] once the work is done.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(Some(self.clone()))
    }
}

/// See [`Budget::cancel_on_drop`].
#[derive(Debug)]
pub struct CancelOnDrop(Option<Budget>);

impl CancelOnDrop {
    /// The work finished: dropping the guard no longer cancels anything.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_reaches_every_clone() {
        let budget = Budget::cancellable();
        let worker = budget.clone();
        assert_eq!(worker.check(), Ok(()));
        drop(budget.cancel_on_drop());
        assert_eq!(worker.check(), Err(Cancelled::Requested));
    }

    #[test]
    fn a_disarmed_guard_cancels_nothing_and_the_default_never_runs_out() {
        let budget = Budget::cancellable();
        budget.cancel_on_drop().disarm();
        assert_eq!(budget.check(), Ok(()));
        Budget::default().cancel();
        assert_eq!(Budget::default().check(), Ok(()));
    }

    #[test]
    fn a_passed_deadline_stops_the_work() {
        let budget = Budget::lasting(Duration::ZERO);
        assert_eq!(budget.check(), Err(Cancelled::DeadlinePassed(Duration::ZERO)));
        assert_eq!(Budget::lasting(Duration::from_secs(3600)).check(), Ok(()));
    }
}
