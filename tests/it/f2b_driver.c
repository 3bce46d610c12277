/*
 * f2b_driver.c - a small program over libsqueaky's fail2ban filter API
 * for the shell tests and the benchmark (no CLI code):
 *
 *   f2b_driver [-c CONFDIR] [-n NOW] [-q] SPEC FILE   matches, one a line:
 *       "<host> <time>"  (as fail2ban-regex -o '<ip> <time>'), or with
 *       -q only the counts; names (<DNS>) are printed as "name:<host>"
 *   f2b_driver [-c CONFDIR] -x SPEC                   the expanded regexes
 *
 * Exit 0, or 2 when the filter does not load (the error on stderr).
 */
#include <squeaky/f2b.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
usage(void)
{
    fprintf(stderr, "usage: f2b_driver [-c DIR] [-n NOW] [-q] SPEC FILE | "
                    "[-c DIR] -x SPEC\n");
    return 2;
}

static void
dump(const sq_f2b_filter *f)
{
    const char *p = sq_f2b_filter_prefregex(f);

    if (p != NULL)
        printf("prefregex: %s\n", p);
    for (size_t i = 0; i < sq_f2b_filter_failregex_count(f); i++)
        printf("failregex %zu: %s\n", i, sq_f2b_filter_failregex(f, i));
    for (size_t i = 0; i < sq_f2b_filter_ignoreregex_count(f); i++)
        printf("ignoreregex %zu: %s\n", i, sq_f2b_filter_ignoreregex(f, i));
    for (size_t i = 0; i < sq_f2b_filter_note_count(f); i++)
        printf("note: %s\n", sq_f2b_filter_note(f, i));
}

static int
scan(const sq_f2b_filter *f, const char *path, long long now, int quiet)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    sq_f2b_matcher *m = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lines = 0, matched = 0, ignored = 0, errors = 0;

    if (in == NULL || sq_f2b_matcher_new(f, now, 0, &m) != SQ_OK) {
        fprintf(stderr, "f2b_driver: cannot open %s\n", path);
        return 1;
    }
    while ((n = getline(&line, &cap, in)) >= 0) {
        sq_f2b_result r;
        sq_status st;

        /* like fail2ban, an unterminated last line is not read yet */
        if (line[n - 1] != '\n')
            break;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        lines++;
        st = sq_f2b_match(m, line, (size_t)n, &r);
        if (st != SQ_OK) {
            errors++;
            fprintf(stderr, "%s:%lu: %s\n", path, lines,
                    sq_f2b_matcher_error(m));
            continue;
        }
        if (r == SQ_F2B_IGNORED)
            ignored++;
        if (r != SQ_F2B_MATCH)
            continue;
        matched++;
        if (!quiet)
            /* fail2ban prints zoned times as integers, others as floats */
            printf("%s%s %lld%s\n", sq_f2b_match_host_is_name(m) ? "name:" : "",
                   sq_f2b_match_host(m), sq_f2b_match_time(m),
                   sq_f2b_match_zone(m, NULL) ? "" : ".0");
    }
    if (quiet)
        printf("lines=%lu matched=%lu ignored=%lu errors=%lu\n", lines, matched,
               ignored, errors);
    free(line);
    sq_f2b_matcher_free(m);
    if (in != stdin)
        fclose(in);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *dir = NULL;
    long long now = (long long)time(NULL);
    int quiet = 0, expand = 0, i = 1, rc;
    sq_f2b_filter *f = NULL;
    sq_diag *d = sq_diag_new();

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            now = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "-x") == 0)
            expand = 1;
        else
            return usage();
    }
    if (i + (expand ? 1 : 2) != argc)
        return usage();
    if (sq_f2b_filter_load(dir, argv[i], &f, d) != SQ_OK) {
        for (size_t k = 0; k < sq_diag_count(d); k++)
            fprintf(stderr, "f2b_driver: %s\n", sq_diag_message(d, k));
        sq_diag_free(d);
        return 2;
    }
    if (expand) {
        dump(f);
        rc = 0;
    } else {
        rc = scan(f, argv[i + 1], now, quiet);
    }
    sq_f2b_filter_free(f);
    sq_diag_free(d);
    return rc;
}
