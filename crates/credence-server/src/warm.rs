//! The portfolio kept warm in memory: every customer's position and the exposure book of
//! credit checks, built together from one read of the ledgers and shared by the credit
//! check, the standing endpoint, the portfolio API and the cockpit.
//!
//! The snapshot belongs to a business date and a data stamp (the store's
//! [`credence_store::Store::data_stamp`], which moves with every import, rating, warning
//! run and limit decision). At most once per [`RECHECK`] a reader compares the stamp; when
//! it moved (or the date changed) a new snapshot is built in the background while readers
//! keep the one they have, so a busy check endpoint never waits for a rebuild. Only the
//! first reader of a day (no snapshot for the date yet) waits.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use credence_engine::PortfolioSnapshot;

use crate::error::ApiError;
use crate::state::AppState;

/// How often readers compare the data stamp.
pub const RECHECK: Duration = Duration::from_secs(1);

struct Current {
    snapshot: Arc<PortfolioSnapshot>,
    stamp: String,
    checked: Instant,
}

/// The warm snapshot and who is building the next one.
#[derive(Default)]
pub struct WarmPortfolio {
    current: Mutex<Option<Current>>,
    /// Held while a snapshot is built, so one is built at a time.
    building: tokio::sync::Mutex<()>,
}

impl WarmPortfolio {
    /// Drops the snapshot (the model or policy it was built with was replaced); the next
    /// reader builds one.
    pub fn forget(&self) {
        if let Ok(mut g) = self.current.lock() {
            *g = None;
        }
    }

    fn poisoned() -> ApiError {
        ApiError::poisoned("warm portfolio")
    }

    /// The snapshot for the date if there is one: (snapshot, stamp, whether the stamp is
    /// due for a check).
    fn peek(&self, as_of: NaiveDate) -> Result<Option<(Arc<PortfolioSnapshot>, String, bool)>, ApiError> {
        let guard = self.current.lock().map_err(|_| Self::poisoned())?;
        Ok(guard
            .as_ref()
            .filter(|c| c.snapshot.book.as_of == as_of)
            .map(|c| (c.snapshot.clone(), c.stamp.clone(), c.checked.elapsed() >= RECHECK)))
    }

    fn mark_checked(&self) {
        if let Ok(mut g) = self.current.lock()
            && let Some(c) = g.as_mut()
        {
            c.checked = Instant::now();
        }
    }

    fn put(&self, snapshot: Arc<PortfolioSnapshot>, stamp: String) -> Result<(), ApiError> {
        *self.current.lock().map_err(|_| Self::poisoned())? =
            Some(Current { snapshot, stamp, checked: Instant::now() });
        Ok(())
    }
}

/// Builds a snapshot for the date and keeps it, unless a builder that ran meanwhile
/// already left one with the same stamp.
async fn build(state: &AppState, as_of: NaiveDate) -> Result<Arc<PortfolioSnapshot>, ApiError> {
    let warm = &state.0.warm;
    let _building = warm.building.lock().await;
    let (snapshot, stamp) = state
        .in_background(move |store, shared| {
            let stamp = store.data_stamp()?;
            if let Some(c) = shared.warm.peek(as_of)?
                && c.1 == stamp
            {
                return Ok((c.0, stamp));
            }
            let started = Instant::now();
            // One set of artefacts for the whole snapshot.
            let artefacts = shared.artefacts();
            let options = credence_engine::PortfolioOptions::new(&artefacts.model);
            let s = credence_engine::portfolio_snapshot(store, &artefacts.policy, as_of, &options)?;
            tracing::info!(as_of = %as_of, customers = s.portfolio.positions.len(), unreadable = s.unreadable.len(), seconds = started.elapsed().as_secs_f64(), "portfolio snapshot built");
            Ok((Arc::new(s), stamp))
        })
        .await?;
    warm.put(snapshot.clone(), stamp)?;
    Ok(snapshot)
}

/// The portfolio as of the server's business date: the warm snapshot, rebuilt in the
/// background when the data moved.
pub async fn snapshot(state: &AppState) -> Result<Arc<PortfolioSnapshot>, ApiError> {
    let as_of = state.today();
    let Some((snapshot, stamp, due)) = state.0.warm.peek(as_of)? else {
        return build(state, as_of).await;
    };
    if due {
        state.0.warm.mark_checked();
        let fresh = state.with_store(|store, _| Ok(store.data_stamp()?)).await?;
        if fresh != stamp && state.0.warm.building.try_lock().is_ok() {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = build(&state, as_of).await {
                    tracing::error!(error = ?e, "rebuilding the portfolio snapshot failed");
                }
            });
        }
    }
    Ok(snapshot)
}
