//! Customers a page at a time, filtered by data scope and by what a user searches for,
//! for lists in the API and the cockpit: the database does the filtering, sorting and
//! paging, so a page costs the same on a thousand customers as on a million.

use crate::cells::{opt_text, text};
use crate::{Store, StoreError};
use credence_domain::CustomerId;
use credence_records::Value;
use std::collections::HashMap;

/// Which customers, in which order, which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Scope: the organisation unit, business lines and customer ids allowed (empty: no
    /// restriction at that level).
    pub org_unit: Option<String>,
    pub business_lines: Vec<String>,
    pub customers: Vec<String>,
    /// Filters: id or name containing this text; exact industry section; business line.
    pub text: Option<String>,
    pub industry: Option<String>,
    pub business_line: Option<String>,
    /// `customer_id` (default) or `name`; descending with `descending`.
    pub sort: CustomerSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomerSort {
    #[default]
    Id,
    Name,
}

/// One customer in a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerSummary {
    pub customer_id: CustomerId,
    pub name: String,
    pub customer_type: String,
    pub industry: String,
    pub region: String,
    pub org_unit: Option<String>,
    pub business_line: Option<String>,
    pub registration_no: Option<String>,
    pub legal_representative: Option<String>,
}

/// A customer's latest rating, in brief, with the grades in force (an override's when
/// there is one).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LatestGrade {
    pub rating_id: i64,
    pub as_of: String,
    pub letter_grade: String,
    pub point_grade: String,
    pub score: f64,
    pub pd: f64,
    pub overridden: bool,
}

/// The columns of [`LatestGrade`] from `ratings r`, the override's grades in force.
const LATEST_COLUMNS: &str = "r.id, r.as_of, COALESCE(o.letter_grade, r.letter_grade), COALESCE(o.point_grade, r.point_grade), r.score, r.pd, o.id";

/// The latest override of each rating, joined as `o`.
const LATEST_OVERRIDE: &str = "LEFT JOIN rating_overrides o ON o.id = (SELECT MAX(x.id) FROM rating_overrides x WHERE x.customer_id = r.customer_id AND x.rating_id = r.id)";

fn latest_grade(r: &[crate::db::Cell<'_>]) -> LatestGrade {
    LatestGrade {
        rating_id: r[0].int().unwrap_or(0),
        as_of: text(r[1]),
        letter_grade: text(r[2]),
        point_grade: text(r[3]),
        score: r[4].real().unwrap_or(f64::NAN),
        pd: r[5].real().unwrap_or(f64::NAN),
        overridden: r[6].int().is_some(),
    }
}

const SUMMARY_COLUMNS: &str = "customer_id, name, customer_type, industry, region, org_unit, business_line, registration_no, legal_representative";

fn summary(r: &[crate::db::Cell<'_>]) -> CustomerSummary {
    CustomerSummary {
        customer_id: text(r[0]).into(),
        name: text(r[1]),
        customer_type: text(r[2]),
        industry: text(r[3]),
        region: text(r[4]),
        org_unit: opt_text(r[5]),
        business_line: opt_text(r[6]),
        registration_no: opt_text(r[7]),
        legal_representative: opt_text(r[8]),
    }
}

impl Store {
    /// The WHERE clause of a customer query and its parameters.
    fn customer_filter(&self, q: &CustomerQuery) -> (String, Vec<Value>) {
        let mut filter = String::from(" WHERE 1 = 1");
        let mut params: Vec<Value> = Vec::new();
        if let Some(u) = &q.org_unit {
            filter.push_str(" AND org_unit = ?");
            params.push(u.as_str().into());
        }
        for (column, values) in [("business_line", &q.business_lines), ("customer_id", &q.customers)] {
            if !values.is_empty() {
                let marks = vec!["?"; values.len()].join(", ");
                filter.push_str(&format!(" AND {column} IN ({marks})"));
                params.extend(values.iter().map(|v| Value::from(v.as_str())));
            }
        }
        if let Some(t) = q.text.as_deref().filter(|t| !t.is_empty()) {
            // A substring search, not LIKE: the user's text is matched as it is, wildcards
            // included.
            let find = match self.db.dialect() {
                crate::Dialect::Sqlite => "instr",
                crate::Dialect::Postgres => "strpos",
            };
            filter.push_str(&format!(" AND ({find}(customer_id, ?) > 0 OR {find}(name, ?) > 0)"));
            params.push(t.into());
            params.push(t.into());
        }
        if let Some(i) = &q.industry {
            filter.push_str(" AND industry = ?");
            params.push(i.as_str().into());
        }
        if let Some(b) = &q.business_line {
            filter.push_str(" AND business_line = ?");
            params.push(b.as_str().into());
        }
        (filter, params)
    }

    /// The total matching the query and the page it asks for.
    pub fn customer_page(&mut self, q: &CustomerQuery) -> Result<(u64, Vec<CustomerSummary>), StoreError> {
        let (filter, params) = self.customer_filter(q);
        let total = self
            .db
            .query_one(&format!("SELECT COUNT(*) FROM customers{filter}"), &params)?
            .and_then(|v| v.as_int())
            .unwrap_or(0) as u64;
        Ok((total, self.customer_rows(q)?))
    }

    /// The page of customers a query asks for, without the total.
    pub fn customer_rows(&mut self, q: &CustomerQuery) -> Result<Vec<CustomerSummary>, StoreError> {
        let (filter, params) = self.customer_filter(q);
        // A customer's natural key is its id, and carries the unique index.
        let order = match q.sort {
            CustomerSort::Id => "natural_key",
            CustomerSort::Name => "name, natural_key",
        };
        let direction = if q.descending { " DESC" } else { "" };
        let order = order.split(", ").map(|c| format!("{c}{direction}")).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        self.db.query_cells(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM customers{filter} ORDER BY {order} LIMIT {} OFFSET {}",
                q.limit, q.offset
            ),
            &params,
            |r| out.push(summary(r)),
        )?;
        Ok(out)
    }

    /// The data stamp extended by the collection log (actions, promises, disputes logged or
    /// resolved): what a collectors' worklist depends on.
    pub fn collection_stamp(&mut self) -> Result<String, StoreError> {
        let row = self.db.query(
            "SELECT (SELECT MAX(id) FROM collection_actions), (SELECT MAX(id) FROM promises), (SELECT MAX(id) FROM disputes), (SELECT COUNT(resolved_on) FROM disputes)",
            &[],
        )?;
        let log = row
            .first()
            .map(|r| r.iter().map(|v| v.as_int().unwrap_or(0).to_string()).collect::<Vec<_>>().join("."))
            .unwrap_or_default();
        Ok(format!("{}|{log}", self.data_stamp()?))
    }

    /// Every customer in brief, by id (for portfolio views).
    pub fn customer_directory(&mut self) -> Result<Vec<CustomerSummary>, StoreError> {
        let mut out = Vec::new();
        self.db.query_cells(
            &format!("SELECT {SUMMARY_COLUMNS} FROM customers ORDER BY natural_key"),
            &[],
            |r| out.push(summary(r)),
        )?;
        Ok(out)
    }

    /// A text that changes whenever a customer's position may have changed: its records
    /// (an import), its rating (a run or an override), its warning level (a warning run)
    /// or its limit (a limit decision). Caches of the portfolio compare it to know they
    /// are stale; it costs four index look-ups.
    pub fn data_stamp(&mut self) -> Result<String, StoreError> {
        let row = self.db.query(
            "SELECT (SELECT MAX(id) FROM import_runs), (SELECT MAX(id) FROM rating_runs WHERE finished_at IS NOT NULL), (SELECT MAX(id) FROM rating_overrides), (SELECT MAX(id) FROM warning_runs), (SELECT MAX(id) FROM limit_decisions)",
            &[],
        )?;
        Ok(row
            .first()
            .map(|r| r.iter().map(|v| v.as_int().unwrap_or(0).to_string()).collect::<Vec<_>>().join("."))
            .unwrap_or_default())
    }

    /// The latest rating (of a finished run) of each customer named.
    pub fn latest_grades(&mut self, ids: &[String]) -> Result<HashMap<String, LatestGrade>, StoreError> {
        let mut out = HashMap::new();
        for id in ids {
            self.db.query_cells(
                &format!(
                    "SELECT {LATEST_COLUMNS} FROM ratings r {LATEST_OVERRIDE} WHERE r.id = (SELECT MAX(x.id) FROM ratings x JOIN rating_runs u ON u.id = x.run_id WHERE x.customer_id = ? AND u.finished_at IS NOT NULL)"
                ),
                &[id.as_str().into()],
                |r| {
                    out.insert(id.clone(), latest_grade(r));
                },
            )?;
        }
        Ok(out)
    }

    /// The latest rating (of a finished run) of every customer rated: a customer rated on
    /// its own after a portfolio run has that rating, the others the portfolio run's.
    pub fn latest_grades_all(&mut self) -> Result<HashMap<String, LatestGrade>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_cells(
            &format!(
                "SELECT r.customer_id, {LATEST_COLUMNS} FROM ratings r JOIN (SELECT x.customer_id, MAX(x.id) AS id FROM ratings x JOIN rating_runs u ON u.id = x.run_id WHERE u.finished_at IS NOT NULL GROUP BY x.customer_id) l ON l.id = r.id {LATEST_OVERRIDE}"
            ),
            &[],
            |r| {
                out.insert(text(r[0]), latest_grade(&r[1..]));
            },
        )?;
        Ok(out)
    }
}
