-- Credit control (CTRL-1 … CTRL-4, CTRL-9): limit requests and their decisions, the
-- limits in force, blocked orders and what was decided about them, collection actions
-- and promises to pay. Released: never edit; add a new migration.

CREATE TABLE limit_requests (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    current_limit INTEGER NOT NULL,
    requested_limit INTEGER NOT NULL,
    current_term_days INTEGER NOT NULL,
    requested_term_days INTEGER NOT NULL,
    temporary_limit INTEGER,
    temporary_expires TEXT,
    proposal TEXT NOT NULL,
    route TEXT NOT NULL
);
CREATE INDEX limit_requests_customer ON limit_requests (customer_id, status);

CREATE TABLE limit_decisions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    role TEXT NOT NULL,
    comment TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX limit_decisions_request ON limit_decisions (request_id, id);

CREATE TABLE approved_limits (
    customer_id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    credit_limit INTEGER NOT NULL,
    term_days INTEGER NOT NULL,
    temporary_limit INTEGER,
    temporary_expires TEXT,
    request_id INTEGER NOT NULL,
    approved_at TEXT NOT NULL
);

CREATE TABLE blocked_orders (
    id INTEGER PRIMARY KEY,
    order_ref TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    order_date TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    blocked_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT
);
CREATE INDEX blocked_orders_status ON blocked_orders (status, id);

CREATE TABLE order_decisions (
    id INTEGER PRIMARY KEY,
    blocked_order_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX order_decisions_order ON order_decisions (blocked_order_id, id);

CREATE TABLE collection_actions (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    action_date TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    logged_at TEXT NOT NULL
);
CREATE INDEX collection_actions_customer ON collection_actions (customer_id, id);

CREATE TABLE promises (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    made_on TEXT NOT NULL,
    promised_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    invoice_no TEXT,
    actor TEXT NOT NULL,
    logged_at TEXT NOT NULL
);
CREATE INDEX promises_customer ON promises (customer_id, id);
