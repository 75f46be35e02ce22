#!/usr/bin/env bash
# The HTTP API against its own OpenAPI document: starts `kpitree serve` on a free loopback port and
# runs schemathesis (PyPI, pinned) on /openapi.json with a fixed number of examples per operation and
# a time cap. Fails on any 5xx, any status code, content type or body the document does not list,
# and on any schemathesis error. About a minute on 2 cores once the venv and the binary exist.
#
#   bash tests/schemathesis.sh            # builds the debug binary if needed
#   KPITREE_BIN=path/to/kpitree bash tests/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5            # schemathesis, pinned: its checks change between releases
examples=${SCHEMATHESIS_EXAMPLES:-25}
max_time=${SCHEMATHESIS_MAX_TIME:-100}
out="${CARGO_TARGET_DIR:-target}"
venv="$out/schemathesis/venv"

if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $version"; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi

bin=${KPITREE_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q -p kpitree-cli --locked
  bin="$out/debug/kpitree"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Short limits so that nothing schemathesis sends can keep it long: 64 KiB bodies, 5 s per evaluation.
# No plugins, and an empty web root (not the repository's web/): the document describes the API only.
NO_COLOR=1 RUST_LOG=info "$bin" serve --addr 127.0.0.1:0 --max-body-mib 1 --timeout-ms 5000 \
  --max-concurrent 2 --max-queue 64 --queue-ms 5000 --web "$work" 2>"$work/server.log" &
server=$!
addr=""
for _ in $(seq 1 100); do
  addr=$(sed -n 's/.*listening.*addr=\([^ ]*\).*/\1/p' "$work/server.log" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "kpitree serve exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { cat "$work/server.log" >&2; echo "kpitree serve did not start" >&2; exit 1; }

# What "schema-valid data" may get: a JSON tree can match the document's schema and still be invalid
# (duplicate ids, unknown parents, cycles: what JSON Schema cannot say), 422; a `text/csv` body is
# documented as text (no schema says what a CSV tree is), so any string is schema-valid and most are
# 400 `syntax`.
cat >"$work/schemathesis.toml" <<'TOML'
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "400", "422"]
TOML

status=0
# One worker: hypothesis's generators are not thread-safe on every Python (3.11 raised SystemError).
timeout $((max_time + 60)) "$venv/bin/st" --config-file "$work/schemathesis.toml" --no-color \
  run "http://$addr/openapi.json" \
  --checks all \
  --max-examples "$examples" \
  --max-time "$max_time" \
  --request-timeout 10 \
  --workers 1 \
  --seed 1 \
  --report junit --report-dir "$out/schemathesis/report" \
  || status=$?
if [ "$status" != 0 ]; then
  echo "--- server log (last 40 lines)" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
