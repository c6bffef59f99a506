//! Evidence as structured steps ("P-ZHANG holds 60% of C001") with a sentence in English
//! and in Chinese, and the number formats those sentences use.

use credence_domain::{Money, MoneyFormat, RelationKind};
use serde::Serialize;

use crate::graph::{Graph, pct_of_ppm};

pub use credence_domain::Lang;

/// One link used as evidence, or a conclusion drawn from the steps before it
/// (`derived`: "C001 thus controls 55% of the votes of C004").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub kind: RelationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    /// Votes of a holding, or the votes a derived control step adds up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voting_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "money_opt")]
    pub amount: Option<Money>,
    /// The degree of a family tie as recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub derived: bool,
    pub text_en: String,
    pub text_zh: String,
}

impl Step {
    /// The link `e` as a step.
    pub(crate) fn of_edge(graph: &Graph, e: u32) -> Step {
        let edge = graph.edge(e);
        let from = graph.id_of(edge.from).to_owned();
        let to = graph.id_of(edge.to).to_owned();
        let note =
            (edge.kind == RelationKind::Family).then(|| graph.family_note(e).map(str::to_owned)).flatten();
        let (share, voting) = (edge.share_pct(), edge.voting_pct());
        let (text_en, text_zh) = match edge.kind {
            RelationKind::Ownership => {
                let s = format_pct(pct_of_ppm(edge.share));
                if edge.share == edge.voting {
                    (format!("{from} holds {s}% of {to}"), format!("{from}持有{to} {s}%股权"))
                } else {
                    let v = format_pct(pct_of_ppm(edge.voting));
                    (
                        format!("{from} holds {s}% of {to} with {v}% of the votes"),
                        format!("{from}持有{to} {s}%股权（表决权{v}%）"),
                    )
                }
            }
            RelationKind::Control => {
                (format!("{from} controls {to} by agreement"), format!("{from}通过协议控制{to}"))
            }
            RelationKind::Consolidation => {
                (format!("{from} consolidates {to} in its statements"), format!("{to}纳入{from}合并报表"))
            }
            RelationKind::Family => match &note {
                Some(n) => (
                    format!("{from} and {to} are close family ({n})"),
                    format!("{from}与{to}为近亲属（{n}）"),
                ),
                None => (format!("{from} and {to} are close family"), format!("{from}与{to}为近亲属")),
            },
            RelationKind::SharedFunds => {
                (format!("{from} and {to} share fund management"), format!("{from}与{to}资金共管"))
            }
            RelationKind::Guarantee => match edge.amount {
                Some(m) => {
                    let a = format_money(m);
                    (format!("{from} guarantees {to} ({a})"), format!("{from}为{to}提供担保（{a}）"))
                }
                None => (format!("{from} guarantees {to}"), format!("{from}为{to}提供担保")),
            },
            RelationKind::SupplyChain => (format!("{from} supplies {to}"), format!("{from}向{to}供货")),
        };
        Step {
            from,
            to,
            kind: edge.kind,
            share_pct: share,
            voting_pct: voting,
            amount: edge.amount,
            note,
            derived: false,
            text_en,
            text_zh,
        }
    }

    /// "`controller` thus controls `votes` of the votes of `controlled`", concluding the
    /// holdings listed before it.
    pub(crate) fn derived_control(graph: &Graph, controller: u32, controlled: u32, votes_ppm: u32) -> Step {
        let from = graph.id_of(controller).to_owned();
        let to = graph.id_of(controlled).to_owned();
        let v = format_pct(pct_of_ppm(votes_ppm));
        Step {
            text_en: format!("{from} thus controls {v}% of the votes of {to}"),
            text_zh: format!("{from}由此合计控制{to} {v}%的表决权"),
            from,
            to,
            kind: RelationKind::Control,
            share_pct: None,
            voting_pct: Some(pct_of_ppm(votes_ppm)),
            amount: None,
            note: None,
            derived: true,
        }
    }

    /// Whether two steps state the same thing.
    pub(crate) fn same_as(&self, other: &Step) -> bool {
        (&self.from, &self.to, self.kind, self.derived) == (&other.from, &other.to, other.kind, other.derived)
    }
}

/// Appends `step` unless an equal step is already there.
pub(crate) fn push_unique(steps: &mut Vec<Step>, step: Step) {
    if !steps.iter().any(|s| s.same_as(&step)) {
        steps.push(step);
    }
}

/// The steps' sentences joined: `(english, chinese)`.
pub(crate) fn sentences<'a>(steps: impl IntoIterator<Item = &'a Step> + Clone) -> (String, String) {
    let en: Vec<&str> = steps.clone().into_iter().map(|s| s.text_en.as_str()).collect();
    let zh: Vec<&str> = steps.into_iter().map(|s| s.text_zh.as_str()).collect();
    (en.join("; "), zh.join("；"))
}

/// A percentage with at most four decimals and no trailing zeros: `60`, `50.01`,
/// `61.2245`.
pub fn format_pct(pct: f64) -> String {
    let text = format!("{pct:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// An amount with thousands separators, `¥` for yuan and the code otherwise, without a
/// zero fraction: `¥5,000,000`, `USD 1,234.50`.
pub fn format_money(m: Money) -> String {
    m.format(MoneyFormat::SIGN)
}

/// Sums amounts per currency, in currency-code order.
pub(crate) fn totals(amounts: impl IntoIterator<Item = Money>) -> Vec<Money> {
    let mut out: Vec<Money> = Vec::new();
    for m in amounts {
        match out.iter_mut().find(|t| t.currency == m.currency) {
            Some(t) => t.minor = t.minor.saturating_add(m.minor),
            None => out.push(m),
        }
    }
    out.sort_by(|a, b| a.currency.code().cmp(b.currency.code()));
    out
}

#[derive(Serialize)]
struct MoneyJson<'a> {
    minor: i64,
    currency: &'a str,
}

pub(crate) fn money_opt<S: serde::Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => MoneyJson { minor: m.minor, currency: m.currency.code() }.serialize(s),
        None => s.serialize_none(),
    }
}

pub(crate) fn money_vec<S: serde::Serializer>(ms: &[Money], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(ms.len()))?;
    for m in ms {
        seq.serialize_element(&MoneyJson { minor: m.minor, currency: m.currency.code() })?;
    }
    seq.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_domain::Currency;

    #[test]
    fn percentages_print_short() {
        assert_eq!(format_pct(60.0), "60");
        assert_eq!(format_pct(50.01), "50.01");
        assert_eq!(format_pct(0.6 / 0.98 * 100.0), "61.2245");
        assert_eq!(format_pct(0.0), "0");
    }

    #[test]
    fn money_prints_with_separators() {
        assert_eq!(format_money(Money::new(500_000_000, Currency::CNY)), "¥5,000,000");
        assert_eq!(format_money(Money::new(123_450, Currency::USD)), "USD 1,234.50");
        assert_eq!(format_money(Money::new(-99, Currency::CNY)), "-¥0.99");
        assert_eq!(format_money(Money::new(100_000, Currency::parse("JPY").unwrap())), "JPY 100,000");
    }

    #[test]
    fn totals_per_currency() {
        let t = totals([
            Money::new(5, Currency::USD),
            Money::new(7, Currency::CNY),
            Money::new(1, Currency::USD),
        ]);
        assert_eq!(t, [Money::new(7, Currency::CNY), Money::new(6, Currency::USD)]);
    }
}
