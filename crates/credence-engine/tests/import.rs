//! Import end to end on SQLite: every data-quality rule with a failing and a passing
//! case, idempotent re-import, history, Chinese headers, xlsx, strict and skip-invalid
//! modes, and export that imports back unchanged.

use credence_engine::{ImportOptions, ImportReport, ImportStatus, InvalidRows, import_file};
use credence_records::{Format, HeaderLanguage, Kind};
use credence_store::Store;
use std::path::{Path, PathBuf};

const AS_OF: (i32, u32, u32) = (2026, 9, 30);

struct Env {
    dir: tempfile::TempDir,
    store: Store,
    n: u32,
}

fn options() -> ImportOptions {
    let (y, m, d) = AS_OF;
    ImportOptions::new(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap(), "2026-10-01T08:00:00Z".into())
}

impl Env {
    /// A store holding customers C1 and C2 (both manufacturing) and invoice I1 of C1 for
    /// 1,000.00 CNY issued 2026-08-15.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
        let mut env = Env { dir, store, n: 0 };
        env.ok(
            Kind::Customers,
            &format!(
                "{CUSTOMER_HEADER}\n{}\n{}",
                customer_row("C1", "91350100M000100Y43"),
                customer_row("C2", "")
            ),
        );
        env.ok(Kind::Invoices, "invoice_no,customer_id,issue_date,due_date,amount,currency\nI1,C1,2026-08-15,2026-10-14,1000.00,CNY");
        env
    }

    fn file(&mut self, ext: &str, content: &str) -> PathBuf {
        self.n += 1;
        let p = self.dir.path().join(format!("f{}.{ext}", self.n));
        std::fs::write(&p, content).unwrap();
        p
    }

    fn import_path(&mut self, kind: Kind, path: &Path, opts: &ImportOptions) -> ImportReport {
        import_file(&mut self.store, kind, path, opts, &mut |_| {}).unwrap()
    }

    fn import(&mut self, kind: Kind, csv: &str) -> ImportReport {
        let p = self.file("csv", csv);
        self.import_path(kind, &p, &options())
    }

    fn ok(&mut self, kind: Kind, csv: &str) -> ImportReport {
        let r = self.import(kind, csv);
        assert_eq!(r.status, ImportStatus::Committed, "{:#?}", r.diagnostics);
        assert_eq!(r.errors, 0, "{:#?}", r.diagnostics);
        r
    }
}

const CUSTOMER_HEADER: &str = "customer_id,name,uscc,registration_no,customer_type,industry,region,org_unit,business_line,monitoring_tier,relationship_start,employees";

fn customer_row(id: &str, uscc: &str) -> String {
    let reg = if uscc.is_empty() { "REG-1" } else { "" };
    format!("{id},公司{id},{uscc},{reg},sme,C,福建,east,machinery,core,2019-04-01,100")
}

/// Imports `csv` as `kind` into a fresh environment and checks the rule codes reported:
/// `expected` lists every code once per finding, errors and warnings alike.
fn check(kind: Kind, csv: &str, expected: &[&str]) {
    let mut env = Env::new();
    let r = env.import(kind, csv);
    let got: Vec<&str> = r.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(got, expected, "{:#?}", r.diagnostics);
    let has_error = r.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(r.status == ImportStatus::Rejected, has_error);
}

const STMT_HEADER: &str = "customer_id,period_end,period_type,currency,cash,accounts_receivable,inventory,current_assets,total_assets,current_liabilities,total_liabilities,equity,revenue,cost_of_sales,net_profit,audited";

#[test]
fn completeness_rules() {
    check(Kind::Customers, "customer_id,uscc\nC3,91350100M000100Y43", &["C01"; 8]);
    check(Kind::Customers, &format!("{CUSTOMER_HEADER}\n{}", customer_row("C3", "91350100M000100Y43")), &[]);
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,,,REG,sme,C,福建,east,m,core,2019-04-01,1"),
        &["C02"],
    );
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,名,,,sme,C,福建,east,m,core,2019-04-01,1"),
        &["C03"],
    );
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,名,,,individual,C,福建,east,m,core,2019-04-01,1"),
        &[],
    );
    check(Kind::Relationships, "relation_type,from_party,to_party\nguarantee,C1,C2", &["C03"]);
    check(
        Kind::Relationships,
        "relation_type,from_party,to_party,amount,currency\nguarantee,C1,C2,500000,CNY",
        &[],
    );
}

#[test]
fn format_rules() {
    let inv = "invoice_no,customer_id,issue_date,due_date,amount,currency";
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-13-01,2026-10-14,10,CNY"), &["F01"]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026/8/1,20261014,\"1,234.50\",人民币"), &[]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-10-14,12.345,CNY"), &["F02"]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-10-14,１２，３４５．６,CNY"), &[]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-10-14,10,XYZ"), &["F03"]);
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\n{}", customer_row("C3", "91350100M000100Y44")),
        &["F04"],
    );
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,名,,R,bank,C,福建,east,m,core,2019-04-01,1"),
        &["F05"],
    );
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,名,,R,中小企业,制造业,福建,east,m,核心,2019-04-01,many"),
        &["F06"],
    );
    check(
        Kind::Customers,
        &format!("{CUSTOMER_HEADER}\nC3,{},,R,sme,C,福建,east,m,core,2019-04-01,1", "名".repeat(201)),
        &["F07"],
    );
    check(Kind::Customers, &format!("{CUSTOMER_HEADER},remark\n{},hello", customer_row("C3", "")), &["F08"]);
    check(Kind::Customers, &format!("{CUSTOMER_HEADER},客户名称\n{},x", customer_row("C3", "")), &["F09"]);
    let stmt = "C1,2026-09-30,Q,CNY,100,200,300,700,1000,400,600,400,900,600,50";
    check(Kind::Statements, &format!("{STMT_HEADER}\n{stmt},maybe"), &["F10"]);
    check(Kind::Statements, &format!("{STMT_HEADER}\n{stmt},是"), &[]);
}

#[test]
fn consistency_rules_of_statements() {
    // Liabilities + equity = 1,002.00 against assets 1,000.00: the gap of 2.00 exceeds
    // max(1.00, 0.1% of 1,000.00 = 1.00).
    check(
        Kind::Statements,
        &format!("{STMT_HEADER}\nC1,2026-09-30,Q,CNY,100,200,300,700,1000,400,600,402,900,600,50,0"),
        &["L01"],
    );
    // A gap of 1.00 is within tolerance.
    check(
        Kind::Statements,
        &format!("{STMT_HEADER}\nC1,2026-09-30,Q,CNY,100,200,300,700,1000,400,600,401,900,600,50,0"),
        &[],
    );
    check(
        Kind::Statements,
        &format!("{STMT_HEADER}\nC1,2026-09-30,Q,CNY,800,200,300,700,1000,400,600,400,900,600,50,0"),
        &["L02"],
    );
    check(
        Kind::Statements,
        &format!("{STMT_HEADER}\nC1,2026-12-31,Q,CNY,100,200,300,700,1000,400,600,400,900,600,50,0"),
        &["L14"],
    );
    check(
        Kind::Statements,
        &format!(
            "{STMT_HEADER},market_share_pct\nC1,2026-09-30,Q,CNY,100,200,300,700,1000,400,600,400,900,600,50,0,101"
        ),
        &["L05"],
    );
}

#[test]
fn consistency_rules_of_the_ledger() {
    let inv = "invoice_no,customer_id,issue_date,due_date,amount,currency";
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-07-31,10,CNY"), &["L03"]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-08-01,10,CNY"), &[]);
    check(Kind::Invoices, &format!("{inv}\nI2,C9,2026-08-01,2026-08-31,10,CNY"), &["L06"]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-08-01,2026-08-31,0,CNY"), &["L11"]);
    check(Kind::Invoices, &format!("{inv}\nI2,C1,2026-10-01,2026-10-31,10,CNY"), &["L14"]);
    let pay = "payment_id,customer_id,invoice_no,payment_date,amount,currency";
    check(Kind::Payments, &format!("{pay}\nP1,C1,I1,2026-08-14,100,CNY"), &["L04"]);
    check(Kind::Payments, &format!("{pay}\nP1,C1,I1,2026-08-15,100,CNY"), &[]);
    check(Kind::Payments, &format!("{pay}\nP1,C1,I9,2026-08-20,100,CNY"), &["L07"]);
    check(Kind::Payments, &format!("{pay}\nP1,C2,I1,2026-08-20,100,CNY"), &["L08"]);
    check(Kind::Payments, &format!("{pay}\nP1,C1,I1,2026-08-20,100,USD"), &["L09"]);
    check(
        Kind::Payments,
        &format!("{pay}\nP1,C1,I1,2026-08-20,600,CNY\nP2,C1,I1,2026-08-21,500,CNY"),
        &["L10"],
    );
    check(Kind::Payments, &format!("{pay}\nP1,C1,I1,2026-08-20,600,CNY\nP2,C1,I1,2026-08-21,400,CNY"), &[]);
    check(Kind::Payments, &format!("{pay}\nP1,C1,,2026-08-20,600,CNY"), &[]);
    let cn = "credit_note_no,customer_id,invoice_no,issue_date,amount,currency";
    check(Kind::CreditNotes, &format!("{cn}\nN1,C1,I1,2026-08-01,10,CNY"), &["L04"]);
    check(Kind::CreditNotes, &format!("{cn}\nN1,C1,I1,2026-09-01,1000.01,CNY"), &["L10"]);
    let ord = "order_no,customer_id,order_date,ship_date,amount,currency,status";
    check(Kind::Orders, &format!("{ord}\nO1,C1,2026-09-20,2026-09-19,10,CNY,open"), &["L13"]);
    check(Kind::Orders, &format!("{ord}\nO1,C1,2026-09-20,2026-10-05,10,CNY,未发货"), &[]);
}

const ACCOUNT_HEADER: &str =
    "account_id,customer_id,account_class,supply_unit,settlement,deposit,currency,opened_date,closed_date";
const BILL_HEADER: &str = "bill_id,account_id,issue_date,due_date,amount,currency,consumption_kwh";
const BILL_PAYMENT_HEADER: &str = "payment_id,account_id,bill_id,paid_date,amount,currency";

/// An environment with billing accounts A1 (held by customer C1) and A2 (a household),
/// and bill B1 of A1 for 500.00 CNY issued 2026-08-31.
fn billing_env() -> Env {
    let mut env = Env::new();
    env.ok(
        Kind::Accounts,
        &format!("{ACCOUNT_HEADER}\nA1,C1,大工业,FZ-01,postpaid,20000,CNY,2020-03-01,\nA2,,居民,FZ-01,预付费,,,2021-06-01,"),
    );
    env.ok(Kind::Bills, &format!("{BILL_HEADER}\nB1,A1,2026-08-31,2026-09-20,500.00,CNY,812"));
    env
}

/// Billing records: accounts name stored customers (or none), bills name stored accounts
/// and fall due after issue, payments name their own account's bills, in their currency,
/// after issue; a bill may be a zero or negative correction, a payment may not.
#[test]
fn consistency_rules_of_billing_accounts() {
    let mut env = billing_env();
    let codes = |r: &ImportReport| r.diagnostics.iter().map(|d| d.rule.code).collect::<Vec<_>>();
    let r = env.import(
        Kind::Accounts,
        &format!("{ACCOUNT_HEADER}\nA3,C9,居民,FZ-01,postpaid,-5,CNY,2027-01-01,2026-01-01"),
    );
    assert_eq!(codes(&r), ["L06", "L14", "L13", "L15"], "{:#?}", r.diagnostics);
    let r = env.import(Kind::Accounts, &format!("{ACCOUNT_HEADER}\nA3,,商业,FZ-01,postpaid,,,2020-01-01,"));
    assert_eq!(codes(&r), ["F05"], "{:#?}", r.diagnostics);
    let r =
        env.import(Kind::Accounts, &format!("{ACCOUNT_HEADER}\nA3,,居民,FZ-01,postpaid,100,,2020-01-01,"));
    assert_eq!(codes(&r), ["C03"], "{:#?}", r.diagnostics);
    let r = env.import(Kind::Bills, &format!("{BILL_HEADER}\nB2,A9,2026-09-30,2026-09-01,-20.00,CNY,-3"));
    assert_eq!(codes(&r), ["L17", "L03", "L15"], "{:#?}", r.diagnostics);
    assert_eq!(
        r.diagnostics[0].message,
        "no billing account with this number is stored; import accounts first"
    );
    env.ok(Kind::Bills, &format!("{BILL_HEADER}\nB3,A2,2026-09-30,2026-10-20,-20.00,CNY,0"));
    let r = env.import(
        Kind::BillPayments,
        &format!(
            "{BILL_PAYMENT_HEADER}\nP1,A2,B1,2026-09-10,100,CNY\nP2,A1,B1,2026-08-01,100,USD\nP3,A1,B7,2026-09-10,100,CNY\nP4,A1,,2026-09-10,0,CNY"
        ),
    );
    assert_eq!(codes(&r), ["L19", "L09", "L04", "L18", "L11"], "{:#?}", r.diagnostics);
    assert_eq!(r.diagnostics[0].message, "bill B1 is account A1's, not A2's");
    assert_eq!(r.status, ImportStatus::Rejected);
    assert_eq!(env.store.count(Kind::BillPayments).unwrap(), 0, "a rejected file writes nothing");
    env.ok(
        Kind::BillPayments,
        &format!("{BILL_PAYMENT_HEADER}\nP1,A1,B1,2026-09-18,500.00,CNY\nP2,A2,,2026-09-01,80,CNY"),
    );
    let stored = env.store.record(Kind::Accounts, "A2").unwrap().unwrap();
    assert_eq!(
        (stored.text("account_class"), stored.text("settlement")),
        (Some("residential"), Some("prepaid"))
    );
}

/// A writer whose data scope is narrower than the whole portfolio writes no billing
/// records: accounts belong to no business line.
#[test]
fn billing_records_need_the_whole_portfolio_scope() {
    let mut env = billing_env();
    let mut opts = options();
    opts.scope = credence_domain::CustomerScope { customers: vec!["C1".into()], ..Default::default() };
    let p = env.file("csv", &format!("{BILL_HEADER}\nB9,A1,2026-09-30,2026-10-20,10.00,CNY,1"));
    let r = env.import_path(Kind::Bills, &p, &opts);
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["L16"], "{r:#?}");
    assert_eq!(
        r.diagnostics[0].message,
        "bills are written by a user whose data scope is the whole portfolio; yours is narrower"
    );
    assert_eq!(r.status, ImportStatus::Rejected);
    assert_eq!(env.store.count(Kind::Bills).unwrap(), 1);
}

#[test]
fn consistency_rules_of_events_and_relationships() {
    let ev = "customer_id,event_type,event_date,source,sentiment";
    check(Kind::Events, &format!("{ev}\nC1,news,2026-09-01,web,1.5"), &["L15"]);
    check(Kind::Events, &format!("{ev}\nC1,新闻舆情,2026-09-01,web,-0.8"), &[]);
    let rel = "relation_type,from_party,to_party,share_pct";
    check(Kind::Relationships, &format!("{rel}\nownership,C1,C1,60"), &["L12"]);
    check(Kind::Relationships, &format!("{rel}\nownership,C1,C2,120"), &["L05"]);
    check(Kind::Relationships, &format!("{rel}\nownership,C1,C2,50%"), &[]);
}

#[test]
fn duplicate_rules() {
    let inv = "invoice_no,customer_id,issue_date,due_date,amount,currency";
    check(
        Kind::Invoices,
        &format!("{inv}\nI2,C1,2026-08-01,2026-08-31,10,CNY\nI2,C1,2026-08-02,2026-08-31,11,CNY"),
        &["D01"],
    );
    check(
        Kind::Customers,
        &format!(
            "{CUSTOMER_HEADER}\n{}\n{}",
            customer_row("C3", "91350100M000100Y43"),
            customer_row("C4", "91350100M000100Y43")
        ),
        &["D02"],
    );
}

#[test]
fn outlier_against_own_history_warns_and_still_imports() {
    let mut env = Env::new();
    let mut csv = String::from("invoice_no,customer_id,issue_date,due_date,amount,currency\n");
    for i in 0..12 {
        csv.push_str(&format!("J{i},C1,2026-07-{:02},2026-08-31,{},CNY\n", i + 1, 1000 + i * 37));
    }
    csv.push_str("J99,C1,2026-07-20,2026-08-31,1000000,CNY\n");
    let r = env.ok(Kind::Invoices, &csv);
    let found: Vec<(u64, &str)> = r.diagnostics.iter().map(|d| (d.row, d.rule.code)).collect();
    assert_eq!(found, vec![(14, "O01")]);
    assert_eq!(r.inserted, 13);
}

#[test]
fn outlier_against_industry_peers() {
    let mut env = Env::new();
    let mut customers = format!("{CUSTOMER_HEADER}\n");
    let mut statements = format!("{STMT_HEADER}\n");
    for i in 0..12 {
        let id = format!("P{i}");
        customers.push_str(&customer_row(&id, ""));
        customers.push('\n');
        // Debt ratios 0.50–0.61; the last one 0.99.
        let liabilities = if i == 11 { 990 } else { 500 + i * 10 };
        statements.push_str(&format!(
            "{id},2026-06-30,Q,CNY,100,200,300,700,1000,300,{liabilities},{},900,600,50,0\n",
            1000 - liabilities
        ));
    }
    env.ok(Kind::Customers, &customers);
    let r = env.ok(Kind::Statements, &statements);
    let found: Vec<(u64, &str, Option<&str>)> =
        r.diagnostics.iter().map(|d| (d.row, d.rule.code, d.column.as_deref())).collect();
    assert_eq!(found, vec![(13, "O02", Some("total_liabilities"))]);
}

#[test]
fn reimport_is_idempotent_and_a_change_updates_one_record_with_history() {
    let mut env = Env::new();
    let csv = "invoice_no,customer_id,issue_date,due_date,amount,currency\nA1,C1,2026-08-01,2026-08-31,10,CNY\nA2,C1,2026-08-02,2026-08-31,20,CNY\nA3,C2,2026-08-03,2026-08-31,30,CNY";
    let first = env.ok(Kind::Invoices, csv);
    assert_eq!((first.inserted, first.updated, first.unchanged), (3, 0, 0));
    let again = env.ok(Kind::Invoices, csv);
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    let changed = env
        .ok(Kind::Invoices, &csv.replace("A2,C1,2026-08-02,2026-08-31,20", "A2,C1,2026-08-02,2026-09-30,20"));
    assert_eq!((changed.inserted, changed.updated, changed.unchanged), (0, 1, 2));
    let rec = env.store.record(Kind::Invoices, "A2").unwrap().unwrap();
    assert_eq!(rec.text("due_date"), Some("2026-09-30"));
    let history = env.store.history(Kind::Invoices, "A2").unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].payload.contains("\"due_date\":\"2026-08-31\""), "{}", history[0].payload);
    assert_eq!(history[0].replaced_by, changed.import_id.unwrap());
}

#[test]
fn chinese_headers_and_gbk_are_read() {
    let mut env = Env::new();
    let csv = "客户编号,客户名称,统一社会信用代码,客户类型,行业门类,地区,所属组织,业务线,监控级别,合作开始日期,信用额度,额度币种\n\
               C7,厦门海润贸易有限公司,９１３５０１００Ｍ０００１００Ｙ４３,中小企业,批发和零售业,福建,south,trade,次要客户,2020年3月1日,\"1,500,000.00\",人民币";
    let (bytes, _, _) = encoding_rs::GB18030.encode(csv);
    env.n += 1;
    let p = env.dir.path().join("gbk.csv");
    std::fs::write(&p, &bytes).unwrap();
    let r = env.import_path(Kind::Customers, &p, &options());
    assert_eq!(r.status, ImportStatus::Committed, "{:#?}", r.diagnostics);
    let c = env.store.record(Kind::Customers, "C7").unwrap().unwrap();
    assert_eq!(c.text("name"), Some("厦门海润贸易有限公司"));
    assert_eq!(c.text("uscc"), Some("91350100M000100Y43"));
    assert_eq!(c.text("industry"), Some("F"));
    assert_eq!(c.text("monitoring_tier"), Some("secondary"));
    assert_eq!(c.text("relationship_start"), Some("2020-03-01"));
    assert_eq!(c.int("credit_limit"), Some(150_000_000));
}

#[test]
fn xlsx_with_native_dates_and_numbers() {
    let mut env = Env::new();
    let p = env.dir.path().join("inv.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["发票号", "客户编号", "开票日期", "到期日", "金额", "币种"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let d1 = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 8, 1).unwrap();
    let d2 = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 8, 31).unwrap();
    ws.write_string(1, 0, "X1").unwrap();
    ws.write_string(1, 1, "C1").unwrap();
    ws.write_datetime_with_format(1, 2, &d1, &date_fmt).unwrap();
    ws.write_datetime_with_format(1, 3, &d2, &date_fmt).unwrap();
    ws.write_number(1, 4, 1234.56).unwrap();
    ws.write_string(1, 5, "CNY").unwrap();
    wb.save(&p).unwrap();
    let r = env.import_path(Kind::Invoices, &p, &options());
    assert_eq!(r.status, ImportStatus::Committed, "{:#?}", r.diagnostics);
    let rec = env.store.record(Kind::Invoices, "X1").unwrap().unwrap();
    assert_eq!((rec.text("issue_date"), rec.int("amount")), (Some("2026-08-01"), Some(123_456)));
}

#[test]
fn strict_mode_writes_nothing_and_skip_invalid_writes_the_valid_rows() {
    let mut env = Env::new();
    let csv = "invoice_no,customer_id,issue_date,due_date,amount,currency\nB1,C1,2026-08-01,2026-08-31,10,CNY\nB2,C9,2026-08-01,2026-08-31,10,CNY\nB3,C2,2026-08-01,2026-08-31,10,CNY";
    let before = env.store.count(Kind::Invoices).unwrap();
    let runs_before = env.store.import_runs(100).unwrap().len();
    let strict = env.import(Kind::Invoices, csv);
    assert_eq!((strict.status, strict.rejected_rows, strict.errors), (ImportStatus::Rejected, 1, 1));
    assert_eq!(strict.diagnostics[0].to_string().split(": ").nth(1), Some("error L06 UnknownCustomer"));
    assert_eq!(env.store.count(Kind::Invoices).unwrap(), before);
    assert_eq!(env.store.import_runs(100).unwrap().len(), runs_before);

    let p = env.file("csv", csv);
    let rejects = env.dir.path().join("rejects.csv");
    let mut opts = options();
    opts.invalid_rows = InvalidRows::Skip { rejects: rejects.clone() };
    let r = env.import_path(Kind::Invoices, &p, &opts);
    assert_eq!((r.status, r.inserted, r.rejected_rows), (ImportStatus::Committed, 2, 1));
    assert_eq!(env.store.count(Kind::Invoices).unwrap(), before + 2);
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "row,problems,invoice_no,customer_id,issue_date,due_date,amount,currency");
    assert!(
        lines[1].starts_with("3,L06 UnknownCustomer customer_id: no customer with this id"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with("B2,C9,2026-08-01,2026-08-31,10,CNY"));
    assert_eq!(lines.len(), 2);
}

#[test]
fn export_imports_back_unchanged_in_csv_and_xlsx_and_both_languages() {
    let mut env = Env::new();
    env.ok(Kind::Statements, &format!("{STMT_HEADER},market_share_pct\nC1,2026-09-30,Q,CNY,100.10,200,300,700,1000,400,600,400,900,600,-50.5,1,6.5"));
    for kind in [Kind::Customers, Kind::Invoices, Kind::Statements] {
        for (format, lang) in
            [(Format::Csv, HeaderLanguage::English), (Format::Xlsx, HeaderLanguage::Chinese)]
        {
            let path = env.dir.path().join(format!("out-{kind}.{}", format.extension()));
            let n = credence_engine::export(&mut env.store, kind, &path, format, lang).unwrap();
            let r = env.import_path(kind, &path, &options());
            assert_eq!(r.status, ImportStatus::Committed, "{kind} {format:?}: {:#?}", r.diagnostics);
            assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, n), "{kind} {format:?}");
        }
    }
}

#[test]
fn templates_import_as_empty_files() {
    let env = Env::new();
    for kind in Kind::ALL {
        for format in [Format::Csv, Format::Xlsx] {
            let path = env.dir.path().join(format!("t-{kind}.{}", format.extension()));
            let guide =
                credence_engine::write_template(kind, &path, format, HeaderLanguage::Chinese).unwrap();
            assert_eq!(guide.len(), kind.schema().fields.len());
            let mut store = Store::open(env.dir.path().join("empty.db").to_str().unwrap()).unwrap();
            let r = import_file(&mut store, kind, &path, &options(), &mut |_| {}).unwrap();
            assert_eq!(
                (r.status, r.rows_read, r.errors),
                (ImportStatus::Committed, 0, 0),
                "{kind} {format:?}"
            );
        }
    }
}

#[test]
fn a_folder_is_imported_in_load_order_and_stops_at_a_rejected_file() {
    let mut env = Env::new();
    let dir = env.dir.path().join("drop");
    std::fs::create_dir(&dir).unwrap();
    // Named so that alphabetical order would load payments before their invoices.
    std::fs::write(dir.join("a_payments.csv"), "").unwrap();
    std::fs::write(
        dir.join("payments_20261001.csv"),
        "payment_id,customer_id,invoice_no,payment_date,amount,currency\nQ1,C9,Z1,2026-09-02,5,CNY\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("invoices_20261001.csv"),
        "invoice_no,customer_id,issue_date,due_date,amount,currency\nZ1,C9,2026-09-01,2026-09-30,10,CNY\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("customers_20261001.csv"),
        format!("{CUSTOMER_HEADER}\n{}\n", customer_row("C9", "")),
    )
    .unwrap();
    std::fs::write(
        dir.join("events.csv"),
        "customer_id,event_type,event_date,source\nC9,bogus,2026-09-01,x\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("relationships.csv"),
        "relation_type,from_party,to_party,share_pct\nownership,C1,C9,60\n",
    )
    .unwrap();
    let credence_engine::BatchPlan { files, unknown } = credence_engine::plan_batch(&dir).unwrap();
    let order: Vec<Kind> = files.iter().map(|f| f.0).collect();
    assert_eq!(
        order,
        vec![Kind::Customers, Kind::Invoices, Kind::Payments, Kind::Events, Kind::Relationships]
    );
    assert_eq!(unknown, vec![dir.join("a_payments.csv")]);
    let reports = credence_engine::import_batch(&mut env.store, &files, &options(), &mut |_| {}).unwrap();
    let outcome: Vec<(Kind, ImportStatus, u64)> =
        reports.iter().map(|r| (r.kind, r.status, r.inserted)).collect();
    assert_eq!(
        outcome,
        vec![
            (Kind::Customers, ImportStatus::Committed, 1),
            (Kind::Invoices, ImportStatus::Committed, 1),
            (Kind::Payments, ImportStatus::Committed, 1),
            (Kind::Events, ImportStatus::Rejected, 0),
        ]
    );
    assert_eq!(env.store.count(Kind::Relationships).unwrap(), 0);
}

#[test]
fn qualitative_assessments() {
    let head = "customer_id,factor,score,assessed_on,assessor";
    check(Kind::Assessments, &format!("{head}\nC1,品格,75,2026-09-15,李明"), &[]);
    check(Kind::Assessments, &format!("{head}\nC1,character,120,2026-09-15,李明"), &["L15"]);
    check(Kind::Assessments, &format!("{head}\nC1,luck,50,2026-09-15,李明"), &["F05"]);
    check(Kind::Assessments, &format!("{head}\nC1,capital,50,2026-10-15,李明"), &["L14"]);
}

/// `n` invoices of customer C1 as CSV, numbered from I100.
fn invoices(n: usize) -> String {
    let mut csv = String::from("invoice_no,customer_id,issue_date,due_date,amount,currency\n");
    for i in 0..n {
        csv.push_str(&format!("I{},C1,2026-08-15,2026-10-14,100.00,CNY\n", 100 + i));
    }
    csv
}

/// What an import left behind: the import runs and whether its first invoice is stored.
fn traces(env: &mut Env) -> (usize, bool) {
    let runs = env.store.import_runs(100).unwrap().len();
    (runs, env.store.record(Kind::Invoices, "I100").unwrap().is_some())
}

/// A file beyond a read limit is refused with the limit's name and writes nothing, even
/// when the rows before the limit were valid and already upserted.
#[test]
fn a_file_beyond_a_limit_is_refused_and_writes_nothing() {
    let mut env = Env::new();
    let before = traces(&mut env);
    let path = env.file("csv", &invoices(10));
    let mut opts = options();
    opts.limits.max_rows = 5;
    let err = import_file(&mut env.store, Kind::Invoices, &path, &opts, &mut |_| {}).unwrap_err();
    let credence_engine::EngineError::Read(read) = &err else { panic!("{err:?}") };
    let exceeded = read.exceeded().expect("a limit");
    assert_eq!((exceeded.limit, exceeded.allowed), (credence_records::Limit::Rows, 5));
    assert!(err.to_string().ends_with("raise it with --max-rows"), "{err}");
    assert_eq!(traces(&mut env), before);
}

/// An import whose budget is cancelled part way (here at the 50,000-row progress call,
/// as a server does when the request times out) stops and rolls back everything it had
/// written.
#[test]
fn a_cancelled_import_stops_and_writes_nothing() {
    let mut env = Env::new();
    let before = traces(&mut env);
    let path = env.file("csv", &invoices(60_000));
    let mut opts = options();
    opts.budget = credence_engine::Budget::cancellable();
    let budget = opts.budget.clone();
    let mut seen = 0;
    let result = import_file(&mut env.store, Kind::Invoices, &path, &opts, &mut |n| {
        seen = n;
        budget.cancel();
    });
    assert_eq!(seen, 50_000);
    assert!(
        matches!(result, Err(credence_engine::EngineError::Cancelled(credence_engine::Cancelled::Requested))),
        "{result:?}"
    );
    assert_eq!(traces(&mut env), before);
    // The same file with a budget that is not cancelled imports whole.
    let report = env.import_path(Kind::Invoices, &path, &options());
    assert_eq!(report.inserted, 60_000);
}
