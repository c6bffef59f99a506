#!/usr/bin/env bash
# Builds the release binary and installs it as DIR/credence: the build step of the
# Dockerfile, which the CI runs directly (scripts/container-smoke.sh) so it cannot rot.
#
#   scripts/build-release.sh DIR
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cd "$(dirname "$0")/.."
cargo build --release --locked -p credence-cli
install -D -m 0755 target/release/credence "$1/credence"
