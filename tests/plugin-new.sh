#!/usr/bin/env bash
# `kpitree plugin new` end to end: for each language (all three by default, or those given:
# rust assemblyscript c), writes a project into a temporary folder, builds it with its own tools as
# its README says, and runs `kpitree plugin test` on it: it must pass unchanged. Every project has
# the same plugin name, so the three pass the same expected findings: identical in every language.
#
# Needs: rust (the wasm32-unknown-unknown target; crates.io for the project's serde), node and npm
# (the npm registry for assemblyscript), clang, lld and make. Each step is bounded by a timeout.
# KPITREE names the kpitree binary; by default it is built here (cargo build -p kpitree-cli). The
# Rust project builds into CARGO_TARGET_DIR (default: the workspace's target/), sharing its cache.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(rust assemblyscript c)

if [ -z "${KPITREE:-}" ]; then
  cargo build -q -p kpitree-cli --locked
  KPITREE="$CARGO_TARGET_DIR/debug/kpitree"
fi
KPITREE=$(cd "$(dirname "$KPITREE")" && pwd)/$(basename "$KPITREE")
# The projects' own commands (npm test, make test) run `kpitree` from PATH.
bin=$(mktemp -d)
ln -s "$KPITREE" "$bin/kpitree"
export PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work" "$bin"' EXIT

name=kpi-units
failed=0
for lang in "${langs[@]}"; do
  printf '\n--> plugin new --lang %s\n' "$lang"
  dir="$work/$lang"
  status=0
  (
    set -e
    kpitree plugin new "$name" --lang "$lang" --dir "$dir"
    cd "$dir"
    case "$lang" in
      rust)
        timeout 900 cargo build --release --target wasm32-unknown-unknown
        kpitree plugin test "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/${name//-/_}.wasm" tests
        # The same fixtures natively, through the SDK's tester (tests/fixtures.rs).
        timeout 900 cargo test -q
        ;;
      assemblyscript)
        timeout 300 npm install --no-audit --no-fund
        timeout 300 npm test
        ;;
      c)
        timeout 120 make test
        ;;
      *)
        echo "unknown language $lang" >&2
        exit 2
        ;;
    esac
  ) || status=$?
  if [ "$status" = 0 ]; then
    echo "ok: $lang"
  else
    echo "FAIL: $lang (exit $status)"
    failed=1
  fi
done

# Usage errors are trycmd cases (tests/cli/plugin-new-*.toml); here, what needs a real folder: a
# second run into the same folder is refused (exit 2) and leaves it as it was.
printf '\n--> plugin new into a folder that is not empty\n'
dir="$work/again"
kpitree plugin new "$name" --lang c --dir "$dir" >/dev/null
before=$(cd "$dir" && find . -type f | sort | xargs sha256sum)
status=0
kpitree plugin new "$name" --lang c --dir "$dir" 2>/dev/null || status=$?
after=$(cd "$dir" && find . -type f | sort | xargs sha256sum)
if [ "$status" = 2 ] && [ "$before" = "$after" ]; then echo "ok: refused"; else echo "FAIL: exit $status"; failed=1; fi

exit "$failed"
