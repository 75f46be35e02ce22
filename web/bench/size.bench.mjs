// Size of the widget as a page downloads it: web/dist's wasm and JS (and CSS), each gzipped at level 9
// as a server would send them. Goal: under 150 KB in all. Needs `npm run build`.
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

export default async function size() {
  const shipped = files(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
  const rows = [];
  let raw = 0;
  let gz = 0;
  let wasmGz = 0;
  for (const f of shipped) {
    const bytes = readFileSync(f);
    const z = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += z;
    if (f.endsWith('.wasm')) wasmGz += z;
    rows.push({ name: relative(dist, f), value: z / 1024, unit: 'KiB gz', note: `${(bytes.length / 1024).toFixed(1)} KiB raw` });
  }
  rows.push({ name: 'wasm (gzipped)', value: wasmGz / 1024, unit: 'KiB gz' });
  rows.push({ name: 'total wasm + JS + CSS', value: gz / 1024, unit: 'KiB gz', note: `${(raw / 1024).toFixed(1)} KiB raw; goal < 150 KB (146.5 KiB)` });
  return rows;
}
