// Vue 3, as in web/README.md: `<kpi-tree :tree.prop="doc" @kpi-select="onSelect" />` with
// `compilerOptions.isCustomElement`. Vue's order: create the element, patch its props (`.prop`: a
// property, whatever the element is) and listeners, then insert it.
export function mount(container, doc, onSelect) {
  const el = document.createElement('kpi-tree');
  el.tree = doc;
  el.addEventListener('kpi-select', (e) => onSelect(e.detail.id));
  container.insertBefore(el, null);
  return el;
}
