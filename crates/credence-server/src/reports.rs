//! Reports too long to compute on every request (the warning rules' back-test, the
//! collectors' worklist on a large portfolio): computed once per key (the date and the
//! data stamp they depend on) in the background, kept until the key changes. A reader
//! waits a while for a computation; if it takes longer the reader is told so and the
//! computation goes on, so no request runs into the server's timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::ApiError;
use crate::state::{AppState, Shared};

struct Inner<T> {
    done: Option<(String, Arc<T>)>,
    running: Option<String>,
}

/// One kind of long report.
pub struct LongReport<T> {
    inner: Mutex<Inner<T>>,
}

impl<T> Default for LongReport<T> {
    fn default() -> Self {
        LongReport { inner: Mutex::new(Inner { done: None, running: None }) }
    }
}

fn poisoned() -> ApiError {
    ApiError::poisoned("report cache")
}

impl<T> LongReport<T> {
    /// Drops the kept report (the artefacts it was computed with were replaced).
    pub fn forget(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.done = None;
        }
    }
}

impl<T: Send + Sync + 'static> LongReport<T> {
    fn ready(&self, key: &str) -> Result<Option<Arc<T>>, ApiError> {
        let inner = self.inner.lock().map_err(|_| poisoned())?;
        Ok(inner.done.as_ref().filter(|(k, _)| k == key).map(|(_, r)| r.clone()))
    }

    /// The report for `key`: the kept one, or one computed now (started unless already
    /// under way) if it finishes within `wait`; `None` while it is still being computed.
    pub async fn get(
        state: &AppState,
        report: fn(&Shared) -> &LongReport<T>,
        key: String,
        wait: Duration,
        compute: impl FnOnce(&mut credence_store::Store, &Shared) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<Option<Arc<T>>, ApiError> {
        let this = report(&state.0);
        if let Some(r) = this.ready(&key)? {
            return Ok(Some(r));
        }
        let start = {
            let mut inner = this.inner.lock().map_err(|_| poisoned())?;
            let start = inner.running.as_deref() != Some(key.as_str());
            if start {
                inner.running = Some(key.clone());
            }
            start
        };
        if start {
            let background = state.clone();
            let k = key.clone();
            tokio::spawn(async move {
                let out = background.in_background(compute).await;
                let this = report(&background.0);
                if let Ok(mut inner) = this.inner.lock() {
                    if inner.running.as_deref() == Some(k.as_str()) {
                        inner.running = None;
                    }
                    match out {
                        Ok(r) => inner.done = Some((k, Arc::new(r))),
                        Err(e) => tracing::error!(error = ?e, "computing a report failed"),
                    }
                }
            });
        }
        let step = Duration::from_millis(25);
        let mut waited = Duration::ZERO;
        while waited < wait {
            tokio::time::sleep(step).await;
            waited += step;
            if let Some(r) = this.ready(&key)? {
                return Ok(Some(r));
            }
            if this.inner.lock().map_err(|_| poisoned())?.running.as_deref() != Some(key.as_str()) {
                // It ended without a report (it failed; the log says why) or another key
                // replaced it.
                return this.ready(&key);
            }
        }
        Ok(None)
    }
}
