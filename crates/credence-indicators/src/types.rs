//! The types formulas are checked against: physical dimensions (money, time, persons,
//! events, score points), whether a statement value is a balance or a flow over its
//! period, and what is known about its sign; plus the units indicators are reported in.
//!
//! Durations are held in years inside a formula, so `ttm(revenue)` is money per year and
//! `cash / ttm(cost_of_sales)` is a duration; the declared unit of an indicator converts
//! at the very end (days = years × 365, months = years × 12, percent = ratio × 100). A
//! formula therefore never multiplies by 365 or 100 itself.

/// Exponents of the base dimensions: money, year, person, event, score point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Dim(pub [i8; 5]);

const BASE_NAMES: [&str; 5] = ["money", "year", "person", "event", "point"];

impl Dim {
    pub const NONE: Dim = Dim([0; 5]);
    pub const MONEY: Dim = Dim([1, 0, 0, 0, 0]);
    pub const TIME: Dim = Dim([0, 1, 0, 0, 0]);
    pub const PERSONS: Dim = Dim([0, 0, 1, 0, 0]);
    pub const EVENTS: Dim = Dim([0, 0, 0, 1, 0]);
    pub const POINTS: Dim = Dim([0, 0, 0, 0, 1]);
    pub const PER_YEAR: Dim = Dim([0, -1, 0, 0, 0]);

    pub fn mul(self, o: Dim) -> Dim {
        let mut d = self.0;
        for (x, y) in d.iter_mut().zip(o.0) {
            *x += y;
        }
        Dim(d)
    }

    pub fn div(self, o: Dim) -> Dim {
        let mut d = self.0;
        for (x, y) in d.iter_mut().zip(o.0) {
            *x -= y;
        }
        Dim(d)
    }

    /// Reads as "money per person per year", "a duration", "a ratio".
    pub fn describe(self) -> String {
        match self {
            Dim::NONE => return "a ratio".into(),
            Dim::TIME => return "a duration".into(),
            Dim::PER_YEAR => return "a rate per year".into(),
            _ => {}
        }
        let power = |name: &str, e: i8| {
            if e.abs() == 1 { name.to_owned() } else { format!("{name}^{}", e.abs()) }
        };
        let plural = |name: &str| match name {
            "money" => "money".to_owned(),
            "person" => "persons".to_owned(),
            n => format!("{n}s"),
        };
        let num: Vec<String> =
            (0..5).filter(|&i| self.0[i] > 0).map(|i| power(&plural(BASE_NAMES[i]), self.0[i])).collect();
        let den: Vec<String> =
            (0..5).filter(|&i| self.0[i] < 0).map(|i| power(BASE_NAMES[i], self.0[i])).collect();
        let mut s = if num.is_empty() { "1".to_owned() } else { num.join("·") };
        for d in den {
            s.push_str(" per ");
            s.push_str(&d);
        }
        s
    }
}

/// Where a value sits in time, for statement values. A flow covers the current period,
/// whose length varies (quarter, half year, year), so it may only meet flows of the same
/// period until `ttm()` or `annualised()` turns it into a rate per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Temporal {
    /// A balance at the period end (or an attribute of the statement).
    Balance,
    /// An amount over the current period.
    Flow,
    /// Anything else: rates per year, ledger and event quantities, constants.
    Free,
}

/// What the checker knows about a value's sign, to demand handling of negative
/// denominators only where they can happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Sign {
    Any,
    NonNegative,
    Positive,
}

impl Sign {
    pub fn weakest(self, o: Sign) -> Sign {
        self.min(o)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Bool,
    /// `missing("…")`: has no value, so it fits wherever a number does.
    Never,
    /// The type of an expression that already failed to check: accepted anywhere so one
    /// mistake gives one message.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ty {
    pub kind: Kind,
    pub dim: Dim,
    pub time: Temporal,
    pub sign: Sign,
    /// The literal value, when the expression is a number literal: literal 0 fits any
    /// dimension (`equity <= 0`), a positive literal may be a bare denominator.
    pub literal: Option<f64>,
}

impl Ty {
    pub fn number(dim: Dim, time: Temporal, sign: Sign) -> Ty {
        Ty { kind: Kind::Number, dim, time, sign, literal: None }
    }

    pub fn free(dim: Dim, sign: Sign) -> Ty {
        Ty::number(dim, Temporal::Free, sign)
    }

    pub fn literal(v: f64) -> Ty {
        let sign = if v > 0.0 {
            Sign::Positive
        } else if v == 0.0 {
            Sign::NonNegative
        } else {
            Sign::Any
        };
        Ty { literal: Some(v), ..Ty::free(Dim::NONE, sign) }
    }

    pub const BOOL: Ty =
        Ty { kind: Kind::Bool, dim: Dim::NONE, time: Temporal::Free, sign: Sign::Any, literal: None };
    pub const NEVER: Ty =
        Ty { kind: Kind::Never, dim: Dim::NONE, time: Temporal::Free, sign: Sign::Positive, literal: None };
    pub const ERROR: Ty =
        Ty { kind: Kind::Error, dim: Dim::NONE, time: Temporal::Free, sign: Sign::Any, literal: None };

    pub fn is_zero_literal(&self) -> bool {
        self.literal == Some(0.0)
    }

    /// Whether no checks should be made against this type (already failed, or never a
    /// value).
    pub fn is_wild(&self) -> bool {
        matches!(self.kind, Kind::Never | Kind::Error)
    }

    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Bool => "a condition".into(),
            Kind::Never => "missing".into(),
            Kind::Error => "an erroneous value".into(),
            Kind::Number => {
                let d = self.dim.describe();
                match self.time {
                    Temporal::Flow => format!("{d} over the current period"),
                    _ => d,
                }
            }
        }
    }
}

/// The unit an indicator is reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain ratio (1.83).
    Ratio,
    /// A ratio × 100.
    Percent,
    /// Times per year (turnover).
    Times,
    /// A rate per year × 100 (ROE, depreciation rate).
    PercentPerYear,
    Days,
    Months,
    Years,
    Money,
    MoneyPerYear,
    MoneyPerPersonYear,
    /// A number of events (or of people in events).
    Count,
    /// Points on a score scale.
    Score,
}

impl Unit {
    pub const ALL: [Unit; 12] = [
        Unit::Ratio,
        Unit::Percent,
        Unit::Times,
        Unit::PercentPerYear,
        Unit::Days,
        Unit::Months,
        Unit::Years,
        Unit::Money,
        Unit::MoneyPerYear,
        Unit::MoneyPerPersonYear,
        Unit::Count,
        Unit::Score,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Percent => "percent",
            Unit::Times => "times",
            Unit::PercentPerYear => "percent_per_year",
            Unit::Days => "days",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::Money => "money",
            Unit::MoneyPerYear => "money_per_year",
            Unit::MoneyPerPersonYear => "money_per_person_year",
            Unit::Count => "count",
            Unit::Score => "score",
        }
    }

    pub fn parse(code: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.code() == code)
    }

    pub(crate) fn dim(self) -> Dim {
        match self {
            Unit::Ratio | Unit::Percent => Dim::NONE,
            Unit::Times | Unit::PercentPerYear => Dim::PER_YEAR,
            Unit::Days | Unit::Months | Unit::Years => Dim::TIME,
            Unit::Money => Dim::MONEY,
            Unit::MoneyPerYear => Dim::MONEY.div(Dim::TIME),
            Unit::MoneyPerPersonYear => Dim::MONEY.div(Dim::TIME).div(Dim::PERSONS),
            Unit::Count => Dim::EVENTS,
            Unit::Score => Dim::POINTS,
        }
    }

    /// Factor from the formula's value (durations in years, ratios as fractions) to the
    /// reported value.
    pub fn scale(self) -> f64 {
        match self {
            Unit::Percent | Unit::PercentPerYear => 100.0,
            Unit::Days => 365.0,
            Unit::Months => 12.0,
            _ => 1.0,
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_read_naturally() {
        let cases = [
            (Dim::MONEY, "money"),
            (Dim::MONEY.div(Dim::TIME), "money per year"),
            (Unit::MoneyPerPersonYear.dim(), "money per year per person"),
            (Dim::EVENTS, "events"),
            (Dim::MONEY.mul(Dim::MONEY), "money^2"),
            (Dim::NONE.div(Dim::PERSONS), "1 per person"),
            (Dim::TIME, "a duration"),
        ];
        for (d, s) in cases {
            assert_eq!(d.describe(), s);
        }
        assert!(Unit::ALL.iter().all(|u| Unit::parse(u.code()) == Some(*u)));
    }
}
