//! The interpreter of compiled formulas: a recursive evaluator over the flat operation
//! array, reading statements and precomputed aggregates from a [`Frame`].

use crate::cause::Cause;
use crate::frame::Frame;
use crate::periods::{ANNUAL, HALF_YEAR, QUARTER, type_months};
use crate::program::{NO_OP, Op, Program};

/// Where a formula is evaluated: a statement period (month of its end and its type) and a
/// point in time for ledger and event quantities (point k is the as-of date moved back k
/// quarters). `lag` moves both together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cx {
    pub month: i32,
    pub ptype: u8,
    pub point: u16,
}

impl Cx {
    pub fn back(self, quarters: u16) -> Cx {
        Cx { month: self.month - 3 * quarters as i32, ptype: self.ptype, point: self.point + quarters }
    }
}

pub(crate) struct Machine<'p, 'f> {
    ops: &'p [Op],
    memo_slot: &'p [u32],
    frame: &'f Frame<'f>,
    memo: Vec<Memo>,
}

/// The last value of a shared operation and the context it was computed in.
#[derive(Debug, Clone, Copy)]
struct Memo {
    month: i32,
    ptype: u8,
    point: u16,
    value: Result<f64, Cause>,
}

fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

impl<'p, 'f> Machine<'p, 'f> {
    pub fn new(program: &'p Program, frame: &'f Frame<'f>) -> Machine<'p, 'f> {
        let empty = Memo { month: i32::MIN, ptype: 0, point: 0, value: Err(Cause::NonFinite) };
        Machine { ops: &program.ops, memo_slot: &program.memo, frame, memo: vec![empty; program.memo_slots] }
    }

    /// The value of a formula, failing on a non-finite result.
    pub fn value(&mut self, op: u32, cx: Cx) -> Result<f64, Cause> {
        let v = self.eval(op, cx)?;
        if v.is_finite() { Ok(v) } else { Err(Cause::NonFinite) }
    }

    fn statement_value(&self, s: usize, item: u16, factor: f64, cx: Cx) -> Result<f64, Cause> {
        let st = &self.frame.file.statements[s];
        match st.values.get(item as usize) {
            Some(v) if !v.is_nan() => Ok(v * factor),
            _ => Err(Cause::NotReported {
                item,
                month: cx.month,
                ptype: crate::periods::type_code(st.period_type),
            }),
        }
    }

    fn eval(&mut self, op: u32, cx: Cx) -> Result<f64, Cause> {
        let slot = self.memo_slot[op as usize];
        if slot == NO_OP {
            return self.compute(op, cx);
        }
        let m = self.memo[slot as usize];
        if m.month == cx.month && m.ptype == cx.ptype && m.point == cx.point {
            return m.value;
        }
        let value = self.compute(op, cx);
        self.memo[slot as usize] = Memo { month: cx.month, ptype: cx.ptype, point: cx.point, value };
        value
    }

    fn compute(&mut self, op: u32, cx: Cx) -> Result<f64, Cause> {
        Ok(match self.ops[op as usize] {
            Op::Const(v) => v,
            Op::Missing(r) => return Err(Cause::Declared(r)),
            Op::Balance { item, factor } => {
                let s = self
                    .frame
                    .index
                    .any(cx.month, cx.ptype)
                    .ok_or(Cause::NoPeriod { month: cx.month, ptype: cx.ptype })?;
                return self.statement_value(s, item, factor, cx);
            }
            Op::Flow { item, factor } => {
                let s = self
                    .frame
                    .index
                    .get(cx.month, cx.ptype)
                    .ok_or(Cause::NoPeriod { month: cx.month, ptype: cx.ptype })?;
                return self.statement_value(s, item, factor, cx);
            }
            Op::Aggregate(slot) => return self.frame.aggregate(cx.point, slot),
            Op::Neg(a) => -self.eval(a, cx)?,
            Op::Add(a, b) => self.eval(a, cx)? + self.eval(b, cx)?,
            Op::Sub(a, b) => self.eval(a, cx)? - self.eval(b, cx)?,
            Op::Mul(a, b) => self.eval(a, cx)? * self.eval(b, cx)?,
            Op::DivLiteral(a, c) => self.eval(a, cx)? / c,
            Op::Div { num, den, zero, negative } => {
                let n = self.eval(num, cx)?;
                let d = self.eval(den, cx)?;
                if d == 0.0 {
                    return self.eval(zero, cx);
                }
                if d < 0.0 {
                    return self.eval(negative, cx);
                }
                n / d
            }
            Op::Cmp(c, a, b) => {
                let (a, b) = (self.eval(a, cx)?, self.eval(b, cx)?);
                truth(c.holds(a, b))
            }
            Op::And(a, b) => truth(self.eval(a, cx)? != 0.0 && self.eval(b, cx)? != 0.0),
            Op::Or(a, b) => truth(self.eval(a, cx)? != 0.0 || self.eval(b, cx)? != 0.0),
            Op::Not(a) => truth(self.eval(a, cx)? == 0.0),
            Op::If(c, a, b) => {
                if self.eval(c, cx)? != 0.0 {
                    self.eval(a, cx)?
                } else {
                    self.eval(b, cx)?
                }
            }
            Op::Min(a, b) => self.eval(a, cx)?.min(self.eval(b, cx)?),
            Op::Max(a, b) => self.eval(a, cx)?.max(self.eval(b, cx)?),
            Op::Abs(a) => self.eval(a, cx)?.abs(),
            Op::Pow(a, e) => self.eval(a, cx)?.powf(e),
            Op::Coalesce(a, b) => match self.eval(a, cx) {
                Ok(v) => v,
                Err(_) => self.eval(b, cx)?,
            },
            Op::Ttm(a) => self.ttm(a, cx)?,
            Op::Annualised(a) => self.eval(a, cx)? * 12.0 / type_months(cx.ptype),
            Op::Avg(a) => {
                let now = self.eval(a, cx)?;
                let before = Cx { month: cx.month - 12, ..cx };
                match self.eval(a, before) {
                    Ok(then) => (now + then) / 2.0,
                    Err(_) => now,
                }
            }
            Op::Lag(a, n) => self.eval(a, cx.back(n))?,
            Op::StdevQuarters(a, n) => {
                let q = Cx { ptype: QUARTER, ..cx };
                let mut sum = 0.0;
                let mut sq = 0.0;
                for j in 0..n {
                    let v = self.eval(a, q.back(j))?;
                    sum += v;
                    sq += v * v;
                }
                let n = n as f64;
                ((sq - sum * sum / n) / (n - 1.0)).max(0.0).sqrt()
            }
        })
    }

    /// The trailing twelve months ending at the context's month: four quarterly
    /// statements, else an annual one, else two half years.
    fn ttm(&mut self, a: u32, cx: Cx) -> Result<f64, Cause> {
        let frame: &'f Frame<'f> = self.frame;
        let index = &frame.index;
        let at = |month: i32, ptype: u8| Cx { month, ptype, point: cx.point };
        let quarters = (0..4).filter(|j| index.get(cx.month - 3 * j, QUARTER).is_some()).count();
        let mut first_err = None;
        if quarters == 4 {
            let mut sum = 0.0;
            for j in 0..4 {
                match self.eval(a, at(cx.month - 3 * j, QUARTER)) {
                    Ok(v) => sum += v,
                    Err(e) => {
                        first_err = Some(e);
                        break;
                    }
                }
            }
            if first_err.is_none() {
                return Ok(sum);
            }
        }
        if index.get(cx.month, ANNUAL).is_some() {
            match self.eval(a, at(cx.month, ANNUAL)) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if index.get(cx.month, HALF_YEAR).is_some() && index.get(cx.month - 6, HALF_YEAR).is_some() {
            let halves = self
                .eval(a, at(cx.month, HALF_YEAR))
                .and_then(|h| Ok(h + self.eval(a, at(cx.month - 6, HALF_YEAR))?));
            match halves {
                Ok(v) => return Ok(v),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(Cause::TtmIncomplete { month: cx.month, found: quarters as u8 }))
    }
}
