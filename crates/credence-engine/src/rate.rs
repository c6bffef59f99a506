//! Rating the portfolio (RATE-1 … RATE-3, RATE-6): each customer's credit file through
//! the indicator catalogue and the expert scorecard, stored with its full breakdown and a
//! hash of its inputs, in one run per call.

use crate::EngineError;
use crate::columns::customers;
use crate::credit_file::{LoadedFile, Qualitative};
use chrono::NaiveDate;
use credence_domain::CustomerId;
use credence_domain::Timestamp;
use credence_indicators::{Catalogue, EvalOptions, IndicatorSet};
use credence_rating::{QualitativeScore, Rating, RatingInput, ScorecardModel};
use credence_store::{CustomerHead, NewRating, NewRatingRun, Store, StoredRating};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which customers a run rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateScope {
    All,
    /// Customers never rated, or whose data (records, or promises and disputes logged since
    /// the run), model, catalogue or as-of date changed since their last rating
    /// (re-rating on events, RATE-6).
    Changed,
    Customer(String),
}

/// How to run a rating.
#[derive(Debug, Clone)]
pub struct RateOptions {
    pub as_of: NaiveDate,
    pub scope: RateScope,
    /// Time stamp recorded with the run.
    pub now: Timestamp,
}

impl RateOptions {
    pub fn new(as_of: NaiveDate, scope: RateScope, now: Timestamp) -> Self {
        Self { as_of, scope, now }
    }
}

/// What a run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RateReport {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub model_version: String,
    pub catalogue_version: String,
    pub rated: u64,
    pub skipped: u64,
    pub failed: u64,
    /// The first failures (customer, reason); all are stored with the run.
    pub failures: Vec<(String, String)>,
    /// Final letter grades → number of customers.
    pub letter_grades: BTreeMap<String, u64>,
    pub point_grades: BTreeMap<String, u64>,
    /// Seconds spent reading and rating (summed over the worker threads, which overlap
    /// each other and the writing), and writing.
    pub seconds_read: f64,
    pub seconds_compute: f64,
    pub seconds_write: f64,
}

impl RateReport {
    /// The report of a run that has rated no one yet.
    pub(crate) fn new(
        run_id: i64,
        as_of: NaiveDate,
        model: &ScorecardModel,
        catalogue: &Catalogue,
    ) -> RateReport {
        RateReport {
            run_id,
            as_of,
            model_version: model.version().to_owned(),
            catalogue_version: catalogue.version().to_owned(),
            rated: 0,
            skipped: 0,
            failed: 0,
            failures: Vec::new(),
            letter_grades: BTreeMap::new(),
            point_grades: BTreeMap::new(),
            seconds_read: 0.0,
            seconds_compute: 0.0,
            seconds_write: 0.0,
        }
    }
}

/// The stored breakdown of a rating: the scorecard's result (every scored indicator's
/// value, points, weight and contribution), the values of the catalogue's other
/// indicators, and the analysts' scores and flags it used. Trends are not stored: they
/// are recomputed for display from the same records.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RatingDetail {
    pub rating: Rating,
    /// Indicators the scorecard does not score: (id, value).
    pub unscored: Vec<(String, Option<f64>)>,
    pub qualitative: Vec<Qualitative>,
    pub flags: Vec<String>,
}

/// Prefix of a stored breakdown: MessagePack (fields by name, so optional fields may be
/// absent), LZ4-compressed, in base64. A million breakdowns as JSON are ~10 GB written
/// twice (log and database) and their float formatting and compression were two thirds
/// of a run's rating work; this form is 40% of that size and costs half as much to make.
const DETAIL_PREFIX: &str = "mplz4b64:";
/// Breakdowns stored as LZ4-compressed JSON in base64; still read.
const JSON_LZ4_PREFIX: &str = "lz4b64:";

/// Why a stored breakdown cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DetailError {
    #[error(transparent)]
    Base64(#[from] base64::DecodeError),
    #[error(transparent)]
    Lz4(#[from] lz4_flex::block::DecompressError),
    #[error(transparent)]
    MessagePack(#[from] rmp_serde::decode::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

fn unpack(b64: &str) -> Result<Vec<u8>, DetailError> {
    use base64::Engine;
    let packed = base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64)?;
    Ok(lz4_flex::decompress_size_prepended(&packed)?)
}

/// Encodes a breakdown as ratings stored it until breakdowns were recomputed on demand.
#[cfg(test)]
fn encode_detail(detail: &RatingDetail) -> Result<String, String> {
    use base64::Engine;
    let bytes = rmp_serde::to_vec_named(detail).map_err(|e| format!("cannot serialise the rating: {e}"))?;
    let packed = lz4_flex::compress_prepend_size(&bytes);
    Ok(format!("{DETAIL_PREFIX}{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(packed)))
}

/// Decodes a stored breakdown in any of the forms ever stored.
pub(crate) fn decode_detail(stored: &str) -> Result<RatingDetail, DetailError> {
    if let Some(b64) = stored.strip_prefix(DETAIL_PREFIX) {
        return Ok(rmp_serde::from_slice(&unpack(b64)?)?);
    }
    let json = match stored.strip_prefix(JSON_LZ4_PREFIX) {
        Some(b64) => unpack(b64)?,
        None => stored.as_bytes().to_vec(),
    };
    Ok(serde_json::from_slice(&json)?)
}

/// Facts outside the indicators that the scorecard's caps use.
fn flags_for(file: &credence_indicators::CustomerFile, as_of: NaiveDate) -> Vec<String> {
    let year_ago = as_of - chrono::Days::new(365);
    let recent = file.statements.iter().any(|s| s.period_end > year_ago && s.period_end <= as_of);
    if file.customer_type != "individual" && !recent {
        vec!["key_documents_missing".to_owned()]
    } else {
        Vec::new()
    }
}

/// Hash of everything a rating depends on: the customer's stored records (their content
/// hashes, combined by the store), the date and the versions. Equal hashes and versions
/// mean an identical rating.
pub(crate) fn inputs_hash(c: &CustomerHead, as_of: NaiveDate, model: &str, catalogue: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [as_of.to_string().as_str(), model, catalogue, c.records_hash.as_str()] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    format!("{:032x}", h.digest128())
}

/// One customer rated, or why not.
pub(crate) struct Rated {
    pub(crate) customer_id: CustomerId,
    pub(crate) industry: String,
    pub(crate) outcome: Result<(NewRating, IndicatorSet, Rating), String>,
}

/// Everything one customer's rating needs, computed without IO.
fn rate_one(c: &LoadedFile, catalogue: &Catalogue, model: &ScorecardModel, as_of: NaiveDate) -> Rated {
    let customer_id = CustomerId::from(c.customer_id());
    let industry = customers::INDUSTRY.text(&c.head.customer).unwrap_or_default().to_owned();
    let outcome = (|| {
        let (file, qualitative) = c.file.as_ref().map_err(String::clone)?;
        let indicators = catalogue.evaluate(file, as_of, &EvalOptions { trends: model.uses_trends() });
        let flags = flags_for(file, as_of);
        let as_of_text = as_of.to_string();
        let flag_refs: Vec<&str> = flags.iter().map(String::as_str).collect();
        let scores: Vec<QualitativeScore> = qualitative
            .iter()
            .filter(|q| q.assessed_on <= as_of_text && q.score.is_finite())
            .map(|q| QualitativeScore { factor: q.factor.clone(), score: q.score })
            .collect();
        let rating = model.rate(&RatingInput {
            indicators: &indicators,
            customer_type: &file.customer_type,
            industry: &file.industry,
            sub_industry: file.sub_industry.as_deref(),
            qualitative: &scores,
            flags: &flag_refs,
        });
        let rating_row = NewRating {
            customer_id: customer_id.clone(),
            as_of: as_of.to_string(),
            model_version: model.version().to_owned(),
            catalogue_version: catalogue.version().to_owned(),
            inputs_hash: inputs_hash(&c.head, as_of, model.version(), catalogue.version()),
            data_version: c.head.data_version,
            score: rating.score,
            pd: rating.pd,
            letter_grade: rating.letter_grade.clone(),
            point_grade: rating.point_grade.clone(),
            model_letter_grade: rating.grade_before_knockouts.0.clone(),
            model_point_grade: rating.grade_before_knockouts.1.clone(),
            detail: String::new(),
        };
        Ok((rating_row, indicators, rating))
    })();
    Rated { customer_id, industry, outcome }
}

/// [`rate_one`], with a panic in the analytics turned into a failure of that customer:
/// one customer's data must never stop a portfolio run.
pub(crate) fn rate_guarded(
    c: &LoadedFile,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    as_of: NaiveDate,
) -> Rated {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rate_one(c, catalogue, model, as_of)))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown");
            Rated {
                customer_id: c.customer_id().into(),
                industry: customers::INDUSTRY.text(&c.head.customer).unwrap_or_default().to_owned(),
                outcome: Err(format!("internal error while rating: {what}")),
            }
        })
}

/// Why a stored rating's breakdown cannot be recomputed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unreproducible {
    /// Another model version is loaded.
    OtherModel { rated: String, loaded: String },
    /// Another indicator catalogue version is loaded.
    OtherCatalogue { rated: String, loaded: String },
    /// The credit file it was computed from is no longer stored.
    FileGone,
    /// Promises to pay, disputes or electricity bills recorded since changed its inputs.
    LogChanged,
    /// The same inputs give another result (the rating code changed).
    Differs { score: f64, grade: String },
    /// The file cannot be rated at all.
    Unratable { why: String },
}

impl Unreproducible {
    /// A stable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OtherModel { .. } => "other_model",
            Self::OtherCatalogue { .. } => "other_catalogue",
            Self::FileGone => "file_gone",
            Self::LogChanged => "log_changed",
            Self::Differs { .. } => "differs",
            Self::Unratable { .. } => "unratable",
        }
    }

    /// The reason in Chinese or English.
    pub fn text(&self, zh: bool) -> String {
        match (self, zh) {
            (Self::OtherModel { rated, loaded }, false) => {
                format!("it was computed with model version {rated}; the model loaded is version {loaded}")
            }
            (Self::OtherModel { rated, loaded }, true) => {
                format!("评级使用模型版本 {rated}，当前加载的是 {loaded}")
            }
            (Self::OtherCatalogue { rated, loaded }, false) => format!(
                "it was computed with indicator catalogue version {rated}; the catalogue loaded is version {loaded}"
            ),
            (Self::OtherCatalogue { rated, loaded }, true) => {
                format!("评级使用指标目录版本 {rated}，当前加载的是 {loaded}")
            }
            (Self::FileGone, false) => "the records it was computed from are no longer stored".to_owned(),
            (Self::FileGone, true) => "评级所依据的数据已不再保存".to_owned(),
            (Self::LogChanged, false) => {
                "promises to pay, disputes or electricity bills recorded since the rating changed its inputs"
                    .to_owned()
            }
            (Self::LogChanged, true) => "评级后登记的付款承诺、争议或电费账单改变了评级输入".to_owned(),
            (Self::Differs { score, grade }, false) => {
                format!(
                    "recomputed from the same inputs it gives score {score:.2} ({grade}), not the stored one"
                )
            }
            (Self::Differs { score, grade }, true) => {
                format!("按相同输入重算得分 {score:.2}（{grade}），与保存的评级不同")
            }
            (Self::Unratable { why }, false) => format!("its credit file cannot be rated: {why}"),
            (Self::Unratable { why }, true) => format!("信用档案无法评级：{why}"),
        }
    }
}

impl std::fmt::Display for Unreproducible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(false))
    }
}

/// The breakdown of a stored rating. Ratings store none (a million breakdowns would be
/// gigabytes per run): it is recomputed from the credit file the rating was computed
/// from, which the store keeps, and shown only when the recomputation gives the stored
/// inputs hash, score and grades. Ratings stored with a breakdown show that one.
///
/// The outer error is the store's; the inner one says why this breakdown cannot be
/// reproduced (another model or catalogue version loaded, a promise or dispute logged
/// since that changed the inputs).
pub fn rating_detail(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    stored: &StoredRating,
) -> Result<Result<RatingDetail, Unreproducible>, EngineError> {
    let r = &stored.rating;
    if !r.detail.is_empty() {
        return decode_detail(&r.detail)
            .map(Ok)
            .map_err(|source| EngineError::BadStoredRating { id: stored.id, source });
    }
    if r.model_version != model.version() {
        let (rated, loaded) = (r.model_version.clone(), model.version().to_owned());
        return Ok(Err(Unreproducible::OtherModel { rated, loaded }));
    }
    if r.catalogue_version != catalogue.version() {
        let (rated, loaded) = (r.catalogue_version.clone(), catalogue.version().to_owned());
        return Ok(Err(Unreproducible::OtherCatalogue { rated, loaded }));
    }
    let Ok(as_of) = r.as_of.parse::<NaiveDate>() else {
        return Ok(Err(Unreproducible::Unratable {
            why: format!("the as-of date {:?} is not a date", r.as_of),
        }));
    };
    let Some(file) = crate::credit_file::load_credit_file_at(store, r.customer_id.as_str(), r.data_version)?
    else {
        return Ok(Err(Unreproducible::FileGone));
    };
    let rated = rate_guarded(&file, catalogue, model, as_of);
    let (again, indicators, rating) = match rated.outcome {
        Ok(done) => done,
        Err(why) => return Ok(Err(Unreproducible::Unratable { why })),
    };
    if again.inputs_hash != r.inputs_hash {
        return Ok(Err(Unreproducible::LogChanged));
    }
    if again.score.to_bits() != r.score.to_bits()
        || again.letter_grade != r.letter_grade
        || again.point_grade != r.point_grade
    {
        return Ok(Err(Unreproducible::Differs { score: again.score, grade: again.letter_grade }));
    }
    let Ok((file, qualitative)) = file.file else {
        return Ok(Err(Unreproducible::Unratable { why: "the credit file cannot be read".to_owned() }));
    };
    let scored: HashSet<&str> = rating.lines.iter().map(|l| l.indicator.as_str()).collect();
    let unscored = indicators
        .values
        .iter()
        .filter(|v| !scored.contains(v.id.as_str()))
        .map(|v| (v.id.clone(), v.value))
        .collect();
    Ok(Ok(RatingDetail { flags: flags_for(&file, as_of), rating, unscored, qualitative }))
}

/// The customers of `all_ids` (the portfolio, in the store's id order) a run of
/// `options.scope` rates, in that order, and how many it leaves out as unchanged.
pub(crate) fn due(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    options: &RateOptions,
    all_ids: Vec<String>,
) -> Result<(Vec<String>, u64), EngineError> {
    if let RateScope::Customer(id) = &options.scope
        && !all_ids.contains(id)
    {
        return Err(EngineError::UnknownCustomer { id: id.clone() });
    }
    let mask = due_mask(store, catalogue, model, options, &all_ids)?;
    let total = all_ids.len() as u64;
    let due: Vec<String> = all_ids.into_iter().zip(mask).filter_map(|(id, due)| due.then_some(id)).collect();
    let skipped = match options.scope {
        RateScope::Changed => total - due.len() as u64,
        _ => 0,
    };
    Ok((due, skipped))
}

/// Whether each of `all_ids` is due in a run of `options.scope`: every customer, the one
/// named, or those never rated or whose data (records, or promises and disputes logged
/// since the run), model, catalogue or as-of date changed since their last rating.
pub(crate) fn due_mask(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    options: &RateOptions,
    all_ids: &[String],
) -> Result<Vec<bool>, EngineError> {
    Ok(match &options.scope {
        RateScope::All => vec![true; all_ids.len()],
        RateScope::Customer(id) => all_ids.iter().map(|c| c == id).collect(),
        RateScope::Changed => {
            let versions = store.data_versions()?;
            let logged = store.collection_log_times()?;
            let stamps = store.rating_stamps()?;
            let as_of = options.as_of.to_string();
            all_ids
                .iter()
                .map(|id| match stamps.get(id) {
                    None => true,
                    Some(s) => {
                        s.data_version < versions.get(id).copied().unwrap_or(0)
                            || *s.model_version != *model.version()
                            || *s.catalogue_version != *catalogue.version()
                            || *s.as_of != *as_of
                            || logged.get(id).is_some_and(|at| at.as_str() >= s.run_started_at.as_str())
                    }
                })
                .collect()
        }
    })
}

impl RateScope {
    /// The scope a run recorded as `name` ([`scope_name`]) had, when it is one a shared
    /// run can have (all or changed).
    pub fn of_shared_run(name: &str) -> Option<RateScope> {
        match name {
            "all" => Some(RateScope::All),
            "changed" => Some(RateScope::Changed),
            _ => None,
        }
    }
}

/// How a run's scope is recorded with it.
pub(crate) fn scope_name(scope: &RateScope) -> String {
    match scope {
        RateScope::All => "all".to_owned(),
        RateScope::Changed => "changed".to_owned(),
        RateScope::Customer(id) => id.clone(),
    }
}

/// The indicator values of the customers rated, by industry, for the industry medians a
/// run stores as benchmarks.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Peers {
    /// industry → indicator position in the catalogue → finite values.
    by_industry: HashMap<String, Vec<Vec<f64>>>,
}

impl Peers {
    pub(crate) fn add(&mut self, industry: String, indicators: &IndicatorSet) {
        let slots = self.by_industry.entry(industry).or_default();
        if slots.len() < indicators.values.len() {
            slots.resize_with(indicators.values.len(), Vec::new);
        }
        for (slot, v) in slots.iter_mut().zip(&indicators.values) {
            if let Some(x) = v.value.filter(|x| x.is_finite()) {
                slot.push(x);
            }
        }
    }

    /// Adds another set of customers' values.
    pub(crate) fn merge(&mut self, other: Peers) {
        for (industry, slots) in other.by_industry {
            let mine = self.by_industry.entry(industry).or_default();
            if mine.len() < slots.len() {
                mine.resize_with(slots.len(), Vec::new);
            }
            for (m, values) in mine.iter_mut().zip(slots) {
                m.extend(values);
            }
        }
    }

    /// The median of each indicator in each industry that has a value, by industry and
    /// then in catalogue order.
    pub(crate) fn medians(self, catalogue: &Catalogue) -> Vec<credence_store::Benchmark> {
        let mut industries: Vec<_> = self.by_industry.into_iter().collect();
        industries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::new();
        for (industry, mut slots) in industries {
            for (d, values) in catalogue.indicators().iter().zip(slots.iter_mut()) {
                let observations = values.len() as u64;
                if let Some(median) = credence_records::outlier::median(values) {
                    out.push(credence_store::Benchmark {
                        industry: industry.clone(),
                        indicator: d.id.clone(),
                        median,
                        observations,
                    });
                }
            }
        }
        out
    }
}

/// Rates the customers in scope and stores every rating in one run. A customer that
/// cannot be rated is recorded as a failure of the run; the others go on.
pub fn rate_portfolio(
    store: &mut Store,
    catalogue: &Catalogue,
    model: &ScorecardModel,
    options: &RateOptions,
) -> Result<RateReport, EngineError> {
    let all_ids = store.customer_ids()?;
    let (ids, skipped) = due(store, catalogue, model, options, all_ids)?;
    let scope = scope_name(&options.scope);
    let mut pool = crate::credit_file::Pool::open(store)?;
    let mut session = store.begin_rating_run(NewRatingRun {
        as_of: options.as_of.to_string(),
        started_at: options.now.clone(),
        model_version: model.version().to_owned(),
        catalogue_version: catalogue.version().to_owned(),
        scope,
    })?;
    let mut report =
        RateReport { skipped, ..RateReport::new(session.run_id(), options.as_of, model, catalogue) };
    let mut peers = Peers::default();
    pool.run(&ids, &|c| rate_guarded(c, catalogue, model, options.as_of), |rated, read, compute| {
        report.seconds_read += read;
        report.seconds_compute += compute;
        let t = std::time::Instant::now();
        let mut ratings = Vec::with_capacity(rated.len());
        for r in rated {
            match r.outcome {
                Ok((rating, indicators, _)) => {
                    *report.letter_grades.entry(rating.letter_grade.clone()).or_default() += 1;
                    *report.point_grades.entry(rating.point_grade.clone()).or_default() += 1;
                    ratings.push(rating);
                    peers.add(r.industry, &indicators);
                    report.rated += 1;
                }
                Err(message) => {
                    session.insert_failure(&r.customer_id, &message)?;
                    if report.failures.len() < 20 {
                        report.failures.push((r.customer_id.into_string(), message));
                    }
                    report.failed += 1;
                }
            }
        }
        session.insert_ratings(&ratings)?;
        session.checkpoint()?;
        report.seconds_write += t.elapsed().as_secs_f64();
        Ok(())
    })?;
    for b in peers.medians(catalogue) {
        session.insert_benchmark(&b.industry, &b.indicator, b.median, b.observations)?;
    }
    session.commit(report.rated, report.skipped, report.failed, &options.now)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_rating::ScoreLine;

    fn detail() -> RatingDetail {
        let line = |indicator: &str, value: Option<f64>| ScoreLine {
            indicator: indicator.into(),
            dimension: "financial".into(),
            value,
            missing: value.is_none().then(|| "no statement".into()),
            points: 35.0,
            nominal_weight: 0.1,
            weight: 0.125,
            contribution: 4.375,
            ..ScoreLine::default()
        };
        RatingDetail {
            rating: Rating {
                customer_id: "C1".into(),
                score: 61.25,
                pd: 0.0731,
                letter_grade: "BBB".into(),
                lines: vec![line("debt_to_asset", Some(78.0)), line("current_ratio", None)],
                ..Rating::default()
            },
            unscored: vec![("dso".into(), Some(41.5)), ("roe".into(), None)],
            qualitative: vec![Qualitative {
                factor: "character".into(),
                score: 80.0,
                assessed_on: "2025-06-30".into(),
            }],
            flags: vec!["key_documents_missing".into()],
        }
    }

    fn json(d: &RatingDetail) -> serde_json::Value {
        serde_json::to_value(d).unwrap()
    }

    /// Optional fields left out when absent come back absent; every stored form reads.
    #[test]
    fn breakdowns_read_back_from_every_stored_form() {
        let d = detail();
        let stored = encode_detail(&d).unwrap();
        assert!(stored.starts_with(DETAIL_PREFIX));
        assert_eq!(json(&decode_detail(&stored).unwrap()), json(&d));
        let plain = serde_json::to_string(&d).unwrap();
        assert_eq!(json(&decode_detail(&plain).unwrap()), json(&d));
        use base64::Engine;
        let old = format!(
            "{JSON_LZ4_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD
                .encode(lz4_flex::compress_prepend_size(plain.as_bytes()))
        );
        assert_eq!(json(&decode_detail(&old).unwrap()), json(&d));
        assert!(decode_detail("mplz4b64:!!").is_err());
    }
}
