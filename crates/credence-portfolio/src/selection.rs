//! Which positions a view covers: the drill-down filters of the cockpit, and the order of
//! a customer list.

use credence_control::Level;
use serde::{Deserialize, Serialize};

use crate::{Portfolio, Position};

/// The grade filter value for customers never rated.
pub const UNRATED: &str = "unrated";

/// Filters on positions; each one given must match (none given: every position).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub level: Option<Level>,
    /// Only customers under watch.
    #[serde(default)]
    pub watch: bool,
    /// A letter grade, or [`UNRATED`].
    pub grade: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub business_line: Option<String>,
    pub group: Option<String>,
    /// Only customers whose exposure exceeds their limit.
    #[serde(default)]
    pub over_limit: bool,
    /// Only customers with receivables past due.
    #[serde(default)]
    pub overdue: bool,
}

impl Selection {
    pub fn matches(&self, p: &Position) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
        self.level.is_none_or(|l| p.level == l)
            && (!self.watch || p.watch)
            && self.grade.as_deref().is_none_or(|g| match &p.grade {
                Some(have) => have == g,
                None => g == UNRATED,
            })
            && eq(&self.industry, Some(&p.industry))
            && eq(&self.region, Some(&p.region))
            && eq(&self.business_line, p.business_line.as_deref())
            && eq(&self.group, p.group_id.as_deref())
            && (!self.over_limit || p.over_limit() > 0)
            && (!self.overdue || p.overdue > 0)
    }

    /// Whether any filter is set.
    pub fn is_everything(&self) -> bool {
        *self == Selection::default()
    }
}

/// The order of a customer list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSort {
    /// Largest exposure first (the default).
    #[default]
    Exposure,
    /// Highest PD first (unrated last).
    Pd,
    /// Most overdue first.
    Overdue,
    /// Most over the limit first.
    OverLimit,
    CustomerId,
    Name,
}

/// The positions a caller may see (`admits`) that match `selection`, in `sort` order
/// (ties by customer id).
pub fn select<'a>(
    portfolio: &'a Portfolio,
    selection: &Selection,
    admits: &dyn Fn(&Position) -> bool,
    sort: PositionSort,
) -> Vec<&'a Position> {
    let mut out: Vec<&Position> =
        portfolio.positions.iter().filter(|p| admits(p) && selection.matches(p)).collect();
    let by_id = |a: &&Position, b: &&Position| a.customer_id.cmp(&b.customer_id);
    match sort {
        PositionSort::CustomerId => {}
        PositionSort::Exposure => out.sort_by(|a, b| b.exposure.cmp(&a.exposure).then_with(|| by_id(a, b))),
        PositionSort::Overdue => out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| by_id(a, b))),
        PositionSort::OverLimit => {
            out.sort_by(|a, b| b.over_limit().cmp(&a.over_limit()).then_with(|| by_id(a, b)))
        }
        PositionSort::Pd => out.sort_by(|a, b| {
            let pd = |p: &Position| p.pd.unwrap_or(-1.0);
            pd(b).total_cmp(&pd(a)).then_with(|| by_id(a, b))
        }),
        PositionSort::Name => out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| by_id(a, b))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(id: &str, level: Level, grade: Option<&str>, exposure: i64, limit: i64) -> Position {
        Position {
            customer_id: id.into(),
            name: format!("name {id}"),
            industry: "C".into(),
            region: "福建".into(),
            business_line: Some("machinery".into()),
            grade: grade.map(str::to_owned),
            pd: grade.map(|_| exposure as f64 / 1e6),
            level,
            exposure,
            limit,
            ..Position::default()
        }
    }

    fn book() -> Portfolio {
        Portfolio {
            positions: vec![
                position("C1", Level::Red, Some("B"), 500, 400),
                position("C2", Level::Green, Some("A"), 900, 1_000),
                position("C3", Level::Green, None, 100, 0),
                Position { region: "广东".into(), ..position("C4", Level::Yellow, Some("A"), 300, 300) },
            ],
            ..Portfolio::default()
        }
    }

    fn ids(list: &[&Position]) -> Vec<String> {
        list.iter().map(|p| p.customer_id.to_string()).collect()
    }

    fn check(selection: Selection, sort: PositionSort, expected: &[&str]) {
        let b = book();
        assert_eq!(ids(&select(&b, &selection, &|_| true, sort)), expected, "{selection:?} {sort:?}");
    }

    #[test]
    fn filters_combine() {
        check(Selection::default(), PositionSort::CustomerId, &["C1", "C2", "C3", "C4"]);
        check(
            Selection { level: Some(Level::Green), ..Default::default() },
            PositionSort::CustomerId,
            &["C2", "C3"],
        );
        check(
            Selection { grade: Some("A".into()), ..Default::default() },
            PositionSort::CustomerId,
            &["C2", "C4"],
        );
        check(
            Selection { grade: Some(UNRATED.into()), ..Default::default() },
            PositionSort::CustomerId,
            &["C3"],
        );
        check(
            Selection { region: Some("广东".into()), ..Default::default() },
            PositionSort::CustomerId,
            &["C4"],
        );
        check(Selection { over_limit: true, ..Default::default() }, PositionSort::CustomerId, &["C1", "C3"]);
        check(
            Selection { grade: Some("A".into()), region: Some("福建".into()), ..Default::default() },
            PositionSort::CustomerId,
            &["C2"],
        );
    }

    #[test]
    fn sorts_with_ties_by_id() {
        check(Selection::default(), PositionSort::Exposure, &["C2", "C1", "C4", "C3"]);
        check(Selection::default(), PositionSort::Pd, &["C2", "C1", "C4", "C3"]);
        check(Selection::default(), PositionSort::OverLimit, &["C1", "C3", "C2", "C4"]);
    }

    #[test]
    fn scope_comes_first() {
        let b = book();
        let only_c4 = |p: &Position| p.customer_id == "C4";
        assert_eq!(ids(&select(&b, &Selection::default(), &only_c4, PositionSort::Exposure)), ["C4"]);
    }
}
