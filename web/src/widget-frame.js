// The fixed parts of the <kpi-tree> element, built once: the toolbar (title, health, search, level,
// filters), the scrolling viewport with the tree and its links, the overlays (message, load error), the
// side panels and the live region; and what the toolbar and the overlays show. Behaviour is wired up by
// the element.
import { h, healthClass, known, num, put, s } from './widget-dom.js';

/** Builds the element's parts into `root`; ids are prefixed with `uid`. Returns them by name. */
export function buildFrame(root, uid) {
  const id = (x) => `${uid}-${x}`;
  const ui = {};
  ui.org = h('span', { class: 'org', part: 'title' }, 'kpi-tree');
  ui.asof = h('span', { class: 'asof' });
  ui.health = h('span', { class: 'health-pill', part: 'health', hidden: true });
  ui.search = h('input', {
    type: 'search',
    id: id('search'),
    part: 'search',
    placeholder: 'Search nodes',
    autocomplete: 'off',
    'aria-describedby': id('matches'),
    'aria-controls': id('tree'),
  });
  ui.matches = h('span', { class: 'matches', id: id('matches'), 'aria-live': 'polite' });
  ui.level = h(
    'select',
    { id: id('level'), part: 'level' },
    ['All levels', 'Strategies', 'Objectives', 'Key results', 'KPIs'].map((text, level) => h('option', { value: level }, text)),
  );
  ui.activeOnly = h('input', { type: 'checkbox', id: id('active') });
  ui.pruneOnly = h('input', { type: 'checkbox', id: id('prune') });
  ui.rule = h('select', { id: id('rule'), part: 'rule-filter' }, h('option', { value: '' }, 'All rules'));
  const toolbar = h(
    'div',
    { class: 'toolbar', part: 'toolbar' },
    h(
      'div',
      { class: 'bar' },
      h('div', { class: 'brand' }, ui.org, ui.asof, ui.health),
      h('span', { class: 'field', role: 'search' }, h('label', { for: id('search'), class: 'sr-only' }, 'Search nodes'), ui.search, ui.matches),
    ),
    h(
      'div',
      { class: 'bar', part: 'filters', role: 'group', 'aria-label': 'View and filters' },
      h('span', { class: 'field' }, h('label', { for: id('level') }, 'Expand to'), ui.level),
      h('span', { class: 'sep', 'aria-hidden': 'true' }),
      h('span', { class: 'bar-label', 'aria-hidden': 'true' }, 'Show'),
      h('span', { class: 'field' }, ui.activeOnly, h('label', { for: id('active') }, 'Active objectives only')),
      h('span', { class: 'field' }, ui.pruneOnly, h('label', { for: id('prune') }, 'Pruning candidates')),
      h('span', { class: 'field' }, h('label', { for: id('rule') }, 'Findings of rule'), ui.rule),
    ),
  );

  ui.links = s('svg', { class: 'links', part: 'links', 'aria-hidden': 'true', focusable: 'false' });
  ui.linkPath = s('path', {});
  ui.refPath = s('path', { class: 'ref' });
  ui.links.append(ui.linkPath, ui.refPath);
  ui.tree = h('div', { class: 'tree', role: 'tree', id: id('tree'), part: 'tree', 'aria-label': 'KPI tree' });
  ui.canvas = h('div', { class: 'canvas' }, ui.links, ui.tree);
  ui.viewport = h('div', { class: 'viewport', part: 'viewport' }, ui.canvas);
  ui.message = h('div', { class: 'overlay', part: 'message' });
  ui.error = h('div', { class: 'overlay' });

  ui.details = h('section', { class: 'panel details', part: 'details', 'aria-labelledby': id('details-h') });
  ui.pluginErrors = h('div', { class: 'plugin-errors' });
  ui.counts = h('span', { class: 'counts' });
  ui.findingList = h('ul', { class: 'finding-list', part: 'findings-list' });
  const findings = h(
    'section',
    { class: 'panel findings', part: 'findings', 'aria-labelledby': id('findings-h') },
    h('div', { class: 'findings-head' }, h('h2', { id: id('findings-h') }, 'Findings'), ui.counts),
    ui.pluginErrors,
    ui.findingList,
  );
  const sidebar = h('aside', { class: 'sidebar', part: 'sidebar', 'aria-label': 'Node details and findings' }, ui.details, findings);
  ui.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'body' }, h('div', { class: 'viewport-wrap' }, ui.viewport), sidebar);
  body.firstChild.append(ui.message, ui.error);
  root.append(h('div', { class: 'frame' }, toolbar, body), ui.live);
  return ui;
}

/** The rule filter's options: the rules with findings in `report`, `rule` selected. */
export function fillRules(select, report, rule) {
  const rules = [...new Set((report?.findings ?? []).map((f) => f.rule))].sort();
  put(select, h('option', { value: '' }, 'All rules'), ...rules.map((r) => h('option', { value: r, selected: r === rule }, r)));
}

/** The toolbar's title, date and health pill for `report` (a tree of `nodeCount` nodes). */
export function renderSummary(ui, report, nodeCount) {
  const summary = report?.summary ?? {};
  ui.org.textContent = summary.organisation || 'KPI tree';
  ui.asof.textContent = summary.as_of ? `as of ${summary.as_of} · ${num(summary.nodes ?? nodeCount)} nodes` : '';
  const health = report?.scores?.health;
  ui.health.hidden = !known(health);
  if (!ui.health.hidden) {
    put(ui.health, h('span', { class: `dot ${healthClass(health)}`, 'aria-hidden': 'true' }), 'Health ', h('strong', {}, Math.round(health)));
  }
}

/** The load error's box: `message` and up to 20 located `problems`. */
export function errorBox(message, problems) {
  return h(
    'div',
    { class: 'error', part: 'error', role: 'alert' },
    h('strong', {}, 'The tree could not be shown. '),
    message,
    problems.length
      ? h(
          'ul',
          {},
          problems.slice(0, 20).map((p) => h('li', {}, p.code ? h('code', {}, p.code) : null, p.code ? ' ' : null, p.message ?? '', where(p))),
        )
      : null,
  );
}

function where(p) {
  const at = [p.file, p.node && `node ${p.node}`, p.field && `field ${p.field}`, p.line && `line ${p.line}${p.column ? `:${p.column}` : ''}`].filter(Boolean);
  return at.length ? ` (${at.join(', ')})` : '';
}
