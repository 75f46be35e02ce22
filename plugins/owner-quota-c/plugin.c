/* owner-quota: at most `max` (default 8) active KPIs per owner.
 *
 * The same rule as ../owner-quota-wat (hand-written WebAssembly text), written in C with the
 * single-header SDK ../sdk-c/kpitree.h: same manifest texts, configuration, messages and evidence,
 * so the two give identical findings.
 *
 * Because KTR1 stores each distinct string once, two owners are the same exactly when their string
 * references are, so counting per owner is an array indexed by string reference: no hashing, no
 * sorting, two passes over the kind, status and owner columns.
 */
#define KPITREE_IMPLEMENTATION
#include "kpitree.h"

#define RULE "owner-kpi-quota"

static int evaluate(const kt_tree *t, const kt_config *c, kt_out *o) {
    int64_t max = 8;
    if (kt_config_int(c, "max", &max) == KT_WRONG_TYPE || max < 1 || max > 1000000)
        return kt_error(o, "configuration: `max` must be a whole number from 1 to 1000000");

    uint32_t n = kt_node_count(t), strings = kt_string_count(t);
    /* Per owner (by string reference): KPI count, first and last KPI (node index + 1, 0 = none);
     * per node: the next KPI of the same owner. Fresh memory is zeroed. */
    uint32_t *count = kt_calloc(strings, 4), *head = kt_calloc(strings, 4), *tail = kt_calloc(strings, 4);
    uint32_t *next = kt_calloc(n, 4);
    if (!count || !head || !tail || !next) return kt_error(o, "out of memory");

    /* Pass 1: chain each owner's active KPIs in document order. */
    for (uint32_t i = 0; i < n; i++) {
        if (kt_kind(t, i) != KT_KPI || !kt_is_active(t, i)) continue;
        uint32_t r = kt_owner_ref(t, i);
        if (r >= strings) continue; /* no owner (KT_NONE): skipped */
        count[r]++;
        if (tail[r]) next[tail[r] - 1] = i + 1;
        else head[r] = i + 1;
        tail[r] = i + 1;
    }

    /* Pass 2: one finding per owner over the quota, at the owner's first KPI, in document order. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = kt_owner_ref(t, i);
        if (r >= strings || head[r] != i + 1 || count[r] <= (uint64_t)max) continue;
        kt_str owner = kt_string(t, r);
        kt_finding(o, RULE);
        for (uint32_t a = head[r]; a; a = next[a - 1]) kt_node(o, a - 1);
        kt_message(o);
        kt_text(o, "\"");
        kt_append(o, owner);
        kt_text(o, "\" owns ");
        kt_uint(o, count[r]);
        kt_text(o, " active KPIs, more than the quota of ");
        kt_int(o, max);
        kt_evidence_str(o, "owner", owner);
        kt_evidence_int(o, "kpis", count[r]);
        kt_evidence_int(o, "limit", max);
    }
    return KT_OK;
}

static const kt_rule RULES[] = {{
    .id = RULE,
    .severity = "warning",
    .summary = "an owner with more active KPIs than the quota (default 8)",
    .why = "Nobody can look after more than a handful of metrics. An owner with a long list reviews none of "
           "them properly, so metrics pile up unquestioned and ownership becomes a formality.",
    .fix = "Retire the KPIs no objective needs, or hand some to the teams closest to them.",
}};

static const kt_manifest MANIFEST = {
    .name = "owner-quota",
    .version = "0.1.0",
    .description = "Limits how many active KPIs one owner may hold. Written in C with the single-header SDK kpitree.h.",
    .rules = RULES,
    .rule_count = KT_COUNT(RULES),
    .config_schema = "{\"type\":\"object\",\"properties\":{\"max\":{\"type\":\"integer\",\"minimum\":1,"
                     "\"maximum\":1000000,\"default\":8,\"description\":\"most active KPIs one owner may hold\"}}}",
    /* ABI 1.1: only these parts are encoded (kind, id and the string table always come). */
    .reads = KT_READ_STATUS | KT_READ_OWNER,
};

KPITREE_PLUGIN(MANIFEST, evaluate)
