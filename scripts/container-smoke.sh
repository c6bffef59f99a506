#!/usr/bin/env bash
# Runs the Dockerfile's build and start commands directly (these machines have no
# container runtime), so the image recipe cannot rot: checks that the Dockerfile still
# builds with scripts/build-release.sh and starts `credence --config
# /etc/credence/credence.toml serve` with deploy/credence.toml, then builds the binary the
# same way, starts it on that configuration (the database and address set through the
# environment, as a container's would be), waits until /readyz answers, checks the
# configuration, takes a backup, and stops it with SIGTERM, which must end it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "container smoke test: $*" >&2; exit 1; }
grep -qx 'RUN scripts/build-release.sh /out' Dockerfile || fail "the Dockerfile no longer builds with scripts/build-release.sh"
grep -qx 'COPY deploy/credence.toml /etc/credence/credence.toml' Dockerfile || fail "the Dockerfile no longer installs deploy/credence.toml"
grep -qx 'ENTRYPOINT \["credence", "--config", "/etc/credence/credence.toml"\]' Dockerfile || fail "the Dockerfile's entry point changed"
grep -qx 'CMD \["serve"\]' Dockerfile || fail "the Dockerfile's command changed"

work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill -KILL "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
scripts/build-release.sh "$work/bin"
bin="$work/bin/credence"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CREDENCE_DB="$work/credence.db" CREDENCE_SERVER_ADDR="127.0.0.1:$port"
"$bin" --config deploy/credence.toml config check >"$work/check.txt" || { cat "$work/check.txt"; fail "config check failed"; }
grep -q "^database.url .*environment CREDENCE_DB" "$work/check.txt" || fail "the environment did not override the file"
"$bin" --config deploy/credence.toml serve 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited at start"; }
    sleep 0.2
done
[ "$(curl -fsS "http://127.0.0.1:$port/readyz")" = "ready" ] || { cat "$work/server.log" >&2; fail "/readyz never answered ready"; }
"$bin" --config deploy/credence.toml backup --to "$work/backup.db" >/dev/null || fail "a backup of the served database failed"
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
[ "$status" -eq 0 ] || { cat "$work/server.log" >&2; fail "the server exited with $status on SIGTERM"; }
grep -q '"stopped"' "$work/server.log" || { cat "$work/server.log" >&2; fail "the server did not log its stop"; }
echo "container smoke test: built, served, ready, backed up and stopped cleanly"
