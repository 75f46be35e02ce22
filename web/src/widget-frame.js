// The fixed parts of the <kpi-tree> element, built once: the toolbar (title, health, search, the
// Export menu, level, filters), the scrolling viewport with the tree and its links, the overlays (message, load error), the
// side panels and the live region; and what the toolbar and the overlays show. Behaviour is wired up by
// the element.
import { asOfText, h, healthClass, known, put, s } from './widget-dom.js';

/** Builds the element's parts into `root` in the words of `loc` (localise()); ids are prefixed with `uid`. Returns them by name. */
export function buildFrame(root, uid, loc) {
  const { t } = loc;
  const id = (x) => `${uid}-${x}`;
  const ui = {};
  ui.org = h('span', { class: 'org', part: 'title' }, t('title.default'));
  ui.asof = h('span', { class: 'asof' });
  ui.health = h('span', { class: 'health-pill', part: 'health', hidden: true });
  // Against a baseline: how many findings are new.
  ui.fresh = h('span', { class: 'health-pill new-count', part: 'new-count', hidden: true });
  ui.search = h('input', {
    type: 'search',
    id: id('search'),
    part: 'search',
    placeholder: t('search.placeholder'),
    autocomplete: 'off',
    'aria-describedby': id('matches'),
    'aria-controls': id('tree'),
  });
  ui.matches = h('span', { class: 'matches', id: id('matches'), 'aria-live': 'polite' });
  const zoomButton = (key, text) => h('button', { type: 'button', class: 'zoom-button', part: `zoom-${key}`, 'aria-label': t(`zoom.${key}`), title: t(`zoom.${key}`) }, text);
  ui.zoomOut = zoomButton('out', '−');
  ui.zoomIn = zoomButton('in', '+');
  ui.zoomFit = zoomButton('fit', t('zoom.fit.short'));
  // Shows the zoom; a click goes back to 100%.
  ui.zoomReset = h('button', { type: 'button', class: 'zoom-button zoom-level', part: 'zoom-reset', title: t('zoom.reset') }, '100%');
  ui.zoom = h('span', { class: 'zoom', part: 'zoom', role: 'group', 'aria-label': t('zoom.group') }, ui.zoomOut, ui.zoomReset, ui.zoomIn, ui.zoomFit);
  // A disclosure (summary: a button to the keyboard and screen readers) of plain buttons; shown once a
  // tree is loaded. What the items do is widget-export.js's, loaded when the menu first opens.
  ui.exportMenu = h(
    'details',
    { class: 'menu', part: 'export-menu', hidden: true },
    h('summary', { part: 'export' }, t('export.menu')),
    h(
      'div',
      { class: 'menu-items', role: 'group', 'aria-label': t('export.menu') },
      ['svg', 'png', 'csv', 'print'].map((k) => h('button', { type: 'button', 'data-export': k }, t(`export.${k}`))),
    ),
  );
  ui.level = h(
    'select',
    { id: id('level'), part: 'level' },
    ['all', 'strategies', 'objectives', 'key_results', 'kpis'].map((key, level) => h('option', { value: level }, t(`level.${key}`))),
  );
  ui.activeOnly = h('input', { type: 'checkbox', id: id('active') });
  ui.pruneOnly = h('input', { type: 'checkbox', id: id('prune') });
  ui.rule = h('select', { id: id('rule'), part: 'rule-filter' }, h('option', { value: '' }, t('filters.rule.all')));
  ui.newOnly = h('input', { type: 'checkbox', id: id('new') });
  ui.newField = h('span', { class: 'field', hidden: true }, ui.newOnly, h('label', { for: id('new') }, t('filters.new')));
  const toolbar = h(
    'div',
    { class: 'toolbar', part: 'toolbar' },
    h(
      'div',
      { class: 'bar' },
      h('div', { class: 'brand' }, ui.org, ui.asof, ui.health, ui.fresh),
      // Search and Export wrap as one, so the menu drops down over the search field, inside the element.
      h(
        'div',
        { class: 'tools' },
        h('span', { class: 'field', role: 'search' }, h('label', { for: id('search'), class: 'sr-only' }, t('search.label')), ui.search, ui.matches),
        ui.exportMenu,
      ),
      ui.zoom,
    ),
    h(
      'div',
      { class: 'bar', part: 'filters', role: 'group', 'aria-label': t('filters.label') },
      h('span', { class: 'field' }, h('label', { for: id('level') }, t('level.label')), ui.level),
      h('span', { class: 'sep', 'aria-hidden': 'true' }),
      h('span', { class: 'bar-label', 'aria-hidden': 'true' }, t('filters.show')),
      h('span', { class: 'field' }, ui.activeOnly, h('label', { for: id('active') }, t('filters.active'))),
      h('span', { class: 'field' }, ui.pruneOnly, h('label', { for: id('prune') }, t('filters.prune'))),
      h('span', { class: 'field' }, h('label', { for: id('rule') }, t('filters.rule')), ui.rule),
      ui.newField,
    ),
  );

  ui.links = s('svg', { class: 'links', part: 'links', 'aria-hidden': 'true', focusable: 'false' });
  ui.linkPath = s('path', {});
  ui.refPath = s('path', { class: 'ref' });
  ui.links.append(ui.linkPath, ui.refPath);
  ui.tree = h('div', { class: 'tree', role: 'tree', id: id('tree'), part: 'tree', 'aria-label': t('tree.label') });
  ui.canvas = h('div', { class: 'canvas' }, ui.links, ui.tree);
  // The canvas is drawn at 100% and scaled by the zoom; the sizer gives the viewport the scaled extent
  // to scroll (a transform does not change layout size).
  ui.sizer = h('div', { class: 'sizer' }, ui.canvas);
  ui.viewport = h('div', { class: 'viewport', part: 'viewport' }, ui.sizer);
  ui.message = h('div', { class: 'overlay', part: 'message' });
  ui.error = h('div', { class: 'overlay' });

  ui.details = h('section', { class: 'panel details', part: 'details', 'aria-labelledby': id('details-h') });
  ui.pluginErrors = h('div', { class: 'plugin-errors' });
  ui.counts = h('span', { class: 'counts' });
  ui.findingList = h('ul', { class: 'finding-list', part: 'findings-list' });
  // The waived findings, apart: they count for nothing.
  ui.waived = h('div', { class: 'waived-group' });
  const findings = h(
    'section',
    { class: 'panel findings', part: 'findings', 'aria-labelledby': id('findings-h') },
    h('div', { class: 'findings-head' }, h('h2', { id: id('findings-h') }, t('findings.heading')), ui.counts),
    ui.pluginErrors,
    ui.findingList,
    ui.waived,
  );
  const sidebar = h('aside', { class: 'sidebar', part: 'sidebar', 'aria-label': t('sidebar.label') }, ui.details, findings);
  ui.sidebar = sidebar;
  ui.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'body' }, h('div', { class: 'viewport-wrap' }, ui.viewport), ui.sidebar);
  body.firstChild.append(ui.message, ui.error);
  ui.frame = h('div', { class: 'frame' }, toolbar, body);
  root.append(ui.frame, ui.live);
  return ui;
}

/** The rule filter's options: the rules with findings in `report`, `rule` selected. */
export function fillRules(select, report, rule, loc) {
  const rules = [...new Set((report?.findings ?? []).map((f) => f.rule))].sort();
  put(select, h('option', { value: '' }, loc.t('filters.rule.all')), ...rules.map((r) => h('option', { value: r, selected: r === rule }, r)));
}

/** The toolbar's title, date, health pill and count of new findings for `report` (a tree of `nodeCount` nodes). */
export function renderSummary(ui, report, nodeCount, loc) {
  const { t } = loc;
  const summary = report?.summary ?? {};
  ui.org.textContent = summary.organisation || t('title.default');
  ui.asof.textContent = asOfText(summary, nodeCount, loc);
  const health = report?.scores?.health;
  ui.health.hidden = !known(health);
  if (!ui.health.hidden) {
    // "Tree health", not "Health": it scores the tree's upkeep, not whether its targets are met.
    ui.health.title = t('health.tree.tip');
    const dot = h('span', { class: `dot ${healthClass(health)}`, 'aria-hidden': 'true' });
    put(ui.health, dot, `${t('health.tree')} `, h('strong', {}, loc.num(Math.round(health))));
  }
  ui.fresh.hidden = !known(summary.new);
  if (!ui.fresh.hidden) {
    ui.fresh.title = t('new.title', { new: summary.new, known: summary.known });
    put(ui.fresh, t('new.count', { count: summary.new }));
  }
}

/**
 * The load error's box for error `e` (widget-load.js: `message`, `problems`, `source`, `url`,
 * `unreachable`) in the words of `loc`: plain words first (what could not be read, how many problems),
 * then every problem with its located detail below it, and the engine's full text, closed, for copying
 * into a ticket. The problems' own messages are the engine's.
 */
export function errorBox(e, loc) {
  const { t } = loc;
  const problems = Array.isArray(e.problems) ? e.problems : [];
  const noun = t(`error.source.${e.source ?? 'tree'}`);
  const what = e.url ? t('error.named', { noun, url: e.url }) : noun;
  let plain;
  if (e.unreachable) plain = t('error.unreachable', { what });
  else if (problems.length) plain = t('error.problems', { what, count: problems.length });
  else plain = t('error.other', { what });
  return h(
    'div',
    { class: 'error', part: 'error', role: 'alert' },
    h('strong', { class: 'error-title' }, t('error.title')),
    h('p', { class: 'plain' }, plain),
    problems.length
      ? h(
          'ol',
          { class: 'problems' },
          problems.map((p) => h('li', {}, h('span', { class: 'problem' }, p.message ?? ''), detail(p))),
        )
      : null,
    h('details', { class: 'technical' }, h('summary', {}, t('error.technical')), h('pre', {}, e.message ?? String(e))),
  );
}

// The located detail under a problem: its code and where (file, line and column when the page gave text).
function detail(p) {
  const at = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}` : '';
  const parts = [p.code, at].filter(Boolean);
  return parts.length ? h('code', { class: 'where' }, parts.join(' · ')) : null;
}
