//! Outlier screening (level 4): values far from the customer's own history or from the
//! industry's peers in the same period are flagged, never rejected.
//!
//! The test is the modified z-score of Iglewicz and Hoaglin (1993):
//! z = 0.6745 · (x − median) / MAD, flagged when |z| > 3.5. Median and MAD resist the very
//! outliers being looked for, which the mean and standard deviation of a 3σ rule do not.

use crate::rules::{self, Rule};
use crate::schema::Kind;
use crate::value::{Record, Value};
use std::collections::HashMap;

/// Thresholds of the screen.
#[derive(Debug, Clone)]
pub struct OutlierConfig {
    /// |modified z| above this is an outlier (3.5 per Iglewicz and Hoaglin).
    pub threshold: f64,
    /// Groups with fewer values than this are not screened.
    pub min_observations: usize,
}

impl Default for OutlierConfig {
    fn default() -> Self {
        Self { threshold: 3.5, min_observations: 8 }
    }
}

/// Which comparison a measure takes part in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Against the same customer's other records.
    OwnHistory,
    /// Against other customers of the same industry in the same period.
    Industry,
}

/// A screened quantity of a record: the column it is reported on, its name, its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub scope: Scope,
    pub column: &'static str,
    pub name: &'static str,
    pub value: f64,
}

fn ratio(r: &Record, num: &str, den: &str) -> Option<f64> {
    let (n, d) = (r.int(num)? as f64, r.int(den)? as f64);
    (d > 0.0).then(|| n / d)
}

fn ln_positive(r: &Record, c: &str) -> Option<f64> {
    r.int(c).filter(|v| *v > 0).map(|v| (v as f64).ln())
}

/// The measures screened for a record. Amounts are compared on a log scale because they
/// are multiplicative (an invoice ten times the usual is as odd as one a tenth of it).
pub fn measures(record: &Record) -> Vec<Measure> {
    let m =
        |scope, column, name, value: Option<f64>| value.map(|value| Measure { scope, column, name, value });
    let list = match record.kind {
        Kind::Invoices | Kind::Orders => {
            vec![m(Scope::OwnHistory, "amount", "log amount", ln_positive(record, "amount"))]
        }
        Kind::Statements => vec![
            m(Scope::OwnHistory, "revenue", "log revenue", ln_positive(record, "revenue")),
            m(Scope::OwnHistory, "total_assets", "log total assets", ln_positive(record, "total_assets")),
            m(
                Scope::Industry,
                "total_liabilities",
                "debt-to-asset ratio",
                ratio(record, "total_liabilities", "total_assets"),
            ),
            m(Scope::Industry, "net_profit", "net margin", ratio(record, "net_profit", "revenue")),
            m(
                Scope::Industry,
                "current_assets",
                "current ratio",
                ratio(record, "current_assets", "current_liabilities"),
            ),
        ],
        _ => vec![],
    };
    list.into_iter().flatten().collect()
}

/// The group a measure is compared within.
fn group_of(record: &Record, scope: Scope, industry: Option<&str>) -> Option<String> {
    let customer = record.text("customer_id")?;
    let period_type = record.try_get("period_type").and_then(Value::as_text).unwrap_or("");
    match scope {
        Scope::OwnHistory => Some(format!("{customer}\u{1f}{period_type}")),
        Scope::Industry => Some(format!(
            "{}\u{1f}{period_type}\u{1f}{}",
            industry?,
            record.try_get("period_end")?.as_text()?
        )),
    }
}

struct Candidate {
    row: u64,
    group: String,
    measure: Measure,
}

/// Collects the file's measures, then compares them with reference values (everything
/// stored, including the file's own rows) once the file has been read.
#[derive(Default)]
pub struct OutlierScreen {
    config: OutlierConfig,
    candidates: Vec<Candidate>,
    candidate_groups: std::collections::HashSet<(String, &'static str)>,
    reference: HashMap<(String, &'static str), Vec<f64>>,
    /// The customers of the candidates; `industry` when one of them compares with peers.
    customers: std::collections::BTreeSet<String>,
    industry: bool,
}

impl OutlierScreen {
    pub fn new(config: OutlierConfig) -> Self {
        Self { config, ..Self::default() }
    }

    /// Whether this kind has any measure to screen (so callers can skip the reference scan).
    pub fn screens(kind: Kind) -> bool {
        matches!(kind, Kind::Invoices | Kind::Orders | Kind::Statements)
    }

    pub fn add_candidate(&mut self, row: u64, record: &Record, industry: Option<&str>) {
        for measure in measures(record) {
            if let Some(group) = group_of(record, measure.scope, industry) {
                match measure.scope {
                    Scope::OwnHistory => {
                        if let Some(c) = record.text("customer_id") {
                            self.customers.insert(c.to_owned());
                        }
                    }
                    Scope::Industry => self.industry = true,
                }
                self.candidate_groups.insert((group.clone(), measure.name));
                self.candidates.push(Candidate { row, group, measure });
            }
        }
    }

    /// The only customers whose stored records can be reference values, when every
    /// candidate compares with its customer's own history (an invoice or order file);
    /// `None` when some compare with industry peers, whose records any customer may hold.
    /// A daily file of a few customers then reads their records, not the whole book's.
    pub fn reference_customers(&self) -> Option<Vec<String>> {
        (!self.industry).then(|| self.customers.iter().cloned().collect())
    }

    /// Adds a stored record to the reference values of the groups the file touches
    /// (others are not kept, so memory follows the file, not the database).
    pub fn add_reference(&mut self, record: &Record, industry: Option<&str>) {
        for measure in measures(record) {
            if let Some(group) = group_of(record, measure.scope, industry) {
                let key = (group, measure.name);
                if self.candidate_groups.contains(&key) {
                    self.reference.entry(key).or_default().push(measure.value);
                }
            }
        }
    }

    /// The outliers among the candidates: (row, column, rule, message).
    pub fn finish(mut self) -> Vec<(u64, &'static str, &'static Rule, String)> {
        let mut stats: HashMap<(String, &'static str), Option<(f64, f64)>> = HashMap::new();
        let mut out = Vec::new();
        for c in std::mem::take(&mut self.candidates) {
            let key = (c.group, c.measure.name);
            let stat = stats.entry(key.clone()).or_insert_with(|| {
                self.reference
                    .get_mut(&key)
                    .filter(|v| v.len() >= self.config.min_observations)
                    .and_then(|v| median_and_mad(v))
            });
            let Some((median, mad)) = *stat else { continue };
            let z = 0.6745 * (c.measure.value - median) / mad;
            if z.abs() > self.config.threshold {
                let (rule, against) = match c.measure.scope {
                    Scope::OwnHistory => (&rules::OUTLIER_OWN_HISTORY, "the customer's own history"),
                    Scope::Industry => (&rules::OUTLIER_INDUSTRY, "industry peers in the same period"),
                };
                let msg = format!(
                    "{} {:.3} is far from {against} (median {:.3}, robust z {:.1})",
                    c.measure.name, c.measure.value, median, z
                );
                out.push((c.row, c.measure.column, rule, msg));
            }
        }
        out.sort_by_key(|o| o.0);
        out
    }
}

/// Median and median absolute deviation; `None` when the MAD is zero (most values equal:
/// nothing can be called far from them on this scale).
pub fn median_and_mad(values: &mut [f64]) -> Option<(f64, f64)> {
    let mid = median(values)?;
    let mut dev: Vec<f64> = values.iter().map(|v| (v - mid).abs()).collect();
    let mad = median(&mut dev)?;
    (mad > 0.0).then_some((mid, mad))
}

/// The median (mean of the middle two for an even count); `None` when empty. Sorts
/// `values`.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand calculation: values 1..=9 have median 5; absolute deviations 4,3,2,1,0,1,2,3,4
    /// have median 2. For x = 20, z = 0.6745 · 15 / 2 = 5.06 > 3.5.
    #[test]
    fn modified_z_by_hand() {
        let mut v: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(median_and_mad(&mut v), Some((5.0, 2.0)));
        let z: f64 = 0.6745 * (20.0 - 5.0) / 2.0;
        assert!((z - 5.059).abs() < 1e-3);
        let mut flat = vec![3.0; 10];
        assert_eq!(median_and_mad(&mut flat), None);
    }

    fn invoice(customer: &str, amount: i64) -> Record {
        let mut r = Record::empty(Kind::Invoices);
        r.set("customer_id", customer).set("amount", amount).set("currency", "CNY");
        r
    }

    #[test]
    fn an_invoice_a_hundred_times_the_usual_is_flagged() {
        let mut screen = OutlierScreen::new(OutlierConfig::default());
        let big = invoice("C1", 1_000_000);
        screen.add_candidate(11, &big, None);
        screen.add_candidate(12, &invoice("C1", 10_100), None);
        let usual = [10_000, 12_000, 9_000, 11_000, 10_500, 9_500, 13_000, 8_000, 10_000, 10_100];
        for a in usual {
            screen.add_reference(&invoice("C1", a), None);
        }
        screen.add_reference(&big, None);
        assert_eq!(screen.reference_customers(), Some(vec!["C1".to_owned()]));
        // Another customer's invoices are not kept.
        screen.add_reference(&invoice("C2", 5), None);
        assert_eq!(screen.reference.len(), 1);
        let found = screen.finish();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1, found[0].2.code), (11, "amount", "O01"));
    }

    #[test]
    fn small_groups_are_not_screened() {
        let mut screen = OutlierScreen::new(OutlierConfig::default());
        screen.add_candidate(2, &invoice("C1", 1_000_000), None);
        for a in [100, 110, 1_000_000] {
            screen.add_reference(&invoice("C1", a), None);
        }
        assert!(screen.finish().is_empty());
    }
}
