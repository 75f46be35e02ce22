// Runs every bench/*.bench.mjs (or those named on the command line) against one static server and one
// headless Chromium, and prints one table. Each bench exports `default async ({ url, browser }) =>
// [{ bench, name, value, unit, note? }]`. `npm run bench` (after `npm run build`).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { openBrowser } from '../tests/support.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const env = await openBrowser();
const rows = [];
try {
  for (const f of files) {
    const { default: bench } = await import(pathToFileURL(join(here, f)));
    process.stderr.write(`running ${f}...\n`);
    for (const r of await bench({ url: env.url, browser: env.browser })) rows.push({ bench: f.replace('.bench.mjs', ''), ...r });
  }
} finally {
  await env.close();
}

const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2)) : String(v));
const table = [['bench', 'measure', 'value', 'unit', 'note'], ...rows.map((r) => [r.bench, r.name, fmt(r.value), r.unit ?? '', r.note ?? ''])];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
for (const [k, row] of table.entries()) {
  console.log(row.map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
  if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
