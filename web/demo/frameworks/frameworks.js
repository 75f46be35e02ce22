// /demo/frameworks/frameworks.html?fw=react|vue|angular: does to a <kpi-tree> what that framework does
// with the usage example of web/README.md, in the same order, with the element's module arriving only
// afterwards (the late case: a framework's bundle renders before the widget's script has loaded). No
// framework is loaded: each module below replays the framework's DOM operations (web/tests/
// widget-frameworks.test.mjs runs them).
const fw = new URLSearchParams(location.search).get('fw');
window.__events = [];
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI }));
for (const type of ['kpi-select', 'kpi-findings', 'kpi-error']) {
  document.addEventListener(type, (e) => window.__events.push({ type, detail: e.detail }));
}
const doc = await (await fetch('/examples/hospital.json')).json();
const { mount } = await import(`./${fw}.js`);
// What the framework's handlers saw.
window.__selected = [];
window.__element = mount(document.getElementById('app'), doc, (id) => window.__selected.push(id));
if (customElements.get('kpi-tree')) throw new Error('the widget must not be defined yet');
await import('/dist/kpi-tree.js');
window.__ready = true;
