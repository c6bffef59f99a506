#!/usr/bin/env python3
"""Cross-validated AUC of the Python anchors on a CSV, over several fold seeds, so a
Credence model can be compared with them on the same folds count and seeds.

    python cv-anchors.py DATA.csv TARGET [--drop COL,COL] [--seeds 1,2,3] [--folds 10]

Needs pandas, scikit-learn, lightgbm and optbinning (a venv: `python3 -m venv /tmp/anchors
&& /tmp/anchors/bin/pip install optbinning lightgbm pandas scikit-learn`). For each seed,
stratified k-fold (shuffled with the seed) fits on k-1 folds and scores the held-out
fold: LightGBM with the anchor settings of the shared bench (200 trees, learning rate
0.05, 15 leaves, 2 threads) and an optbinning scorecard (BinningProcess over every column,
LogisticRegression). Prints one JSON line: the mean of the fold AUCs per seed and overall.
"""
import argparse
import json
import warnings

import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("target")
ap.add_argument("--drop", default="")
ap.add_argument("--seeds", default="1,2,3")
ap.add_argument("--folds", type=int, default=10)
args = ap.parse_args()

df = pd.read_csv(args.data)
y = df.pop(args.target).astype(int).to_numpy()
for c in [c for c in args.drop.split(",") if c]:
    df.pop(c)
cats = [c for c in df.columns if df[c].dtype == object]


def lightgbm_fold(train, test):
    import lightgbm as lgb
    X = df.copy()
    for c in cats:
        X[c] = X[c].astype("category")
    params = dict(objective="binary", learning_rate=0.05, num_leaves=15, num_threads=2, verbose=-1, seed=42)
    booster = lgb.train(params, lgb.Dataset(X.iloc[train], y[train]), num_boost_round=200)
    return booster.predict(X.iloc[test])


def optbinning_fold(train, test):
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression
    sc = Scorecard(binning_process=BinningProcess(list(df.columns), categorical_variables=cats),
                   estimator=LogisticRegression(), scaling_method="pdo_odds",
                   scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
    sc.fit(df.iloc[train], y[train])
    return sc.predict_proba(df.iloc[test])[:, 1]


out = {"rows": len(y), "features": df.shape[1], "folds": args.folds}
for name, fit in (("lightgbm", lightgbm_fold), ("optbinning", optbinning_fold)):
    per_seed = {}
    for seed in [int(s) for s in args.seeds.split(",")]:
        folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=seed)
        aucs = [roc_auc_score(y[test], fit(train, test)) for train, test in folds.split(df, y)]
        per_seed[seed] = round(sum(aucs) / len(aucs), 4)
    out[name] = {"per_seed": per_seed, "mean": round(sum(per_seed.values()) / len(per_seed), 4)}
print(json.dumps(out))
