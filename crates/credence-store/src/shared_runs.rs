//! Portfolio runs shared by several instances. A shared run is cut into parts, ranges of
//! customer ids compared byte by byte, that instances claim one at a time for a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer serialises claims). A
//! part's results are written in one transaction with the mark that it is done, and only
//! by the claim that holds it: a part whose holder died leaves nothing and is claimed again
//! once its lease has run out, and a holder that outlived its lease writes nothing. The
//! transaction that completes the last part finishes the run.

use crate::db::{Db, Dialect};
use crate::ratings::{NewRating, NewRatingRun};
use crate::{Store, StoreError};
use credence_domain::{CustomerId, Timestamp};
use credence_records::Value;

/// The kind of run a part belongs to, as stored in `run_parts.run_kind`.
const RATING: &str = "rating";

/// A part of a shared run, claimed by one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedPart {
    pub run_id: i64,
    pub part: i64,
    /// The first customer id of the part (inclusive).
    pub lower: String,
    /// The end of the part (exclusive); `None` for the last part.
    pub upper: Option<String>,
    /// This claim's token: only it may write the part.
    pub claim: String,
}

impl ClaimedPart {
    /// Whether a customer id falls in the part (byte order).
    pub fn contains(&self, id: &str) -> bool {
        id >= self.lower.as_str() && self.upper.as_deref().is_none_or(|u| id < u)
    }
}

/// A shared run not finished yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SharedRun {
    pub id: i64,
    pub as_of: String,
    pub model_version: String,
    pub catalogue_version: String,
    pub scope: String,
}

/// Where a shared run stands.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PartsState {
    pub parts: i64,
    pub done: i64,
    /// Parts claimed by a holder whose lease has not run out at the time asked.
    pub held: i64,
    /// The earliest end of those leases.
    pub next_expiry: Option<String>,
    pub finished: bool,
}

/// A part of a shared rating run, as the instance that rated it writes it.
pub struct RatedPart<'a> {
    pub ratings: &'a [NewRating],
    pub failures: &'a [(CustomerId, String)],
    /// Customers of the part not due in this run (scope `changed`).
    pub skipped: u64,
    /// What the run's end needs from this part (the caller's encoding).
    pub summary: Vec<u8>,
}

/// An industry median computed at a shared run's end.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    pub industry: String,
    pub indicator: String,
    pub median: f64,
    pub observations: u64,
}

/// Turns every part's summary, in part order, into a finished run's industry medians.
pub type MergeSummaries<'a> = dyn Fn(&[Vec<u8>]) -> Result<Vec<Benchmark>, String> + 'a;

/// What writing a part did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartWritten {
    /// The claim had been lost (its lease ran out and another instance took the part):
    /// nothing was written.
    Lost,
    /// Written; `finished` when it was the run's last part and the run is now finished.
    Done { finished: bool },
}

/// The bounds of `parts` parts over `ids`: each part's first id (the first part starts at
/// the empty id, so every id, even one imported later, falls in exactly one part).
pub fn part_bounds(ids: &[String], parts: usize) -> Vec<String> {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let parts = parts.clamp(1, sorted.len().max(1));
    let mut bounds = vec![String::new()];
    for k in 1..parts {
        let b = sorted[k * sorted.len() / parts];
        if bounds.last().is_some_and(|last| last.as_str() < b) {
            bounds.push(b.to_owned());
        }
    }
    bounds
}

impl Store {
    /// The open shared rating run of these versions, date and scope, if any.
    pub fn open_shared_rating_run(&mut self, run: &NewRatingRun) -> Result<Option<i64>, StoreError> {
        open_run(&mut self.db, run)
    }

    /// The shared rating runs not finished yet, oldest first.
    pub fn unfinished_shared_rating_runs(&mut self) -> Result<Vec<SharedRun>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            "SELECT id, as_of, model_version, catalogue_version, scope FROM rating_runs WHERE finished_at IS NULL AND parts > 0 ORDER BY id",
            &[],
            |r| {
                let text = |i: usize| r[i].text().unwrap_or_default().to_owned();
                out.push(SharedRun {
                    id: r[0].int().unwrap_or(0),
                    as_of: text(1),
                    model_version: text(2),
                    catalogue_version: text(3),
                    scope: text(4),
                });
            },
        )?;
        Ok(out)
    }

    /// Starts a shared rating run cut at `bounds` (see [`part_bounds`]), or joins the one
    /// another instance opened first for the same versions, date and scope: its id, and
    /// whether this call opened it.
    pub fn start_shared_rating_run(
        &mut self,
        run: &NewRatingRun,
        bounds: &[String],
    ) -> Result<(i64, bool), StoreError> {
        if bounds.is_empty() || bounds[0].as_str() != "" || bounds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StoreError::SharedRun("its parts must start at the empty id and increase".into()));
        }
        self.in_transaction(|db| {
            let insert = match db.dialect() {
                Dialect::Sqlite => "INSERT OR IGNORE INTO",
                Dialect::Postgres => "INSERT INTO",
            };
            let conflict = match db.dialect() {
                Dialect::Sqlite => "",
                Dialect::Postgres => " ON CONFLICT DO NOTHING",
            };
            let created = db.query_one(
                &format!("{insert} rating_runs (as_of, started_at, model_version, catalogue_version, scope, parts) VALUES (?, ?, ?, ?, ?, ?){conflict} RETURNING id"),
                &[
                    run.as_of.as_str().into(),
                    (&run.started_at).into(),
                    run.model_version.as_str().into(),
                    run.catalogue_version.as_str().into(),
                    run.scope.as_str().into(),
                    Value::Int(bounds.len() as i64),
                ],
            )?;
            let Some(id) = created.and_then(|v| v.as_int()) else {
                return open_run(db, run)?
                    .map(|id| (id, false))
                    .ok_or_else(|| StoreError::SharedRun("the run another instance opened is gone".into()));
            };
            for (part, lower) in bounds.iter().enumerate() {
                let upper = bounds.get(part + 1).map_or(Value::Null, |u| u.as_str().into());
                db.execute(
                    "INSERT INTO run_parts (run_kind, run_id, part, lower_id, upper_id) VALUES (?, ?, ?, ?, ?)",
                    &[RATING.into(), Value::Int(id), Value::Int(part as i64), lower.as_str().into(), upper],
                )?;
            }
            Ok((id, true))
        })
    }

    /// Claims for `holder` until `until` the first part of a shared rating run that is
    /// not done and not held by an unexpired claim at `now`; `None` when there is none.
    pub fn claim_rating_part(
        &mut self,
        run_id: i64,
        holder: &str,
        now: &str,
        until: &str,
    ) -> Result<Option<ClaimedPart>, StoreError> {
        let claim = format!("{holder}/{}", token()?);
        let lock = match self.db.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let rows = self.in_transaction(|db| {
            Ok::<_, StoreError>(db.query(
                &format!(
                    "UPDATE run_parts SET holder = ?, claim = ?, claimed_until = ?, claims = claims + 1 \
                     WHERE run_kind = ? AND run_id = ? AND part = (SELECT part FROM run_parts \
                     WHERE run_kind = ? AND run_id = ? AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?) \
                     ORDER BY part LIMIT 1{lock}) RETURNING part, lower_id, upper_id"
                ),
                &[
                    holder.into(),
                    claim.as_str().into(),
                    until.into(),
                    RATING.into(),
                    Value::Int(run_id),
                    RATING.into(),
                    Value::Int(run_id),
                    now.into(),
                ],
            )?)
        })?;
        Ok(rows.first().map(|r| ClaimedPart {
            run_id,
            part: r[0].as_int().unwrap_or(0),
            lower: r[1].as_text().unwrap_or_default().to_owned(),
            upper: r[2].as_text().map(str::to_owned),
            claim: claim.clone(),
        }))
    }

    /// Where a shared rating run stands at `now`.
    pub fn rating_parts_state(&mut self, run_id: i64, now: &str) -> Result<PartsState, StoreError> {
        let rows = self.db.query(
            "SELECT COUNT(*), COUNT(done_at), SUM(CASE WHEN done_at IS NULL AND claimed_until > ? THEN 1 ELSE 0 END), MIN(CASE WHEN done_at IS NULL AND claimed_until > ? THEN claimed_until END) FROM run_parts WHERE run_kind = ? AND run_id = ?",
            &[now.into(), now.into(), RATING.into(), Value::Int(run_id)],
        )?;
        let finished = self
            .db
            .query_one("SELECT finished_at FROM rating_runs WHERE id = ?", &[Value::Int(run_id)])?
            .is_some_and(|v| v.as_text().is_some());
        let r = rows.first().cloned().unwrap_or_default();
        let int = |i: usize| r.get(i).and_then(Value::as_int).unwrap_or(0);
        Ok(PartsState {
            parts: int(0),
            done: int(1),
            held: int(2),
            next_expiry: r.get(3).and_then(|v| v.as_text()).map(str::to_owned),
            finished,
        })
    }

    /// Gives up the parts `holder` holds and has not written (it is stopping), so another
    /// instance may claim them now; how many.
    pub fn release_parts(&mut self, holder: &str) -> Result<u64, StoreError> {
        Ok(self.db.execute(
            "UPDATE run_parts SET holder = NULL, claim = NULL, claimed_until = NULL WHERE holder = ? AND done_at IS NULL",
            &[holder.into()],
        )?)
    }

    /// Writes a claimed part of a shared rating run: its ratings and failures, and the
    /// mark that it is done, in one transaction, only while `part.claim` still holds it.
    /// When it is the run's last part, the same transaction finishes the run: `benchmarks`
    /// turns every part's summary (in part order) into the run's industry medians, and
    /// the run's counts are the sums of its parts'.
    pub fn write_rating_part(
        &mut self,
        part: &ClaimedPart,
        rated: &RatedPart<'_>,
        at: &Timestamp,
        benchmarks: &MergeSummaries<'_>,
    ) -> Result<PartWritten, StoreError> {
        let run = Value::Int(part.run_id);
        self.in_transaction(|db| {
            let marked = db.execute(
                "UPDATE run_parts SET done_at = ?, done_by = holder, claimed_until = NULL, done = ?, skipped = ?, failed = ? \
                 WHERE run_kind = ? AND run_id = ? AND part = ? AND claim = ? AND done_at IS NULL",
                &[
                    at.into(),
                    Value::Int(rated.ratings.len() as i64),
                    Value::Int(rated.skipped as i64),
                    Value::Int(rated.failures.len() as i64),
                    RATING.into(),
                    run.clone(),
                    Value::Int(part.part),
                    part.claim.as_str().into(),
                ],
            )?;
            if marked != 1 {
                return Ok(PartWritten::Lost);
            }
            crate::ratings::insert_ratings(db, part.run_id, rated.ratings)?;
            for (customer, message) in rated.failures {
                crate::ratings::insert_failure(db, part.run_id, customer.as_str(), message)?;
            }
            db.execute_with_blobs(
                "INSERT INTO run_part_summaries (run_kind, run_id, part, summary) VALUES (?, ?, ?, ?)",
                &[(vec![RATING.into(), run.clone(), Value::Int(part.part)], rated.summary.clone())],
            )?;
            if db.dialect() == Dialect::Postgres {
                // The counts of parts left take turns (the lock is held to commit), so the
                // later of two parts written together sees the other done: exactly one
                // transaction finds none left. What came before ran side by side.
                db.query("SELECT id FROM rating_runs WHERE id = ? FOR UPDATE", std::slice::from_ref(&run))?;
            }
            let left = db
                .query_one(
                    "SELECT COUNT(*) FROM run_parts WHERE run_kind = ? AND run_id = ? AND done_at IS NULL",
                    &[RATING.into(), run.clone()],
                )?
                .and_then(|v| v.as_int())
                .unwrap_or(0);
            if left > 0 {
                return Ok(PartWritten::Done { finished: false });
            }
            let mut summaries = Vec::new();
            db.query_blob_rows(
                "SELECT part, summary FROM run_part_summaries WHERE run_kind = ? AND run_id = ? ORDER BY part",
                &[RATING.into(), run.clone()],
                |_, blob| summaries.push(blob.to_vec()),
            )?;
            let medians = benchmarks(&summaries).map_err(StoreError::SharedRun)?;
            for b in &medians {
                crate::ratings::insert_benchmark(db, part.run_id, &b.industry, &b.indicator, b.median, b.observations)?;
            }
            db.execute(
                "UPDATE rating_runs SET finished_at = ?, (rated, skipped, failed) = \
                 (SELECT SUM(done), SUM(skipped), SUM(failed) FROM run_parts WHERE run_kind = ? AND run_id = ?) WHERE id = ?",
                &[at.into(), RATING.into(), run.clone(), run.clone()],
            )?;
            db.execute(
                "DELETE FROM run_part_summaries WHERE run_kind = ? AND run_id = ?",
                &[RATING.into(), run.clone()],
            )?;
            Ok(PartWritten::Done { finished: true })
        })
    }
}

/// A claim token no other claim shares.
fn token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::SharedRun(format!("no random claim token: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The open shared run of `run`'s versions, date and scope, if any.
fn open_run(db: &mut Db, run: &NewRatingRun) -> Result<Option<i64>, StoreError> {
    Ok(db
        .query_one(
            "SELECT id FROM rating_runs WHERE as_of = ? AND model_version = ? AND catalogue_version = ? AND scope = ? AND finished_at IS NULL AND parts > 0",
            &[
                run.as_of.as_str().into(),
                run.model_version.as_str().into(),
                run.catalogue_version.as_str().into(),
                run.scope.as_str().into(),
            ],
        )?
        .and_then(|v| v.as_int()))
}
