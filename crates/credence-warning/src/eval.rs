//! Evaluation of a compiled pack for one customer: the probe catalogue once, the event
//! quantities once, then every rule that applies, in three-valued logic. A rule fires
//! only when its condition is true; one that cannot be decided for missing data is
//! reported as undetermined, never as fired.

use chrono::NaiveDate;
use credence_domain::MonitoringTier;
use credence_indicators::{CustomerFile, EvalOptions, IndicatorSet};
use serde::Serialize;

use crate::aggregate::{PeerSummary, SignalHit, revenue_ttm};
use crate::compile::{NONE, NodeId, Op, Plan, Program, shift_months};
use crate::evidence::{Firing, explain};
use crate::level::{LevelDecision, LevelInput};
use crate::pack::RulePack;

/// A truth value that may be unknown (a value it depends on is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    False,
    True,
    Unknown,
}

impl Truth {
    fn of(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// What is known about a customer besides its credit file.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerStatus<'a> {
    /// The current rating grade, if rated.
    pub grade: Option<&'a str>,
    pub tier: Option<MonitoringTier>,
}

/// The warnings of one customer at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerWarnings {
    pub customer_id: credence_domain::CustomerId,
    pub as_of: NaiveDate,
    pub pack_version: String,
    pub catalogue_version: String,
    /// Rules that fired, in pack order, each with its evidence.
    pub firings: Vec<Firing>,
    /// Codes of rules that apply to the customer but could not be decided for missing
    /// data (no statements, a zero denominator…), in pack order.
    pub undetermined: Vec<String>,
    /// The level from the firings and the grade. Peer alerts are only known once the
    /// whole portfolio is evaluated: [`RulePack::decide_level`] with them gives the final
    /// level.
    pub level: LevelDecision,
    /// What the pack's peer rules need of this customer.
    pub peer: PeerSummary,
}

/// The values one customer's conditions read.
pub(crate) struct Reads<'a> {
    pub program: &'a Program,
    pub plan: &'a Plan,
    pub file: &'a CustomerFile,
    pub as_of: NaiveDate,
    pub set: Option<&'a IndicatorSet>,
    pub events: &'a [Option<f64>],
}

impl Reads<'_> {
    /// Position of an indicator read in the probe's values.
    pub fn indicator_slot(&self, i: u16, offset: u16) -> Option<usize> {
        let slot = *self.plan.indicator_slots.get(i as usize * self.plan.stride + offset as usize)?;
        (slot != NONE).then_some(slot as usize)
    }

    pub fn indicator(&self, i: u16, offset: u16) -> Option<f64> {
        self.set?.values.get(self.indicator_slot(i, offset)?)?.value
    }

    /// The date an indicator read describes: the period end of the statement (or the
    /// as-of date for ledger and event indicators), moved back by the offset.
    pub fn indicator_date(&self, i: u16, offset: u16) -> NaiveDate {
        let end = self
            .indicator_slot(i, offset)
            .and_then(|s| self.set?.values.get(s)?.period_end)
            .unwrap_or(self.as_of);
        shift_months(end, -3 * offset as i32)
    }

    pub fn event(&self, e: u16, offset: u16) -> Option<f64> {
        let slot = *self.plan.event_slots.get(e as usize * self.plan.stride + offset as usize)?;
        if slot == NONE { None } else { self.events[slot as usize] }
    }

    pub fn threshold(&self, i: u16, good: bool) -> f64 {
        let t = self.program.indicators[i as usize]
            .def
            .thresholds_for(&self.file.industry, self.file.sub_industry.as_deref());
        if good { t.good } else { t.poor }
    }

    pub fn number(&self, id: NodeId, offset: u16) -> Option<f64> {
        let v = match self.program.ops[id as usize] {
            Op::Const(v) => v,
            Op::Indicator(i) => self.indicator(i, offset)?,
            Op::Threshold { indicator, good } => self.threshold(indicator, good),
            Op::Event(e) => self.event(e, offset)?,
            Op::Neg(a) => -self.number(a, offset)?,
            Op::Abs(a) => self.number(a, offset)?.abs(),
            Op::Add(a, b) => self.number(a, offset)? + self.number(b, offset)?,
            Op::Sub(a, b) => self.number(a, offset)? - self.number(b, offset)?,
            Op::Mul(a, b) => self.number(a, offset)? * self.number(b, offset)?,
            Op::Div(a, b) => {
                let d = self.number(b, offset)?;
                if d == 0.0 {
                    return None;
                }
                self.number(a, offset)? / d
            }
            Op::Min(a, b) => self.number(a, offset)?.min(self.number(b, offset)?),
            Op::Max(a, b) => self.number(a, offset)?.max(self.number(b, offset)?),
            Op::Lag(a, q) => self.number(a, offset + q)?,
            Op::Change { value, quarters, sign } => {
                let then = self.number(value, offset + quarters)?;
                if then == 0.0 {
                    return None;
                }
                sign * (self.number(value, offset)? - then) / then.abs()
            }
            _ => return None,
        };
        v.is_finite().then_some(v)
    }

    pub fn truth(&self, id: NodeId, offset: u16) -> Truth {
        match self.program.ops[id as usize] {
            Op::Cmp(op, a, b) => match (self.number(a, offset), self.number(b, offset)) {
                (Some(a), Some(b)) => Truth::of(op.holds(a, b)),
                _ => Truth::Unknown,
            },
            Op::Trend { value, quarters, rising } => {
                match (self.number(value, offset), self.number(value, offset + quarters)) {
                    (Some(now), Some(then)) => Truth::of(if rising { now > then } else { now < then }),
                    _ => Truth::Unknown,
                }
            }
            Op::And(a, b) => match self.truth(a, offset) {
                Truth::False => Truth::False,
                ta => match (ta, self.truth(b, offset)) {
                    (_, Truth::False) => Truth::False,
                    (Truth::True, Truth::True) => Truth::True,
                    _ => Truth::Unknown,
                },
            },
            Op::Or(a, b) => match self.truth(a, offset) {
                Truth::True => Truth::True,
                ta => match (ta, self.truth(b, offset)) {
                    (_, Truth::True) => Truth::True,
                    (Truth::False, Truth::False) => Truth::False,
                    _ => Truth::Unknown,
                },
            },
            Op::Not(a) => match self.truth(a, offset) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Op::Held(a, n) => {
                let mut result = Truth::True;
                for j in 0..n {
                    match self.truth(a, offset + j) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => result = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                result
            }
            _ => Truth::Unknown,
        }
    }
}

/// A pack prepared for one as-of date: every event window is placed on the calendar
/// once, not once per customer. Get it with [`RulePack::evaluator`]; share it between
/// threads.
#[derive(Debug, Clone)]
pub struct Evaluator<'p> {
    pack: &'p RulePack,
    as_of: NaiveDate,
    /// Per event value of the plan, its window `(start, end]`.
    windows: Vec<(NaiveDate, NaiveDate)>,
}

impl<'p> Evaluator<'p> {
    pub(crate) fn new(pack: &'p RulePack, as_of: NaiveDate) -> Evaluator<'p> {
        let windows = pack
            .plan
            .event_reads
            .iter()
            .map(|&(e, offset)| pack.program.events[e as usize].window(as_of, offset))
            .collect();
        Evaluator { pack, as_of, windows }
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Evaluates every rule that applies to the customer. Never fails: a rule that
    /// cannot be decided is listed as undetermined.
    pub fn evaluate(&self, file: &CustomerFile, status: &CustomerStatus) -> CustomerWarnings {
        let (pack, as_of) = (self.pack, self.as_of);
        let applies = |i: usize| pack.rules[i].scope.applies(file, status.tier);
        let needs_probe = !pack.signal_roots.is_empty()
            || (0..pack.rules.len()).any(|i| pack.reads_indicators[i] && applies(i));
        let set = match (&pack.plan.probe, needs_probe) {
            (Some(probe), true) => Some(probe.evaluate(file, as_of, &EvalOptions::default())),
            _ => None,
        };
        let events: Vec<Option<f64>> = pack
            .plan
            .event_reads
            .iter()
            .zip(&self.windows)
            .map(|(&(e, _), &window)| pack.program.events[e as usize].value(&file.events, window))
            .collect();
        let reads = Reads {
            program: &pack.program,
            plan: &pack.plan,
            file,
            as_of,
            set: set.as_ref(),
            events: &events,
        };
        let mut firings = Vec::new();
        let mut undetermined = Vec::new();
        for (i, (rule, &root)) in pack.rules.iter().zip(&pack.roots).enumerate() {
            if !applies(i) {
                continue;
            }
            match reads.truth(root, 0) {
                Truth::True => firings.push(Firing {
                    code: rule.code.clone(),
                    name: rule.name.clone(),
                    name_zh: rule.name_zh.clone(),
                    name_en: rule.name_en.clone(),
                    level: rule.level,
                    action_zh: rule.action_zh.clone(),
                    action_en: rule.action_en.clone(),
                    evidence: explain(&reads, &rule.when, root),
                }),
                Truth::Unknown => undetermined.push(rule.code.clone()),
                Truth::False => {}
            }
        }
        let mut deteriorations = Vec::new();
        for (rule, roots) in pack.aggregates.iter().zip(&pack.signal_roots) {
            for (signal, &root) in rule.signals.iter().zip(roots) {
                if reads.truth(root, 0) == Truth::True {
                    deteriorations.push(SignalHit { rule: rule.code.clone(), signal: signal.id.clone() });
                }
            }
        }
        let hits: Vec<_> = firings.iter().map(Firing::hit).collect();
        let level = pack.levels.decide(&LevelInput { firings: &hits, grade: status.grade, peer_alerts: &[] });
        let peer = PeerSummary {
            customer_id: file.customer_id.as_str().into(),
            industry: file.industry.clone(),
            sub_industry: file.sub_industry.clone(),
            region: file.region.clone(),
            tier: status.tier,
            revenue_ttm: if pack.aggregates.is_empty() { None } else { revenue_ttm(file, as_of) },
            deteriorations,
        };
        CustomerWarnings {
            customer_id: file.customer_id.as_str().into(),
            as_of,
            pack_version: pack.version.clone(),
            catalogue_version: pack.catalogue_version.clone(),
            firings,
            undetermined,
            level,
            peer,
        }
    }
}
