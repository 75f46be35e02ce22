// The package's entry for `import ... from "@kpitree/plugin-sdk"` (asc resolves a package to its
// index.ts); the SDK itself is in assembly/.
export * from "./assembly/index";
