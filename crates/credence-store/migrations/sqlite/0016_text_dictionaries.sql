-- Dictionaries that alert evidence and level causes are packed against (`packed.rs`): one
-- per kind of text, rule pack version (`scope`) and rule or level (`name`), made from the
-- first such text a warning run writes, long digit runs masked. A packed text names its
-- dictionary's id; a dictionary is never changed once written.
-- Released: never edit; add a new migration.

CREATE TABLE text_dictionaries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, scope, name)
);
