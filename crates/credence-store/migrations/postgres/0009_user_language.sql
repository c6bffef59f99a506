-- The cockpit's language each user chose (zh or en); none: the browser's. Released:
-- never edit; add a new migration.

ALTER TABLE users ADD COLUMN language TEXT;
