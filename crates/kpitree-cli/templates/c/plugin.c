/* {{name}}: a kpitree rule plugin. One rule, `kpi-needs-unit`: an active KPI without a unit.
 * Replace it with yours; kpitree's plugins/README.md (*C*) walks through it, and kpitree.h (the
 * SDK, a single header copied here) lists the whole API at its top. */
#define KPITREE_IMPLEMENTATION /* in exactly one .c file: the SDK's code, not only its declarations */
#include "kpitree.h"

/* The rule's id; its fixtures are in tests/kpi-needs-unit/. */
#define RULE "kpi-needs-unit"

/* The rule: one finding per active KPI that has no unit, in document order. Returns KT_OK, or
 * KT_FAILED after kt_error (a plugin error). */
static int check(const kt_tree *t, const kt_config *c, kt_out *o) {
    /* `[plugins.{{name}}]` in kpitree.toml, as JSON (`{}` when absent). No options yet, so any key
     * is refused rather than ignored; kt_config_int & co. read options. */
    kt_str key = kt_config_unknown_key(c, NULL, 0);
    if (kt_present(key)) {
        kt_error_begin(o);
        kt_text(o, "configuration: unknown key `");
        kt_append(o, key);
        kt_text(o, "`; this plugin takes no options");
        return KT_FAILED;
    }
    for (uint32_t i = 0; i < kt_node_count(t); i++) {
        if (kt_kind(t, i) != KT_KPI || !kt_is_active(t, i)) continue;
        if (kt_present(kt_unit(t, i))) continue;
        kt_finding(o, RULE);
        kt_node(o, i);
        kt_message(o);
        kt_display(o, i);
        kt_text(o, " has no unit");
    }
    return KT_OK;
}

static const kt_rule RULES[] = {{
    .id = RULE,
    .severity = "warning",
    .summary = "an active KPI without a unit",
    .why = "A number without a unit is read differently by everyone who sees it: percent or percentage points, "
           "euros or thousands of euros, a week or a month. Targets and thresholds set on it mean nothing until "
           "the unit is agreed.",
    .fix = "Give the KPI a unit: %, EUR, days, tickets a week.",
}};

static const kt_manifest MANIFEST = {
    .name = "{{name}}",
    .version = "0.1.0",
    .description = "Active KPIs without a unit.",
    .rules = RULES,
    .rule_count = KT_COUNT(RULES),
    .config_schema = "{\"type\": \"object\", \"additionalProperties\": false}",
    /* What the rule reads (kind and id always come): status for kt_is_active, title for kt_display.
     * kpitree encodes only these; reading anything else fails with an error that names it. */
    .reads = KT_READ_STATUS | KT_READ_TITLE | KT_READ_UNIT,
};

KPITREE_PLUGIN(MANIFEST, check)
