//! Calibration tables: predicted against observed event rates, by the caller's groups
//! (rating grades, score bands) or by equal-count groups of the predictions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::column::{DataError, check_length};

/// One group of a calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    /// The caller's group, or the rank of the quantile group (0 = lowest PDs).
    pub group: u32,
    pub count: u64,
    pub events: u64,
    /// Lowest and highest predicted PD in the group.
    pub min_pd: f64,
    pub max_pd: f64,
    pub mean_pd: f64,
    /// events / count.
    pub observed_rate: f64,
}

/// The table by the caller's group of each row, in increasing group order.
pub fn calibration_by_group(
    target: &[u8],
    pd: &[f64],
    group: &[u32],
) -> Result<Vec<CalibrationRow>, DataError> {
    check_length("the probabilities", pd.len(), target.len())?;
    check_length("the groups", group.len(), target.len())?;
    if let Some(row) = target.iter().position(|&y| y > 1) {
        return Err(DataError::TargetNotBinary { row, value: target[row] });
    }
    if let Some(row) = pd.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(DataError::OutOfRange { what: "a probability".into(), row });
    }
    // group → (count, events, sum pd, min, max)
    let mut acc: BTreeMap<u32, (u64, u64, f64, f64, f64)> = BTreeMap::new();
    for ((&y, &p), &g) in target.iter().zip(pd).zip(group) {
        let e = acc.entry(g).or_insert((0, 0, 0.0, f64::INFINITY, f64::NEG_INFINITY));
        e.0 += 1;
        e.1 += u64::from(y);
        e.2 += p;
        e.3 = e.3.min(p);
        e.4 = e.4.max(p);
    }
    Ok(acc
        .into_iter()
        .map(|(group, (count, events, sum, min_pd, max_pd))| CalibrationRow {
            group,
            count,
            events,
            min_pd,
            max_pd,
            mean_pd: sum / count as f64,
            observed_rate: events as f64 / count as f64,
        })
        .collect())
}

/// The table by `groups` equal-count groups of the predicted PD: the row of rank r (0-based,
/// of n, by increasing PD) goes to group ⌊r · groups / n⌋, except that equal PDs always
/// share the group of the first of them, so ties can leave fewer groups.
pub fn calibration_by_quantile(
    target: &[u8],
    pd: &[f64],
    groups: usize,
) -> Result<Vec<CalibrationRow>, DataError> {
    check_length("the probabilities", pd.len(), target.len())?;
    if target.is_empty() {
        return Err(DataError::Empty);
    }
    if let Some(row) = pd.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(DataError::OutOfRange { what: "a probability".into(), row });
    }
    let n = pd.len();
    let groups = groups.max(1);
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| pd[a as usize].total_cmp(&pd[b as usize]));
    let mut assigned = vec![0u32; n];
    let mut current = 0u32;
    for (r, &i) in order.iter().enumerate() {
        if r == 0 || pd[i as usize] != pd[order[r - 1] as usize] {
            current = (r * groups / n) as u32;
        }
        assigned[i as usize] = current;
    }
    let mut rows = calibration_by_group(target, pd, &assigned)?;
    // Renumber so that groups left empty by ties leave no gaps.
    for (k, row) in rows.iter_mut().enumerate() {
        row.group = k as u32;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PDs 0.1 0.1 0.2 0.3 0.4 0.5 with outcomes 0 0 1 0 1 1 in two groups: ranks 0–2
    /// (0.1, 0.1, 0.2: mean 0.4/3, 1 event of 3) and 3–5 (0.3, 0.4, 0.5: mean 0.4, 2 of 3).
    #[test]
    fn quantile_table_by_hand() {
        let pd = [0.3, 0.1, 0.5, 0.1, 0.4, 0.2];
        let y = [0, 0, 1, 0, 1, 1];
        let t = calibration_by_quantile(&y, &pd, 2).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].count, t[0].events), (3, 1));
        assert!((t[0].mean_pd - 0.4 / 3.0).abs() < 1e-15);
        assert_eq!((t[0].min_pd, t[0].max_pd), (0.1, 0.2));
        assert_eq!((t[1].count, t[1].events, t[1].observed_rate), (3, 2, 2.0 / 3.0));
        // Six groups of one, but the two 0.1s share theirs: five groups.
        assert_eq!(calibration_by_quantile(&y, &pd, 6).unwrap().len(), 5);
    }

    #[test]
    fn caller_groups_come_out_in_order() {
        let t = calibration_by_group(&[1, 0, 0], &[0.5, 0.2, 0.1], &[7, 3, 7]).unwrap();
        assert_eq!(t.iter().map(|r| r.group).collect::<Vec<_>>(), [3, 7]);
        assert_eq!((t[1].count, t[1].events, t[1].mean_pd), (2, 1, 0.3));
    }
}
