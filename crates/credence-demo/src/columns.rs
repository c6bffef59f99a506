//! Column positions of every record kind, looked up by name once per run so the hot loops
//! write cells by index instead of searching the schema for each of millions of cells.

use credence_records::{Kind, Record, Value};

/// Declares a struct of column positions for one kind; `new` panics on a name the schema
/// does not have, which the crate's tests exercise.
macro_rules! columns {
    ($name:ident, $kind:expr, [$($col:ident),+ $(,)?]) => {
        #[derive(Debug)]
        pub(crate) struct $name { $(pub $col: usize),+ }

        impl $name {
            fn new() -> Self {
                let schema = $kind.schema();
                Self { $($col: schema.col(stringify!($col))),+ }
            }
        }
    };
}

columns!(
    CustomerCols,
    Kind::Customers,
    [
        customer_id,
        name,
        uscc,
        registration_no,
        customer_type,
        industry,
        sub_industry,
        region,
        employees,
        org_unit,
        business_line,
        monitoring_tier,
        relationship_start,
        credit_limit,
        limit_currency,
        payment_terms_days,
        legal_representative,
    ]
);

columns!(
    StatementCols,
    Kind::Statements,
    [
        customer_id,
        period_end,
        period_type,
        audited,
        currency,
        cash,
        short_term_investments,
        accounts_receivable,
        inventory,
        current_assets,
        fixed_assets,
        total_assets,
        current_liabilities,
        total_liabilities,
        equity,
        revenue,
        cost_of_sales,
        operating_expenses,
        rd_expense,
        depreciation,
        interest_expense,
        operating_profit,
        net_profit,
        operating_cash_flow,
        investing_cash_flow,
        financing_cash_flow,
        capex,
        employees,
        overseas_revenue,
        new_product_revenue,
        largest_customer_revenue,
        market_share_pct,
        capacity_utilisation_pct,
        raw_material_price_change_pct,
        staff_turnover_pct,
        customer_retention_pct,
        land_reserve_years,
    ]
);

columns!(InvoiceCols, Kind::Invoices, [invoice_no, customer_id, issue_date, due_date, amount, currency]);

columns!(
    PaymentCols,
    Kind::Payments,
    [payment_id, customer_id, invoice_no, payment_date, amount, currency, method]
);

columns!(
    CreditNoteCols,
    Kind::CreditNotes,
    [credit_note_no, customer_id, invoice_no, issue_date, amount, currency, reason]
);

columns!(OrderCols, Kind::Orders, [order_no, customer_id, order_date, ship_date, amount, currency, status]);

columns!(
    MilestoneCols,
    Kind::Milestones,
    [contract_no, milestone_no, customer_id, description, due_date, amount, currency]
);

columns!(
    EventCols,
    Kind::Events,
    [
        customer_id,
        event_type,
        event_date,
        reference,
        source,
        amount,
        currency,
        role,
        count,
        change_pct,
        sentiment,
        description,
    ]
);

columns!(
    RelationCols,
    Kind::Relationships,
    [
        relation_type,
        from_party,
        from_name,
        to_party,
        to_name,
        share_pct,
        voting_pct,
        amount,
        currency,
        start_date,
        end_date,
        description,
    ]
);

/// Column positions of all kinds.
#[derive(Debug)]
pub(crate) struct Columns {
    pub customers: CustomerCols,
    pub statements: StatementCols,
    pub invoices: InvoiceCols,
    pub payments: PaymentCols,
    pub credit_notes: CreditNoteCols,
    pub orders: OrderCols,
    pub milestones: MilestoneCols,
    pub events: EventCols,
    pub relations: RelationCols,
}

impl Columns {
    pub fn new() -> Self {
        Self {
            customers: CustomerCols::new(),
            statements: StatementCols::new(),
            invoices: InvoiceCols::new(),
            payments: PaymentCols::new(),
            credit_notes: CreditNoteCols::new(),
            orders: OrderCols::new(),
            milestones: MilestoneCols::new(),
            events: EventCols::new(),
            relations: RelationCols::new(),
        }
    }
}

/// A record being filled cell by cell.
pub(crate) struct Row(Record);

impl Row {
    pub fn new(kind: Kind) -> Self {
        Row(Record::empty(kind))
    }

    pub fn set(&mut self, column: usize, value: impl Into<Value>) -> &mut Self {
        self.0.values[column] = value.into();
        self
    }

    pub fn finish(self) -> Record {
        self.0
    }
}

/// A percentage or ratio rounded to two decimals, as a person would type it.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_column_the_generator_writes_exists() {
        super::Columns::new();
    }
}
