// Shared by the browser tests: one static server and one headless Chromium per test file.
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The flags this machine needs (closed network: no background connections, no GPU, root user).
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts the server and the browser; `close()` stops both. */
export async function openBrowser(options = {}) {
  const server = await startServer(options.server);
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
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
