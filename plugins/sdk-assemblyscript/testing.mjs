// The fixture tester for AssemblyScript plugins (node, not AssemblyScript): runs a plugin's .wasm on
// pass/fail fixtures through the real kpitree CLI, the host that will run it, with the semantics of
// the built-in rules' tester (crates/kpitree-fixtures): a `pass*.json` tree must give no finding of
// the rule; a `fail*.json` exactly the findings of its `.expected.json` (each without the rule's
// `why`); a `NAME.toml` beside a tree is its kpitree.toml. `KPITREE_BLESS=1` writes the expected
// files from what the plugin gives: read them before you commit them.
//
// The CLI is `KPITREE` (a path), else `kpitree` on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs `kpitree ARGS`; returns { status, stdout, stderr }. */
export function kpitree(args, { cwd } = {}) {
  const bin = process.env.KPITREE || 'kpitree';
  const run = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } });
  if (run.error) throw new Error(`cannot run ${bin} (set KPITREE to the kpitree binary): ${run.error.message}`);
  return run;
}

/** The report of `kpitree check TREE --plugin PLUGIN --format json`, with the configuration file
 *  `config` or none (`--no-config`). */
export function check(tree, plugin, config = null) {
  const args = ['check', tree, '--plugin', plugin, '--format', 'json', '--fail-on', 'never'];
  args.push(...(config ? ['--config', config] : ['--no-config']));
  const run = kpitree(args);
  if (run.status !== 0) throw new Error(`kpitree ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Findings as fixtures hold them (crates/kpitree-fixtures `render`): these fields in this order,
 *  the evidence's keys sorted, pretty JSON with a final newline. */
export function render(findings) {
  const views = findings.map((f) => {
    const v = { rule: f.rule, severity: f.severity, nodes: f.nodes, message: f.message, fix: f.fix };
    if (f.evidence) v.evidence = Object.fromEntries(Object.keys(f.evidence).sort().map((k) => [k, f.evidence[k]]));
    if (f.plugin) v.plugin = f.plugin;
    return v;
  });
  return `${JSON.stringify(views, null, 2)}\n`;
}

/** What is wrong with the module as a plugin that node can see: its imports (a plugin imports
 *  nothing) and missing exports. `kpitree plugin inspect` checks the rest (export types, manifest). */
export function checkModule(plugin) {
  const module = new WebAssembly.Module(readFileSync(plugin));
  const problems = WebAssembly.Module.imports(module).map((i) => `${plugin}: imports ${i.module}.${i.name} (a plugin imports nothing)`);
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const [name, kind] of [['memory', 'memory'], ['kpitree_abi_version', 'function'], ['kpitree_alloc', 'function'],
    ['kpitree_manifest', 'function'], ['kpitree_evaluate', 'function']]) {
    if (exports.get(name) !== kind) problems.push(`${plugin}: no ${kind} export \`${name}\``);
  }
  const inspect = kpitree(['plugin', 'inspect', plugin]);
  if (inspect.status !== 0) problems.push(`kpitree plugin inspect ${plugin}: ${inspect.stderr.trim()}`);
  return problems;
}

/** Checks every fixture in `dir` for rule `rule` with the plugin at `plugin`; returns one message
 *  per failure (empty: all good). */
export function checkFixtures({ plugin, dir, rule }) {
  const bless = !['', '0', undefined].includes(process.env.KPITREE_BLESS);
  if (!existsSync(plugin)) return [`${plugin}: no such module (build it first)`];
  const failures = checkModule(plugin);
  const files = readdirSync(dir).sort();
  const trees = files.filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
  for (const f of files) {
    const stem = f.replace(/(\.expected\.json|\.toml)$/, '');
    if (stem !== f && !trees.includes(`${stem}.json`)) failures.push(`${join(dir, f)}: no \`${stem}.json\` beside it`);
    if (!f.endsWith('.json') && !f.endsWith('.toml')) failures.push(`${join(dir, f)}: unexpected file in a fixture directory`);
  }
  if (!trees.some((f) => f.startsWith('pass')) || !trees.some((f) => f.startsWith('fail'))) {
    failures.push(`${dir}: needs at least one pass*.json and one fail*.json`);
  }
  for (const tree of trees) {
    const path = join(dir, tree);
    const toml = path.replace(/\.json$/, '.toml');
    let report;
    try {
      report = check(path, plugin, existsSync(toml) ? toml : null);
    } catch (e) {
      failures.push(`${path}: ${e.message}`);
      continue;
    }
    for (const e of report.plugin_errors ?? []) failures.push(`${path}: ${e.message}`);
    const findings = report.findings.filter((f) => f.rule === rule);
    if (tree.startsWith('pass')) {
      if (findings.length) {
        failures.push(`${path}: expected no \`${rule}\` finding, got:${findings.map((f) => `\n  ${JSON.stringify(f.nodes)} ${f.message}`).join('')}`);
      }
      continue;
    }
    const actual = render(findings);
    const expectedPath = path.replace(/\.json$/, '.expected.json');
    if (bless) writeFileSync(expectedPath, actual);
    if (!findings.length) {
      failures.push(`${path}: a fail fixture must give at least one \`${rule}\` finding`);
      continue;
    }
    if (!existsSync(expectedPath)) {
      failures.push(`${expectedPath}: missing (run with KPITREE_BLESS=1 to create it, then review it)`);
      continue;
    }
    const expected = readFileSync(expectedPath, 'utf8');
    if (expected.trimEnd() !== actual.trimEnd()) {
      failures.push(`${path}: findings differ from ${expectedPath}\n--- expected\n${expected}\n--- actual\n${actual}`);
    }
  }
  return failures;
}
