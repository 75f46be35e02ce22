// A small KTR1 encoder for tests (plugins/ABI.md, "Compact tree encoding"): enough of the format to
// build requests by hand and then break them. The host's encoder is kpitree-plugin-abi's; the CLI
// tests run that one.

export const NONE = 0xffffffff;
export const SECTIONS = 43;
const KINDS = { strategy: 0, objective: 1, key_result: 2, kpi: 3 };
const STATUSES = { active: 0, draft: 1, retired: 2 };

/** Sections as directory positions, for `absent`. */
export const SECTION = Object.fromEntries(
  ('kind status flags health trend id title owner department rationale description unit period start target ' +
    'current confidence at_risk off_track score value trend_per_30_days last_reviewed cadence_days parent_offsets ' +
    'parents child_offsets children measurement_offsets measurement_dates measurement_values check_in_offsets ' +
    'check_in_dates check_in_values check_in_confidences check_in_notes link_from link_to link_kind link_lag_days ' +
    'link_note string_offsets string_bytes').split(' ').map((name, k) => [name, k]),
);

/** The tree bytes of `doc` ({ asOf, organisation, nodes: [{ id, kind, status, title, owner,
 *  parents, measurements: [[days, value]] }] }); sections listed in `absent` are marked absent. */
export function encodeTree(doc, { absent = [] } = {}) {
  const strings = [];
  const index = new Map();
  const ref = (s) => {
    if (s == null) return NONE;
    if (!index.has(s)) index.set(s, strings.push(s) - 1);
    return index.get(s);
  };
  const organisation = ref(doc.organisation ?? 'Test Co');
  const nodes = doc.nodes;
  const n = nodes.length;
  const ix = new Map(nodes.map((node, i) => [node.id, i]));
  const u8 = (f) => Uint8Array.from(nodes, f);
  const u32 = (values) => new Uint8Array(Uint32Array.from(values).buffer);
  const i32 = (values) => new Uint8Array(Int32Array.from(values).buffer);
  const f64 = (values) => new Uint8Array(Float64Array.from(values).buffer);
  const refs = (field) => u32(nodes.map((node) => ref(node[field])));
  const csr = (lists) => {
    const offsets = [0];
    for (const l of lists) offsets.push(offsets.at(-1) + l.length);
    return [u32(offsets), lists.flat()];
  };
  const parents = nodes.map((node) => (node.parents ?? []).map((p) => ix.get(p)));
  const children = nodes.map(() => []);
  parents.forEach((ps, i) => ps.forEach((p) => children[p].push(i)));
  const measurements = nodes.map((node) => node.measurements ?? []);
  const [parentOffsets, parentList] = csr(parents);
  const [childOffsets, childList] = csr(children);
  const [measurementOffsets, measurementList] = csr(measurements);
  const [checkInOffsets] = csr(nodes.map(() => []));
  const nan = () => f64(nodes.map(() => NaN));
  const columns = [
    u8((node) => KINDS[node.kind ?? 'kpi']),
    u8((node) => STATUSES[node.status ?? 'active']),
    u8(() => 0), u8(() => 0), u8(() => 0),
    refs('id'), refs('title'), refs('owner'), refs('department'), refs('rationale'), refs('description'),
    refs('unit'), refs('period'),
    nan(), nan(), nan(), nan(), nan(), nan(), nan(), nan(), nan(),
    i32(nodes.map(() => -2147483648)), u32(nodes.map(() => 0)),
    parentOffsets, u32(parentList), childOffsets, u32(childList),
    measurementOffsets, i32(measurementList.map((m) => m[0])), f64(measurementList.map((m) => m[1])),
    checkInOffsets, new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(),
    new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(),
  ];
  // Titles after everything else, so that the string table has them too.
  const encoded = strings.map((s) => new TextEncoder().encode(s));
  const stringOffsets = [0];
  for (const e of encoded) stringOffsets.push(stringOffsets.at(-1) + e.length);
  const bytes = new Uint8Array(stringOffsets.at(-1));
  encoded.forEach((e, k) => bytes.set(e, stringOffsets[k]));
  columns.push(u32(stringOffsets), bytes);

  const align = (x) => (x + 7) & ~7;
  const offsets = [];
  let at = align(28 + 4 * SECTIONS);
  for (let k = 0; k < SECTIONS; k++) {
    if (absent.includes(k)) {
      offsets.push(NONE);
      continue;
    }
    at = align(at);
    offsets.push(at);
    at += columns[k].length;
  }
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('KTR1'), 0);
  [n, 0, doc.asOf ?? 20784, organisation, strings.length, SECTIONS].forEach((v, k) => view.setUint32(4 + 4 * k, v >>> 0, true));
  offsets.forEach((o, k) => {
    view.setUint32(28 + 4 * k, o, true);
    if (o !== NONE) out.set(columns[k], o);
  });
  return out;
}

/** A request: u32 tree_len, u32 config_len, tree, config. */
export function request(tree, config = '{}') {
  const c = new TextEncoder().encode(config);
  const out = new Uint8Array(8 + tree.length + c.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, tree.length, true);
  view.setUint32(4, c.length, true);
  out.set(tree, 8);
  out.set(c, 8 + tree.length);
  return out;
}
