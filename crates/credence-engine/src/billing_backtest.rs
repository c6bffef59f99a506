//! The out-of-time back-test of the next-month arrears model (SCN-1): for each of the
//! last months, a model is trained on the months before it — only rows whose outcome was
//! already known at that month end, as it would have been in production — and judged on
//! the accounts of that month. Per month: AUC, KS, and for the riskiest 5% and 10% of
//! accounts the precision, the share of arrears caught and the share of the arrears
//! amount caught.

use chrono::NaiveDate;
use credence_domain::{AccountClass, Labelled, Settlement};
use credence_model::{Column, ModelKind, Table, Target};
use credence_store::Store;

use crate::billing::{ArrearsRule, FEATURES, features, month_ends, next_bill, open_on};
use crate::billing_ledger::Ledger;
use crate::model::ModelError;

/// The shares of riskiest accounts each month is judged on.
pub const TOP_SHARES: [f64; 2] = [0.05, 0.10];

/// Account ledgers read ahead of the thread that computes their features.
const LEDGERS_IN_FLIGHT: usize = 256;

/// At most this many account-months are held for a back-test (about 300 bytes each).
pub const MAX_BACKTEST_ROWS: usize = 20_000_000;

/// What to back-test.
#[derive(Debug, Clone)]
pub struct BacktestOptions {
    /// The last month end tested.
    pub as_of: NaiveDate,
    /// Month ends tested, up to `as_of`.
    pub months: u32,
    /// Month ends before each tested one that its model learns from.
    pub train_months: u32,
    pub rule: ArrearsRule,
    /// Payments are complete to this date: later outcomes are not known.
    pub observed_to: NaiveDate,
    pub kind: ModelKind,
    pub seed: u64,
    /// When the models were trained (RFC 3339), for their artefacts.
    pub trained_at: String,
}

/// The riskiest share of a month's accounts, as the model ranked them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopShare {
    pub share: f64,
    pub flagged: u64,
    /// Of the flagged accounts, the share that fell into arrears.
    pub precision: f64,
    /// Of the accounts that fell into arrears, the share flagged.
    pub capture: f64,
    /// Of the amount unpaid in arrears, the share on flagged accounts.
    pub amount_capture: f64,
}

/// One tested month.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BacktestMonth {
    pub month: NaiveDate,
    pub train_rows: u64,
    pub train_events: u64,
    pub rows: u64,
    pub events: u64,
    pub auc: f64,
    pub ks: f64,
    pub top: Vec<TopShare>,
}

/// The whole back-test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backtest {
    pub kind: String,
    pub rule: ArrearsRule,
    pub observed_to: NaiveDate,
    pub train_months: u32,
    pub months: Vec<BacktestMonth>,
    /// Months that could not be tested, and why.
    pub skipped: Vec<(NaiveDate, String)>,
}

impl Backtest {
    /// The mean of the tested months' AUCs (none when no month was tested).
    pub fn mean_auc(&self) -> Option<f64> {
        (!self.months.is_empty())
            .then(|| self.months.iter().map(|m| m.auc).sum::<f64>() / self.months.len() as f64)
    }
}

/// Every account-month with a known outcome: the features as one table, and per row its
/// month (an index into the month ends), outcome, the date the outcome was known and the
/// amount unpaid in arrears.
pub(crate) struct Rows {
    pub(crate) table: Table,
    pub(crate) month: Vec<u32>,
    pub(crate) label: Vec<u8>,
    pub(crate) known_on: Vec<NaiveDate>,
    pub(crate) unpaid: Vec<f64>,
}

/// The open accounts at one month end, to be scored: their features and who they are.
pub(crate) struct Scoring {
    pub(crate) table: Table,
    pub(crate) accounts: Vec<ScoredAccount>,
}

/// An account being scored.
pub(crate) struct ScoredAccount {
    pub(crate) account_id: String,
    pub(crate) class: String,
    pub(crate) supply_unit: String,
}

fn categorical(labels: &[&str]) -> Column {
    Column::Categorical { codes: Vec::new(), labels: labels.iter().map(|l| (*l).to_owned()).collect() }
}

/// An empty table of the class, the settlement and the behaviour features.
fn feature_table() -> Table {
    let classes: Vec<&str> = AccountClass::ALL.iter().map(|c| c.code()).collect();
    let settlements: Vec<&str> = Settlement::ALL.iter().map(|c| c.code()).collect();
    let mut names = vec!["account_class".to_owned(), "settlement".to_owned()];
    names.extend(FEATURES.iter().map(|f| (*f).to_owned()));
    let mut columns = vec![categorical(&classes), categorical(&settlements)];
    columns.extend(FEATURES.iter().map(|_| Column::Numeric { values: Vec::new() }));
    Table { names, columns, rows: 0 }
}

/// Adds a row: the class and settlement codes and the features.
fn push_row(table: &mut Table, account: &credence_store::StoredAccount, values: &[Option<f64>]) {
    let code = |labels: &[&'static str], v: &str| {
        labels.iter().position(|c| *c == v).map_or(Column::MISSING, |i| i as u32)
    };
    let classes: Vec<&'static str> = AccountClass::ALL.iter().map(|c| c.code()).collect();
    let settlements: Vec<&'static str> = Settlement::ALL.iter().map(|c| c.code()).collect();
    let codes = [code(&classes, &account.account_class), code(&settlements, &account.settlement)];
    for (column, code) in table.columns.iter_mut().zip(codes) {
        if let Column::Categorical { codes, .. } = column {
            codes.push(code);
        }
    }
    for (column, v) in table.columns[2..].iter_mut().zip(values) {
        if let Column::Numeric { values } = column {
            values.push(v.filter(|x| x.is_finite()).unwrap_or(f64::NAN));
        }
    }
    table.rows += 1;
}

/// Which accounts' history is read: `num` in every `den` accounts, spread evenly over
/// the accounts in the order they are read (systematic sampling).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) num: u64,
    pub(crate) den: u64,
}

impl Sample {
    pub(crate) const ALL: Sample = Sample { num: 1, den: 1 };

    /// Whether the `i`-th account read is in the sample.
    fn takes(self, i: u64) -> bool {
        (i + 1) * self.num / self.den > i * self.num / self.den
    }
}

/// Reads the labelled account-months of `ends` whose outcome is known by `observed_to`
/// for the accounts in `sample`, and, with `score_at`, every account open at that month
/// end with its features.
pub(crate) fn read_rows(
    store: &mut Store,
    ends: &[NaiveDate],
    rule: &ArrearsRule,
    observed_to: NaiveDate,
    score_at: Option<NaiveDate>,
    sample: Sample,
    visit: &mut (dyn FnMut(&credence_store::AccountLedger, &Ledger) + Send),
) -> Result<(Rows, Scoring), ModelError> {
    // The database is read on this thread while another builds the ledgers and their
    // features: the two take about as long, so the read takes about half the time.
    let (tx, rx) = std::sync::mpsc::sync_channel::<credence_store::AccountLedger>(LEDGERS_IN_FLIGHT);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let mut rows = Rows {
                table: feature_table(),
                month: vec![],
                label: vec![],
                known_on: vec![],
                unpaid: vec![],
            };
            let mut scoring = Scoring { table: feature_table(), accounts: Vec::new() };
            let mut too_many = false;
            for (read, stored) in rx.into_iter().enumerate() {
                let ledger = Ledger::of(&stored);
                visit(&stored, &ledger);
                let a = &stored.account;
                let history = if sample.takes(read as u64) { ends } else { &[] };
                for (k, &t) in history.iter().enumerate() {
                    if too_many || !open_on(a, t) {
                        continue;
                    }
                    let Some(next) = next_bill(&ledger, t, rule).filter(|n| n.known_on <= observed_to) else {
                        continue;
                    };
                    let Some(values) = features(&ledger, a, t, rule) else { continue };
                    if rows.table.rows + scoring.table.rows >= MAX_BACKTEST_ROWS {
                        too_many = true;
                        continue;
                    }
                    push_row(&mut rows.table, a, &values);
                    rows.month.push(k as u32);
                    rows.label.push(u8::from(next.arrears));
                    rows.known_on.push(next.known_on);
                    rows.unpaid.push(if next.arrears { next.unpaid } else { 0.0 });
                }
                if let Some(t) = score_at.filter(|t| !too_many && open_on(a, *t))
                    && let Some(values) = features(&ledger, a, t, rule)
                {
                    push_row(&mut scoring.table, a, &values);
                    scoring.accounts.push(ScoredAccount {
                        account_id: a.account_id.clone(),
                        class: a.account_class.clone(),
                        supply_unit: a.supply_unit.clone(),
                    });
                }
            }
            (rows, scoring, too_many)
        });
        // A send fails only when the worker is gone (it panicked): what is left is read
        // and dropped, and the panic is raised by the join below.
        let read = store.for_each_account_ledger(|stored| {
            let _ = tx.send(stored);
            Ok(())
        });
        drop(tx);
        let (rows, scoring, too_many) = match worker.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        read?;
        if too_many {
            return Err(ModelError::TooManyRows { limit: MAX_BACKTEST_ROWS });
        }
        Ok((rows, scoring))
    })
}

/// The columns of `table` a model reads, in its order.
pub(crate) fn columns_of(table: &Table, model: &credence_model::ModelFile) -> Table {
    let mut out = Table { names: Vec::new(), columns: Vec::new(), rows: table.rows };
    for spec in &model.features {
        if let Some(i) = table.names.iter().position(|n| n == spec.name()) {
            out.names.push(table.names[i].clone());
            out.columns.push(table.columns[i].clone());
        }
    }
    out
}

/// The riskiest `share` of `pd`'s rows: precision, capture and amount capture.
fn top_share(share: f64, pd: &[f64], label: &[u8], unpaid: &[f64]) -> TopShare {
    let mut order: Vec<usize> = (0..pd.len()).collect();
    order.sort_by(|&a, &b| pd[b].total_cmp(&pd[a]).then(a.cmp(&b)));
    let flagged = ((share * pd.len() as f64).ceil() as usize).min(pd.len());
    let events = label.iter().filter(|&&y| y == 1).count();
    let caught = order[..flagged].iter().filter(|&&i| label[i] == 1).count();
    let amount: f64 = unpaid.iter().sum();
    let amount_caught: f64 = order[..flagged].iter().map(|&i| unpaid[i]).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    TopShare {
        share,
        flagged: flagged as u64,
        precision: ratio(caught as f64, flagged as f64),
        capture: ratio(caught as f64, events as f64),
        amount_capture: ratio(amount_caught, amount),
    }
}

/// Back-tests the next-month arrears model out of time on the stored billing accounts.
pub fn billing_backtest(store: &mut Store, options: &BacktestOptions) -> Result<Backtest, ModelError> {
    let ends = month_ends(options.as_of, options.months + options.train_months);
    let (rows, _) =
        read_rows(store, &ends, &options.rule, options.observed_to, None, Sample::ALL, &mut |_, _| {})?;
    let spec = crate::billing_grade::billing_spec(
        options.kind,
        options.seed,
        &options.trained_at,
        "utility backtest",
        crate::model::grade_scale(&credence_rating::ScorecardModel::builtin()),
    );
    let mut out = Backtest {
        kind: options.kind.code().to_owned(),
        rule: options.rule,
        observed_to: options.observed_to,
        train_months: options.train_months,
        months: Vec::new(),
        skipped: Vec::new(),
    };
    let first_test = options.train_months as usize;
    for (k, &month) in ends.iter().enumerate().skip(first_test) {
        let from = (k - first_test) as u32;
        // Learned from: the months before, whose outcome was known at this month end.
        let train: Vec<usize> = (0..rows.table.rows)
            .filter(|&i| rows.month[i] >= from && (rows.month[i] as usize) < k && rows.known_on[i] <= month)
            .collect();
        let test: Vec<usize> = (0..rows.table.rows).filter(|&i| rows.month[i] as usize == k).collect();
        let train_y: Vec<u8> = train.iter().map(|&i| rows.label[i]).collect();
        let test_y: Vec<u8> = test.iter().map(|&i| rows.label[i]).collect();
        let (train_events, test_events) =
            (train_y.iter().filter(|&&y| y == 1).count(), test_y.iter().filter(|&&y| y == 1).count());
        if train_events == 0 || train_events == train_y.len() {
            out.skipped
                .push((month, format!("{} rows to learn from, {train_events} in arrears", train_y.len())));
            continue;
        }
        if test_events == 0 || test_events == test_y.len() {
            out.skipped.push((month, format!("{} accounts, {test_events} in arrears", test_y.len())));
            continue;
        }
        let target = Target { values: train_y, event: "1".into(), non_event: "0".into() };
        let model = credence_model::train(&rows.table.take(&train), &target, &spec, &mut |_| {})?;
        let scores = credence_model::score_table(&model, &columns_of(&rows.table.take(&test), &model), 0)?;
        let pd: Vec<f64> = scores.iter().map(|s| s.pd).collect();
        let m = credence_model::fit::measure(&test_y, &pd, &|_| false)?;
        let unpaid: Vec<f64> = test.iter().map(|&i| rows.unpaid[i]).collect();
        out.months.push(BacktestMonth {
            month,
            train_rows: train.len() as u64,
            train_events: train_events as u64,
            rows: test.len() as u64,
            events: test_events as u64,
            auc: m.auc,
            ks: m.ks,
            top: TOP_SHARES.iter().map(|&s| top_share(s, &pd, &test_y, &unpaid)).collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three in every eight accounts, evenly: the 3rd, 6th and 8th of each eight, where
    /// ⌊(i + 1)·3/8⌋ steps up (i = 2, 5, 7).
    #[test]
    fn a_sample_takes_its_share_evenly() {
        let s = Sample { num: 3, den: 8 };
        let taken: Vec<u64> = (0..16).filter(|&i| s.takes(i)).collect();
        assert_eq!(taken, [2, 5, 7, 10, 13, 15]);
        assert_eq!((0..1000).filter(|&i| Sample::ALL.takes(i)).count(), 1000);
    }

    /// Ten accounts ranked by PD; accounts 0, 1 and 5 fell into arrears owing 100, 50 and
    /// 850. The top 10% (one account, the riskiest) is account 0: precision 1, capture 1/3,
    /// amount 100/1000. The top 20% (two) adds account 1: 150/1000.
    #[test]
    fn the_top_shares_count_by_hand() {
        let pd = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
        let label = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0];
        let unpaid = [100.0, 50.0, 0.0, 0.0, 0.0, 850.0, 0.0, 0.0, 0.0, 0.0];
        let t = top_share(0.10, &pd, &label, &unpaid);
        assert_eq!((t.flagged, t.precision, t.capture, t.amount_capture), (1, 1.0, 1.0 / 3.0, 0.1));
        let t = top_share(0.20, &pd, &label, &unpaid);
        assert_eq!((t.flagged, t.precision, t.capture, t.amount_capture), (2, 1.0, 2.0 / 3.0, 0.15));
        // 5% of ten rounds up to one account.
        assert_eq!(top_share(0.05, &pd, &label, &unpaid).flagged, 1);
    }
}
