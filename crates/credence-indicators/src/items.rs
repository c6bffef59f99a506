//! What formulas know about each statement item: balance or flow, dimension, sign, and
//! the factor that turns the stored number into the formula's value (`*_pct` items are
//! stored as percent and used as fractions; `land_reserve_years` is already in years).

use crate::types::{Dim, Sign, Temporal};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ItemMeta {
    pub time: Temporal,
    pub dim: Dim,
    pub sign: Sign,
    pub factor: f64,
}

/// Metadata of a statement item by name; `None` for a name that is not an item.
pub(crate) fn item_meta(name: &str) -> Option<ItemMeta> {
    use Sign::{Any, NonNegative};
    use Temporal::{Balance, Flow};
    let money = |time, sign| ItemMeta { time, dim: Dim::MONEY, sign, factor: 1.0 };
    let pct = |time, sign| ItemMeta { time, dim: Dim::NONE, sign, factor: 0.01 };
    let meta = match name {
        "cash"
        | "short_term_investments"
        | "accounts_receivable"
        | "inventory"
        | "current_assets"
        | "fixed_assets"
        | "total_assets"
        | "current_liabilities"
        | "total_liabilities" => money(Balance, NonNegative),
        "equity" => money(Balance, Any),
        "revenue"
        | "cost_of_sales"
        | "operating_expenses"
        | "rd_expense"
        | "depreciation"
        | "interest_expense"
        | "capex"
        | "overseas_revenue"
        | "new_product_revenue"
        | "largest_customer_revenue" => money(Flow, NonNegative),
        "operating_profit"
        | "net_profit"
        | "operating_cash_flow"
        | "investing_cash_flow"
        | "financing_cash_flow" => money(Flow, Any),
        "employees" => ItemMeta { time: Balance, dim: Dim::PERSONS, sign: NonNegative, factor: 1.0 },
        "market_share_pct" | "capacity_utilisation_pct" | "customer_retention_pct" => {
            pct(Balance, NonNegative)
        }
        // A change over the period: its level depends on the period's length, but it is
        // not additive across quarters, so it is read like a balance and compared across
        // quarters only (stdev_quarters).
        "raw_material_price_change_pct" => pct(Balance, Any),
        // Leavers over the period divided by headcount: additive across quarters, so a
        // flow (`ttm(staff_turnover_pct)` is the annual turnover).
        "staff_turnover_pct" => pct(Flow, NonNegative),
        "land_reserve_years" => ItemMeta { time: Balance, dim: Dim::TIME, sign: NonNegative, factor: 1.0 },
        _ => return None,
    };
    Some(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::STATEMENT_ITEMS;

    #[test]
    fn every_statement_item_has_metadata() {
        for name in STATEMENT_ITEMS {
            assert!(item_meta(name).is_some(), "{name}");
        }
    }
}
