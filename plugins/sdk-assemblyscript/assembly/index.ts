// @kpitree/plugin-sdk: write kpitree rule plugins in AssemblyScript (README.md).

export { kpitree_abi_version, kpitree_alloc, manifestSlice, evaluate, errorSlice, kpitreeAbort, Rule } from "./plugin";
export { Manifest, RuleInfo } from "./manifest";
export { Tree, Kind, Status, Health, Trend, Direction, Indicator, LinkKind, kindLabel, formatDate } from "./tree";
export { Findings, Finding, Severity } from "./findings";
export { Config } from "./config";
export { Bytes, pack } from "./bytes";
export { NONE, NO_DATE } from "./layout";
