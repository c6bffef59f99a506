//! The SQL text for each record kind, built once from the kind's columns.

use credence_records::Kind;
use std::sync::OnceLock;

pub(crate) struct KindSql {
    /// The kind's columns in schema order, comma-separated.
    pub columns: String,
    /// `INSERT INTO t (natural_key, row_hash, import_id, …)`, without its values.
    pub insert_head: String,
    pub update: String,
    /// Every column of the kind, in schema order, for one natural key.
    pub select_one: String,
    /// Every column of the kind, in schema order, ordered by natural key.
    pub select_all: String,
    pub count: String,
    pub delete_all: String,
}

fn build(kind: Kind) -> KindSql {
    let s = kind.schema();
    let t = s.table;
    let cols: Vec<&str> = s.fields.iter().map(|f| f.name).collect();
    let list = cols.join(", ");
    let sets: Vec<String> = cols.iter().map(|c| format!("{c} = ?")).collect();
    KindSql {
        columns: list.clone(),
        insert_head: format!("INSERT INTO {t} (natural_key, row_hash, import_id, {list})"),
        update: format!(
            "UPDATE {t} SET row_hash = ?, import_id = ?, {} WHERE natural_key = ?",
            sets.join(", ")
        ),
        select_one: format!("SELECT {list} FROM {t} WHERE natural_key = ?"),
        select_all: format!("SELECT {list} FROM {t} ORDER BY natural_key"),
        count: format!("SELECT COUNT(*) FROM {t}"),
        delete_all: format!("DELETE FROM {t}"),
    }
}

pub(crate) fn sql_for(kind: Kind) -> &'static KindSql {
    static ALL: OnceLock<Vec<KindSql>> = OnceLock::new();
    let all = ALL.get_or_init(|| Kind::ALL.iter().map(|k| build(*k)).collect());
    let i = Kind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL");
    &all[i]
}
