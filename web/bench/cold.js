// The page of web/bench/cold.bench.mjs: imports the element (from ?dist, default /dist/), appends
// `<kpi-tree src="?src">` and records
// in window.__cold, in ms since navigation start: `append`, `cards` (the first frame with cards in the
// element's shadow DOM) and `findings` (kpi-findings), or `error`.
const params = new URLSearchParams(location.search);
const cold = {};
await import(`${params.get('dist') ?? '/dist/'}kpi-tree.js`);
const el = document.createElement('kpi-tree');
el.setAttribute('src', params.get('src'));
el.addEventListener('kpi-findings', () => {
  cold.findings = performance.now();
  window.__cold = cold;
});
el.addEventListener('kpi-error', (e) => {
  cold.error = e.detail.message;
  window.__cold = cold;
});
const probe = new MutationObserver(() => {
  if (!el.shadowRoot.querySelector('[role="treeitem"]')) return;
  probe.disconnect();
  requestAnimationFrame(() => {
    cold.cards = performance.now();
  });
});
cold.append = performance.now();
document.getElementById('main').append(el);
probe.observe(el.shadowRoot, { childList: true, subtree: true });
