//! Effectiveness metrics (IND-5) against values computed by hand and by scikit-learn.

use credence_indicators::Direction;
use credence_indicators::effectiveness::{
    Recommendation::*, assess, auc, information_value, oriented_auc, recommendation,
};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

/// Scores 0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.4, 0.9 with defaults at 0.4, 0.8 and 0.4.
/// Pairs defaulter > non-defaulter (ties ½): 0.4 beats 0.1, 0.35, 0.2 and ties 0.4 →
/// 3.5; 0.8 beats four → 4; the other 0.4 → 3.5; 11 of 3 × 5 = 15 pairs = 0.7333…,
/// which is `sklearn.metrics.roc_auc_score([0,1,0,1,0,0,1,0], scores)` (scikit-learn
/// 1.9.1: 0.7333333333333333).
#[test]
fn auc_matches_mann_whitney_and_sklearn() {
    let scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.4, 0.9];
    let defaulted = [false, true, false, true, false, false, true, false];
    assert!(close(auc(&scores, &defaulted), 0.733_333_333_333_333_3));
    // In the declared direction: a lower-better indicator keeps it, a higher-better one
    // is read the other way round; missing values are left out.
    let values: Vec<Option<f64>> = scores.iter().map(|s| Some(*s)).chain([None]).collect();
    let flags: Vec<bool> = defaulted.iter().copied().chain([true]).collect();
    assert!(close(oriented_auc(&values, &flags, Direction::LowerBetter), 11.0 / 15.0));
    assert!(close(oriented_auc(&values, &flags, Direction::HigherBetter), 4.0 / 15.0));
    assert_eq!(auc(&[1.0, 2.0], &[true, true]), None);
    assert_eq!(auc(&[1.0], &[true, false]), None);
}

/// Values 1 … 8 and two missing, defaults at 1, 2, 4 and one missing, two bins:
///
/// | bin | non-defaults | defaults | adjusted |
/// | --- | --- | --- | --- |
/// | 1–4 | 1 | 3 | |
/// | 5–8 | 4 | 0 | 4.5, 0.5 |
/// | missing | 1 | 1 | |
///
/// G = 6.5, B = 4.5; IV = (3/4.5 − 1/6.5)·ln((3/4.5)/(1/6.5)) + (0.5/4.5 − 4.5/6.5)·
/// ln((0.5/4.5)/(4.5/6.5)) + (1/4.5 − 1/6.5)·ln((1/4.5)/(1/6.5)) = 0.75197 + 1.06328 +
/// 0.02514 = 1.84041 (the same sum in numpy: 1.8404103297346108).
#[test]
fn information_value_by_hand() {
    let values =
        [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0), Some(6.0), Some(7.0), Some(8.0), None, None];
    let defaulted = [true, true, false, true, false, false, false, false, true, false];
    assert!(close(information_value(&values, &defaulted, 2), 1.840_410_329_734_610_8));
    // Ties share a bin: with values 1, 1, 1, 2 in two bins the three 1s stay together.
    // Bins {1, 1, 1} (1 default, 2 not) and {2} (0, 1 → 0.5, 1.5): G = 3.5, B = 1.5.
    let iv = (1.0 / 1.5 - 2.0 / 3.5) * ((1.0 / 1.5) / (2.0 / 3.5f64)).ln()
        + (0.5 / 1.5 - 1.5 / 3.5) * ((0.5 / 1.5) / (1.5 / 3.5f64)).ln();
    assert!(close(
        information_value(&[Some(1.0), Some(1.0), Some(1.0), Some(2.0)], &[true, false, false, false], 2),
        iv
    ));
    assert_eq!(information_value(&values, &[false; 10], 2), None);
    assert_eq!(information_value(&values, &defaulted, 0), None);
}

#[test]
fn recommendations_follow_the_iv_rules_of_thumb() {
    let cases = [
        (0.01, 0.8, Retire),
        (0.02, 0.8, Watch),
        (0.099, 0.8, Watch),
        (0.1, 0.8, Keep),
        (0.6, 0.51, Keep),
        (0.6, 0.5, Watch),
        (0.01, 0.3, Retire),
    ];
    for (iv, auc, r) in cases {
        assert_eq!(recommendation(iv, auc), r, "{iv} {auc}");
    }
    let values =
        [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0), Some(6.0), Some(7.0), Some(8.0), None, None];
    let defaulted = [true, true, false, true, false, false, false, false, true, false];
    // Low values default: right for a higher-better indicator (oriented AUC 14/15 over
    // the eight values), wrong for a lower-better one.
    let e = assess(&values, &defaulted, Direction::HigherBetter, 2);
    assert!(close(e.oriented_auc, 14.0 / 15.0));
    assert_eq!(e.recommendation, Some(Keep));
    assert_eq!(assess(&values, &defaulted, Direction::LowerBetter, 2).recommendation, Some(Watch));
}
