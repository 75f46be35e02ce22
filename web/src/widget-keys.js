// The keys of the <kpi-tree> element's tree, after the WAI-ARIA tree pattern: one card holds tabindex 0
// (the roving tabindex) and the keys move it through the display items of the layout, open and close
// branches and select. Which key does what is decided here; the element does it.
import { opens } from './widget-layout.js';

/**
 * Handles keydown `e` on display item `i` of layout `L` through the element's actions on an item `j`:
 * `moveTo(j)` (the roving focus), `toggle(j)` (open or close), `activate(j)` (select; on a reference,
 * go to the full card), `expandSiblings(j)` (`*`). A key of the tree's goes no further.
 */
export function treeKey(e, L, i, moveTo, toggle, activate, expandSiblings) {
  const flags = L.flags[i];
  const expandable = opens(flags);
  switch (e.key) {
    case 'ArrowDown':
      moveTo(i + 1);
      break;
    case 'ArrowUp':
      moveTo(i - 1);
      break;
    case 'Home':
      moveTo(0);
      break;
    case 'End':
      moveTo(L.count - 1);
      break;
    case 'ArrowRight':
      // Closed: open it; open: go to its first child.
      if (expandable && !(flags & 2)) toggle(i);
      else if (expandable && i + 1 < L.count && L.parent[i + 1] === i) moveTo(i + 1);
      break;
    case 'ArrowLeft':
      // Open: close it; closed or a leaf: go to its parent.
      if (expandable && flags & 2) toggle(i);
      else if (L.parent[i] >= 0) moveTo(L.parent[i]);
      break;
    case 'Enter':
    case ' ':
      activate(i);
      break;
    case '*':
      expandSiblings(i);
      break;
    default:
      return;
  }
  e.preventDefault();
  e.stopPropagation();
}
