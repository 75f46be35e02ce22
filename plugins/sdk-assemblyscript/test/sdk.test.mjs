// The SDK against the engine: test/probe/ is a plugin that reports, for every node, everything the
// SDK's accessors read (and a finding about the tree); run through the real kpitree CLI on every
// example tree, each value must be the document's. `KPITREE` names the CLI (default: on PATH).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(sdk, '../..');
const examples = readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.json')).sort();
const probe = (variant) => join(sdk, `build/probe-${variant}.wasm`);

before(async () => {
  for (const variant of ['all', 'partial']) {
    const { error, stderr } = await asc.main([
      `test/probe/${variant}.ts`, '--runtime', 'stub', '-O3z', '--noAssert',
      '--use', 'abort=assembly/plugin/kpitreeAbort', '-o', `build/probe-${variant}.wasm`,
    ], { baseDir: sdk });
    assert.equal(error, null, stderr.toString());
  }
});

/** `kpitree check --format json` with the plugin and `toml` as the configuration (none when absent). */
function check(tree, plugin, toml) {
  const args = ['check', tree, '--plugin', plugin, '--format', 'json', '--fail-on', 'never'];
  if (toml === undefined) {
    args.push('--no-config');
  } else {
    const file = join(mkdtempSync(join(tmpdir(), 'kpitree-sdk-')), 'kpitree.toml');
    writeFileSync(file, toml);
    args.push('--config', file);
  }
  const run = spawnSync(process.env.KPITREE || 'kpitree', args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.error) throw run.error;
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const KIND = { strategy: 'strategy', objective: 'objective', key_result: 'key result', kpi: 'KPI' };
const DIRECTION = { higher_is_better: 1, lower_is_better: 2 };
const INDICATOR = { leading: 1, lagging: 2 };
const num = (v) => (v === undefined ? null : v);
const text = (v) => (v === undefined ? false : v);
const byDate = (list) => [...(list ?? [])].map((e, k) => [e, k]).sort((a, b) => a[0].date.localeCompare(b[0].date) || a[1] - b[1]).map(([e]) => e);

for (const file of examples) {
  test(`every accessor reads what ${file} says`, () => {
    const doc = JSON.parse(readFileSync(join(repo, 'examples', file), 'utf8'));
    const report = check(join('examples', file), probe('all'));
    assert.equal(report.plugin_errors, undefined, JSON.stringify(report.plugin_errors));
    const found = report.findings.filter((f) => f.rule === 'sdk-probe');
    const byNode = new Map(found.filter((f) => f.message !== 'the tree').map((f) => [f.nodes[0], f]));
    assert.equal(byNode.size, doc.nodes.length);
    for (const node of doc.nodes) {
      const e = byNode.get(node.id).evidence;
      const kind = KIND[node.kind];
      assert.equal(byNode.get(node.id).message, `${kind} "${node.title}" (${node.id})`);
      const children = doc.nodes.filter((c) => (c.parents ?? []).includes(node.id)).map((c) => c.id);
      const owner = node.owner?.trim() || null;
      const measurements = byDate(node.measurements);
      const checkIns = byDate(node.check_ins);
      const expected = {
        kind, status: node.status ?? 'active', active: (node.status ?? 'active') === 'active',
        used_in_appraisal: node.used_in_appraisal ?? false,
        direction: DIRECTION[node.direction] ?? 0, indicator: INDICATOR[node.indicator] ?? 0,
        id: node.id, found: true, title: node.title, owner, owner_decoded: true, department: node.department ?? null,
        rationale: text(node.rationale), description: text(node.description), unit: text(node.unit),
        period: text(node.period), start: num(node.start), target: num(node.target), current: num(node.current),
        confidence: num(node.confidence), at_risk: num(node.thresholds?.at_risk), off_track: num(node.thresholds?.off_track),
        last_reviewed: node.last_reviewed ?? 'none', cadence_days: node.cadence_days ?? 0,
        parents: node.parents ?? [], children, past_end: true,
      };
      const got = Object.fromEntries(Object.keys(expected).map((k) => [k, e[k]]));
      assert.deepEqual(got, expected, node.id);
      const pair = (s) => { const [d, v] = s.split('='); return [d, Number(v)]; };
      assert.deepEqual(e.measurements.map(pair), measurements.map((m) => [m.date, m.value]), `${node.id} measurements`);
      assert.deepEqual(
        e.check_ins.map((s) => {
          const [head, conf, ...note] = s.split(';');
          const [d, v] = head.split('=');
          return [d, Number(v), conf === 'NaN' ? null : Number(conf), note.join(';') === 'none' ? null : note.join(';')];
        }),
        checkIns.map((c) => [c.date, c.value, c.confidence ?? null, c.note ?? null]),
        `${node.id} check-ins`,
      );
      // The engine's values: codes in range; `value` is the latest check-in or measurement, else `current`.
      assert.ok(e.health >= 0 && e.health <= 4 && e.trend >= 0 && e.trend <= 3, node.id);
      if (node.kind === 'kpi' || node.kind === 'key_result') {
        const latest = (node.kind === 'kpi' ? measurements : checkIns).at(-1)?.value ?? num(node.current);
        assert.equal(e.value, latest, `${node.id} value`);
      }
      if (e.score !== null) assert.ok(e.score >= 0 && e.score <= 1, `${node.id} score`);
    }
    const tree = found.find((f) => f.message === 'the tree');
    assert.equal(tree.severity, 'warning');
    assert.equal(tree.fix, 'a fix of its own');
    assert.deepEqual(tree.nodes, [doc.nodes[0].id]);
    const links = (doc.links ?? []).map((l) => `${l.from}>${l.to}:0:${l.lag_days ?? 'none'}:${l.note ?? 'none'}`);
    assert.deepEqual(
      { ...tree.evidence },
      {
        organisation: doc.organisation, as_of: doc.as_of, nodes: doc.nodes.length, links,
        escapes: 'quote " backslash \\ tab \t newline \n bell \ufffd é 漢 😀',
        fraction: 0.1, big: 1e21, nan: null, negative: -42,
      },
    );
  });
}

test('a plugin that declares `reads` reads the same, and fails naming a part it did not declare', () => {
  const file = join('examples', 'software-company.json');
  const strip = (report) => report.findings.filter((f) => f.rule === 'sdk-probe').map((f) => {
    const { links, ...evidence } = f.evidence;
    return { ...f, evidence };
  });
  const partial = check(file, probe('partial'), '[plugins.sdk-probe]\nlinks = false\n');
  assert.equal(partial.plugin_errors, undefined, JSON.stringify(partial.plugin_errors));
  assert.deepEqual(strip(partial), strip(check(file, probe('all'))));
  const links = check(file, probe('partial'), '[plugins.sdk-probe]\nlinks = true\n');
  assert.deepEqual(links.plugin_errors.map((e) => e.message), [
    'plugin `sdk-probe` reported an error: the rule read `links` (linkCount, linkFrom, linkTo, linkKind, ' +
      'linkLagDays, linkNote), which the plugin\'s `reads` does not declare; add "links" to `reads`',
  ]);
  const typo = check(file, probe('partial'), '[plugins.sdk-probe]\nlinks = "yes"\n');
  assert.match(typo.plugin_errors[0].message, /configuration: `links` must be true or false$/);
  const unknown = check(file, probe('partial'), '[plugins.sdk-probe]\nlinkz = true\n');
  assert.match(unknown.plugin_errors[0].message, /configuration: unknown key `linkz`, expected one of: links$/);
});
