// The ABI's exports (plugins/ABI.md, "Exports"): a plugin re-exports `kpitree_abi_version` and
// `kpitree_alloc` from here and writes `kpitree_manifest` and `kpitree_evaluate` as one-liners over
// `manifestSlice` and `evaluate`, handing them its manifest and rule.

import { Bytes, pack } from "./bytes";
import { Config } from "./config";
import { Findings } from "./findings";
import { readAccessors, readName, readsMask } from "./layout";
import { Manifest } from "./manifest";
import { Tree } from "./tree";

/** `major << 16 | minor`: ABI 1.1 (`reads`). */
export function kpitree_abi_version(): i32 {
  return 0x0001_0001;
}

/** `len` writable bytes, 16-byte aligned (the ABI asks for 8), or 0 when memory cannot grow. The
 *  runtime's allocator would trap instead of returning 0, so the memory is grown here first: past
 *  that the allocator has room without growing. */
export function kpitree_alloc(len: i32): i32 {
  // Also refuses what the runtime cannot allocate at all (blocks of 1 GiB or more).
  if (len < 0 || len >= 0x3FFF_0000) return 0;
  const pages = (len + 64 + 0xFFFF) >>> 16;
  if (memory.grow(pages) < 0) return 0;
  const ptr = heap.alloc(<usize>len);
  given.push((<u64>ptr << 32) | <u64>len);
  return <i32>ptr;
}

// The blocks kpitree_alloc gave, as packed slices: a request must lie in one of them. Memory the
// runtime may hand out later (the findings, say) could otherwise overwrite a request after it was
// checked, and what was checked would no longer hold.
const given = new Array<u64>();

function inGivenBlock(ptr: usize, len: u32): bool {
  for (let k = 0; k < given.length; k++) {
    const b = unchecked(given[k]);
    const start = <u64>(b >>> 32);
    if (<u64>ptr >= start && <u64>ptr + <u64>len <= start + (b & 0xFFFF_FFFF)) return true;
  }
  return false;
}

/** What a rule is: it reads `tree` and `config` and adds findings to `out`; it returns null, or the
 *  message of a plugin error (a bad configuration, say). */
export type Rule = (tree: Tree, config: Config, out: Findings) => string | null;

/** `kpitree_manifest`: the manifest as a packed slice. */
export function manifestSlice(manifest: Manifest): i64 {
  const b = manifest.toJson();
  return pack(b.ptr, b.len);
}

/** `kpitree_evaluate`: checks the request at `ptr..ptr+len`, runs `rule` on the parts of the tree
 *  `manifest` declares, and returns the response as a packed slice. A malformed request, a bad
 *  configuration and a rule's error become an `{"error": ...}` response, never a trap. */
export function evaluate(ptr: i32, len: i32, manifest: Manifest, rule: Rule): i64 {
  const p = <usize>(<u32>ptr);
  const n = <u32>len;
  // Everything below reads inside ptr..ptr+len, so that span must be memory the host wrote the
  // request into, and nothing else will write to.
  if (!inGivenBlock(p, n)) return errorSlice("the request is not in memory obtained from kpitree_alloc");
  if (n < 8) {
    return errorSlice("malformed request: truncated: `request header` needs 8 bytes, the buffer has " + n.toString());
  }
  const treeLen = load<u32>(p);
  const configLen = load<u32>(p, 4);
  const announced = 8 + <u64>treeLen + <u64>configLen;
  if (announced != <u64>n) {
    return errorSlice("malformed request: request announces " + announced.toString() + " bytes but has " + n.toString());
  }
  const tree = Tree.read(p + 8, treeLen);
  const bad = tree.error;
  if (bad !== null) return errorSlice("malformed request: " + bad);
  const config = Config.parse(p + 8 + treeLen, configLen);
  const badConfig = config.error;
  if (badConfig !== null) return errorSlice(badConfig);

  // Only the declared parts, whatever the host sent, so that a rule reading something it did not
  // declare fails the same way with every host.
  tree.restrict(readsMask(manifest.reads));
  const out = new Findings(tree);
  const failed = rule(tree, config, out);
  // A bad configuration first: the rule ran on a fallback value, so whatever else went wrong may be
  // its consequence (the Rust SDK does not run the rule at all then).
  const configError = config.error;
  if (configError !== null) return errorSlice(configError);
  const missing = tree.missingRead();
  if (missing >= 0) {
    const name = readName(missing);
    return errorSlice(
      "the rule read `" + name + "` (" + readAccessors(missing) +
        "), which the plugin's `reads` does not declare; add \"" + name + "\" to `reads`",
    );
  }
  if (failed !== null) return errorSlice(failed);
  out.flush();
  const body = out.out;
  const response = new Bytes(body.len + 16);
  response.ascii("{\"findings\":[");
  response.append(body);
  response.ascii("]}");
  return pack(response.ptr, response.len);
}

/** `{"error":{"message":...}}` as a packed slice. */
export function errorSlice(message: string): i64 {
  const b = new Bytes(<u32>message.length + 32);
  b.ascii("{\"error\":{\"message\":");
  b.quoted(message);
  b.ascii("}}");
  return pack(b.ptr, b.len);
}

/** The abort handler (`--use abort=...` in asconfig.json): AssemblyScript calls `abort` on a failed
 *  assertion or allocation, and would import it from the host. A plugin imports nothing, so it
 *  traps instead; the host reports a trap as a plugin error. */
export function kpitreeAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable();
}
