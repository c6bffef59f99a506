-- Disputes raised by customers about invoices (CTRL-9), and the grace days each promise
-- to pay was given when it was made, so that whether it was kept does not change when
-- the collection strategy does. Released: never edit; add a new migration.

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    invoice_no TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    resolved_on TEXT,
    resolution TEXT,
    resolved_by TEXT
);
CREATE INDEX disputes_customer ON disputes (customer_id, id);

ALTER TABLE promises ADD COLUMN grace_days INTEGER;
