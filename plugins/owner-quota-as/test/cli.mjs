// Paths, and the kpitree CLI through the SDK's tester: `KPITREE` names the binary (default:
// `kpitree` on PATH).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { check, kpitree, render } from '@kpitree/plugin-sdk/testing.mjs';

export const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repo = resolve(here, '../..');
export const wasm = join(here, 'build/owner-quota.wasm');
export const wat = join(repo, 'plugins/owner-quota-wat/plugin.wat');
export const fixtures = join(here, 'tests/owner-kpi-quota');
export const RULE = 'owner-kpi-quota';
