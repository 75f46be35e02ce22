#!/usr/bin/env bash
# A bounded run of every cargo-fuzz target in fuzz/ (see fuzz/README.md): installs a nightly toolchain
# and cargo-fuzz when missing, builds the targets, and runs each for FUZZ_SECONDS from the committed
# seeds. Exits 1 when a target finds a crash, a timeout or an out-of-memory input, naming the
# reproducer; fix the bug, then add the reproducer as a regression fixture (fuzz/README.md says where).
#
#   bash tests/fuzz.sh                      # every target, 45 s each
#   FUZZ_SECONDS=600 bash tests/fuzz.sh ktr_view csv_tree
#
# Environment: FUZZ_SECONDS (per target, default 45), FUZZ_TIMEOUT (seconds one input may take,
# default 10), FUZZ_RSS_MB (memory limit, default 2048), FUZZ_JOBS (parallel processes per target,
# default 1).
#
# New inputs go to fuzz/corpus/<target>/ (ignored by git; kept between local runs), never into the
# committed fuzz/seeds/. Crashes go to fuzz/artifacts/<target>/. The build is in fuzz/target/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-45}"
timeout="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
jobs="${FUZZ_JOBS:-1}"
# cargo-fuzz's version, for installs (any 0.13 works).
cargo_fuzz_version=0.13.2

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: installing a nightly toolchain (cargo-fuzz needs -Zsanitizer)"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz $cargo_fuzz_version"
    cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

mapfile -t all < <(cargo +nightly fuzz list --fuzz-dir fuzz)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

dict_for() {
    case "$1" in
        json_tree | json_lite_diff | plugin_response | data_files) echo fuzz/dict/json.dict ;;
        csv_tree) echo fuzz/dict/csv.dict ;;
        config) echo fuzz/dict/toml.dict ;;
        custom_rules) echo fuzz/dict/cel.dict ;;
    esac
}

# Debug assertions on (overflow checks): an arithmetic overflow is a crash too.
start=$(date +%s)
# All targets in one cargo invocation (they share every dependency); `run` below reuses the build.
cargo +nightly fuzz build --fuzz-dir fuzz --debug-assertions
echo "fuzz: built in $(($(date +%s) - start)) s"
bin="fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

# As `cargo fuzz run` sets it: Rust's generics trip ASan's one-definition-rule check falsely.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}"
failed=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    before=$(find "fuzz/artifacts/$t" -type f | sort)
    args=(-max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" -max_len=131072
        -print_final_stats=1)
    dict=$(dict_for "$t")
    [ -z "$dict" ] || args+=(-dict="$dict")
    [ "$jobs" -le 1 ] || args+=(-fork="$jobs")
    echo "fuzz: $t for ${seconds} s"
    status=0
    # The binary itself, not `cargo fuzz run`, which would rebuild first. The writable corpus comes
    # first: libFuzzer adds what it finds there, and only reads the seeds.
    "$bin/$t" -artifact_prefix="fuzz/artifacts/$t/" "${args[@]}" "fuzz/corpus/$t" "fuzz/seeds/$t" \
        >"fuzz/artifacts/$t.log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "fuzz/artifacts/$t.log" || true
    new=$(comm -13 <(echo "$before") <(find "fuzz/artifacts/$t" -type f | sort))
    if [ "$status" -ne 0 ] || [ -n "$new" ]; then
        failed+=("$t")
        echo "fuzz: $t FAILED (exit $status); log: fuzz/artifacts/$t.log"
        grep -E '^(==[0-9]+==|thread .* panicked|SUMMARY|panicked at)' "fuzz/artifacts/$t.log" | head -n 5 || true
        for f in $new; do
            echo "fuzz:   reproducer $f"
            echo "fuzz:   replay: cargo +nightly fuzz run --fuzz-dir fuzz -a $t $f"
            echo "fuzz:   minimise: cargo +nightly fuzz tmin --fuzz-dir fuzz -a $t $f"
        done
    fi
done

echo "fuzz: ${#targets[@]} targets in $(($(date +%s) - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}"
    exit 1
fi
