/*
 * f2b_match_fuzz.c - libFuzzer target for matching: every input line
 * through fail2ban's sshd filter in aggressive mode (date detection,
 * prefregex, failregexes, the mlfid cache), loaded once from
 * /etc/fail2ban; without it, through a small built-in filter of the
 * same shape.
 */
#include <squeaky/f2b.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static sq_f2b_filter *flt;

static const char builtin[] =
    "[Definition]\n"
    "prefregex = ^<F-MLFID>\\s*\\S+ sshd\\[\\d+\\]: </F-MLFID>"
    "<F-CONTENT>.+</F-CONTENT>$\n"
    "failregex = ^Failed \\S+ for (?:invalid user )?<F-USER>\\S+</F-USER> "
    "from <HOST>\n"
    "            ^<F-NOFAIL>Connection from</F-NOFAIL> <HOST>\n"
    "            ^<F-MLFFORGET>Connection closed</F-MLFFORGET>\n";

static int
rd(void *ctx, const char *name, const char **data, size_t *len)
{
    (void)ctx;
    if (strcmp(name, "filter.d/b.conf") != 0)
        return 0;
    *data = builtin;
    *len = sizeof(builtin) - 1;
    return 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sq_f2b_filter_load(NULL, "sshd[mode=aggressive]", &flt, NULL) != SQ_OK)
        (void)sq_f2b_filter_load_mem("b", rd, NULL, &flt, NULL);
    if (flt == NULL)
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    sq_f2b_matcher *m = NULL;
    size_t start = 0;

    if (sq_f2b_matcher_new(flt, 1768046400LL, 3600, &m) != SQ_OK)
        return 0;
    for (size_t i = 0; i <= size; i++) {
        sq_f2b_result r;

        if (i < size && s[i] != '\n')
            continue;
        if (sq_f2b_match(m, s + start, i - start, &r) == SQ_OK &&
            r == SQ_F2B_MATCH) {
            const char *h = sq_f2b_match_host(m);

            if (h == NULL || h[0] == '\0' || sq_f2b_match_time(m) == -1)
                abort(); /* a failure always has a host and a time */
        }
        start = i + 1;
    }
    sq_f2b_matcher_free(m);
    return 0;
}
