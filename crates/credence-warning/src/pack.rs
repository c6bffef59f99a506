//! Rule packs: the versioned set of rules, peer rules, level policy and monitoring
//! policy, checked and compiled once (reading is in `load`), and the entry points of
//! evaluation.

use chrono::NaiveDate;
use credence_domain::MonitoringTier;
use credence_indicators::{Catalogue, CustomerFile};
use serde::Serialize;

use crate::aggregate::{AggregateRule, PeerAlert, PeerSummary, evaluate_peers};
use crate::compile::{NodeId, Plan, Program, probe_id};
use crate::error::PackError;
use crate::eval::{CustomerStatus, CustomerWarnings, Evaluator};
use crate::frequency::{MonitoringPolicy, industry_matches};
use crate::level::{LevelDecision, LevelInput, LevelPolicy, RuleLevel};

/// The pack shipped with the crate.
pub const BUILTIN_PACK: &str = include_str!("../packs/warning.toml");

/// Which customers a rule applies to; an empty list does not restrict.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scope {
    /// GB/T 4754 section letters or sub-industry codes (`C27` covers `C2710`).
    pub industries: Vec<String>,
    /// Customer type codes.
    pub customer_types: Vec<String>,
    pub tiers: Vec<MonitoringTier>,
    pub regions: Vec<String>,
}

impl Scope {
    /// Whether the rule applies to a customer; a rule limited to some tiers does not
    /// apply to a customer whose tier is not known.
    pub fn applies(&self, file: &CustomerFile, tier: Option<MonitoringTier>) -> bool {
        let sub = file.sub_industry.as_deref();
        (self.industries.is_empty()
            || self.industries.iter().any(|k| industry_matches(k, &file.industry, sub)))
            && (self.customer_types.is_empty() || self.customer_types.contains(&file.customer_type))
            && (self.tiers.is_empty() || tier.is_some_and(|t| self.tiers.contains(&t)))
            && (self.regions.is_empty() || self.regions.contains(&file.region))
    }
}

/// One early-warning rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Stable code shown in the UI and the audit log (`W01`); never reused.
    pub code: String,
    /// The condition flagged, as a name (`CurrentRatioBelowFloor`).
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    /// What the rule contributes to the customer's level.
    pub level: RuleLevel,
    /// The condition, in the rule language.
    pub when: String,
    pub action_zh: String,
    pub action_en: String,
    /// Where the rule comes from.
    pub source: String,
    pub scope: Scope,
}

/// A checked, compiled rule pack. Compile it once and share it: evaluation takes `&self`.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub(crate) version: String,
    pub(crate) catalogue_version: String,
    pub(crate) history_quarters: u16,
    pub(crate) rules: Vec<Rule>,
    pub(crate) roots: Vec<NodeId>,
    /// Per rule, whether it reads an indicator (else the probe is not needed for it).
    pub(crate) reads_indicators: Vec<bool>,
    pub(crate) aggregates: Vec<AggregateRule>,
    pub(crate) signal_roots: Vec<Vec<NodeId>>,
    pub(crate) levels: LevelPolicy,
    pub(crate) monitoring: MonitoringPolicy,
    pub(crate) program: Program,
    pub(crate) plan: Plan,
}

impl RulePack {
    /// The pack shipped with the crate ([`BUILTIN_PACK`]), checked against `catalogue`.
    ///
    /// # Panics
    /// When the shipped pack does not fit the catalogue (a test checks that it fits the
    /// shipped catalogue).
    pub fn builtin(catalogue: &Catalogue) -> RulePack {
        RulePack::from_toml(BUILTIN_PACK, "warning.toml", catalogue)
            .unwrap_or_else(|e| panic!("the shipped rule pack does not fit the catalogue:\n{e}"))
    }

    /// Reads and checks a pack; `file_name` is used in problem locations.
    pub fn from_toml(text: &str, file_name: &str, catalogue: &Catalogue) -> Result<RulePack, PackError> {
        crate::load::load(text, file_name, catalogue)
    }

    /// `text`, a pack's TOML, with its version and the conditions of the rules named
    /// (code, new condition) replaced; comments, order and layout stay as written. The
    /// result is not checked: load it with [`RulePack::from_toml`].
    pub fn rewrite_toml(text: &str, version: &str, conditions: &[(&str, String)]) -> Result<String, String> {
        crate::load::rewrite(text, version, conditions)
    }

    /// The pack version (`2026-Q4-V1.0`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The version of the catalogue the pack was compiled against.
    pub fn catalogue_version(&self) -> &str {
        &self.catalogue_version
    }

    /// How many quarters back a condition may read.
    pub fn history_quarters(&self) -> u16 {
        self.history_quarters
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.code == code)
    }

    pub fn aggregates(&self) -> &[AggregateRule] {
        &self.aggregates
    }

    pub fn levels(&self) -> &LevelPolicy {
        &self.levels
    }

    pub fn monitoring(&self) -> &MonitoringPolicy {
        &self.monitoring
    }

    /// The indicators the pack reads, each with the quarters back it reads them at, in
    /// order of first use: what one evaluation computes.
    pub fn indicator_reads(&self) -> Vec<(&str, Vec<u16>)> {
        self.program
            .indicators
            .iter()
            .filter(|r| r.offsets != 0)
            .map(|r| (r.def.id.as_str(), (0..64).filter(|k| r.offsets & (1 << k) != 0).collect()))
            .collect()
    }

    /// The ids of the probe catalogue's indicators (`current_ratio`, `current_ratio__lag1`…).
    pub fn probe_indicators(&self) -> Vec<String> {
        self.program
            .indicators
            .iter()
            .flat_map(|r| {
                (0..64u16).filter(move |k| r.offsets & (1 << k) != 0).map(move |k| probe_id(&r.def.id, k))
            })
            .collect()
    }

    /// Evaluates every rule that applies to the customer at `as_of`. Never fails: a rule
    /// that cannot be decided is listed as undetermined.
    ///
    /// To evaluate many customers at one date, prepare an [`Evaluator`] once instead.
    pub fn evaluate(
        &self,
        file: &CustomerFile,
        as_of: NaiveDate,
        status: &CustomerStatus,
    ) -> CustomerWarnings {
        self.evaluator(as_of).evaluate(file, status)
    }

    /// The pack prepared for evaluations at `as_of`.
    pub fn evaluator(&self, as_of: NaiveDate) -> Evaluator<'_> {
        Evaluator::new(self, as_of)
    }

    /// The level of a customer from its firings, grade and the peer alerts covering it.
    pub fn decide_level(&self, input: &LevelInput) -> LevelDecision {
        self.levels.decide(input)
    }

    /// The peer alerts over every customer's summary ([`CustomerWarnings::peer`]).
    pub fn evaluate_peers<'a>(&self, peers: impl IntoIterator<Item = &'a PeerSummary>) -> Vec<PeerAlert> {
        evaluate_peers(&self.aggregates, peers)
    }
}
