// Static server for the demo and the browser tests: `node scripts/serve.mjs [--port N] [--root DIR]`.
// Serves `web/` (demo page, src/, dist/) and `../examples/` under /examples/, on loopback only, with the
// MIME types a browser insists on (`.wasm` must be `application/wasm` for streaming compilation) and the
// strict Content-Security-Policy the widget promises to work under.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// resolve(): no trailing slash, so the containment check below compares like with like.
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.d.ts': 'text/plain; charset=utf-8',
};

// The policy the widget must work under (README): no inline script, no inline style, wasm allowed.
export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

/**
 * Starts the server. `mounts` maps URL prefixes to directories (first match wins).
 * Returns `{ url, close }`. Port 0 picks a free port.
 */
export async function startServer({ port = 0, host = '127.0.0.1', mounts, csp = STRICT_CSP } = {}) {
  const table = mounts ?? [
    ['/examples/', resolve(here, '..', 'examples')],
    ['/', here],
  ];
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const [prefix, dir] = table.find(([p]) => path.startsWith(p)) ?? [];
      if (!dir) return send(res, 404, 'not found');
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (file !== dir && !file.startsWith(dir + sep)) return send(res, 403, 'forbidden');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) return send(res, 404, 'not found');
      const type = file.endsWith('.d.ts') ? MIME['.d.ts'] : MIME[extname(file)] ?? 'application/octet-stream';
      const headers = { 'content-type': type, 'cache-control': 'no-store' };
      if (csp && type.startsWith('text/html')) headers['content-security-policy'] = csp;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      send(res, 500, String(e));
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const { port: bound } = server.address();
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await startServer({ port: Number(arg('--port', 8000)) });
  console.log(`kpitree demo: ${url}/  (Ctrl-C stops)`);
}
