// The probe reading the whole tree (no `reads`: ABI 1.0).
import { evaluate, manifestSlice } from "../../index";
import { probe, probeManifest } from "./core";
export { kpitree_abi_version, kpitree_alloc } from "../../index";

export function kpitree_manifest(): i64 {
  return manifestSlice(probeManifest(null));
}

export function kpitree_evaluate(ptr: i32, len: i32): i64 {
  return evaluate(ptr, len, probeManifest(null), probe);
}
