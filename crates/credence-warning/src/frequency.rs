//! Monitoring frequency (CTRL-7): which checks a customer is due for, from its monitoring
//! tier, its industry and its warning level.
//!
//! The pack's `[[monitoring.check]]` tables each declare a check with an interval and
//! selectors — `tiers`, `levels`, `industries` — every one given must match (none given:
//! every customer). A customer's schedule is every check that matches it; it is due for
//! monitoring when the shortest of their intervals has passed since it was last checked.
//!
//! Industry keys are GB/T 4754 section letters (`J`), which match the customer's section,
//! or finer codes (`C27`, `D4415`, `fintech`), which match a sub-industry equal to the key
//! or, for a code starting with a section letter and digits, one that starts with it
//! (`C27` covers `C2710`). The shipped pack maps the sources' special industries so:
//!
//! * fintech (monthly full review): section J (finance) and sub-industry `fintech`;
//! * healthcare (an extra quarterly check of licences and medical-device registrations):
//!   section Q (health and social work), C27 (pharmaceuticals), C358 (medical
//!   instruments and devices), F515 and F525 (wholesale and retail of medicines and
//!   medical devices), and `healthcare`;
//! * green energy (a half-yearly scan of subsidy policy): D4413 hydro, D4415 wind, D4416
//!   solar and D4417 biomass power, C3825 photovoltaic equipment, and `green_energy`.

use chrono::{Days, Months, NaiveDate};
use credence_domain::{Labelled, MonitoringTier};
use serde::{Serialize, Serializer};

use crate::level::Level;

/// The interval of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Interval {
    /// Reads `10d`, `1w`, `1m`, `1q` (three months), `6m`, `1y` (twelve months).
    pub fn parse(text: &str) -> Option<Interval> {
        let t = text.trim();
        let (digits, unit) = t.split_at(t.len().checked_sub(1)?);
        let n: u32 = digits.parse().ok().filter(|n| *n > 0)?;
        Some(match unit {
            "d" => Interval::Days(n),
            "w" => Interval::Weeks(n),
            "m" => Interval::Months(n),
            "q" => Interval::Months(n.checked_mul(3)?),
            "y" => Interval::Months(n.checked_mul(12)?),
            _ => return None,
        })
    }

    /// The date one interval after `d` (month arithmetic clamps to the month's end).
    pub fn after(self, d: NaiveDate) -> NaiveDate {
        let moved = match self {
            Interval::Days(n) => d.checked_add_days(Days::new(n as u64)),
            Interval::Weeks(n) => d.checked_add_days(Days::new(n as u64 * 7)),
            Interval::Months(n) => d.checked_add_months(Months::new(n)),
        };
        moved.unwrap_or(NaiveDate::MAX)
    }

    /// Length in days, months counted as 30.44 days, for ordering intervals.
    pub fn approx_days(self) -> f64 {
        match self {
            Interval::Days(n) => n as f64,
            Interval::Weeks(n) => n as f64 * 7.0,
            Interval::Months(n) => n as f64 * 30.436_875,
        }
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Interval::Days(n) => write!(f, "{n}d"),
            Interval::Weeks(n) => write!(f, "{n}w"),
            Interval::Months(n) => write!(f, "{n}m"),
        }
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One check of the monitoring policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringCheck {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub every: Interval,
    /// Empty: any tier.
    pub tiers: Vec<MonitoringTier>,
    /// Empty: any level.
    pub levels: Vec<Level>,
    /// Section letters or sub-industry codes; empty: any industry.
    pub industries: Vec<String>,
    pub source: String,
}

/// Whether an industry key matches a customer's section or sub-industry.
pub(crate) fn industry_matches(key: &str, industry: &str, sub_industry: Option<&str>) -> bool {
    if key == industry {
        return true;
    }
    let Some(sub) = sub_industry else { return false };
    if key == sub {
        return true;
    }
    let mut chars = key.chars();
    let coded = chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_digit());
    coded && key.len() > 1 && sub.starts_with(key)
}

/// What the schedule of a customer depends on.
#[derive(Debug, Clone, Copy)]
pub struct MonitoredCustomer<'a> {
    pub tier: MonitoringTier,
    /// GB/T 4754 section letter.
    pub industry: &'a str,
    pub sub_industry: Option<&'a str>,
    pub level: Level,
}

/// The monitoring policy of a pack (its `[[monitoring.check]]` tables).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringPolicy {
    pub checks: Vec<MonitoringCheck>,
}

impl MonitoringCheck {
    pub fn applies(&self, c: &MonitoredCustomer) -> bool {
        (self.tiers.is_empty() || self.tiers.contains(&c.tier))
            && (self.levels.is_empty() || self.levels.contains(&c.level))
            && (self.industries.is_empty()
                || self.industries.iter().any(|k| industry_matches(k, c.industry, c.sub_industry)))
    }
}

impl MonitoringPolicy {
    /// The checks that apply to a customer, in pack order.
    pub fn schedule(&self, c: &MonitoredCustomer) -> Vec<&MonitoringCheck> {
        self.checks.iter().filter(|k| k.applies(c)).collect()
    }

    /// The shortest interval of the customer's checks; `None` when no check applies.
    pub fn interval(&self, c: &MonitoredCustomer) -> Option<Interval> {
        self.checks
            .iter()
            .filter(|k| k.applies(c))
            .map(|k| k.every)
            .min_by(|a, b| a.approx_days().total_cmp(&b.approx_days()))
    }

    /// Whether the customer is due for monitoring at `as_of`, having last been checked at
    /// `last_checked` (never: due at once). A customer no check applies to is never due.
    pub fn due(&self, c: &MonitoredCustomer, last_checked: Option<NaiveDate>, as_of: NaiveDate) -> bool {
        match (self.interval(c), last_checked) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(every), Some(last)) => every.after(last) <= as_of,
        }
    }

    /// The checks due at `as_of`, each against its own last date (`last(code)`; `None`:
    /// never done).
    pub fn due_checks<'p>(
        &'p self,
        c: &MonitoredCustomer,
        last: &dyn Fn(&str) -> Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Vec<&'p MonitoringCheck> {
        self.checks
            .iter()
            .filter(|k| k.applies(c))
            .filter(|k| last(&k.code).is_none_or(|d| k.every.after(d) <= as_of))
            .collect()
    }
}

/// Reads a tier code for the pack loader.
pub(crate) fn parse_tier(code: &str) -> Option<MonitoringTier> {
    MonitoringTier::ALL.iter().copied().find(|t| t.code() == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_and_step() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(Interval::parse("1q"), Some(Interval::Months(3)));
        assert_eq!(Interval::parse("1y"), Some(Interval::Months(12)));
        assert_eq!(Interval::parse("2w"), Some(Interval::Weeks(2)));
        assert_eq!(Interval::parse("0m"), None);
        assert_eq!(Interval::parse("m"), None);
        assert_eq!(Interval::parse("3x"), None);
        assert_eq!(Interval::Months(1).after(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(Interval::Weeks(1).after(d(2026, 9, 28)), d(2026, 10, 5));
    }

    #[test]
    fn industry_keys() {
        assert!(industry_matches("J", "J", None));
        assert!(industry_matches("C27", "C", Some("C2710")));
        assert!(industry_matches("fintech", "I", Some("fintech")));
        assert!(!industry_matches("fin", "I", Some("fintech")));
        assert!(!industry_matches("C27", "C", Some("C34")));
        assert!(!industry_matches("C", "D", Some("C27")));
    }
}
