/*
 * budget.c - how many queries squeaky may send each registry: one token
 * bucket per wt_registry, plus "blocked until" when a registry said 429
 * or "you are blocked".
 *
 * Spec: entries "registry=queries/seconds" separated by blanks or commas,
 * e.g. "lacnic=10/60 ripencc=100/60 *=30/60".  A bucket holds at most
 * `queries` tokens (the burst) and refills at queries/seconds per second
 * on the monotonic clock.  "*" applies to every registry not named
 * (WT_UNKNOWN included); without "*" the others are not limited.  An
 * empty or NULL spec limits nothing.  Limits: queries 1..1,000,000,
 * seconds 1..604,800; each registry at most once.
 *
 * Waiting: wb_take reserves its token under the lock (the count may go
 * negative: later callers then wait behind it) and sleeps outside it, so
 * threads are served in order and never sleep holding the mutex.
 *
 * Blocks: wb_backoff records now + secs (wall clock, epoch seconds) in
 * memory and, when there is a store, in whois_registry_state, keeping
 * the later time; wb_new reads the rows still in the future, so a second
 * run stays away too.  secs <= 0 means WB_DEFAULT_BACKOFF, and at most
 * WB_MAX_BACKOFF is kept.
 *
 * Ownership: wb_budgets borrows the store, which must outlive it.
 */
#include "whois/whois_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    WB_MAX_QUERIES = 1000000,
    WB_MAX_SECONDS = 7 * 86400,
    WB_DEFAULT_BACKOFF = 60,
    WB_MAX_BACKOFF = 30 * 86400,
    WB_DEFAULT = WT_REGISTRY_COUNT /* index of the "*" entry while parsing */
};

typedef struct wb_bucket {
    int limited;
    double cap;    /* burst, tokens */
    double rate;   /* tokens per second */
    double tokens; /* may be negative: reserved by sleepers */
    long long last_ns;
    long long blocked_until; /* epoch seconds, 0 when not blocked */
} wb_bucket;

struct wb_budgets {
    pthread_mutex_t mu;
    sq_store *store;
    wb_bucket b[WT_REGISTRY_COUNT];
};

static long long
wb_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the spec ---- */

/* Decimal [p, e) into *v (1..max); 0 when not a number in range. */
static int
wb_number(const char *p, const char *e, long max, long *v)
{
    long n = 0;

    if (p == e)
        return 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        n = n * 10 + (*p - '0');
        if (n > max)
            return 0;
    }
    *v = n;
    return n >= 1;
}

static int
wb_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

/* One "name=N/S" entry [p, e) into set[] (index WB_DEFAULT for "*"). */
static sq_status
wb_entry(const char *p, const char *e, wb_bucket set[WB_DEFAULT + 1],
         sq_diag *d)
{
    const char *eq = memchr(p, '=', (size_t)(e - p)), *slash;
    char show[SQ_SHOW_MAX + 4];
    long q, secs;
    size_t idx;

    sq_str_show(p, (size_t)(e - p), show);
    slash = eq ? memchr(eq, '/', (size_t)(e - eq)) : NULL;
    if (eq == NULL || slash == NULL ||
        !wb_number(eq + 1, slash, WB_MAX_QUERIES, &q) ||
        !wb_number(slash + 1, e, WB_MAX_SECONDS, &secs)) {
        sq_diag_addf(d, NULL, 0,
                     "whois budgets: bad entry '%s' (want registry=queries/"
                     "seconds, e.g. ripencc=100/60)",
                     show);
        return SQ_ECONFIG;
    }
    if (eq - p == 1 && *p == '*') {
        idx = WB_DEFAULT;
    } else {
        idx = wt_registry_from_name(p, (size_t)(eq - p));
        if (idx == WT_UNKNOWN) {
            sq_diag_addf(d, NULL, 0, "whois budgets: unknown registry in '%s'",
                         show);
            return SQ_ECONFIG;
        }
    }
    if (set[idx].limited) {
        sq_diag_addf(d, NULL, 0, "whois budgets: '%s' given twice", show);
        return SQ_ECONFIG;
    }
    set[idx].limited = 1;
    set[idx].cap = set[idx].tokens = (double)q;
    set[idx].rate = (double)q / (double)secs;
    return SQ_OK;
}

static sq_status
wb_parse(const char *spec, wb_bucket out[WT_REGISTRY_COUNT], sq_diag *d)
{
    wb_bucket set[WB_DEFAULT + 1];
    const char *p = spec, *end = spec ? spec + strlen(spec) : NULL;

    memset(set, 0, sizeof(set));
    while (p != NULL && p < end) {
        const char *e;
        sq_status st;

        while (p < end && wb_sep(*p))
            p++;
        for (e = p; e < end && !wb_sep(*e); e++)
            ;
        if (e > p && (st = wb_entry(p, e, set, d)) != SQ_OK)
            return st;
        p = e;
    }
    for (size_t r = 0; r < WT_REGISTRY_COUNT; r++)
        out[r] = set[r].limited ? set[r] : set[WB_DEFAULT];
    return SQ_OK;
}

/* ---- blocks kept in the store ---- */

static int
wb_state_row(void *arg, const sq_value *cols, size_t ncols)
{
    wb_budgets *b = arg;
    wt_registry r;

    if (ncols != 2 || cols[0].type != SQ_VAL_TEXT || cols[1].type != SQ_VAL_INT)
        return 0;
    r = wt_registry_from_name(cols[0].s, cols[0].len);
    if (cols[1].i > b->b[r].blocked_until)
        b->b[r].blocked_until = cols[1].i;
    return 0;
}

static sq_status
wb_load_state(wb_budgets *b, sq_diag *d)
{
    sq_value p[1] = {SQ_VINT((long long)time(NULL))};
    sq_status st = wc_migrate(b->store, d);

    if (st != SQ_OK)
        return st;
    return sq_store_exec(b->store,
                         "SELECT registry, blocked_until FROM "
                         "whois_registry_state WHERE blocked_until > $1",
                         p, 1, wb_state_row, b, d);
}

sq_status
wb_new(const char *spec, sq_store *s, wb_budgets **out, sq_diag *d)
{
    wb_budgets *b;
    long long now = wb_mono_ns();
    sq_status st;

    if (out == NULL)
        return SQ_EINVAL;
    if ((b = calloc(1, sizeof(*b))) == NULL)
        return SQ_ENOMEM;
    if ((st = wb_parse(spec, b->b, d)) != SQ_OK) {
        free(b);
        return st;
    }
    for (size_t r = 0; r < WT_REGISTRY_COUNT; r++)
        b->b[r].last_ns = now;
    b->store = s;
    if (s != NULL && (st = wb_load_state(b, d)) != SQ_OK) {
        free(b);
        return st;
    }
    if (pthread_mutex_init(&b->mu, NULL) != 0) {
        free(b);
        return SQ_ENOMEM;
    }
    *out = b;
    return SQ_OK;
}

void
wb_free(wb_budgets *b)
{
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* ---- taking tokens ---- */

static void
wb_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void
wb_refill(wb_bucket *bk, long long now_ns)
{
    double add = (double)(now_ns - bk->last_ns) / 1e9 * bk->rate;

    bk->last_ns = now_ns;
    if (add > 0)
        bk->tokens = bk->tokens + add > bk->cap ? bk->cap : bk->tokens + add;
}

sq_status
wb_take(wb_budgets *b, wt_registry r, long max_wait_ms, int *waited)
{
    wb_bucket *bk;
    long wait_ms = 0;
    sq_status st = SQ_OK;

    if (waited != NULL)
        *waited = 0;
    if (b == NULL)
        return SQ_OK;
    if ((unsigned)r >= WT_REGISTRY_COUNT)
        r = WT_UNKNOWN;
    bk = &b->b[r];
    pthread_mutex_lock(&b->mu);
    if (bk->blocked_until > (long long)time(NULL)) {
        st = SQ_EBLOCKED;
    } else if (bk->limited) {
        wb_refill(bk, wb_mono_ns());
        if (bk->tokens < 1.0) {
            double need = (1.0 - bk->tokens) / bk->rate * 1000.0;

            if (need > (double)(max_wait_ms > 0 ? max_wait_ms : 0))
                st = SQ_ERATELIMIT;
            else
                wait_ms = (long)need + 1;
        }
        if (st == SQ_OK)
            bk->tokens -= 1.0;
    }
    pthread_mutex_unlock(&b->mu);
    if (wait_ms > 0) {
        wb_sleep_ms(wait_ms);
        if (waited != NULL)
            *waited = 1;
    }
    return st;
}

void
wb_backoff(wb_budgets *b, wt_registry r, long secs)
{
    long long until;
    sq_value p[2];

    if (b == NULL)
        return;
    if ((unsigned)r >= WT_REGISTRY_COUNT)
        r = WT_UNKNOWN;
    if (secs <= 0)
        secs = WB_DEFAULT_BACKOFF;
    if (secs > WB_MAX_BACKOFF)
        secs = WB_MAX_BACKOFF;
    until = (long long)time(NULL) + secs;
    pthread_mutex_lock(&b->mu);
    if (until > b->b[r].blocked_until)
        b->b[r].blocked_until = until;
    pthread_mutex_unlock(&b->mu);
    if (b->store == NULL)
        return;
    p[0] = SQ_VTEXT(wt_registry_name(r));
    p[1] = SQ_VINT(until);
    /* Best effort: the block still holds in memory if this fails. */
    (void)sq_store_exec(
        b->store,
        "INSERT INTO whois_registry_state(registry, blocked_until)"
        " VALUES($1, $2) ON CONFLICT(registry) DO UPDATE SET blocked_until ="
        " CASE WHEN excluded.blocked_until >"
        " whois_registry_state.blocked_until THEN excluded.blocked_until"
        " ELSE whois_registry_state.blocked_until END",
        p, 2, NULL, NULL, NULL);
}
