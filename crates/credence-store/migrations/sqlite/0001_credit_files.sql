-- Credit files (DATA-1 … DATA-5): one table per record kind, plus import runs and the
-- history of replaced record versions. Released: never edit; add a new migration.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    mode TEXT NOT NULL,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE record_history (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    row_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    replaced_by INTEGER NOT NULL,
    replaced_at TEXT NOT NULL
);
CREATE INDEX record_history_key ON record_history (kind, natural_key);

CREATE TABLE customers (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    name TEXT NOT NULL,
    uscc TEXT,
    registration_no TEXT,
    customer_type TEXT NOT NULL,
    industry TEXT NOT NULL,
    sub_industry TEXT,
    region TEXT NOT NULL,
    employees INTEGER,
    org_unit TEXT NOT NULL,
    business_line TEXT NOT NULL,
    monitoring_tier TEXT NOT NULL,
    relationship_start TEXT NOT NULL,
    credit_limit INTEGER,
    limit_currency TEXT,
    payment_terms_days INTEGER,
    legal_representative TEXT
);

CREATE TABLE statements (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    period_end TEXT NOT NULL,
    period_type TEXT NOT NULL,
    audited INTEGER,
    currency TEXT NOT NULL,
    cash INTEGER NOT NULL,
    short_term_investments INTEGER,
    accounts_receivable INTEGER NOT NULL,
    inventory INTEGER NOT NULL,
    current_assets INTEGER NOT NULL,
    fixed_assets INTEGER,
    total_assets INTEGER NOT NULL,
    current_liabilities INTEGER NOT NULL,
    total_liabilities INTEGER NOT NULL,
    equity INTEGER NOT NULL,
    revenue INTEGER NOT NULL,
    cost_of_sales INTEGER NOT NULL,
    operating_expenses INTEGER,
    rd_expense INTEGER,
    depreciation INTEGER,
    interest_expense INTEGER,
    operating_profit INTEGER,
    net_profit INTEGER NOT NULL,
    operating_cash_flow INTEGER,
    investing_cash_flow INTEGER,
    financing_cash_flow INTEGER,
    capex INTEGER,
    employees INTEGER,
    overseas_revenue INTEGER,
    new_product_revenue INTEGER,
    largest_customer_revenue INTEGER,
    market_share_pct REAL,
    capacity_utilisation_pct REAL,
    raw_material_price_change_pct REAL,
    staff_turnover_pct REAL,
    customer_retention_pct REAL,
    land_reserve_years REAL
);
CREATE INDEX statements_customer_id ON statements (customer_id);

CREATE TABLE invoices (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    invoice_no TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    order_no TEXT,
    contract_no TEXT
);
CREATE INDEX invoices_customer_id ON invoices (customer_id);

CREATE TABLE payments (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    invoice_no TEXT,
    payment_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT
);
CREATE INDEX payments_customer_id ON payments (customer_id);
CREATE INDEX payments_invoice_no ON payments (invoice_no);

CREATE TABLE credit_notes (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    credit_note_no TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    invoice_no TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX credit_notes_customer_id ON credit_notes (customer_id);
CREATE INDEX credit_notes_invoice_no ON credit_notes (invoice_no);

CREATE TABLE orders (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    order_no TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    order_date TEXT NOT NULL,
    ship_date TEXT,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX orders_customer_id ON orders (customer_id);

CREATE TABLE milestones (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    contract_no TEXT NOT NULL,
    milestone_no INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    description TEXT,
    due_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL
);
CREATE INDEX milestones_customer_id ON milestones (customer_id);

CREATE TABLE events (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    reference TEXT,
    source TEXT NOT NULL,
    amount INTEGER,
    currency TEXT,
    role TEXT,
    count INTEGER,
    change_pct REAL,
    sentiment REAL,
    description TEXT
);
CREATE INDEX events_customer_id ON events (customer_id);

CREATE TABLE relationships (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL,
    relation_type TEXT NOT NULL,
    from_party TEXT NOT NULL,
    from_name TEXT,
    to_party TEXT NOT NULL,
    to_name TEXT,
    share_pct REAL,
    voting_pct REAL,
    amount INTEGER,
    currency TEXT,
    start_date TEXT,
    end_date TEXT,
    description TEXT
);
CREATE INDEX relationships_from_party ON relationships (from_party);
CREATE INDEX relationships_to_party ON relationships (to_party);
