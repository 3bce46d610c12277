/*
 * scan_bench_test.c - throughput of the built-in sshd scanner on a
 * generated auth.log (bench/gen-logs.py), printed, never asserted.
 *
 *   python3 bench/gen-logs.py --lines 1000000 -o /tmp/auth.log
 *   SQ_SCAN_BENCH_FILE=/tmp/auth.log build/.../tests/scan_bench_test
 *
 * SQ_SCAN_BENCH_FORMAT=netfilter (or any format name) times another
 * scanner.  Without SQ_SCAN_BENCH_FILE the test skips (77).  It checks only
 * that events came out with an address for every "Failed password" line (the
 * generator's own count is printed on its stderr).
 */
#include "sqtest.h"

#include <squeaky/scan.h>

#include <time.h>

void *memrchr(const void *s, int c, size_t n);

typedef struct tally {
    size_t events, failed, helpers, bypid;
} tally;

static int
count(void *ctx, const sq_scan_event *ev)
{
    tally *t = ctx;

    t->events++;
    t->helpers += (sq_scan_event_flags(ev) & SQ_SCAN_EV_HELPER) != 0;
    t->bypid += (sq_scan_event_flags(ev) & SQ_SCAN_EV_PID) != 0;
    return 0;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read the file in 1 MiB pieces through one reused buffer, scanning the
 * whole lines of each piece (what a CLI does; grep reads the same way).
 * Returns the lines read; *secs the wall time. */
static size_t
stream_scan(const char *path, sq_scanner *s, tally *t, double *secs)
{
    enum { CHUNK = 1 << 20 };
    char *buf = malloc(CHUNK);
    size_t have = 0, lines = 0;
    unsigned long long base = 0;
    double t0 = now();
    FILE *f = fopen(path, "rb");

    while (f != NULL && buf != NULL) {
        size_t got = fread(buf + have, 1, CHUNK - have, f), whole;
        const char *nl;

        have += got;
        if (have == 0)
            break;
        nl = got == 0 ? buf + have - 1 : memrchr(buf, '\n', have);
        whole = nl ? (size_t)(nl - buf) + 1 : have; /* no newline: drop */
        lines += sq_scanner_buffer(s, buf, whole, base, count, t, NULL);
        base += whole;
        memmove(buf, buf + whole, have - whole);
        have -= whole;
        if (got == 0)
            break;
    }
    *secs = now() - t0;
    if (f != NULL)
        fclose(f);
    free(buf);
    return lines;
}

int
main(void)
{
    const char *path = getenv("SQ_SCAN_BENCH_FILE");
    size_t len, lines = 0, grep = 0;
    char *buf;
    sq_scanner *s = NULL;
    tally t = {0};
    double t0, best = 1e9, cold = now(), first = 0;
    sq_scan_format fmt = SQ_SCAN_SSHD;

    if (path == NULL || (buf = sqtest_slurp(path, &len)) == NULL) {
        printf("scan_bench_test: SQ_SCAN_BENCH_FILE not set, skipped\n");
        return SQTEST_SKIP;
    }
    if (getenv("SQ_SCAN_BENCH_FORMAT") != NULL &&
        sq_scan_format_parse(getenv("SQ_SCAN_BENCH_FORMAT"), &fmt) != SQ_OK)
        fmt = SQ_SCAN_SSHD;
    SQ_CHECK(sq_scanner_new(fmt, &s) == SQ_OK, "new");
    for (int run = 0; s != NULL && run < 3; run++) {
        memset(&t, 0, sizeof(t));
        t0 = now();
        lines = sq_scanner_buffer(s, buf, len, 0, count, &t, NULL);
        if (run == 0)
            first = now() - cold; /* read + scan, as grep -c does */
        t0 = now() - t0;
        best = t0 < best ? t0 : best;
    }
    for (const char *p = buf; (p = strstr(p, "Failed password")) != NULL; p++)
        grep++;
    printf("scan_bench_test: read + first scan %.3f s\n", first);
    for (int run = 0; s != NULL && run < 3; run++) {
        tally st = {0};
        double secs;
        size_t sl = stream_scan(path, s, &st, &secs);

        printf("scan_bench_test: streamed in 1 MiB pieces: %zu lines, %zu "
               "events, %.3f s, %.0f lines/s\n",
               sl, st.events, secs, sl / secs);
        SQ_CHECK(sl == lines && st.events == t.events,
                 "streamed %zu lines %zu events", sl, st.events);
    }
    printf("scan_bench_test: %zu lines, %zu bytes, best of 3: %.3f s, "
           "%.0f lines/s, %.0f MB/s; %zu events (%zu PAM helpers, %zu by "
           "pid); %zu 'Failed password' lines\n",
           lines, len, best, lines / best, len / best / 1e6, t.events,
           t.helpers, t.bypid, grep);
    SQ_CHECK(fmt != SQ_SCAN_SSHD || t.events >= grep,
             "%zu events < %zu Failed password lines", t.events, grep);
    sq_scanner_free(s);
    free(buf);
    return sqtest_finish("scan_bench_test");
}
