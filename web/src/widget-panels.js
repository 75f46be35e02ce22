// The side panels of the <kpi-tree> element: the findings of the check and the details of the selected
// node. Both are redrawn whole from the report and the tree; their buttons only call `reveal(id)`.
import { seriesChart } from './widget-chart.js';
import { SEVERITY, h, healthClass, kindLabel, known, num, pct, put, words } from './widget-dom.js';

// Findings listed at most; past it the rule filter narrows the list.
const LIMIT = 500;

/**
 * Fills the findings panel (`ui.counts`, `ui.pluginErrors`, `ui.findingList`) with the findings of
 * `report` of rule `rule` (all when empty) that name a node in `viewIds` (all when null), errors first;
 * a finding's button calls `reveal(id)` with its first node (titles from `byId`).
 */
export function renderFindings(ui, report, rule, viewIds, byId, reveal) {
  const all = report.findings ?? [];
  const shown = all.filter((f) => (!rule || f.rule === rule) && (!viewIds || !(f.nodes ?? []).length || f.nodes.some((id) => viewIds.has(id))));
  const bySev = { error: 0, warning: 0, info: 0 };
  for (const f of shown) bySev[f.severity] = (bySev[f.severity] ?? 0) + 1;
  ui.counts.textContent =
    `${shown.length === all.length ? all.length : `${shown.length} of ${all.length}`} · ` +
    `${bySev.error} error${bySev.error === 1 ? '' : 's'}, ${bySev.warning} warning${bySev.warning === 1 ? '' : 's'}, ${bySev.info} info`;

  const errors = report.plugin_errors ?? [];
  put(
    ui.pluginErrors,
    ...errors.map((e) =>
      h(
        'div',
        { class: 'plugin-error', part: 'plugin-error', role: 'alert' },
        h('strong', {}, `Plugin error${e.code ? ` (${e.code})` : ''}: `),
        e.message ?? String(e),
      ),
    ),
  );
  const sorted = [...shown].sort((a, b) => (SEVERITY[a.severity] ?? 3) - (SEVERITY[b.severity] ?? 3));
  put(
    ui.findingList,
    ...sorted.slice(0, LIMIT).map((f) => h('li', {}, findingButton(f, byId, reveal))),
    sorted.length > LIMIT ? h('li', { class: 'empty' }, `${sorted.length - LIMIT} more findings: narrow with the rule filter.`) : null,
    sorted.length === 0 ? h('li', { class: 'empty' }, 'No findings.') : null,
  );
}

function findingButton(f, byId, reveal) {
  const first = f.nodes?.[0];
  const title = first ? byId.get(first)?.title : null;
  // A finding about the whole tree (no node) is shown, not offered as a button that does nothing.
  return h(
    first ? 'button' : 'div',
    {
      type: first ? 'button' : null,
      class: 'finding',
      part: `finding finding-${f.severity}`,
      'data-rule': f.rule,
      'data-node': first ?? '',
      title: f.why ?? '',
      onclick: () => first && reveal(first),
    },
    h('span', { class: `sev sev-${f.severity}`, role: 'img', 'aria-label': f.severity }),
    h('span', { class: 'rule' }, f.rule, f.plugin ? h('span', { class: 'plugin-tag' }, f.plugin) : null),
    h('span', { class: 'msg' }, f.message, title && !f.message.includes(first) ? ` (${title})` : ''),
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
 * (nodeInfo()), `report` the check's; its chips and findings call `reveal(id)`.
 */
export function renderDetails(box, id, tree, byId, nodes, infos, report, reveal) {
  // The heading the panel is labelled by.
  const headId = box.getAttribute('aria-labelledby');
  if (!id || !tree) {
    put(box, h('h2', { id: headId }, 'Details'), h('p', { class: 'empty' }, tree ? 'Select a node to see its owner, figures, series and findings.' : ''));
    return;
  }
  const n = nodeDetails(tree, byId, id) ?? { id, title: id };
  const info = infos.get(id) ?? {};
  const facts = [];
  const fact = (k, v) => known(v) && v !== '' && facts.push(h('dt', {}, k), h('dd', {}, v));
  const u = n.unit ? ` ${n.unit}` : '';
  fact('Id', h('code', {}, n.id));
  fact('Owner', n.owner ?? h('em', {}, 'none'));
  fact('Department', n.department);
  fact('Status', n.status ?? 'active');
  fact('Period', n.period);
  if (n.kind === 'objective' || n.kind === 'key_result') {
    fact('Score', info.score !== undefined ? `${pct(info.score)}${info.status ? ` · ${words(info.status)}` : ''}` : undefined);
  }
  if (n.kind === 'key_result') {
    fact('Progress', n.start !== undefined ? `${num(n.start)} → ${num(n.current)} of ${num(n.target)}${u}` : 'no start and target');
    fact('Confidence', n.confidence !== undefined ? pct(n.confidence) : undefined);
  }
  if (n.kind === 'kpi') {
    fact('Value', known(info.value) ? `${num(info.value)}${u}${info.status ? ` · ${words(info.status)}` : ''}` : undefined);
    fact('Target', n.target !== undefined ? `${num(n.target)}${u}` : undefined);
    fact('Direction', n.direction ? words(n.direction) : undefined);
    fact('Indicator', n.indicator);
    if (info.trend) fact('Trend', `${words(info.trend.direction)} (${num(info.trend.per_30_days)}${u} per 30 days)`);
    fact('Last reviewed', n.last_reviewed ?? 'never');
    if (n.used_in_appraisal) fact('Appraisal', 'feeds personal appraisal or pay');
  }
  fact('Health', known(info.health) ? h('span', { class: `badge ${healthClass(info.health)}` }, Math.round(info.health)) : undefined);

  // A KPI's measurements or a key result's check-ins, with the target and a KPI's thresholds.
  let chart = null;
  let caption = null;
  const kpi = n.kind === 'kpi';
  const series = kpi ? n.measurements : n.kind === 'key_result' ? n.check_ins : null;
  if (series?.length) {
    const label = kpi ? 'Measurements' : 'Check-ins';
    const thresholds = kpi && n.thresholds;
    const refs = [{ value: n.target, kind: 'target', label: 'target' }];
    if (thresholds) refs.push({ value: thresholds.at_risk, kind: 'threshold', label: 'at risk' }, { value: thresholds.off_track, kind: 'threshold', label: 'off track' });
    chart = seriesChart(series, { refs, unit: n.unit, label });
    caption = `${label}${n.unit ? ` (${n.unit})` : ''}; dashed: target${thresholds ? ', dotted: thresholds' : ''}.`;
  }
  const chip = (pid) => h('button', { type: 'button', class: 'chip', onclick: () => reveal(pid) }, byId.get(pid)?.title ?? pid);
  const children = nodes.filter((c) => c.parents?.includes(id)).map((c) => c.id);
  const own = (report?.findings ?? []).filter((f) => f.nodes?.includes(id));

  put(
    box,
    h('h2', { id: headId }, `${kindLabel(n.kind)} details`),
    h('h3', {}, n.title),
    chart,
    caption && chart ? h('p', { class: 'chart-caption' }, caption) : null,
    n.description ? h('p', { class: 'prose' }, n.description) : null,
    n.rationale ? h('p', { class: 'prose' }, h('strong', {}, 'Why: '), n.rationale) : null,
    h('dl', { class: 'facts' }, facts),
    n.parents?.length ? [h('h2', {}, n.parents.length > 1 ? `Contributes to ${n.parents.length} parents` : 'Contributes to'), h('div', { class: 'chips' }, n.parents.map(chip))] : null,
    children.length ? [h('h2', {}, `Supported by ${children.length}`), h('div', { class: 'chips' }, children.slice(0, 30).map(chip))] : null,
    own.length ? [h('h2', {}, `Findings on this node (${own.length})`), h('ul', { class: 'finding-list' }, own.map((f) => h('li', {}, findingButton(f, byId, reveal))))] : null,
  );
}
