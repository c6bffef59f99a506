//! A customer's credit file as analytics see it: plain data, amounts as `f64` in major
//! units of the customer's currency, dates as dates. Built by the engine from stored
//! records; nothing here reads a clock or a database.

use chrono::NaiveDate;
use credence_domain::{EventKind, PeriodType};

/// The numeric statement items, in a fixed order: [`Statement::values`] is indexed by the
/// position of an item in this list. Names are the statement columns of the import
/// templates.
pub const STATEMENT_ITEMS: &[&str] = &[
    "cash",
    "short_term_investments",
    "accounts_receivable",
    "inventory",
    "current_assets",
    "fixed_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "revenue",
    "cost_of_sales",
    "operating_expenses",
    "rd_expense",
    "depreciation",
    "interest_expense",
    "operating_profit",
    "net_profit",
    "operating_cash_flow",
    "investing_cash_flow",
    "financing_cash_flow",
    "capex",
    "employees",
    "overseas_revenue",
    "new_product_revenue",
    "largest_customer_revenue",
    "market_share_pct",
    "capacity_utilisation_pct",
    "raw_material_price_change_pct",
    "staff_turnover_pct",
    "customer_retention_pct",
    "land_reserve_years",
];

/// Position of a statement item in [`STATEMENT_ITEMS`].
pub fn statement_item(name: &str) -> Option<usize> {
    STATEMENT_ITEMS.iter().position(|n| *n == name)
}

/// One financial statement. `values[i]` is item `STATEMENT_ITEMS[i]`, `NaN` when not
/// reported. Flows (revenue, profit, cash flows) cover the period only, not year-to-date.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub period_end: NaiveDate,
    pub period_type: PeriodType,
    pub audited: bool,
    pub values: Vec<f64>,
}

impl Statement {
    /// The value of an item by name; `None` when unknown or not reported.
    pub fn item(&self, name: &str) -> Option<f64> {
        statement_item(name).map(|i| self.values[i]).filter(|v| !v.is_nan())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: f64,
}

/// A payment; `invoice_no` is `None` for a payment on account.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub invoice_no: Option<String>,
    pub date: NaiveDate,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreditNote {
    pub invoice_no: String,
    pub date: NaiveDate,
    pub amount: f64,
}

/// A sales order; only open ones count towards exposure.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub order_date: NaiveDate,
    pub amount: f64,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub date: NaiveDate,
    pub amount: Option<f64>,
    pub count: Option<f64>,
    pub change_pct: Option<f64>,
    pub sentiment: Option<f64>,
    pub role: Option<String>,
}

/// A promise to pay and how it ended: kept (`kept`) or broken on `decided_on`, or still
/// open (`decided_on` is `None`). The engine decides this from the payments and the
/// promise's grace days; indicators count decisions by the date they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct PromiseOutcome {
    pub made_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub kept: bool,
}

/// A dispute the customer raised about one of its invoices.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispute {
    pub invoice_no: String,
    pub opened_on: NaiveDate,
}

/// A bill of a utility billing account the customer holds (an electricity account linked
/// to its credit file), with the money applied to it as the billing ledger settled it.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilityBill {
    pub account_id: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Zero or less for a correction bill.
    pub amount: f64,
    /// Disputed bills are never late.
    pub disputed: bool,
    /// (date, amount) applied to the bill, in date order.
    pub applied: Vec<(NaiveDate, f64)>,
}

impl UtilityBill {
    /// What is still unpaid on the bill at the end of `on`.
    pub fn unpaid_at(&self, on: NaiveDate) -> f64 {
        let paid: f64 = self.applied.iter().filter(|(d, _)| *d <= on).map(|(_, a)| a).sum();
        (self.amount.max(0.0) - paid).max(0.0)
    }
}

/// Everything known about one customer that indicators are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFile {
    pub customer_id: String,
    /// Customer type code (`large`, `sme`, `micro`, `government_platform`, `individual`).
    pub customer_type: String,
    /// GB/T 4754 section letter.
    pub industry: String,
    pub sub_industry: Option<String>,
    pub region: String,
    pub relationship_start: NaiveDate,
    pub credit_limit: Option<f64>,
    pub payment_terms_days: Option<f64>,
    /// Ascending by period end; quarterly, half-year and annual statements mixed.
    pub statements: Vec<Statement>,
    /// Ascending by issue date.
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub credit_notes: Vec<CreditNote>,
    pub orders: Vec<Order>,
    /// Ascending by date.
    pub events: Vec<Event>,
    /// Promises to pay logged by collectors.
    pub promises: Vec<PromiseOutcome>,
    pub disputes: Vec<Dispute>,
    /// Bills of the utility billing accounts the customer holds, ascending by issue date.
    pub utility_bills: Vec<UtilityBill>,
}
