// Cold first view of the <kpi-tree> element, as a visitor's first page load sees it: a fresh browser
// context per run (empty cache; the server sends no-store), a page that imports kpi-tree.js and appends
// `<kpi-tree src="...">` for the software-company example and for generated trees of 1,000 and 10,000
// nodes served as files. Measured in the page from `append()`: to the first frame with cards in the
// shadow DOM (a MutationObserver, then requestAnimationFrame), and to `kpi-findings` (the check's
// report). Everything is downloaded during the measure: the stylesheet, the engine's glue and wasm, the
// tree. Median of RUNS (default 5). The note also gives the first cards counted from navigation start,
// which includes the download of kpi-tree.js and engine.js themselves.
//
// Used by web/bench/run.mjs (`node bench/run.mjs cold`); starts its own server, to serve the generated
// trees. Alone: `node bench/cold.bench.mjs`. COLD_BEFORE=DIR (another build of dist/, e.g. main's)
// measures that build too, its runs alternating with this one's (the machine is shared and noisy:
// only runs made side by side compare), and adds its rows and the ratio.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from '../demo/generate.js';
import { startServer } from '../scripts/serve.mjs';

const RUNS = Number(process.env.COLD_RUNS ?? 5);
const web = resolve(fileURLToPath(new URL('..', import.meta.url)));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function once(browser, url, src, dist) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(`${url}/bench/cold.html?src=${encodeURIComponent(src)}&dist=${dist}`);
    await page.waitForFunction(() => window.__cold?.findings !== undefined || window.__cold?.error, null, { timeout: 120000 });
    const got = await page.evaluate(() => window.__cold);
    if (got.error) throw new Error(`${src}: ${got.error}`);
    return got;
  } finally {
    await context.close();
  }
}

export default async function cold({ browser }) {
  const dir = mkdtempSync(join(tmpdir(), 'kpitree-cold-'));
  const before = process.env.COLD_BEFORE;
  const builds = before ? [['', '/dist/'], [' (before)', '/before/']] : [['', '/dist/']];
  const mounts = [['/gen/', dir], ['/examples/', resolve(web, '..', 'examples')], ['/', web]];
  if (before) mounts.unshift(['/before/', resolve(before)]);
  const server = await startServer({ mounts });
  const rows = [];
  try {
    const trees = [['software company', '/examples/software-company.json']];
    for (const nodes of [1000, 10000]) {
      writeFileSync(join(dir, `${nodes}.json`), JSON.stringify(generateTree({ nodes, seed: 11 })));
      trees.push([`${nodes.toLocaleString('en')} nodes`, `/gen/${nodes}.json`]);
    }
    for (const [name, src] of trees) {
      const runs = builds.map(() => []);
      for (let r = 0; r < RUNS; r++) {
        for (const [k, [, dist]] of builds.entries()) runs[k].push(await once(browser, server.url, src, dist));
      }
      const cards = runs.map((rs) => median(rs.map((r) => r.cards - r.append)));
      const findings = runs.map((rs) => median(rs.map((r) => r.findings - r.append)));
      // before ÷ this build: above 1, this build is faster.
      const ratio = (m) => (m.length > 1 ? `; before ÷ this ${(m[1] / m[0]).toFixed(2)}` : '');
      for (const [k, [label]] of builds.entries()) {
        const list = (f) => runs[k].map((r) => Math.round(f(r))).join(', ');
        rows.push({
          name: `${name}: first cards${label}`,
          value: Math.round(cards[k]),
          unit: 'ms',
          note: `median of ${RUNS} (${list((r) => r.cards - r.append)}); ${Math.round(median(runs[k].map((r) => r.cards)))} ms from navigation start${k ? '' : ratio(cards)}`,
        });
        rows.push({
          name: `${name}: kpi-findings${label}`,
          value: Math.round(findings[k]),
          unit: 'ms',
          note: `median of ${RUNS} (${list((r) => r.findings - r.append)})${k ? '' : ratio(findings)}`,
        });
      }
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { openBrowser } = await import('../tests/support.mjs');
  const env = await openBrowser();
  try {
    console.log(JSON.stringify(await cold(env), null, 2));
  } finally {
    await env.close();
  }
}
