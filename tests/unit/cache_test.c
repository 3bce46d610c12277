/*
 * cache_test.c - the whois cache (cache.c) and registry budgets
 * (budget.c) on an in-memory store.
 *
 * 1. Covering-range lookups with nested ranges, IPv4 and IPv6, families
 *    kept apart, expiry, negative entries, upserts, keys, purging.
 * 2. The property the cache exists for: 10,000 random addresses drawn
 *    from 300 random disjoint prefixes, each looked up and, on a miss,
 *    stored under its prefix, miss exactly 300 times, and every hit
 *    returns the answer of the prefix the address came from.
 * 3. Budgets: spec errors, burst, refill wait, SQ_ERATELIMIT, "*",
 *    unlimited registries, blocks kept in the store across wb_new, and
 *    four threads sharing one bucket.
 *
 * With SQ_TEST_STORE set to another store URI (tests/it/store_pg.sh sets
 * a PostgreSQL one), every store is that one, whois tables dropped first.
 */
#include "sqtest.h"
#include "whois/whois_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sq_ipaddr
ip(const char *s)
{
    sq_ipaddr a;

    memset(&a, 0, sizeof(a));
    if (!sq_ipaddr_parse(s, strlen(s), &a))
        fprintf(stderr, "bad test address %s\n", s);
    return a;
}

/* Bounds of net/plen, plen on the family's width. */
static void
bounds(const sq_ipaddr *net, unsigned plen, sq_ipaddr *lo, sq_ipaddr *hi)
{
    unsigned bits = plen + (net->v4 ? 96 : 0);

    *lo = *hi = *net;
    for (unsigned i = bits; i < 128; i++) {
        lo->b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
        hi->b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    }
}

static sq_status
put_cidr(sq_store *s, const char *addr, unsigned plen, const char *json,
         long long now, long long expires)
{
    sq_ipaddr net = ip(addr), lo, hi;

    bounds(&net, plen, &lo, &hi);
    return wc_put_range(s, &lo, &hi, json, now, expires, NULL);
}

/* The cached JSON for addr at now, "MISS" or "NEG". */
static const char *
get(sq_store *s, const char *addr, long long now, char *buf, size_t len)
{
    sq_ipaddr a = ip(addr);
    char *json = NULL;
    sq_status st = wc_get_ip(s, &a, now, &json, NULL);

    if (st == SQ_ENOTFOUND)
        snprintf(buf, len, "MISS");
    else if (st != SQ_OK)
        snprintf(buf, len, "ERR %d", (int)st);
    else
        snprintf(buf, len, "%s", json ? json : "NEG");
    free(json);
    return buf;
}

static int
first_int(void *arg, const sq_value *cols, size_t ncols)
{
    long long *out = arg;

    *out = ncols > 0 && cols[0].type == SQ_VAL_INT ? cols[0].i : -1;
    return 1;
}

static long long
rows(sq_store *s, const char *table)
{
    char sql[128];
    long long n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    sq_store_exec(s, sql, NULL, 0, first_int, &n, NULL);
    return n;
}

static const char *test_uri = ":memory:"; /* or $SQ_TEST_STORE */

/* A store without whois tables. */
static sq_store *
bare_store(sq_diag *d)
{
    static const char *const drop[] = {
        "DROP TABLE IF EXISTS whois_cache_range",
        "DROP TABLE IF EXISTS whois_cache_key",
        "DROP TABLE IF EXISTS whois_registry_state",
        "DROP TABLE IF EXISTS sq_schema",
    };
    sq_store *s = NULL;

    SQ_CHECK(sq_store_open(test_uri, d, &s) == SQ_OK, "open");
    for (size_t i = 0; s != NULL && i < 4; i++)
        SQ_CHECK(sq_store_exec(s, drop[i], NULL, 0, NULL, NULL, d) == SQ_OK,
                 "%s", drop[i]);
    return s;
}

static sq_store *
new_store(void)
{
    sq_diag *d = sq_diag_new();
    sq_store *s = bare_store(d);

    SQ_CHECK(s != NULL && wc_migrate(s, d) == SQ_OK, "migrate");
    SQ_CHECK(s != NULL && wc_migrate(s, d) == SQ_OK, "migrate twice");
    sq_diag_free(d);
    return s;
}

/* ---- covering ranges ---- */

static const struct {
    const char *addr, *want;
} nested_cases[] = {
    {"10.1.2.3", "R0-127"},    {"10.1.2.200", "A24"},
    {"10.1.2.100", "R0-127"},  {"10.1.3.1", "A16"},
    {"10.200.0.1", "A8"},      {"10.0.0.0", "A8"},
    {"10.255.255.255", "A8"},  {"11.0.0.1", "MISS"},
    {"9.255.255.255", "MISS"}, {"2001:db8:1:2::5", "B64"},
    {"2001:db8:1:3::", "B48"}, {"2001:db8:ffff::1", "B32"},
    {"2001:db9::1", "ALL6"},   {"::ffff:10.1.2.3", "R0-127"},
};

static void
test_nested(void)
{
    sq_store *s = new_store();
    long long now = 1000000, exp = now + 3600;
    sq_ipaddr lo = ip("10.1.2.0"), hi = ip("10.1.2.127");
    char buf[64];

    if (s == NULL)
        return;
    SQ_CHECK(put_cidr(s, "10.0.0.0", 8, "A8", now, exp) == SQ_OK, "put /8");
    SQ_CHECK(put_cidr(s, "10.1.2.0", 24, "A24", now, exp) == SQ_OK, "put /24");
    SQ_CHECK(put_cidr(s, "10.1.0.0", 16, "A16", now, exp) == SQ_OK, "put /16");
    /* not a CIDR: same lo as the /24, smaller hi, so more specific */
    SQ_CHECK(wc_put_range(s, &lo, &hi, "R0-127", now, exp, NULL) == SQ_OK,
             "put range");
    put_cidr(s, "2001:db8::", 32, "B32", now, exp);
    put_cidr(s, "2001:db8:1:2::", 64, "B64", now, exp);
    put_cidr(s, "2001:db8:1::", 48, "B48", now, exp);
    /* ::/0 covers ::ffff:11.0.0.1 numerically, but it is family 6 */
    put_cidr(s, "::", 0, "ALL6", now, exp);
    for (size_t i = 0; i < sizeof(nested_cases) / sizeof(nested_cases[0]); i++)
        SQ_CHECK_STR(get(s, nested_cases[i].addr, now, buf, sizeof(buf)),
                     nested_cases[i].want, "lookup %s", nested_cases[i].addr);

    /* the /24 expires: its addresses fall back to the /16 */
    put_cidr(s, "10.1.2.0", 24, "A24", now, now + 10);
    SQ_CHECK_STR(get(s, "10.1.2.200", now + 9, buf, sizeof(buf)), "A24",
                 "live before expiry");
    SQ_CHECK_STR(get(s, "10.1.2.200", now + 10, buf, sizeof(buf)), "A16",
                 "expired at expires, parent answers");
    SQ_CHECK_STR(get(s, "10.9.9.9", exp, buf, sizeof(buf)), "MISS",
                 "everything expired");

    /* negative entry and upsert */
    SQ_CHECK(put_cidr(s, "192.0.2.0", 24, NULL, now, exp) == SQ_OK,
             "put negative");
    SQ_CHECK_STR(get(s, "192.0.2.9", now, buf, sizeof(buf)), "NEG",
                 "negative entry");
    put_cidr(s, "192.0.2.0", 24, "FOUND", now, exp);
    SQ_CHECK_STR(get(s, "192.0.2.9", now, buf, sizeof(buf)), "FOUND",
                 "upsert replaces");
    SQ_CHECK(rows(s, "whois_cache_range") == 9, "one row per range, got %lld",
             rows(s, "whois_cache_range"));

    /* bad ranges */
    SQ_CHECK(wc_put_range(s, &hi, &lo, "x", now, exp, NULL) == SQ_EINVAL,
             "lo > hi");
    lo = ip("2001:db8::");
    SQ_CHECK(wc_put_range(s, &lo, &hi, "x", now, exp, NULL) == SQ_EINVAL,
             "mixed families");
    sq_store_close(s);
}

static void
test_keys_and_purge(void)
{
    sq_store *s = new_store();
    long long now = 5000;
    char *json = (char *)"unset";
    char key[32];

    if (s == NULL)
        return;
    SQ_CHECK(wc_put_key(s, "AS15169", "{\"as\":1}", now, now + 60, NULL) ==
                 SQ_OK,
             "put key");
    SQ_CHECK(wc_get_key(s, "AS15169", now, &json, NULL) == SQ_OK &&
                 strcmp(json, "{\"as\":1}") == 0,
             "get key");
    free(json);
    json = (char *)"unset";
    SQ_CHECK(wc_get_key(s, "AS15169", now + 60, &json, NULL) == SQ_ENOTFOUND,
             "key expired");
    SQ_CHECK(wc_get_key(s, "example.com", now, &json, NULL) == SQ_ENOTFOUND,
             "missing key");
    wc_put_key(s, "example.com", NULL, now, now + 60, NULL);
    SQ_CHECK(wc_get_key(s, "example.com", now, &json, NULL) == SQ_OK &&
                 json == NULL,
             "negative key");
    SQ_CHECK(wc_get_key(s, "", now, &json, NULL) == SQ_EINVAL, "empty key");
    SQ_CHECK(wc_put_key(s, "", "x", now, now, NULL) == SQ_EINVAL,
             "empty key put");

    /* 40 expired ranges and keys; each later put purges 16 of them */
    for (int i = 0; i < 40; i++) {
        char net[32];

        snprintf(net, sizeof(net), "172.16.%d.0", i);
        put_cidr(s, net, 24, "old", 100, 200);
        snprintf(key, sizeof(key), "AS%d", i);
        wc_put_key(s, key, "old", 100, 200, NULL);
    }
    SQ_CHECK(rows(s, "whois_cache_range") == 40, "40 ranges");
    put_cidr(s, "198.51.100.0", 24, "new", 300, 900);
    SQ_CHECK(rows(s, "whois_cache_range") == 25,
             "one put purges 16 expired ranges, got %lld",
             rows(s, "whois_cache_range"));
    wc_put_key(s, "AS64500", "new", 300, 900, NULL);
    /* AS15169 and example.com live on: 42 + 1 - 16 */
    SQ_CHECK(rows(s, "whois_cache_key") == 27,
             "one put purges 16 expired keys, got %lld",
             rows(s, "whois_cache_key"));
    for (int i = 0; i < 3; i++)
        put_cidr(s, "198.51.100.0", 24, "new", 300, 900);
    SQ_CHECK(rows(s, "whois_cache_range") == 1, "all expired ranges purged");
    sq_store_close(s);
}

/* ---- the property: misses == prefixes ---- */

enum { NPREFIX = 300, NDRAW = 10000 };

typedef struct prefix {
    sq_ipaddr lo, hi;
    char text[64];
} prefix;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
    /* xorshift64*: deterministic, so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static int
overlaps(const prefix *a, const prefix *b)
{
    return a->lo.v4 == b->lo.v4 && memcmp(a->lo.b, b->hi.b, 16) <= 0 &&
           memcmp(b->lo.b, a->hi.b, 16) <= 0;
}

static void
random_prefix(prefix *p)
{
    int v4 = rng() % 2 == 0;
    unsigned plen = v4 ? 8 + (unsigned)(rng() % 23)   /* /8../30 */
                       : 16 + (unsigned)(rng() % 49); /* /16../64 */
    sq_ipaddr net;
    char txt[46];

    memset(&net, 0, sizeof(net));
    net.v4 = (uint8_t)v4;
    if (v4) {
        net.b[10] = net.b[11] = 0xff;
        for (int i = 12; i < 16; i++)
            net.b[i] = (uint8_t)rng();
    } else {
        net.b[0] = 0x20; /* keep clear of ::ffff:0:0/96 */
        for (int i = 1; i < 16; i++)
            net.b[i] = (uint8_t)rng();
    }
    bounds(&net, plen, &p->lo, &p->hi);
    sq_ipaddr_format(&p->lo, txt);
    snprintf(p->text, sizeof(p->text), "%s/%u", txt, plen);
}

static sq_ipaddr
random_member(const prefix *p)
{
    sq_ipaddr a = p->lo;

    for (int i = 0; i < 16; i++) {
        uint8_t host = (uint8_t)(p->lo.b[i] ^ p->hi.b[i]); /* host bits */

        a.b[i] = (uint8_t)(p->lo.b[i] | (rng() & host));
    }
    return a;
}

static void
test_property(void)
{
    static prefix p[NPREFIX];
    sq_store *s = new_store();
    int misses = 0, wrong = 0, errors = 0;
    long long now = 1700000000;

    if (s == NULL)
        return;
    for (int i = 0; i < NPREFIX; i++) {
        int clash;

        do {
            random_prefix(&p[i]);
            clash = 0;
            for (int j = 0; j < i && !clash; j++)
                clash = overlaps(&p[i], &p[j]);
        } while (clash);
    }
    for (int k = 0; k < NDRAW; k++) {
        /* every prefix once first (in turn), then at random */
        const prefix *pp =
            &p[k < NPREFIX ? (k * 7) % NPREFIX : (int)(rng() % NPREFIX)];
        sq_ipaddr a = random_member(pp);
        char *json = NULL;
        sq_status st = wc_get_ip(s, &a, now, &json, NULL);

        if (st == SQ_ENOTFOUND) {
            misses++;
            if (wc_put_range(s, &pp->lo, &pp->hi, pp->text, now, now + 86400,
                             NULL) != SQ_OK)
                errors++;
        } else if (st != SQ_OK) {
            errors++;
        } else if (json == NULL || strcmp(json, pp->text) != 0) {
            wrong++;
        }
        free(json);
    }
    SQ_CHECK(misses == NPREFIX, "misses %d, want %d", misses, NPREFIX);
    SQ_CHECK(wrong == 0, "%d hits returned another prefix's answer", wrong);
    SQ_CHECK(errors == 0, "%d errors", errors);
    SQ_CHECK(rows(s, "whois_cache_range") == NPREFIX, "one row per prefix");
    sq_store_close(s);
}

/* ---- budgets ---- */

static long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const bad_specs[] = {
    "lacnic=10",           "lacnic=10/", "nosuch=1/60",
    "arin=0/60",           "arin=1/0",   "arin=-1/60",
    "arin=1/60 arin=2/60", "=1/60",      "*=1/60 *=2/60",
    "arin=99999999/1",     "arin=1/x",
};

static void
test_budget_spec(void)
{
    sq_diag *d = sq_diag_new();
    wb_budgets *b = NULL;

    for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
        sq_diag_clear(d);
        SQ_CHECK(wb_new(bad_specs[i], NULL, &b, d) == SQ_ECONFIG && b == NULL,
                 "spec '%s' refused", bad_specs[i]);
        SQ_CHECK(sq_diag_count(d) == 1 &&
                     strstr(sq_diag_message(d, 0), "whois budgets:") != NULL,
                 "one message for '%s'", bad_specs[i]);
    }
    SQ_CHECK(wb_new("lacnic=10/60, ripencc=100/60\t*=30/60", NULL, &b, d) ==
                 SQ_OK,
             "good spec with comma and tab");
    wb_free(b);
    b = NULL;
    SQ_CHECK(wb_new(NULL, NULL, &b, d) == SQ_OK, "NULL spec");
    wb_free(b);
    wb_free(NULL);
    sq_diag_free(d);
}

static void
test_budget_rate(void)
{
    wb_budgets *b = NULL;
    int waited = -1, ok = 0;
    long long t0, dt;

    SQ_CHECK(wb_new("lacnic=3/60 arin=2/1 *=2/60", NULL, &b, NULL) == SQ_OK,
             "new");
    if (b == NULL)
        return;
    for (int i = 0; i < 3; i++) {
        ok += wb_take(b, WT_LACNIC, 0, &waited) == SQ_OK;
        SQ_CHECK(waited == 0, "burst does not wait");
    }
    SQ_CHECK(ok == 3, "burst of 3");
    SQ_CHECK(wb_take(b, WT_LACNIC, 5000, &waited) == SQ_ERATELIMIT,
             "4th would wait 20 s");
    /* "*" gives every other registry its own 2/60 bucket */
    SQ_CHECK(wb_take(b, WT_APNIC, 0, NULL) == SQ_OK &&
                 wb_take(b, WT_APNIC, 0, NULL) == SQ_OK &&
                 wb_take(b, WT_APNIC, 0, NULL) == SQ_ERATELIMIT,
             "apnic under *");
    SQ_CHECK(wb_take(b, WT_RIPENCC, 0, NULL) == SQ_OK, "ripencc separate");
    SQ_CHECK(wb_take(b, (wt_registry)999, 0, NULL) == SQ_OK,
             "out of range is unknown");

    /* arin=2/1: after the burst the next token comes in 500 ms */
    wb_take(b, WT_ARIN, 0, NULL);
    wb_take(b, WT_ARIN, 0, NULL);
    SQ_CHECK(wb_take(b, WT_ARIN, 100, &waited) == SQ_ERATELIMIT,
             "100 ms is not enough");
    t0 = mono_ms();
    SQ_CHECK(wb_take(b, WT_ARIN, 1000, &waited) == SQ_OK && waited == 1,
             "waited for a token");
    dt = mono_ms() - t0;
    SQ_CHECK(dt >= 350 && dt <= 900, "waited %lld ms, want ~500", dt);
    wb_free(b);

    /* without "*" unnamed registries are not limited */
    b = NULL;
    wb_new("lacnic=1/60", NULL, &b, NULL);
    ok = 0;
    for (int i = 0; i < 1000; i++)
        ok += wb_take(b, WT_APNIC, 0, NULL) == SQ_OK;
    SQ_CHECK(ok == 1000, "unlimited apnic");
    wb_free(b);
}

static long long
blocked_until(sq_store *s, const char *reg)
{
    sq_value p[1] = {SQ_VTEXT(reg)};
    long long v = -1;

    sq_store_exec(s,
                  "SELECT blocked_until FROM whois_registry_state"
                  " WHERE registry = $1",
                  p, 1, first_int, &v, NULL);
    return v;
}

static void
test_budget_blocked(void)
{
    sq_store *s = NULL;
    wb_budgets *b = NULL;
    long long now = (long long)time(NULL), v;

    /* wb_new creates the tables itself */
    s = bare_store(NULL);
    SQ_CHECK(wb_new("*=100/1", s, &b, NULL) == SQ_OK, "new on a bare store");
    if (b == NULL)
        return;
    wb_backoff(b, WT_RIPENCC, 3600);
    SQ_CHECK(wb_take(b, WT_RIPENCC, 0, NULL) == SQ_EBLOCKED, "blocked");
    SQ_CHECK(wb_take(b, WT_ARIN, 0, NULL) == SQ_OK, "others not blocked");
    v = blocked_until(s, "ripencc");
    SQ_CHECK(v >= now + 3600 && v <= now + 3602, "kept in the store: %lld",
             v - now);
    wb_backoff(b, WT_RIPENCC, 60);
    SQ_CHECK(blocked_until(s, "ripencc") == v, "the later time is kept");
    wb_backoff(b, WT_LACNIC, 1);
    wb_free(b);

    b = NULL;
    SQ_CHECK(wb_new("", s, &b, NULL) == SQ_OK, "second run");
    SQ_CHECK(wb_take(b, WT_RIPENCC, 0, NULL) == SQ_EBLOCKED,
             "still blocked after wb_new");
    SQ_CHECK(wb_take(b, WT_ARIN, 0, NULL) == SQ_OK, "arin fine");
    wb_free(b);

    b = NULL;
    wb_new("", NULL, &b, NULL);
    wb_backoff(b, WT_APNIC, 0); /* default pause */
    SQ_CHECK(wb_take(b, WT_APNIC, 0, NULL) == SQ_EBLOCKED,
             "blocked in memory without a store");
    wb_free(b);
    sq_store_close(s);
}

typedef struct taker {
    wb_budgets *b;
    int ok;
} taker;

static void *
take_run(void *arg)
{
    taker *t = arg;

    for (int i = 0; i < 10; i++)
        t->ok += wb_take(t->b, WT_ARIN, 5000, NULL) == SQ_OK;
    return NULL;
}

static void
test_budget_threads(void)
{
    wb_budgets *b = NULL;
    taker t[4];
    pthread_t th[4];
    long long t0, dt;

    wb_new("arin=20/1", NULL, &b, NULL);
    if (b == NULL)
        return;
    t0 = mono_ms();
    for (int i = 0; i < 4; i++) {
        t[i].b = b;
        t[i].ok = 0;
        pthread_create(&th[i], NULL, take_run, &t[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    dt = mono_ms() - t0;
    SQ_CHECK(t[0].ok + t[1].ok + t[2].ok + t[3].ok == 40, "all 40 taken");
    /* 20 at once, the other 20 at 20 per second */
    SQ_CHECK(dt >= 900 && dt <= 2500, "40 tokens took %lld ms, want ~1000", dt);
    wb_free(b);
}

int
main(void)
{
    const char *env = getenv("SQ_TEST_STORE");
    sq_store *s = NULL;

    if (env != NULL && env[0] != '\0') {
        if (sq_store_open(env, NULL, &s) == SQ_ECONFIG) {
            printf("cache_test: SKIP: store backend not built\n");
            return SQTEST_SKIP;
        }
        sq_store_close(s);
        test_uri = env;
    }
    test_nested();
    test_keys_and_purge();
    test_property();
    test_budget_spec();
    test_budget_rate();
    test_budget_blocked();
    test_budget_threads();
    return sqtest_finish("cache_test");
}
