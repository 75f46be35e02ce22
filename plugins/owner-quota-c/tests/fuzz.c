/* Native robustness test of kpitree.h with the owner-quota rule, under AddressSanitizer and
 * UndefinedBehaviorSanitizer: real requests (captured from the host by tests/dump.c), every
 * truncation of them, seeded random corruptions and hostile configurations must each give a
 * findings or an error response, never a crash, an out-of-bounds read or undefined behaviour.
 *
 * Usage: fuzz REQUEST.bin...   (KT_FUZZ_ITERATIONS: corruptions per request, default 20000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpitree.h"

kt_bytes kpitree_native_manifest(void);
kt_bytes kpitree_native_evaluate(const uint8_t *request, uint32_t len);

static unsigned long runs, findings, errors;

/* One evaluation on a fresh instance, the request in a buffer of exactly its size so that the
 * sanitizer sees any read past it. Returns 1 for findings, 0 for an error response. */
static int run(const uint8_t *req, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) abort();
    memcpy(copy, req, len);
    kt_native_reset();
    kt_bytes r = kpitree_native_evaluate(copy, (uint32_t)len);
    free(copy);
    runs++;
    if (r.len >= 13 && memcmp(r.ptr, "{\"findings\":[", 13) == 0 && r.ptr[r.len - 1] == '}') return findings++, 1;
    if (r.len >= 21 && memcmp(r.ptr, "{\"error\":{\"message\":\"", 21) == 0 && r.ptr[r.len - 1] == '}') return errors++, 0;
    fprintf(stderr, "not a response: %.*s\n", (int)(r.len > 200 ? 200 : r.len), (const char *)r.ptr);
    exit(1);
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { /* xorshift64: seeded, so every run tries the same corruptions */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24); }

/* The request with its tree cut to `cut` bytes and `config` as its configuration. */
static size_t rebuild(uint8_t *out, const uint8_t *tree, uint32_t cut, const char *config, uint32_t clen) {
    put32(out, cut);
    put32(out + 4, clen);
    memcpy(out + 8, tree, cut);
    memcpy(out + 8 + cut, config, clen);
    return 8 + (size_t)cut + clen;
}

int main(int argc, char **argv) {
    long iterations = getenv("KT_FUZZ_ITERATIONS") ? atol(getenv("KT_FUZZ_ITERATIONS")) : 20000;
    kt_native_reset();
    kt_bytes m = kpitree_native_manifest();
    if (m.len == 0 || m.ptr[0] != '{') return fprintf(stderr, "no manifest\n"), 1;
    for (int a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        if (!f) return perror(argv[a]), 1;
        static uint8_t req[1 << 24];
        size_t len = fread(req, 1, sizeof req, f);
        fclose(f);
        if (len < 8 || 8 + (size_t)get32(req) + get32(req + 4) != len) return fprintf(stderr, "%s: not a request\n", argv[a]), 1;
        if (!run(req, len)) return fprintf(stderr, "%s: the real request failed\n", argv[a]), 1;
        const uint8_t *tree = req + 8;
        uint32_t tlen = get32(req), clen = get32(req + 4);
        const char *config = (const char *)req + 8 + tlen;
        uint8_t *buf = malloc(len + 4096);
        if (!buf) return 1;

        /* Every truncation: of the request as bytes, and of the tree with consistent lengths. */
        for (size_t k = 0; k < len; k++) run(req, k);
        for (uint32_t cut = 0; cut < tlen; cut++)
            if (run(buf, rebuild(buf, tree, cut, config, clen))) return fprintf(stderr, "%s: tree cut to %u accepted\n", argv[a], cut), 1;

        /* Corruptions: bytes flipped, and 32-bit words set to values that stress the bounds. */
        uint32_t n = get32(tree + 4);
        const uint32_t words[] = {0, 1, 7, 8, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, n, n + 1, tlen, tlen - 8, 0xFFFFFFF8u};
        for (long it = 0; it < iterations; it++) {
            memcpy(buf, req, len);
            int edits = 1 + (int)(rnd() % 4);
            for (int e = 0; e < edits; e++) {
                /* Half the edits land in the header and directory, where a bad value does most harm. */
                size_t span = rnd() % 2 ? 8 + 28 + 4 * 43 : len;
                size_t at = 8 + rnd() % (span - 8 < len - 8 ? span - 8 : len - 8);
                if (rnd() % 2 && at + 4 <= len) put32(buf + (at & ~(size_t)3), words[rnd() % (sizeof words / sizeof *words)]);
                else buf[at] ^= (uint8_t)(1u << (rnd() % 8));
            }
            run(buf, len);
        }

        /* Hostile configurations with the real tree. */
        static char deep[3000];
        memset(deep, '[', sizeof deep - 1);
        const char *configs[] = {
            "", " ", "{}", "[]", "null", "{", "}", "{\"max\"", "{\"max\":", "{\"max\":}", "{\"max\":3", "{\"max\":3,}",
            "{\"max\":\"\\u\"}", "{\"max\":\"\\ud800\"}", "{\"max\":\"\\udc00\\u0041\"}", "{\"m\\u0061x\":3}",
            "{\"max\":-}", "{\"max\":1e}", "{\"max\":1.}", "{\"max\":01}", "{\"max\":99999999999999999999999}",
            "{\"max\":-9223372036854775808}", "{\"max\":9223372036854775808}", "{\"max\":1e999}", "{\"max\":[1,2]}",
            "{\"max\":{\"max\":3}}", "{\"other\":{\"max\":1},\"max\":2}", "{\"max\":\"\xff\"}", "{\"max\":3}\x01",
            "{\"a\":\"unterminated}", deep, "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]",
        };
        for (size_t k = 0; k < sizeof configs / sizeof *configs; k++) {
            uint32_t cl = (uint32_t)strlen(configs[k]);
            uint8_t *big = malloc(8 + (size_t)tlen + cl);
            if (!big) return 1;
            run(big, rebuild(big, tree, tlen, configs[k], cl));
            free(big);
        }
        free(buf);
    }
    printf("fuzz: %lu evaluations (%lu findings, %lu errors), no crash, no sanitizer report\n", runs, findings, errors);
    return 0;
}
