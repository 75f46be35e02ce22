#!/usr/bin/env bash
# Load test of `kpitree serve` (a benchmark, not part of the test suite): loopback only, bounded in
# time, stops by itself. For a 100-node and a 10k-node generated tree, with and without the
# owner-teams plugin: throughput and p50/p99 latency (wrk, Debian's package, with load/post.lua), and
# the server's RSS sampled every second over the run. The server is pinned to 2 cores (taskset).
#
#   bash crates/kpitree-server/load/run.sh [SECONDS_PER_RUN (default 20)] [CONNECTIONS (default 8)]
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs="${1:-20}"
conns="${2:-8}"
out="${CARGO_TARGET_DIR:-target}"
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
# One build for both (building them apart would unify features differently and rebuild).
cargo build --release -p kpitree-cli -p kpitree-server --bin kpitree --example gen_tree --locked
cargo build -p owner-teams --target wasm32-unknown-unknown --release --locked
"$out/release/examples/gen_tree" 100 > "$work/t100.json"
"$out/release/examples/gen_tree" 10000 > "$work/t10k.json"
mkdir -p "$work/plugins"
cp "$out/wasm32-unknown-unknown/release/owner_teams.wasm" "$work/plugins/"
# The plugin's teams: the 10k tree's owners but every tenth, so some owners become findings.
python3 - "$work/t10k.json" > "$work/owner-teams.toml" <<'PY'
import json, sys
owners = sorted({n["owner"] for n in json.load(open(sys.argv[1]))["nodes"] if n.get("owner")})
print("[plugins.owner-teams]\nteams = " + json.dumps([o for k, o in enumerate(owners) if k % 10]))
PY

port=18080
printf '%-6s %-7s %8s %9s %9s %9s %8s %10s %10s %s\n' tree plugin requests req/s p50_ms p99_ms non2xx rss_start rss_max "(peak 1st half / 2nd half, end)"
for tree in t100 t10k; do
  for plugin in no yes; do
    args=(serve --addr "127.0.0.1:$port" --max-concurrent 2 --max-queue 256 --queue-ms 30000 --timeout-ms 60000)
    if [ "$plugin" = yes ]; then args+=(--plugins "$work/plugins" --config "$work/owner-teams.toml"); else args+=(--config /dev/null); fi
    RUST_LOG=warn taskset -c 0,1 "$out/release/kpitree" "${args[@]}" 2>"$work/server.log" &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    # Warm up (first compilations, allocator pools) before measuring.
    TREE="$work/$tree.json" wrk -t1 -c2 -d2s -s crates/kpitree-server/load/post.lua "http://127.0.0.1:$port/v1/check" >/dev/null
    rss() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
    start=$(rss); max=$start
    ( while kill -0 "$server" 2>/dev/null; do rss; sleep 1; done ) > "$work/rss" &
    sampler=$!
    line=$(TREE="$work/$tree.json" wrk -t2 -c"$conns" -d"${secs}s" --timeout 30s -s crates/kpitree-server/load/post.lua \
      "http://127.0.0.1:$port/v1/check" | grep '^RESULT')
    kill "$sampler" 2>/dev/null || true
    max=$(sort -n "$work/rss" | tail -1)
    # Flat memory: the peak of the run's second half is no higher than the first half's.
    n=$(wc -l < "$work/rss")
    first=$(head -n $((n / 2)) "$work/rss" | sort -n | tail -1)
    second=$(tail -n +$((n / 2 + 1)) "$work/rss" | sort -n | tail -1)
    end=$(rss)
    kill -TERM "$server"; wait "$server" || true; server=
    get() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf '%-6s %-7s %8s %9s %9s %9s %8s %6s MiB %6s MiB (%s / %s, end %s MiB)\n' "$tree" "$plugin" "$(get requests)" \
      "$(get rps)" "$(get p50_ms)" "$(get p99_ms)" "$(get non2xx)" "$((start / 1024))" "$((max / 1024))" \
      "$((first / 1024))" "$((second / 1024))" "$((end / 1024))"
    port=$((port + 1))
  done
done
