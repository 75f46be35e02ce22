// Size of the widget as a page downloads it, each file gzipped at level 9 as a server would send it.
// Goal: under 150 KB for the default path.
// - default path: every file of web/dist a page with `<kpi-tree src=...>` (a JSON tree, no plugins, no
//   configuration) downloads, as Chromium fetched them (the modules, the stylesheet, the engine's
//   glue and wasm: the lean engine);
// - each file of the widget (everything in web/dist but the demo's examples and plugins), and their
//   sum: a page with plugins or a kpitree.toml loads the full engine instead of the lean one, plus
//   plugins.js and plugin-worker.js.
// Needs `npm run build`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const isWidget = (name) => /\.(wasm|js|css)$/.test(name) && !/^(examples|plugins)\//.test(name);

function sizes(name) {
  const bytes = readFileSync(join(dist, name));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
}

/** The files under /dist/ a page fetches to show `src` with the given attributes. */
async function downloaded(browser, url, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const names = new Set();
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/dist/') && r.ok()) names.add(decodeURIComponent(path.slice('/dist/'.length)));
  });
  try {
    await page.goto(`${url}/demo/test.html?${query}`);
    await page.waitForFunction(() => window.__events?.some((e) => e.type === 'kpi-findings' || e.type === 'kpi-error'));
  } finally {
    await context.close();
  }
  return [...names].filter(isWidget).sort();
}

function total(names) {
  let raw = 0;
  let gz = 0;
  for (const n of names) {
    const s = sizes(n);
    raw += s.raw;
    gz += s.gz;
  }
  return { raw, gz };
}

export default async function size({ url, browser }) {
  const rows = [];
  const widget = files(dist).map((f) => relative(dist, f)).filter(isWidget).sort();
  const path = await downloaded(browser, url, 'src=/examples/hospital.json');
  for (const name of widget) {
    const s = sizes(name);
    const note = `${(s.raw / 1024).toFixed(1)} KiB raw${path.includes(name) ? '; default path' : ''}`;
    rows.push({ name, value: s.gz / 1024, unit: 'KiB gz', note });
  }
  const all = total(widget);
  rows.push({ name: 'every file of the widget', value: all.gz / 1024, unit: 'KiB gz', note: `${(all.raw / 1024).toFixed(1)} KiB raw` });
  // A plugin URL that does not exist still loads the plugin runner; a real plugin also starts the worker.
  const fetched = await downloaded(browser, url, 'src=/examples/hospital.json&config=/demo/kpitree.toml&plugins=/dist/plugins/none.wasm');
  const full = [...new Set([...fetched, 'plugin-worker.js'])];
  const f = total(full);
  rows.push({ name: 'with config and plugins', value: f.gz / 1024, unit: 'KiB gz', note: `${full.length} files, ${(f.raw / 1024).toFixed(1)} KiB raw; full engine` });
  const d = total(path);
  rows.push({
    name: 'default path (src=, JSON)',
    value: d.gz / 1024,
    unit: 'KiB gz',
    note: `${path.length} files, ${(d.raw / 1024).toFixed(1)} KiB raw; goal < 150 KB (146.5 KiB)`,
  });
  return rows;
}
