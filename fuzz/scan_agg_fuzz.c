/*
 * scan_agg_fuzz.c - libFuzzer target for the `squeaky scan` pipeline
 * behind the scanners: the input is detected and scanned (syslog
 * dispatch when nothing is detected), every event goes into a small
 * aggregator (64 sources, so the bound is hit), then every source is
 * read back and half of them pruned.  Checks the aggregator's
 * invariants: attempts > 0, at most SQ_SCAN_AGG_LINES lines of at most
 * SQ_SCAN_AGG_LINE_BYTES, every kept line a prefix of an input line,
 * events conserved (kept + dropped = added).
 */
#include <squeaky/scan.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    const char *data;
    size_t size;
    sq_scan_agg *agg;
    unsigned long added, refused;
};

static int
add(void *p, const sq_scan_event *ev)
{
    struct ctx *c = p;
    sq_scan_hit h;
    unsigned long long off = sq_scan_event_offset(ev);
    sq_status st;

    sq_scan_hit_from_event(ev, c->data + off, sq_scan_event_length(ev), &h);
    st = sq_scan_agg_add(c->agg, &h);
    if (st == SQ_OK)
        c->added++;
    else if (st == SQ_ELIMIT_MEMORY)
        c->refused++;
    else
        abort(); /* a scanner event always has a valid address */
    return 0;
}

static int
keep_half(void *ctx, const sq_scan_src *s)
{
    (void)ctx;
    return sq_scan_src_events(s) % 2 == 0;
}

static void
walk(const struct ctx *c)
{
    unsigned long events = 0;
    char ip[46];

    for (size_t i = 0; i < sq_scan_agg_count(c->agg); i++) {
        const sq_scan_src *s = sq_scan_agg_get(c->agg, i);

        if (sq_scan_src_attempts(s) == 0 || sq_scan_src_ip(s, ip)[0] == '\0' ||
            sq_scan_src_nlines(s) > SQ_SCAN_AGG_LINES ||
            sq_scan_src_nports(s) > SQ_SCAN_AGG_PORTS ||
            sq_scan_src_nusers(s) > SQ_SCAN_AGG_USERS)
            abort();
        for (size_t k = 0; k < sq_scan_src_nlines(s); k++) {
            size_t len = 0;
            const char *l = sq_scan_src_line(c->agg, s, k, &len);

            if (l == NULL || len > SQ_SCAN_AGG_LINE_BYTES)
                abort();
        }
        for (size_t k = 0; k < sq_scan_src_nusers(s); k++)
            if (sq_scan_src_user(c->agg, s, k) == NULL)
                abort();
        (void)sq_scan_src_service(c->agg, s, 0);
        (void)sq_scan_src_dest_ip(c->agg, s);
        (void)sq_scan_src_protocol(c->agg, s);
        events += sq_scan_src_events(s);
    }
    if (events != c->added || sq_scan_agg_dropped(c->agg) != c->refused)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sq_scanner *sc[SQ_SCAN_FORMAT_MAX];
    struct ctx c = {(const char *)data, size, NULL, 0, 0};
    sq_scan_format f = SQ_SCAN_SYSLOG;

    if (sq_scan_detect(c.data, size, &f) != SQ_OK)
        f = SQ_SCAN_SYSLOG;
    if (sc[f] == NULL && sq_scanner_new(f, &sc[f]) != SQ_OK)
        abort();
    if (sq_scan_agg_new(64, &c.agg) != SQ_OK)
        abort();
    sq_scanner_buffer(sc[f], c.data, size, 0, add, &c, NULL);
    walk(&c);
    if (sq_scan_agg_prune(c.agg, keep_half, NULL) != SQ_OK)
        abort();
    for (size_t i = 0; i < sq_scan_agg_count(c.agg); i++)
        if (sq_scan_src_events(sq_scan_agg_get(c.agg, i)) % 2 != 0)
            abort();
    sq_scan_agg_free(c.agg);
    return 0;
}
