//! Operators and units every language shares.

/// A binary operator of the expression core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Cmp(CmpOp),
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Cmp(c) => c.symbol(),
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// How tightly the operator binds: `or` 1, `and` 2, comparisons 3, `+ -` 4, `* /` 5.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Cmp(_) => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div => 5,
        }
    }

    pub fn is_comparison(self) -> bool {
        self.comparison().is_some()
    }

    /// The comparison this operator is, if it is one.
    pub fn comparison(self) -> Option<CmpOp> {
        match self {
            BinOp::Cmp(c) => Some(c),
            _ => None,
        }
    }

    /// The operator a token spells: punctuation or the words `and` and `or`.
    pub fn from_token(token: &str) -> Option<BinOp> {
        Some(match token {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "and" => BinOp::And,
            "or" => BinOp::Or,
            _ => return CmpOp::from_symbol(token).map(BinOp::Cmp),
        })
    }
}

/// A comparison of two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub const ALL: [CmpOp; 6] = [CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge, CmpOp::Eq, CmpOp::Ne];

    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    pub fn from_symbol(symbol: &str) -> Option<CmpOp> {
        CmpOp::ALL.into_iter().find(|c| c.symbol() == symbol)
    }

    /// Whether `a op b` holds.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }

    /// The comparison that holds exactly when this one does not (for numbers that are
    /// not NaN).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
        }
    }
}

/// The calendar unit of a duration literal (`365d`, `2w`, `12m`, `4q`, `1y`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    Weeks,
    Months,
    Quarters,
    Years,
}

impl DurationUnit {
    /// The unit a letter after a whole number spells.
    pub fn from_letter(letter: u8) -> Option<DurationUnit> {
        Some(match letter {
            b'd' => DurationUnit::Days,
            b'w' => DurationUnit::Weeks,
            b'm' => DurationUnit::Months,
            b'q' => DurationUnit::Quarters,
            b'y' => DurationUnit::Years,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_round_trip_through_their_symbols() {
        for op in [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::And, BinOp::Or] {
            assert_eq!(BinOp::from_token(op.symbol()), Some(op));
            assert!(!op.is_comparison());
        }
        for c in CmpOp::ALL {
            assert_eq!(BinOp::from_token(c.symbol()), Some(BinOp::Cmp(c)));
            assert_eq!(BinOp::Cmp(c).comparison(), Some(c));
            assert_eq!(BinOp::Cmp(c).precedence(), 3);
        }
        assert_eq!(BinOp::from_token("="), None);
        assert!(BinOp::Or.precedence() < BinOp::And.precedence());
        assert!(BinOp::Add.precedence() < BinOp::Mul.precedence());
    }

    #[test]
    fn comparisons_hold_like_the_operators() {
        let holds: Vec<bool> = CmpOp::ALL.iter().map(|c| c.holds(1.0, 2.0)).collect();
        assert_eq!(holds, [true, true, false, false, false, true]);
        assert!(CmpOp::Ge.holds(2.0, 2.0) && !CmpOp::Ne.holds(2.0, 2.0));
        assert!(!CmpOp::Eq.holds(f64::NAN, f64::NAN));
        for c in CmpOp::ALL {
            assert_eq!(c.negated().negated(), c);
            for (a, b) in [(1.0, 2.0), (2.0, 2.0), (3.0, 2.0)] {
                assert_ne!(c.holds(a, b), c.negated().holds(a, b));
            }
        }
    }
}
