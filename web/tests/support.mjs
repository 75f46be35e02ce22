// Shared by the browser tests: one static server and one headless Chromium per test file.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The flags this machine needs (closed network: no background connections, no GPU, root user).
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const WEB = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The server's mounts: the caller's `mounts` (a test's own fixtures), the repository's examples, and
 * web/ itself. WIDGET_DEV_DIST lets the widget be tried against another build of dist/ (for example
 * while the engine is being rebuilt); unset, web/dist as built by scripts/build.sh.
 */
function mountsWith(mounts) {
  const dist = process.env.WIDGET_DEV_DIST;
  return [
    ...mounts,
    ['/examples/', resolve(WEB, '..', 'examples')],
    ...(dist ? [['/dist/', resolve(dist)]] : []),
    ['/', WEB],
  ];
}

/**
 * Starts the server and the browser; `close()` stops both. `mounts`: the caller's own folders,
 * `[['/fixtures/', dir]]`, before the examples, dist/ and web/ (see `mountsWith`).
 */
export async function openBrowser({ mounts = [], ...unknown } = {}) {
  // A misspelt option would otherwise be dropped silently (a caller once passed `server: { mounts }`).
  const extra = Object.keys(unknown);
  if (extra.length) throw new TypeError(`openBrowser: unknown option(s) ${extra.join(', ')}`);
  const server = await startServer({ mounts: mountsWith(mounts) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  return {
    url: server.url,
    browser,
    /** A page in a new context; `contextOptions` as playwright's newContext() (locale, colorScheme...). */
    async page(contextOptions = {}) {
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.errors = errors;
      return page;
    },
    /** The test page (demo/test.html, `query` its `?...`) with its element and no tree yet. */
    async emptyPage(query = '', contextOptions = {}) {
      const page = await this.page(contextOptions);
      await page.goto(`${server.url}/demo/test.html${query}`);
      await page.waitForFunction(() => window.__ready);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
