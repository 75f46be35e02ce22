// The demo page's glue: a picker for the example trees (and generated big ones), the example plugins
// when they were built, and a log of the element's events. Loaded as a module file, because the page is
// served under a CSP without 'unsafe-inline'.
import { generateTree } from './generate.js';

const tree = document.getElementById('tree');
const example = document.getElementById('example');
const usePlugins = document.getElementById('use-plugins');
const pluginsLabel = document.getElementById('plugins-label');
const log = document.getElementById('log');

// The example plugins, where web/scripts/build.sh puts them when they were built. Absent ones are skipped.
const PLUGINS = ['owner-teams', 'local-optimisation', 'owner-quota'].map((name) => `/dist/plugins/${name}.wasm`);
const CONFIG = '/demo/kpitree.toml';
let available = [];

async function findPlugins() {
  const found = await Promise.all(
    PLUGINS.map((url) => fetch(url, { method: 'HEAD' }).then((r) => (r.ok ? url : null), () => null)),
  );
  available = found.filter(Boolean);
  usePlugins.disabled = available.length === 0;
  pluginsLabel.textContent = available.length
    ? `Example plugins (${available.map((u) => u.split('/').pop().replace('.wasm', '')).join(', ')})`
    : 'Example plugins (not built)';
}

function show() {
  const value = example.value;
  const plugins = usePlugins.checked ? available.join(' ') : '';
  tree.plugins = plugins;
  if (plugins) tree.config = CONFIG;
  else tree.removeAttribute('config');
  if (value.startsWith('gen:')) {
    tree.tree = generateTree({ nodes: Number(value.slice(4)), seed: 7 });
  } else {
    tree.tree = null;
    tree.src = value;
  }
  const params = new URLSearchParams(location.search);
  params.set('tree', value);
  history.replaceState(null, '', `?${params}`);
}

function note(kind, text) {
  const li = document.createElement('li');
  const tag = document.createElement('code');
  tag.textContent = kind;
  li.append(tag, ' ', text);
  log.prepend(li);
  while (log.children.length > 8) log.lastChild.remove();
}

tree.addEventListener('kpi-select', (e) => note('kpi-select', `${e.detail.id}: ${e.detail.node?.title ?? ''}`));
tree.addEventListener('kpi-findings', (e) => {
  const r = e.detail.report;
  const plugins = r.plugin_errors?.length ? `, ${r.plugin_errors.length} plugin error(s)` : '';
  note('kpi-findings', `${r.findings.length} findings, health ${Math.round(r.scores?.health ?? 0)}${plugins}`);
});
tree.addEventListener('kpi-error', (e) => note('kpi-error', e.detail.message));

example.addEventListener('change', show);
usePlugins.addEventListener('change', show);

const wanted = new URLSearchParams(location.search).get('tree');
if (wanted && [...example.options].some((o) => o.value === wanted)) example.value = wanted;
await findPlugins();
if (new URLSearchParams(location.search).get('plugins') === '1' && !usePlugins.disabled) usePlugins.checked = true;
show();
