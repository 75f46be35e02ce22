#!/usr/bin/env bash
# Builds the deployable widget into web/dist/ (idempotent; `npm run build`, tests/run):
#   web/dist/*.js, *.css, *.d.ts   copied from web/src/
#   web/dist/pkg/                  the engine: wasm-bindgen's JS glue and the wasm, shrunk by wasm-opt
#   web/dist/examples/, plugins/   for the demo page only: example trees, example plugins if built
# Serve web/dist as /kpitree/ and load it with <script type="module" src="/kpitree/kpi-tree.js">.
# Respects CARGO_TARGET_DIR. Needs wasm-bindgen-cli of exactly the lock's version (tests/run installs
# it) and binaryen's wasm-opt from web/node_modules (npm ci).
set -euo pipefail
web="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$web/.." && pwd)"
cd "$root"

want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ -z "$want" ]; then
  echo "build.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1
fi
if [ "$have" != "$want" ]; then
  echo "build.sh: wasm-bindgen-cli ${have:-is not installed}; Cargo.lock has wasm-bindgen $want." >&2
  echo "          Install the matching CLI: cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi
wasm_opt="$web/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
  echo "build.sh: $wasm_opt is missing; run npm ci in web/" >&2; exit 1
fi

target="${CARGO_TARGET_DIR:-$root/target}"
# Size matters more than speed here (every embedding page downloads it): link-time optimisation, one
# codegen unit and opt-level z, for this build only (the workspace's release profile stays as it is for
# native builds). Except kpitree-core at opt-level s: at z its tree layout runs 2.5x slower (100k
# nodes: 30 ms, slower than d3's tree(); at s 12 ms), for 35 KiB gzipped more wasm (359 vs 324 KiB).
# Debug info off: wasm-opt strips it anyway, and wasm-bindgen needs the other custom sections that
# `strip` would remove.
CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
  CARGO_PROFILE_RELEASE_DEBUG=false \
  cargo build -p kpitree-web --target wasm32-unknown-unknown --release --locked \
  --config 'profile.release.package.kpitree-core.opt-level="s"'
out="$web/dist"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --out-dir "$tmp" --out-name kpitree_web \
  "$target/wasm32-unknown-unknown/release/kpitree_web.wasm"
# -Oz: size first (the widget's wasm is downloaded by every page that embeds it); --converge repeats
# the passes while they still shrink it (about 1 KiB gzipped more). The features are
# those rustc's wasm32 target emits by default.
"$wasm_opt" -Oz --converge --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$tmp/kpitree_web_bg.wasm" -o "$tmp/kpitree_web_bg.opt.wasm"
mv "$tmp/kpitree_web_bg.opt.wasm" "$tmp/kpitree_web_bg.wasm"

mkdir -p "$out/pkg"
# Copy sources and the engine; remove what is no longer produced, so dist/ is exactly this build.
find "$out" -mindepth 1 -maxdepth 1 ! -name pkg -exec rm -rf {} +
rm -rf "$out/pkg"/*
cp -R "$web/src/." "$out/"
cp "$tmp/kpitree_web.js" "$tmp/kpitree_web_bg.wasm" "$tmp/kpitree_web.d.ts" "$out/pkg/"
# For the demo page (web/index.html, also served by `kpitree serve` at /): the example trees, and the
# example plugins when they were built (`cargo build -p owner-teams -p local-optimisation --target
# wasm32-unknown-unknown --release`; owner-quota by `cargo run -p owner-quota-wat -- FILE`). Not part
# of the deployable widget.
mkdir -p "$out/examples" "$out/plugins"
cp "$root"/examples/*.json "$out/examples/"
for p in owner_teams:owner-teams local_optimisation:local-optimisation; do
  built="$target/wasm32-unknown-unknown/release/${p%%:*}.wasm"
  if [ -f "$built" ]; then cp "$built" "$out/plugins/${p##*:}.wasm"; fi
done
if [ -f "$target/owner-quota.wasm" ]; then cp "$target/owner-quota.wasm" "$out/plugins/owner-quota.wasm"; fi
echo "web/dist: $(du -sh "$out" | cut -f1) ($(wc -c < "$out/pkg/kpitree_web_bg.wasm") bytes of wasm)"
