//! The compiled form of a catalogue: one flat array of operations shared by all formulas,
//! with statement items as indices, ledger and event quantities as slots computed once
//! per customer and date, and every declared missing-reason text in a table. Evaluating
//! it needs no string look-up and no allocation per node.

use credence_domain::EventKind;
pub(crate) use credence_expr::CmpOp;

/// Sentinel for "no operation".
pub(crate) const NO_OP: u32 = u32::MAX;

/// One operation. Operands are indices into [`Program::ops`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Const(f64),
    /// Fails with the declared reason of that index.
    Missing(u16),
    /// A statement item read as a balance: from the statement of the context's period type
    /// at the context's period end, or any statement ending then. `factor` converts the
    /// stored number (percent items are stored × 100).
    Balance {
        item: u16,
        factor: f64,
    },
    /// A statement item read as a flow: only from the statement of the context's period
    /// type ending at the context's period end.
    Flow {
        item: u16,
        factor: f64,
    },
    /// A ledger, event or customer quantity, precomputed per date.
    Aggregate(u16),
    Neg(u32),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    /// Division by a positive literal.
    DivLiteral(u32, f64),
    /// Guarded division: `zero` is evaluated when the denominator is 0, `negative` when it
    /// is below 0.
    Div {
        num: u32,
        den: u32,
        zero: u32,
        negative: u32,
    },
    Cmp(CmpOp, u32, u32),
    And(u32, u32),
    Or(u32, u32),
    Not(u32),
    If(u32, u32, u32),
    Min(u32, u32),
    Max(u32, u32),
    Abs(u32),
    Pow(u32, f64),
    Coalesce(u32, u32),
    Ttm(u32),
    Annualised(u32),
    Avg(u32),
    Lag(u32, u16),
    StdevQuarters(u32, u16),
}

/// A calendar length: windows of ledger and event quantities, and their shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Period {
    Days(u32),
    Months(u32),
}

/// The dates `(end − length, end]` with `end = as_of − shift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Window {
    pub length: Period,
    pub shift: Period,
}

/// A quantity computed by code from the ledger, the events or the customer master at a
/// date (see the `ledger` and `events` modules for the exact definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Aggregate {
    OpenReceivables,
    /// Open amount of invoices between `min_days` and `max_days` days past due,
    /// inclusive.
    Overdue {
        min_days: u32,
        max_days: u32,
    },
    OpenOrders,
    Invoiced(Window),
    /// Invoices issued in the window.
    InvoiceCount(Window),
    /// Invoices issued in the window that the customer disputed by its end.
    DisputedInvoices(Window),
    /// Promises to pay kept, or broken, in the window.
    PromisesKept(Window),
    PromisesBroken(Window),
    /// Utility bills due in the window, and those of them paid late.
    UtilityBills(Window),
    UtilityLateBills(Window),
    /// Utility bills issued in the window, by amount.
    UtilityBilled(Window),
    /// Unpaid on utility bills at least this many days past due.
    UtilityOverdue {
        min_days: u32,
    },
    Dso,
    DaysBeyondTerms,
    TimelinessScore,
    CreditLimit,
    PaymentTerms,
    RelationshipLength,
    Count(EventKind, Window),
    SumCount(EventKind, Window),
    SumAmount(EventKind, Window),
    SumChange(EventKind, Window),
    MeanSentiment(Window),
}

impl Aggregate {
    pub fn window(self) -> Option<Window> {
        match self {
            Aggregate::Invoiced(w)
            | Aggregate::InvoiceCount(w)
            | Aggregate::DisputedInvoices(w)
            | Aggregate::PromisesKept(w)
            | Aggregate::PromisesBroken(w)
            | Aggregate::UtilityBills(w)
            | Aggregate::UtilityLateBills(w)
            | Aggregate::UtilityBilled(w)
            | Aggregate::Count(_, w)
            | Aggregate::SumCount(_, w)
            | Aggregate::SumAmount(_, w)
            | Aggregate::SumChange(_, w)
            | Aggregate::MeanSentiment(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_ledger(self) -> bool {
        matches!(
            self,
            Aggregate::OpenReceivables
                | Aggregate::Overdue { .. }
                | Aggregate::OpenOrders
                | Aggregate::Invoiced(_)
                | Aggregate::Dso
                | Aggregate::DaysBeyondTerms
                | Aggregate::TimelinessScore
        )
    }
}

/// The compiled formula of one indicator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Root {
    pub op: u32,
    /// Reads statements, so needs a current period.
    pub uses_statements: bool,
    /// The largest number of quarters by which `lag` moves an aggregate back, if the
    /// formula reads aggregates at all.
    pub aggregate_lag: Option<u16>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    /// Operations, each distinct operation once: formulas share `ttm(revenue)` and the
    /// like, so it can be computed once per context.
    pub ops: Vec<Op>,
    /// Per operation, its memo slot (`NO_OP` for none): set by [`Program::finish`] for
    /// every non-leaf operation used by more than one formula or operation.
    pub memo: Vec<u32>,
    pub memo_slots: usize,
    interned: std::collections::HashMap<String, u32>,
    pub reasons: Vec<String>,
    pub aggregates: Vec<Aggregate>,
    /// The distinct windows of the aggregates, so each is placed on the calendar once
    /// per date.
    pub windows: Vec<Window>,
    /// Index into `windows` per aggregate; `u16::MAX` for one without a window.
    pub aggregate_windows: Vec<u16>,
}

impl Program {
    pub fn push(&mut self, op: Op) -> u32 {
        // The debug form identifies an operation exactly (floats print round-trip).
        let key = format!("{op:?}");
        if let Some(&i) = self.interned.get(&key) {
            return i;
        }
        self.ops.push(op);
        let i = (self.ops.len() - 1) as u32;
        self.interned.insert(key, i);
        i
    }

    /// Assigns memo slots once every formula is compiled; `roots` are the formulas'
    /// top operations.
    pub fn finish(&mut self, roots: &[Root]) {
        let mut uses = vec![0u32; self.ops.len()];
        for r in roots {
            uses[r.op as usize] += 1;
        }
        for op in 0..self.ops.len() as u32 {
            for c in self.children(op).0 {
                if c != NO_OP {
                    uses[c as usize] += 1;
                }
            }
        }
        self.memo = vec![NO_OP; self.ops.len()];
        self.memo_slots = 0;
        for (i, op) in self.ops.iter().enumerate() {
            let leaf = matches!(
                op,
                Op::Const(_) | Op::Missing(_) | Op::Balance { .. } | Op::Flow { .. } | Op::Aggregate(_)
            );
            if uses[i] > 1 && !leaf {
                self.memo[i] = self.memo_slots as u32;
                self.memo_slots += 1;
            }
        }
        self.interned = Default::default();
    }

    pub fn reason(&mut self, text: &str) -> u16 {
        if let Some(i) = self.reasons.iter().position(|r| r == text) {
            return i as u16;
        }
        self.reasons.push(text.to_owned());
        (self.reasons.len() - 1) as u16
    }

    pub fn aggregate(&mut self, a: Aggregate) -> u16 {
        if let Some(i) = self.aggregates.iter().position(|x| *x == a) {
            return i as u16;
        }
        self.aggregates.push(a);
        let window = match a.window() {
            None => u16::MAX,
            Some(w) => match self.windows.iter().position(|x| *x == w) {
                Some(i) => i as u16,
                None => {
                    self.windows.push(w);
                    (self.windows.len() - 1) as u16
                }
            },
        };
        self.aggregate_windows.push(window);
        (self.aggregates.len() - 1) as u16
    }

    fn children(&self, op: u32) -> ([u32; 4], u16) {
        let n = NO_OP;
        let (c, lag) = match self.ops[op as usize] {
            Op::Const(_) | Op::Missing(_) | Op::Balance { .. } | Op::Flow { .. } | Op::Aggregate(_) => {
                ([n; 4], 0)
            }
            Op::Neg(a)
            | Op::Not(a)
            | Op::Abs(a)
            | Op::DivLiteral(a, _)
            | Op::Pow(a, _)
            | Op::Ttm(a)
            | Op::Annualised(a)
            | Op::Avg(a)
            | Op::StdevQuarters(a, _) => ([a, n, n, n], 0),
            Op::Lag(a, k) => ([a, n, n, n], k),
            Op::Add(a, b)
            | Op::Sub(a, b)
            | Op::Mul(a, b)
            | Op::Cmp(_, a, b)
            | Op::And(a, b)
            | Op::Or(a, b)
            | Op::Min(a, b)
            | Op::Max(a, b)
            | Op::Coalesce(a, b) => ([a, b, n, n], 0),
            Op::If(a, b, c) => ([a, b, c, n], 0),
            Op::Div { num, den, zero, negative } => ([num, den, zero, negative], 0),
        };
        (c, lag)
    }

    /// Describes the compiled formula rooted at `op`.
    pub fn root(&self, op: u32) -> Root {
        Root {
            op,
            uses_statements: self.any(op, &|o| matches!(o, Op::Balance { .. } | Op::Flow { .. })),
            aggregate_lag: self.aggregate_lag(op),
        }
    }

    fn any(&self, op: u32, pred: &dyn Fn(&Op) -> bool) -> bool {
        if pred(&self.ops[op as usize]) {
            return true;
        }
        let (c, _) = self.children(op);
        c.iter().any(|&x| x != NO_OP && self.any(x, pred))
    }

    fn aggregate_lag(&self, op: u32) -> Option<u16> {
        if let Op::Aggregate(_) = self.ops[op as usize] {
            return Some(0);
        }
        let (c, lag) = self.children(op);
        c.iter().filter(|&&x| x != NO_OP).filter_map(|&x| self.aggregate_lag(x)).max().map(|d| d + lag)
    }
}
