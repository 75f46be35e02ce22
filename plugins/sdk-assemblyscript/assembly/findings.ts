// The findings writer: each finding is written as JSON as soon as the next one starts (or the
// response ends), so a rule reporting thousands of nodes holds no list of objects, only bytes.

import { Bytes } from "./bytes";
import { Tree } from "./tree";

/** A rule's default severity (manifest) or a finding's own. `Default`: the manifest's. */
export enum Severity { Default = 0, Info = 1, Warning = 2, Error = 3 }

export function severityName(s: Severity): string {
  return s == Severity.Error ? "error" : s == Severity.Warning ? "warning" : "info";
}

/** The findings of one evaluation. */
export class Findings {
  /** The findings written so far, comma-separated. */
  out: Bytes = new Bytes(1024);
  private count: u32 = 0;
  private open: Finding | null = null;
  // Scratch for the finding being written, reused from one finding to the next.
  nodes: Bytes = new Bytes(64);
  fields: Bytes = new Bytes(64);
  evidence: Bytes = new Bytes(64);

  constructor(public tree: Tree) {}

  /** Starts a finding of `rule` with `message`; add its nodes (at least one) and any severity, fix
   *  or evidence through the returned Finding before the next `add`. */
  add(rule: string, message: string): Finding {
    this.flush();
    this.nodes.clear();
    this.fields.clear();
    this.evidence.clear();
    this.fields.ascii(",\"rule\":");
    this.fields.quoted(rule);
    this.fields.ascii(",\"message\":");
    this.fields.quoted(message);
    const f = new Finding(this);
    this.open = f;
    this.count++;
    return f;
  }

  /** Number of findings added. */
  get length(): u32 {
    return this.count;
  }

  /** Writes the open finding out. */
  flush(): void {
    const f = this.open;
    if (f === null) return;
    f.closed = true;
    this.open = null;
    const out = this.out;
    if (this.count > 1) out.byte(0x2C);
    out.ascii("{\"nodes\":[");
    out.append(this.nodes);
    out.byte(0x5D);
    out.append(this.fields);
    if (this.evidence.len > 0) {
      out.ascii(",\"evidence\":{");
      out.append(this.evidence);
      out.byte(0x7D);
    }
    out.byte(0x7D);
  }
}

/** The finding being written. Its methods return it, to chain them; once the next finding is added
 *  they do nothing. */
export class Finding {
  closed: bool = false;

  constructor(private owner: Findings) {}

  /** Names node `i` (an index into the tree); indexes past the end are ignored. */
  node(i: u32): Finding {
    if (this.closed) return this;
    const tree = this.owner.tree;
    if (i >= tree.n) return this;
    const b = this.owner.nodes;
    if (b.len > 0) b.byte(0x2C);
    const ref = tree.idRef(i);
    b.byte(0x22);
    b.escapedUtf8(tree.stringPtr(ref), tree.stringLength(ref));
    b.byte(0x22);
    return this;
  }

  /** Overrides the rule's severity for this finding (configuration still wins over both). */
  severity(s: Severity): Finding {
    if (this.closed || s == Severity.Default) return this;
    this.owner.fields.ascii(",\"severity\":\"");
    this.owner.fields.ascii(severityName(s));
    this.owner.fields.byte(0x22);
    return this;
  }

  /** What to do about this finding (the rule's `fix` applies without it). */
  fix(text: string): Finding {
    if (this.closed) return this;
    this.owner.fields.ascii(",\"fix\":");
    this.owner.fields.quoted(text);
    return this;
  }

  private key(key: string): Bytes {
    const e = this.owner.evidence;
    if (e.len > 0) e.byte(0x2C);
    e.quoted(key);
    e.byte(0x3A);
    return e;
  }

  /** Evidence: a whole number (written as one: `9`, not `9.0`). */
  evidenceInt(key: string, v: i64): Finding {
    if (!this.closed) this.key(key).integer(v);
    return this;
  }

  /** Evidence: a number (NaN and infinities, which JSON cannot hold, as null). */
  evidenceNumber(key: string, v: f64): Finding {
    if (!this.closed) this.key(key).number(v);
    return this;
  }

  evidenceString(key: string, v: string): Finding {
    if (!this.closed) this.key(key).quoted(v);
    return this;
  }

  /** Evidence: string `ref` of the tree's table, copied without decoding (null for NONE). */
  evidenceRef(key: string, ref: u32): Finding {
    if (this.closed) return this;
    const tree = this.owner.tree;
    const e = this.key(key);
    if (ref >= tree.stringCount) {
      e.ascii("null");
    } else {
      e.byte(0x22);
      e.escapedUtf8(tree.stringPtr(ref), tree.stringLength(ref));
      e.byte(0x22);
    }
    return this;
  }

  evidenceBool(key: string, v: bool): Finding {
    if (!this.closed) this.key(key).ascii(v ? "true" : "false");
    return this;
  }

  evidenceStrings(key: string, v: string[]): Finding {
    if (this.closed) return this;
    const e = this.key(key);
    e.byte(0x5B);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) e.byte(0x2C);
      e.quoted(unchecked(v[i]));
    }
    e.byte(0x5D);
    return this;
  }
}
