//! A rating run shared by several instances (RATE-6 at portfolio scale): the run is cut
//! into ranges of customer ids that every instance taking part claims one at a time, so
//! two instances rate a book in about half the time one takes, and an instance that dies
//! leaves its range to the others once its lease runs out. Each range is rated exactly as
//! [`crate::rate_portfolio`] rates it; its ratings are written with the mark that the
//! range is done, by the claim that holds it only, so no customer is rated twice or left
//! out. The instance that writes the last range finishes the run and stores the industry
//! medians, merged from every range's indicator values.

use crate::EngineError;
use crate::rate::{Peers, RateOptions, RateReport, RateScope, due_mask, rate_guarded, scope_name};
use credence_domain::{Clock, CustomerId, Timestamp};
use credence_indicators::Catalogue;
use credence_rating::ScorecardModel;
use credence_store::{ClaimedPart, NewRatingRun, PartWritten, RatedPart, Store};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

/// The parts a shared run is cut into when not told: about 16,000 customers each, at
/// least one and at most 256.
pub fn default_parts(customers: usize) -> usize {
    customers.div_ceil(16_000).clamp(1, 256)
}

/// How this instance takes part in a shared run.
pub struct ShareOptions<'c> {
    /// Who claims parts (instance name); written with each part it rates.
    pub holder: String,
    /// The parts a run this instance opens is cut into; `None` for [`default_parts`].
    pub parts: Option<usize>,
    /// How long a claim holds: a part not written by then may be claimed by another
    /// instance, and its first holder's work is then thrown away.
    pub lease: Duration,
    /// Wait for parts other instances hold, and take them over if their lease runs out,
    /// until the run is finished; otherwise leave once no part is free.
    pub wait: bool,
    /// Whether to open a run when none is open (otherwise only join one).
    pub open: bool,
    pub clock: &'c (dyn Clock + Sync),
}

/// What this instance did in a shared run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SharedRateReport {
    /// This instance's share: the customers it rated, skipped and failed, and their grades.
    #[serde(flatten)]
    pub share: RateReport,
    /// The parts the run is cut into.
    pub parts: i64,
    /// Parts this instance rated and wrote.
    pub parts_written: u64,
    /// Parts this instance rated but another took over before it wrote them.
    pub parts_lost: u64,
    /// Whether this instance opened the run (rather than joined it).
    pub opened: bool,
    /// Whether the run was finished when this instance left, and by this instance.
    pub finished: bool,
    pub finished_here: bool,
    /// The run's totals once finished: rated, skipped, failed.
    pub run_totals: Option<(i64, i64, i64)>,
}

/// Takes part in the shared run of `options` (scope all or changed): joins the open run
/// of these versions, date and scope, or opens one when `share.open`; `None` when there
/// was none to join.
pub fn rate_shared(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    options: &RateOptions,
    share: &ShareOptions<'_>,
) -> Result<Option<SharedRateReport>, EngineError> {
    if let RateScope::Customer(_) = options.scope {
        return Err(EngineError::SharedRun("a run of one customer is not shared; rate it alone".into()));
    }
    let run = NewRatingRun {
        as_of: options.as_of.to_string(),
        started_at: options.now.clone(),
        model_version: model.version().to_owned(),
        catalogue_version: catalogue.version().to_owned(),
        scope: scope_name(&options.scope),
    };
    let (run_id, opened) = match store.open_shared_rating_run(&run)? {
        Some(id) => (id, false),
        None if share.open => {
            let all = store.customer_ids()?;
            let bounds = credence_store::part_bounds(&all, share.parts.unwrap_or(default_parts(all.len())));
            store.start_shared_rating_run(&run, &bounds)?
        }
        None => return Ok(None),
    };
    let state = store.rating_parts_state(run_id, Timestamp::millis(share.clock.instant()).as_str())?;
    let mut report = SharedRateReport {
        share: RateReport::new(run_id, options.as_of, model, catalogue),
        parts: state.parts,
        parts_written: 0,
        parts_lost: 0,
        opened,
        finished: state.finished,
        finished_here: false,
        run_totals: None,
    };
    // An instance that would only look in leaves at once when no part is free.
    if !share.wait && state.parts - state.done - state.held <= 0 {
        return finish(store, report);
    }
    // Every instance works out the customers due from the same stored state (finished
    // runs only), so each part's customers are the same whoever claims it.
    let all = store.customer_ids()?;
    let due = due_mask(store, catalogue, model, options, &all)?;
    let by_part = ByPart::new(all, due);
    let mut pool = crate::credit_file::Pool::open(store)?;
    let lease = chrono::Duration::from_std(share.lease).unwrap_or(chrono::Duration::minutes(10));
    let stamp = |t: chrono::DateTime<chrono::Utc>| Timestamp::millis(t).as_str().to_owned();
    // A part is written on a connection of its own while the next one is read and rated,
    // so the writing costs no wall time (as in a run by one process).
    let mut writer_store = store.open_another()?;
    let tally = std::thread::scope(|s| -> Result<Tally, EngineError> {
        let (to_writer, parts) = std::sync::mpsc::sync_channel::<RatedShare>(1);
        let writer = s.spawn(move || -> Result<Tally, EngineError> {
            let mut tally = Tally::default();
            for done in parts {
                let t = std::time::Instant::now();
                let written = writer_store.write_rating_part(
                    &done.part,
                    &RatedPart {
                        ratings: &done.ratings,
                        failures: &done.failures,
                        skipped: done.skipped,
                        summary: encode_peers(&done.peers)?,
                    },
                    &Timestamp::millis(share.clock.instant()),
                    &|summaries| {
                        let mut all = Peers::default();
                        for s in summaries {
                            all.merge(decode_peers(s).map_err(|e| e.to_string())?);
                        }
                        Ok(all.medians(catalogue))
                    },
                )?;
                tally.seconds_write += t.elapsed().as_secs_f64();
                // Counted, then dropped: a run holds no more than a part or two in memory.
                tally.add(done, written);
            }
            Ok(tally)
        });
        // Parts are claimed as the workers ask for more, and cut into chunks; the last
        // chunk of a part carries the part, so the sink knows when it is complete.
        let mut queue: std::collections::VecDeque<(PartEnd, Vec<String>)> = Default::default();
        let mut feed = || -> crate::credit_file::Fed<'_, PartEnd> {
            loop {
                if let Some((tag, chunk)) = queue.pop_front() {
                    return Ok(Some((tag, Cow::Owned(chunk))));
                }
                let now = share.clock.instant();
                let Some(part) =
                    store.claim_rating_part(run_id, &share.holder, &stamp(now), &stamp(now + lease))?
                else {
                    let state = store.rating_parts_state(run_id, &stamp(now))?;
                    if state.finished || !share.wait {
                        return Ok(None);
                    }
                    // Parts are held by others, or by the writer: look again shortly, and
                    // take any whose lease ran out.
                    std::thread::sleep(
                        (share.lease / 4).clamp(Duration::from_millis(50), Duration::from_millis(250)),
                    );
                    continue;
                };
                let (due, skipped) = by_part.customers(&part);
                let mut due = due.into_iter();
                let mut chunks: Vec<Vec<String>> = Vec::new();
                loop {
                    let chunk: Vec<String> = due.by_ref().take(crate::credit_file::CHUNK).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    chunks.push(chunk);
                }
                let last = chunks.pop().unwrap_or_default();
                queue.extend(chunks.into_iter().map(|c| (None, c)));
                queue.push_back((Some((part, skipped)), last));
            }
        };
        let mut current = Accum::default();
        let rated = pool.run_fed(
            &mut feed,
            &|c| rate_guarded(c, catalogue, model, options.as_of),
            |tag, rated, read, compute| {
                report.share.seconds_read += read;
                report.share.seconds_compute += compute;
                for r in rated {
                    match r.outcome {
                        Ok((rating, indicators, _)) => {
                            current.ratings.push(rating);
                            current.peers.add(r.industry, &indicators);
                        }
                        Err(message) => current.failures.push((r.customer_id, message)),
                    }
                }
                if let Some((part, skipped)) = tag {
                    let done = std::mem::take(&mut current);
                    let done = RatedShare {
                        part,
                        skipped,
                        ratings: done.ratings,
                        failures: done.failures,
                        peers: done.peers,
                    };
                    if to_writer.send(done).is_err() {
                        return Err(EngineError::SharedRun("the part writer stopped".into()));
                    }
                }
                Ok(())
            },
        );
        drop(to_writer);
        let tally = writer.join().map_err(|_| EngineError::SharedRun("the part writer panicked".into()))?;
        // The writer's own error explains a sink that found it gone.
        let tally = tally?;
        rated?;
        Ok(tally)
    })?;
    report.parts_written = tally.written;
    report.parts_lost = tally.lost;
    report.finished_here = tally.finished_here;
    let share_report = &mut report.share;
    share_report.rated = tally.rated;
    share_report.skipped = tally.skipped;
    share_report.failed = tally.failed;
    share_report.letter_grades = tally.letter_grades;
    share_report.point_grades = tally.point_grades;
    share_report.failures = tally.failures;
    share_report.seconds_write = tally.seconds_write;
    let state = store.rating_parts_state(run_id, &stamp(share.clock.instant()))?;
    (report.parts, report.finished) = (state.parts, state.finished);
    finish(store, report)
}

/// The tag of a chunk: on the last chunk of a part, the part and how many of its
/// customers were not due.
type PartEnd = Option<(ClaimedPart, u64)>;

/// What this instance's written parts came to.
#[derive(Default)]
struct Tally {
    written: u64,
    lost: u64,
    finished_here: bool,
    rated: u64,
    skipped: u64,
    failed: u64,
    letter_grades: BTreeMap<String, u64>,
    point_grades: BTreeMap<String, u64>,
    failures: Vec<(String, String)>,
    seconds_write: f64,
}

impl Tally {
    fn add(&mut self, done: RatedShare, written: PartWritten) {
        let PartWritten::Done { finished } = written else {
            self.lost += 1;
            return;
        };
        self.written += 1;
        self.finished_here |= finished;
        self.rated += done.ratings.len() as u64;
        self.skipped += done.skipped;
        self.failed += done.failures.len() as u64;
        for r in done.ratings {
            *self.letter_grades.entry(r.letter_grade).or_default() += 1;
            *self.point_grades.entry(r.point_grade).or_default() += 1;
        }
        for (customer, message) in done.failures {
            if self.failures.len() < 20 {
                self.failures.push((customer.into_string(), message));
            }
        }
    }
}

/// What the chunks of the part being rated gave so far.
#[derive(Default)]
struct Accum {
    ratings: Vec<credence_store::NewRating>,
    failures: Vec<(CustomerId, String)>,
    peers: Peers,
}

/// A part rated by this instance, on its way to being written.
struct RatedShare {
    part: ClaimedPart,
    skipped: u64,
    ratings: Vec<credence_store::NewRating>,
    failures: Vec<(CustomerId, String)>,
    peers: Peers,
}

/// The report with the run's totals once the run is finished.
fn finish(store: &mut Store, mut report: SharedRateReport) -> Result<Option<SharedRateReport>, EngineError> {
    if report.finished
        && let Some(r) = store.rating_run(report.share.run_id)?
    {
        report.run_totals = Some((r.rated, r.skipped, r.failed));
    }
    Ok(Some(report))
}

/// A part's indicator values, as stored until the run's end: MessagePack, LZ4-compressed.
fn encode_peers(peers: &Peers) -> Result<Vec<u8>, EngineError> {
    let bytes =
        rmp_serde::to_vec(peers).map_err(|e| EngineError::SharedRun(format!("cannot encode a part: {e}")))?;
    Ok(lz4_flex::compress_prepend_size(&bytes))
}

fn decode_peers(stored: &[u8]) -> Result<Peers, EngineError> {
    let bytes = lz4_flex::decompress_size_prepended(stored)
        .map_err(|e| EngineError::SharedRun(format!("a part's stored values cannot be read: {e}")))?;
    rmp_serde::from_slice(&bytes)
        .map_err(|e| EngineError::SharedRun(format!("a part's stored values cannot be read: {e}")))
}

/// The portfolio ordered byte by byte, as parts are cut, to find a part's customers
/// without scanning the whole book for each part.
struct ByPart {
    /// Customer ids in the store's order.
    ids: Vec<String>,
    /// Whether each is due in this run.
    due: Vec<bool>,
    /// Positions in `ids`, ordered by id bytes.
    sorted: Vec<usize>,
}

impl ByPart {
    fn new(ids: Vec<String>, due: Vec<bool>) -> ByPart {
        let mut sorted: Vec<usize> = (0..ids.len()).collect();
        sorted.sort_unstable_by(|&a, &b| ids[a].as_bytes().cmp(ids[b].as_bytes()));
        ByPart { ids, due, sorted }
    }

    /// The customers of a part due in this run, in the store's order, and how many of
    /// the part are not due.
    fn customers(&self, part: &ClaimedPart) -> (Vec<String>, u64) {
        let from = self.sorted.partition_point(|&i| self.ids[i].as_str() < part.lower.as_str());
        let to = match &part.upper {
            Some(upper) => self.sorted.partition_point(|&i| self.ids[i].as_str() < upper.as_str()),
            None => self.sorted.len(),
        };
        let mut positions: Vec<usize> = self.sorted[from..to.max(from)].to_vec();
        positions.sort_unstable();
        let due: Vec<String> =
            positions.iter().filter(|&&i| self.due[i]).map(|&i| self.ids[i].clone()).collect();
        let skipped = (positions.len() - due.len()) as u64;
        (due, skipped)
    }
}
