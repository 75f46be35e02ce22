// Generates large, valid tree documents (docs/format.md, schema/tree.schema.json) for the demo's
// "generated" entries, the widget's large-tree tests and the render benchmark. Deterministic: the same
// size and seed always give the same document, so runs can be compared. Runs in the browser and in Node.

/** A small seeded PRNG (mulberry32): uniform floats in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ['Sales', 'Marketing', 'Customer Success', 'Engineering', 'Platform', 'Finance', 'People', 'Support', 'Product', 'Operations'];
const VERBS = ['Grow', 'Improve', 'Reduce', 'Win', 'Simplify', 'Speed up', 'Stabilise', 'Expand', 'Retain', 'Automate'];
const THINGS = ['onboarding', 'renewals', 'uptime', 'pipeline', 'margin', 'hiring', 'support quality', 'mobile usage', 'partner channel', 'release cadence', 'self-service', 'data quality'];
const METRICS = ['conversion rate', 'weekly active users', 'ticket backlog', 'lead time', 'error rate', 'time to resolve', 'net revenue retention', 'cost per order', 'NPS', 'pipeline created', 'deploys per week', 'churned accounts'];
const UNITS = ['%', 'count', 'days', 'USD k', 'hours', 'points'];

function date(day) {
  // Day 0 is 2026-01-01; only whole days are needed.
  const d = new Date(Date.UTC(2026, 0, 1) + day * 86400000);
  return d.toISOString().slice(0, 10);
}

/**
 * `generateTree({ nodes: 10000, seed: 1 })` → a tree document with exactly `nodes` nodes: about 1%
 * strategies, 9% objectives, 22% key results, the rest KPIs; some KPIs shared by two key results, some
 * nodes without an owner, a few retired or draft, so every part of the widget has something to show.
 */
export function generateTree({ nodes: total = 1000, seed = 1 } = {}) {
  const r = rng(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const strategies = Math.max(1, Math.min(40, Math.round(total * 0.01)));
  const objectives = Math.max(1, Math.round(total * 0.09));
  const keyResults = Math.max(1, Math.round(total * 0.22));
  const kpis = Math.max(0, total - strategies - objectives - keyResults);
  const out = [];
  const owner = () => (r() < 0.04 ? undefined : `${pick(TEAMS)} lead ${1 + Math.floor(r() * 9)}`);
  const status = () => (r() < 0.04 ? 'retired' : r() < 0.04 ? 'draft' : undefined);

  for (let i = 0; i < strategies; i++) {
    out.push({ id: `s-${i}`, kind: 'strategy', title: `${pick(VERBS)} ${pick(THINGS)} across the business (${i + 1})`, owner: 'Executive team' });
  }
  for (let i = 0; i < objectives; i++) {
    // One objective in ten refines an earlier objective instead of hanging from a strategy.
    const parent = i > 0 && r() < 0.1 ? `o-${Math.floor(r() * i)}` : `s-${Math.floor(r() * strategies)}`;
    out.push(clean({
      id: `o-${i}`, kind: 'objective', title: `${pick(VERBS)} ${pick(THINGS)} for ${pick(TEAMS)}`,
      owner: owner(), department: pick(TEAMS), parents: [parent], status: status(), period: '2026-Q4',
    }));
  }
  for (let i = 0; i < keyResults; i++) {
    const start = Math.round(r() * 50);
    const target = start + 10 + Math.round(r() * 90);
    const checks = 2 + Math.floor(r() * 4);
    const check_ins = [];
    for (let c = 0; c < checks; c++) {
      check_ins.push(clean({
        date: date(280 + c * 14), value: Math.round(start + (target - start) * r() * (c + 1) / checks),
        confidence: Math.round((0.4 + r() * 0.5) * 10) / 10, note: r() < 0.5 ? 'Reviewed at the weekly check-in.' : undefined,
      }));
    }
    out.push(clean({
      id: `kr-${i}`, kind: 'key_result', title: `Move ${pick(METRICS)} from ${start} to ${target}`, owner: owner(),
      parents: [`o-${Math.floor(r() * objectives)}`], status: status(), unit: pick(UNITS), start, target,
      current: check_ins[check_ins.length - 1].value, confidence: check_ins[check_ins.length - 1].confidence, check_ins,
    }));
  }
  for (let i = 0; i < kpis; i++) {
    const roll = r();
    // Mostly under key results; some straight under objectives; a few refine an earlier KPI.
    const parents = roll < 0.85 ? [`kr-${Math.floor(r() * keyResults)}`]
      : roll < 0.95 || i === 0 ? [`o-${Math.floor(r() * objectives)}`] : [`k-${Math.floor(r() * i)}`];
    if (roll < 0.85 && r() < 0.05) {
      const second = `kr-${Math.floor(r() * keyResults)}`;
      if (second !== parents[0]) parents.push(second);
    }
    const base = 20 + Math.round(r() * 200);
    const weeks = 6 + Math.floor(r() * 7);
    const measurements = [];
    for (let w = 0; w < weeks; w++) measurements.push({ date: date(240 + w * 7), value: Math.round(base * (0.8 + r() * 0.4)) });
    const higher = r() < 0.6;
    out.push(clean({
      id: `k-${i}`, kind: 'kpi', title: `${pick(TEAMS)} ${pick(METRICS)}`, owner: owner(), parents, status: status(),
      rationale: r() < 0.7 ? 'Moves before the key result it supports; reviewed monthly.' : undefined,
      unit: pick(UNITS), direction: higher ? 'higher_is_better' : 'lower_is_better',
      indicator: r() < 0.5 ? 'leading' : 'lagging', target: Math.round(base * (higher ? 1.1 : 0.9)), measurements,
      last_reviewed: date(Math.floor(r() * 330)),
    }));
  }
  return { version: 1, organisation: `Generated (${total.toLocaleString('en')} nodes)`, as_of: '2026-11-27', nodes: out };
}

function clean(o) {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
