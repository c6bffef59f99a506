//! Who may do what (GOV-3) and see which customers and indicators (four-level data
//! scope), in one place.
//!
//! # The permission matrix
//!
//! | permission | sys admin | sec admin | audit admin | risk mgr | analyst | account mgr | finance | auditor | executive | unassigned |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | `customer.read` | | | | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `customer.write` | | | | ✓ | ✓ | | | | | |
//! | `financials.read` | | | | ✓ | ✓ | | ✓ | ✓ | ✓ | |
//! | `pii.read` | | | | ✓ | ✓ | | | | | |
//! | `rating.read` | | | | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `rating.run` | | | | ✓ | ✓ | | | | | |
//! | `rating.override` | | | | ✓ | | | | | | |
//! | `rating.approve` | | | | ✓ | | | | | ✓ | |
//! | `model.read` | | | | ✓ | ✓ | | | ✓ | | |
//! | `model.score` | | | | ✓ | ✓ | | | | | |
//! | `alert.read` | | | | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `case.write` | | | | ✓ | ✓ | | | | | |
//! | `policy.read` | | | | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `limit.request` | | | | ✓ | ✓ | ✓ | | | | |
//! | `limit.decide` | | | | ✓ | | | ✓ | | ✓ | |
//! | `check.run` | | | | ✓ | ✓ | ✓ | ✓ | | | |
//! | `order.decide` | | | | ✓ | | | ✓ | | | |
//! | `receivables.read` | | | | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `collection.write` | | | | ✓ | ✓ | ✓ | ✓ | | | |
//! | `group.read` | | | | ✓ | ✓ | | | ✓ | ✓ | |
//! | `portfolio.read` | | | | ✓ | ✓ | | ✓ | ✓ | ✓ | |
//! | `audit.read` | | | ✓ | | | | | ✓ | | |
//! | `user.manage` | ✓ | | | | | | | | | |
//! | `access.manage` | | ✓ | | | | | | | | |
//! | `data.backup` | ✓ | | | | | | | | | |
//!
//! # Separation of administrative duties (三员分立)
//!
//! Administration is split over three roles, and a user has exactly one role, so no one
//! combines them: the **system administrator** keeps accounts (adds them, resets
//! passwords, disables and enables them); the **security administrator** decides what an
//! account may do (its role, data scope and authorities) and may revoke anyone's API
//! tokens; the **audit administrator** reads and exports the audit log. None of the three
//! reads customers, financials, personal data or the portfolio by virtue of the role, and
//! none may change their own role, scope or authorities. An account the system
//! administrator adds has no role (`unassigned`, no permission at all) until the security
//! administrator gives it one: creating a person and granting power stay with two
//! people, so neither alone can make a privileged account they control. The local
//! operator (a command run without `--user`) bootstraps the first administrators.
//!
//! The business `auditor` reads the business and its audit trail and changes nothing;
//! personal data is masked for it.
//!
//! # Authorities
//!
//! Permissions are per role; approval authority is per person. A limit decision needs
//! `limit.decide` and the authority of the request's next step (the credit policy's
//! `[[roles]]` ids: `sales_manager`, `credit_manager`, `risk_director`, `cfo`,
//! `credit_committee`), held by the signed-in user; approving a rating override needs
//! `rating.approve` and the `rating_approver` authority. An authority is granted only to a
//! user whose role holds the permission that uses it, and a role change drops the
//! authorities the new role cannot use.
//!
//! # Data scope
//!
//! A user sees and changes only customers in its scope: its organisation unit (none: the
//! whole organisation), then its business lines (none listed: all of the unit's), then
//! named customers (none listed: all of those). Indicator scope hides named indicators,
//! and without `financials.read` every financial indicator, from everything the user
//! reads. Lists, exports and aggregates are computed over the customers in scope only.

use serde::Serialize;

/// The roles (GOV-3): three administrative, six of the business, and none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    RiskManager,
    CreditAnalyst,
    AccountManager,
    Finance,
    Auditor,
    Executive,
    /// An account the security administrator has not given a role yet: no permission.
    Unassigned,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::RiskManager,
        Role::CreditAnalyst,
        Role::AccountManager,
        Role::Finance,
        Role::Auditor,
        Role::Executive,
        Role::Unassigned,
    ];

    /// The three administrative roles, which are kept apart from each other and from
    /// customer data.
    pub fn is_administrative(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::RiskManager => "risk_manager",
            Role::CreditAnalyst => "credit_analyst",
            Role::AccountManager => "account_manager",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
            Role::Executive => "executive",
            Role::Unassigned => "unassigned",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
            Role::RiskManager => "风险经理",
            Role::CreditAnalyst => "信用分析师",
            Role::AccountManager => "客户经理",
            Role::Finance => "财务",
            Role::Auditor => "审计",
            Role::Executive => "管理层",
            Role::Unassigned => "未分配角色",
        }
    }
}

/// What a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Permission {
    CustomerRead,
    CustomerWrite,
    FinancialsRead,
    PiiRead,
    RatingRead,
    RatingRun,
    RatingOverride,
    RatingApprove,
    ModelRead,
    ModelScore,
    AlertRead,
    CaseWrite,
    PolicyRead,
    LimitRequest,
    LimitDecide,
    CheckRun,
    OrderDecide,
    ReceivablesRead,
    CollectionWrite,
    GroupRead,
    PortfolioRead,
    AuditRead,
    UserManage,
    AccessManage,
    /// Copying the whole database out (`credence backup`) or replacing it (`credence
    /// restore`): every customer's data, personal data and the audit log at once.
    DataBackup,
}

impl Permission {
    pub const ALL: [Permission; 25] = [
        Permission::CustomerRead,
        Permission::CustomerWrite,
        Permission::FinancialsRead,
        Permission::PiiRead,
        Permission::RatingRead,
        Permission::RatingRun,
        Permission::RatingOverride,
        Permission::RatingApprove,
        Permission::ModelRead,
        Permission::ModelScore,
        Permission::AlertRead,
        Permission::CaseWrite,
        Permission::PolicyRead,
        Permission::LimitRequest,
        Permission::LimitDecide,
        Permission::CheckRun,
        Permission::OrderDecide,
        Permission::ReceivablesRead,
        Permission::CollectionWrite,
        Permission::GroupRead,
        Permission::PortfolioRead,
        Permission::AuditRead,
        Permission::UserManage,
        Permission::AccessManage,
        Permission::DataBackup,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::CustomerRead => "customer.read",
            Permission::CustomerWrite => "customer.write",
            Permission::FinancialsRead => "financials.read",
            Permission::PiiRead => "pii.read",
            Permission::RatingRead => "rating.read",
            Permission::RatingRun => "rating.run",
            Permission::RatingOverride => "rating.override",
            Permission::RatingApprove => "rating.approve",
            Permission::ModelRead => "model.read",
            Permission::ModelScore => "model.score",
            Permission::AlertRead => "alert.read",
            Permission::CaseWrite => "case.write",
            Permission::PolicyRead => "policy.read",
            Permission::LimitRequest => "limit.request",
            Permission::LimitDecide => "limit.decide",
            Permission::CheckRun => "check.run",
            Permission::OrderDecide => "order.decide",
            Permission::ReceivablesRead => "receivables.read",
            Permission::CollectionWrite => "collection.write",
            Permission::GroupRead => "group.read",
            Permission::PortfolioRead => "portfolio.read",
            Permission::AuditRead => "audit.read",
            Permission::UserManage => "user.manage",
            Permission::AccessManage => "access.manage",
            Permission::DataBackup => "data.backup",
        }
    }

    pub fn parse(code: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// The matrix of the module documentation.
pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match role {
        SystemAdmin => matches!(p, UserManage | DataBackup),
        SecurityAdmin => matches!(p, AccessManage),
        AuditAdmin => matches!(p, AuditRead),
        Unassigned => false,
        RiskManager => !matches!(p, AuditRead | UserManage | AccessManage | DataBackup),
        CreditAnalyst => !matches!(
            p,
            RatingOverride
                | RatingApprove
                | LimitDecide
                | OrderDecide
                | AuditRead
                | UserManage
                | AccessManage
                | DataBackup
        ),
        AccountManager => matches!(
            p,
            CustomerRead
                | RatingRead
                | AlertRead
                | PolicyRead
                | LimitRequest
                | CheckRun
                | ReceivablesRead
                | CollectionWrite
        ),
        Finance => matches!(
            p,
            CustomerRead
                | FinancialsRead
                | RatingRead
                | AlertRead
                | PolicyRead
                | LimitDecide
                | CheckRun
                | OrderDecide
                | ReceivablesRead
                | CollectionWrite
                | PortfolioRead
        ),
        Auditor => matches!(
            p,
            CustomerRead
                | FinancialsRead
                | RatingRead
                | ModelRead
                | AlertRead
                | PolicyRead
                | ReceivablesRead
                | GroupRead
                | PortfolioRead
                | AuditRead
        ),
        Executive => matches!(
            p,
            CustomerRead
                | FinancialsRead
                | RatingRead
                | RatingApprove
                | AlertRead
                | PolicyRead
                | LimitDecide
                | ReceivablesRead
                | GroupRead
                | PortfolioRead
        ),
    }
}

/// The authority that approves rating overrides.
pub const RATING_APPROVER: &str = credence_engine::RATING_APPROVER;

/// The permission a role needs to use an authority: `rating.approve` for the override
/// approval, `limit.decide` for every approval level of the credit policy.
pub fn permission_for_authority(authority: &str) -> Permission {
    if authority == RATING_APPROVER { Permission::RatingApprove } else { Permission::LimitDecide }
}

/// A user's data scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DataScope {
    pub org_unit: Option<String>,
    pub business_lines: Vec<String>,
    pub customers: Vec<String>,
    pub hidden_indicators: Vec<String>,
}

/// Splits a stored comma list.
pub fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl DataScope {
    /// Whether a customer (by its id, organisation unit and business line) is in scope.
    pub fn admits(&self, customer_id: &str, org_unit: Option<&str>, business_line: Option<&str>) -> bool {
        credence_domain::scope_admits(
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

    /// The customer part of the scope, as the store checks writes against it.
    pub fn customer_scope(&self) -> credence_domain::CustomerScope {
        credence_domain::CustomerScope {
            org_unit: self.org_unit.clone(),
            business_lines: self.business_lines.clone(),
            customers: self.customers.clone(),
        }
    }
}

/// Masks a person's name: the first character and spaces stay (`张三丰` → `张**`, `Li Wei` → `L* ***`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            std::iter::once(first).chain(chars.map(|c| if c == ' ' { ' ' } else { '*' })).collect()
        }
        None => String::new(),
    }
}

/// Masks an identity number: the first three and last four characters stay.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, &c)| if i < 3 || i + 4 >= chars.len() { c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell of the documented matrix, row by row (roles in the table's order).
    #[test]
    fn the_matrix_is_the_documented_one() {
        let table: &[(&str, [u8; 10])] = &[
            ("customer.read", [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ("customer.write", [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]),
            ("financials.read", [0, 0, 0, 1, 1, 0, 1, 1, 1, 0]),
            ("pii.read", [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]),
            ("rating.read", [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ("rating.run", [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]),
            ("rating.override", [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            ("rating.approve", [0, 0, 0, 1, 0, 0, 0, 0, 1, 0]),
            ("model.read", [0, 0, 0, 1, 1, 0, 0, 1, 0, 0]),
            ("model.score", [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]),
            ("alert.read", [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ("case.write", [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]),
            ("policy.read", [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ("limit.request", [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]),
            ("limit.decide", [0, 0, 0, 1, 0, 0, 1, 0, 1, 0]),
            ("check.run", [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]),
            ("order.decide", [0, 0, 0, 1, 0, 0, 1, 0, 0, 0]),
            ("receivables.read", [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ("collection.write", [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]),
            ("group.read", [0, 0, 0, 1, 1, 0, 0, 1, 1, 0]),
            ("portfolio.read", [0, 0, 0, 1, 1, 0, 1, 1, 1, 0]),
            ("audit.read", [0, 0, 1, 0, 0, 0, 0, 1, 0, 0]),
            ("user.manage", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("access.manage", [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("data.backup", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ];
        assert_eq!(table.len(), Permission::ALL.len());
        for (code, cells) in table {
            let p = Permission::parse(code).unwrap();
            for (role, &cell) in Role::ALL.iter().zip(cells) {
                assert_eq!(allows(*role, p), cell == 1, "{} {code}", role.code());
            }
        }
        // The auditor changes nothing.
        for p in Permission::ALL {
            if !p.code().ends_with(".read") {
                assert!(!allows(Role::Auditor, p), "auditor {}", p.code());
            }
        }
        // Each administrative role holds its own duties only (the system administrator's:
        // accounts and backups), no two share one, and none reads the business.
        let duties =
            [Permission::UserManage, Permission::AccessManage, Permission::AuditRead, Permission::DataBackup];
        for role in Role::ALL.into_iter().filter(|r| r.is_administrative()) {
            let held: Vec<Permission> = Permission::ALL.into_iter().filter(|p| allows(role, *p)).collect();
            assert!(!held.is_empty() && held.iter().all(|p| duties.contains(p)), "{}: {held:?}", role.code());
            for other in Role::ALL.into_iter().filter(|r| r.is_administrative() && *r != role) {
                for p in &held {
                    assert!(!allows(other, *p), "{} and {} share {p:?}", role.code(), other.code());
                }
            }
        }
        assert!(Permission::ALL.into_iter().all(|p| !allows(Role::Unassigned, p)));
    }

    #[test]
    fn scope_narrows_level_by_level() {
        let whole = DataScope::default();
        assert!(whole.admits("C1", Some("east"), Some("machinery")) && whole.is_whole_portfolio());
        let east = DataScope { org_unit: Some("east".into()), ..Default::default() };
        assert!(east.admits("C1", Some("east"), None));
        assert!(!east.admits("C1", Some("west"), Some("machinery")));
        let lines = DataScope { business_lines: list("machinery, textiles"), ..east.clone() };
        assert!(lines.admits("C1", Some("east"), Some("textiles")));
        assert!(!lines.admits("C1", Some("east"), Some("chemicals")));
        assert!(!lines.admits("C1", Some("east"), None));
        let named = DataScope { customers: list("C2"), ..lines };
        assert!(named.admits("C2", Some("east"), Some("machinery")));
        assert!(!named.admits("C1", Some("east"), Some("machinery")));
    }

    #[test]
    fn personal_data_is_masked() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("Li Wei"), "L* ***");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_id_number("110101199003071234"), "110***********1234");
        assert_eq!(mask_id_number("12345"), "*****");
    }
}
