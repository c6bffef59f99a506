#!/usr/bin/env bash
# The next-month arrears model on real data: the public UCI credit-card default file
# (30,000 accounts) loaded as billing accounts, bills and payments
# (scripts/uci-billing.py), its data set built by `credence utility dataset`, and a GBDT
# trained by `credence model train` with 10-fold cross-validation over several fold
# seeds — with the behaviour the billing records hold, and again with the file's
# demographic columns joined. With ANCHORS_PYTHON (a Python with pandas, scikit-learn,
# lightgbm and optbinning), LightGBM and optbinning are cross-validated on the flat file
# (without ID) over the same seeds, with every column and with the behaviour columns only.
#
#   [ANCHORS_PYTHON=/tmp/anchors/bin/python] scripts/bench-uci-billing.sh BINARY UCI.csv [SEEDS=1,2,3]
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
bin=$1
uci=$2
seeds=${3:-1,2,3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CREDENCE_DB=$work/uci.db

python3 "$here/uci-billing.py" "$uci" "$work/records"
start=$(date +%s.%N)
"$bin" load "$work/records" | grep -v '^skipped'
"$bin" utility dataset --as-of 2005-09-30 --out "$work/behaviour.csv" | head -1
echo "# load and data set: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"

# The data set with the demographic columns joined by account.
python3 - "$work/behaviour.csv" "$work/records/demographics.csv" "$work/all.csv" <<'EOF'
import csv, sys
demo = {r["account_id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
extra = ["SEX", "EDUCATION", "MARRIAGE", "AGE"]
with open(sys.argv[1], newline="") as f, open(sys.argv[3], "w", newline="") as out:
    rows = csv.DictReader(f)
    w = csv.DictWriter(out, fieldnames=rows.fieldnames[:-1] + extra + rows.fieldnames[-1:])
    w.writeheader()
    for r in rows:
        r.update({k: demo[r["account_id"]][k] for k in extra})
        w.writerow(r)
EOF

# Mean cross-validated AUC of a Credence GBDT per seed, and over the seeds.
credence_cv() {
  local data=$1 line="" sum=0 n=0 auc seed
  for seed in ${seeds//,/ }; do
    auc=$("$bin" model train --data "$data" --target arrears_next_month --kind gbdt --folds 10 --seed "$seed" \
      --out "$work/model.json" --format json 2>/dev/null |
      python3 -c 'import json, sys; print(round(json.load(sys.stdin)["validation"]["mean"]["auc"], 4))')
    line="$line $seed:$auc"
    sum=$(awk -v a="$sum" -v b="$auc" 'BEGIN { print a + b }')
    n=$((n + 1))
  done
  echo "$(awk -v s="$sum" -v n="$n" 'BEGIN { printf "%.4f", s / n }') (per seed$line)"
}

echo "# 10-fold cross-validated AUC, seeds $seeds"
echo "credence gbdt, billing behaviour:          $(credence_cv "$work/behaviour.csv")"
echo "credence gbdt, behaviour + demographics:   $(credence_cv "$work/all.csv")"
if [ -n "${ANCHORS_PYTHON:-}" ]; then
  python3 - "$uci" "$work/flat.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for r in csv.reader(f):
        w.writerow(r[1:])
EOF
  echo "anchors, every column:        $("$ANCHORS_PYTHON" "$here/cv-anchors.py" "$work/flat.csv" DEFAULT --seeds "$seeds")"
  echo "anchors, behaviour columns:   $("$ANCHORS_PYTHON" "$here/cv-anchors.py" "$work/flat.csv" DEFAULT --seeds "$seeds" --drop SEX,EDUCATION,MARRIAGE,AGE)"
fi
