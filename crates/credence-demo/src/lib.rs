//! A deterministic synthetic credit portfolio: customers, statements, receivables ledger,
//! orders, contracts, events and relationships, whose defaults come from a documented
//! latent-health process, so ratings, models and warnings can be built and judged
//! against a known truth.
//!
//! ```
//! use credence_demo::{DemoConfig, generate};
//! use credence_records::Kind;
//!
//! let config = DemoConfig { customers: 50, seed: 7, as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap() };
//! let mut records = Vec::new();
//! let summary = generate(&config, &mut |r| { records.push(r); Ok::<(), ()>(()) }).unwrap();
//! assert_eq!(summary.count(Kind::Customers), 50);
//! assert_eq!(records[0].text("customer_id"), Some("C0000001"));
//! ```
//!
//! # Determinism
//!
//! Every random draw comes from a ChaCha8 stream keyed by the seed, an entity (customer
//! index, relationship block or nothing) and a purpose (profile, health, statements,
//! ledger, orders, milestones, events, relationships, economy-wide shocks). The 256-bit key
//! is four SplitMix64 mixes of `seed ^ mix(index · φ64)`; the purpose is the ChaCha stream
//! number. No clock, no OS entropy. So the same config gives byte-identical records, a
//! customer's own data does not depend on how many customers are generated, and changing
//! how one kind is drawn leaves the others unchanged.
//!
//! # Timeline
//!
//! Quarter ends step back from the last quarter end on or before `as_of`. Sixteen
//! points are simulated: an opening balance (q0) and fifteen quarters (q1…q15). The last
//! twelve (q4…q15) are reported as statements; q1…q3 exist so annual statements of the
//! last three full calendar years always have four quarters. Defaults can happen in the
//! last eight quarters (q8…q15). The receivables ledger covers the 18 months before
//! `as_of`; events run from the start of q4 to `as_of`.
//!
//! # The latent health process
//!
//! Each customer i has a health index h (higher is healthier, roughly standard normal
//! across the portfolio) that drives everything observable about it.
//!
//! **Long-run level.** μᵢ = type effect + segment effect + region effect + s · 0.9 · zᵢ,
//! zᵢ ~ N(0, 1), where s is the segment's spread (1.35 for fintech, 1.1 real estate,
//! 0.8 government platforms, otherwise about 1). Type effects: large +0.4, government
//! platform +0.3, SME 0, micro −0.3, individual −0.2. Segment effects run from real estate
//! −0.45 and construction −0.3 to healthcare +0.2 (`segments.rs`); region effects from
//! Liaoning −0.35 to Shanghai +0.25 (`regions.rs`). For a member of a group,
//! zᵢ = 0.55 · g + √(1 − 0.55²) · εᵢ with g ~ N(0, 1) shared by the group, so group members
//! are correlated.
//!
//! **Path.** h₀ = μᵢ + N(0, 0.25² / (1 − 0.85²)) (the stationary spread), then for each
//! quarter k = 1…15:
//!
//! ```text
//! h_k = 0.85 · h_{k−1} + 0.15 · μ_i + 0.25 · ε_k + c_k + s_{seg,k} + contagion_k
//! ```
//!
//! with ε_k ~ N(0, 1); c_k ~ N(0, 0.03²) shared by all customers; s_{seg,k} ~ N(0, 0.06²)
//! shared by a segment, plus −0.03 each hazard quarter for real estate (a downturn); and
//! contagion_k = −0.4 for each other member of the customer's group that defaulted in
//! quarter k−1, −0.3 for each party it guarantees (guarantee still running) that did.
//!
//! **Defaults.** In each of the last eight quarters (k = 8…15) a customer that has not
//! defaulted defaults with probability
//!
//! ```text
//! p_k = logistic(a − b · h_k),   a = −6.55,   b = 2.2
//! ```
//!
//! i.e. 0.02% a quarter at h = 1, 0.14% at h = 0, 1.3% at h = −1, 10% at h = −2 and 51% at
//! h = −3.
//! A default is dated uniformly inside its quarter and emitted as an event of type
//! `default` (source `internal collections`). On default h_k and μᵢ both drop by 1.0, so
//! the defaulter's later statements, payments and events look distressed. The documented
//! band for the share of customers defaulting over the eight quarters is 6–10% (about 8%
//! on average; between 7.3% and 9.4% for seeds 1–8 at 20,000 customers, the spread
//! coming from the shared shocks); the crate's tests check it.
//!
//! # What is observable, and how noisily
//!
//! Health is never emitted. Observables are functions of h plus noise, so a model sees
//! real but imperfect signal (the tests check that a single statement ratio four
//! quarters before `as_of` ranks next-year defaulters with an AUC well above 0.5 and
//! below 1):
//!
//! * **Statements** (quarterly, with seasonality): revenue growth (annual trend growth of
//!   the segment + 0.08 · h, lasting quarterly noise 1.5%, passing noise 2%); gross margin (+0.05 · h, firm noise
//!   0.04, quarterly 0.015); expense ratio (−0.01 · h); receivable, inventory and
//!   payable days (× e^(−0.12h), e^(−0.10h), e^(−0.15h)); cash in months of operating cost
//!   (× e^(0.35h), firm noise e^(N(0, 0.3²))); interest rate 4% + 1.5% · max(0, −h). The
//!   opening leverage is the segment's − 0.08 · h₀ + N(0, 0.06²); after that equity rolls
//!   forward with net profit less dividends, so losses raise leverage. Liabilities are
//!   the balance-sheet plug and financing cash flow the cash plug: both identities hold
//!   exactly.
//! * **Ledger**: days beyond terms are exponential with mean 3 · e^(−1.1h) days (capped at
//!   150) at the health of the quarter the invoice falls due, with early payment for a
//!   share 0.35 · logistic(1.5h) of invoices and split payments with probability
//!   0.03 + 0.25 · logistic(−2h − 2). A customer that will default stops paying 60–90
//!   days before its default date and is not invoiced after it.
//! * **Events**: Poisson counts per quarter with rates rising as h falls (lawsuits as
//!   defendant 0.04 · e^(−0.8h) per quarter, more for large firms; enforcement only below
//!   h = −1.5; dishonest-debtor below −2.2; both much more after a default; suits by a
//!   supplier over payment only below h = −1, at 0.01 · e^(−1.3(h+1)) per quarter;
//!   quality complaints 0.03 · e^(−h) per quarter, 0.2 · e^(−h) for quality-prone firms;
//!   news 0.8 · e^(−0.4h) per quarter for large firms and government platforms, 0.08 for
//!   SMEs), news sentiment tanh(0.8h + N(0, 0.4²)).
//! * **Limits and orders**: the imported credit limit covers one payment term plus a
//!   month of sales (the usual lateness and the orders not yet invoiced) × U(1.2, 1.8);
//!   the open orders of the last 30 days add up to about half a month of sales.
//! * **Assessments**: analysts score the 5C and management quality of core and secondary
//!   companies once, within 90 days before `as_of`: 60 + 12h + N(0, 10²), clamped to
//!   0–100.
//!
//! # Emission order
//!
//! Customers are generated in chunks of 5,000. Within a chunk every customer record is
//! emitted first, then statements, invoices, payments, credit notes, orders, milestones,
//! events, assessments and relationships, so every reference points at a record already
//! emitted.
//! Relationships stay within blocks of 1,000 consecutive customers and refer only to
//! customers of the block or to external persons (`P000123`). Memory is bounded by the
//! chunk.

mod assessments;
mod calendar;
mod chunk;
mod columns;
mod config;
mod contracts;
mod events;
mod health;
mod ledger;
mod names;
mod profile;
mod regions;
mod relations;
mod rng;
mod segments;
mod statements;
mod utility;

pub use config::{DemoConfig, DemoSummary};
pub use health::{HAZARD_INTERCEPT, HAZARD_SLOPE, INNOVATION_SD, LONG_RUN_SD, PERSISTENCE};
pub use utility::{MONTHS as UTILITY_MONTHS, UtilityConfig, UtilitySummary, generate_utility};

use credence_records::Record;

/// Everything shared by the stages of one run.
pub(crate) struct Ctx {
    pub config: DemoConfig,
    pub timeline: calendar::Timeline,
    pub cols: columns::Columns,
    pub names: names::NameTables,
    pub names_salt: u64,
    pub shocks: health::Shocks,
    pub segment_weights: Vec<f64>,
    pub region_weights: Vec<f64>,
}

impl Ctx {
    fn new(config: &DemoConfig) -> Self {
        Self {
            config: config.clone(),
            timeline: calendar::Timeline::new(config.as_of),
            cols: columns::Columns::new(),
            names: names::NameTables::new(config.seed),
            names_salt: rng::mix64(config.seed ^ 0x5553_4343),
            shocks: health::Shocks::new(config.seed),
            segment_weights: segments::segment_weights(),
            region_weights: regions::region_weights(),
        }
    }
}

/// Generates the portfolio described by `config`, handing each record to `sink` in
/// reference order (see the crate docs), and returns what was generated. Stops at the
/// first error of the sink and returns it.
pub fn generate<E>(
    config: &DemoConfig,
    sink: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<DemoSummary, E> {
    let ctx = Ctx::new(config);
    let mut summary = DemoSummary::default();
    let mut out = chunk::Counter::new(sink);
    let mut start = 0;
    while start < config.customers {
        let end = (start + chunk::CHUNK).min(config.customers);
        chunk::run(&ctx, start, end, &mut out, &mut summary)?;
        start = end;
    }
    out.into_counts(&mut summary);
    summary.finish();
    Ok(summary)
}
