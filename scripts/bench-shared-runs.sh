#!/usr/bin/env bash
# A whole-portfolio rating run shared by instances, against the same run made by one
# process: on a demo portfolio (built only when the database holds none), a warm-up run,
# then a run by one process (`rate`), a shared run with one instance (`rate --shared`) and
# a shared run with two instances started together. One line per run gives its name, wall
# seconds, customers rated per second and each instance's peak resident set size (MB).
# The instances run on this machine, so they share its cores: on a machine whose cores
# one instance already keeps busy, a second instance adds failover rather than speed.
#
#   scripts/bench-shared-runs.sh BINARY DATABASE [CUSTOMERS=1000000] [PARTS]
#
# DATABASE is a SQLite file path or a postgres:// URL. PARTS defaults to the command's
# own choice (one part per 16,000 customers).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
bin=$1
db=$2
customers=${3:-1000000}
parts=${4:-}
as_of=2026-09-30
[ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 2; }
export CREDENCE_DB=$db
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
part_args=()
[ -n "$parts" ] && part_args=(--parts "$parts")

# run NAME ARGS... in the background under /usr/bin/time, its report in $work/NAME.out.
run() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/$name.time" "$bin" "$@" >"$work/$name.out" 2>&1 &
}

rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/$1.time"; }

# report NAME SECONDS INSTANCES...: the line for a run timed from outside.
report() {
  local name=$1 secs=$2 rated=0 line i
  shift 2
  line=""
  for i in "$@"; do
    { head -n 2 "$work/$i.out"; grep '^run .* finished\|^run .* not finished' "$work/$i.out" || true; } | sed 's/^/    /'
    line="$line $(rss "$i")"
  done
  rated=$(grep -ho '[0-9]* rated, [0-9]* skipped' "$work/$1.out" | head -n 1 | awk '{ print $1 }')
  for i in "$@"; do
    grep -q '^run .* finished.*: [0-9]* rated' "$work/$i.out" &&
      rated=$(sed -n 's/^run .* finished.*: \([0-9]*\) rated.*/\1/p' "$work/$i.out")
  done
  echo "$name $secs $(awk -v n="$rated" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')$line"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

echo "# $("$bin" --version) on $(nproc) cores, $customers customers, database $db"
if [ ! -s "$db" ] && [[ $db != postgres* ]]; then
  echo "# building the demo"
  "$bin" demo --records-only --customers "$customers" --seed 1 >/dev/null
elif [[ $db == postgres* ]] && [ "$(psql "$db" -tAqc 'SELECT count(*) FROM customers' 2>/dev/null || echo 0)" -eq 0 ]; then
  echo "# building the demo"
  "$bin" demo --records-only --customers "$customers" --seed 1 >/dev/null
fi
echo "# name wall_s customers_per_s peak_rss_mb_per_instance"
t=$(now); run warm-up rate --as-of "$as_of"; wait; report warm-up "$(elapsed "$t")" warm-up
t=$(now); run one-process rate --as-of "$as_of"; wait; report one-process "$(elapsed "$t")" one-process
t=$(now); run shared-1 rate --as-of "$as_of" --shared "${part_args[@]}" --instance a; wait
report shared-1-instance "$(elapsed "$t")" shared-1
t=$(now)
run shared-2a rate --as-of "$as_of" --shared "${part_args[@]}" --instance a
run shared-2b rate --as-of "$as_of" --shared "${part_args[@]}" --instance b
wait
report shared-2-instances "$(elapsed "$t")" shared-2a shared-2b
