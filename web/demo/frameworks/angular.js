// Angular, as in web/README.md: `<kpi-tree [tree]="doc" (kpi-select)="onSelect($event)"></kpi-tree>`
// with `schemas: [CUSTOM_ELEMENTS_SCHEMA]`. Angular's order: create the element, listen, insert it, then
// set the property bindings in the first change detection.
export function mount(container, doc, onSelect) {
  const el = document.createElement('kpi-tree');
  el.addEventListener('kpi-select', (e) => onSelect(e.detail.id));
  container.appendChild(el);
  el.tree = doc;
  return el;
}
