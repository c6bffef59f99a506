//! The customers a user may see and change: an organisation unit, then business lines,
//! then named customers, each level narrowing the one before.
//!
//! The rule lives here, below the store and the engine, so that a write can be checked
//! inside its own transaction against the same rule the server reads with.

/// The customer part of a user's data scope. Empty levels do not narrow: the default is
/// the whole portfolio.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerScope {
    /// `None`: every organisation unit.
    pub org_unit: Option<String>,
    /// Empty: every business line of the unit.
    pub business_lines: Vec<String>,
    /// Empty: every customer of those lines.
    pub customers: Vec<String>,
}

impl CustomerScope {
    /// Whether a customer, placed in an organisation unit and business line, is in scope.
    pub fn admits(&self, customer_id: &str, org_unit: Option<&str>, business_line: Option<&str>) -> bool {
        scope_admits(
            self.org_unit.as_deref(),
            &self.business_lines,
            &self.customers,
            customer_id,
            org_unit,
            business_line,
        )
    }

    /// Whether the scope limits customers at all.
    pub fn is_whole_portfolio(&self) -> bool {
        self.org_unit.is_none() && self.business_lines.is_empty() && self.customers.is_empty()
    }
}

/// The scope rule over borrowed parts, for scopes kept in another shape (a signed-in
/// user's scope also carries its hidden indicators). [`CustomerScope::admits`] is this.
pub fn scope_admits(
    scope_org_unit: Option<&str>,
    scope_business_lines: &[String],
    scope_customers: &[String],
    customer_id: &str,
    org_unit: Option<&str>,
    business_line: Option<&str>,
) -> bool {
    scope_org_unit.is_none_or(|u| org_unit == Some(u))
        && (scope_business_lines.is_empty()
            || business_line.is_some_and(|b| scope_business_lines.iter().any(|x| x == b)))
        && (scope_customers.is_empty() || scope_customers.iter().any(|c| c == customer_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Vec<String> {
        s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    #[test]
    fn each_level_narrows_the_one_before() {
        let whole = CustomerScope::default();
        assert!(whole.is_whole_portfolio() && whole.admits("C1", None, None));
        let east = CustomerScope { org_unit: Some("east".into()), ..Default::default() };
        assert!(east.admits("C1", Some("east"), None));
        assert!(!east.admits("C1", Some("west"), Some("machinery")));
        assert!(!east.admits("C1", None, Some("machinery")));
        let lines = CustomerScope { business_lines: list("machinery, textiles"), ..east };
        assert!(lines.admits("C1", Some("east"), Some("textiles")));
        assert!(!lines.admits("C1", Some("east"), Some("chemicals")));
        assert!(!lines.admits("C1", Some("east"), None));
        let named = CustomerScope { customers: list("C2"), ..lines };
        assert!(named.admits("C2", Some("east"), Some("machinery")));
        assert!(!named.admits("C1", Some("east"), Some("machinery")));
        assert!(!named.is_whole_portfolio());
    }
}
