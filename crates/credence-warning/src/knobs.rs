//! The numbers a rule's condition can be tuned by, found with the rule language's own
//! parser, and conditions and packs rewritten with other values for them.
//!
//! A **threshold** is a number compared with something: the `1.5` of
//! `current_ratio < 1.5`, the `-20%` of `change(x, 1y) < -20%`, the `1` of
//! `count(enforcement, 4q) >= 1`. A **persistence** is the count of
//! `… for 2 consecutive quarters`. Numbers inside the compared expressions (the `1.3` of
//! `sum_count(…) >= 1.3 * sum_count(…)`, windows such as `4q`) are not knobs: they define
//! what is measured, not where the line is drawn.

use crate::syntax::{Expr, Node, parse};
use credence_expr::{BinOp, Span};

/// What a knob is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KnobKind {
    /// A number compared with: its value, whether it was written as a percentage (`20%`,
    /// held as 0.2) and whether it is a whole number (a count).
    Threshold { value: f64, percent: bool, whole: bool },
    /// The quarters of `for n consecutive quarters`.
    Persistence { quarters: u32 },
}

/// A tunable number of a condition and where it is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    pub kind: KnobKind,
    /// Byte range of the number in the condition's text (for a negative threshold, the
    /// minus sign included).
    pub start: usize,
    pub end: usize,
}

impl Knob {
    /// The text that puts `value` in this knob's place, in the knob's own notation.
    pub fn write(&self, value: f64) -> String {
        match self.kind {
            KnobKind::Threshold { percent: true, .. } => format!("{}%", round_for_text(value * 100.0)),
            KnobKind::Threshold { .. } => round_for_text(value),
            KnobKind::Persistence { .. } => format!("{}", value.round().max(1.0) as u32),
        }
    }
}

/// Four significant digits, without trailing zeros: thresholds people read and type.
fn round_for_text(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".to_owned();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 10) as usize;
    let text = format!("{x:.digits$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    text.to_owned()
}

/// The knobs of a condition, in the order they are written. A condition that does not
/// parse has none (a pack's conditions were checked when it loaded).
pub fn knobs(condition: &str) -> Vec<Knob> {
    let mut out = Vec::new();
    if let Ok(node) = parse(condition) {
        collect(&node, &mut out);
    }
    out.sort_by_key(|k| k.start);
    out
}

fn collect(node: &Node, out: &mut Vec<Knob>) {
    match &node.expr {
        Expr::Binary(BinOp::Cmp(_), _, left, right) => {
            for side in [left, right] {
                match literal(side) {
                    Some(kind) => out.push(Knob { kind, start: side.span.start, end: side.span.end }),
                    None => collect(side, out),
                }
            }
        }
        Expr::Binary(_, _, left, right) => {
            collect(left, out);
            collect(right, out);
        }
        Expr::Not(x) => collect(x, out),
        Expr::Held { condition, quarters, count_span } => {
            collect(condition, out);
            out.push(Knob {
                kind: KnobKind::Persistence { quarters: *quarters as u32 },
                start: count_span.start,
                end: count_span.end,
            });
        }
        _ => {}
    }
}

/// A plain number, percentage or negated one, as a threshold.
fn literal(node: &Node) -> Option<KnobKind> {
    let whole = |v: f64| v.fract() == 0.0;
    match &node.expr {
        Expr::Number(v) => Some(KnobKind::Threshold { value: *v, percent: false, whole: whole(*v) }),
        Expr::Percent(v) => Some(KnobKind::Threshold { value: *v, percent: true, whole: false }),
        Expr::Neg(x) => match literal(x)? {
            KnobKind::Threshold { value, percent, whole } => {
                Some(KnobKind::Threshold { value: -value, percent, whole })
            }
            KnobKind::Persistence { .. } => None,
        },
        _ => None,
    }
}

/// `condition` with each knob given replaced by its new text.
pub fn rewrite(condition: &str, changes: &[(Knob, String)]) -> String {
    let mut spans: Vec<(Span, &str)> =
        changes.iter().map(|(k, text)| (Span::new(k.start, k.end), text.as_str())).collect();
    spans.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = condition.to_owned();
    for (span, text) in spans {
        out.replace_range(span.start..span.end, text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_persistence_are_found_where_they_are_written() {
        let c = "current_ratio < 1.5 for 2 consecutive quarters";
        let k = knobs(c);
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].kind, KnobKind::Threshold { value: 1.5, percent: false, whole: false });
        assert_eq!(&c[k[0].start..k[0].end], "1.5");
        assert_eq!(k[1].kind, KnobKind::Persistence { quarters: 2 });
        assert_eq!(&c[k[1].start..k[1].end], "2");
        let changed = rewrite(c, &[(k[0], k[0].write(1.2)), (k[1], k[1].write(3.0))]);
        assert_eq!(changed, "current_ratio < 1.2 for 3 consecutive quarters");
        assert_eq!(knobs(&changed).len(), 2);
    }

    #[test]
    fn negative_percentages_keep_their_notation() {
        let c = "change(receivables_turnover, 1y) < -20%";
        let k = knobs(c);
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].kind, KnobKind::Threshold { value: -0.2, percent: true, whole: false });
        assert_eq!(rewrite(c, &[(k[0], k[0].write(-0.3))]), "change(receivables_turnover, 1y) < -30%");
    }

    #[test]
    fn numbers_inside_the_measured_expression_are_not_knobs() {
        let c = "sum_count(quality_complaint, 4q) >= 1.3 * sum_count(quality_complaint, 4q, 4q ago)\n and sum_count(quality_complaint, 4q) >= 2";
        let k = knobs(c);
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].kind, KnobKind::Threshold { value: 2.0, percent: false, whole: true });
        assert!(knobs("debt_to_asset rising and net_margin falling").is_empty());
        assert!(knobs("not a condition (").is_empty());
    }

    #[test]
    fn numbers_are_written_for_people() {
        assert_eq!(round_for_text(1.2000000001), "1.2");
        assert_eq!(round_for_text(0.123456), "0.1235");
        assert_eq!(round_for_text(30.0), "30");
        assert_eq!(round_for_text(-12.5), "-12.5");
    }
}
