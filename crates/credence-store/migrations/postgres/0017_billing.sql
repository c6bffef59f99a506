-- Utility billing (SCN-1): billing accounts, their bills and the payments of those bills,
-- stored like every record kind (natural key, row hash, import). A run reads an account's
-- bills and payments in date order through the account indexes.
-- Released: never edit; add a new migration.

CREATE TABLE accounts (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT,
    account_class TEXT NOT NULL,
    tariff_class TEXT,
    voltage_level TEXT,
    industry TEXT,
    region TEXT,
    supply_unit TEXT NOT NULL,
    route TEXT,
    settlement TEXT NOT NULL,
    billing_cycle TEXT,
    contracted_capacity_kva DOUBLE PRECISION,
    credit_limit BIGINT,
    deposit BIGINT,
    currency TEXT,
    opened_date TEXT NOT NULL,
    closed_date TEXT
);
CREATE INDEX accounts_customer ON accounts (customer_id);
CREATE INDEX accounts_unit_route ON accounts (supply_unit, route);

CREATE TABLE bills (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    bill_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    period TEXT,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    consumption_kwh DOUBLE PRECISION,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    arrears_months BIGINT,
    disputed BIGINT
);
CREATE INDEX bills_account ON bills (account_id, issue_date);

CREATE TABLE bill_payments (
    natural_key TEXT NOT NULL UNIQUE,
    row_hash TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    payment_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    bill_id TEXT,
    paid_date TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    channel TEXT
);
CREATE INDEX bill_payments_account ON bill_payments (account_id, paid_date);
CREATE INDEX bill_payments_bill ON bill_payments (bill_id);
