#!/usr/bin/env bash
# Load benchmark of the HTTP API on loopback with wrk (Debian package `wrk`): credit
# checks (POST /api/v1/checks with an API token) and customer reads (credit standing, the
# list page, and one customer's full page with indicators and trends), on a demo
# portfolio. Prints wrk's figures for each.
#
#   scripts/bench-server.sh [CUSTOMERS=100000] [SECONDS=20] [CONNECTIONS=32]
set -euo pipefail
customers=${1:-100000}
seconds=${2:-20}
connections=${3:-32}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet -p credence-cli
bin=target/release/credence
export CREDENCE_DB="$work/bench.db"
"$bin" demo --records-only --customers "$customers" >/dev/null
"$bin" rate --as-of 2026-09-30 >/dev/null
NEW_PASSWORD="bench passphrase 1" "$bin" user add bench --name bench --role risk_manager --password-env NEW_PASSWORD >/dev/null
token=$("$bin" token create bench --name wrk 2>/dev/null | awk '{print $NF}')
"$bin" serve --addr 127.0.0.1:18080 --no-jobs --log warn &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18080/readyz >/dev/null 2>&1 && break; sleep 0.2; done
cat > "$work/check.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = n + 1
  local id = string.format("C%07d", (n * 7919) % $customers + 1)
  return wrk.format(nil, "/api/v1/checks", nil, '{"customer_id":"' .. id .. '","amount":"125000.00"}')
end
LUA
cat > "$work/read.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/api/v1/customers?per_page=20&page=%d", n % 100 + 1))
end
LUA
cat > "$work/standing.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/api/v1/customers/C%07d/standing", (n * 7919) % $customers + 1))
end
LUA
cat > "$work/show.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/api/v1/customers/C%07d", (n * 7919) % $customers + 1))
end
LUA
# The first check builds the day's exposure book; time it, then measure warm.
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"customer_id":"C0000001","amount":"1.00"}' http://127.0.0.1:18080/api/v1/checks >/dev/null
echo "exposure book of $customers customers built in $(echo "$(date +%s.%N) - $start" | bc) s"
for script in check standing read show; do
  echo "== $script"
  wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work/$script.lua" http://127.0.0.1:18080
done
