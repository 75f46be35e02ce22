// The probe declaring every part but `links`: it reads them all the same when configured to.
import { evaluate, manifestSlice } from "../../index";
import { probe, probeManifest } from "./core";
export { kpitree_abi_version, kpitree_alloc } from "../../index";

const READS = [
  "status", "flags", "health", "trend", "title", "owner", "department", "rationale", "description", "unit",
  "period", "start", "target", "current", "confidence", "thresholds", "score", "value", "trend_per_30_days",
  "last_reviewed", "cadence_days", "parents", "children", "measurements", "check_ins",
];

export function kpitree_manifest(): i64 {
  return manifestSlice(probeManifest(READS));
}

export function kpitree_evaluate(ptr: i32, len: i32): i64 {
  return evaluate(ptr, len, probeManifest(READS), probe);
}
