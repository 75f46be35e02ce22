// Every property a framework may bind, set before the element is defined (the late case of
// frameworks.js), optional ones unset as frameworks leave them (`undefined`, `null`): each is taken at
// the upgrade, an unset one as no attribute. Replayed by web/tests/widget-frameworks.test.mjs.
export function mount(container, doc, onSelect) {
  const el = document.createElement('kpi-tree');
  el.locale = 'nl';
  el.theme = 'dark';
  el.zoom = 0.5;
  el.config = undefined;
  el.rules = null;
  el.plugins = undefined;
  el.baseline = null;
  el.tree = doc;
  el.addEventListener('kpi-select', (e) => onSelect(e.detail.id));
  container.append(el);
  return el;
}
