//! Per-customer exposure and limits by plain aggregation, for portfolio and group views.

use crate::{Store, StoreError};
use credence_records::Value;
use std::collections::HashMap;

impl Store {
    /// Each customer's exposure on `as_of` in one currency, minor units: invoices issued
    /// by then, less payments and credit notes dated by then, plus open orders taken by
    /// then; never below zero (an overpayment is not negative exposure). Records in other
    /// currencies are left out; customers with none of these records are absent.
    pub fn exposures(&mut self, as_of: &str, currency: &str) -> Result<HashMap<String, i64>, StoreError> {
        let mut out: HashMap<String, i64> = HashMap::new();
        let parts = [
            ("invoices", "issue_date", "", 1),
            ("payments", "payment_date", "", -1),
            ("credit_notes", "issue_date", "", -1),
            ("orders", "order_date", " AND status = 'open'", 1),
        ];
        for (table, date, extra, sign) in parts {
            self.db.query_cells(
                &format!(
                    "SELECT customer_id, CAST(SUM(amount) AS BIGINT) FROM {table} WHERE {date} <= ? AND currency = ?{extra} GROUP BY customer_id"
                ),
                &[as_of.into(), currency.into()],
                |r| {
                    if let (Some(id), Some(sum)) = (r[0].text(), r[1].int()) {
                        let e = out.entry(id.to_owned()).or_default();
                        *e = e.saturating_add(sign * sum);
                    }
                },
            )?;
        }
        for v in out.values_mut() {
            *v = (*v).max(0);
        }
        Ok(out)
    }

    /// Each customer's credit limit in one currency, minor units (customers without a
    /// limit in that currency are absent).
    pub fn credit_limits(&mut self, currency: &str) -> Result<HashMap<String, i64>, StoreError> {
        let mut out = HashMap::new();
        self.db.query_cells(
            "SELECT customer_id, credit_limit FROM customers WHERE credit_limit IS NOT NULL AND limit_currency = ?",
            &[Value::from(currency)],
            |r| {
                if let (Some(id), Some(limit)) = (r[0].text(), r[1].int()) {
                    out.insert(id.to_owned(), limit);
                }
            },
        )?;
        Ok(out)
    }
}
