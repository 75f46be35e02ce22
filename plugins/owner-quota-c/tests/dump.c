/* Test helper: a plugin that answers every request with an error whose message is the request's
 * bytes in hex, so tests/run.mjs can capture what the real host sends (tests/fuzz.c mutates it).
 * Built with DUMP_READS it declares owner-quota's `reads`, so the host leaves sections out. */
#define KPITREE_IMPLEMENTATION
#include "kpitree.h"

static const kt_rule RULES[] = {{.id = "dump-request", .severity = "info", .summary = "-", .why = "-", .fix = "-"}};
static const kt_manifest MANIFEST = {
    .name = "dump-request",
    .version = "0.0.0",
    .rules = RULES,
    .rule_count = KT_COUNT(RULES),
#ifdef DUMP_READS
    .reads = KT_READ_STATUS | KT_READ_OWNER,
#endif
};

KT__EXPORT("kpitree_abi_version") uint32_t kpitree_abi_version(void) { return KT_ABI_VERSION; }
KT__EXPORT("kpitree_alloc") uint32_t kpitree_alloc(uint32_t len) { return (uint32_t)(uintptr_t)kt_alloc(len); }
KT__EXPORT("kpitree_manifest") uint64_t kpitree_manifest(void) { return kt__pack(kt_manifest_json(&MANIFEST)); }
KT__EXPORT("kpitree_evaluate") uint64_t kpitree_evaluate(uint32_t ptr, uint32_t len) {
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)(uintptr_t)ptr;
    kt_out o = {0};
    kt_error_begin(&o);
    for (uint32_t k = 0; k < len; k++) {
        char pair[3] = {hex[p[k] >> 4], hex[p[k] & 15], 0};
        kt_text(&o, pair);
    }
    return kt__pack(kt__finish(&o));
}
