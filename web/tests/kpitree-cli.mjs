// The native side of the browser tests: runs the real `kpitree` CLI. KPITREE_BIN names a built binary;
// else the workspace's debug build is used when present, else `cargo run`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const targetDir = resolve(repo, process.env.CARGO_TARGET_DIR ?? 'target');

function command() {
  if (process.env.KPITREE_BIN) return [process.env.KPITREE_BIN];
  const built = join(targetDir, 'debug', 'kpitree');
  if (existsSync(built)) return [built];
  return ['cargo', 'run', '-q', '-p', 'kpitree-cli', '--'];
}

/** Runs the CLI in the repository root; fails unless it exits with `status` (0 by default). */
export function cli(args, { status = 0 } = {}) {
  const [bin, ...pre] = command();
  const run = spawnSync(bin, [...pre, ...args], {
    cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.error) throw run.error;
  if (run.status !== status) {
    throw new Error(`kpitree ${args.join(' ')}: exit ${run.status}, expected ${status}\n${run.stderr}`);
  }
  return run;
}

/** The example trees, as paths relative to the repository. */
export function examples() {
  return readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.json')).sort().map((f) => `examples/${f}`);
}
