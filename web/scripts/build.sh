#!/usr/bin/env bash
# Builds the deployable widget into web/dist/ (idempotent; `npm run build`, tests/run):
#   web/dist/*.js, *.css, *.d.ts   copied from web/src/
#   web/dist/pkg/                  the engine: wasm-bindgen's JS glue and the wasm, shrunk by wasm-opt
#   web/dist/examples/, plugins/   for the demo page only: example trees, example plugins if built
# Serve web/dist as /kpitree/ and load it with <script type="module" src="/kpitree/kpi-tree.js">.
# Respects CARGO_TARGET_DIR. Needs wasm-bindgen-cli of exactly the lock's version (tests/run installs
# it) and binaryen's wasm-opt from web/node_modules (npm ci).
# `build.sh --js-only`: while working on the element, rebuilds the JS and CSS only and keeps the engine
# already in web/dist/pkg (seconds instead of two release builds of the engine).
set -euo pipefail
web="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$web/.." && pwd)"
cd "$root"
js_only=false
if [ "${1:-}" = "--js-only" ]; then
  js_only=true
  if [ ! -f "$web/dist/pkg/lean/kpitree_web_bg.wasm" ]; then
    echo "build.sh --js-only: no engine in web/dist/pkg yet; run build.sh once without it" >&2; exit 1
  fi
fi

want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ -z "$want" ] && ! $js_only; then
  echo "build.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1
fi
if [ "$have" != "$want" ] && ! $js_only; then
  echo "build.sh: wasm-bindgen-cli ${have:-is not installed}; Cargo.lock has wasm-bindgen $want." >&2
  echo "          Install the matching CLI: cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi
wasm_opt="$web/node_modules/.bin/wasm-opt"
esbuild="$web/node_modules/.bin/esbuild"
if [ ! -x "$wasm_opt" ] || [ ! -x "$esbuild" ]; then
  echo "build.sh: wasm-opt or esbuild is missing from web/node_modules; run npm ci in web/" >&2; exit 1
fi

target="${CARGO_TARGET_DIR:-$root/target}"
# Size matters more than speed here (every embedding page downloads it): link-time optimisation, one
# codegen unit and opt-level z, for this build only (the workspace's release profile stays as it is for
# native builds). Except kpitree-layout at opt-level s: at z the tree layout runs 2.5x slower (100k
# nodes: 30 ms, slower than d3's tree(); at s 12 ms); and kpitree-json-lite, the lean engine's JSON
# reader, at s too (10,000 nodes read in about 60% of the time, for a few dozen bytes). The layout is a crate of its own for this: with
# the rest of the engine at z rather than s, the lean engine is 161 KiB gzipped instead of 172.
# Debug info off: wasm-opt strips it anyway, and wasm-bindgen needs the other custom sections that
# `strip` would remove.
out="$web/dist"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# engine NAME [TOOLCHAIN RUSTFLAGS TARGET-DIR CARGO-ARGS...]: builds kpitree-web (with rustup's
# TOOLCHAIN, or the default one for "") and leaves its JS glue and wasm in $tmp/NAME/; fails (status 1)
# when a step fails, also where the caller tests it (errexit does not apply there).
engine() {
  local name="$1" toolchain="${2:-}" flags="${3:-}" dir="${4:-$target}"
  shift $(($# < 4 ? $# : 4))
  CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_TARGET_DIR="$dir" RUSTFLAGS="$flags" \
    cargo ${toolchain:+"+$toolchain"} build -p kpitree-web --target wasm32-unknown-unknown --release --locked "$@" \
    --config 'profile.release.package.kpitree-layout.opt-level="s"' \
    --config 'profile.release.package.kpitree-json-lite.opt-level="s"' || return 1
  wasm-bindgen --target web --out-dir "$tmp/$name" --out-name kpitree_web \
    "$dir/wasm32-unknown-unknown/release/kpitree_web.wasm" || return 1
  # -Oz: size first (the widget's wasm is downloaded by every page that embeds it); --converge repeats
  # the passes while they still shrink it (lean engine: 0.4 KiB gzipped less). --zero-filled-memory and
  # --low-memory-unused state what holds for this module (its memory is its own, so it starts zeroed;
  # Rust places nothing below 1 MiB's data start, far above the first 1 KiB): 1.2 KiB gzipped less.
  # The features are those rustc's wasm32 target emits by default. -ocimfs=20 (one-caller inline max
  # function size): a function called from one place is inlined there only when it is tiny. Inlined,
  # they made the code smaller before gzip but larger after (each engine call one huge function that
  # compresses badly): the lean engine 123,404 -> 118,394 bytes gzipped (-4.9 KiB; 15 to 25 all give
  # about that), the full one 508,025 -> 469,420. Not slower: the engine's layout of 100,000 nodes
  # 13.5 ms either way; the cold bench's first cards 1.12x as fast at 1,000 and 10,000 nodes (9 runs
  # side by side): V8 can tier up a hot function called many times during one long call (reading a
  # large tree), never the code of the one call itself.
  "$wasm_opt" -Oz -ocimfs=20 --converge --zero-filled-memory --low-memory-unused --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$tmp/$name/kpitree_web_bg.wasm" -o "$tmp/$name/opt.wasm" || return 1
  mv "$tmp/$name/opt.wasm" "$tmp/$name/kpitree_web_bg.wasm"
}
# Two builds of one crate: the full engine (CSV, configuration, plugins) in pkg/, and the lean one
# (valid JSON trees checked and laid out with the default configuration) in pkg/lean/, which the
# widget loads unless the page needs more (web/src/engine.js).
# The lean engine is the one every page downloads: built where possible with nightly Rust, std
# rebuilt with `-Cpanic=immediate-abort`, so a panic (none is expected: the engine returns errors as
# values) traps at once instead of linking the formatting of panic messages and their locations: 7.3
# KiB gzipped less when it was made (148,260 -> 140,786 bytes, the same code otherwise), 9 KiB since
# the lean engine's own code stopped linking `{:?}` (panic messages still do). It needs a nightly toolchain
# with rust-src (tests/run installs both); without them, or when that build fails (nightly's flags
# change), the stable build below, which works the same and is that much larger. KPITREE_WASM_STABLE=1
# forces it. Its own target directory: other flags and another std, rebuilt from scratch once.
lean_nightly() {
  [ "${KPITREE_WASM_STABLE:-}" != 1 ] || return 1
  local sysroot
  sysroot="$(rustup run nightly rustc --print sysroot 2>/dev/null)" || return 1
  [ -d "$sysroot/lib/rustlib/src/rust/library" ] || { echo "build.sh: nightly has no rust-src; the lean engine is built with stable Rust" >&2; return 1; }
  engine lean nightly "-Zunstable-options -Cpanic=immediate-abort" "$target/lean-nightly" \
    --no-default-features -Zbuild-std=std,panic_abort
}
if ! $js_only; then
  engine full
  if ! lean_nightly; then
    echo "build.sh: the lean engine is built with stable Rust (about 9.5 KiB gzipped larger: the download is then over its 150 KB goal)" >&2
    engine lean "" "" "$target" --no-default-features
  fi
fi

mkdir -p "$out/pkg"
# Copy sources and the engine; remove what is no longer produced, so dist/ is exactly this build.
find "$out" -mindepth 1 -maxdepth 1 ! -name pkg -exec rm -rf {} +
cp -R "$web/src/." "$out/"
if ! $js_only; then
  rm -rf "$out/pkg"/*
  cp "$tmp/full/kpitree_web.js" "$tmp/full/kpitree_web_bg.wasm" "$tmp/full/kpitree_web.d.ts" "$out/pkg/"
  mkdir -p "$out/pkg/lean"
  cp "$tmp/lean/kpitree_web.js" "$tmp/lean/kpitree_web_bg.wasm" "$out/pkg/lean/"
fi
# The shipped JS and CSS minified in place (web/src stays as written): whitespace, local names,
# syntax. kpi-tree.js is bundled with the widget-*.js modules only it imports (one request, not one
# per module) and minified in the same pass, which names and inlines across the modules (about 60
# bytes gzipped less than minifying the bundle afterwards); engine.js and plugins.js stay modules of
# their own at their URLs, so engine.js is one instance whether the page imports it or kpi-tree.js
# does, and plugins.js still loads only when a page has plugins. widget-chart.js (the details' chart)
# and widget-export.js (print and export) are bundles of their own, with the few helpers they share
# with the element, so they load only when used (no first view needs them).
"$esbuild" "$web/src/kpi-tree.js" --bundle --minify --format=esm --external:./engine.js --external:./plugins.js \
  --external:./widget-chart.js --external:./widget-export.js --outfile="$out/kpi-tree.js" --allow-overwrite --log-level=warning
for part in widget-chart widget-export; do
  "$esbuild" "$web/src/$part.js" --bundle --minify --format=esm --external:./engine.js \
    --outfile="$tmp/$part.js" --log-level=warning
done
rm "$out"/widget-*.js
mv "$tmp/widget-chart.js" "$tmp/widget-export.js" "$out/"
find "$out" \( -name '*.js' -o -name '*.css' \) ! -name kpi-tree.js ! -name widget-chart.js ! -name widget-export.js -print0 |
  xargs -0 -n 1 sh -c '"$0" "$1" --minify --outfile="$1" --allow-overwrite --log-level=warning' "$esbuild"
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
echo "web/dist: $(du -sh "$out" | cut -f1) (wasm: $(wc -c < "$out/pkg/lean/kpitree_web_bg.wasm") bytes lean, $(wc -c < "$out/pkg/kpitree_web_bg.wasm") full)"
