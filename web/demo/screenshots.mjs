// Takes the README's screenshots of the demo page with headless Chromium (Debian's, via
// tests/support.mjs): `node demo/screenshots.mjs` after `npm run build`; writes web/screenshots/*.png.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../tests/support.mjs';

const web = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(web, 'screenshots');
mkdirSync(out, { recursive: true });
// WIDGET_DEV_DIST: another build of dist/, as in the tests.
const dist = process.env.WIDGET_DEV_DIST;
const examples = resolve(web, '..', 'examples');
const env = await openBrowser(dist ? { server: { mounts: [['/examples/', examples], ['/dist/', resolve(dist)], ['/', web]] } } : {});

async function shot(query, name, act) {
  const page = await env.page();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${env.url}/?${query}`);
  await page.waitForFunction(() => document.getElementById('tree').report !== null, null, { timeout: 120000 });
  await page.waitForTimeout(300);
  await act?.(page);
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, `${name}.png`) });
  if (page.errors.length) console.error(name, page.errors);
  await page.close();
  console.log(`screenshots/${name}.png`);
}

try {
  await shot('tree=/dist/examples/software-company.json', 'demo', async (page) => {
    await page.evaluate(() => document.getElementById('tree').select('kpi-qualified-pipeline'));
  });
  await shot('tree=/dist/examples/hospital.json', 'search', async (page) => {
    await page.locator('kpi-tree input[type="search"]').fill('wait');
    await page.locator('kpi-tree input[type="search"]').press('Enter');
  });
  await shot('tree=gen:10000', 'large', async (page) => {
    await page.locator('kpi-tree select[part="rule-filter"]').selectOption('missing-owner');
    await page.locator('kpi-tree [role="treeitem"]:not(.dim) >> nth=3').click();
  });
} finally {
  await env.close();
}
