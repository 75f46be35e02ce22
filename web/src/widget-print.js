// The <kpi-tree> element's print view: in the element's bundle (not widget-export.js's), because it
// must be built the moment printing starts (beforeprint, the print media query, page.pdf()), with no
// time to fetch a module: a first print from the browser's own menu printed the screen before.
import { SEVERITY, asOfText, h, hasHealth } from './widget-dom.js';
import { opens } from './widget-layout.js';
import { figure } from './widget-cards.js';

/**
 * Builds (`on`) or removes the print view in the element's shadow root: the current view as an
 * indented outline in preorder, then every finding, errors first, waived ones apart with their
 * reasons. kpi-tree.css shows it instead of the screen's parts in print.
 * @param {ExportState} st
 * @param {boolean} on
 */
export function printView(st, on) {
  const old = st.root.querySelector('.print-view');
  if (!on || !st.layout || !st.report) return old?.remove();
  if (old) return;
  const L = st.layout;
  const { loc } = st;
  const { t } = loc;
  const s = st.report.summary ?? {};
  const health = st.report.scores?.health;
  const items = [];
  for (let i = 0; i < L.count; i++) {
    const node = st.view.nodes[L.node[i]];
    const flags = L.flags[i];
    const info = st.info.get(node.id) ?? {};
    const li = h('li', { class: `pv-item${flags & 4 ? ' pv-ref' : ''}`, 'data-kind': node.kind });
    // Indentation by depth, through the CSSOM (allowed under style-src 'self').
    li.style.paddingLeft = `${L.depth[i] * 1.5}em`;
    const facts =
      flags & 4
        ? [t('card.reference')]
        : [
            node.owner ?? t('card.no_owner'),
            node.status && node.status !== 'active' ? loc.word('status', node.status) : null,
            figure(node, info, loc),
            info.status ? `${t('result.label')}: ${loc.word('result', info.status)}` : null,
            hasHealth(info.health) ? `${t('health.tree')} ${loc.num(Math.round(info.health))}` : null,
            info.findings ? `${loc.num(info.findings)}${t('card.findings.sr', { count: info.findings })}` : null,
            opens(flags) && !(flags & 2) ? t('print.collapsed') : null,
          ].filter(Boolean);
    li.append(h('span', { class: 'pv-kind' }, loc.word('kind', node.kind)), ' ', h('strong', {}, node.title ?? node.id), ` · ${facts.join(' · ')}`);
    items.push(li);
  }
  const findings = st.report.findings ?? [];
  const bySeverity = (list) => [...list].sort((a, b) => (SEVERITY[a.severity] ?? 3) - (SEVERITY[b.severity] ?? 3));
  const counted = bySeverity(findings.filter((f) => !f.waived));
  const waived = bySeverity(findings.filter((f) => f.waived));
  const finding = (f) =>
    h(
      'li',
      { class: `pv-finding pv-${f.severity}` },
      h('strong', {}, `${loc.word('severity', f.severity)} `),
      h('code', {}, f.rule),
      f.plugin ? ` (${f.plugin})` : '',
      f.baseline === 'new' ? ` · ${t('findings.new.tag')}` : '',
      ` · ${f.message}`,
      f.nodes?.length ? ` · ${f.nodes.map((id) => st.byId.get(id)?.title ?? id).join('; ')}` : '',
      f.waived
        ? h(
            'div',
            { class: 'pv-reason' },
            f.waived.until ? t('findings.waived.until', { until: loc.date(f.waived.until), reason: f.waived.reason }) : t('findings.waived.reason', { reason: f.waived.reason }),
          )
        : null,
    );
  const view = h(
    'div',
    { class: 'print-view', part: 'print-view' },
    h('h1', {}, s.organisation || t('title.default')),
    h(
      'p',
      { class: 'pv-meta' },
      [
        asOfText(s, st.byId.size, loc) || t('print.nodes', { count: loc.num(s.nodes ?? st.byId.size) }),
        hasHealth(health) ? `${t('health.tree')} ${loc.num(Math.round(health))}` : null,
        t('print.items', { count: loc.num(L.count) }),
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    h('h2', {}, t('print.tree')),
    h('ul', { class: 'pv-tree' }, items),
    h('h2', {}, t('print.findings', { count: counted.length })),
    counted.length ? h('ul', { class: 'pv-findings' }, counted.map(finding)) : h('p', {}, t('findings.none')),
    waived.length ? [h('h2', {}, t('findings.waived', { count: waived.length })), h('ul', { class: 'pv-findings' }, waived.map(finding))] : null,
  );
  st.root.prepend(view);
}
