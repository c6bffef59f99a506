//! Sub-models and how one is chosen for a customer.
//!
//! Every `[[sub_models]]` entry is a *layer*. Exactly one, the base, has no selector and
//! defines everything: the dimension weights and the weighted lines of every dimension.
//! The others select customers by `customer_types`, `industries` (GB/T 4754 section codes)
//! and/or `sub_industries`, and define only what differs: the dimension weights, or the
//! complete line list of one or more dimensions.
//!
//! A layer applies to a customer when each selector it has contains the customer's value.
//! Of the applicable layers, **the most specific wins, part by part**: for the dimension
//! weights and for each dimension's lines separately, the applicable layer with the highest
//! specificity that defines that part supplies it. Specificity is 4 for a sub-industry
//! selector + 2 for an industry selector + 1 for a customer-type selector, so an industry
//! layer beats a customer-type layer, a layer with both beats either, and a sub-industry
//! beats all. Two layers of equal specificity may not both apply to one customer (checked
//! at load). So a manufacturing SME takes the SME dimension weights and the manufacturing
//! financial and operations lines, and keeps the SME's (or base) development lines.
//!
//! Every combination that can occur is compiled when the model is loaded into a [`Plan`]:
//! flat, index-based lines that `rate` walks without looking anything up by name.

/// Where a line's points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// An indicator: index into the model's curves, which is also the indicator's slot.
    Curve(usize),
    /// A qualitative factor scored by an analyst: index into the model's factors.
    Factor(usize),
}

/// A checked layer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub customer_types: Vec<String>,
    pub industries: Vec<String>,
    pub sub_industries: Vec<String>,
    /// Indexed by dimension.
    pub dimension_weights: Option<Vec<f64>>,
    /// Indexed by dimension: the lines with their weight within the dimension, in file order.
    pub lines: Vec<Option<Vec<(Source, f64)>>>,
}

impl Layer {
    pub fn specificity(&self) -> u8 {
        4 * u8::from(!self.sub_industries.is_empty())
            + 2 * u8::from(!self.industries.is_empty())
            + u8::from(!self.customer_types.is_empty())
    }

    pub fn is_base(&self) -> bool {
        self.specificity() == 0
    }

    /// Whether some customer could be selected by both layers.
    pub fn overlaps(&self, other: &Layer) -> bool {
        fn meet(a: &[String], b: &[String]) -> bool {
            a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
        }
        meet(&self.customer_types, &other.customer_types)
            && meet(&self.industries, &other.industries)
            && meet(&self.sub_industries, &other.sub_industries)
    }
}

/// The parts the base layer defines, all of them (checked when the layers load): what a
/// plan falls back to when no more specific layer defines a part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Base {
    pub dimension_weights: Vec<f64>,
    /// Indexed by dimension.
    pub lines: Vec<Vec<(Source, f64)>>,
}

impl Base {
    /// The parts of a layer that defines every one of them; `None` for one that does not.
    pub fn of(layer: &Layer) -> Option<Base> {
        Some(Base {
            dimension_weights: layer.dimension_weights.clone()?,
            lines: layer.lines.iter().cloned().collect::<Option<Vec<_>>>()?,
        })
    }
}

/// One compiled line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlanLine {
    pub source: Source,
    pub dimension: usize,
    /// Weight within the dimension, as written.
    pub weight: f64,
}

/// The compiled sub-model for one set of applicable layers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// Bit `i` set when layer `i` applies.
    pub mask: u64,
    /// Applicable layers other than the base, least specific first, joined by `+`; the
    /// base's id when only the base applies.
    pub name: String,
    pub dimension_weights: Vec<f64>,
    /// Grouped by dimension, in dimension order.
    pub lines: Vec<PlanLine>,
    /// `lines[dimension_ranges[d].clone()]` are dimension `d`'s lines.
    pub dimension_ranges: Vec<std::ops::Range<usize>>,
}

/// Finds which layers apply to a customer, by bit masks per selector value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selector {
    types: Vec<(String, u64)>,
    industries: Vec<(String, u64)>,
    sub_industries: Vec<(String, u64)>,
    /// Layers that apply to a value no layer names (they have no such selector).
    other: [u64; 3],
    pub plans: Vec<Plan>,
}

impl Selector {
    /// Compiles every combination of layers that can occur. `layers[0]` is the base, whose
    /// parts are `base`.
    pub fn compile(layers: &[Layer], base: &Base) -> Selector {
        let pick = |get: fn(&Layer) -> &Vec<String>| {
            let mut values: Vec<String> = layers.iter().flat_map(|l| get(l).iter().cloned()).collect();
            values.sort();
            values.dedup();
            let masks = values
                .into_iter()
                .map(|v| {
                    let mask = bits(layers, |l| get(l).is_empty() || get(l).contains(&v));
                    (v, mask)
                })
                .collect::<Vec<_>>();
            (masks, bits(layers, |l| get(l).is_empty()))
        };
        let (types, t_other) = pick(|l| &l.customer_types);
        let (industries, i_other) = pick(|l| &l.industries);
        let (sub_industries, s_other) = pick(|l| &l.sub_industries);
        let mut selector = Selector {
            types,
            industries,
            sub_industries,
            other: [t_other, i_other, s_other],
            plans: Vec::new(),
        };
        let options =
            |v: &[(String, u64)], other: u64| v.iter().map(|x| x.1).chain([other]).collect::<Vec<_>>();
        let mut masks = Vec::new();
        for t in options(&selector.types, t_other) {
            for i in options(&selector.industries, i_other) {
                for s in options(&selector.sub_industries, s_other) {
                    masks.push(t & i & s);
                }
            }
        }
        masks.sort_unstable();
        masks.dedup();
        selector.plans = masks.into_iter().map(|m| compile_plan(layers, m, base)).collect();
        selector
    }

    /// The plan for a customer.
    pub fn plan(&self, customer_type: &str, industry: &str, sub_industry: Option<&str>) -> &Plan {
        fn find(values: &[(String, u64)], value: Option<&str>, other: u64) -> u64 {
            value.and_then(|v| values.iter().find(|x| x.0 == v)).map_or(other, |x| x.1)
        }
        let mask = find(&self.types, Some(customer_type), self.other[0])
            & find(&self.industries, Some(industry), self.other[1])
            & find(&self.sub_industries, sub_industry, self.other[2]);
        let i = self
            .plans
            .binary_search_by_key(&mask, |p| p.mask)
            .expect("every reachable combination is compiled");
        &self.plans[i]
    }
}

fn bits(layers: &[Layer], applies: impl Fn(&Layer) -> bool) -> u64 {
    layers.iter().enumerate().filter(|(_, l)| applies(l)).fold(0, |m, (i, _)| m | 1 << i)
}

fn compile_plan(layers: &[Layer], mask: u64, base: &Base) -> Plan {
    let mut applicable: Vec<&Layer> =
        layers.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, l)| l).collect();
    // Stable: among equal specificity (which cannot overlap) file order is kept.
    applicable.sort_by_key(|l| l.specificity());
    // The most specific applicable layer that defines a part gives it; the base gives what
    // no other does.
    let dimension_weights = applicable
        .iter()
        .rev()
        .find_map(|l| l.dimension_weights.as_ref())
        .unwrap_or(&base.dimension_weights)
        .clone();
    let mut lines = Vec::new();
    let mut dimension_ranges = Vec::with_capacity(base.lines.len());
    for (d, base_lines) in base.lines.iter().enumerate() {
        let start = lines.len();
        let own = applicable.iter().rev().find_map(|l| l.lines[d].as_ref()).unwrap_or(base_lines);
        for &(source, weight) in own {
            lines.push(PlanLine { source, dimension: d, weight });
        }
        dimension_ranges.push(start..lines.len());
    }
    let named: Vec<&str> = applicable.iter().filter(|l| !l.is_base()).map(|l| l.id.as_str()).collect();
    let name = if named.is_empty() { applicable[0].id.clone() } else { named.join("+") };
    Plan { mask, name, dimension_weights, lines, dimension_ranges }
}
