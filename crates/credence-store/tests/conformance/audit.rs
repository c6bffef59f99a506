//! The audit log as evidence, on both databases: a change and its record commit together
//! or not at all, and checkpoints held outside the database expose every rewrite of the
//! chain before them.

use super::{Fixture, audit_entry, postgres, sqlite, tamper};
use credence_store::{
    AuditCheckpoint, AuditEntry, AuditFilter, AuditKey, AuditVerification, MacAlgorithm, PendingAudit,
    RetentionError, StoreError,
};

conformance!(
    a_failed_audit_append_leaves_no_change,
    a_run_s_record_rides_on_its_first_commit,
    checkpoints_expose_edit_delete_truncate_reorder_and_rehash,
    keyed_records_cannot_be_downgraded_and_unkeyed_ones_still_verify,
    purges_need_an_archive_and_the_retention_and_keep_the_chain_verifiable,
);

fn key() -> AuditKey {
    AuditKey::new(MacAlgorithm::HmacSm3, b"credence audit key, 32 bytes!!!!".to_vec()).unwrap()
}

/// Makes every insert into the audit log fail, as a full disk or a lost connection at
/// that moment would.
fn refuse_audit_inserts(f: &Fixture) {
    match &f.pg_schema {
        None => tamper(
            f,
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;",
        ),
        Some(_) => tamper(
            f,
            "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER no_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION no_audit();",
        ),
    }
}

fn allow_audit_inserts(f: &Fixture) {
    tamper(
        f,
        if f.pg_schema.is_some() { "DROP TRIGGER no_audit ON audit_log" } else { "DROP TRIGGER no_audit" },
    );
}

fn a_failed_audit_append_leaves_no_change(f: &mut Fixture) {
    refuse_audit_inserts(f);
    // A change with its record: a statement of its own and a store method that opens
    // its own transaction (a savepoint inside this one).
    let out = f.store.audited(|s| -> Result<((), AuditEntry), StoreError> {
        s.set_meta("changed", "yes")?;
        s.transaction(|s| s.set_meta("nested", "yes"))?;
        Ok(((), audit_entry("meta.set")))
    });
    assert!(out.is_err(), "the append failed, so the change must fail");
    assert_eq!(f.store.meta("changed").unwrap(), None);
    assert_eq!(f.store.meta("nested").unwrap(), None);
    // A record waiting for the first commit: that commit fails with it.
    f.store.audit_on_first_commit(PendingAudit::new(audit_entry("cli.import")));
    assert!(f.store.set_meta("loose", "yes").is_err());
    assert_eq!(f.store.meta("loose").unwrap(), None);
    f.store.clear_pending_audit();

    allow_audit_inserts(f);
    f.store
        .audited(|s| -> Result<((), AuditEntry), StoreError> {
            s.set_meta("changed", "yes")?;
            Ok(((), audit_entry("meta.set")))
        })
        .unwrap();
    assert_eq!(f.store.meta("changed").unwrap().as_deref(), Some("yes"));
    let records = f.store.audit_records(&AuditFilter::default()).unwrap();
    assert_eq!(records.iter().map(|r| r.entry.action.as_str()).collect::<Vec<_>>(), ["meta.set"]);
    // A change that fails after its record leaves neither.
    let failed = f.store.audited(|s| -> Result<((), AuditEntry), StoreError> {
        s.append_audit(&audit_entry("early"))?;
        s.set_meta("late", "x")?;
        Err(StoreError::NoImportId)
    });
    assert!(failed.is_err());
    assert_eq!(f.store.meta("late").unwrap(), None);
    assert_eq!(f.store.audit_records(&AuditFilter::default()).unwrap().len(), 1);
    assert!(matches!(f.store.verify_audit().unwrap(), AuditVerification::Intact { records: 1, .. }));
}

fn a_run_s_record_rides_on_its_first_commit(f: &mut Fixture) {
    let pending = PendingAudit::new(audit_entry("job.start"));
    f.store.audit_on_first_commit(pending.clone());
    // A transaction that is rolled back does not carry it away.
    let _ = f.store.transaction(|s| -> Result<(), StoreError> {
        s.set_meta("a", "1")?;
        Err(StoreError::NoImportId)
    });
    assert!(!pending.is_written());
    f.store.transaction(|s| s.set_meta("a", "2")).unwrap();
    assert!(pending.is_written());
    f.store.set_meta("b", "1").unwrap();
    f.store.append_audit(&audit_entry("job.run")).unwrap();
    let actions: Vec<String> =
        f.store.audit_records(&AuditFilter::default()).unwrap().into_iter().map(|r| r.entry.action).collect();
    assert_eq!(actions, ["job.start", "job.run"], "written once, first");
    // On another connection of the same command it is not written again.
    let mut other = f.store.open_another().unwrap();
    other.audit_on_first_commit(pending);
    other.set_meta("c", "1").unwrap();
    assert_eq!(f.store.audit_records(&AuditFilter::default()).unwrap().len(), 2);
}

/// Six keyed records and a checkpoint at the fifth (a record after it is still allowed).
fn chain_with_checkpoint(f: &mut Fixture) -> Vec<AuditCheckpoint> {
    f.store.set_audit_key(Some(key()));
    for (i, action) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let mut e = audit_entry(action);
        e.at = format!("2026-05-0{}T10:00:00Z", i + 1).into();
        f.store.append_audit(&e).unwrap();
    }
    let cp = AuditCheckpoint::take(&mut f.store, &"2026-05-05T12:00:00Z".into()).unwrap();
    assert_eq!((cp.seq, cp.algorithm, cp.key_id.as_str()), (5, MacAlgorithm::HmacSm3, key().id()));
    f.store.append_audit(&audit_entry("f")).unwrap();
    vec![cp]
}

fn broken(f: &mut Fixture, checkpoints: &[AuditCheckpoint]) -> (i64, String) {
    match f.store.verify_audit_with(checkpoints).unwrap() {
        AuditVerification::Broken { seq, reason } => (seq, reason),
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
}

/// The MAC (plain SHA-256, as someone without the key would) of every record from the
/// first, written back with the head: the chain is consistent in itself.
fn rehash_everything(f: &mut Fixture) {
    let mut prev = credence_store::GENESIS_HASH.to_owned();
    let records = f.store.audit_records(&AuditFilter::default()).unwrap();
    let mut sql = String::new();
    for r in &records {
        let hash = credence_store::audit_hash(&prev, r.seq, &r.entry);
        sql.push_str(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}', algorithm = 'sha256', key_id = '' WHERE seq = {};",
            r.seq
        ));
        prev = hash;
    }
    sql.push_str(&format!("UPDATE audit_head SET hash = '{prev}' WHERE id = 1;"));
    tamper(f, &sql);
}

fn checkpoints_expose_edit_delete_truncate_reorder_and_rehash(f: &mut Fixture) {
    let cps = chain_with_checkpoint(f);
    let AuditVerification::Intact {
        records: 6,
        macs_checked: 6,
        macs_unchecked: 0,
        unkeyed: 0,
        checkpoints: 1,
        ..
    } = f.store.verify_audit_with(&cps).unwrap()
    else {
        panic!("an untouched chain is intact")
    };
    let original = f.store.audit_records(&AuditFilter::default()).unwrap();
    let restore = |f: &mut Fixture| {
        let mut sql = String::from("DELETE FROM audit_log;");
        for r in &original {
            let e = &r.entry;
            sql.push_str(&format!(
                "INSERT INTO audit_log (seq, at, actor, role, action, object, summary, client_ip, request_id, prev_hash, hash, algorithm, key_id) VALUES ({}, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}');",
                r.seq, e.at, e.actor, e.role, e.action, e.object, e.summary, e.client_ip, e.request_id, r.prev_hash, r.hash, r.algorithm, r.key_id
            ));
        }
        let last = original.last().unwrap();
        sql.push_str(&format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1;",
            last.seq, last.hash
        ));
        tamper(f, &sql);
        assert!(matches!(f.store.verify_audit_with(&cps).unwrap(), AuditVerification::Intact { .. }));
    };

    // Edit: the record's MAC no longer fits and cannot be recomputed without the key.
    tamper(f, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    assert_eq!(broken(f, &cps), (2, "its contents do not match its MAC (edited)".into()));
    restore(f);

    // Delete one in the middle.
    tamper(f, "DELETE FROM audit_log WHERE seq = 3");
    assert_eq!(broken(f, &cps), (3, "record 3 is missing (next is 4)".into()));
    restore(f);

    // Truncate and roll the head back: consistent in itself, caught by the checkpoint.
    tamper(
        f,
        &format!(
            "DELETE FROM audit_log WHERE seq > 3; UPDATE audit_head SET seq = 3, hash = '{}' WHERE id = 1;",
            original[2].hash
        ),
    );
    assert!(matches!(f.store.verify_audit().unwrap(), AuditVerification::Intact { records: 3, .. }));
    let (seq, reason) = broken(f, &cps);
    assert_eq!(seq, 5);
    assert!(reason.contains("names record 5 but the log ends at 3"), "{reason}");
    restore(f);

    // Reorder: two records swap places.
    tamper(
        f,
        "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -2;",
    );
    assert_eq!(broken(f, &cps).0, 2);
    restore(f);

    // Re-hash the whole chain with plain SHA-256 after an edit: the chain alone holds,
    // the checkpoint does not.
    tamper(f, "UPDATE audit_log SET summary = '{\"after\":\"AAA\"}' WHERE seq = 2");
    rehash_everything(f);
    assert!(matches!(f.store.verify_audit().unwrap(), AuditVerification::Intact { unkeyed: 6, .. }));
    let (seq, reason) = broken(f, &cps);
    assert_eq!(seq, 5);
    assert!(reason.contains("differs from the checkpoint"), "{reason}");
    restore(f);

    // The checkpoint file itself: an edited checkpoint or one moved out of order.
    let mut forged = cps[0].clone();
    forged.seq = 3;
    forged.hash = original[2].hash.clone();
    assert!(broken(f, &[forged]).1.contains("does not match its signature"));
    let earlier = AuditCheckpoint::take(&mut f.store, &"2026-05-06T12:00:00Z".into()).unwrap();
    assert!(broken(f, &[earlier, cps[0].clone()]).1.contains("out of order"));

    // Without the key: the links and the checkpoint's position are checked, the MACs not.
    f.store.set_audit_key(None);
    let AuditVerification::Intact {
        macs_checked: 0,
        macs_unchecked: 6,
        checkpoint_signatures_unchecked: 1,
        ..
    } = f.store.verify_audit_with(&cps).unwrap()
    else {
        panic!("verifiable without the key, but unchecked")
    };
}

fn keyed_records_cannot_be_downgraded_and_unkeyed_ones_still_verify(f: &mut Fixture) {
    // Records from before the chain was keyed, then keyed ones.
    f.store.append_audit(&audit_entry("old")).unwrap();
    f.store.set_audit_key(Some(key()));
    f.store.append_audit(&audit_entry("new")).unwrap();
    f.store.append_audit(&audit_entry("newer")).unwrap();
    let records = f.store.audit_records(&AuditFilter::default()).unwrap();
    assert_eq!(
        records.iter().map(|r| (r.algorithm.as_str(), r.key_id.as_str())).collect::<Vec<_>>(),
        [("sha256", ""), ("hmac-sm3", key().id()), ("hmac-sm3", key().id())]
    );
    let AuditVerification::Intact { records: 3, macs_checked: 2, unkeyed: 1, .. } =
        f.store.verify_audit().unwrap()
    else {
        panic!("a mixed chain verifies")
    };
    // Someone without the key rewrites the last record as an unkeyed one.
    let mut e = records[2].entry.clone();
    e.summary = "{\"forged\":true}".into();
    let hash = credence_store::audit_hash(&records[1].hash, 3, &e);
    tamper(
        f,
        &format!(
            "UPDATE audit_log SET summary = '{}', hash = '{hash}', algorithm = 'sha256', key_id = '' WHERE seq = 3; UPDATE audit_head SET hash = '{hash}' WHERE id = 1;",
            e.summary
        ),
    );
    let AuditVerification::Broken { seq: 3, reason } = f.store.verify_audit().unwrap() else {
        panic!("a downgraded record went unnoticed")
    };
    assert!(reason.contains("unkeyed record after keyed ones"), "{reason}");
}

fn purges_need_an_archive_and_the_retention_and_keep_the_chain_verifiable(f: &mut Fixture) {
    let cps = chain_with_checkpoint(f);
    let dir = tempfile::tempdir().unwrap();
    let operator = || AuditEntry { action: String::new(), object: String::new(), ..audit_entry("") };
    // Within the retention: refused whatever else holds.
    assert!(matches!(
        f.store.purge_audit("2026-05-04", "2026-01-01", operator()),
        Err(RetentionError::WithinRetention { .. })
    ));
    // Not archived: refused, nothing deleted.
    assert!(matches!(
        f.store.purge_audit("2026-05-04", "2026-06-01", operator()),
        Err(RetentionError::NotArchived { first: 1, last: 3, .. })
    ));
    assert_eq!(f.store.audit_records(&AuditFilter::default()).unwrap().len(), 6);

    let out = dir.path().join("audit-2026-05.jsonl");
    let archive = f.store.archive_audit("2026-05-04", &out, operator()).unwrap();
    assert_eq!((archive.first_seq, archive.last_seq, archive.records), (1, 3, 3));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(archive.sha256, {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    });
    let lines: Vec<credence_store::AuditRecord> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(f.store.audit_archives().unwrap(), vec![archive]);

    assert_eq!(f.store.purge_audit("2026-05-04", "2026-06-01", operator()).unwrap(), 3);
    let left = f.store.audit_records(&AuditFilter::default()).unwrap();
    assert_eq!(left.first().unwrap().seq, 4);
    assert_eq!(
        left.iter().rev().take(2).map(|r| r.entry.action.as_str()).collect::<Vec<_>>(),
        ["audit.purge", "audit.archive"],
        "archive and purge are audited"
    );
    let AuditVerification::Intact { purged_through: 3, records: 5, .. } =
        f.store.verify_audit_with(&cps).unwrap()
    else {
        panic!("the chain verifies from the anchor")
    };
    // The anchor is where verification starts: moving it shows.
    tamper(f, "UPDATE audit_anchor SET seq = 2 WHERE id = 1");
    assert!(matches!(f.store.verify_audit().unwrap(), AuditVerification::Broken { seq: 3, .. }));
}
