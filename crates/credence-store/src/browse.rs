//! Customers a page at a time, filtered by data scope and by what a user searches for,
//! for lists in the API and the cockpit: the database does the filtering, sorting and
//! paging, so a page costs the same on a thousand customers as on a million.

use crate::cells::{opt_text, text};
use crate::{Store, StoreError};
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
    pub customer_id: String,
    pub name: String,
    pub customer_type: String,
    pub industry: String,
    pub org_unit: Option<String>,
    pub business_line: Option<String>,
    pub registration_no: Option<String>,
    pub legal_representative: Option<String>,
}

/// A customer's latest rating, in brief.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LatestGrade {
    pub as_of: String,
    pub letter_grade: String,
    pub score: f64,
    pub pd: f64,
}

impl Store {
    /// The total matching the query and the page it asks for.
    pub fn customer_page(&mut self, q: &CustomerQuery) -> Result<(u64, Vec<CustomerSummary>), StoreError> {
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
        let total = self
            .db
            .query_one(&format!("SELECT COUNT(*) FROM customers{filter}"), &params)?
            .and_then(|v| v.as_int())
            .unwrap_or(0) as u64;
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
                "SELECT customer_id, name, customer_type, industry, org_unit, business_line, registration_no, legal_representative FROM customers{filter} ORDER BY {order} LIMIT {} OFFSET {}",
                q.limit, q.offset
            ),
            &params,
            |r| {
                out.push(CustomerSummary {
                    customer_id: text(r[0]),
                    name: text(r[1]),
                    customer_type: text(r[2]),
                    industry: text(r[3]),
                    org_unit: opt_text(r[4]),
                    business_line: opt_text(r[5]),
                    registration_no: opt_text(r[6]),
                    legal_representative: opt_text(r[7]),
                })
            },
        )?;
        Ok((total, out))
    }

    /// The latest rating (of a finished run) of each customer named.
    pub fn latest_grades(&mut self, ids: &[String]) -> Result<HashMap<String, LatestGrade>, StoreError> {
        let mut out = HashMap::new();
        for id in ids {
            self.db.query_cells(
                "SELECT r.as_of, r.letter_grade, r.score, r.pd FROM ratings r JOIN rating_runs u ON u.id = r.run_id WHERE r.customer_id = ? AND u.finished_at IS NOT NULL ORDER BY r.id DESC LIMIT 1",
                &[id.as_str().into()],
                |r| {
                    out.insert(
                        id.clone(),
                        LatestGrade {
                            as_of: text(r[0]),
                            letter_grade: text(r[1]),
                            score: r[2].real().unwrap_or(f64::NAN),
                            pd: r[3].real().unwrap_or(f64::NAN),
                        },
                    );
                },
            )?;
        }
        Ok(out)
    }
}
