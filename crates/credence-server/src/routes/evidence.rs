//! Warning evidence as the caller may see it. An alert's evidence carries the values
//! that made its rule fire; the value of an indicator the caller may not see (hidden by
//! its scope, or financial without `financials.read`) is withheld, and so is the
//! sentence that quotes it. That the indicator took part stays visible (its expression,
//! the comparison and the threshold), since the alert itself is shown and would
//! otherwise not say why it exists. A peer alert names the firms that deteriorated; a
//! caller whose scope is not the whole portfolio sees only those in its scope.

use std::collections::HashSet;

use serde_json::Value;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::admits_customer;
use crate::state::Shared;

const WITHHELD_EN: &str = "values you may not see are withheld";
const WITHHELD_ZH: &str = "您无权查看的数值不予显示";

/// The catalogue's financial indicators, which need `financials.read`.
fn financial(artefacts: &credence_engine::Artefacts) -> HashSet<&str> {
    artefacts
        .catalogue
        .indicators()
        .iter()
        .filter(|d| d.group == credence_engine::types::indicators::Group::Financial)
        .map(|d| d.id.as_str())
        .collect()
}

/// The indicator a reading's quantity is (`current_ratio`, `poor(current_ratio)`), or the
/// quantity itself (an event count).
fn indicator_of(quantity: &str) -> &str {
    ["poor(", "good("]
        .iter()
        .find_map(|p| quantity.strip_prefix(p).and_then(|q| q.strip_suffix(')')))
        .unwrap_or(quantity)
}

/// Withholds the values of hidden readings, and the value of every term that reads one;
/// whether anything was withheld.
fn withhold_readings(v: &mut Value, hidden: &dyn Fn(&str) -> bool) -> bool {
    let mut any = false;
    match v {
        Value::Object(map) => {
            let mut term_hidden = false;
            if let Some(Value::Array(readings)) = map.get_mut("readings") {
                for r in readings.iter_mut() {
                    if r.get("quantity").and_then(Value::as_str).is_some_and(|q| hidden(indicator_of(q))) {
                        r["value"] = Value::Null;
                        term_hidden = true;
                    }
                }
            }
            if term_hidden {
                map.insert("value".into(), Value::Null);
                any = true;
            }
            for (_, child) in map.iter_mut() {
                any |= withhold_readings(child, hidden);
            }
        }
        Value::Array(items) => {
            for child in items {
                any |= withhold_readings(child, hidden);
            }
        }
        _ => {}
    }
    any
}

/// Cuts one alert's evidence to what the caller may see.
pub(crate) fn cut_evidence(
    store: &mut credence_store::Store,
    shared: &Shared,
    caller: &Caller,
    alert: &mut credence_store::StoredAlert,
) -> Result<(), ApiError> {
    let Ok(mut evidence) = serde_json::from_str::<Value>(&alert.evidence) else {
        return Ok(());
    };
    let artefacts = shared.artefacts();
    let financial = financial(&artefacts);
    let hidden = |id: &str| !caller.sees_indicator(id, financial.contains(id));
    let mut cut = withhold_readings(&mut evidence, &hidden);
    if !caller.scope.is_whole_portfolio()
        && let Some(Value::Array(firms)) = evidence.get_mut("detail").and_then(|d| d.get_mut("firms"))
    {
        let before = firms.len();
        let mut kept = Vec::with_capacity(before);
        for firm in firms.drain(..) {
            if let Some(id) = firm.as_str()
                && admits_customer(store, caller, id)?
            {
                kept.push(firm);
            }
        }
        cut |= kept.len() < before;
        *firms = kept;
    }
    if cut {
        evidence["text_en"] = Value::String(format!("{} {}: {WITHHELD_EN}.", alert.rule_code, alert.name_en));
        evidence["text_zh"] =
            Value::String(format!("{} {}：{WITHHELD_ZH}。", alert.rule_code, alert.name_zh));
        evidence["withheld"] = Value::Bool(true);
        alert.evidence = evidence.to_string();
    }
    Ok(())
}

/// [`cut_evidence`] for each alert.
pub(crate) fn cut_all(
    store: &mut credence_store::Store,
    shared: &Shared,
    caller: &Caller,
    alerts: &mut [credence_store::StoredAlert],
) -> Result<(), ApiError> {
    alerts.iter_mut().try_for_each(|a| cut_evidence(store, shared, caller, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_readings_and_the_terms_that_read_them_are_withheld() {
        let mut v = serde_json::json!({ "detail": { "evidence": [
            { "left": { "expression": "current_ratio", "value": 0.8,
                        "readings": [{ "quantity": "current_ratio", "value": 0.8 }] },
              "op": "<", "right": { "expression": "1.5", "value": 1.5, "readings": [] } },
            { "left": { "expression": "poor(dso)", "value": 1.0,
                        "readings": [{ "quantity": "poor(dso)", "value": 1.0 }] },
              "op": ">=", "right": { "expression": "1", "value": 1.0, "readings": [] } },
            { "left": { "expression": "lawsuits_90d", "value": 2.0,
                        "readings": [{ "quantity": "lawsuits_90d", "value": 2.0 }] },
              "op": ">", "right": { "expression": "0", "value": 0.0, "readings": [] } }
        ] } });
        assert!(withhold_readings(&mut v, &|id| id == "current_ratio" || id == "dso"));
        let facts = &v["detail"]["evidence"];
        assert_eq!(facts[0]["left"]["value"], Value::Null);
        assert_eq!(facts[0]["left"]["readings"][0]["value"], Value::Null);
        assert_eq!(facts[0]["left"]["expression"], "current_ratio", "that it fired stays");
        assert_eq!(facts[0]["right"]["value"], 1.5, "the threshold stays");
        assert_eq!(facts[1]["left"]["value"], Value::Null);
        assert_eq!(facts[2]["left"]["value"], 2.0);
        assert!(!withhold_readings(&mut v, &|_| false));
    }
}
