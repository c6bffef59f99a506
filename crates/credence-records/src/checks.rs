//! Logical consistency (level 3) and conditional completeness of one normalised record,
//! including the checks that need stored data (does the customer exist, which invoice is
//! paid).

use crate::rules::{self, Rule};
use crate::schema::Kind;
use crate::value::{Record, Value};

/// Error type of stored-data look-ups: whatever the store fails with.
pub type FactsError = Box<dyn std::error::Error + Send + Sync>;

/// What consistency checks need to know about an invoice already stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceFacts {
    pub customer_id: credence_domain::CustomerId,
    pub issue_date: String,
    pub currency: String,
    pub amount: i64,
    /// Payments and credit notes already applied, in minor units, not counting the record
    /// being checked (so re-importing a payment does not count it twice).
    pub applied: i64,
}

/// What consistency checks need to know about a bill already stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BillFacts {
    pub account_id: String,
    pub issue_date: String,
    pub currency: String,
}

/// Look-ups into stored data. The store implements this inside the import's transaction,
/// so rows written earlier in the same file are visible.
pub trait StoredFacts {
    fn customer_exists(&mut self, customer_id: &str) -> Result<bool, FactsError>;
    /// The invoice with the amounts applied to it, excluding the record `(kind, key)`.
    fn invoice(&mut self, invoice_no: &str, except: (Kind, &str))
    -> Result<Option<InvoiceFacts>, FactsError>;
    fn account_exists(&mut self, account_id: &str) -> Result<bool, FactsError>;
    fn bill(&mut self, bill_id: &str) -> Result<Option<BillFacts>, FactsError>;
}

/// Tolerances and the date that counts as "today" for the checks.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Dates after this are in the future (issue, payment, event dates).
    pub as_of: chrono::NaiveDate,
    /// Balance-sheet tolerance as a share of total assets (0.001 = 0.1%).
    pub balance_tolerance_share: f64,
    /// Balance-sheet tolerance in major units, whichever is larger.
    pub balance_tolerance_units: i64,
}

impl CheckConfig {
    pub fn new(as_of: chrono::NaiveDate) -> Self {
        Self { as_of, balance_tolerance_share: 0.001, balance_tolerance_units: 1 }
    }
}

/// One finding of a consistency check: rule, column, message.
pub type Finding = (&'static Rule, &'static str, String);

struct Ctx<'a> {
    record: &'a Record,
    config: &'a CheckConfig,
    as_of: String,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn flag(&mut self, rule: &'static Rule, column: &'static str, message: impl Into<String>) {
        self.out.push((rule, column, message.into()));
    }
    fn text(&self, c: &str) -> Option<&str> {
        self.record.text(c)
    }
    fn int(&self, c: &str) -> Option<i64> {
        self.record.int(c)
    }
    fn present(&self, c: &str) -> bool {
        !self.record.get(c).is_null()
    }
    /// A date, or the date of a date and time, is not after the as-of date.
    fn not_future(&mut self, column: &'static str) {
        if let Some(d) = self.text(column)
            && d.get(..10).unwrap_or(d) > self.as_of.as_str()
        {
            let msg = format!("{d} is after {}", self.as_of);
            self.flag(&rules::DATE_IN_FUTURE, column, msg);
        }
    }
    fn positive(&mut self, column: &'static str) {
        if let Some(a) = self.int(column)
            && a <= 0
        {
            self.flag(&rules::AMOUNT_NOT_POSITIVE, column, "must be greater than zero");
        }
    }
    fn not_negative(&mut self, column: &'static str) {
        let negative = match self.record.get(column) {
            Value::Int(i) => *i < 0,
            Value::Real(r) => *r < 0.0,
            _ => false,
        };
        if negative {
            self.flag(&rules::VALUE_OUT_OF_RANGE, column, "must not be negative");
        }
    }
    fn percent(&mut self, column: &'static str) {
        if let Some(p) = self.record.real(column)
            && !(0.0..=100.0).contains(&p)
        {
            self.flag(&rules::PERCENT_OUT_OF_RANGE, column, "a percentage must be between 0 and 100");
        }
    }
    fn needs(&mut self, column: &'static str, when: &'static str, because: &str) {
        if self.present(when) && !self.present(column) {
            let msg = format!("required because {because}");
            self.flag(&rules::DEPENDENT_VALUE_MISSING, column, msg);
        }
    }
    fn not_before(&mut self, later: &'static str, earlier: &'static str) {
        if let (Some(l), Some(e)) = (self.text(later), self.text(earlier))
            && l < e
        {
            let msg = format!("{later} {l} is before {earlier} {e}");
            self.flag(&rules::END_BEFORE_START, later, msg);
        }
    }
    fn customer_known(&mut self, facts: &mut dyn StoredFacts) -> Result<(), FactsError> {
        if let Some(id) = self.text("customer_id")
            && !facts.customer_exists(id)?
        {
            self.flag(
                &rules::UNKNOWN_CUSTOMER,
                "customer_id",
                "no customer with this id is stored; import customers first",
            );
        }
        Ok(())
    }
    fn account_known(&mut self, facts: &mut dyn StoredFacts) -> Result<(), FactsError> {
        if let Some(id) = self.text("account_id")
            && !facts.account_exists(id)?
        {
            self.flag(
                &rules::UNKNOWN_ACCOUNT,
                "account_id",
                "no billing account with this number is stored; import accounts first",
            );
        }
        Ok(())
    }
    fn due_not_before_issue(&mut self) {
        if let (Some(due), Some(issue)) = (self.text("due_date"), self.text("issue_date"))
            && due < issue
        {
            let msg = format!("due date {due} is before issue date {issue}");
            self.flag(&rules::DUE_BEFORE_ISSUE, "due_date", msg);
        }
    }
}

/// Runs the consistency checks of the record's kind and returns what they flag.
pub fn check_record(
    record: &Record,
    config: &CheckConfig,
    facts: &mut dyn StoredFacts,
) -> Result<Vec<Finding>, FactsError> {
    let mut ctx = Ctx { record, config, as_of: config.as_of.to_string(), out: Vec::new() };
    match record.kind {
        Kind::Customers => customer(&mut ctx),
        Kind::Statements => {
            ctx.customer_known(facts)?;
            statement(&mut ctx);
        }
        Kind::Invoices => {
            ctx.customer_known(facts)?;
            ctx.positive("amount");
            ctx.not_future("issue_date");
            ctx.due_not_before_issue();
        }
        Kind::Payments => {
            ctx.customer_known(facts)?;
            ctx.positive("amount");
            ctx.not_future("payment_date");
            applied_to_invoice(&mut ctx, facts, "payment_date")?;
        }
        Kind::CreditNotes => {
            ctx.customer_known(facts)?;
            ctx.positive("amount");
            ctx.not_future("issue_date");
            applied_to_invoice(&mut ctx, facts, "issue_date")?;
        }
        Kind::Orders => {
            ctx.customer_known(facts)?;
            ctx.positive("amount");
            ctx.not_future("order_date");
            ctx.not_before("ship_date", "order_date");
        }
        Kind::Milestones => {
            ctx.customer_known(facts)?;
            ctx.positive("amount");
        }
        Kind::Events => {
            ctx.customer_known(facts)?;
            ctx.not_future("event_date");
            ctx.needs("currency", "amount", "an amount is given");
            ctx.not_negative("amount");
            ctx.not_negative("count");
            ctx.percent("change_pct");
            if let Some(s) = ctx.record.real("sentiment")
                && !(-1.0..=1.0).contains(&s)
            {
                ctx.flag(&rules::VALUE_OUT_OF_RANGE, "sentiment", "sentiment runs from -1 to 1");
            }
        }
        Kind::Relationships => relationship(&mut ctx),
        Kind::Accounts => {
            if ctx.present("customer_id") {
                ctx.customer_known(facts)?;
            }
            ctx.not_future("opened_date");
            ctx.not_before("closed_date", "opened_date");
            for column in ["contracted_capacity_kva", "credit_limit", "deposit"] {
                ctx.not_negative(column);
            }
            ctx.needs("currency", "credit_limit", "a credit limit is given");
            ctx.needs("currency", "deposit", "a deposit is given");
        }
        Kind::Bills => {
            ctx.account_known(facts)?;
            ctx.not_future("issue_date");
            ctx.due_not_before_issue();
            ctx.not_negative("consumption_kwh");
            ctx.not_negative("arrears_months");
        }
        Kind::BillPayments => {
            ctx.account_known(facts)?;
            ctx.positive("amount");
            ctx.not_future("paid_date");
            paid_bill(&mut ctx, facts)?;
        }
        Kind::Disconnections => {
            ctx.account_known(facts)?;
            for column in ["disconnected_at", "cleared_at", "reconnected_at", "notice_date"] {
                ctx.not_future(column);
            }
            ctx.not_before("disconnected_at", "notice_date");
            ctx.not_before("reconnected_at", "disconnected_at");
        }
        Kind::MeterEvents => {
            ctx.account_known(facts)?;
            ctx.not_future("event_date");
        }
        Kind::HolderChanges => {
            ctx.account_known(facts)?;
            ctx.not_future("change_date");
            for column in ["previous_customer_id", "new_customer_id"] {
                if let Some(id) = ctx.text(column)
                    && !facts.customer_exists(id)?
                {
                    ctx.flag(
                        &rules::UNKNOWN_CUSTOMER,
                        column,
                        "no customer with this id is stored; import customers first",
                    );
                }
            }
        }
        Kind::Assessments => {
            ctx.customer_known(facts)?;
            ctx.not_future("assessed_on");
            if let Some(s) = ctx.record.real("score")
                && !(0.0..=100.0).contains(&s)
            {
                ctx.flag(&rules::VALUE_OUT_OF_RANGE, "score", "scores run from 0 to 100");
            }
        }
    }
    Ok(ctx.out)
}

/// A bill payment names a stored bill of the same account, in its currency, paid after
/// it was issued.
fn paid_bill(ctx: &mut Ctx, facts: &mut dyn StoredFacts) -> Result<(), FactsError> {
    let Some(bill_id) = ctx.text("bill_id") else { return Ok(()) };
    let Some(bill) = facts.bill(bill_id)? else {
        ctx.flag(&rules::UNKNOWN_BILL, "bill_id", "no bill with this number is stored; import bills first");
        return Ok(());
    };
    if let Some(account) = ctx.text("account_id")
        && account != bill.account_id
    {
        let msg = format!("bill {bill_id} is account {}'s, not {account}'s", bill.account_id);
        ctx.flag(&rules::BILL_OF_OTHER_ACCOUNT, "bill_id", msg);
    }
    if let Some(currency) = ctx.text("currency")
        && currency != bill.currency
    {
        let msg = format!("paid in {currency}, billed in {}", bill.currency);
        ctx.flag(&rules::CURRENCY_DIFFERS_FROM_INVOICE, "currency", msg);
    }
    if let Some(paid) = ctx.text("paid_date")
        && paid < bill.issue_date.as_str()
    {
        let msg = format!("paid {paid}, before the bill was issued on {}", bill.issue_date);
        ctx.flag(&rules::PAYMENT_BEFORE_INVOICE, "paid_date", msg);
    }
    Ok(())
}

fn customer(ctx: &mut Ctx) {
    let individual = ctx.text("customer_type") == Some("individual");
    if !individual && !ctx.present("uscc") && !ctx.present("registration_no") {
        ctx.flag(
            &rules::DEPENDENT_VALUE_MISSING,
            "uscc",
            "a company needs its unified social credit code or another registration number",
        );
    }
    ctx.needs("limit_currency", "credit_limit", "a credit limit is given");
    ctx.not_negative("credit_limit");
    ctx.not_negative("employees");
    ctx.not_future("relationship_start");
    if let Some(days) = ctx.int("payment_terms_days")
        && !(0..=3650).contains(&days)
    {
        ctx.flag(&rules::VALUE_OUT_OF_RANGE, "payment_terms_days", "payment terms run from 0 to 3650 days");
    }
}

fn statement(ctx: &mut Ctx) {
    ctx.not_future("period_end");
    for c in [
        "cash",
        "accounts_receivable",
        "inventory",
        "current_assets",
        "total_assets",
        "current_liabilities",
        "total_liabilities",
        "revenue",
        "employees",
    ] {
        ctx.not_negative(c);
    }
    for c in ["market_share_pct", "capacity_utilisation_pct", "staff_turnover_pct", "customer_retention_pct"]
    {
        ctx.percent(c);
    }
    let get = |c| ctx.int(c).unwrap_or(0);
    let (assets, liabilities, equity) = (get("total_assets"), get("total_liabilities"), get("equity"));
    let exponent = ctx
        .text("currency")
        .and_then(|c| credence_domain::Currency::parse(c).ok())
        .map_or(2, |c| c.exponent());
    let unit = ctx.config.balance_tolerance_units * 10_i64.pow(u32::from(exponent));
    let tolerance = ((assets.abs() as f64 * ctx.config.balance_tolerance_share) as i64).max(unit);
    let gap = assets - (liabilities + equity);
    if gap.abs() > tolerance {
        let msg = format!(
            "total assets differ from liabilities + equity by {} (tolerance {})",
            credence_domain::decimal_from_minor_units(gap, exponent),
            credence_domain::decimal_from_minor_units(tolerance, exponent)
        );
        ctx.flag(&rules::BALANCE_SHEET_UNBALANCED, "total_assets", msg);
    }
    for (part, total) in [
        ("current_assets", "total_assets"),
        ("cash", "current_assets"),
        ("accounts_receivable", "current_assets"),
        ("inventory", "current_assets"),
        ("current_liabilities", "total_liabilities"),
    ] {
        if let (Some(p), Some(t)) = (ctx.int(part), ctx.int(total))
            && p > t
        {
            ctx.flag(&rules::PART_EXCEEDS_TOTAL, part, format!("{part} exceeds {total}"));
        }
    }
}

fn applied_to_invoice(
    ctx: &mut Ctx,
    facts: &mut dyn StoredFacts,
    date_column: &'static str,
) -> Result<(), FactsError> {
    let Some(invoice_no) = ctx.text("invoice_no") else {
        return Ok(()); // payment on account
    };
    let key = ctx.record.key();
    let Some(inv) = facts.invoice(invoice_no, (ctx.record.kind, &key))? else {
        ctx.flag(
            &rules::UNKNOWN_INVOICE,
            "invoice_no",
            "no invoice with this number is stored; import invoices first",
        );
        return Ok(());
    };
    if let Some(c) = ctx.text("customer_id")
        && c != inv.customer_id
    {
        let msg = format!("invoice {invoice_no} belongs to customer {}", inv.customer_id);
        ctx.flag(&rules::INVOICE_OF_OTHER_CUSTOMER, "customer_id", msg);
    }
    if let Some(d) = ctx.text(date_column)
        && d < inv.issue_date.as_str()
    {
        let msg = format!("{d} is before the invoice's issue date {}", inv.issue_date);
        ctx.flag(&rules::PAYMENT_BEFORE_INVOICE, date_column, msg);
    }
    if let Some(c) = ctx.text("currency")
        && c != inv.currency
    {
        let msg = format!("the invoice is in {}", inv.currency);
        ctx.flag(&rules::CURRENCY_DIFFERS_FROM_INVOICE, "currency", msg);
        return Ok(());
    }
    let amount = ctx.int("amount").unwrap_or(0);
    if amount > 0 && inv.applied + amount > inv.amount {
        let exponent = credence_domain::Currency::parse(&inv.currency).map_or(2, |c| c.exponent());
        let fmt = |m| credence_domain::decimal_from_minor_units(m, exponent);
        let msg = format!(
            "invoice amount {} already has {} applied; {} more would exceed it",
            fmt(inv.amount),
            fmt(inv.applied),
            fmt(amount)
        );
        ctx.flag(&rules::APPLIED_EXCEEDS_INVOICE, "amount", msg);
    }
    Ok(())
}

fn relationship(ctx: &mut Ctx) {
    if let (Some(a), Some(b)) = (ctx.text("from_party"), ctx.text("to_party"))
        && a == b
    {
        ctx.flag(&rules::SELF_RELATION, "to_party", "a party cannot be linked to itself");
    }
    ctx.percent("share_pct");
    ctx.percent("voting_pct");
    match ctx.text("relation_type") {
        Some("ownership") if !ctx.present("share_pct") && !ctx.present("voting_pct") => {
            ctx.flag(&rules::DEPENDENT_VALUE_MISSING, "share_pct", "a shareholding needs its percentage");
        }
        Some("guarantee") if !ctx.present("amount") => {
            ctx.flag(&rules::DEPENDENT_VALUE_MISSING, "amount", "a guarantee needs its amount");
        }
        _ => {}
    }
    ctx.positive("amount");
    ctx.needs("currency", "amount", "an amount is given");
    ctx.not_before("end_date", "start_date");
}
