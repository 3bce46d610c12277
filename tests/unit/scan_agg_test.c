/*
 * scan_agg_test.c - the per-source aggregator of `squeaky scan`: sums,
 * first/last, ports, services, users, HELPER events, evidence lines (cap
 * per source, budget), the max_sources bound, prune, and a naive
 * recount of 200,000 random events from 5,000 sources (IPv4 and IPv6).
 */
#include "sqtest.h"

#include <squeaky/net.h>
#include <squeaky/scan.h>

#include <stdint.h>

static sq_scan_hit
hit(const char *ip, long long t, unsigned port, const char *user,
    const char *line)
{
    sq_scan_hit h;

    memset(&h, 0, sizeof(h));
    h.ip = ip;
    h.time = t;
    h.kind = SQ_KIND_LOGIN_ATTACK;
    h.service = "ssh";
    h.protocol = "tcp";
    h.dest_ip = "192.0.2.1";
    h.dest_port = port;
    h.source_port = 40000;
    h.user = user;
    h.line = line;
    h.len = line != NULL ? strlen(line) : 0;
    return h;
}

static const sq_scan_src *
find(const sq_scan_agg *a, const char *ip, sq_report_kind k)
{
    char buf[46];

    for (size_t i = 0; i < sq_scan_agg_count(a); i++) {
        const sq_scan_src *s = sq_scan_agg_get(a, i);

        if (strcmp(sq_scan_src_ip(s, buf), ip) == 0 && sq_scan_src_kind(s) == k)
            return s;
    }
    return NULL;
}

static void
test_sums(void)
{
    sq_scan_agg *a = NULL;
    sq_scan_hit h;
    const sq_scan_src *s;
    char line[64], buf[46];
    size_t len = 0;

    SQ_CHECK(sq_scan_agg_new(0, &a) == SQ_OK, "new");
    for (int i = 0; i < 12; i++) {
        snprintf(line, sizeof(line), "line %d", i);
        h = hit("203.0.113.7", 1000 + (i * 7) % 12, 22 + (unsigned)i,
                i % 2 ? "root" : "admin", line);
        SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_OK, "add %d", i);
    }
    h = hit("2001:DB8:0:0::1", 500, 443, NULL, "v6");
    h.kind = SQ_KIND_PORT_SCAN;
    h.count = 5;
    SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_OK, "add v6");
    h = hit("203.0.113.7", 2000, 80, NULL, "scan");
    h.kind = SQ_KIND_PORT_SCAN;
    h.service = "firewall";
    SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_OK, "same ip, other kind");
    h = hit("not-an-ip", 1, 0, NULL, "x");
    SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_EINVAL, "bad ip");
    SQ_CHECK(sq_scan_agg_count(a) == 3, "3 entries, got %zu",
             sq_scan_agg_count(a));
    s = find(a, "203.0.113.7", SQ_KIND_LOGIN_ATTACK);
    SQ_CHECK(s != NULL, "found");
    if (s == NULL)
        return;
    SQ_CHECK(sq_scan_src_attempts(s) == 12, "attempts %lu",
             sq_scan_src_attempts(s));
    SQ_CHECK(sq_scan_src_first(s) == 1000 && sq_scan_src_last(s) == 1011,
             "first/last %lld %lld", sq_scan_src_first(s), sq_scan_src_last(s));
    SQ_CHECK(sq_scan_src_nports(s) == SQ_SCAN_AGG_PORTS &&
                 sq_scan_src_ports_more(s) && sq_scan_src_port(s, 0) == 22,
             "ports");
    SQ_CHECK(sq_scan_src_nusers(s) == 2 && !sq_scan_src_users_more(s), "users");
    SQ_CHECK_STR(sq_scan_src_user(a, s, 0), "admin", "user 0");
    SQ_CHECK_STR(sq_scan_src_service(a, s, 0), "ssh", "service");
    SQ_CHECK_STR(sq_scan_src_dest_ip(a, s), "192.0.2.1", "dest");
    SQ_CHECK_STR(sq_scan_src_protocol(a, s), "tcp", "proto");
    SQ_CHECK(sq_scan_src_source_port(s) == 40000, "sport");
    SQ_CHECK(sq_scan_src_nlines(s) == SQ_SCAN_AGG_LINES, "lines kept %zu",
             sq_scan_src_nlines(s));
    SQ_CHECK(sq_scan_src_line(a, s, 0, &len) != NULL && len == 6 &&
                 memcmp(sq_scan_src_line(a, s, 0, &len), "line 0", 6) == 0,
             "first line");
    SQ_CHECK(sq_scan_src_line(a, s, 7, &len) != NULL &&
                 memcmp(sq_scan_src_line(a, s, 7, &len), "line 7", 6) == 0,
             "8th line");
    SQ_CHECK(sq_scan_src_line(a, s, 8, &len) == NULL, "no 9th");
    SQ_CHECK(sq_scan_agg_lines_unkept(a) == 4, "unkept %llu",
             sq_scan_agg_lines_unkept(a));
    s = find(a, "2001:db8::1", SQ_KIND_PORT_SCAN);
    SQ_CHECK(s != NULL && sq_scan_src_attempts(s) == 5 &&
                 sq_scan_src_events(s) == 1,
             "v6 canonical, count 5");
    s = find(a, "203.0.113.7", SQ_KIND_PORT_SCAN);
    SQ_CHECK(s != NULL && sq_scan_src_nservices(s) == 1 &&
                 strcmp(sq_scan_src_service(a, s, 0), "firewall") == 0,
             "kinds apart");
    SQ_CHECK(
        strcmp(sq_scan_src_ip(sq_scan_agg_get(a, 1), buf), "2001:db8::1") == 0,
        "first-seen order");
    sq_scan_agg_free(a);
}

static void
test_helper(void)
{
    sq_scan_agg *a = NULL;
    sq_scan_hit h;
    const sq_scan_src *s;

    sq_scan_agg_new(0, &a);
    /* PAM summaries only (old systems): they are the count */
    h = hit("198.51.100.9", 10, 22, NULL, "pam");
    h.helper = 1;
    h.count = 3;
    sq_scan_agg_add(a, &h);
    s = find(a, "198.51.100.9", SQ_KIND_LOGIN_ATTACK);
    SQ_CHECK(s != NULL && sq_scan_src_attempts(s) == 3, "helper only");
    /* with real failures they are not counted again */
    h = hit("198.51.100.9", 11, 22, NULL, "Failed password");
    sq_scan_agg_add(a, &h);
    sq_scan_agg_add(a, &h);
    s = find(a, "198.51.100.9", SQ_KIND_LOGIN_ATTACK);
    SQ_CHECK(s != NULL && sq_scan_src_attempts(s) == 2 &&
                 sq_scan_src_events(s) == 3,
             "helper beside failures: %lu", s ? sq_scan_src_attempts(s) : 0);
    sq_scan_agg_free(a);
}

static int
keep_odd(void *ctx, const sq_scan_src *s)
{
    (void)ctx;
    return sq_scan_src_first(s) % 2 == 1;
}

static void
test_bound_and_prune(void)
{
    sq_scan_agg *a = NULL;
    char ip[32], line[32];
    unsigned long long full = 0;
    size_t len = 0;

    sq_scan_agg_new(1000, &a);
    for (int i = 0; i < 1500; i++) {
        sq_scan_hit h;

        snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
        snprintf(line, sizeof(line), "l%d", i);
        h = hit(ip, 1 + i, 22, NULL, line);
        if (sq_scan_agg_add(a, &h) == SQ_ELIMIT_MEMORY)
            full++;
    }
    SQ_CHECK(sq_scan_agg_count(a) == 1000 && full == 500 &&
                 sq_scan_agg_dropped(a) == 500,
             "bound: %zu kept, %llu refused", sq_scan_agg_count(a), full);
    {
        /* an existing source still counts when the table is full */
        sq_scan_hit h = hit("10.0.5.1", 9999, 23, NULL, "again");

        SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_OK, "existing when full");
    }
    SQ_CHECK(sq_scan_agg_prune(a, keep_odd, NULL) == SQ_OK, "prune");
    SQ_CHECK(sq_scan_agg_count(a) == 500, "pruned to %zu",
             sq_scan_agg_count(a));
    {
        const sq_scan_src *s = find(a, "10.0.4.1", SQ_KIND_LOGIN_ATTACK);
        const char *l = s ? sq_scan_src_line(a, s, 0, &len) : NULL;

        SQ_CHECK(s != NULL && l != NULL && len == 2 && memcmp(l, "l4", 2) == 0,
                 "lines survive the prune");
        SQ_CHECK(find(a, "10.0.5.1", SQ_KIND_LOGIN_ATTACK) == NULL,
                 "even first dropped");
    }
    {
        sq_scan_hit h = hit("10.200.0.1", 3, 22, NULL, "new after prune");

        SQ_CHECK(sq_scan_agg_add(a, &h) == SQ_OK && sq_scan_agg_count(a) == 501,
                 "room again after prune");
    }
    sq_scan_agg_free(a);
}

/* 200,000 random events against a naive table. */
static void
test_random(void)
{
    enum { NSRC = 5000, NEV = 200000 };
    static unsigned long want[NSRC];
    sq_scan_agg *a = NULL;
    uint64_t x = 88172645463325252ULL;
    size_t bad = 0;
    char ip[64];

    sq_scan_agg_new(0, &a);
    for (int i = 0; i < NEV; i++) {
        unsigned k;
        sq_scan_hit h;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        k = (unsigned)(x % NSRC);
        if (k % 3 == 0)
            snprintf(ip, sizeof(ip), "2001:db8:%x::%x", k / 7, k);
        else
            snprintf(ip, sizeof(ip), "198.%u.%u.%u", 18 + k % 2, k / 256,
                     k % 256);
        h = hit(ip, 100, 22, NULL, "x");
        h.count = 1 + (unsigned)(x >> 60);
        want[k] += h.count;
        sq_scan_agg_add(a, &h);
    }
    for (unsigned k = 0; k < NSRC; k++) {
        const sq_scan_src *s;

        if (k % 3 == 0)
            snprintf(ip, sizeof(ip), "2001:db8:%x::%x", k / 7, k);
        else
            snprintf(ip, sizeof(ip), "198.%u.%u.%u", 18 + k % 2, k / 256,
                     k % 256);
        {
            char c[46];

            s = sq_ip_canon(ip, strlen(ip), c, sizeof(c)) == SQ_OK
                    ? find(a, c, SQ_KIND_LOGIN_ATTACK)
                    : NULL;
        }
        if (want[k] != (s != NULL ? sq_scan_src_attempts(s) : 0)) {
            fprintf(stderr, "%s: want %lu got %lu\n", ip, want[k],
                    s != NULL ? sq_scan_src_attempts(s) : 0);
            bad++;
        }
    }
    SQ_CHECK(bad == 0, "random: %zu sources miscounted", bad);
    SQ_CHECK(sq_scan_agg_bytes(a) < 4u << 20, "5,000 sources in %zu bytes",
             sq_scan_agg_bytes(a));
    sq_scan_agg_free(a);
}

int
main(void)
{
    test_sums();
    test_helper();
    test_bound_and_prune();
    test_random();
    return sqtest_finish("scan_agg_test");
}
