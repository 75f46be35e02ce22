// The engine in Chromium gives exactly what the CLI gives: the check report of every example tree,
// prune reports, the messages of invalid trees and configurations; and the layout is d3-hierarchy's
// tidy tree, item for item. Needs `npm run build` (web/dist) and the CLI (KPITREE_BIN, else the
// workspace's debug build, else `cargo run`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser } from './support.mjs';
import { cli, examples, repo } from './kpitree-cli.mjs';
import { generateTree } from '../demo/generate.js';

let env;
// One page per engine: the full one (`initEngine()`) and the lean one the widget loads by default
// (`initEngine({ lean: true })`); the parity tests run on both.
const pages = {};
const ENGINES = ['full', 'lean'];

/** A page with `window.kpitree` (engine.js) and the lean or the full engine loaded. */
async function enginePage(lean) {
  const page = await env.page();
  // Any same-origin document will do; the tests import the built modules into it.
  await page.goto(`${env.url}/dist/engine.js`);
  await page.evaluate(async (lean) => {
    window.kpitree = await import('/dist/engine.js');
    await window.kpitree.initEngine({ lean });
  }, lean);
  return page;
}

before(async () => {
  env = await openBrowser();
  for (const engine of ENGINES) pages[engine] = await enginePage(engine === 'lean');
});

after(async () => {
  await env?.close();
});

/** Runs `f(kpitree, arg)` in `page`; returns its value or `{ error: { name, message, problems } }`. */
function inPageOf(page, f, arg) {
  return page.evaluate(
    async ([src, a]) => {
      const fn = (0, eval)(`(${src})`);
      try {
        return { value: await fn(window.kpitree, a) };
      } catch (e) {
        return { error: { name: e.name, message: e.message, problems: e.problems, isError: e instanceof Error } };
      }
    },
    [f.toString(), arg],
  );
}

function validationFiles() {
  return readdirSync(join(repo, 'tests/validation')).filter((f) => f.endsWith('.json')).sort();
}

/** JSON as both sides would print it after parsing: same keys, same order, same numbers. */
const canonical = (v) => JSON.stringify(v, null, 1);

for (const engine of ENGINES) {
const inPage = (f, arg) => inPageOf(pages[engine], f, arg);
const lean = engine === 'lean';

describe(`${engine} engine: check in the browser equals kpitree check --format json`, () => {
  for (const file of examples()) {
    test(file, async () => {
      const expected = JSON.parse(cli(['check', file, '--format', 'json', '--fail-on', 'never', '--no-config']).stdout);
      const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, file), 'utf8'));
      const got = await inPage((k, [text, file]) => {
        const tree = k.loadTree(text, { file });
        try {
          return tree.check();
        } finally {
          tree.free();
        }
      }, [text, file]);
      assert.equal(got.error, undefined);
      assert.ok(expected.findings.length > 0, 'the example has findings to compare');
      assert.equal(canonical(got.value), canonical(expected));
    });
  }

  test('prune reports equal kpitree prune --format json', async () => {
    // The lean engine has no pruning: a tree it read prunes through its copy in the full engine, once
    // that is loaded (a lean page of its own: this one stays lean).
    const page = lean ? await enginePage(true) : pages[engine];
    try {
      for (const [k, file] of examples().entries()) {
        const expected = JSON.parse(cli(['prune', file, '--format', 'json', '--no-config']).stdout);
        const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, file), 'utf8'));
        const got = await inPageOf(page, async (k, [text, file]) => {
          const tree = k.loadTree(text, { file });
          let refused = null;
          try {
            tree.prune();
          } catch (e) {
            refused = e.message;
          }
          await k.initEngine();
          return { refused, report: tree.prune(), nodes: tree.nodes().length, node: tree.node(tree.nodes()[0].id).id };
        }, [text, file]);
        assert.equal(got.error, undefined, got.error?.message);
        assert.equal(canonical(got.value.report), canonical(expected), file);
        // Refused before the full engine is loaded: the first tree only (the full engine reads the others).
        const refused = lean && k === 0 ? 'kpitree: prune() needs the full engine: call and await initEngine() without { lean: true }' : null;
        assert.equal(got.value.refused, refused, file);
        assert.equal(got.value.nodes, JSON.parse(text).nodes.length);
        assert.equal(got.value.node, JSON.parse(text).nodes[0].id);
      }
    } finally {
      if (page !== pages[engine]) await page.close();
    }
  });

  test('a tree given as an object, a configuration as TOML and as an object', { skip: lean && 'a configuration needs the full engine' }, async () => {
    const file = examples()[0];
    const toml = '[rules.missing-owner]\nenabled = false\n[rules.stale-kpi]\nmax_age_days = 30\n';
    const fs = await import('node:fs');
    const os = await import('node:os');
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'kpitree-'));
    fs.writeFileSync(join(dir, 'kpitree.toml'), toml);
    const expected = JSON.parse(
      cli(['check', file, '--format', 'json', '--fail-on', 'never', '--config', join(dir, 'kpitree.toml')]).stdout,
    );
    const doc = JSON.parse(fs.readFileSync(join(repo, file), 'utf8'));
    // The same configuration as an object (JSON).
    const object = { rules: { 'missing-owner': { enabled: false }, 'stale-kpi': { max_age_days: 30 } } };
    for (const config of [toml, object]) {
      const got = await inPage((k, [doc, config]) => {
        return k.loadTree(doc, { file: 'x.json' }).check({ config: k.loadConfig(config, { file: 'kpitree.toml' }) });
      }, [doc, config]);
      assert.equal(canonical(got.value), canonical(expected));
      assert.ok(!got.value.findings.some((f) => f.rule === 'missing-owner'), 'the rule was switched off');
    }
  });
});

describe(`${engine} engine: custom rules (CEL)`, () => {
  test('findings equal kpitree check --rules, and prune counts them too', { skip: lean && 'custom rules need the full engine' }, async () => {
    const fs = await import('node:fs');
    const rules = fs.readFileSync(join(repo, 'examples/rules.toml'), 'utf8');
    for (const file of examples()) {
      const expected = JSON.parse(
        cli(['check', file, '--format', 'json', '--fail-on', 'never', '--no-config', '--rules', 'examples/rules.toml']).stdout,
      );
      const text = fs.readFileSync(join(repo, file), 'utf8');
      const got = await inPage((k, [text, rules]) => {
        const tree = k.loadTree(text);
        const config = k.withRules(null, rules, { file: 'examples/rules.toml' });
        return { check: tree.check({ config }), prune: tree.prune({ config }) };
      }, [text, rules]);
      assert.equal(got.error, undefined, file);
      assert.equal(canonical(got.value.check), canonical(expected), file);
      assert.ok(expected.summary.rules_run > 17, 'the custom rules ran');
      const pruned = JSON.parse(cli(['prune', file, '--format', 'json', '--no-config', '--rules', 'examples/rules.toml']).stdout);
      assert.equal(canonical(got.value.prune), canonical(pruned), file);
    }
  });

  test('bad rules are refused with the CLI messages', { skip: lean && 'custom rules need the full engine' }, async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const tmp = fs.mkdtempSync(join(os.tmpdir(), 'kpitree-'));
    const bad = '[[custom_rules]]\nid = "x"\nassert = "has(node.departmnt) && nod"\n[[custom_rules]]\nid = "stale-kpi"\nassert = "true"\n';
    const path = join(tmp, 'rules.toml');
    fs.writeFileSync(path, bad);
    const run = cli(['check', examples()[0], '--no-config', '--rules', path], { status: 2 });
    const expected = run.stderr.trimEnd().split('\n').map((l) => l.replace(/^error: /, '').replaceAll(path, 'rules.toml')).join('\n');
    assert.equal(expected.split('\n').length, 3, expected);
    const got = await inPage((k, bad) => k.withRules(null, bad, { file: 'rules.toml' }), bad);
    assert.equal(got.error?.name, 'KpiTreeError');
    assert.equal(got.error.message, expected);
    // As part of a kpitree.toml too.
    const inConfig = await inPage((k, bad) => k.loadConfig(bad, { file: 'rules.toml' }), bad);
    assert.equal(inConfig.error?.message, expected);
  });
});

describe(`${engine} engine: errors carry the CLI messages`, () => {
  const dir = 'tests/validation';
  const files = validationFiles();
  const declined = [];

  for (const name of files) {
    test(`invalid tree ${name}`, async () => {
      const file = `${dir}/${name}`;
      const run = cli(['check', file, '--format', 'json', '--no-config'], { status: 2 });
      // The CLI's last line counts the problems; the lines before are the messages.
      const lines = run.stderr.trimEnd().split('\n');
      assert.match(lines.at(-1), / invalid: \d+ problems?$/);
      const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, file), 'utf8'));
      const got = await inPage((k, [text, file]) => k.loadTree(text, { file }), [text, file]);
      if (lean) {
        // The lean engine declines every invalid tree, saying whether its JSON reader could not read
        // it (broken syntax or shape) or the tree has problems: readTree then asks the full engine for
        // the CLI's messages, tested below on pages of their own (this page stays lean).
        assert.equal(got.error?.problems?.[0]?.code, 'needs-full-engine', name);
        assert.equal(got.error.problems.length, 1);
        const unread = `${file}: the lean engine does not read this JSON; the full engine (initEngine() without \`lean\`) says why`;
        const unchecked = `${file}: the lean engine does not check this tree's problems; the full engine (initEngine() without \`lean\`) lists them`;
        assert.ok([unread, unchecked].includes(got.error.message), got.error.message);
        if (got.error.message === unread) declined.push(name);
        return;
      }
      assert.equal(got.error?.name, 'KpiTreeError');
      assert.equal(got.error.isError, true);
      assert.equal(got.error.message, lines.slice(0, -1).join('\n'));
      assert.equal(got.error.problems.length, lines.length - 1);
      for (const p of got.error.problems) {
        assert.equal(p.file, file);
        assert.match(p.code, /^[a-z-]+$/);
        assert.ok(got.error.message.includes(p.message));
      }
    });
  }

  test('the lean engine cannot read only what does not parse into a document', { skip: !lean }, () => {
    // Problems of meaning (ids, parents, cycles, ranges...) the lean engine finds, and leaves their
    // located messages to the full engine.
    assert.ok(declined.length > 0 && declined.length < files.length, declined.join(', '));
    for (const name of ['cycles.json', 'unknown-parent.json', 'duplicate-and-empty-ids.json', 'illegal-parents.json']) {
      assert.ok(!declined.includes(name), `${name} is read by the lean engine`);
    }
    for (const name of ['syntax-missing-comma.json', 'syntax-truncated.json', 'unknown-field.json', 'wrong-type.json']) {
      assert.ok(declined.includes(name), `${name} is declined by the lean engine`);
    }
  });

  test('invalid configuration', { skip: lean && 'a configuration needs the full engine' }, async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const tmp = fs.mkdtempSync(join(os.tmpdir(), 'kpitree-'));
    const cases = [
      '[rules.stale-kpi]\nmax_age_days = -1\n[rules.orphan-kpi]\nmax = 3\n',
      '[rules\nbroken',
      '[rules.no-such-rule]\nenabled = true\n',
    ];
    for (const toml of cases) {
      const path = join(tmp, 'kpitree.toml');
      fs.writeFileSync(path, toml);
      const run = cli(['check', examples()[0], '--config', path], { status: 2 });
      // `error: SOURCE: message` per line; the page names the source as it was given.
      const expected = run.stderr
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^error: /, '').replaceAll(path, 'kpitree.toml'))
        .join('\n');
      const text = fs.readFileSync(join(repo, examples()[0]), 'utf8');
      const got = await inPage((k, [toml, text]) => {
        const config = k.loadConfig(toml, { file: 'kpitree.toml' });
        return k.loadTree(text).check({ config });
      }, [toml, text]);
      assert.equal(got.error?.name, 'KpiTreeError', toml);
      assert.equal(got.error.message, expected);
    }
  });
});

describe(`${engine} engine: layout`, () => {
  test("is d3-hierarchy's tree() on the display tree, item for item", async () => {
    for (const file of examples()) {
      const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, file), 'utf8'));
      const got = await inPage(async (k, text) => {
        const d3 = await import('/node_modules/d3-hierarchy/dist/d3-hierarchy.mjs');
        const tree = k.loadTree(text);
        // The document's nodes, in the engine's order (a lean tree has no nodes()).
        const nodes = JSON.parse(text).nodes;
        const L = tree.layout({ nodeSize: [120, 50] });
        // The same display tree for d3: an invisible root holding the roots, children in item order.
        const items = Array.from({ length: L.count }, (_, i) => ({ i, children: [] }));
        const root = { i: -1, children: [] };
        for (let i = 0; i < L.count; i++) (L.parent[i] < 0 ? root : items[L.parent[i]]).children.push(items[i]);
        const h = d3.hierarchy(root, (d) => (d.children.length ? d.children : null));
        d3.tree().nodeSize([120, 50])(h);
        const d3x = new Float64Array(L.count);
        h.each((n) => n.data.i >= 0 && (d3x[n.data.i] = n.x));
        let worst = 0;
        for (let i = 0; i < L.count; i++) worst = Math.max(worst, Math.abs(L.x[i] - L.x[0] - (d3x[i] - d3x[0])));
        const refs = [...L.flags].filter((f) => f & 4).length;
        const edges = nodes.reduce((s, n) => s + (n.parents?.length ?? 0), 0);
        const roots = nodes.filter((n) => !n.parents?.length).length;
        const sharedOk = [...L.node].every((n, i) => ((L.flags[i] & 8) !== 0) === ((nodes[n].parents?.length ?? 0) > 1));
        const inside = [...L.x].every((x) => x >= 60 - 1e-9 && x <= L.width - 60 + 1e-9);
        return { count: L.count, n: nodes.length, worst, refs, edges, roots, sharedOk, inside,
          types: [L.x, L.y, L.depth, L.parent, L.node, L.flags].map((a) => a.constructor.name) };
      }, text);
      assert.equal(got.error, undefined, got.error?.message);
      const v = got.value;
      assert.ok(v.worst < 1e-9, `${file}: off d3 by ${v.worst}`);
      // Every node in full once, plus one reference per extra parent.
      assert.equal(v.count, v.n + v.refs);
      assert.equal(v.refs, v.edges - (v.n - v.roots));
      assert.ok(v.sharedOk && v.inside, file);
      assert.deepEqual(v.types, ['Float64Array', 'Float64Array', 'Uint32Array', 'Int32Array', 'Uint32Array', 'Uint8Array']);
    }
  });

  test('collapsed nodes hide their subtrees', async () => {
    const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, examples()[0]), 'utf8'));
    const got = await inPage((k, text) => {
      const tree = k.loadTree(text);
      const all = tree.layout();
      const root = JSON.parse(text).nodes[all.node[0]].id;
      const folded = tree.layout({ collapsed: [root, 'no-such-id'] });
      // The first root's subtree is the items after it up to the next root (preorder).
      let end = 1;
      while (end < all.count && all.parent[end] >= 0) end++;
      return { all: all.count, folded: folded.count, hidden: end - 1, flags: folded.flags[0] };
    }, text);
    assert.equal(got.value.folded, got.value.all - got.value.hidden);
    assert.equal(got.value.flags & 3, 1, 'has children, not expanded');
    assert.ok(got.value.all > got.value.folded);
  });

  test('openableFrom names what a whole layout shows with children from a depth; collapsedNodes closes them', async () => {
    const fs = await import('node:fs');
    const texts = examples().map((f) => fs.readFileSync(join(repo, f), 'utf8'));
    texts.push(JSON.stringify(generateTree({ nodes: 2000, seed: 5 })));
    for (const text of texts) {
      const got = await inPage((k, text) => {
        const tree = k.loadTree(text);
        const nodes = JSON.parse(text).nodes;
        const all = tree.layout();
        const out = [];
        for (let depth = 0; depth < 5; depth++) {
          const want = [];
          for (let i = 0; i < all.count; i++) if ((all.flags[i] & 5) === 1 && all.depth[i] >= depth) want.push(all.node[i]);
          const got = tree.openableFrom(depth);
          const byIndex = tree.layout({ collapsedNodes: got });
          const byId = tree.layout({ collapsed: Array.from(got, (i) => nodes[i].id) });
          out.push({
            typed: got instanceof Uint32Array,
            got: Array.from(got),
            want: want.sort((a, b) => a - b),
            same: byIndex.count === byId.count && byIndex.node.every((n, k) => n === byId.node[k] && byIndex.flags[k] === byId.flags[k]),
            deepest: Math.max(...byIndex.depth),
          });
        }
        // Indices out of range are ignored, as unknown ids are.
        const ignored = tree.layout({ collapsedNodes: [nodes.length, 2 ** 32 - 1] }).count === all.count;
        return { out, ignored };
      }, text);
      assert.equal(got.error, undefined, got.error?.message);
      assert.ok(got.value.ignored);
      got.value.out.forEach((o, depth) => {
        assert.ok(o.typed);
        assert.deepEqual(o.got, o.want, `depth ${depth}`);
        assert.ok(o.same, `depth ${depth}: collapsedNodes lays out as collapsed ids`);
        if (o.got.length) assert.ok(o.deepest <= depth, `depth ${depth}: nothing shown below it`);
      });
      assert.ok(got.value.out[0].got.length > 0);
    }
  });

  test("a file's bytes are read as the CLI reads the file, from any view of a buffer", async () => {
    const fs = await import('node:fs');
    // Valid trees: the report from the bytes is the one from the text. Invalid ones, invalid UTF-8
    // and a byte-order mark among them: the CLI's messages (readTree: the lean engine leaves them to
    // the full one).
    const files = [...examples(), ...readdirSync(join(repo, 'tests/validation')).filter((f) => !f.includes('.expected')).map((f) => `tests/validation/${f}`)];
    for (const [k, file] of files.entries()) {
      const bytes = [...fs.readFileSync(join(repo, file))];
      const valid = !file.startsWith('tests/validation/');
      const lines = valid ? [] : cli(['check', file, '--format', 'json', '--no-config'], { status: 2 }).stderr.trimEnd().split('\n');
      const page = lean && !valid ? await enginePage(true) : pages[engine];
      try {
        const got = await inPageOf(page, async (kt, [bytes, file, valid, k]) => {
          // Four ways to hold the bytes: a part of a padded buffer through a DataView, a Uint8Array,
          // an ArrayBuffer, and an ArrayBuffer made in another frame (whose classes are not this page's).
          let input;
          if (k % 4 === 0) {
            const padded = new Uint8Array(bytes.length + 7);
            padded.set(bytes, 3);
            input = new DataView(padded.buffer, 3, bytes.length);
          } else if (k % 4 === 1) {
            input = Uint8Array.from(bytes);
          } else if (k % 4 === 2) {
            input = Uint8Array.from(bytes).buffer;
          } else {
            const frame = document.createElement('iframe');
            document.body.append(frame);
            input = new frame.contentWindow.Uint8Array(bytes).buffer;
            frame.remove();
          }
          const tree = await kt.readTree(input, { file });
          if (!valid) return { read: true };
          const text = new TextDecoder().decode(Uint8Array.from(bytes));
          const same = JSON.stringify(tree.check()) === JSON.stringify(kt.loadTree(text, { file }).check());
          return { same, count: tree.count, file: tree.file };
        }, [bytes, file, valid, k]);
        if (valid) {
          assert.equal(got.error, undefined, `${file}: ${got.error?.message}`);
          assert.ok(got.value.same, `${file}: the report from the bytes is the one from the text`);
          assert.equal(got.value.file, file);
        } else {
          assert.equal(got.error?.name, 'KpiTreeError', file);
          assert.equal(got.error.message, lines.slice(0, -1).join('\n'), file);
        }
      } finally {
        if (page !== pages[engine]) await page.close();
      }
    }
  });
});
}

describe('the lean engine', () => {
  const inPage = (f, arg) => inPageOf(pages.lean, f, arg);

  test('says that CSV, a configuration and plugins need the full engine', async () => {
    for (const call of [
      (k) => k.loadTree('id,kind,title\ns,strategy,S\n', { file: 'tree.csv' }),
      (k) => k.loadConfig('[rules.missing-owner]\nenabled = false\n'),
      (k) => k.loadConfig({ rules: { 'missing-owner': { enabled: false } } }),
      (k) => k.defaultLimits(),
    ]) {
      const got = await inPage(call);
      assert.match(got.error?.message ?? '', /needs the full engine: call and await initEngine\(\) without \{ lean: true \}/);
    }
  });

  test('asOf: a date it reads; a bad one it declines, and readTree has the full engine say why', async () => {
    const tree = '{"version":1,"organisation":"O","as_of":"2026-01-01","nodes":[{"id":"s","kind":"strategy","title":"S"}]}';
    const good = await inPage((k, tree) => k.loadTree(tree, { asOf: '2026-02-03' }).count, tree);
    assert.equal(good.value, 1);
    const bad = await inPage((k, tree) => k.loadTree(tree, { asOf: '03/02/2026' }), tree);
    assert.equal(bad.error?.problems?.[0]?.code, 'needs-full-engine');
    assert.match(bad.error.message, /^asOf: the lean engine does not read this date/);
    const page = await enginePage(true);
    try {
      const got = await inPageOf(page, (k, tree) => k.readTree(tree, { asOf: '03/02/2026\u202e' }), tree);
      assert.equal(got.error?.name, 'KpiTreeError');
      assert.equal(got.error.message, 'asOf: "03/02/2026\\u{202e}" is not a date as YYYY-MM-DD');
    } finally {
      await page.close();
    }
  });

  test('readTree: what its JSON reader declines, the full engine reads, with the CLI messages', async () => {
    const fs = await import('node:fs');
    let fellBack = 0;
    for (const name of validationFiles()) {
      const file = `tests/validation/${name}`;
      const lines = cli(['check', file, '--format', 'json', '--no-config'], { status: 2 }).stderr.trimEnd().split('\n');
      const text = fs.readFileSync(join(repo, file), 'utf8');
      // A lean page of its own for each file: after a fallback the page has the full engine.
      const page = await enginePage(true);
      try {
        const got = await inPageOf(page, async (k, [text, file]) => {
          let declined = false;
          try {
            k.loadTree(text, { file });
          } catch (e) {
            declined = e.problems?.[0]?.code === 'needs-full-engine';
          }
          try {
            await k.readTree(text, { file });
            return { declined, read: true };
          } catch (e) {
            // The full engine now reads CSV: it was loaded.
            let full = true;
            try {
              k.loadTree('# as_of: 2026-01-01\nid,kind,title\ns,strategy,S\n', { file: 'x.csv', organisation: 'x' });
            } catch {
              full = false;
            }
            return { declined, full, message: e.message, codes: e.problems.map((p) => p.code) };
          }
        }, [text, file]);
        assert.equal(got.error, undefined, got.error?.message);
        assert.equal(got.value.message, lines.slice(0, -1).join('\n'), name);
        assert.equal(got.value.full, got.value.declined, `${name}: the full engine is loaded exactly when the lean one declined`);
        assert.ok(!got.value.codes.includes('needs-full-engine'));
        if (got.value.declined) fellBack++;
      } finally {
        await page.close();
      }
    }
    assert.ok(fellBack > 0, 'some files were read through the full engine');
  });

  test('a tree it loaded checks with plugins after the full engine is loaded, as the full engine checks it', async () => {
    const file = examples()[0];
    const text = await import('node:fs').then((fs) => fs.readFileSync(join(repo, file), 'utf8'));
    const got = await inPage(async (k, [text, file]) => {
      const tree = k.loadTree(text, { file });
      const plain = tree.check();
      const plugins = await import('/dist/plugins.js');
      // No plugins: the runner loads the full engine and moves the tree there; the report is the same.
      const viaFull = await plugins.checkWithPlugins(tree, { plugins: [] });
      // Module-level calls now use the full engine, which reads CSV.
      const csv = k.loadTree('# as_of: 2026-01-01\nid,kind,title\ns,strategy,S\n', { file: 'tree.csv', organisation: 'x' }).count;
      return { same: JSON.stringify(plain) === JSON.stringify(viaFull), findings: plain.findings.length, csv };
    }, [text, file]);
    assert.equal(got.error, undefined, got.error?.message);
    assert.ok(got.value.findings > 0);
    assert.equal(got.value.same, true);
    assert.equal(got.value.csv, 1);
  });
});
