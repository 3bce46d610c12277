/*
 * f2b_conf_fuzz.c - libFuzzer target for the fail2ban filter loader
 * (INI parser, includes, %(x)s and <tag> expansion, regex translation
 * and compilation) with no file system: the input is split at NUL bytes
 * into filter.d/f.conf, filter.d/inc.conf and filter.d/f.local, served
 * from memory; other names do not exist.  A filter that loads then
 * matches a few lines.
 */
#include <squeaky/f2b.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct part {
    const char *p;
    size_t n;
} part;

static const char *const names[] = {"filter.d/f.conf", "filter.d/inc.conf",
                                    "filter.d/f.local"};

static int
rd(void *ctx, const char *name, const char **data, size_t *len)
{
    const part *parts = ctx;

    for (size_t i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0 && parts[i].p != NULL) {
            *data = parts[i].p;
            *len = parts[i].n;
            return 1;
        }
    return 0;
}

static void
exercise(const sq_f2b_filter *f)
{
    static const char *const lines[] = {
        ("Jan 10 10:00:01 host sshd[1]: Failed password for root from "
         "192.0.2.1 port 22 ssh2"),
        "2026-01-10 10:00:00 [1] x 198.51.100.2 user=bob",
        "[Sat Jan 10 14:00:00 2026] [error] [client 2001:db8::1] x",
        "no date here 203.0.113.9"};
    sq_f2b_matcher *m = NULL;

    if (sq_f2b_matcher_new(f, 1768046400LL, 0, &m) != SQ_OK)
        return;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        sq_f2b_result r;

        if (sq_f2b_match(m, lines[i], strlen(lines[i]), &r) == SQ_OK &&
            r == SQ_F2B_MATCH && sq_f2b_match_host(m) == NULL)
            abort();
    }
    sq_f2b_matcher_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    part parts[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    const char *s = (const char *)data;
    size_t k = 0, start = 0;
    sq_f2b_filter *f = NULL;
    sq_diag *d = sq_diag_new();

    for (size_t i = 0; i <= size && k < 3; i++)
        if (i == size || s[i] == '\0') {
            parts[k].p = s + start;
            parts[k].n = i - start;
            k++;
            start = i + 1;
        }
    if (sq_f2b_filter_load_mem(size % 2 ? "f[mode=aggressive]" : "f", rd, parts,
                               &f, d) == SQ_OK) {
        exercise(f);
        sq_f2b_filter_free(f);
    } else if (sq_diag_count(d) == 0) {
        abort(); /* every refusal says why */
    }
    sq_diag_free(d);
    return 0;
}
