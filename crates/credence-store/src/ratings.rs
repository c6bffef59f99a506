//! Ratings: runs, one stored rating per customer and run, failures, overrides and the
//! industry medians of a run. Ratings are appended, never updated, so every earlier grade
//! stays visible as history.

use crate::batch::Rows;
use crate::db::Db;
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_records::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A rating to store.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewRating {
    pub customer_id: CustomerId,
    pub as_of: String,
    pub model_version: String,
    pub catalogue_version: String,
    /// Hash of every input the rating was computed from.
    pub inputs_hash: String,
    /// The newest import that touched the customer's data when it was rated.
    pub data_version: i64,
    pub score: f64,
    pub pd: f64,
    pub letter_grade: String,
    pub point_grade: String,
    /// Grades the scorecard gave before knock-outs and caps.
    pub model_letter_grade: String,
    pub model_point_grade: String,
    /// The full breakdown as JSON.
    pub detail: String,
}

/// A stored rating with the override in force, if any.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredRating {
    pub id: i64,
    pub run_id: i64,
    #[serde(flatten)]
    pub rating: NewRating,
    pub overridden: Option<StoredOverride>,
}

/// A manual override of a rating's grades.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredOverride {
    pub id: i64,
    pub rating_id: i64,
    pub customer_id: CustomerId,
    pub letter_grade: String,
    pub point_grade: String,
    pub reason: String,
    pub approver: String,
    pub entered_by: String,
    pub entered_at: Timestamp,
}

/// An override entered by one person and waiting for (or decided by) the approver it
/// names; only an approved one is put in force, as a [`StoredOverride`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OverrideRequest {
    pub id: i64,
    pub rating_id: i64,
    pub customer_id: CustomerId,
    pub letter_grade: String,
    pub point_grade: String,
    pub reason: String,
    pub approver: String,
    pub entered_by: String,
    pub entered_at: Timestamp,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_at: Option<Timestamp>,
    pub decision_comment: Option<String>,
    /// The override put in force, once approved.
    pub override_id: Option<i64>,
}

const REQUEST_COLUMNS: &str = "id, rating_id, customer_id, letter_grade, point_grade, reason, approver, entered_by, entered_at, status, decided_at, decision_comment, override_id";

fn override_request_from_row(r: &[Value]) -> OverrideRequest {
    OverrideRequest {
        id: r[0].as_int().unwrap_or(0),
        rating_id: r[1].as_int().unwrap_or(0),
        customer_id: text(&r[2]).into(),
        letter_grade: text(&r[3]),
        point_grade: text(&r[4]),
        reason: text(&r[5]),
        approver: text(&r[6]),
        entered_by: text(&r[7]),
        entered_at: Timestamp::stored(text(&r[8])),
        status: text(&r[9]),
        decided_at: r[10].as_text().map(Timestamp::stored),
        decision_comment: r[11].as_text().map(str::to_owned),
        override_id: r[12].as_int(),
    }
}

/// A rating run as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RatingRun {
    pub id: i64,
    pub as_of: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub model_version: String,
    pub catalogue_version: String,
    pub scope: String,
    pub rated: i64,
    pub skipped: i64,
    pub failed: i64,
    /// The parts a shared run is cut into (0: a run made by one process).
    pub parts: i64,
}

/// The last rating of a customer, as needed to decide whether it must be re-rated. The
/// texts are shared by the ratings of a run: a million stamps hold a handful of them.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingStamp {
    pub as_of: Arc<str>,
    pub data_version: i64,
    pub model_version: Arc<str>,
    pub catalogue_version: Arc<str>,
    /// When the run that made the rating started.
    pub run_started_at: Arc<Timestamp>,
}

/// `text` as a shared text, the one of `last` when equal.
fn shared(last: &mut Option<Arc<str>>, text: &str) -> Arc<str> {
    match last {
        Some(t) if &**t == text => t.clone(),
        _ => last.insert(Arc::from(text)).clone(),
    }
}

const RATING_COLUMNS: &str = "r.id, r.run_id, r.customer_id, r.as_of, r.model_version, r.catalogue_version, r.inputs_hash, r.data_version, r.score, r.pd, r.letter_grade, r.point_grade, r.model_letter_grade, r.model_point_grade, r.detail";

fn text(v: &Value) -> String {
    v.as_text().unwrap_or_default().to_owned()
}

fn rating_from_row(r: &[Value]) -> StoredRating {
    StoredRating {
        id: r[0].as_int().unwrap_or(0),
        run_id: r[1].as_int().unwrap_or(0),
        rating: NewRating {
            customer_id: text(&r[2]).into(),
            as_of: text(&r[3]),
            model_version: text(&r[4]),
            catalogue_version: text(&r[5]),
            inputs_hash: text(&r[6]),
            data_version: r[7].as_int().unwrap_or(0),
            score: r[8].as_real().unwrap_or(f64::NAN),
            pd: r[9].as_real().unwrap_or(f64::NAN),
            letter_grade: text(&r[10]),
            point_grade: text(&r[11]),
            model_letter_grade: text(&r[12]),
            model_point_grade: text(&r[13]),
            detail: text(&r[14]),
        },
        overridden: None,
    }
}

fn override_from_row(r: &[Value]) -> StoredOverride {
    StoredOverride {
        id: r[0].as_int().unwrap_or(0),
        rating_id: r[1].as_int().unwrap_or(0),
        customer_id: text(&r[2]).into(),
        letter_grade: text(&r[3]),
        point_grade: text(&r[4]),
        reason: text(&r[5]),
        approver: text(&r[6]),
        entered_by: text(&r[7]),
        entered_at: Timestamp::stored(text(&r[8])),
    }
}

/// Attaches to each rating the latest override entered against it.
fn attach_overrides(db: &mut Db, ratings: &mut [StoredRating]) -> Result<(), StoreError> {
    for r in ratings {
        let rows = db.query(
            "SELECT id, rating_id, customer_id, letter_grade, point_grade, reason, approver, entered_by, entered_at FROM rating_overrides WHERE rating_id = ? ORDER BY id DESC LIMIT 1",
            &[Value::Int(r.id)],
        )?;
        r.overridden = rows.first().map(|row| override_from_row(row));
    }
    Ok(())
}

/// An open rating run: ratings written through it appear together at commit.
pub struct RatingSession<'s> {
    db: &'s mut Db,
    run_id: i64,
    open: bool,
}

impl<'s> RatingSession<'s> {
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    pub fn insert_rating(&mut self, r: &NewRating) -> Result<(), StoreError> {
        self.insert_ratings(std::slice::from_ref(r))
    }

    /// Stores ratings in the order given, many rows to a statement: a portfolio run writes
    /// a million.
    pub fn insert_ratings(&mut self, ratings: &[NewRating]) -> Result<(), StoreError> {
        insert_ratings(self.db, self.run_id, ratings)
    }

    /// Records that a customer could not be rated; the run goes on.
    pub fn insert_failure(&mut self, customer_id: &str, message: &str) -> Result<(), StoreError> {
        insert_failure(self.db, self.run_id, customer_id, message)
    }

    /// Stores the median of an indicator among an industry's customers in this run.
    pub fn insert_benchmark(
        &mut self,
        industry: &str,
        indicator: &str,
        median: f64,
        observations: u64,
    ) -> Result<(), StoreError> {
        insert_benchmark(self.db, self.run_id, industry, indicator, median, observations)
    }

    /// Makes the ratings written so far durable and starts a new transaction, so that a
    /// run over millions of customers does not hold one giant transaction. Ratings of a
    /// run count only once the run is committed: until then (or forever, if the process
    /// dies) they are invisible to history and to `rate --changed`.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.db.checkpoint()
    }

    pub fn commit(
        mut self,
        rated: u64,
        skipped: u64,
        failed: u64,
        finished_at: &Timestamp,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE rating_runs SET finished_at = ?, rated = ?, skipped = ?, failed = ? WHERE id = ?",
            &[
                finished_at.into(),
                Value::Int(rated as i64),
                Value::Int(skipped as i64),
                Value::Int(failed as i64),
                Value::Int(self.run_id),
            ],
        )?;
        self.open = false;
        self.db.commit()?;
        Ok(())
    }
}

/// Stores a run's ratings in the order given, many rows to a statement.
pub(crate) fn insert_ratings(db: &mut Db, run_id: i64, ratings: &[NewRating]) -> Result<(), StoreError> {
    let mut rows = Rows::new(
        "INSERT INTO ratings (run_id, customer_id, as_of, model_version, catalogue_version, inputs_hash, data_version, score, pd, letter_grade, point_grade, model_letter_grade, model_point_grade, detail)",
        "",
    );
    for r in ratings {
        rows.push(
            db,
            [
                Value::Int(run_id),
                r.customer_id.as_str().into(),
                r.as_of.as_str().into(),
                r.model_version.as_str().into(),
                r.catalogue_version.as_str().into(),
                r.inputs_hash.as_str().into(),
                Value::Int(r.data_version),
                Value::Real(r.score),
                Value::Real(r.pd),
                r.letter_grade.as_str().into(),
                r.point_grade.as_str().into(),
                r.model_letter_grade.as_str().into(),
                r.model_point_grade.as_str().into(),
                r.detail.as_str().into(),
            ],
        )?;
    }
    rows.flush(db)?;
    Ok(())
}

pub(crate) fn insert_failure(
    db: &mut Db,
    run_id: i64,
    customer_id: &str,
    message: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO rating_failures (run_id, customer_id, message) VALUES (?, ?, ?)",
        &[Value::Int(run_id), customer_id.into(), message.into()],
    )?;
    Ok(())
}

pub(crate) fn insert_benchmark(
    db: &mut Db,
    run_id: i64,
    industry: &str,
    indicator: &str,
    median: f64,
    observations: u64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO indicator_benchmarks (run_id, industry, indicator, median, observations) VALUES (?, ?, ?, ?, ?)",
        &[Value::Int(run_id), industry.into(), indicator.into(), Value::Real(median), Value::Int(observations as i64)],
    )?;
    Ok(())
}

impl Drop for RatingSession<'_> {
    fn drop(&mut self) {
        if self.open {
            // As for imports: nothing of an unfinished run remains.
            let _ = self.db.rollback();
        }
    }
}

/// The description of a rating run, recorded with it.
#[derive(Debug, Clone)]
pub struct NewRatingRun {
    pub as_of: String,
    pub started_at: Timestamp,
    pub model_version: String,
    pub catalogue_version: String,
    /// `all`, `changed` or a customer id.
    pub scope: String,
}

impl Store {
    /// Starts a rating run in one transaction.
    pub fn begin_rating_run(&mut self, run: NewRatingRun) -> Result<RatingSession<'_>, StoreError> {
        let db = &mut self.db;
        db.begin_write()?;
        let mut session = RatingSession { db, run_id: 0, open: true };
        let id = session.db.query_one(
            "INSERT INTO rating_runs (as_of, started_at, model_version, catalogue_version, scope) VALUES (?, ?, ?, ?, ?) RETURNING id",
            &[
                run.as_of.into(),
                run.started_at.into(),
                run.model_version.into(),
                run.catalogue_version.into(),
                run.scope.into(),
            ],
        )?;
        session.run_id = id.and_then(|v| v.as_int()).ok_or(StoreError::NoImportId)?;
        Ok(session)
    }

    /// Each customer's latest rating in a finished run, as needed to decide whether it
    /// must be re-rated. Reads the finished runs newest first, each run's ratings in the
    /// order they were written, and stops once every customer has one: after a whole
    /// portfolio run, usually that run alone.
    pub fn rating_stamps(&mut self) -> Result<crate::IdMap<RatingStamp>, StoreError> {
        let customers =
            self.db.query_one("SELECT COUNT(*) FROM customers", &[])?.and_then(|v| v.as_int()).unwrap_or(0);
        let runs = self.db.query(
            "SELECT id, started_at FROM rating_runs WHERE finished_at IS NOT NULL ORDER BY id DESC",
            &[],
        )?;
        let mut out = crate::IdMap::with_capacity_and_hasher(customers.max(0) as usize, Default::default());
        for run in runs {
            if customers > 0 && out.len() as i64 >= customers {
                break;
            }
            let started = Arc::new(Timestamp::stored(text(&run[1])));
            let (mut as_of, mut model, mut catalogue) = (None, None, None);
            self.db.query_cells(
                "SELECT customer_id, as_of, data_version, model_version, catalogue_version FROM ratings WHERE run_id = ?",
                &[run[0].clone()],
                |r| {
                    let id = r[0].text().unwrap_or_default();
                    if out.contains_key(id) {
                        return;
                    }
                    out.insert(
                        id.to_owned(),
                        RatingStamp {
                            as_of: shared(&mut as_of, r[1].text().unwrap_or_default()),
                            data_version: r[2].int().unwrap_or(0),
                            model_version: shared(&mut model, r[3].text().unwrap_or_default()),
                            catalogue_version: shared(&mut catalogue, r[4].text().unwrap_or_default()),
                            run_started_at: started.clone(),
                        },
                    );
                },
            )?;
        }
        Ok(out)
    }

    /// Every rating of a customer in a finished run, newest first, with overrides attached.
    pub fn rating_history(&mut self, customer_id: &str) -> Result<Vec<StoredRating>, StoreError> {
        let rows = self.db.query(
            &format!(
                "SELECT {RATING_COLUMNS} FROM ratings r JOIN rating_runs u ON u.id = r.run_id WHERE r.customer_id = ? AND u.finished_at IS NOT NULL ORDER BY r.id DESC"
            ),
            &[customer_id.into()],
        )?;
        let mut ratings: Vec<StoredRating> = rows.iter().map(|r| rating_from_row(r)).collect();
        attach_overrides(&mut self.db, &mut ratings)?;
        Ok(ratings)
    }

    /// The ratings of one run without their breakdowns, by customer id (overrides not
    /// attached: a portfolio view reads them through [`Store::overrides_of_run`]).
    pub fn ratings_of_run(
        &mut self,
        run_id: i64,
        mut f: impl FnMut(StoredRating) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut failure = None;
        self.db.query_each(
            // The breakdown is left out (empty `detail`): portfolio views need grades and
            // scores, and the breakdowns of a large run are gigabytes.
            &format!(
                "SELECT {} FROM ratings r WHERE r.run_id = ? ORDER BY r.customer_id",
                RATING_COLUMNS.replace("r.detail", "''")
            ),
            &[Value::Int(run_id)],
            |r| {
                if failure.is_none()
                    && let Err(e) = f(rating_from_row(&r))
                {
                    failure = Some(e);
                }
                Ok(())
            },
        )?;
        failure.map_or(Ok(()), Err)
    }

    /// The letter grade of every customer a run rated, to `f` (customer id, grade): what a
    /// warning run reads of a million ratings.
    pub fn letter_grades_of_run(
        &mut self,
        run_id: i64,
        mut f: impl FnMut(&str, &str),
    ) -> Result<(), StoreError> {
        self.db.query_cells(
            "SELECT customer_id, letter_grade FROM ratings WHERE run_id = ?",
            &[Value::Int(run_id)],
            |r| f(r[0].text().unwrap_or_default(), r[1].text().unwrap_or_default()),
        )?;
        Ok(())
    }

    /// Latest override per rating of a run: rating id → override.
    pub fn overrides_of_run(&mut self, run_id: i64) -> Result<HashMap<i64, StoredOverride>, StoreError> {
        let rows = self.db.query(
            "SELECT o.id, o.rating_id, o.customer_id, o.letter_grade, o.point_grade, o.reason, o.approver, o.entered_by, o.entered_at FROM rating_overrides o JOIN ratings r ON r.id = o.rating_id WHERE r.run_id = ? ORDER BY o.id",
            &[Value::Int(run_id)],
        )?;
        Ok(rows.iter().map(|r| override_from_row(r)).map(|o| (o.rating_id, o)).collect())
    }

    /// Rating runs, newest first.
    pub fn rating_runs(&mut self, limit: u32) -> Result<Vec<RatingRun>, StoreError> {
        self.rating_runs_where("1 = 1 ORDER BY id DESC LIMIT ?", Value::Int(limit.into()))
    }

    /// One rating run.
    pub fn rating_run(&mut self, id: i64) -> Result<Option<RatingRun>, StoreError> {
        Ok(self.rating_runs_where("id = ?", Value::Int(id))?.pop())
    }

    fn rating_runs_where(&mut self, filter: &str, param: Value) -> Result<Vec<RatingRun>, StoreError> {
        let rows = self.db.query(
            &format!("SELECT id, as_of, started_at, finished_at, model_version, catalogue_version, scope, rated, skipped, failed, parts FROM rating_runs WHERE {filter}"),
            &[param],
        )?;
        Ok(rows
            .iter()
            .map(|r| RatingRun {
                id: r[0].as_int().unwrap_or(0),
                as_of: text(&r[1]),
                started_at: Timestamp::stored(text(&r[2])),
                finished_at: r[3].as_text().map(Timestamp::stored),
                model_version: text(&r[4]),
                catalogue_version: text(&r[5]),
                scope: text(&r[6]),
                rated: r[7].as_int().unwrap_or(0),
                skipped: r[8].as_int().unwrap_or(0),
                failed: r[9].as_int().unwrap_or(0),
                parts: r[10].as_int().unwrap_or(0),
            })
            .collect())
    }

    /// Customers that could not be rated in a run, with the reason.
    pub fn rating_failures(&mut self, run_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self.db.query(
            "SELECT customer_id, message FROM rating_failures WHERE run_id = ? ORDER BY customer_id",
            &[Value::Int(run_id)],
        )?;
        Ok(rows.iter().map(|r| (text(&r[0]), text(&r[1]))).collect())
    }

    /// Records an override waiting for its approver; its id.
    pub fn insert_override_request(&mut self, o: &OverrideRequest) -> Result<i64, StoreError> {
        crate::cells::returning_id(
            &mut self.db,
            "INSERT INTO override_requests (rating_id, customer_id, letter_grade, point_grade, reason, approver, entered_by, entered_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
            &[
                Value::Int(o.rating_id),
                o.customer_id.as_str().into(),
                o.letter_grade.as_str().into(),
                o.point_grade.as_str().into(),
                o.reason.as_str().into(),
                o.approver.as_str().into(),
                o.entered_by.as_str().into(),
                o.entered_at.as_str().into(),
            ],
        )
    }

    pub fn override_request(&mut self, id: i64) -> Result<Option<OverrideRequest>, StoreError> {
        let rows = self.db.query(
            &format!("SELECT {REQUEST_COLUMNS} FROM override_requests WHERE id = ?"),
            &[Value::Int(id)],
        )?;
        Ok(rows.first().map(|r| override_request_from_row(r)))
    }

    /// Override requests, newest first, optionally of one status and customer.
    pub fn override_requests(
        &mut self,
        status: Option<&str>,
        customer: Option<&str>,
    ) -> Result<Vec<OverrideRequest>, StoreError> {
        let mut sql = format!("SELECT {REQUEST_COLUMNS} FROM override_requests WHERE 1 = 1");
        let mut params = Vec::new();
        for (column, value) in [("status", status), ("customer_id", customer)] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                params.push(Value::from(v));
            }
        }
        sql.push_str(" ORDER BY id DESC");
        Ok(self.db.query(&sql, &params)?.iter().map(|r| override_request_from_row(r)).collect())
    }

    /// Settles a pending override request: approved, the override is put in force beside
    /// its rating; rejected, nothing else changes. One transaction, and only a request
    /// still pending is settled, so two approvers racing cannot both win. `None` when it
    /// was no longer pending; else the id of the override put in force, if any.
    pub fn decide_override_request(
        &mut self,
        id: i64,
        approve: bool,
        comment: &str,
        at: &Timestamp,
    ) -> Result<Option<Option<i64>>, StoreError> {
        self.in_transaction(|db| {
            let n = db.execute(
                "UPDATE override_requests SET status = ?, decided_at = ?, decision_comment = ? WHERE id = ? AND status = 'pending'",
                &[if approve { "approved" } else { "rejected" }.into(), at.into(), comment.into(), Value::Int(id)],
            )?;
            if n != 1 {
                return Ok(None);
            }
            if !approve {
                return Ok(Some(None));
            }
            let in_force = crate::cells::returning_id(
                db,
                "INSERT INTO rating_overrides (rating_id, customer_id, letter_grade, point_grade, reason, approver, entered_by, entered_at) SELECT rating_id, customer_id, letter_grade, point_grade, reason, approver, entered_by, ? FROM override_requests WHERE id = ? RETURNING id",
                &[at.into(), Value::Int(id)],
            )?;
            db.execute(
                "UPDATE override_requests SET override_id = ? WHERE id = ?",
                &[Value::Int(in_force), Value::Int(id)],
            )?;
            Ok(Some(Some(in_force)))
        })
    }

    /// Industry medians of a run: indicator → median, for one industry.
    pub fn benchmarks(&mut self, run_id: i64, industry: &str) -> Result<HashMap<String, f64>, StoreError> {
        let rows = self.db.query(
            "SELECT indicator, median FROM indicator_benchmarks WHERE run_id = ? AND industry = ?",
            &[Value::Int(run_id), industry.into()],
        )?;
        Ok(rows.iter().map(|r| (text(&r[0]), r[1].as_real().unwrap_or(f64::NAN))).collect())
    }
}
