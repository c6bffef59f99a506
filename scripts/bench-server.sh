#!/usr/bin/env bash
# Load benchmark of the HTTP API and the cockpit on loopback with wrk (Debian package
# `wrk`): credit checks (POST /api/v1/checks with an API token), customer reads (credit
# standing, the list page, one customer's full page), the portfolio overview, and the
# cockpit's pages (signed in with a session cookie), on a rated and warned demo portfolio.
# Prints the time to warm the portfolio snapshot and wrk's figures for each.
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
"$bin" warn --as-of 2026-09-30 --all >/dev/null
NEW_PASSWORD="bench passphrase 1" "$bin" user add bench --name bench --role risk_manager --password-env NEW_PASSWORD >/dev/null
token=$("$bin" token create bench --name wrk 2>/dev/null | awk '{print $NF}')
"$bin" serve --addr 127.0.0.1:18080 --no-jobs --log warn --as-of 2026-09-30 &
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
cookie=$(curl -s -D - -o /dev/null -d "username=bench&password=bench passphrase 1" \
  http://127.0.0.1:18080/login | awk -F'[ ;]' 'tolower($1) == "set-cookie:" {print $2}')
cat > "$work/portfolio.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
request = function() return wrk.format("GET", "/api/v1/portfolio") end
LUA
cat > "$work/cockpit.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
request = function() return wrk.format("GET", "/cockpit") end
LUA
cat > "$work/page360.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/customers/C%07d", (n * 7919) % $customers + 1))
end
LUA
# The server warms the portfolio snapshot (positions and the exposure book) when it
# starts; wait for it, then measure warm.
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:18080/api/v1/portfolio >/dev/null
echo "portfolio snapshot of $customers customers ready in $(echo "$(date +%s.%N) - $start" | bc) s after start"
for script in check standing read show portfolio cockpit page360; do
  echo "== $script"
  wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work/$script.lua" http://127.0.0.1:18080
done
