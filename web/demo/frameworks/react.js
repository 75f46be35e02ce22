// React 19, as in web/README.md: `<kpi-tree ref={ref} lang="nl" />`, the tree set as a property in an
// effect (React sets a prop it cannot find on an undefined element as an attribute, so the example does
// not pass objects as JSX props), `kpi-select` listened to in the effect.
// React's order: create the element, set its attributes, insert it, then run the effects.
export function mount(container, doc, onSelect) {
  const el = document.createElement('kpi-tree');
  el.setAttribute('lang', 'en');
  container.append(el);
  // useEffect(() => { el.tree = tree; el.addEventListener('kpi-select', handler); ... }, [tree])
  el.tree = doc;
  el.addEventListener('kpi-select', (e) => onSelect(e.detail.id));
  return el;
}
