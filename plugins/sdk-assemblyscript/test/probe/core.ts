// The probe: one finding per node whose evidence is everything the SDK reads of it, and one about
// the tree, so that test/sdk.test.mjs can compare every accessor with the document it came from.

import { Config, Findings, Finding, Manifest, NONE, NO_DATE, Severity, Status, Tree, formatDate, kindLabel } from "../../index";

export function probeManifest(reads: string[] | null): Manifest {
  const m = new Manifest("sdk-probe", "0.0.0", "Reads every column through the AssemblyScript SDK.")
    .rule("sdk-probe", Severity.Info, "what the SDK read", "So that tests can compare it.", "Nothing to fix.")
    .schema('{"type":"object","properties":{"links":{"type":"boolean"}}}');
  if (reads !== null) m.read(reads);
  return m;
}

function status(s: Status): string {
  return s == Status.Active ? "active" : s == Status.Draft ? "draft" : "retired";
}

function date(d: i32): string {
  return d == NO_DATE ? "none" : formatDate(d);
}

function ref(f: Finding, key: string, r: u32): void {
  f.evidenceRef(key, r);
}

export function probe(tree: Tree, config: Config, out: Findings): string | null {
  const links = config.boolean("links", true);
  if (!config.onlyKeys(["links"])) return null;
  for (let i: u32 = 0; i < tree.n; i++) {
    const f = out.add("sdk-probe", tree.display(i)).node(i);
    f.evidenceString("kind", kindLabel(tree.kind(i)));
    f.evidenceString("status", status(tree.status(i)));
    f.evidenceBool("active", tree.isActive(i));
    f.evidenceBool("used_in_appraisal", tree.usedInAppraisal(i));
    f.evidenceInt("direction", tree.direction(i));
    f.evidenceInt("indicator", tree.indicator(i));
    f.evidenceInt("health", tree.health(i));
    f.evidenceInt("trend", tree.trend(i));
    f.evidenceString("id", tree.id(i));
    f.evidenceBool("found", tree.find(tree.id(i)) == <i32>i);
    f.evidenceString("title", tree.title(i));
    ref(f, "owner", tree.ownerRef(i));
    const owner = tree.owner(i);
    f.evidenceBool("owner_decoded", owner === null ? tree.ownerRef(i) == NONE : tree.refOf(owner) == tree.ownerRef(i));
    ref(f, "department", tree.departmentRef(i));
    const texts: (string | null)[] = [tree.rationale(i), tree.description(i), tree.unit(i), tree.period(i)];
    const names = ["rationale", "description", "unit", "period"];
    for (let k = 0; k < 4; k++) {
      const t = texts[k];
      if (t === null) f.evidenceBool(names[k], false);
      else f.evidenceString(names[k], t);
    }
    f.evidenceNumber("start", tree.start(i));
    f.evidenceNumber("target", tree.target(i));
    f.evidenceNumber("current", tree.current(i));
    f.evidenceNumber("confidence", tree.confidence(i));
    f.evidenceNumber("at_risk", tree.atRisk(i));
    f.evidenceNumber("off_track", tree.offTrack(i));
    f.evidenceNumber("score", tree.score(i));
    f.evidenceNumber("value", tree.value(i));
    f.evidenceNumber("trend_per_30_days", tree.trendPer30Days(i));
    f.evidenceString("last_reviewed", date(tree.lastReviewed(i)));
    f.evidenceInt("cadence_days", tree.cadenceDays(i));
    const parents = new Array<string>();
    for (let k: u32 = 0; k < tree.parentCount(i); k++) parents.push(tree.id(tree.parent(i, k)));
    f.evidenceStrings("parents", parents);
    const children = new Array<string>();
    for (let k: u32 = 0; k < tree.childCount(i); k++) children.push(tree.id(tree.child(i, k)));
    f.evidenceStrings("children", children);
    const measurements = new Array<string>();
    for (let k: u32 = 0; k < tree.measurementCount(i); k++) {
      measurements.push(date(tree.measurementDate(i, k)) + "=" + tree.measurementValue(i, k).toString());
    }
    f.evidenceStrings("measurements", measurements);
    const checkIns = new Array<string>();
    for (let k: u32 = 0; k < tree.checkInCount(i); k++) {
      const note = tree.checkInNote(i, k);
      checkIns.push(date(tree.checkInDate(i, k)) + "=" + tree.checkInValue(i, k).toString() + ";" +
        tree.checkInConfidence(i, k).toString() + ";" + (note === null ? "none" : note));
    }
    f.evidenceStrings("check_ins", checkIns);
    // Past the end: absent, never a trap.
    f.evidenceBool("past_end", tree.parent(i, 1_000_000) == NONE && tree.id(tree.n) == "" && isNaN(tree.start(tree.n + 5)));
  }
  if (tree.n > 0) {
    const f = out.add("sdk-probe", "the tree").node(0).severity(Severity.Warning).fix("a fix of its own");
    f.evidenceString("organisation", tree.organisation());
    f.evidenceString("as_of", formatDate(tree.asOf));
    f.evidenceInt("nodes", tree.nodeCount);
    if (links) {
      const list = new Array<string>();
      for (let k: u32 = 0; k < tree.linkCount; k++) {
        const lag = tree.linkLagDays(k);
        const note = tree.linkNote(k);
        list.push(tree.id(tree.linkFrom(k)) + ">" + tree.id(tree.linkTo(k)) + ":" + tree.linkKind(k).toString() + ":" +
          (lag == NONE ? "none" : lag.toString()) + ":" + (note === null ? "none" : note));
      }
      f.evidenceStrings("links", list);
    }
    f.evidenceString("escapes", "quote \" backslash \\ tab \t newline \n bell \u0007 é 漢 😀");
    f.evidenceNumber("fraction", 0.1);
    f.evidenceNumber("big", 1e21);
    f.evidenceNumber("nan", NaN);
    f.evidenceInt("negative", -42);
  }
  return null;
}
