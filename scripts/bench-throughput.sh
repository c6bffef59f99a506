#!/usr/bin/env bash
# Throughput of the portfolio batch commands of a built `credence` binary on a demo
# portfolio: building the demo (only when the database does not exist yet), a cold rating
# run (page cache dropped first), two warm rating runs, two full warning runs (the first
# raises every alert, the second finds them standing), a policy run,
# and a T+1 drop that adds an invoice for every 100th customer followed by a rating run
# of the changed customers only. Each run is timed with /usr/bin/time -v; one line per run
# gives its name, wall seconds, peak resident set size (MB) and the database's size after
# it (MB; a SQLite database counts its -wal and -shm files). The commands' own reports,
# the rating run's read/compute/write seconds among them, are printed indented above.
#
#   scripts/bench-throughput.sh BINARY DATABASE [CUSTOMERS=1000000]
#
# DATABASE is a SQLite file path or a postgres:// URL (an existing, possibly empty
# database). Dropping the page cache needs root; without it the cold run is warm.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
bin=$1
db=$2
customers=${3:-1000000}
as_of=2026-09-30
[ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 2; }
case $db in
postgres://* | postgresql://*)
  postgres=1
  command -v psql >/dev/null || { echo "psql is needed for a postgres database" >&2; exit 2; }
  ;;
*)
  postgres=0
  command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3" >&2; exit 2; }
  ;;
esac
export CREDENCE_DB=$db
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Database size in MB.
db_mb() {
  local bytes=0 f
  if [ "$postgres" = 1 ]; then
    bytes=$(psql "$db" -tAqc 'SELECT pg_database_size(current_database())')
  else
    for f in "$db" "$db-wal" "$db-shm"; do
      [ -e "$f" ] && bytes=$((bytes + $(stat -c %s "$f")))
    done
  fi
  awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }'
}

# True when the database holds a portfolio already.
has_portfolio() {
  if [ "$postgres" = 1 ]; then
    [ "$(psql "$db" -tAqc 'SELECT count(*) FROM customers' 2>/dev/null || echo 0)" -gt 0 ]
  else
    [ -s "$db" ]
  fi
}

declare -a names=() sizes=()

# timed NAME ARGS...: runs the binary with ARGS under /usr/bin/time, prints its output
# indented and the line `NAME wall_s peak_rss_mb db_size_mb`. A failing run is reported
# and the benchmark goes on.
timed() {
  local name=$1 rc=0 wall rss size
  shift
  /usr/bin/time -v -o "$work/time" "$bin" "$@" >"$work/out" 2>&1 || rc=$?
  # Peer alerts are counted, not listed; a long report keeps its head and its tail.
  grep -c '^peer alert:' "$work/out" | awk '$1 > 0 { print "    (" $1 " peer alerts)" }' || true
  grep -v '^peer alert:' "$work/out" >"$work/shown" || true
  if [ "$(wc -l <"$work/shown")" -le 50 ]; then
    sed 's/^/    /' "$work/shown"
  else
    sed -n '1,35s/^/    /p' "$work/shown"
    echo "    … ($(($(wc -l <"$work/shown") - 45)) lines)"
    tail -n 10 "$work/shown" | sed 's/^/    /'
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/time")
  size=$(db_mb)
  if [ "$rc" != 0 ]; then
    echo "$name FAILED (exit $rc) after $wall s"
    return 0
  fi
  echo "$name $wall $rss $size"
  names+=("$name")
  sizes+=("$size")
}

echo "# $("$bin" --version) on $(nproc) cores, $customers customers, database $db"
echo "# name wall_s peak_rss_mb db_size_mb"
if has_portfolio; then
  echo "# the database holds a portfolio already: demo not built ($(db_mb) MB)"
else
  timed demo demo --records-only --customers "$customers" --seed 1
fi
start_mb=$(db_mb)

if [ "$postgres" = 1 ]; then
  echo "# cold: the page cache is dropped; PostgreSQL's shared buffers stay warm"
fi
if ! { sync && echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
  echo "# could not drop the page cache (needs root): rate-cold runs on a warm cache"
fi
timed rate-cold rate --as-of "$as_of"
timed rate-warm-1 rate --as-of "$as_of"
timed rate-warm-2 rate --as-of "$as_of"
timed warn-all warn --as-of "$as_of" --all
timed warn-all-again warn --as-of "$as_of" --all
timed policy-apply policy apply --as-of "$as_of" --lang en --limit 5

# The T+1 drop: one new invoice, issued on the rating date, for every 100th customer.
if [ "$postgres" = 1 ]; then
  psql "$db" -tAqc 'SELECT customer_id FROM customers ORDER BY customer_id' >"$work/ids"
else
  sqlite3 "$db" 'SELECT customer_id FROM customers ORDER BY customer_id' >"$work/ids"
fi
stamp=$(date +%s)
{
  echo "invoice_no,customer_id,issue_date,due_date,amount,currency"
  awk -v s="$stamp" -v d="$as_of" 'NR % 100 == 0 { printf "T1-%s-%s,%s,%s,2026-10-30,5000000.00,CNY\n", s, $1, $1, d }' "$work/ids"
} >"$work/invoices.csv"
echo "# T+1 drop: $(($(wc -l <"$work/invoices.csv") - 1)) invoices for every 100th of $(wc -l <"$work/ids") customers"
timed import-t1 import invoices "$work/invoices.csv" --as-of 2026-10-01
timed rate-changed rate --as-of "$as_of" --changed

# Growth of the database per full rating run.
prev=$start_mb
for i in "${!names[@]}"; do
  case ${names[$i]} in
  rate-cold | rate-warm-*)
    echo "# ${names[$i]} grew the database by $(awk -v a="${sizes[$i]}" -v b="$prev" 'BEGIN { printf "%.1f", a - b }') MB"
    ;;
  esac
  prev=${sizes[$i]}
done
