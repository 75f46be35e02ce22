// The manifest `kpitree_manifest` returns (plugins/ABI.md, "The manifest"), built from fields and
// written as JSON in the order the ABI lists them.

import { Bytes } from "./bytes";
import { Severity, severityName } from "./findings";

/** One rule the plugin reports. */
export class RuleInfo {
  constructor(
    /** `[a-z0-9][a-z0-9-]*`, not a built-in rule's id. */
    public id: string,
    /** Default severity (configuration may override it). */
    public severity: Severity,
    /** One line: what it finds. */
    public summary: string,
    /** Why it matters. */
    public why: string,
    /** What to do about a finding, in general. */
    public fix: string,
  ) {}
}

export class Manifest {
  rules: RuleInfo[] = [];
  /** JSON Schema of the configuration, as JSON text (written as is: it must be valid JSON). */
  configSchema: string = "{\"type\":\"object\"}";
  /** The parts of the tree the rule reads (ABI 1.1); null reads the whole tree. */
  reads: string[] | null = null;

  constructor(
    /** `[a-z0-9][a-z0-9-]*`; configuration lives under `[plugins.NAME]`. */
    public name: string,
    public version: string,
    public description: string,
  ) {}

  rule(id: string, severity: Severity, summary: string, why: string, fix: string): Manifest {
    this.rules.push(new RuleInfo(id, severity, summary, why, fix));
    return this;
  }

  schema(json: string): Manifest {
    this.configSchema = json;
    return this;
  }

  /** Declares what the rule reads: names of plugins/ABI.md, "What a plugin reads" (`"owner"`,
   *  `"title"`, `"parents"`, ...; `kind` and `id` always come). */
  read(names: string[]): Manifest {
    this.reads = names;
    return this;
  }

  toJson(): Bytes {
    const b = new Bytes(1024);
    b.ascii("{\"name\":");
    b.quoted(this.name);
    b.ascii(",\"version\":");
    b.quoted(this.version);
    b.ascii(",\"description\":");
    b.quoted(this.description);
    b.ascii(",\"rules\":[");
    for (let i = 0; i < this.rules.length; i++) {
      const r = unchecked(this.rules[i]);
      if (i > 0) b.byte(0x2C);
      b.ascii("{\"id\":");
      b.quoted(r.id);
      b.ascii(",\"severity\":\"");
      b.ascii(severityName(r.severity));
      b.ascii("\",\"summary\":");
      b.quoted(r.summary);
      b.ascii(",\"why\":");
      b.quoted(r.why);
      b.ascii(",\"fix\":");
      b.quoted(r.fix);
      b.byte(0x7D);
    }
    b.ascii("],\"config_schema\":");
    const schema = String.UTF8.encode(this.configSchema);
    b.raw(changetype<usize>(schema), <u32>schema.byteLength);
    const reads = this.reads;
    if (reads !== null) {
      b.ascii(",\"reads\":[");
      for (let i = 0; i < reads.length; i++) {
        if (i > 0) b.byte(0x2C);
        b.quoted(unchecked(reads[i]));
      }
      b.byte(0x5D);
    }
    b.byte(0x7D);
    return b;
  }
}
