// The side panels of the <kpi-tree> element: the findings of the check and the details of the selected
// node. Both are redrawn whole from the report and the tree; their buttons only call `reveal(id)`.
import { SEVERITY, h, known, put, resultBadge } from './widget-dom.js';
import { isNew } from './widget-filter.js';

// Findings listed at most; past it the rule filter narrows the list.
const LIMIT = 500;

// The chart (widget-chart.js, a module of its own in dist/) loads when a first series is shown: a first
// view shows none, and every page's download is 1 KiB gzipped smaller for it. Until it is in, the
// details are drawn without the chart, then again with it unless they have changed since.
let chartModule = null;
let chartLoading = null;
const shownDetails = new WeakMap(); // details box -> the arguments of its latest renderDetails()

/**
 * Fills the findings panel (`ui.counts`, `ui.pluginErrors`, `ui.findingList`, `ui.waived`) with the findings of
 * `report` of rule `filters.rule` (all when empty), new against the baseline with `filters.newOnly`, that
 * name a node in `viewIds` (all when null), errors first; a finding's button calls `reveal(id)` with its
 * first node (titles from `byId`). Waived findings count for nothing: they are left out of the list and
 * its counts and listed apart, in a closed group, with their reasons. `loc`: the words (localise()).
 */
export function renderFindings(ui, report, filters, viewIds, byId, reveal, loc) {
  const { t } = loc;
  const { rule, newOnly } = filters;
  const all = report.findings ?? [];
  const inView = (f) => (!rule || f.rule === rule) && (!viewIds || !(f.nodes ?? []).length || f.nodes.some((id) => viewIds.has(id)));
  const counted = all.filter((f) => !f.waived);
  const shown = counted.filter((f) => inView(f) && (!newOnly || isNew(f)));
  const waived = all.filter((f) => f.waived && inView(f));
  const bySev = { error: 0, warning: 0, info: 0 };
  for (const f of shown) bySev[f.severity] = (bySev[f.severity] ?? 0) + 1;
  const fresh = report.summary?.new !== undefined ? t('findings.new', { count: shown.filter(isNew).length }) : '';
  ui.counts.textContent =
    t('findings.counts', {
      shown: shown.length === counted.length ? counted.length : t('findings.counts.part', { shown: shown.length, all: counted.length }),
      errors: t('findings.errors', { count: bySev.error }),
      warnings: t('findings.warnings', { count: bySev.warning }),
      infos: t('findings.infos', { count: bySev.info }),
    }) + fresh;

  const errors = report.plugin_errors ?? [];
  put(
    ui.pluginErrors,
    ...errors.map((e) =>
      h(
        'div',
        { class: 'plugin-error', part: 'plugin-error', role: 'alert' },
        h('strong', {}, `${e.code ? t('plugin.error.code', { code: e.code }) : t('plugin.error')}: `),
        e.message ?? String(e),
      ),
    ),
  );
  put(
    ui.findingList,
    findingItems(shown, byId, reveal, loc),
    shown.length === 0 ? h('li', { class: 'empty' }, t('findings.none')) : null,
  );
  put(
    ui.waived,
    waived.length
      ? h('details', { part: 'waived' }, h('summary', {}, t('findings.waived', { count: waived.length })), h('ul', { class: 'finding-list' }, findingItems(waived, byId, reveal, loc)))
      : null,
  );
}

/** Empties the findings panel while the check runs (the tree is drawn already). */
export function renderChecking(ui, loc) {
  put(ui.counts);
  put(ui.pluginErrors);
  put(ui.findingList, h('li', { class: 'empty' }, loc.t('findings.checking')));
  put(ui.waived);
}

// The list items of `findings`, errors first, at most LIMIT of them.
function findingItems(findings, byId, reveal, loc) {
  const sorted = [...findings].sort((a, b) => (SEVERITY[a.severity] ?? 3) - (SEVERITY[b.severity] ?? 3));
  return [
    ...sorted.slice(0, LIMIT).map((f) => h('li', {}, findingButton(f, byId, reveal, loc))),
    sorted.length > LIMIT ? h('li', { class: 'empty' }, loc.t('findings.more', { count: sorted.length - LIMIT })) : null,
  ];
}

function findingButton(f, byId, reveal, loc) {
  const { t } = loc;
  const first = f.nodes?.[0];
  const title = first ? byId.get(first)?.title : null;
  const w = f.waived;
  // A finding about the whole tree (no node) is shown, not offered as a button that does nothing.
  return h(
    first ? 'button' : 'div',
    {
      type: first ? 'button' : null,
      class: 'finding',
      part: `finding finding-${f.severity}`,
      'data-rule': f.rule,
      'data-node': first ?? '',
      'data-baseline': f.baseline ?? null,
      title: f.why ?? '',
      onclick: () => first && reveal(first),
    },
    h('span', { class: `sev sev-${f.severity}`, role: 'img', 'aria-label': loc.word('severity', f.severity) }),
    h(
      'span',
      { class: 'rule' },
      f.rule,
      f.plugin ? h('span', { class: 'plugin-tag' }, f.plugin) : null,
      f.baseline === 'new' ? h('span', { class: 'new-tag', part: 'new-tag', title: t('findings.new.title') }, t('findings.new.tag')) : null,
    ),
    h('span', { class: 'msg' }, f.message, title && !f.message.includes(first) ? ` (${title})` : ''),
    w ? h('span', { class: 'reason', part: 'waiver-reason' }, w.until ? t('findings.waived.until', { until: loc.date(w.until), reason: w.reason }) : t('findings.waived.reason', { reason: w.reason })) : null,
  );
}

/** Node `id` with its series from engine Tree `tree`, else as listed in `byId`. */
export function nodeDetails(tree, byId, id) {
  try {
    return tree.node(id) ?? byId.get(id);
  } catch {
    return byId.get(id);
  }
}

/**
 * Fills the details panel `box` with node `id` of the loaded `tree` (none: a hint, or nothing when no
 * tree is loaded): `byId` and `nodes` the tree's nodes, `infos` their scores, health and findings
 * (nodeInfo()), `report` the check's; its chips and findings call `reveal(id)`; `loc` the words.
 */
export function renderDetails(box, id, tree, byId, nodes, infos, report, reveal, loc) {
  const args = [box, id, tree, byId, nodes, infos, report, reveal, loc];
  shownDetails.set(box, args);
  const { t, num } = loc;
  // The heading the panel is labelled by.
  const headId = box.getAttribute('aria-labelledby');
  if (!id || !tree) {
    put(box, h('h2', { id: headId }, t('details.heading')), h('p', { class: 'empty' }, tree ? t('details.hint') : ''));
    return;
  }
  const n = nodeDetails(tree, byId, id) ?? { id, title: id };
  const info = infos.get(id) ?? {};
  const facts = [];
  const fact = (k, v) => known(v) && v !== '' && facts.push(h('dt', {}, k), h('dd', {}, v));
  const u = n.unit ? ` ${n.unit}` : '';
  fact(t('details.id'), h('code', {}, n.id));
  fact(t('details.owner'), n.owner ?? h('em', {}, t('details.none')));
  fact(t('details.department'), n.department);
  fact(t('details.status'), loc.word('status', n.status ?? 'active'));
  fact(t('details.period'), n.period);
  fact(t('result.label'), resultBadge(info, loc, { long: true }) ?? undefined);
  if (n.kind === 'objective' || n.kind === 'key_result') fact(t('details.score'), known(info.score) ? loc.pct(info.score) : undefined);
  if (n.kind === 'key_result') {
    fact(
      t('details.progress'),
      n.start !== undefined ? `${t('details.progress.value', { start: num(n.start), current: num(n.current), target: num(n.target) })}${u}` : t('details.progress.none'),
    );
    fact(t('details.confidence'), n.confidence !== undefined ? loc.pct(n.confidence) : undefined);
  }
  if (n.kind === 'kpi') {
    fact(t('details.value'), known(info.value) ? `${num(info.value)}${u}` : undefined);
    fact(t('details.target'), n.target !== undefined ? `${num(n.target)}${u}` : undefined);
    fact(t('details.direction'), n.direction ? loc.word('direction', n.direction) : undefined);
    fact(t('details.indicator'), n.indicator ? loc.word('indicator', n.indicator) : undefined);
    if (info.trend) fact(t('details.trend'), t('details.trend.value', { direction: loc.word('trend', info.trend.direction), change: `${num(info.trend.per_30_days)}${u}` }));
    fact(t('details.reviewed'), n.last_reviewed ? loc.date(n.last_reviewed) : t('details.reviewed.never'));
    if (n.used_in_appraisal) fact(t('details.appraisal'), t('details.appraisal.value'));
  }
  // Tree health is a fact apart from the result (above): it says how well the node is kept, not how it is doing.
  const health = known(info.health) ? h('span', { title: t('health.tip') }, t('details.health.value', { value: num(Math.round(info.health)) })) : undefined;
  fact(t('health.tree'), health);

  // A KPI's measurements or a key result's check-ins, with the target and a KPI's thresholds.
  let chart = null;
  let caption = null;
  const kpi = n.kind === 'kpi';
  const series = kpi ? n.measurements : n.kind === 'key_result' ? n.check_ins : null;
  if (series?.length) {
    const label = t(kpi ? 'chart.measurements' : 'chart.check_ins');
    const thresholds = kpi && n.thresholds;
    const refs = [{ value: n.target, kind: 'target', label: t('chart.target') }];
    if (thresholds) {
      refs.push({ value: thresholds.at_risk, kind: 'threshold', label: t('chart.at_risk') }, { value: thresholds.off_track, kind: 'threshold', label: t('chart.off_track') });
    }
    if (chartModule) chart = chartModule.seriesChart(series, { refs, unit: n.unit, label }, loc);
    else {
      chartLoading ??= import('./widget-chart.js').then(
        (m) => (chartModule = m),
        () => (chartLoading = null), // no chart this time; the next details try again
      );
      chartLoading.then(() => chartModule && shownDetails.get(box) === args && renderDetails(...args));
    }
    caption = t(thresholds ? 'chart.caption.thresholds' : 'chart.caption', { label: `${label}${n.unit ? ` (${n.unit})` : ''}` });
  }
  const chip = (pid) => h('button', { type: 'button', class: 'chip', onclick: () => reveal(pid) }, byId.get(pid)?.title ?? pid);
  const children = nodes.filter((c) => c.parents?.includes(id)).map((c) => c.id);
  const own = (report?.findings ?? []).filter((f) => f.nodes?.includes(id));
  const waived = own.filter((f) => f.waived);
  const counted = own.filter((f) => !f.waived);
  const list = (findings) => h('ul', { class: 'finding-list' }, findings.map((f) => h('li', {}, findingButton(f, byId, reveal, loc))));

  put(
    box,
    h('h2', { id: headId }, t('details.heading.kind', { kind: loc.word('kind', n.kind) })),
    h('h3', {}, n.title),
    chart,
    caption && chart ? h('p', { class: 'chart-caption' }, caption) : null,
    n.description ? h('p', { class: 'prose' }, n.description) : null,
    n.rationale ? h('p', { class: 'prose' }, h('strong', {}, t('details.why')), n.rationale) : null,
    h('dl', { class: 'facts' }, facts),
    n.parents?.length
      ? [h('h2', {}, n.parents.length > 1 ? t('details.contributes.many', { count: n.parents.length }) : t('details.contributes')), h('div', { class: 'chips' }, n.parents.map(chip))]
      : null,
    children.length ? [h('h2', {}, t('details.supported', { count: children.length })), h('div', { class: 'chips' }, children.slice(0, 30).map(chip))] : null,
    counted.length ? [h('h2', {}, t('details.findings', { count: counted.length })), list(counted)] : null,
    waived.length ? [h('h2', {}, t('details.waived', { count: waived.length })), list(waived)] : null,
  );
}
