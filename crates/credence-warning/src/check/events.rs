//! Checking event quantities: `count(kind[filter], window, shift ago)` and the other
//! sums over events, and the filters on the events' fields.

use credence_domain::{EventKind, Labelled};

use super::{Checked, Checker, EVENT_FIELDS, Ty, suggestion};
use crate::compile::{CmpOp, EventAggregate, EventField, EventRead, Filter, Op, Period};
use crate::syntax::{Arg, BinOp, Expr, Node, Span};

impl Checker<'_> {
    /// `count(kind[filter], window, shift ago)` and the other event sums.
    pub(super) fn event_call(&mut self, aggregate: EventAggregate, args: &[Arg], span: Span) -> Checked {
        let name = aggregate.name();
        if args.len() < 2 || args.len() > 3 {
            return self.fail(
                span,
                format!("{name}() takes an event kind, a window and optionally a shift, as in {name}(news, 1q, 1q ago)"),
            );
        }
        let (kind_name, kind_span, filter_node) = match &args[0] {
            Arg::Value(Node { expr: Expr::Name(n), span, .. }) => (n.clone(), *span, None),
            Arg::Value(Node { expr: Expr::Filtered { name, name_span, filter }, .. }) => {
                (name.clone(), *name_span, Some(filter.as_ref()))
            }
            other => return self.fail(other.span(), format!("{name}() needs an event kind first")),
        };
        let Some(kind) = EventKind::ALL.iter().copied().find(|k| k.code() == kind_name) else {
            if self.catalogue.indicator(&kind_name).is_some() {
                return self.fail(
                    kind_span,
                    format!("{name}() counts events, but '{kind_name}' is an indicator, not an event kind"),
                );
            }
            let hint = suggestion(&kind_name, EventKind::ALL.iter().map(|k| k.code()));
            return self.fail(
                kind_span,
                format!("unknown event kind '{kind_name}'{hint} (one of {})", EventKind::codes_joined()),
            );
        };
        let filter = match filter_node {
            Some(f) => match self.filter(f) {
                Some(f) => Some(f),
                None => return (0, Ty::Error),
            },
            None => None,
        };
        let filter_text = filter_node.map(|f| self.source(f.span)).unwrap_or_default();
        let length = match &args[1] {
            Arg::Value(Node { expr: Expr::Duration(d), .. }) => self.period(d, "a window", false),
            other => {
                self.fail(other.span(), "expected a window such as 1q, 4q, 12m or 30d");
                None
            }
        };
        let shift = match args.get(2) {
            None => Some(Period::Months(0)),
            Some(Arg::Ago(d)) => self.period(d, "a shift", true),
            Some(other) => {
                self.fail(other.span(), "expected a shift such as 1q ago");
                None
            }
        };
        let (Some(length), Some(shift)) = (length, shift) else { return (0, Ty::Error) };
        let read = EventRead { kind, filter, filter_text, aggregate, length, shift, offsets: 0 };
        let e = self.program.event(read);
        let q = aggregate.quantity();
        (self.push(Op::Event(e), span, q), Ty::Num { q, literal: None })
    }

    /// A condition on event fields.
    fn filter(&mut self, n: &Node) -> Option<Filter> {
        let usage = "an event filter compares the events' fields with values, as in role in (\"CEO\", \"CFO\") or amount >= 1000000";
        match &n.expr {
            Expr::Binary(BinOp::And, _, a, b) => {
                let (a, b) = (self.filter(a), self.filter(b));
                Some(Filter::And(Box::new(a?), Box::new(b?)))
            }
            Expr::Binary(BinOp::Or, _, a, b) => {
                let (a, b) = (self.filter(a), self.filter(b));
                Some(Filter::Or(Box::new(a?), Box::new(b?)))
            }
            Expr::Not(a) => Some(Filter::Not(Box::new(self.filter(a)?))),
            Expr::In(field, items) => {
                self.field(field, true)?;
                Some(Filter::Role {
                    values: items.iter().map(|(s, _)| s.trim().to_lowercase()).collect(),
                    negate: false,
                })
            }
            Expr::Binary(op, op_span, field, value) if op.is_comparison() => {
                let f = self.field(field, false)?;
                let c = op.comparison().unwrap_or(CmpOp::Ne);
                match (f, &value.expr) {
                    (None, Expr::Text(s)) if matches!(c, CmpOp::Eq | CmpOp::Ne) => {
                        Some(Filter::Role { values: vec![s.trim().to_lowercase()], negate: c == CmpOp::Ne })
                    }
                    (None, _) => {
                        self.fail(
                            *op_span,
                            "a role is compared with == or != and a string, as in role == \"CEO\"",
                        );
                        None
                    }
                    (Some(field), _) => {
                        let v = match &value.expr {
                            Expr::Number(v) => Some(*v),
                            Expr::Neg(x) => match x.expr {
                                Expr::Number(v) => Some(-v),
                                _ => None,
                            },
                            _ => None,
                        };
                        let Some(value_number) = v else {
                            self.fail(value.span, "an event field is compared with a plain number");
                            return None;
                        };
                        Some(Filter::Compare { field, op: c, value: value_number })
                    }
                }
            }
            _ => {
                self.fail(n.span, usage);
                None
            }
        }
    }

    /// An event field name: `None` for the role, else the numeric field.
    fn field(&mut self, n: &Node, role_only: bool) -> Option<Option<EventField>> {
        let Expr::Name(name) = &n.expr else {
            self.fail(n.span, format!("expected an event field ({EVENT_FIELDS})"));
            return None;
        };
        let f = match name.as_str() {
            "role" => None,
            "amount" => Some(EventField::Amount),
            "count" => Some(EventField::Count),
            "change_pct" => Some(EventField::ChangePct),
            "sentiment" => Some(EventField::Sentiment),
            _ => {
                let hint = suggestion(name, EVENT_FIELDS.split(", "));
                self.fail(n.span, format!("events have no field '{name}'{hint} (fields: {EVENT_FIELDS})"));
                return None;
            }
        };
        if role_only && f.is_some() {
            self.fail(n.span, "'in' lists strings, so it applies to the role only");
            return None;
        }
        Some(f)
    }
}
