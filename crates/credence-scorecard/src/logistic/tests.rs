//! Tests of the logistic regression against statsmodels and scikit-learn fits of a
//! published data set, and of its warnings and errors.

use super::*;
use crate::rng::SplitMix64;

/// Spector and Mazzeo (1980), the effect of a teaching method (PSI) on grades: GPA, TUCE
/// score, PSI (0/1) and whether the grade improved, 32 students; the logit example of
/// Greene, *Econometric Analysis*, and of statsmodels (`statsmodels.datasets.spector`).
const SPECTOR: [(f64, f64, f64, u8); 32] = [
    (2.66, 20.0, 0.0, 0),
    (2.89, 22.0, 0.0, 0),
    (3.28, 24.0, 0.0, 0),
    (2.92, 12.0, 0.0, 0),
    (4.00, 21.0, 0.0, 1),
    (2.86, 17.0, 0.0, 0),
    (2.76, 17.0, 0.0, 0),
    (2.87, 21.0, 0.0, 0),
    (3.03, 25.0, 0.0, 0),
    (3.92, 29.0, 0.0, 1),
    (2.63, 20.0, 0.0, 0),
    (3.32, 23.0, 0.0, 0),
    (3.57, 23.0, 0.0, 0),
    (3.26, 25.0, 0.0, 1),
    (3.53, 26.0, 0.0, 0),
    (2.74, 19.0, 0.0, 0),
    (2.75, 25.0, 0.0, 0),
    (2.83, 19.0, 0.0, 0),
    (3.12, 23.0, 1.0, 0),
    (3.16, 25.0, 1.0, 1),
    (2.06, 22.0, 1.0, 0),
    (3.62, 28.0, 1.0, 1),
    (2.89, 14.0, 1.0, 0),
    (3.51, 26.0, 1.0, 0),
    (3.54, 24.0, 1.0, 1),
    (2.83, 27.0, 1.0, 1),
    (3.39, 17.0, 1.0, 1),
    (2.67, 24.0, 1.0, 0),
    (3.65, 21.0, 1.0, 1),
    (4.00, 23.0, 1.0, 1),
    (3.10, 21.0, 1.0, 0),
    (2.39, 19.0, 1.0, 1),
];

fn spector() -> (Vec<Vec<f64>>, Vec<u8>) {
    let cols = vec![
        SPECTOR.iter().map(|r| r.0).collect(),
        SPECTOR.iter().map(|r| r.1).collect(),
        SPECTOR.iter().map(|r| r.2).collect(),
    ];
    (cols, SPECTOR.iter().map(|r| r.3).collect())
}

fn rel(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs().max(1e-300), "{a} vs {b}");
}

/// GRADE ~ GPA + TUCE + PSI, computed with statsmodels 0.15.0 `Logit(...).fit(tol=1e-14)`
/// (Greene prints the same to four digits): coefficients −13.021346858115688,
/// 2.82611259488932, 0.0951576613179094, 2.3786876550933536; standard errors
/// 4.9313242136027355, 1.2629410756290917, 0.1415542056736946, 1.0645642544971312;
/// p-values 0.00827746143548796, 0.02523910880256424, 0.5014342380819217,
/// 0.02545520436127817; log-likelihood −12.889634222131415 (null −20.591729696634204);
/// AIC 33.779268444262826.
#[test]
fn spector_matches_statsmodels() {
    let (cols, y) = spector();
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let fit = fit_logistic(&refs, &y, &LogisticConfig::default()).unwrap();
    assert!(fit.converged && fit.warnings.is_empty());
    let est = [-13.021346858115688, 2.82611259488932, 0.0951576613179094, 2.3786876550933536];
    let se = [4.9313242136027355, 1.2629410756290917, 0.1415542056736946, 1.0645642544971312];
    let p = [0.00827746143548796, 0.02523910880256424, 0.5014342380819217, 0.02545520436127817];
    let all: Vec<&Coefficient> = std::iter::once(&fit.intercept).chain(&fit.coefficients).collect();
    for j in 0..4 {
        rel(all[j].estimate, est[j], 1e-8);
        rel(all[j].std_error, se[j], 1e-8);
        rel(all[j].p_value, p[j], 1e-7);
    }
    rel(fit.log_likelihood, -12.889634222131415, 1e-12);
    rel(fit.null_log_likelihood, -20.591729696634204, 1e-12);
    rel(fit.aic, 33.779268444262826, 1e-12);
    let pd = fit.predict(&refs);
    let mean: f64 = pd.iter().sum::<f64>() / 32.0;
    // The intercept makes the mean fitted probability equal the event share (11/32).
    rel(mean, 11.0 / 32.0, 1e-9);
}

/// The same with a ridge penalty λ = 1, against scikit-learn 1.9.1
/// `LogisticRegression(C=1.0, tol=1e-12)` (which does not penalise the intercept):
/// intercept −7.949012046088442, coefficients 1.2100874289501191, 0.13015191394042966,
/// 1.1621444793499967.
#[test]
fn ridge_matches_scikit_learn() {
    let (cols, y) = spector();
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let fit = fit_logistic(&refs, &y, &LogisticConfig { l2: 1.0, ..Default::default() }).unwrap();
    rel(fit.intercept.estimate, -7.949012046088442, 1e-6);
    for (c, want) in
        fit.coefficients.iter().zip([1.2100874289501191, 0.13015191394042966, 1.1621444793499967])
    {
        rel(c.estimate, want, 1e-6);
    }
}

/// Score tests at each step, from statsmodels 0.15.0 `GLM.score_test`: from the intercept,
/// GPA 7.909 (p 0.00492), TUCE 2.939 (p 0.0865), PSI 5.719 (p 0.0168): GPA enters. With
/// GPA, PSI 6.049 (p 0.01392) and TUCE 0.419: PSI enters. With both, TUCE 0.45999533690
/// (p 0.4976): the search stops at GPA and PSI. Backward from all three drops TUCE (Wald
/// p 0.501) and keeps the other two (0.0122 and 0.0247).
#[test]
fn stepwise_matches_statsmodels_score_tests() {
    let (cols, y) = spector();
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let lc = LogisticConfig::default();
    let s = stepwise(&refs, &y, &lc, &StepwiseConfig::default()).unwrap();
    assert_eq!(s.selected, [0, 2]);
    assert_eq!(s.steps.len(), 2);
    assert_eq!((s.steps[0].action, s.steps[0].column), (StepAction::Enter, 0));
    rel(s.steps[0].p_value, 0.004919, 1e-3);
    rel(s.steps[1].p_value, 0.01391802, 1e-6);
    // The entry test of TUCE at the last step, checked through the public statistic.
    let design = design::Dense { columns: &refs, rows: 32 };
    let fit = fit_design(&design::Subset { design: &design, cols: &[0, 2] }, &y, &lc, None).unwrap();
    let mut last =
        vec![fit.intercept.estimate, fit.coefficients[0].estimate, 0.0, fit.coefficients[1].estimate];
    last[2] = 0.0;
    let (col, p) = stepwise::tests_entry(&design, &y, &[0, 2], &last);
    assert_eq!(col, 1);
    rel(p, 0.49762615248807873, 1e-7);
    let back = stepwise(
        &refs,
        &y,
        &lc,
        &StepwiseConfig { direction: StepDirection::Backward, ..Default::default() },
    )
    .unwrap();
    assert_eq!(back.selected, [0, 2]);
    assert_eq!(back.steps[0].action, StepAction::Remove);
    assert_eq!(back.steps[0].column, 1);
    let one =
        stepwise(&refs, &y, &lc, &StepwiseConfig { max_columns: Some(1), ..Default::default() }).unwrap();
    assert_eq!(one.selected, [0]);
}

#[test]
fn separation_is_reported_and_ridge_cures_it() {
    // x separates the classes perfectly: no maximum likelihood estimate.
    let x: Vec<f64> = (0..40).map(f64::from).collect();
    let y: Vec<u8> = (0..40).map(|i| u8::from(i >= 20)).collect();
    let fit = fit_logistic(&[&x], &y, &LogisticConfig::default()).unwrap();
    assert!(fit.warnings.iter().any(|w| matches!(w, FitWarning::Separation { .. })), "{:?}", fit.warnings);
    let ridge = fit_logistic(&[&x], &y, &LogisticConfig { l2: 1.0, ..Default::default() }).unwrap();
    assert!(ridge.converged && ridge.warnings.is_empty());
    assert!(ridge.coefficients[0].estimate > 0.0 && ridge.coefficients[0].estimate < 10.0);
}

#[test]
fn collinear_columns_are_an_error() {
    let mut rng = SplitMix64::new(1);
    let a: Vec<f64> = (0..100).map(|_| rng.unit()).collect();
    let b: Vec<f64> = a.iter().map(|x| 2.0 * x - 1.0).collect();
    let y: Vec<u8> = (0..100).map(|i| u8::from(i % 3 == 0)).collect();
    assert_eq!(
        fit_logistic(&[&a, &b], &y, &LogisticConfig::default()),
        Err(LogisticError::Singular { column: Some(1) })
    );
    assert!(matches!(
        fit_logistic(&[&a], &y, &LogisticConfig { l2: -1.0, ..Default::default() }),
        Err(LogisticError::Config { field: "l2", .. })
    ));
    let nan = vec![f64::NAN; 100];
    assert!(matches!(fit_logistic(&[&nan], &y, &LogisticConfig::default()), Err(LogisticError::Data(_))));
}

/// Many rows over several chunks in parallel: the same bits as the same fit run again,
/// and the known coefficients within their standard errors.
#[test]
fn chunked_fits_are_reproducible() {
    let mut rng = SplitMix64::new(11);
    let n = 3 * moments::CHUNK + 17;
    let x1: Vec<f64> = (0..n).map(|_| rng.unit() * 2.0 - 1.0).collect();
    let x2: Vec<f64> = (0..n).map(|_| rng.unit() * 2.0 - 1.0).collect();
    let y: Vec<u8> =
        (0..n).map(|i| u8::from(rng.unit() < sigmoid(-1.0 + 1.5 * x1[i] - 0.5 * x2[i]))).collect();
    let fit = fit_logistic(&[&x1, &x2], &y, &LogisticConfig::default()).unwrap();
    assert_eq!(fit, fit_logistic(&[&x1, &x2], &y, &LogisticConfig::default()).unwrap());
    for (c, truth) in std::iter::once(&fit.intercept).chain(&fit.coefficients).zip([-1.0, 1.5, -0.5]) {
        assert!((c.estimate - truth).abs() < 4.0 * c.std_error, "{c:?} vs {truth}");
    }
}

#[test]
fn p_values_of_known_quantiles() {
    rel(two_sided_p(1.959963984540054), 0.05, 1e-12);
    rel(two_sided_p(-2.5758293035489), 0.01, 1e-11);
    assert_eq!(two_sided_p(0.0), 1.0);
}
