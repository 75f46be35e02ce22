// The widget in an intranet page's main column (web/tests/widget-container.test.mjs):
// /demo/intranet.html?col=520&src=/examples/hospital.json. `col`: the main column's width in px (absent:
// as wide as the page allows). Records events like test.js.
const params = new URLSearchParams(location.search);
window.__events = [];
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI }));
for (const type of ['kpi-select', 'kpi-findings', 'kpi-error']) {
  document.addEventListener(type, (e) => window.__events.push({ type, detail: e.detail }));
}
const main = document.getElementById('main');
if (params.get('col')) main.style.width = `${Number(params.get('col'))}px`;
await import('/dist/kpi-tree.js');
const el = document.createElement('kpi-tree');
el.id = 'tree';
if (params.get('src')) el.setAttribute('src', params.get('src'));
main.append(el);
window.__ready = true;
