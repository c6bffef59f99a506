//! End-to-end checks of training, prediction, explanation and saving, on small data made
//! here with fixed seeds.

use credence_trees::{
    Dataset, Feature, Forest, ForestParams, Gbdt, GbdtParams, Importance, MISSING_CATEGORY, Model,
    ModelError, Monotone, Node, SplitTest, TrainError, Tree, Validation,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn gbdt(params: GbdtParams, data: &Dataset, target: &[u8]) -> Model {
    Gbdt::new(params).unwrap().fit(data, target, None).unwrap()
}

fn single_split(lambda: f64) -> GbdtParams {
    GbdtParams {
        n_trees: 1,
        learning_rate: 1.0,
        num_leaves: 2,
        min_data_in_leaf: 1,
        lambda,
        ..GbdtParams::default()
    }
}

fn root(tree: &Tree) -> (&SplitTest, u32, f64) {
    match &tree.nodes()[0] {
        Node::Split { test, feature, gain, .. } => (test, *feature, *gain),
        Node::Leaf { .. } => panic!("the root is a leaf"),
    }
}

fn leaf_values(tree: &Tree) -> Vec<f64> {
    tree.nodes()
        .iter()
        .filter_map(|n| match n {
            Node::Leaf { value, .. } => Some(*value),
            Node::Split { .. } => None,
        })
        .collect()
}

/// Five rows, x = 1..5, target 0 0 0 1 1. Base score ln(0.4 / 0.6); every row starts at
/// p = 0.4, so g = p − y = (0.4, 0.4, 0.4, −0.6, −0.6) and h = 0.24.
///
/// With λ = 1 the candidate cuts score G_L²/(H_L+1) + G_R²/(H_R+1) (the parent's G is 0):
///
/// | cut | left (G, H) | right (G, H) | gain |
/// | --- | --- | --- | --- |
/// | x ≤ 1.5 | (0.4, 0.24) | (−0.4, 0.96) | 0.16/1.24 + 0.16/1.96 = 0.2107 |
/// | x ≤ 2.5 | (0.8, 0.48) | (−0.8, 0.72) | 0.64/1.48 + 0.64/1.72 = 0.8045 |
/// | x ≤ 3.5 | (1.2, 0.72) | (−1.2, 0.48) | 1.44/1.72 + 1.44/1.48 = 1.8102 |
/// | x ≤ 4.5 | (0.6, 0.96) | (−0.6, 0.24) | 0.36/1.96 + 0.36/1.24 = 0.4740 |
///
/// so the tree cuts at 3.5 with leaves −1.2/1.72 = −0.69767 and 1.2/1.48 = 0.81081.
#[test]
fn hand_computed_split_gain_and_leaf_values() {
    let data = Dataset::new(vec![Feature::numeric("x", vec![1.0, 2.0, 3.0, 4.0, 5.0])]).unwrap();
    let target = [0, 0, 0, 1, 1];
    let model = gbdt(single_split(1.0), &data, &target);
    assert!((model.base_score() - (0.4f64 / 0.6).ln()).abs() < 1e-15);
    let tree = &model.trees()[0];
    let (test, feature, gain) = root(tree);
    assert_eq!(feature, 0);
    assert_eq!(test, &SplitTest::Numeric { threshold: 3.5, missing_left: true });
    assert!((gain - (1.44 / 1.72 + 1.44 / 1.48)).abs() < 1e-9, "gain {gain}");
    let leaves = leaf_values(tree);
    assert!((leaves[0] + 1.2 / 1.72).abs() < 1e-9 && (leaves[1] - 1.2 / 1.48).abs() < 1e-9, "{leaves:?}");
    assert_eq!(tree.nodes()[1].cover(), 3.0);
    let scores = model.predict_raw(&data).unwrap();
    assert!((scores[0] - model.base_score() - leaves[0]).abs() < 1e-12);
    assert!((scores[4] - model.base_score() - leaves[1]).abs() < 1e-12);
    // Without regularisation the same cut scores 1.44/0.72 + 1.44/0.48 = 5.
    let (_, _, gain) = root(&gbdt(single_split(0.0), &data, &target).trees()[0]);
    assert!((gain - 5.0).abs() < 1e-9);
}

/// x uniform on 0..100 with the event above 70; a fifth of x is missing. When the missing
/// rows are events they must go with the high side, when they are not, with the low side.
#[test]
fn missing_values_learn_their_direction() {
    for (missing_event, expect_left) in [(1u8, false), (0u8, true)] {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..1000 {
            if rng.random::<f64>() < 0.2 {
                x.push(f64::NAN);
                y.push(missing_event);
            } else {
                let v: f64 = rng.random_range(0.0..100.0);
                x.push(v);
                y.push(u8::from(v > 70.0));
            }
        }
        let data = Dataset::new(vec![Feature::numeric("x", x)]).unwrap();
        let model = gbdt(single_split(0.0), &data, &y);
        let (test, _, _) = root(&model.trees()[0]);
        let SplitTest::Numeric { threshold, missing_left } = test else { panic!() };
        assert!((69.0..71.0).contains(threshold), "threshold {threshold}");
        assert_eq!(*missing_left, expect_left);
        let high = model.predict_raw_row(&[90.0]);
        let low = model.predict_raw_row(&[10.0]);
        assert_eq!(model.predict_raw_row(&[f64::NAN]), if expect_left { low } else { high });
    }
}

/// Eight categories, 200 rows each; categories 1, 4 and 6 default at 60%, the rest at 10%.
/// The root must separate exactly {1, 4, 6} from the others.
#[test]
fn categorical_split_groups_the_risky_categories() {
    let mut codes = Vec::new();
    let mut y = Vec::new();
    for c in 0..8u32 {
        for i in 0..200 {
            codes.push(c);
            let rate = if [1, 4, 6].contains(&c) { 120 } else { 20 };
            y.push(u8::from(i < rate));
        }
    }
    let data = Dataset::new(vec![Feature::categorical("sector", codes, 9)]).unwrap();
    let model = gbdt(single_split(0.0), &data, &y);
    let (test, _, _) = root(&model.trees()[0]);
    let SplitTest::Categorical { categories, .. } = test else { panic!("{test:?}") };
    let risky = vec![1, 4, 6];
    let safe = vec![0, 2, 3, 5, 7];
    assert!(categories == &risky || categories == &safe, "{categories:?}");
    let score = |code: f64| model.predict_raw_row(&[code]);
    assert!(score(4.0) > score(0.0));
    assert_eq!(score(1.0), score(6.0));
    // Category 8 never appeared in training: it goes right, like any code not in the set.
    let right_is_risky = categories == &safe;
    assert_eq!(score(8.0), if right_is_risky { score(1.0) } else { score(0.0) });
    assert_eq!(score(f64::from(MISSING_CATEGORY)), score(8.0));
}

/// A data set with a non-monotone signal in x0 and x1, an interaction, missing values and
/// a categorical feature.
fn tangled(n: usize, seed: u64) -> (Dataset, Vec<u8>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x0, mut x1, mut x2, mut c) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut y = Vec::new();
    for _ in 0..n {
        let a: f64 = rng.random_range(-3.0..3.0);
        let b: f64 = rng.random_range(-3.0..3.0);
        let d: f64 = rng.random_range(-3.0..3.0);
        let k: u32 = rng.random_range(0..5);
        let eta = a + (2.0 * a).sin() * 1.5 - b * b * 0.4 + 0.8 * b - a * d * 0.5
            + [0.0, 0.7, -0.5, 0.2, 1.0][k as usize];
        y.push(u8::from(rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp())));
        x0.push(if rng.random::<f64>() < 0.05 { f64::NAN } else { a });
        x1.push(if rng.random::<f64>() < 0.05 { f64::NAN } else { b });
        x2.push(if rng.random::<f64>() < 0.1 { f64::NAN } else { d });
        c.push(if rng.random::<f64>() < 0.05 { MISSING_CATEGORY } else { k });
    }
    let data = Dataset::new(vec![
        Feature::numeric("x0", x0),
        Feature::numeric("x1", x1),
        Feature::numeric("x2", x2),
        Feature::categorical("c", c, 5),
    ])
    .unwrap();
    (data, y)
}

/// Largest drop (for `sign` = 1) or rise (−1) of the score along a grid of one feature,
/// over random rows.
fn worst_violation(model: &Model, feature: usize, sign: f64, seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut worst: f64 = 0.0;
    for _ in 0..300 {
        let mut row: Vec<f64> = (0..3)
            .map(|_| if rng.random::<f64>() < 0.15 { f64::NAN } else { rng.random_range(-3.5..3.5) })
            .collect();
        row.push(if rng.random::<f64>() < 0.15 { f64::NAN } else { f64::from(rng.random_range(0..5u32)) });
        let mut previous = f64::NAN;
        for step in 0..=80 {
            row[feature] = -4.0 + 0.1 * f64::from(step);
            let score = model.predict_raw_row(&row);
            if !previous.is_nan() {
                worst = worst.max(sign * (previous - score));
            }
            previous = score;
        }
    }
    worst
}

#[test]
fn monotone_constraints_hold_for_every_row_at_any_depth() {
    let (data, y) = tangled(3000, 11);
    let free = GbdtParams {
        n_trees: 60,
        num_leaves: 31,
        min_data_in_leaf: 5,
        learning_rate: 0.2,
        ..GbdtParams::default()
    };
    let free_model = gbdt(free.clone(), &data, &y);
    // Without constraints the model follows the wiggles: the sweep must be able to see them.
    assert!(worst_violation(&free_model, 0, 1.0, 1) > 1e-3);
    assert!(worst_violation(&free_model, 1, -1.0, 1) > 1e-3);

    let mut constrained = free;
    constrained.monotone.insert("x0".into(), Monotone::Increasing);
    constrained.monotone.insert("x1".into(), Monotone::Decreasing);
    let model = gbdt(constrained, &data, &y);
    assert!(model.trees().iter().map(Tree::depth).max().unwrap() >= 6);
    assert_eq!(worst_violation(&model, 0, 1.0, 2), 0.0);
    assert_eq!(worst_violation(&model, 1, -1.0, 2), 0.0);

    let mut forest = ForestParams { n_trees: 30, min_data_in_leaf: 5, ..ForestParams::default() };
    forest.monotone.insert("x0".into(), Monotone::Increasing);
    let model = Forest::new(forest).unwrap().fit(&data, &y).unwrap();
    assert_eq!(worst_violation(&model, 0, 1.0, 3), 0.0);
}

#[test]
fn shap_contributions_add_up_to_the_score() {
    let (data, y) = tangled(2000, 21);
    let mut models = vec![
        gbdt(
            GbdtParams { n_trees: 40, num_leaves: 31, min_data_in_leaf: 5, ..GbdtParams::default() },
            &data,
            &y,
        ),
        gbdt(
            GbdtParams {
                n_trees: 30,
                num_leaves: 8,
                bagging_fraction: 0.7,
                feature_fraction: 0.75,
                learning_rate: 0.3,
                ..GbdtParams::default()
            },
            &data,
            &y,
        ),
        Forest::new(ForestParams { n_trees: 20, min_data_in_leaf: 3, ..ForestParams::default() })
            .unwrap()
            .fit(&data, &y)
            .unwrap(),
    ];
    let mut monotone = GbdtParams { n_trees: 20, ..GbdtParams::default() };
    monotone.monotone.insert("x0".into(), Monotone::Increasing);
    models.push(gbdt(monotone, &data, &y));
    for (m, model) in models.iter().enumerate() {
        let (rows, _) = tangled(300, 100 + m as u64);
        let scores = model.predict_raw(&rows).unwrap();
        let explanation = model.explain(&rows).unwrap();
        assert!((explanation.bias() - model.expected_value()).abs() < 1e-12);
        for (r, score) in scores.iter().enumerate() {
            let total = explanation.row(r).iter().sum::<f64>() + explanation.bias();
            assert!((total - score).abs() < 1e-9, "model {m} row {r}: {total} vs {score}");
            let row: Vec<f64> = rows.features().iter().map(|f| f.column.value_f64(r)).collect();
            for (a, b) in model.explain_row(&row).iter().zip(explanation.row(r)) {
                assert!((a - b).abs() < 1e-12, "model {m} row {r}: tables and direct sums differ");
            }
        }
    }
}

/// E[score | the features in `subset` take the row's values], averaging the other
/// branches by cover: the definition path-dependent TreeSHAP explains.
fn conditional_expectation(model: &Model, row: &[f64], subset: u32) -> f64 {
    fn walk(nodes: &[Node], i: usize, row: &[f64], subset: u32) -> f64 {
        match &nodes[i] {
            Node::Leaf { value, .. } => *value,
            Node::Split { feature, test, left, right, cover, .. } => {
                if subset >> feature & 1 == 1 {
                    let next = if test.goes_left(row[*feature as usize]) { *left } else { *right };
                    walk(nodes, next as usize, row, subset)
                } else {
                    let (l, r) = (*left as usize, *right as usize);
                    (nodes[l].cover() * walk(nodes, l, row, subset)
                        + nodes[r].cover() * walk(nodes, r, row, subset))
                        / cover
                }
            }
        }
    }
    model.base_score() + model.trees().iter().map(|t| walk(t.nodes(), 0, row, subset)).sum::<f64>()
}

fn brute_force_shapley(model: &Model, row: &[f64]) -> Vec<f64> {
    let m = row.len();
    let factorial = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
    (0..m)
        .map(|i| {
            let mut phi = 0.0;
            for subset in 0..(1u32 << m) {
                if subset >> i & 1 == 1 {
                    continue;
                }
                let s = subset.count_ones() as usize;
                let weight = factorial(s) * factorial(m - s - 1) / factorial(m);
                phi += weight
                    * (conditional_expectation(model, row, subset | 1 << i)
                        - conditional_expectation(model, row, subset));
            }
            phi
        })
        .collect()
}

#[test]
fn shap_equals_brute_force_shapley_values() {
    let (data, y) = tangled(1500, 31);
    let models = [
        gbdt(
            GbdtParams {
                n_trees: 8,
                num_leaves: 12,
                min_data_in_leaf: 10,
                learning_rate: 0.3,
                ..GbdtParams::default()
            },
            &data,
            &y,
        ),
        Forest::new(ForestParams { n_trees: 3, min_data_in_leaf: 40, ..ForestParams::default() })
            .unwrap()
            .fit(&data, &y)
            .unwrap(),
    ];
    for model in &models {
        let (rows, _) = tangled(40, 77);
        let explanation = model.explain(&rows).unwrap();
        let empty = conditional_expectation(model, &[0.0; 4], 0);
        assert!((explanation.bias() - empty).abs() < 1e-12);
        for r in 0..rows.n_rows() {
            let row: Vec<f64> = rows.features().iter().map(|f| f.column.value_f64(r)).collect();
            let expected = brute_force_shapley(model, &row);
            for (a, b) in explanation.row(r).iter().zip(&expected) {
                assert!((a - b).abs() < 1e-9, "row {r}: {:?} vs {expected:?}", explanation.row(r));
            }
        }
    }
}

#[test]
fn same_seed_same_model_whatever_the_thread_count() {
    let (data, y) = tangled(20_000, 41);
    let params =
        GbdtParams { n_trees: 15, bagging_fraction: 0.8, feature_fraction: 0.75, ..GbdtParams::default() };
    let fit_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let gbdt = gbdt(params.clone(), &data, &y).to_json();
            let forest = Forest::new(ForestParams { n_trees: 6, ..ForestParams::default() })
                .unwrap()
                .fit(&data, &y)
                .unwrap()
                .to_json();
            (gbdt, forest)
        })
    };
    let one = fit_with(1);
    assert_eq!(one, fit_with(3));
    assert_eq!(one, fit_with(1));
    let other_seed = gbdt(GbdtParams { seed: 43, ..params.clone() }, &data, &y).to_json();
    assert_ne!(one.0, other_seed);
}

#[test]
fn saved_and_loaded_models_predict_and_explain_identically() {
    let (data, y) = tangled(3000, 51);
    let mut params = GbdtParams { n_trees: 30, ..GbdtParams::default() };
    params.monotone.insert("x1".into(), Monotone::Decreasing);
    let forest =
        Forest::new(ForestParams { n_trees: 10, ..ForestParams::default() }).unwrap().fit(&data, &y).unwrap();
    for model in [gbdt(params, &data, &y), forest] {
        let json = model.to_json();
        let loaded = Model::from_json(&json).unwrap();
        assert_eq!(loaded, model);
        assert_eq!(loaded.to_json(), json);
        let (a, b) = (model.predict_raw(&data).unwrap(), loaded.predict_raw(&data).unwrap());
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert_eq!(model.explain(&data).unwrap(), loaded.explain(&data).unwrap());
        assert_eq!(loaded.features()[3].name, "c");
    }
}

#[test]
fn loading_rejects_bad_files() {
    assert!(matches!(Model::from_json("{"), Err(ModelError::Parse(_))));
    let (data, y) = tangled(500, 52);
    let json = gbdt(GbdtParams { n_trees: 2, ..GbdtParams::default() }, &data, &y).to_json();
    let future = json.replacen("\"format_version\":1", "\"format_version\":99", 1);
    assert!(matches!(Model::from_json(&future), Err(ModelError::UnsupportedVersion { found: 99, .. })));
}

#[test]
fn early_stopping_keeps_the_best_round() {
    let (train, y) = tangled(3000, 61);
    let (valid, vy) = tangled(2000, 62);
    let params = GbdtParams {
        n_trees: 400,
        learning_rate: 0.3,
        num_leaves: 31,
        min_data_in_leaf: 5,
        early_stopping_rounds: Some(10),
        ..GbdtParams::default()
    };
    let model =
        Gbdt::new(params).unwrap().fit(&train, &y, Some(Validation { data: &valid, target: &vy })).unwrap();
    let log = model.training();
    let best = log.best_iteration.expect("stopped early");
    assert_eq!(model.trees().len(), best + 1);
    assert_eq!(log.validation_log_loss.len(), best + 11);
    let min = log.validation_log_loss.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(log.validation_log_loss[best], min);
}

#[test]
fn scoring_maps_features_by_name_and_checks_kinds() {
    let (data, y) = tangled(1000, 71);
    let model = gbdt(GbdtParams { n_trees: 5, ..GbdtParams::default() }, &data, &y);
    let reversed: Vec<Feature> = data.features().iter().rev().cloned().collect();
    let shuffled = Dataset::new(reversed).unwrap();
    assert_eq!(model.predict_raw(&shuffled).unwrap(), model.predict_raw(&data).unwrap());
    let missing = Dataset::new(data.features()[..3].to_vec()).unwrap();
    assert!(matches!(model.predict_raw(&missing), Err(ModelError::MissingFeature { .. })));
    let mut wrong = data.features().to_vec();
    wrong[3] = Feature::numeric("c", vec![0.0; 1000]);
    let wrong = Dataset::new(wrong).unwrap();
    assert!(matches!(model.predict_raw(&wrong), Err(ModelError::KindMismatch { .. })));
}

#[test]
fn training_rejects_bad_targets_and_constraints() {
    let (data, y) = tangled(100, 81);
    let fit = |params: GbdtParams, y: &[u8]| Gbdt::new(params).unwrap().fit(&data, y, None);
    assert!(matches!(fit(GbdtParams::default(), &y[..50]), Err(TrainError::TargetLength { .. })));
    assert!(matches!(fit(GbdtParams::default(), &[0; 100]), Err(TrainError::SingleClass { events: 0, .. })));
    let mut two = y.clone();
    two[3] = 2;
    assert!(matches!(
        fit(GbdtParams::default(), &two),
        Err(TrainError::TargetNotBinary { row: 3, value: 2 })
    ));
    let mut params = GbdtParams::default();
    params.monotone.insert("c".into(), Monotone::Increasing);
    assert!(matches!(fit(params, &y), Err(TrainError::MonotoneOnCategorical { .. })));
    let mut params = GbdtParams::default();
    params.monotone.insert("nope".into(), Monotone::Increasing);
    assert!(matches!(fit(params, &y), Err(TrainError::MonotoneUnknownFeature { .. })));
    assert!(matches!(
        Gbdt::new(GbdtParams { num_leaves: 1, ..GbdtParams::default() }),
        Err(TrainError::Param(_))
    ));
}

#[test]
fn models_rank_well_and_importance_finds_the_signal() {
    let (train, y) = tangled(4000, 91);
    let (test, ty) = tangled(2000, 92);
    let gbdt_model = gbdt(GbdtParams::default(), &train, &y);
    let forest = Forest::new(ForestParams { n_trees: 50, ..ForestParams::default() })
        .unwrap()
        .fit(&train, &y)
        .unwrap();
    for model in [&gbdt_model, &forest] {
        let p = model.predict_proba(&test).unwrap();
        assert!(p.iter().all(|p| (0.0..=1.0).contains(p)));
        let a = auc(&p, &ty);
        assert!(a > 0.75, "AUC {a}");
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        let rate = ty.iter().map(|&v| f64::from(v)).sum::<f64>() / ty.len() as f64;
        assert!((mean - rate).abs() < 0.03, "mean PD {mean} vs event rate {rate}");
    }
    let gain = gbdt_model.feature_importance(Importance::Gain);
    let top = gain.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!(top.0, "x0");
    let splits = gbdt_model.feature_importance(Importance::Splits);
    let total: f64 = splits.iter().map(|s| s.1).sum();
    let internal: usize = gbdt_model.trees().iter().map(|t| t.n_leaves() - 1).sum();
    assert_eq!(total, internal as f64);
}

fn auc(scores: &[f64], target: &[u8]) -> f64 {
    let (mut pairs, mut wins) = (0.0, 0.0);
    for (i, &si) in scores.iter().enumerate() {
        for (j, &sj) in scores.iter().enumerate() {
            if target[i] == 1 && target[j] == 0 {
                pairs += 1.0;
                wins += if si > sj {
                    1.0
                } else if si == sj {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    wins / pairs
}

/// Batch scoring compares order keys, single rows compare floats: both must send every
/// value, including missing, infinite and signed-zero ones, the same way.
#[test]
fn batch_and_single_row_scores_agree() {
    let (data, y) = tangled(2000, 95);
    let numeric_only = Dataset::new(data.features()[..3].to_vec()).unwrap();
    for data in [&data, &numeric_only] {
        let model = gbdt(GbdtParams { n_trees: 20, num_leaves: 31, ..GbdtParams::default() }, data, &y);
        let mut columns: Vec<Feature> = data.features().to_vec();
        for f in &mut columns {
            if let credence_trees::Column::Numeric(values) = &mut f.column {
                for (i, v) in values.iter_mut().enumerate().take(40) {
                    *v = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0][i % 5];
                }
            }
        }
        let probe = Dataset::new(columns).unwrap();
        let batch = model.predict_raw(&probe).unwrap();
        for (r, score) in batch.iter().enumerate() {
            let row: Vec<f64> = probe.features().iter().map(|f| f.column.value_f64(r)).collect();
            assert_eq!(score.to_bits(), model.predict_raw_row(&row).to_bits(), "row {r}");
        }
    }
}
