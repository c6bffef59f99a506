//! The customer list and the customer page (客户360).

use askama::Template;

use super::{AlertRow, CaseRow, Frame};

/// A customer in a list.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub region: String,
    pub business_line: String,
    pub grade: String,
    pub pd: String,
    pub level: (String, String),
    pub exposure: String,
    pub limit: String,
    pub utilisation: String,
    pub overdue: String,
}

/// An active filter, with the link that removes it.
#[derive(Debug, Clone)]
pub struct Chip {
    pub label: String,
    pub remove: String,
}

/// The customer list: the customers behind a figure, or a search.
#[derive(Template)]
#[template(path = "customers.html")]
pub struct CustomerListPage {
    pub f: Frame,
    pub total: u64,
    pub rows: Vec<ListRow>,
    pub chips: Vec<Chip>,
    pub query: String,
    /// (label, link, current) of the sort orders.
    pub sorts: Vec<(String, String, bool)>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub page: u64,
    pub pages: u64,
    pub amounts_note: String,
}

/// A labelled value.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A line of the rating's explanation.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub dimension: String,
    pub name: String,
    pub value: String,
    pub peer: String,
    pub points: String,
    pub weight: String,
    pub contribution: String,
    pub missing: bool,
}

/// An indicator on the customer page.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub name: String,
    pub value: String,
    pub median: String,
    /// `better`, `worse` or empty against the median.
    pub against: String,
}

/// The customer page (客户360).
#[derive(Template)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    pub f: Frame,
    pub id: String,
    pub name: String,
    pub level: (String, String),
    pub facts: Vec<Fact>,
    pub rating: Vec<Fact>,
    pub rated: bool,
    pub knockouts: Vec<String>,
    pub score_rows: Vec<ScoreRow>,
    pub radar: String,
    pub standing: Vec<Fact>,
    pub aging: Vec<Fact>,
    pub open_items: Vec<Vec<String>>,
    pub indicators: Vec<IndicatorRow>,
    pub trend_charts: Vec<String>,
    pub events: Vec<Vec<String>>,
    pub group: Vec<Fact>,
    pub circles: Vec<String>,
    pub graph: String,
    pub alerts: Vec<AlertRow>,
    pub cases: Vec<CaseRow>,
    pub history: Vec<Vec<String>>,
    pub migrations: Vec<String>,
    /// The utility billing accounts the customer holds: account, class, supply unit,
    /// owed, overdue, penalty due, grade, forecast PD.
    pub held_accounts: Vec<Vec<String>>,
    pub data_changed: bool,
    /// Why the rating's breakdown is not shown, when it is not.
    pub breakdown_gap: Option<String>,
    pub amounts_note: String,
}
