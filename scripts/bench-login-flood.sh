#!/usr/bin/env bash
# Sign-in flood on loopback with wrk (Debian package `wrk`): how many wrong sign-ins the
# server answers per second, and the latency of credit-standing reads (an API token) while
# the flood runs, against the same reads without it. Two floods:
# - one address guessing passwords for many usernames (throttled after its failures);
# - a guesser spread over many addresses (each request names a new client through a
#   declared proxy) trying unknown usernames, so nothing is throttled and every attempt
#   asks for an Argon2 check: the password pool's queue turns the excess away.
#
#   scripts/bench-login-flood.sh [CUSTOMERS=20000] [SECONDS=15] [FLOOD_CONNECTIONS=64]
set -euo pipefail
customers=${1:-20000}
seconds=${2:-15}
flood=${3:-64}
work=$(mktemp -d)
trap 'kill "${server:-0}" "${reads:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet -p credence-cli
bin=target/release/credence
export CREDENCE_DB="$work/bench.db"
"$bin" demo --customers "$customers" >/dev/null
NEW_PASSWORD="bench passphrase 1" "$bin" user add bench --name bench --role risk_manager --password-env NEW_PASSWORD >/dev/null
token=$("$bin" token create bench --name wrk 2>/dev/null | awk '{print $NF}')
# Loopback is declared the proxy, so the spread flood can name its client addresses.
"$bin" serve --addr 127.0.0.1:18081 --no-jobs --log error --trusted-proxy 127.0.0.1 &
server=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/readyz >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:18081/api/v1/portfolio >/dev/null
cat > "$work/standing.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/api/v1/customers/C%07d/standing", (n * 7919) % $customers + 1))
end
LUA
cat > "$work/one-address.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-For"] = "192.0.2.1"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/session", nil, '{"username":"user' .. (n % 500) .. '","password":"guess ' .. n .. '"}')
end
LUA
cat > "$work/spread.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, "/api/v1/session", nil, '{"username":"nobody' .. n .. '","password":"guess"}')
end
LUA
reads() {
  wrk -t1 -c8 -d"${seconds}s" --latency -s "$work/standing.lua" http://127.0.0.1:18081 > "$work/reads.txt"
}
echo "== standing reads alone (8 connections)"
reads; grep -E "Requests/sec|99%" "$work/reads.txt"
for f in one-address spread; do
  echo "== $f flood ($flood connections) with the standing reads beside it"
  reads & reads=$!
  wrk -t1 -c"$flood" -d"${seconds}s" --latency -s "$work/$f.lua" http://127.0.0.1:18081 | grep -E "Requests/sec|99%|Non-2xx"
  wait "$reads"
  echo "-- standing reads during the flood"
  grep -E "Requests/sec|99%" "$work/reads.txt"
done
