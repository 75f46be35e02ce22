// The page the widget's browser tests drive (web/tests/widget*.test.mjs), also handy by hand:
// /demo/test.html?src=/examples/hospital.json&plugins=...&config=...&baseline=...&gen=10000&lang=nl&locale=de. It records every CSP
// violation and every event of the element (as seen on `document`, so only bubbling, composed events
// arrive) before the element exists, so nothing is missed.
import { generateTree } from './generate.js';

const params = new URLSearchParams(location.search);
window.__csp = [];
window.__events = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
});
for (const type of ['kpi-select', 'kpi-findings', 'kpi-error']) {
  document.addEventListener(type, (e) => {
    window.__events.push({ type, bubbles: e.bubbles, composed: e.composed, detail: e.detail, time: performance.now() });
  });
}

await import('/dist/kpi-tree.js');
const el = document.createElement('kpi-tree');
el.id = 'tree';
for (const name of ['plugins', 'config', 'rules', 'baseline', 'locale', 'theme']) if (params.get(name)) el.setAttribute(name, params.get(name));
// `deep-link=` sets the attribute empty (the whole hash), `deep-link=NAME` names its entry.
if (params.has('deep-link')) el.setAttribute('deep-link', params.get('deep-link'));
// The page's language (`?lang=nl`; empty: none, so the browser's decides).
if (params.has('lang')) document.documentElement.lang = params.get('lang');
if (params.get('gen')) el.tree = generateTree({ nodes: Number(params.get('gen')), seed: Number(params.get('seed') ?? 1) });
else if (params.get('src')) el.setAttribute('src', params.get('src'));
window.__start = performance.now();
document.getElementById('main').append(el);
window.__ready = true;
