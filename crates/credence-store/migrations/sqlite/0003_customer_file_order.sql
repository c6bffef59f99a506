-- A customer's records are read kind by kind in natural-key order (rating, credit files):
-- indexing (customer_id, natural_key) serves that order straight from the index instead
-- of sorting every range read. Released: never edit; add a new migration.

DROP INDEX statements_customer_id;
CREATE INDEX statements_customer_key ON statements (customer_id, natural_key);
DROP INDEX invoices_customer_id;
CREATE INDEX invoices_customer_key ON invoices (customer_id, natural_key);
DROP INDEX payments_customer_id;
CREATE INDEX payments_customer_key ON payments (customer_id, natural_key);
DROP INDEX credit_notes_customer_id;
CREATE INDEX credit_notes_customer_key ON credit_notes (customer_id, natural_key);
DROP INDEX orders_customer_id;
CREATE INDEX orders_customer_key ON orders (customer_id, natural_key);
DROP INDEX milestones_customer_id;
CREATE INDEX milestones_customer_key ON milestones (customer_id, natural_key);
DROP INDEX events_customer_id;
CREATE INDEX events_customer_key ON events (customer_id, natural_key);
DROP INDEX assessments_customer_id;
CREATE INDEX assessments_customer_key ON assessments (customer_id, natural_key);
