//! The data scope an import writes with: the whole portfolio for the local operator, the
//! user's own scope with `--user`.

use anyhow::{Result, anyhow, bail};
use credence_domain::CustomerScope;
use credence_server::access::{Permission, Role, allows, list};
use credence_store::Store;

/// The scope of `user` (who must exist, be enabled and hold `customer.write`); without a
/// user, the whole portfolio.
pub(crate) fn import_scope(store: &mut Store, user: Option<&str>) -> Result<CustomerScope> {
    user_scope(store, user, Permission::CustomerWrite)
}

/// Checks that `user` may read the whole portfolio's history (`portfolio.read` over every
/// customer), as measuring or tuning the warning rules on it does; the local operator may.
/// `what` says what needs it ("the rules are measured on every customer's history").
pub(crate) fn whole_portfolio_reader(store: &mut Store, user: Option<&str>, what: &str) -> Result<()> {
    whole_portfolio_user(store, user, Permission::PortfolioRead, what)
}

/// Checks that `user` holds `permission` over the whole portfolio; the local operator does.
/// `what` says why the whole portfolio is needed.
pub(crate) fn whole_portfolio_user(
    store: &mut Store,
    user: Option<&str>,
    permission: Permission,
    what: &str,
) -> Result<()> {
    let scope = user_scope(store, user, permission)?;
    if !scope.is_whole_portfolio() {
        bail!("--user {}: {what}, and this user's data scope is narrower", user.unwrap_or_default());
    }
    Ok(())
}

/// The scope of `user` (who must exist, be enabled and hold `permission`); without a
/// user, the whole portfolio.
fn user_scope(store: &mut Store, user: Option<&str>, permission: Permission) -> Result<CustomerScope> {
    let Some(name) = user else {
        return Ok(CustomerScope::default());
    };
    let u = store.user(name)?.ok_or_else(|| anyhow!("--user {name}: no such user"))?;
    if u.disabled {
        bail!("--user {name}: the account is disabled");
    }
    let role = Role::parse(&u.role).ok_or_else(|| anyhow!("--user {name}: unknown role '{}'", u.role))?;
    if !allows(role, permission) {
        bail!("--user {name}: a {} may not {}", role.code(), permission.code());
    }
    Ok(CustomerScope {
        org_unit: u.org_unit,
        business_lines: list(&u.business_lines),
        customers: list(&u.customers),
    })
}
