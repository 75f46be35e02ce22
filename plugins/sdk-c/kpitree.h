/* kpitree.h: a single-header C SDK for kpitree rule plugins (plugin ABI 1.1, plugins/ABI.md).
 *
 * stb-style: include it anywhere for the declarations and the small inline accessors; in exactly
 * one C file, define KPITREE_IMPLEMENTATION before including it to get the implementation (the
 * checking reader, the response writer, the config reader, the allocator, memcpy/memset).
 * Then declare the plugin with KPITREE_PLUGIN(manifest, evaluate), which defines the five exports.
 *
 *     #define KPITREE_IMPLEMENTATION
 *     #include "kpitree.h"
 *
 *     static int evaluate(const kt_tree *t, const kt_config *c, kt_out *o) { ... return KT_OK; }
 *     static const kt_rule RULES[] = {{ "my-rule", "warning", "summary", "why", "fix" }};
 *     static const kt_manifest MANIFEST = { .name = "my-plugin", .version = "0.1.0",
 *         .rules = RULES, .rule_count = KT_COUNT(RULES), .reads = KT_READ_STATUS };
 *     KPITREE_PLUGIN(MANIFEST, evaluate)
 *
 * Build (Debian: apt-get install clang lld):
 *     clang --target=wasm32-unknown-unknown -O2 -nostdlib -ffreestanding -Wl,--no-entry \
 *           -o plugin.wasm plugin.c
 * The module imports nothing. The same source also compiles natively (for tests and sanitizers):
 * there KPITREE_PLUGIN defines kpitree_native_manifest()/kpitree_native_evaluate() instead.
 *
 * Everything a rule reads is bounds-checked: kt_evaluate checks the whole request once (the
 * same checks as the Rust reader, TreeView::new) and answers a malformed one with an error
 * response; after that every accessor is total (an index past the end reads as absent).
 * Memory is a bump allocator: the host instantiates the module afresh for every evaluation, so
 * nothing is ever freed, and fresh memory is zeroed.
 */
#ifndef KPITREE_H
#define KPITREE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KT_ABI_VERSION 0x00010001u /* 1.1 */
#define KT_NONE 0xFFFFFFFFu        /* absent string reference, absent lag_days */
#define KT_NO_DATE (-2147483647 - 1) /* absent last_reviewed */
#define KT_COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ---- strings: (ptr, len) slices, UTF-8, not NUL-terminated. ptr == NULL means absent. ---- */
typedef struct kt_str {
    const char *ptr;
    uint32_t len;
} kt_str;

/* A slice of a string literal. */
#define KT_S(lit) ((kt_str){(lit), (uint32_t)(sizeof(lit) - 1)})

static inline int kt_present(kt_str s) { return s.ptr != NULL; }
int kt_str_eq(kt_str a, kt_str b);        /* same bytes (two absents are equal) */
int kt_str_eq_c(kt_str a, const char *b); /* same bytes as a NUL-terminated string */
kt_str kt_cstr(const char *s);            /* a slice of a NUL-terminated string */

/* ---- vocabulary: the KTR1 byte codes (kpitree-vocab) ---- */
enum kt_kind { KT_STRATEGY = 0, KT_OBJECTIVE = 1, KT_KEY_RESULT = 2, KT_KPI = 3 };
enum kt_status { KT_ACTIVE = 0, KT_DRAFT = 1, KT_RETIRED = 2 };
enum kt_direction { KT_DIRECTION_NONE = 0, KT_HIGHER_IS_BETTER = 1, KT_LOWER_IS_BETTER = 2 };
enum kt_indicator { KT_INDICATOR_NONE = 0, KT_LEADING = 1, KT_LAGGING = 2 };
enum kt_health { KT_HEALTH_NONE = 0, KT_ON_TRACK = 1, KT_AT_RISK = 2, KT_OFF_TRACK = 3, KT_HEALTH_UNKNOWN = 4 };
enum kt_trend { KT_TREND_NONE = 0, KT_IMPROVING = 1, KT_WORSENING = 2, KT_FLAT = 3 };

const char *kt_kind_label(int kind); /* "strategy", "objective", "key result", "KPI" */

/* ---- sections of a KTR1 tree (directory positions, plugins/ABI.md) ---- */
enum {
    KT_SEC_KIND, KT_SEC_STATUS, KT_SEC_FLAGS, KT_SEC_HEALTH, KT_SEC_TREND,
    KT_SEC_ID, KT_SEC_TITLE, KT_SEC_OWNER, KT_SEC_DEPARTMENT, KT_SEC_RATIONALE,
    KT_SEC_DESCRIPTION, KT_SEC_UNIT, KT_SEC_PERIOD,
    KT_SEC_START, KT_SEC_TARGET, KT_SEC_CURRENT, KT_SEC_CONFIDENCE, KT_SEC_AT_RISK, KT_SEC_OFF_TRACK,
    KT_SEC_SCORE, KT_SEC_VALUE, KT_SEC_TREND_PER_30_DAYS, KT_SEC_LAST_REVIEWED, KT_SEC_CADENCE_DAYS,
    KT_SEC_PARENT_OFFSETS, KT_SEC_PARENTS, KT_SEC_CHILD_OFFSETS, KT_SEC_CHILDREN,
    KT_SEC_MEASUREMENT_OFFSETS, KT_SEC_MEASUREMENT_DATES, KT_SEC_MEASUREMENT_VALUES,
    KT_SEC_CHECK_IN_OFFSETS, KT_SEC_CHECK_IN_DATES, KT_SEC_CHECK_IN_VALUES,
    KT_SEC_CHECK_IN_CONFIDENCES, KT_SEC_CHECK_IN_NOTES,
    KT_SEC_LINK_FROM, KT_SEC_LINK_TO, KT_SEC_LINK_KIND, KT_SEC_LINK_LAG_DAYS, KT_SEC_LINK_NOTE,
    KT_SEC_STRING_OFFSETS, KT_SEC_STRING_BYTES,
    KT_SECTIONS /* 43 */
};

/* ---- what a plugin reads (ABI 1.1 `reads`): one bit per name, in the ABI's order ---- */
#define KT_READ_KIND (1ull << 0) /* always sent */
#define KT_READ_STATUS (1ull << 1)
#define KT_READ_FLAGS (1ull << 2)
#define KT_READ_HEALTH (1ull << 3)
#define KT_READ_TREND (1ull << 4)
#define KT_READ_ID (1ull << 5) /* always sent */
#define KT_READ_TITLE (1ull << 6)
#define KT_READ_OWNER (1ull << 7)
#define KT_READ_DEPARTMENT (1ull << 8)
#define KT_READ_RATIONALE (1ull << 9)
#define KT_READ_DESCRIPTION (1ull << 10)
#define KT_READ_UNIT (1ull << 11)
#define KT_READ_PERIOD (1ull << 12)
#define KT_READ_START (1ull << 13)
#define KT_READ_TARGET (1ull << 14)
#define KT_READ_CURRENT (1ull << 15)
#define KT_READ_CONFIDENCE (1ull << 16)
#define KT_READ_THRESHOLDS (1ull << 17)
#define KT_READ_SCORE (1ull << 18)
#define KT_READ_VALUE (1ull << 19)
#define KT_READ_TREND_PER_30_DAYS (1ull << 20)
#define KT_READ_LAST_REVIEWED (1ull << 21)
#define KT_READ_CADENCE_DAYS (1ull << 22)
#define KT_READ_PARENTS (1ull << 23)
#define KT_READ_CHILDREN (1ull << 24)
#define KT_READ_MEASUREMENTS (1ull << 25)
#define KT_READ_CHECK_INS (1ull << 26)
#define KT_READ_LINKS (1ull << 27)
#define KT_READ_NAMES 28

/* ---- the tree: filled and checked by the SDK before your evaluate runs ---- */
typedef struct kt_tree {
    uint32_t n, m;          /* nodes, links */
    uint32_t strings;       /* distinct strings: equal references mean equal strings */
    uint32_t organisation;  /* string reference */
    int32_t as_of;          /* days since 1970-01-01 */
    const uint8_t *sec[KT_SECTIONS]; /* NULL: absent, or not declared in `reads` */
    uint32_t entries[KT_SECTIONS];   /* entries of each present section */
    uint64_t *missed;       /* sections read although absent: reported as an error after evaluate */
} kt_tree;

/* Node indexes (parents, children): kt_ix_at(list, 0 .. list.len - 1). */
typedef struct kt_ixs {
    const uint8_t *p;
    uint32_t len;
} kt_ixs;

/* [start, end): entries of a node's measurements or check-ins, for kt_measurement_* / kt_check_in_*. */
typedef struct kt_span {
    uint32_t start, end;
} kt_span;

typedef struct kt_link {
    uint32_t from, to; /* node indexes */
    int kind;          /* 0: drives */
    uint32_t lag_days; /* KT_NONE when absent */
    kt_str note;       /* ptr NULL when absent */
} kt_link;

static inline uint32_t kt__u32(const uint8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4); /* wasm is little-endian; memcpy because p may be unaligned */
    return v;
}
static inline double kt__f64(const uint8_t *p) {
    double v;
    __builtin_memcpy(&v, p, 8);
    return v;
}
/* Section k, or NULL (noted in *missed) when absent: a rule that reads what it did not declare
 * fails with an error naming it, whatever the host sent. */
static inline const uint8_t *kt__col(const kt_tree *t, unsigned k) {
    const uint8_t *c = t->sec[k];
    if (!c) *t->missed |= 1ull << k;
    return c;
}
static inline unsigned kt__byte(const kt_tree *t, unsigned k, uint32_t i) {
    const uint8_t *c = kt__col(t, k);
    return c && i < t->n ? c[i] : 0;
}
static inline uint32_t kt__ref(const kt_tree *t, unsigned k, uint32_t i) {
    const uint8_t *c = kt__col(t, k);
    return c && i < t->n ? kt__u32(c + (size_t)4 * i) : KT_NONE;
}
static inline double kt__num(const kt_tree *t, unsigned k, uint32_t i) {
    const uint8_t *c = kt__col(t, k);
    return c && i < t->n ? kt__f64(c + (size_t)8 * i) : __builtin_nan("");
}

/* Header. */
static inline uint32_t kt_node_count(const kt_tree *t) { return t->n; }
static inline uint32_t kt_link_count(const kt_tree *t) { return t->m; }
static inline int32_t kt_as_of(const kt_tree *t) { return t->as_of; }
static inline uint32_t kt_string_count(const kt_tree *t) { return t->strings; }

/* String `ref` of the table; {NULL, 0} for KT_NONE or out of range. */
static inline kt_str kt_string(const kt_tree *t, uint32_t ref) {
    kt_str s = {NULL, 0};
    if (ref < t->strings) {
        const uint8_t *offs = t->sec[KT_SEC_STRING_OFFSETS] + (size_t)4 * ref;
        uint32_t a = kt__u32(offs), b = kt__u32(offs + 4); /* checked: 0 <= a <= b <= bytes */
        s.ptr = (const char *)t->sec[KT_SEC_STRING_BYTES] + a;
        s.len = b - a;
    }
    return s;
}
static inline kt_str kt_organisation(const kt_tree *t) { return kt_string(t, t->organisation); }

/* Enums (the kt_kind ... kt_trend codes). */
static inline int kt_kind(const kt_tree *t, uint32_t i) { return (int)kt__byte(t, KT_SEC_KIND, i); }
static inline int kt_status(const kt_tree *t, uint32_t i) { return (int)kt__byte(t, KT_SEC_STATUS, i); }
static inline int kt_is_active(const kt_tree *t, uint32_t i) { return kt_status(t, i) == KT_ACTIVE; }
static inline int kt_used_in_appraisal(const kt_tree *t, uint32_t i) { return (int)(kt__byte(t, KT_SEC_FLAGS, i) & 1); }
static inline int kt_direction(const kt_tree *t, uint32_t i) { return (int)((kt__byte(t, KT_SEC_FLAGS, i) >> 1) & 3); }
static inline int kt_indicator(const kt_tree *t, uint32_t i) { return (int)((kt__byte(t, KT_SEC_FLAGS, i) >> 3) & 3); }
static inline int kt_health(const kt_tree *t, uint32_t i) { return (int)kt__byte(t, KT_SEC_HEALTH, i); }
static inline int kt_trend(const kt_tree *t, uint32_t i) { return (int)kt__byte(t, KT_SEC_TREND, i); }

/* Strings of a node ({NULL, 0} when absent). Owners come trimmed, as the engine reads them. */
static inline kt_str kt_id(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_ID, i)); }
static inline kt_str kt_title(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_TITLE, i)); }
static inline kt_str kt_owner(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_OWNER, i)); }
static inline kt_str kt_department(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_DEPARTMENT, i)); }
static inline kt_str kt_rationale(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_RATIONALE, i)); }
static inline kt_str kt_description(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_DESCRIPTION, i)); }
static inline kt_str kt_unit(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_UNIT, i)); }
static inline kt_str kt_period(const kt_tree *t, uint32_t i) { return kt_string(t, kt__ref(t, KT_SEC_PERIOD, i)); }
/* String references (KT_NONE when absent): group by them without hashing. */
static inline uint32_t kt_owner_ref(const kt_tree *t, uint32_t i) { return kt__ref(t, KT_SEC_OWNER, i); }
static inline uint32_t kt_department_ref(const kt_tree *t, uint32_t i) { return kt__ref(t, KT_SEC_DEPARTMENT, i); }

/* Numbers: NaN when absent (test with kt_has). */
static inline int kt_has(double x) { return x == x; }
static inline double kt_start(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_START, i); }
static inline double kt_target(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_TARGET, i); }
static inline double kt_current(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_CURRENT, i); }
static inline double kt_confidence(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_CONFIDENCE, i); }
static inline double kt_at_risk(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_AT_RISK, i); }
static inline double kt_off_track(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_OFF_TRACK, i); }
static inline double kt_score(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_SCORE, i); }
static inline double kt_value(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_VALUE, i); }
static inline double kt_trend_per_30_days(const kt_tree *t, uint32_t i) { return kt__num(t, KT_SEC_TREND_PER_30_DAYS, i); }
/* Days since 1970-01-01, KT_NO_DATE when absent. */
static inline int32_t kt_last_reviewed(const kt_tree *t, uint32_t i) {
    const uint8_t *c = kt__col(t, KT_SEC_LAST_REVIEWED);
    return c && i < t->n ? (int32_t)kt__u32(c + (size_t)4 * i) : KT_NO_DATE;
}
/* Expected days between check-ins; 0 when absent. */
static inline uint32_t kt_cadence_days(const kt_tree *t, uint32_t i) {
    const uint8_t *c = kt__col(t, KT_SEC_CADENCE_DAYS);
    return c && i < t->n ? kt__u32(c + (size_t)4 * i) : 0;
}

/* [a, b) of node i in a CSR; empty when out of range. */
static inline kt_span kt__span(const kt_tree *t, unsigned offsets, uint32_t i) {
    kt_span s = {0, 0};
    const uint8_t *c = kt__col(t, offsets);
    if (c && i < t->n) {
        s.start = kt__u32(c + (size_t)4 * i); /* checked: non-decreasing, last = entries */
        s.end = kt__u32(c + (size_t)4 * i + 4);
    }
    return s;
}
static inline kt_ixs kt__ixs(const kt_tree *t, unsigned offsets, unsigned targets, uint32_t i) {
    kt_span s = kt__span(t, offsets, i);
    kt_ixs r = {NULL, 0};
    const uint8_t *c = kt__col(t, targets);
    if (c && s.end > s.start) {
        r.p = c + (size_t)4 * s.start;
        r.len = s.end - s.start;
    }
    return r;
}
/* The nodes i contributes to (in the order it lists them), and those contributing to it. */
static inline kt_ixs kt_parents(const kt_tree *t, uint32_t i) { return kt__ixs(t, KT_SEC_PARENT_OFFSETS, KT_SEC_PARENTS, i); }
static inline kt_ixs kt_children(const kt_tree *t, uint32_t i) { return kt__ixs(t, KT_SEC_CHILD_OFFSETS, KT_SEC_CHILDREN, i); }
static inline uint32_t kt_ix_at(kt_ixs l, uint32_t k) { return k < l.len ? kt__u32(l.p + (size_t)4 * k) : KT_NONE; }

/* A KPI's measurements and a key result's check-ins, sorted by date: iterate k over the span. */
static inline kt_span kt_measurements(const kt_tree *t, uint32_t i) { return kt__span(t, KT_SEC_MEASUREMENT_OFFSETS, i); }
static inline kt_span kt_check_ins(const kt_tree *t, uint32_t i) { return kt__span(t, KT_SEC_CHECK_IN_OFFSETS, i); }
static inline uint32_t kt__entry32(const kt_tree *t, unsigned k, uint32_t e, uint32_t none) {
    const uint8_t *c = kt__col(t, k);
    return c && e < t->entries[k] ? kt__u32(c + (size_t)4 * e) : none;
}
static inline double kt__entry64(const kt_tree *t, unsigned k, uint32_t e) {
    const uint8_t *c = kt__col(t, k);
    return c && e < t->entries[k] ? kt__f64(c + (size_t)8 * e) : __builtin_nan("");
}
static inline int32_t kt_measurement_date(const kt_tree *t, uint32_t k) { return (int32_t)kt__entry32(t, KT_SEC_MEASUREMENT_DATES, k, 0x80000000u); }
static inline double kt_measurement_value(const kt_tree *t, uint32_t k) { return kt__entry64(t, KT_SEC_MEASUREMENT_VALUES, k); }
static inline int32_t kt_check_in_date(const kt_tree *t, uint32_t k) { return (int32_t)kt__entry32(t, KT_SEC_CHECK_IN_DATES, k, 0x80000000u); }
static inline double kt_check_in_value(const kt_tree *t, uint32_t k) { return kt__entry64(t, KT_SEC_CHECK_IN_VALUES, k); }
static inline double kt_check_in_confidence(const kt_tree *t, uint32_t k) { return kt__entry64(t, KT_SEC_CHECK_IN_CONFIDENCES, k); }
static inline kt_str kt_check_in_note(const kt_tree *t, uint32_t k) { return kt_string(t, kt__entry32(t, KT_SEC_CHECK_IN_NOTES, k, KT_NONE)); }

/* Link k (k < kt_link_count); 0 when out of range or the links were not read. */
int kt_link_at(const kt_tree *t, uint32_t k, kt_link *out);

/* Dates: days since 1970-01-01 <-> year, month (1-12), day (1-31). */
void kt_date_parts(int32_t days, int32_t *year, int *month, int *day);

/* ---- memory ---- */
/* `len` bytes, 8-byte aligned and zeroed, or NULL. Never freed (a fresh instance per evaluation). */
void *kt_alloc(uint32_t len);
/* `count * size` bytes as kt_alloc, or NULL (also on overflow). */
void *kt_calloc(uint32_t count, uint32_t size);

/* ---- configuration: the plugin's section of kpitree.toml as JSON (`{}` when there is none) ---- */
typedef struct kt_config {
    const char *ptr;
    uint32_t len;
} kt_config;

enum { KT_ABSENT = 0, KT_FOUND = 1, KT_WRONG_TYPE = -1 };
/* Look up a top-level key. Each returns KT_FOUND (and sets *out), KT_ABSENT (leaves *out alone),
 * or KT_WRONG_TYPE (the value is of another type; *out left alone). */
int kt_config_int(const kt_config *c, const char *key, int64_t *out);     /* a JSON integer literal (no fraction or exponent) that fits */
int kt_config_number(const kt_config *c, const char *key, double *out);   /* any JSON number */
int kt_config_bool(const kt_config *c, const char *key, int *out);
int kt_config_string(const kt_config *c, const char *key, kt_str *out);  /* unescaped copy */
int kt_config_strings(const kt_config *c, const char *key, kt_str **items, uint32_t *count); /* a list of strings */
/* The first top-level key not in `allowed` ({NULL, 0} when every key is known): for strict configs. */
kt_str kt_config_unknown_key(const kt_config *c, const char *const *allowed, uint32_t n);

/* ---- the response ---- */
typedef struct kt_out {
    uint8_t *buf;
    uint32_t len, cap;
    const kt_tree *tree;
    uint32_t findings; /* findings written */
    uint32_t items;    /* nodes or evidence entries of the open finding */
    uint8_t state;     /* internal */
    uint8_t in_string; /* a string value is open */
    uint8_t has_message, evidence_done, failed;
    const char *misuse; /* first API misuse, reported as an error */
} kt_out;

enum { KT_OK = 0, KT_FAILED = 1 };

/* Findings: kt_finding opens one; then its nodes; then, in any order, message (required),
 * severity, fix and evidence entries. The next kt_finding (or the end) closes it. */
void kt_finding(kt_out *o, const char *rule);
void kt_node(kt_out *o, uint32_t node); /* node index; its id goes into `nodes` */
void kt_message(kt_out *o);             /* opens the message: append with kt_text & co. */
void kt_fix(kt_out *o);                 /* opens a fix of this finding (the rule's fix otherwise) */
void kt_severity(kt_out *o, const char *severity); /* "error", "warning" or "info" */
void kt_evidence_int(kt_out *o, const char *key, int64_t v);
void kt_evidence_num(kt_out *o, const char *key, double v, int decimals); /* NaN/inf: null */
void kt_evidence_bool(kt_out *o, const char *key, int v);
void kt_evidence_str(kt_out *o, const char *key, kt_str v);
void kt_evidence_text(kt_out *o, const char *key); /* opens a string value: append with kt_text & co. */

/* Appending to the open string (message, fix, evidence text, error). JSON escaping is done here;
 * bytes that are not UTF-8 become U+FFFD. */
void kt_text(kt_out *o, const char *s);   /* NUL-terminated */
void kt_append(kt_out *o, kt_str s);
void kt_uint(kt_out *o, uint64_t v);
void kt_int(kt_out *o, int64_t v);
void kt_num(kt_out *o, double v, int decimals); /* at most `decimals` (0-9), trailing zeros dropped */
void kt_date(kt_out *o, int32_t days);          /* 2026-11-27 */
void kt_display(kt_out *o, uint32_t node);      /* KPI "Win rate" (kpi-win-rate): needs `title` */

/* Errors: replace the whole response by {"error": ...}; return KT_FAILED from evaluate. */
int kt_error(kt_out *o, const char *message);
void kt_error_begin(kt_out *o); /* opens the error's message: append with kt_text & co. */

/* ---- the manifest ---- */
typedef struct kt_rule {
    const char *id;       /* [a-z0-9][a-z0-9-]* */
    const char *severity; /* "error", "warning", "info" (NULL: info) */
    const char *summary, *why, *fix;
} kt_rule;

typedef struct kt_manifest {
    const char *name;    /* [a-z0-9][a-z0-9-]*, findings carry it as `plugin` */
    const char *version;
    const char *description;
    const kt_rule *rules;
    uint32_t rule_count;
    const char *config_schema; /* raw JSON (NULL: {}) */
    uint64_t reads;            /* KT_READ_* bits; 0: no `reads`, the whole tree (ABI 1.0 behaviour) */
} kt_manifest;

typedef int (*kt_evaluate_fn)(const kt_tree *t, const kt_config *c, kt_out *o);

/* The response bytes. */
typedef struct kt_bytes {
    const uint8_t *ptr;
    uint32_t len;
} kt_bytes;
kt_bytes kt_manifest_json(const kt_manifest *m);
/* What kpitree_evaluate does: checks the request, runs `evaluate`, returns the response JSON. */
kt_bytes kt_handle(const kt_manifest *m, kt_evaluate_fn evaluate, const uint8_t *request, uint32_t len);

#if defined(__wasm__)
#define KT__EXPORT(name) __attribute__((export_name(name)))
uint64_t kt__pack(kt_bytes b);
uint64_t kt__evaluate_export(const kt_manifest *m, kt_evaluate_fn f, uint32_t ptr, uint32_t len);
/* The five exports of plugins/ABI.md (`memory` is exported by the linker). */
#define KPITREE_PLUGIN(manifest, evaluate)                                                              \
    KT__EXPORT("kpitree_abi_version") uint32_t kpitree_abi_version(void) { return KT_ABI_VERSION; }    \
    KT__EXPORT("kpitree_alloc") uint32_t kpitree_alloc(uint32_t len) {                                 \
        return (uint32_t)(uintptr_t)kt_alloc(len);                                                     \
    }                                                                                                  \
    KT__EXPORT("kpitree_manifest") uint64_t kpitree_manifest(void) {                                   \
        return kt__pack(kt_manifest_json(&(manifest)));                                                \
    }                                                                                                  \
    KT__EXPORT("kpitree_evaluate") uint64_t kpitree_evaluate(uint32_t ptr, uint32_t len) {             \
        return kt__evaluate_export(&(manifest), (evaluate), ptr, len);                                 \
    }
#else
/* Native builds (tests, sanitizers): the same entry points as plain functions. */
void kt_native_reset(void); /* forget every allocation: a "fresh instance" */
#define KPITREE_PLUGIN(manifest, evaluate)                                                              \
    kt_bytes kpitree_native_manifest(void) { return kt_manifest_json(&(manifest)); }                   \
    kt_bytes kpitree_native_evaluate(const uint8_t *request, uint32_t len) {                           \
        return kt_handle(&(manifest), (evaluate), request, len);                                       \
    }
#endif

#ifdef __cplusplus
}
#endif
#endif /* KPITREE_H */

/* ======================================================================================== */
#ifdef KPITREE_IMPLEMENTATION
#ifndef KPITREE_IMPLEMENTED
#define KPITREE_IMPLEMENTED

/* ---- memory ---- */
#if defined(__wasm__)
/* No libc: clang may still emit calls to these for struct copies and loops. `no_builtin` keeps
 * it from turning their own loops back into calls to themselves; weak so a libc may replace them. */
__attribute__((weak, no_builtin)) void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) *d++ = *s++;
    return dst;
}
__attribute__((weak, no_builtin)) void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}
__attribute__((weak, no_builtin)) void *memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}
__attribute__((weak, no_builtin)) int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}

extern unsigned char __heap_base; /* defined by wasm-ld: the first byte after data and stack */
static uintptr_t kt__heap;

void *kt_alloc(uint32_t len) {
    if (!kt__heap) kt__heap = (uintptr_t)&__heap_base;
    uint64_t p = ((uint64_t)kt__heap + 7) & ~(uint64_t)7, end = p + len;
    uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) << 16;
    if (end > 0xFFFFFFFFull) return NULL;
    if (end > have && __builtin_wasm_memory_grow(0, (size_t)((end - have + 0xFFFF) >> 16)) == (size_t)-1)
        return NULL; /* the host's memory limit: the caller reports it */
    kt__heap = (uintptr_t)end;
    return (void *)(uintptr_t)p; /* zeroed: wasm memory starts zeroed and nothing is reused */
}
#else
#include <string.h>
#ifndef KT_NATIVE_ARENA
#define KT_NATIVE_ARENA (64u << 20)
#endif
static _Alignas(8) unsigned char kt__arena[KT_NATIVE_ARENA];
static size_t kt__used;
void kt_native_reset(void) {
    memset(kt__arena, 0, kt__used); /* keep the "fresh memory is zeroed" promise */
    kt__used = 0;
}
void *kt_alloc(uint32_t len) {
    size_t p = (kt__used + 7) & ~(size_t)7;
    if (len > KT_NATIVE_ARENA || p > KT_NATIVE_ARENA - len) return NULL;
    kt__used = p + len;
    return kt__arena + p;
}
#endif

void *kt_calloc(uint32_t count, uint32_t size) {
    uint64_t n = (uint64_t)count * size;
    return n > 0xFFFFFFFFull ? NULL : kt_alloc((uint32_t)n);
}

static uint32_t kt__cstrlen(const char *s) {
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}
kt_str kt_cstr(const char *s) {
    kt_str r = {s, s ? kt__cstrlen(s) : 0};
    return r;
}
int kt_str_eq(kt_str a, kt_str b) {
    if ((a.ptr == NULL) != (b.ptr == NULL) || a.len != b.len) return 0;
    for (uint32_t i = 0; i < a.len; i++)
        if (a.ptr[i] != b.ptr[i]) return 0;
    return 1;
}
int kt_str_eq_c(kt_str a, const char *b) { return a.ptr && kt_str_eq(a, kt_cstr(b)); }

const char *kt_kind_label(int kind) {
    static const char *const labels[] = {"strategy", "objective", "key result", "KPI"};
    return kind >= 0 && kind < 4 ? labels[kind] : "node";
}

int kt_link_at(const kt_tree *t, uint32_t k, kt_link *out) {
    const uint8_t *from = kt__col(t, KT_SEC_LINK_FROM), *to = kt__col(t, KT_SEC_LINK_TO);
    const uint8_t *kind = kt__col(t, KT_SEC_LINK_KIND), *lag = kt__col(t, KT_SEC_LINK_LAG_DAYS);
    const uint8_t *note = kt__col(t, KT_SEC_LINK_NOTE);
    if (!from || !to || !kind || !lag || !note || k >= t->m) return 0;
    out->from = kt__u32(from + (size_t)4 * k);
    out->to = kt__u32(to + (size_t)4 * k);
    out->kind = kind[k];
    out->lag_days = kt__u32(lag + (size_t)4 * k);
    out->note = kt_string(t, kt__u32(note + (size_t)4 * k));
    return 1;
}

/* Howard Hinnant's civil_from_days, in 64 bits so no input overflows. */
void kt_date_parts(int32_t days, int32_t *year, int *month, int *day) {
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int32_t)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

/* Length of the valid UTF-8 sequence at p (as Rust's str accepts it), or 0. */
static uint32_t kt__utf8_len(const uint8_t *p, const uint8_t *end) {
    uint32_t avail = (uint32_t)(end - p);
    uint8_t b = p[0];
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (b == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
        if (b == 0xED && p[1] > 0x9F) return 0; /* surrogate */
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (b == 0xF0 && p[1] < 0x90) return 0; /* overlong */
        if (b == 0xF4 && p[1] > 0x8F) return 0; /* past U+10FFFF */
        return 4;
    }
    return 0;
}
static int kt__utf8_valid(const uint8_t *p, uint32_t len) {
    const uint8_t *end = p + len;
    while (p < end) {
        uint32_t k = kt__utf8_len(p, end);
        if (!k) return 0;
        p += k;
    }
    return 1;
}

/* ---- the response writer ---- */
enum { KT__TOP, KT__NODES, KT__FIELDS, KT__EVIDENCE, KT__ERROR };

/* Room for n more bytes. Running out of memory traps: the host reports it as a plugin error. */
static void kt__room(kt_out *o, uint32_t n) {
    if (n <= o->cap - o->len) return;
    uint64_t want = (uint64_t)o->len + n, cap = o->cap ? o->cap : 4096;
    while (cap < want) cap *= 2;
    if (cap > 0xFFFFFFF8ull) cap = 0xFFFFFFF8ull;
    if (cap < want) __builtin_trap();
    /* The buffer is usually the newest allocation: then it grows in place. */
    uint8_t *more = o->buf ? (uint8_t *)kt_alloc(0) : NULL;
    if (o->buf && more == o->buf + o->cap && kt_alloc((uint32_t)(cap - o->cap))) {
        o->cap = (uint32_t)cap;
        return;
    }
    uint8_t *fresh = (uint8_t *)kt_alloc((uint32_t)cap);
    if (!fresh) __builtin_trap();
    if (o->len) memcpy(fresh, o->buf, o->len);
    o->buf = fresh;
    o->cap = (uint32_t)cap;
}
static void kt__raw(kt_out *o, const void *p, uint32_t n) {
    kt__room(o, n);
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}
static void kt__rawc(kt_out *o, const char *s) { kt__raw(o, s, kt__cstrlen(s)); }
static void kt__byte_out(kt_out *o, char c) {
    kt__room(o, 1);
    o->buf[o->len++] = (uint8_t)c;
}
/* Bytes inside a JSON string: `"` `\` and control characters escaped, invalid UTF-8 as U+FFFD. */
static void kt__escaped(kt_out *o, const uint8_t *p, uint32_t n) {
    static const char hex[] = "0123456789abcdef";
    const uint8_t *end = p + n;
    kt__room(o, n);
    while (p < end) {
        uint8_t b = *p;
        uint32_t k = kt__utf8_len(p, end);
        if (k == 0) {
            kt__raw(o, "\xEF\xBF\xBD", 3);
            p++;
        } else if (k > 1) {
            kt__raw(o, p, k);
            p += k;
        } else if (b == '"' || b == '\\') {
            char e[2] = {'\\', (char)b};
            kt__raw(o, e, 2);
            p++;
        } else if (b < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15]};
            kt__raw(o, e, 6);
            p++;
        } else {
            kt__byte_out(o, (char)b);
            p++;
        }
    }
}
static void kt__string(kt_out *o, kt_str s) {
    kt__byte_out(o, '"');
    if (s.ptr) kt__escaped(o, (const uint8_t *)s.ptr, s.len);
    kt__byte_out(o, '"');
}
static void kt__misuse(kt_out *o, const char *what) {
    if (!o->misuse) o->misuse = what;
}
static void kt__close_string(kt_out *o) {
    if (o->in_string) {
        kt__byte_out(o, '"');
        o->in_string = 0;
    }
}
/* Leaves the open finding ready for another field. */
static int kt__fields(kt_out *o) {
    if (o->state == KT__TOP || o->state == KT__ERROR) {
        kt__misuse(o, "a finding's field written outside a finding (call kt_finding first)");
        return 0;
    }
    kt__close_string(o);
    if (o->state == KT__NODES) kt__byte_out(o, ']');
    if (o->state == KT__EVIDENCE) {
        kt__byte_out(o, '}');
        o->evidence_done = 1;
    }
    o->state = KT__FIELDS;
    return 1;
}
static void kt__close_finding(kt_out *o) {
    if (o->state == KT__TOP || o->state == KT__ERROR) return;
    kt__fields(o);
    if (!o->has_message) kt__misuse(o, "a finding without a message (call kt_message)");
    kt__byte_out(o, '}');
    o->state = KT__TOP;
}

void kt_finding(kt_out *o, const char *rule) {
    if (o->state == KT__ERROR) return;
    kt__close_finding(o);
    if (o->findings++) kt__byte_out(o, ',');
    kt__rawc(o, "{\"rule\":");
    kt__string(o, kt_cstr(rule));
    kt__rawc(o, ",\"nodes\":[");
    o->state = KT__NODES;
    o->items = 0;
    o->has_message = o->evidence_done = 0;
}
void kt_node(kt_out *o, uint32_t node) {
    if (o->state == KT__ERROR) return;
    if (o->state != KT__NODES) {
        kt__misuse(o, "kt_node after a finding's other fields (nodes come first)");
        return;
    }
    if (!o->tree || node >= o->tree->n) {
        kt__misuse(o, "kt_node: node index out of range");
        return;
    }
    if (o->items++) kt__byte_out(o, ',');
    kt__string(o, kt_id(o->tree, node));
}
static void kt__open_field(kt_out *o, const char *field_json) {
    if (o->state == KT__ERROR || !kt__fields(o)) return;
    kt__rawc(o, field_json);
    o->in_string = 1;
}
void kt_message(kt_out *o) {
    if (o->state == KT__FIELDS || o->state == KT__NODES || o->state == KT__EVIDENCE) {
        if (o->has_message) {
            kt__misuse(o, "kt_message twice in one finding");
            return;
        }
        o->has_message = 1;
    }
    kt__open_field(o, ",\"message\":\"");
}
void kt_fix(kt_out *o) { kt__open_field(o, ",\"fix\":\""); }
void kt_severity(kt_out *o, const char *severity) {
    if (o->state == KT__ERROR || !kt__fields(o)) return;
    kt__rawc(o, ",\"severity\":");
    kt__string(o, kt_cstr(severity));
}
/* Opens an evidence entry: `"key":`. */
static int kt__evidence_key(kt_out *o, const char *key) {
    if (o->state == KT__ERROR) return 0;
    if (o->state != KT__EVIDENCE) {
        if (!kt__fields(o)) return 0;
        if (o->evidence_done) {
            kt__misuse(o, "evidence entries must follow each other (evidence is one object)");
            return 0;
        }
        kt__rawc(o, ",\"evidence\":{");
        o->state = KT__EVIDENCE;
        o->items = 0;
    } else {
        kt__close_string(o);
    }
    if (o->items++) kt__byte_out(o, ',');
    kt__string(o, kt_cstr(key));
    kt__byte_out(o, ':');
    return 1;
}
static void kt__uint_out(kt_out *o, uint64_t v) {
    char d[20];
    int k = 20;
    do {
        d[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    kt__raw(o, d + k, (uint32_t)(20 - k));
}
static void kt__int_out(kt_out *o, int64_t v) {
    if (v < 0) {
        kt__byte_out(o, '-');
        kt__uint_out(o, (uint64_t)0 - (uint64_t)v); /* no overflow at INT64_MIN */
    } else {
        kt__uint_out(o, (uint64_t)v);
    }
}
/* Fixed-point with at most `decimals` (0-9) decimals, trailing zeros dropped; exact for integers
 * up to 2^53, rounded half away from zero; past 2^63 the last digits are approximate. */
static void kt__num_out(kt_out *o, double x, int decimals, int json) {
    if (x != x || x - x != 0) { /* NaN or infinite */
        kt__rawc(o, json ? "null" : x != x ? "NaN" : x > 0 ? "inf" : "-inf");
        return;
    }
    if (decimals < 0) decimals = 0;
    if (decimals > 9) decimals = 9;
    uint64_t scale = 1;
    for (int k = 0; k < decimals; k++) scale *= 10;
    double a = x < 0 ? -x : x, scaled = a * (double)scale + 0.5;
    if (scaled < 9.2e18) {
        uint64_t r = (uint64_t)scaled, whole = r / scale, frac = r % scale;
        if (x < 0 && r) kt__byte_out(o, '-');
        kt__uint_out(o, whole);
        if (frac) {
            char d[9];
            int k = decimals;
            while (k > 0 && frac % 10 == 0) frac /= 10, k--; /* drop trailing zeros */
            for (int j = k - 1; j >= 0; j--) d[j] = (char)('0' + frac % 10), frac /= 10;
            kt__byte_out(o, '.');
            kt__raw(o, d, (uint32_t)k);
        }
        return;
    }
    /* Huge: 17 significant digits, then zeros. */
    int zeros = 0;
    while (a >= 1e17) a /= 10, zeros++;
    if (x < 0) kt__byte_out(o, '-');
    kt__uint_out(o, (uint64_t)a);
    while (zeros--) kt__byte_out(o, '0');
}
void kt_evidence_int(kt_out *o, const char *key, int64_t v) {
    if (kt__evidence_key(o, key)) kt__int_out(o, v);
}
void kt_evidence_num(kt_out *o, const char *key, double v, int decimals) {
    if (kt__evidence_key(o, key)) kt__num_out(o, v, decimals, 1);
}
void kt_evidence_bool(kt_out *o, const char *key, int v) {
    if (kt__evidence_key(o, key)) kt__rawc(o, v ? "true" : "false");
}
void kt_evidence_str(kt_out *o, const char *key, kt_str v) {
    if (!kt__evidence_key(o, key)) return;
    if (v.ptr) kt__string(o, v);
    else kt__rawc(o, "null");
}
void kt_evidence_text(kt_out *o, const char *key) {
    if (!kt__evidence_key(o, key)) return;
    kt__byte_out(o, '"');
    o->in_string = 1;
}

static int kt__appending(kt_out *o) {
    if (!o->in_string) kt__misuse(o, "text appended with no string open (call kt_message, kt_fix, ... first)");
    return o->in_string;
}
void kt_text(kt_out *o, const char *s) {
    if (kt__appending(o) && s) kt__escaped(o, (const uint8_t *)s, kt__cstrlen(s));
}
void kt_append(kt_out *o, kt_str s) {
    if (kt__appending(o) && s.ptr) kt__escaped(o, (const uint8_t *)s.ptr, s.len);
}
void kt_uint(kt_out *o, uint64_t v) {
    if (kt__appending(o)) kt__uint_out(o, v);
}
void kt_int(kt_out *o, int64_t v) {
    if (kt__appending(o)) kt__int_out(o, v);
}
void kt_num(kt_out *o, double v, int decimals) {
    if (kt__appending(o)) kt__num_out(o, v, decimals, 0);
}
void kt_date(kt_out *o, int32_t days) {
    if (!kt__appending(o)) return;
    int32_t y;
    int m, d;
    kt_date_parts(days, &y, &m, &d);
    if (y >= 0 && y < 1000) kt__byte_out(o, '0');
    if (y >= 0 && y < 100) kt__byte_out(o, '0');
    if (y >= 0 && y < 10) kt__byte_out(o, '0');
    kt__int_out(o, y);
    char md[6] = {'-', (char)('0' + m / 10), (char)('0' + m % 10), '-', (char)('0' + d / 10), (char)('0' + d % 10)};
    kt__raw(o, md, 6);
}
void kt_display(kt_out *o, uint32_t node) {
    if (!kt__appending(o) || !o->tree) return;
    kt_text(o, kt_kind_label(kt_kind(o->tree, node)));
    kt_text(o, " \"");
    kt_append(o, kt_title(o->tree, node));
    kt_text(o, "\" (");
    kt_append(o, kt_id(o->tree, node));
    kt_text(o, ")");
}

void kt_error_begin(kt_out *o) {
    o->len = 0; /* the error replaces whatever was written */
    kt__rawc(o, "{\"error\":{\"message\":\"");
    o->state = KT__ERROR;
    o->in_string = 1;
    o->failed = 1;
}
int kt_error(kt_out *o, const char *message) {
    kt_error_begin(o);
    kt_text(o, message);
    return KT_FAILED;
}
static kt_bytes kt__finish(kt_out *o) {
    if (o->state == KT__ERROR) {
        kt__close_string(o);
        kt__rawc(o, "}}");
    } else {
        kt__close_finding(o);
        kt__rawc(o, "]}");
    }
    kt_bytes b = {o->buf, o->len};
    return b;
}

/* ---- the KTR1 reader: one checking pass, as TreeView::new (crates/kpitree-plugin-abi) ---- */
enum { KT__NODES_LEN, KT__NODES1, KT__LINKS, KT__CSR, KT__STRINGS1, KT__SBYTES };
static const struct {
    const char *name;
    uint8_t width, len, of;
} kt__table[KT_SECTIONS] = {
    {"kind", 1, KT__NODES_LEN, 0}, {"status", 1, KT__NODES_LEN, 0}, {"flags", 1, KT__NODES_LEN, 0},
    {"health", 1, KT__NODES_LEN, 0}, {"trend", 1, KT__NODES_LEN, 0}, {"id", 4, KT__NODES_LEN, 0},
    {"title", 4, KT__NODES_LEN, 0}, {"owner", 4, KT__NODES_LEN, 0}, {"department", 4, KT__NODES_LEN, 0},
    {"rationale", 4, KT__NODES_LEN, 0}, {"description", 4, KT__NODES_LEN, 0}, {"unit", 4, KT__NODES_LEN, 0},
    {"period", 4, KT__NODES_LEN, 0}, {"start", 8, KT__NODES_LEN, 0}, {"target", 8, KT__NODES_LEN, 0},
    {"current", 8, KT__NODES_LEN, 0}, {"confidence", 8, KT__NODES_LEN, 0}, {"at_risk", 8, KT__NODES_LEN, 0},
    {"off_track", 8, KT__NODES_LEN, 0}, {"score", 8, KT__NODES_LEN, 0}, {"value", 8, KT__NODES_LEN, 0},
    {"trend_per_30_days", 8, KT__NODES_LEN, 0}, {"last_reviewed", 4, KT__NODES_LEN, 0},
    {"cadence_days", 4, KT__NODES_LEN, 0},
    {"parent_offsets", 4, KT__NODES1, 0}, {"parents", 4, KT__CSR, KT_SEC_PARENT_OFFSETS},
    {"child_offsets", 4, KT__NODES1, 0}, {"children", 4, KT__CSR, KT_SEC_CHILD_OFFSETS},
    {"measurement_offsets", 4, KT__NODES1, 0}, {"measurement_dates", 4, KT__CSR, KT_SEC_MEASUREMENT_OFFSETS},
    {"measurement_values", 8, KT__CSR, KT_SEC_MEASUREMENT_OFFSETS},
    {"check_in_offsets", 4, KT__NODES1, 0}, {"check_in_dates", 4, KT__CSR, KT_SEC_CHECK_IN_OFFSETS},
    {"check_in_values", 8, KT__CSR, KT_SEC_CHECK_IN_OFFSETS},
    {"check_in_confidences", 8, KT__CSR, KT_SEC_CHECK_IN_OFFSETS},
    {"check_in_notes", 4, KT__CSR, KT_SEC_CHECK_IN_OFFSETS},
    {"link_from", 4, KT__LINKS, 0}, {"link_to", 4, KT__LINKS, 0}, {"link_kind", 1, KT__LINKS, 0},
    {"link_lag_days", 4, KT__LINKS, 0}, {"link_note", 4, KT__LINKS, 0},
    {"string_offsets", 4, KT__STRINGS1, 0}, {"string_bytes", 1, KT__SBYTES, 0},
};

#define KT__BIT(k) (1ull << (k))
#define KT__ALWAYS (KT__BIT(KT_SEC_KIND) | KT__BIT(KT_SEC_ID) | KT__BIT(KT_SEC_STRING_OFFSETS) | KT__BIT(KT_SEC_STRING_BYTES))
#define KT__ALL ((1ull << KT_SECTIONS) - 1)

/* The `reads` names (plugins/ABI.md), their sections, and the accessors that read them. */
static const struct {
    const char *name;
    uint64_t sections;
    const char *reads;
} kt__reads[KT_READ_NAMES] = {
    {"kind", KT__BIT(KT_SEC_KIND), "kt_kind (always sent)"},
    {"status", KT__BIT(KT_SEC_STATUS), "kt_status, kt_is_active"},
    {"flags", KT__BIT(KT_SEC_FLAGS), "kt_used_in_appraisal, kt_direction, kt_indicator"},
    {"health", KT__BIT(KT_SEC_HEALTH), "kt_health"},
    {"trend", KT__BIT(KT_SEC_TREND), "kt_trend"},
    {"id", KT__BIT(KT_SEC_ID), "kt_id (always sent)"},
    {"title", KT__BIT(KT_SEC_TITLE), "kt_title, kt_display"},
    {"owner", KT__BIT(KT_SEC_OWNER), "kt_owner, kt_owner_ref"},
    {"department", KT__BIT(KT_SEC_DEPARTMENT), "kt_department, kt_department_ref"},
    {"rationale", KT__BIT(KT_SEC_RATIONALE), "kt_rationale"},
    {"description", KT__BIT(KT_SEC_DESCRIPTION), "kt_description"},
    {"unit", KT__BIT(KT_SEC_UNIT), "kt_unit"},
    {"period", KT__BIT(KT_SEC_PERIOD), "kt_period"},
    {"start", KT__BIT(KT_SEC_START), "kt_start"},
    {"target", KT__BIT(KT_SEC_TARGET), "kt_target"},
    {"current", KT__BIT(KT_SEC_CURRENT), "kt_current"},
    {"confidence", KT__BIT(KT_SEC_CONFIDENCE), "kt_confidence"},
    {"thresholds", KT__BIT(KT_SEC_AT_RISK) | KT__BIT(KT_SEC_OFF_TRACK), "kt_at_risk, kt_off_track"},
    {"score", KT__BIT(KT_SEC_SCORE), "kt_score"},
    {"value", KT__BIT(KT_SEC_VALUE), "kt_value"},
    {"trend_per_30_days", KT__BIT(KT_SEC_TREND_PER_30_DAYS), "kt_trend_per_30_days"},
    {"last_reviewed", KT__BIT(KT_SEC_LAST_REVIEWED), "kt_last_reviewed"},
    {"cadence_days", KT__BIT(KT_SEC_CADENCE_DAYS), "kt_cadence_days"},
    {"parents", KT__BIT(KT_SEC_PARENT_OFFSETS) | KT__BIT(KT_SEC_PARENTS), "kt_parents"},
    {"children", KT__BIT(KT_SEC_CHILD_OFFSETS) | KT__BIT(KT_SEC_CHILDREN), "kt_children"},
    {"measurements", KT__BIT(KT_SEC_MEASUREMENT_OFFSETS) | KT__BIT(KT_SEC_MEASUREMENT_DATES) | KT__BIT(KT_SEC_MEASUREMENT_VALUES), "kt_measurements"},
    {"check_ins", KT__BIT(KT_SEC_CHECK_IN_OFFSETS) | KT__BIT(KT_SEC_CHECK_IN_DATES) | KT__BIT(KT_SEC_CHECK_IN_VALUES) | KT__BIT(KT_SEC_CHECK_IN_CONFIDENCES) | KT__BIT(KT_SEC_CHECK_IN_NOTES), "kt_check_ins"},
    {"links", KT__BIT(KT_SEC_LINK_FROM) | KT__BIT(KT_SEC_LINK_TO) | KT__BIT(KT_SEC_LINK_KIND) | KT__BIT(KT_SEC_LINK_LAG_DAYS) | KT__BIT(KT_SEC_LINK_NOTE), "kt_link_at"},
};

static uint64_t kt__sections_of(uint64_t reads) {
    if (!reads) return KT__ALL;
    uint64_t s = KT__ALWAYS;
    for (unsigned k = 0; k < KT_READ_NAMES; k++)
        if (reads >> k & 1) s |= kt__reads[k].sections;
    return s;
}

/* "malformed request: " then the reason; returns 0 so checks can `return kt__bad(...)`. */
static int kt__bad(kt_out *o, const char *what, const char *section) {
    kt_error_begin(o);
    kt_text(o, "malformed request: ");
    if (section) {
        kt_text(o, "section `");
        kt_text(o, section);
        kt_text(o, "`: ");
    }
    kt_text(o, what);
    return 0;
}
static int kt__bad_at(kt_out *o, const char *what, const char *section, uint32_t index, uint64_t value) {
    kt__bad(o, what, section);
    kt_text(o, " (entry ");
    kt_uint(o, index);
    kt_text(o, " holds ");
    kt_uint(o, value);
    kt_text(o, ")");
    return 0;
}

/* Offsets start at 0 and never decrease. */
static int kt__monotonic(kt_out *o, const kt_tree *t, unsigned k) {
    const uint8_t *c = t->sec[k];
    uint32_t prev = 0;
    for (uint32_t i = 0; c && i < t->entries[k]; i++) {
        uint32_t v = kt__u32(c + (size_t)4 * i);
        if ((i == 0 && v != 0) || v < prev) return kt__bad_at(o, "offsets do not start at 0 or decrease", kt__table[k].name, i, v);
        prev = v;
    }
    return 1;
}
/* Entries below `limit`, or KT_NONE when `none_ok`. */
static int kt__below(kt_out *o, const kt_tree *t, unsigned k, uint64_t limit, int none_ok) {
    const uint8_t *c = t->sec[k];
    for (uint32_t i = 0; c && i < t->entries[k]; i++) {
        uint32_t v = kt__u32(c + (size_t)4 * i);
        if (v >= limit && !(none_ok && v == KT_NONE)) return kt__bad_at(o, "out of range", kt__table[k].name, i, v);
    }
    return 1;
}
/* Enum bytes no greater than `max`. */
static int kt__codes(kt_out *o, const kt_tree *t, unsigned k, unsigned max) {
    const uint8_t *c = t->sec[k];
    for (uint32_t i = 0; c && i < t->entries[k]; i++)
        if (c[i] > max) return kt__bad_at(o, "unknown code", kt__table[k].name, i, c[i]);
    return 1;
}
static int kt__sorted(kt_out *o, const kt_tree *t, unsigned offsets, unsigned dates) {
    const uint8_t *off = t->sec[offsets], *d = t->sec[dates];
    if (!off || !d) return 1;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t a = kt__u32(off + (size_t)4 * i), b = kt__u32(off + (size_t)4 * i + 4);
        for (uint32_t e = a; e + 1 < b; e++)
            if ((int32_t)kt__u32(d + (size_t)4 * e) > (int32_t)kt__u32(d + (size_t)4 * e + 4))
                return kt__bad_at(o, "a series is not sorted by date", kt__table[dates].name, e + 1, i);
    }
    return 1;
}

/* Checks the tree `p[0..len)` and fills `t`; on failure writes the error into `o` and returns 0. */
static int kt__check_tree(kt_out *o, const uint8_t *p, uint32_t len, kt_tree *t) {
    if (len < 28) return kt__bad(o, "the tree is shorter than its 28-byte header", NULL);
    if (p[0] != 'K' || p[1] != 'T' || p[2] != 'R' || p[3] != '1') return kt__bad(o, "not a KTR1 tree", NULL);
    t->n = kt__u32(p + 4);
    t->m = kt__u32(p + 8);
    t->as_of = (int32_t)kt__u32(p + 12);
    t->organisation = kt__u32(p + 16);
    t->strings = kt__u32(p + 20);
    uint32_t declared = kt__u32(p + 24);
    if (declared < KT_SECTIONS) return kt__bad(o, "the directory has fewer than 43 sections", NULL);
    if (28 + 4 * (uint64_t)declared > len) return kt__bad(o, "the directory does not fit in the tree", NULL);
    uint64_t absent = 0;
    for (unsigned k = 0; k < KT_SECTIONS; k++) {
        uint32_t offset = kt__u32(p + 28 + 4 * k);
        t->sec[k] = NULL;
        t->entries[k] = 0;
        if (offset == KT_NONE) {
            if (KT__ALWAYS >> k & 1) return kt__bad(o, "is marked absent but every tree has it", kt__table[k].name);
            absent |= KT__BIT(k);
            continue;
        }
        if (kt__table[k].len == KT__CSR && (absent >> kt__table[k].of & 1))
            return kt__bad(o, "is present but its offsets are absent", kt__table[k].name);
        if (offset % 8) return kt__bad(o, "does not start on an 8-byte boundary", kt__table[k].name);
        uint64_t count = 0;
        switch (kt__table[k].len) {
        case KT__NODES_LEN: count = t->n; break;
        case KT__NODES1: count = (uint64_t)t->n + 1; break;
        case KT__LINKS: count = t->m; break;
        case KT__STRINGS1: count = (uint64_t)t->strings + 1; break;
        case KT__CSR: /* the offsets section comes earlier and is already cut */
            count = kt__u32(t->sec[kt__table[k].of] + (size_t)4 * (t->entries[kt__table[k].of] - 1));
            break;
        case KT__SBYTES:
            count = kt__u32(t->sec[KT_SEC_STRING_OFFSETS] + (size_t)4 * (t->entries[KT_SEC_STRING_OFFSETS] - 1));
            break;
        }
        if ((uint64_t)offset + count * kt__table[k].width > len) return kt__bad(o, "lies outside the tree", kt__table[k].name);
        t->sec[k] = p + offset;
        t->entries[k] = (uint32_t)count;
    }
    const uint8_t *bytes = t->sec[KT_SEC_STRING_BYTES];
    uint32_t nbytes = t->entries[KT_SEC_STRING_BYTES];
    if (!kt__utf8_valid(bytes, nbytes)) return kt__bad(o, "the string bytes are not UTF-8", NULL);
    static const unsigned offsets[] = {KT_SEC_PARENT_OFFSETS, KT_SEC_CHILD_OFFSETS, KT_SEC_MEASUREMENT_OFFSETS,
                                       KT_SEC_CHECK_IN_OFFSETS, KT_SEC_STRING_OFFSETS};
    for (unsigned j = 0; j < 5; j++)
        if (!kt__monotonic(o, t, offsets[j])) return 0;
    for (uint32_t i = 0; i <= t->strings; i++) {
        uint32_t at = kt__u32(t->sec[KT_SEC_STRING_OFFSETS] + (size_t)4 * i);
        if (at < nbytes && (bytes[at] & 0xC0) == 0x80) return kt__bad_at(o, "splits a character", "string_offsets", i, at);
    }
    static const unsigned nodes[] = {KT_SEC_PARENTS, KT_SEC_CHILDREN, KT_SEC_LINK_FROM, KT_SEC_LINK_TO};
    for (unsigned j = 0; j < 4; j++)
        if (!kt__below(o, t, nodes[j], t->n, 0)) return 0;
    for (unsigned k = KT_SEC_ID; k <= KT_SEC_PERIOD; k++) /* id and title are never NONE */
        if (!kt__below(o, t, k, t->strings, k > KT_SEC_TITLE)) return 0;
    if (!kt__below(o, t, KT_SEC_CHECK_IN_NOTES, t->strings, 1) || !kt__below(o, t, KT_SEC_LINK_NOTE, t->strings, 1)) return 0;
    if (t->organisation >= t->strings) return kt__bad(o, "the organisation is not a string of the table", NULL);
    if (!kt__codes(o, t, KT_SEC_KIND, 3) || !kt__codes(o, t, KT_SEC_STATUS, 2) || !kt__codes(o, t, KT_SEC_HEALTH, 4) ||
        !kt__codes(o, t, KT_SEC_TREND, 3) || !kt__codes(o, t, KT_SEC_LINK_KIND, 0))
        return 0;
    const uint8_t *flags = t->sec[KT_SEC_FLAGS];
    for (uint32_t i = 0; flags && i < t->n; i++) /* bits 5-7 zero, direction and indicator 0-2 */
        if ((flags[i] >> 5) || ((flags[i] >> 1) & 3) == 3 || ((flags[i] >> 3) & 3) == 3)
            return kt__bad_at(o, "unknown code", "flags", i, flags[i]);
    return kt__sorted(o, t, KT_SEC_MEASUREMENT_OFFSETS, KT_SEC_MEASUREMENT_DATES) &&
           kt__sorted(o, t, KT_SEC_CHECK_IN_OFFSETS, KT_SEC_CHECK_IN_DATES);
}

/* ---- the configuration reader: a small JSON scanner over the config bytes ---- */
typedef struct {
    const uint8_t *p, *end;
} kt__js;

static void kt__ws(kt__js *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}
static int kt__hex4(const uint8_t *p, uint32_t *v) {
    *v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = p[k];
        uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0') : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10) : 16u;
        if (d == 16) return 0;
        *v = *v << 4 | d;
    }
    return 1;
}
/* A JSON string at s->p (on its opening quote). Writes the unescaped bytes to `dst` (room for the
 * raw length is enough: unescaping never grows) when not NULL; returns the length, or -1. */
static int64_t kt__jstring(kt__js *s, uint8_t *dst) {
    if (s->p >= s->end || *s->p != '"') return -1;
    s->p++;
    int64_t n = 0;
    while (s->p < s->end) {
        uint8_t c = *s->p++;
        if (c == '"') return n;
        if (c < 0x20) return -1;
        if (c != '\\') {
            if (dst) dst[n] = c;
            n++;
            continue;
        }
        if (s->p >= s->end) return -1;
        uint8_t e = *s->p++;
        uint32_t cp;
        switch (e) {
        case '"': case '\\': case '/': cp = e; break;
        case 'b': cp = 8; break;
        case 'f': cp = 12; break;
        case 'n': cp = 10; break;
        case 'r': cp = 13; break;
        case 't': cp = 9; break;
        case 'u':
            if (s->end - s->p < 4 || !kt__hex4(s->p, &cp)) return -1;
            s->p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return -1; /* a lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {         /* a pair: \uD8xx\uDCxx */
                uint32_t lo;
                if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' || !kt__hex4(s->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                s->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        default: return -1;
        }
        uint8_t u[4];
        int k;
        if (cp < 0x80) u[0] = (uint8_t)cp, k = 1;
        else if (cp < 0x800) u[0] = (uint8_t)(0xC0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 63)), k = 2;
        else if (cp < 0x10000)
            u[0] = (uint8_t)(0xE0 | cp >> 12), u[1] = (uint8_t)(0x80 | (cp >> 6 & 63)), u[2] = (uint8_t)(0x80 | (cp & 63)), k = 3;
        else
            u[0] = (uint8_t)(0xF0 | cp >> 18), u[1] = (uint8_t)(0x80 | (cp >> 12 & 63)), u[2] = (uint8_t)(0x80 | (cp >> 6 & 63)),
            u[3] = (uint8_t)(0x80 | (cp & 63)), k = 4;
        for (int j = 0; j < k; j++) {
            if (dst) dst[n] = u[j];
            n++;
        }
    }
    return -1;
}
/* A number token; sets *integer when it has no fraction or exponent. */
static int kt__jnumber(kt__js *s, int *integer) {
    const uint8_t *p = s->p, *end = s->end;
    *integer = 1;
    if (p < end && *p == '-') p++;
    if (p >= end || *p < '0' || *p > '9') return 0;
    if (*p == '0') p++;
    else
        while (p < end && *p >= '0' && *p <= '9') p++;
    if (p < end && *p == '.') {
        *integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    s->p = p;
    return 1;
}
static int kt__jword(kt__js *s, const char *w) {
    uint32_t n = kt__cstrlen(w);
    if ((uint32_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) return 0;
    s->p += n;
    return 1;
}
/* Skips one value; 0 on a syntax error. Nesting is bounded so hostile input cannot exhaust the stack. */
static int kt__jskip(kt__js *s, int depth) {
    int integer;
    kt__ws(s);
    if (s->p >= s->end || depth > 64) return 0;
    switch (*s->p) {
    case '"': return kt__jstring(s, NULL) >= 0;
    case 't': return kt__jword(s, "true");
    case 'f': return kt__jword(s, "false");
    case 'n': return kt__jword(s, "null");
    case '[': case '{': {
        uint8_t close = *s->p == '[' ? ']' : '}';
        int object = close == '}';
        s->p++;
        kt__ws(s);
        if (s->p < s->end && *s->p == close) return s->p++, 1;
        for (;;) {
            if (object) {
                kt__ws(s);
                if (kt__jstring(s, NULL) < 0) return 0;
                kt__ws(s);
                if (s->p >= s->end || *s->p++ != ':') return 0;
            }
            if (!kt__jskip(s, depth + 1)) return 0;
            kt__ws(s);
            if (s->p >= s->end) return 0;
            uint8_t c = *s->p++;
            if (c == close) return 1;
            if (c != ',') return 0;
        }
    }
    default: return kt__jnumber(s, &integer);
    }
}
/* The whole configuration is one JSON object and UTF-8. */
static int kt__config_valid(const kt_config *c) {
    kt__js s = {(const uint8_t *)c->ptr, (const uint8_t *)c->ptr + c->len};
    kt__ws(&s);
    if (s.p >= s.end || *s.p != '{' || !kt__jskip(&s, 0)) return 0;
    kt__ws(&s);
    return s.p == s.end && kt__utf8_valid((const uint8_t *)c->ptr, c->len);
}
/* Walks the top-level keys: positions `s` on the value of `key` and returns 1, or 0 when absent.
 * With key NULL, calls back for each key instead (for kt_config_unknown_key). */
static int kt__jfind(const kt_config *c, const char *key, kt__js *s, const char *const *allowed, uint32_t n, kt_str *unknown) {
    s->p = (const uint8_t *)c->ptr;
    s->end = s->p + c->len;
    kt__ws(s);
    if (s->p >= s->end || *s->p++ != '{') return 0;
    kt__ws(s);
    if (s->p < s->end && *s->p == '}') return 0;
    kt_str want = kt_cstr(key);
    for (;;) {
        kt__ws(s);
        kt__js at = *s;
        int64_t len = kt__jstring(s, NULL);
        if (len < 0) return 0;
        uint8_t *name = (uint8_t *)kt_alloc((uint32_t)len + 1); /* config keys are few and short */
        if (!name) return 0;
        kt__jstring(&at, name);
        kt_str got = {(const char *)name, (uint32_t)len};
        kt__ws(s);
        if (s->p >= s->end || *s->p++ != ':') return 0;
        kt__ws(s);
        if (key && kt_str_eq(got, want)) return 1;
        if (!key) {
            int known = 0;
            for (uint32_t k = 0; k < n && !known; k++) known = kt_str_eq(got, kt_cstr(allowed[k]));
            if (!known) {
                *unknown = got;
                return 1;
            }
        }
        if (!kt__jskip(s, 1)) return 0;
        kt__ws(s);
        if (s->p >= s->end || *s->p++ != ',') return 0;
    }
}

int kt_config_int(const kt_config *c, const char *key, int64_t *out) {
    kt__js s;
    int integer;
    if (!kt__jfind(c, key, &s, NULL, 0, NULL)) return KT_ABSENT;
    const uint8_t *start = s.p;
    if (!kt__jnumber(&s, &integer) || !integer) return KT_WRONG_TYPE;
    int neg = *start == '-';
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (const uint8_t *p = start + neg; p < s.p; p++) {
        if (v > (limit - (uint64_t)(*p - '0')) / 10) return KT_WRONG_TYPE; /* does not fit */
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return KT_FOUND;
}
int kt_config_number(const kt_config *c, const char *key, double *out) {
    kt__js s;
    int integer;
    if (!kt__jfind(c, key, &s, NULL, 0, NULL)) return KT_ABSENT;
    const uint8_t *p = s.p;
    if (!kt__jnumber(&s, &integer)) return KT_WRONG_TYPE;
    /* Digits as an integer mantissa and a power of ten: exact when the mantissa has at most 15
     * digits and the power is at most 22 (one correctly rounded operation); close otherwise. */
    int neg = *p == '-';
    p += neg;
    uint64_t mant = 0;
    int exp10 = 0, digits = 0;
    for (; p < s.p && *p >= '0' && *p <= '9'; p++)
        if (digits < 19) mant = mant * 10 + (uint64_t)(*p - '0'), digits += mant != 0;
        else exp10++;
    if (p < s.p && *p == '.')
        for (p++; p < s.p && *p >= '0' && *p <= '9'; p++)
            if (digits < 19) mant = mant * 10 + (uint64_t)(*p - '0'), digits += mant != 0, exp10--;
    if (p < s.p && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = *p == '-', e = 0;
        if (*p == '+' || *p == '-') p++;
        for (; p < s.p; p++)
            if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    double x = (double)mant;
    for (; exp10 > 0 && x != 0 && x - x == 0; exp10--) x *= 10;
    if (exp10 < 0) {
        double d = 1;
        for (; exp10 < 0 && d < 1e300; exp10++) d *= 10;
        x /= d;
        for (; exp10 < 0 && x != 0; exp10++) x /= 10;
    }
    *out = neg ? -x : x;
    return KT_FOUND;
}
int kt_config_bool(const kt_config *c, const char *key, int *out) {
    kt__js s;
    if (!kt__jfind(c, key, &s, NULL, 0, NULL)) return KT_ABSENT;
    if (kt__jword(&s, "true")) return *out = 1, KT_FOUND;
    if (kt__jword(&s, "false")) return *out = 0, KT_FOUND;
    return KT_WRONG_TYPE;
}
/* A string value at s, copied unescaped into fresh memory. */
static int kt__jcopy(kt__js *s, kt_str *out) {
    kt__js at = *s;
    int64_t len = kt__jstring(s, NULL);
    if (len < 0) return 0;
    uint8_t *d = (uint8_t *)kt_alloc((uint32_t)len + 1);
    if (!d) return 0;
    kt__jstring(&at, d);
    out->ptr = (const char *)d;
    out->len = (uint32_t)len;
    return 1;
}
int kt_config_string(const kt_config *c, const char *key, kt_str *out) {
    kt__js s;
    if (!kt__jfind(c, key, &s, NULL, 0, NULL)) return KT_ABSENT;
    if (s.p >= s.end || *s.p != '"') return KT_WRONG_TYPE;
    return kt__jcopy(&s, out) ? KT_FOUND : KT_WRONG_TYPE;
}
int kt_config_strings(const kt_config *c, const char *key, kt_str **items, uint32_t *count) {
    kt__js s;
    if (!kt__jfind(c, key, &s, NULL, 0, NULL)) return KT_ABSENT;
    if (s.p >= s.end || *s.p != '[') return KT_WRONG_TYPE;
    /* Count first (every element must be a string), then copy. */
    kt__js scan = s;
    uint32_t n = 0;
    scan.p++;
    kt__ws(&scan);
    if (scan.p < scan.end && *scan.p == ']') scan.p++;
    else
        for (;;) {
            kt__ws(&scan);
            if (kt__jstring(&scan, NULL) < 0) return KT_WRONG_TYPE;
            n++;
            kt__ws(&scan);
            if (scan.p >= scan.end) return KT_WRONG_TYPE;
            uint8_t ch = *scan.p++;
            if (ch == ']') break;
            if (ch != ',') return KT_WRONG_TYPE;
        }
    kt_str *list = (kt_str *)kt_calloc(n ? n : 1, sizeof(kt_str));
    if (!list) return KT_WRONG_TYPE;
    s.p++;
    for (uint32_t k = 0; k < n; k++) {
        kt__ws(&s);
        if (!kt__jcopy(&s, &list[k])) return KT_WRONG_TYPE;
        kt__ws(&s);
        s.p++; /* the `,` or `]` seen above */
    }
    *items = list;
    *count = n;
    return KT_FOUND;
}
kt_str kt_config_unknown_key(const kt_config *c, const char *const *allowed, uint32_t n) {
    kt__js s;
    kt_str unknown = {NULL, 0};
    if (!kt__jfind(c, NULL, &s, allowed, n, &unknown)) unknown.ptr = NULL, unknown.len = 0;
    return unknown;
}

/* ---- the manifest and the evaluation ---- */
kt_bytes kt_manifest_json(const kt_manifest *m) {
    kt_out o = {0};
    kt__rawc(&o, "{\"name\":");
    kt__string(&o, kt_cstr(m->name));
    kt__rawc(&o, ",\"version\":");
    kt__string(&o, kt_cstr(m->version ? m->version : "0.0.0"));
    kt__rawc(&o, ",\"description\":");
    kt__string(&o, kt_cstr(m->description ? m->description : ""));
    kt__rawc(&o, ",\"rules\":[");
    for (uint32_t k = 0; k < m->rule_count; k++) {
        const kt_rule *r = &m->rules[k];
        kt__rawc(&o, k ? ",{\"id\":" : "{\"id\":");
        kt__string(&o, kt_cstr(r->id));
        kt__rawc(&o, ",\"severity\":");
        kt__string(&o, kt_cstr(r->severity ? r->severity : "info"));
        kt__rawc(&o, ",\"summary\":");
        kt__string(&o, kt_cstr(r->summary ? r->summary : ""));
        kt__rawc(&o, ",\"why\":");
        kt__string(&o, kt_cstr(r->why ? r->why : ""));
        kt__rawc(&o, ",\"fix\":");
        kt__string(&o, kt_cstr(r->fix ? r->fix : ""));
        kt__byte_out(&o, '}');
    }
    kt__rawc(&o, "],\"config_schema\":");
    kt__rawc(&o, m->config_schema ? m->config_schema : "{}");
    if (m->reads) {
        kt__rawc(&o, ",\"reads\":[");
        for (unsigned k = 0, first = 1; k < KT_READ_NAMES; k++) {
            if (!(m->reads >> k & 1)) continue;
            if (!first) kt__byte_out(&o, ',');
            first = 0;
            kt__string(&o, kt_cstr(kt__reads[k].name));
        }
        kt__byte_out(&o, ']');
    }
    kt__byte_out(&o, '}');
    kt_bytes b = {o.buf, o.len};
    return b;
}

kt_bytes kt_handle(const kt_manifest *m, kt_evaluate_fn evaluate, const uint8_t *request, uint32_t len) {
    kt_out o = {0};
    kt_tree t = {0};
    uint64_t missed = 0;
    t.missed = &missed;
    if (len < 8) {
        kt__bad(&o, "shorter than its 8-byte header", NULL);
        return kt__finish(&o);
    }
    uint32_t tree_len = kt__u32(request), config_len = kt__u32(request + 4);
    if (8 + (uint64_t)tree_len + config_len != len) {
        kt__bad(&o, "its lengths do not add up", NULL);
        return kt__finish(&o);
    }
    if (!kt__check_tree(&o, request + 8, tree_len, &t)) return kt__finish(&o);
    /* Only the declared parts, whatever the host sent, so that a rule reading something it did
     * not declare fails the same way with every host. */
    uint64_t allowed = kt__sections_of(m->reads);
    for (unsigned k = 0; k < KT_SECTIONS; k++)
        if (!(allowed >> k & 1)) t.sec[k] = NULL, t.entries[k] = 0;
    kt_config c = {(const char *)request + 8 + tree_len, config_len};
    uint32_t blank = 1;
    for (uint32_t k = 0; k < c.len && blank; k++) blank = c.ptr[k] == ' ' || c.ptr[k] == '\t' || c.ptr[k] == '\n' || c.ptr[k] == '\r';
    if (blank) c.ptr = "{}", c.len = 2;
    if (!kt__config_valid(&c)) {
        kt_error(&o, "configuration: not a JSON object");
        return kt__finish(&o);
    }
    o.tree = &t;
    kt__rawc(&o, "{\"findings\":[");
    int result = evaluate(&t, &c, &o);
    if (missed) {
        unsigned k = 0;
        while (!(missed >> k & 1)) k++;
        for (unsigned r = 0; r < KT_READ_NAMES; r++) {
            if (!(kt__reads[r].sections >> k & 1)) continue;
            kt_error_begin(&o);
            kt_text(&o, "the rule read `");
            kt_text(&o, kt__reads[r].name);
            kt_text(&o, "` (");
            kt_text(&o, kt__reads[r].reads);
            kt_text(&o, "), which the plugin's `reads` does not declare; add \"");
            kt_text(&o, kt__reads[r].name);
            kt_text(&o, "\" to `reads`");
            break;
        }
    } else if (o.misuse) {
        const char *what = o.misuse;
        kt_error_begin(&o);
        kt_text(&o, "kpitree.h used wrongly: ");
        kt_text(&o, what);
    } else if (result != KT_OK && !o.failed) {
        kt_error(&o, "the rule failed without saying why (return kt_error(o, \"...\"))");
    }
    return kt__finish(&o);
}

#if defined(__wasm__)
uint64_t kt__pack(kt_bytes b) { return (uint64_t)(uintptr_t)b.ptr << 32 | b.len; }
uint64_t kt__evaluate_export(const kt_manifest *m, kt_evaluate_fn f, uint32_t ptr, uint32_t len) {
    /* The host wrote the request into memory from kpitree_alloc; refuse a range past the end. */
    uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) << 16;
    if ((uint64_t)ptr + len > have) len = 0; /* answered as a malformed request */
    return kt__pack(kt_handle(m, f, (const uint8_t *)(uintptr_t)ptr, len));
}
#endif

#endif /* KPITREE_IMPLEMENTED */
#endif /* KPITREE_IMPLEMENTATION */
