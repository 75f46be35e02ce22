#!/usr/bin/env bash
# Time and peak memory of the CLI on the benchmark shapes (crates/kpitree-core/benches/generator/shapes.rs)
# at 10k, 100k and 1M nodes, as a markdown table: one row per document, one column per command, each cell
# "seconds / max RSS in MB (RSS as a multiple of the document's size)".
#
#   scripts/bench-shapes.sh [SIZE...]          (default: 10000 100000 1000000)
#
# Environment:
#   KPITREE=path      the binary to measure (default: target/release/kpitree, built if missing)
#   TIMEOUT=seconds   per command (default 120); a command still running then shows as ">120 s"
#   SHAPES="a b"      only these shapes (default: all; see shapes.rs for the names)
#   SHAPES_DIR=dir    where the documents are written (default: target/shapes; kept between runs)
#   MEM_LIMIT_MB=n    address-space cap per command (default 8192; 0: none), so a runaway command
#                     fails alone instead of taking the machine's memory ("out of memory" in its cell)
#
# Needs GNU time at /usr/bin/time. A command that crashes says how ("stack overflow", "killed: SIGSEGV").
# The plain tree is realistic (twelve measurements a KPI): about 1.3 KB a node, 1.3 GB at 1M nodes.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
timeout_s=${TIMEOUT:-120}
mem_limit_mb=${MEM_LIMIT_MB:-8192}
dir=${SHAPES_DIR:-target/shapes}
shapes=(${SHAPES:-plain deep-chain long-cycle one-line one-line-invalid wide-fan many-parents shared-chain})
bin=${KPITREE:-target/release/kpitree}
if [ -z "${KPITREE:-}" ] && [ ! -x "$bin" ]; then
    cargo build --release -q -p kpitree-cli >&2
fi
[ -x "$bin" ] || { echo "bench-shapes: $bin is not an executable" >&2; exit 2; }

label() { if (( $1 % 1000 == 0 )); then echo "$(( $1 / 1000 ))k"; else echo "$1"; fi; }

# Generate what is missing, with the generator the benchmarks use.
missing=()
for n in "${sizes[@]}"; do
    for s in "${shapes[@]}"; do
        [ -f "$dir/$s-$(label "$n").json" ] || missing+=("$n")
    done
done
if [ ${#missing[@]} -gt 0 ]; then
    shape_args=()
    for s in "${shapes[@]}"; do shape_args+=(--shape "$s"); done
    cargo run --release -q -p kpitree-core --example shapes -- "$dir" $(printf '%s\n' "${missing[@]}" | sort -un) \
        "${shape_args[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One measurement: prints the cell.
measure() {
    local bytes=$1
    shift
    local status=0
    (
        if [ "$mem_limit_mb" -gt 0 ]; then ulimit -v $((mem_limit_mb * 1024)); fi
        exec /usr/bin/time -f '%e %M' -o "$work/time" timeout "$timeout_s" "$@"
    ) >/dev/null 2>"$work/stderr" || status=$?
    local secs kb
    read -r secs kb < <(grep -E '^[0-9.]+ [0-9]+$' "$work/time" | tail -1)
    if [ "$status" -eq 124 ]; then
        printf '>%s s' "$timeout_s"
        return
    fi
    local mb ratio
    mb=$(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }')
    ratio=$(awk -v k="$kb" -v b="$bytes" 'BEGIN { printf "%.1f", k * 1024 / b }')
    printf '%s s / %s MB (%sx)' "$secs" "$mb" "$ratio"
    if grep -q 'has overflowed its stack' "$work/stderr"; then
        printf ', stack overflow'
    elif grep -q 'memory allocation of .* failed' "$work/stderr"; then
        printf ', out of memory (cap %s MB)' "$mem_limit_mb"
    elif [ "$status" -gt 128 ]; then
        printf ', killed: SIG%s' "$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
    elif [ "$status" -gt 2 ]; then
        printf ', exit %s' "$status"
    fi
}

echo "kpitree: $bin ($("$bin" --version 2>/dev/null || echo unknown version)); timeout ${timeout_s} s; $(nproc) cores"
echo
echo "| shape | nodes | MB | validate | check text | check json | check sarif | prune --dry-run | convert csv |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    for s in "${shapes[@]}"; do
        f="$dir/$s-$(label "$n").json"
        bytes=$(stat -c %s "$f")
        row="| $s | $(label "$n") | $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') |"
        row+=" $(measure "$bytes" "$bin" validate "$f") |"
        for format in text json sarif; do
            row+=" $(measure "$bytes" "$bin" check --no-config --format "$format" "$f") |"
        done
        row+=" $(measure "$bytes" "$bin" prune --no-config --dry-run "$f") |"
        row+=" $(measure "$bytes" "$bin" convert "$f" -o "$work/out.csv") |"
        echo "$row"
    done
done
