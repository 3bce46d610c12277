/*
 * transport_test.c - the HTTP, port-43 and DNS clients (http.c,
 * whois43.c, dns.c) against the real local servers tests/servers/
 * start-all.sh starts: rdap_replay.py, whois_replay.py and nsd with the
 * zones in tests/servers/zones/.
 *
 * Skips (77) unless SQ_TEST_RDAP_URL, SQ_TEST_WHOIS and SQ_TEST_DNS are
 * set (tests/it/transport.sh sets them).  The recorded answers come
 * from the ipwhois corpus (../shared/corpora/whois); without it the
 * byte-for-byte comparisons are skipped and the rest still runs.
 */
#include "sqtest.h"
#include "whois/whois_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *rdap_url, *whois_addr, *dns_addr;
static char whois_host[64];
static unsigned whois_port;

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
maxrss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* The corpus file rel (under whois/), or NULL when the corpus is absent. */
static char *
corpus_file(const char *rel, size_t *len)
{
    char path[1024], full[600];

    snprintf(full, sizeof(full), "whois/%s", rel);
    if (sqtest_corpus(full, path, sizeof(path)) == NULL)
        return NULL;
    return sqtest_slurp(path, len);
}

/* Lines in a server's request log equal to line. */
static int
log_count(const char *env, const char *line)
{
    const char *path = getenv(env);
    char buf[4096];
    int n = 0;
    FILE *f;

    if (path == NULL || (f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(buf, sizeof(buf), f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        n += strcmp(buf, line) == 0;
    }
    fclose(f);
    return n;
}

/* A port nothing listens on (bound, read, closed). */
static unsigned
free_port(int family)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    unsigned port = 0;
    int fd = socket(family, SOCK_STREAM, 0);

    memset(&ss, 0, sizeof(ss));
    ss.ss_family = (sa_family_t)family;
    if (family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    if (fd >= 0 &&
        bind(fd, (struct sockaddr *)&ss,
             family == AF_INET ? sizeof(struct sockaddr_in)
                               : sizeof(struct sockaddr_in6)) == 0 &&
        getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        port =
            ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* ---------------------------------------------------------------- */
/* HTTP                                                              */
/* ---------------------------------------------------------------- */

static sq_status
get(const char *path, const wn_limits *lim, long *status, long *ra,
    wn_buf *body)
{
    char url[512];

    snprintf(url, sizeof(url), "%s%s", rdap_url, path);
    *status = -1;
    *ra = -1;
    body->data = NULL;
    body->len = 0;
    return wn_http_get(url, lim, status, ra, body, NULL);
}

static void
test_http_recorded(void)
{
    wn_limits lim = {5000, 1 << 20, 3};
    size_t flen = 0;
    char *want = corpus_file("ipwhois/rdap_json/74.125.225.229.json", &flen);
    long status, ra;
    wn_buf b;
    sq_status st;

    st = get("/arin/ip/74.125.225.229", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK, "recorded RDAP: %s", sq_strerror(st));
    /* without the corpus the replay server has no file: 404 */
    SQ_CHECK(status == (want != NULL ? 200 : 404), "status %ld", status);
    SQ_CHECK(ra == 0, "no Retry-After: %ld", ra);
    if (want != NULL) {
        SQ_CHECK(b.len == flen && memcmp(b.data, want, flen) == 0,
                 "body equals the recorded file (%zu vs %zu bytes)", b.len,
                 flen);
        SQ_CHECK(b.data[b.len] == '\0', "body NUL-terminated");
    } else
        fprintf(stderr, "transport_test: corpus absent, body not compared\n");
    wn_buf_free(&b);
    SQ_CHECK(b.data == NULL && b.len == 0, "wn_buf_free resets");

    /* a good redirect is followed to the same document */
    st = get("/redirect/arin/ip/74.125.225.229", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK && status == (want != NULL ? 200 : 404),
             "redirect followed: %s %ld", sq_strerror(st), status);
    if (want != NULL)
        SQ_CHECK(b.len == flen && memcmp(b.data, want, flen) == 0,
                 "redirected body equals the file");
    wn_buf_free(&b);
    free(want);

    want = corpus_file("ipwhois/rdap_json/2a00_2381_ffff__1.json", &flen);
    st = get("/ripe/ip/2a00:2381:ffff::1", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK && status == (want ? 200 : 404), "IPv6 path: %s %ld",
             sq_strerror(st), status);
    if (want != NULL)
        SQ_CHECK(b.len == flen && memcmp(b.data, want, flen) == 0,
                 "IPv6 body equals the file");
    wn_buf_free(&b);
    free(want);
}

static void
test_http_headers_and_codes(void)
{
    wn_limits lim = {5000, 1 << 20, 3};
    char ua[64];
    long status, ra;
    wn_buf b;
    sq_status st;

    st = get("/echo", &lim, &status, &ra, &b);
    snprintf(ua, sizeof(ua), "\"squeaky/%s\"", sq_version());
    SQ_CHECK(st == SQ_OK && b.data != NULL && strstr(b.data, ua) != NULL,
             "User-Agent %s sent: %s", ua, b.data ? b.data : "");
    SQ_CHECK(b.data != NULL &&
                 strstr(b.data, "\"accept\": \"application/rdap+json\"") !=
                     NULL,
             "Accept sent: %s", b.data ? b.data : "");
    wn_buf_free(&b);

    st = get("/arin/ip/10.0.0.1", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK && status == 404, "404 is SQ_OK: %s %ld",
             sq_strerror(st), status);
    SQ_CHECK(b.data != NULL && strstr(b.data, "\"errorCode\": 404") != NULL,
             "404 body kept");
    wn_buf_free(&b);

    st = get("/status/429", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK && status == 429, "429: %s %ld", sq_strerror(st),
             status);
    SQ_CHECK(ra == 2, "Retry-After seconds: %ld", ra);
    wn_buf_free(&b);

    st = get("/retry-date", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_OK && status == 503, "503: %s %ld", sq_strerror(st),
             status);
    SQ_CHECK(ra >= 3 && ra <= 6, "Retry-After HTTP-date about 5 s: %ld", ra);
    wn_buf_free(&b);
}

static void
test_http_faults(void)
{
    wn_limits lim = {700, 1 << 20, 3};
    long status, ra, rss0, rss1;
    long long t0, dt;
    sq_diag *d = sq_diag_new();
    char url[128];
    wn_buf b;
    sq_status st;
    int before;

    t0 = now_ms();
    st = get("/slow", &lim, &status, &ra, &b);
    dt = now_ms() - t0;
    SQ_CHECK(st == SQ_ETIMEOUT, "slow: %s", sq_strerror(st));
    SQ_CHECK(dt >= 600 && dt < 3000, "slow gave up after %lld ms", dt);
    SQ_CHECK(b.data == NULL, "no body on error");

    lim.timeout_ms = 20000;
    rss0 = maxrss_kb();
    t0 = now_ms();
    st = get("/huge", &lim, &status, &ra, &b);
    dt = now_ms() - t0;
    rss1 = maxrss_kb();
    SQ_CHECK(st == SQ_ELIMIT_RESPONSE, "huge: %s", sq_strerror(st));
    SQ_CHECK(rss1 - rss0 < 32 * 1024, "memory bounded: +%ld KiB", rss1 - rss0);
    SQ_CHECK(dt < 10000, "huge stopped after %lld ms", dt);
    st = get("/huge-cl", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_ELIMIT_RESPONSE, "huge by Content-Length: %s",
             sq_strerror(st));

    before = log_count("SQ_TEST_RDAP_LOG", "/redirect-loop");
    st = get("/redirect-loop", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_ENET, "redirect loop: %s", sq_strerror(st));
    if (before >= 0)
        SQ_CHECK(log_count("SQ_TEST_RDAP_LOG", "/redirect-loop") - before == 4,
                 "1 + 3 redirects asked (%d)",
                 log_count("SQ_TEST_RDAP_LOG", "/redirect-loop") - before);

    /* other schemes are refused, before and after a redirect */
    st = get("/redirect-file", &lim, &status, &ra, &b);
    SQ_CHECK(st == SQ_ENET && b.data == NULL, "redirect to file:// refused: %s",
             sq_strerror(st));
    st = wn_http_get("file:///etc/passwd", &lim, &status, &ra, &b, d);
    SQ_CHECK(st == SQ_ENET && b.data == NULL, "file:// refused: %s",
             sq_strerror(st));
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strchr(sq_diag_message(d, 0), '\n') == NULL,
             "one one-line message");
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/", free_port(AF_INET));
    sq_diag_clear(d);
    st = wn_http_get(url, &lim, &status, &ra, &b, d);
    SQ_CHECK(st == SQ_ENET, "connection refused: %s", sq_strerror(st));
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "127.0.0.1") != NULL,
             "message names the host: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "");
    sq_diag_free(d);
}

/* ---------------------------------------------------------------- */
/* whois                                                             */
/* ---------------------------------------------------------------- */

static sq_status
ask(const char *query, const wn_limits *lim, wn_buf *out, sq_diag *d)
{
    out->data = NULL;
    out->len = 0;
    return wn_whois_query(whois_host, whois_port, query, lim, out, d);
}

static void
test_whois_recorded(void)
{
    static const struct {
        const char *query, *file;
    } cases[] = {
        {"n + 74.125.225.229", "ipwhois/whois_raw/74.125.225.229.txt"},
        {"-b 62.239.237.1", "ipwhois/whois_raw/62.239.237.1.txt"},
        {"2001:43f8:7b0::", "ipwhois/whois_raw/2001_43f8_7b0__.txt"},
        {"-i origin AS15169", "ipwhois/asn_origin_raw/74.125.225.229.txt"},
    };
    wn_limits lim = {5000, 1 << 20, 0};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t flen = 0;
        char *want = corpus_file(cases[i].file, &flen);
        wn_buf b;
        sq_status st = ask(cases[i].query, &lim, &b, NULL);

        SQ_CHECK(st == SQ_OK, "whois '%s': %s", cases[i].query,
                 sq_strerror(st));
        if (want != NULL && st == SQ_OK)
            SQ_CHECK(b.len == flen && memcmp(b.data, want, flen) == 0,
                     "'%s' equals %s (%zu vs %zu bytes)", cases[i].query,
                     cases[i].file, b.len, flen);
        if (st == SQ_OK)
            SQ_CHECK(b.data[b.len] == '\0', "NUL-terminated");
        wn_buf_free(&b);
        free(want);
    }
    {
        wn_buf b;
        sq_status st =
            wn_whois_query("localhost", whois_port, "blocked", &lim, &b, NULL);

        SQ_CHECK(st == SQ_OK, "by name (localhost): %s", sq_strerror(st));
        SQ_CHECK(st == SQ_OK &&
                     strstr(b.data, "%ERROR:201: access denied") != NULL,
                 "blocked text");
        if (st == SQ_OK)
            wn_buf_free(&b);
    }
}

/* The same server over IPv6 ([::1]), when the host has it. */
static void
test_whois_ipv6(void)
{
    const char *w6 = getenv("SQ_TEST_WHOIS6");
    wn_limits lim = {5000, 1 << 20, 0};
    size_t flen = 0;
    char *want;
    wn_buf b;
    sq_status st;

    if (w6 == NULL || w6[0] == '\0') {
        fprintf(stderr, "transport_test: no [::1] listener, IPv6 exchange "
                        "not tested\n");
        return;
    }
    want = corpus_file("ipwhois/whois_raw/2a00_2381_ffff__1.txt", &flen);
    st = wn_whois_query("::1", whois_port, "-B 2a00:2381:ffff::1", &lim, &b,
                        NULL);
    SQ_CHECK(st == SQ_OK, "whois over IPv6: %s", sq_strerror(st));
    if (st == SQ_OK && want != NULL)
        SQ_CHECK(b.len == flen && memcmp(b.data, want, flen) == 0,
                 "IPv6 answer equals the file");
    if (st == SQ_OK)
        wn_buf_free(&b);
    st = wn_whois_query("[::1]", whois_port, "blocked", &lim, &b, NULL);
    SQ_CHECK(st == SQ_OK && strstr(b.data, "%ERROR:201") != NULL,
             "bracketed IPv6 host: %s", sq_strerror(st));
    if (st == SQ_OK)
        wn_buf_free(&b);
    free(want);
}

static void
test_whois_faults(void)
{
    wn_limits lim = {700, 1 << 20, 0};
    sq_diag *d = sq_diag_new();
    long long t0 = now_ms(), dt;
    long rss0, rss1;
    wn_buf b;
    sq_status st;
    int before;

    st = ask("slow", &lim, &b, d);
    dt = now_ms() - t0;
    SQ_CHECK(st == SQ_ETIMEOUT, "slow: %s", sq_strerror(st));
    SQ_CHECK(dt >= 600 && dt < 3000, "slow gave up after %lld ms", dt);
    SQ_CHECK(b.data == NULL, "out untouched");
    SQ_CHECK(sq_diag_count(d) == 1, "one message");

    lim.timeout_ms = 20000;
    rss0 = maxrss_kb();
    st = ask("huge", &lim, &b, NULL);
    rss1 = maxrss_kb();
    SQ_CHECK(st == SQ_ELIMIT_RESPONSE, "huge: %s", sq_strerror(st));
    SQ_CHECK(rss1 - rss0 < 32 * 1024, "memory bounded: +%ld KiB", rss1 - rss0);

    before = log_count("SQ_TEST_WHOIS_LOG", "74.125.225.229");
    st = ask("74.125.225.229\r\n74.125.225.229", &lim, &b, NULL);
    SQ_CHECK(st == SQ_EINVAL, "CRLF refused: %s", sq_strerror(st));
    st = ask("74.125.225.229\n", &lim, &b, NULL);
    SQ_CHECK(st == SQ_EINVAL, "LF refused: %s", sq_strerror(st));
    st = ask("x\r", &lim, &b, NULL);
    SQ_CHECK(st == SQ_EINVAL, "CR refused: %s", sq_strerror(st));
    SQ_CHECK(log_count("SQ_TEST_WHOIS_LOG", "74.125.225.229") == before,
             "nothing reached the server");

    st = wn_whois_query("127.0.0.1", free_port(AF_INET), "x", &lim, &b, NULL);
    SQ_CHECK(st == SQ_ENET, "refused v4: %s", sq_strerror(st));
    st = wn_whois_query("[::1]", free_port(AF_INET6), "x", &lim, &b, NULL);
    SQ_CHECK(st == SQ_ENET, "refused v6: %s", sq_strerror(st));
    st = wn_whois_query("no-such-host.invalid", 43, "x", &lim, &b, NULL);
    SQ_CHECK(st == SQ_ENET, "unresolvable: %s", sq_strerror(st));
    sq_diag_free(d);
}

/* ---------------------------------------------------------------- */
/* DNS                                                               */
/* ---------------------------------------------------------------- */

typedef struct txts {
    char rec[8][256];
    size_t n;
} txts;

static void
txt_add(void *arg, const char *txt, size_t n)
{
    txts *t = arg;

    if (t->n < 8 && n < 256) {
        memcpy(t->rec[t->n], txt, n);
        t->rec[t->n][n] = '\0';
    }
    t->n++;
}

static sq_status
txt_of_ip(wn_dns *r, const char *ip, const char *zone, txts *t)
{
    char name[256];
    sq_ipaddr a;

    memset(t, 0, sizeof(*t));
    if (!sq_ipaddr_parse(ip, strlen(ip), &a) ||
        !dnstxt_revname(&a, zone, name, sizeof(name)))
        return SQ_EINVAL;
    return wn_dns_txt(r, name, txt_add, t, NULL);
}

static void
check_origin(wn_dns *r, const char *ip, const char *zone, unsigned long asn,
             const char *prefix, const char *cc, const char *reg)
{
    dnstxt_origin o;
    txts t;
    sq_status st = txt_of_ip(r, ip, zone, &t);

    SQ_CHECK(st == SQ_OK && t.n == 1, "%s %s: %s, %zu records", zone, ip,
             sq_strerror(st), t.n);
    if (st != SQ_OK || t.n != 1)
        return;
    SQ_CHECK(dnstxt_parse_origin(t.rec[0], strlen(t.rec[0]), &o) == 1,
             "parse '%s'", t.rec[0]);
    SQ_CHECK(o.asns[0] == asn, "%s: AS%lu", ip, o.asns[0]);
    SQ_CHECK_STR(o.prefix, prefix, "%s prefix", ip);
    SQ_CHECK_STR(o.country, cc, "%s country", ip);
    SQ_CHECK_STR(o.registry, reg, "%s registry", ip);
}

static void
test_dns_cymru(wn_dns *r)
{
    dnstxt_origin o;
    unsigned long asn = 0;
    char name[64], cc[3];
    txts t;
    sq_status st;

    check_origin(r, "74.125.225.229", "origin.asn.cymru.com", 15169,
                 "74.125.225.0/24", "US", "arin");
    check_origin(r, "62.239.237.1", "origin.asn.cymru.com", 2856,
                 "62.239.0.0/16", "GB", "ripencc");
    check_origin(r, "196.11.240.215", "origin.asn.cymru.com", 12091,
                 "196.11.240.0/23", "ZA", "afrinic");
    check_origin(r, "2001:4860:4860::8888", "origin6.asn.cymru.com", 15169,
                 "2001:4860::/32", "US", "arin");
    check_origin(r, "2a00:2381:ffff::1", "origin6.asn.cymru.com", 2856,
                 "2a00:2380::/25", "GB", "ripencc");

    /* one record sent as three strings is one joined record */
    st = txt_of_ip(r, "192.0.2.1", "origin.asn.cymru.com", &t);
    SQ_CHECK(st == SQ_OK && t.n == 1, "split record: %zu", t.n);
    SQ_CHECK_STR(t.rec[0],
                 "64496 64497 | 192.0.2.0/24 | ZZ | arin | 2000-01-01",
                 "strings joined");
    SQ_CHECK(dnstxt_parse_origin(t.rec[0], strlen(t.rec[0]), &o) &&
                 o.nasns == 2 && o.asns[1] == 64497,
             "two origins");
    /* two records stay two */
    st = txt_of_ip(r, "192.0.2.2", "origin.asn.cymru.com", &t);
    SQ_CHECK(st == SQ_OK && t.n == 2, "two records: %zu", t.n);
    SQ_CHECK(t.n == 2 && ((strncmp(t.rec[0], "64498 |", 7) == 0 &&
                           strncmp(t.rec[1], "64499 |", 7) == 0) ||
                          (strncmp(t.rec[0], "64499 |", 7) == 0 &&
                           strncmp(t.rec[1], "64498 |", 7) == 0)),
             "records kept apart: '%s' '%s'", t.rec[0], t.rec[1]);
    st = txt_of_ip(r, "192.0.2.3", "origin.asn.cymru.com", &t);
    SQ_CHECK(st == SQ_OK && t.n == 1 &&
                 dnstxt_parse_origin(t.rec[0], strlen(t.rec[0]), &o) == 0,
             "malformed record rejected by the parser");

    st = txt_of_ip(r, "74.125.225.229", "peer.asn.cymru.com", &t);
    SQ_CHECK(st == SQ_OK && t.n == 1 &&
                 dnstxt_parse_origin(t.rec[0], strlen(t.rec[0]), &o) &&
                 o.nasns == 2 && o.asns[0] == 3356 && o.asns[1] == 6453,
             "peers of 74.125.225.229");

    memset(&t, 0, sizeof(t));
    st = wn_dns_txt(r, "AS15169.asn.cymru.com", txt_add, &t, NULL);
    SQ_CHECK(st == SQ_OK && t.n == 1 &&
                 dnstxt_parse_asname(t.rec[0], strlen(t.rec[0]), &asn, name,
                                     sizeof(name), cc) == 1,
             "AS15169 name: %s", sq_strerror(st));
    SQ_CHECK(asn == 15169, "asn");
    SQ_CHECK_STR(name, "GOOGLE - Google LLC, US", "AS name");
    SQ_CHECK_STR(cc, "US", "AS country");
    memset(&t, 0, sizeof(t));
    st = wn_dns_txt(r, "AS64496.asn.cymru.com", txt_add, &t, NULL);
    SQ_CHECK(st == SQ_OK && t.n == 1 &&
                 dnstxt_parse_asname(t.rec[0], strlen(t.rec[0]), &asn, name,
                                     sizeof(name), cc) == 1,
             "AS64496");
    SQ_CHECK_STR(name, "TEST-AS-SPLIT two strings, ZZ", "split AS name");
}

static void
email_add(void *arg, const char *email, size_t n)
{
    txt_add(arg, email, n);
}

static size_t
abusix(wn_dns *r, const char *ip, txts *emails)
{
    txts t;
    size_t total = 0;

    memset(emails, 0, sizeof(*emails));
    if (txt_of_ip(r, ip, "abuse-contacts.abusix.zone", &t) != SQ_OK)
        return 0;
    for (size_t i = 0; i < t.n && i < 8; i++)
        total +=
            dnstxt_parse_abusix(t.rec[i], strlen(t.rec[i]), email_add, emails);
    return total;
}

static void
test_dns_contacts(wn_dns *r)
{
    txts e, t;
    sq_status st;

    SQ_CHECK(abusix(r, "196.11.240.215", &e) == 1, "abusix AFRINIC");
    SQ_CHECK_STR(e.rec[0], "abuse@mtnbusiness.co.za", "abusix address");
    SQ_CHECK(abusix(r, "127.0.0.2", &e) == 2, "abusix test point");
    SQ_CHECK_STR(e.rec[1], "abuse@localhost", "second address");
    SQ_CHECK(abusix(r, "2001:43f8:7b0::1", &e) == 1, "abusix IPv6 nibbles");
    SQ_CHECK_STR(e.rec[0], "abuse@tespok.example", "abusix IPv6 address");
    SQ_CHECK(abusix(r, "192.0.2.5", &e) == 2, "two records, two addresses");

    memset(&t, 0, sizeof(t));
    st = wn_dns_txt(r, "example-hosting.test.contacts.abuse.net", txt_add, &t,
                    NULL);
    SQ_CHECK(st == SQ_OK && t.n == 2, "abuse.net: %s %zu", sq_strerror(st),
             t.n);
}

static void
test_dns_addrs_and_errors(wn_dns *r)
{
    sq_ipaddr a[8];
    char txt[64];
    size_t n = 99;
    sq_diag *d = sq_diag_new();
    txts t;
    sq_status st;
    int v4 = 0, v6 = 0;

    st = wn_dns_addrs(r, "example-hosting.test", a, 8, &n, NULL);
    SQ_CHECK(st == SQ_OK && n == 3, "A+AAAA: %s %zu", sq_strerror(st), n);
    for (size_t i = 0; st == SQ_OK && i < n; i++) {
        sq_ipaddr_format(&a[i], txt);
        v4 += strcmp(txt, "74.125.225.229") == 0 ||
              strcmp(txt, "62.239.237.1") == 0;
        v6 += strcmp(txt, "2001:db8::10") == 0;
    }
    SQ_CHECK(v4 == 2 && v6 == 1, "the zone's addresses (%d v4, %d v6)", v4, v6);
    st = wn_dns_addrs(r, "www.example-hosting.test", a, 8, &n, NULL);
    SQ_CHECK(st == SQ_OK && n == 3, "through a CNAME: %zu", n);
    st = wn_dns_addrs(r, "example-hosting.test", a, 2, &n, NULL);
    SQ_CHECK(st == SQ_OK && n == 2, "max honoured: %zu", n);
    st = wn_dns_addrs(r, "v6only.example-hosting.test", a, 8, &n, NULL);
    SQ_CHECK(st == SQ_OK && n == 1 && !a[0].v4, "AAAA only");
    n = 77;
    st = wn_dns_addrs(r, "nx.example-hosting.test", a, 8, &n, d);
    SQ_CHECK(st == SQ_ENOTFOUND && n == 77, "addrs NXDOMAIN: %s",
             sq_strerror(st));

    st = txt_of_ip(r, "10.0.0.1", "origin.asn.cymru.com", &t);
    SQ_CHECK(st == SQ_ENOTFOUND && t.n == 0, "TXT NXDOMAIN: %s",
             sq_strerror(st));
    st = wn_dns_txt(r, "example-hosting.test", txt_add, &t, NULL);
    SQ_CHECK(st == SQ_ENOTFOUND, "no TXT at a name: %s", sq_strerror(st));
    sq_diag_free(d);
}

/* A UDP socket that never answers: the query must time out on time. */
static void
test_dns_timeout(void)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    char servers[64];
    wn_dns *r = NULL;
    long long t0, dt;
    txts t;
    sq_status st;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
        SQ_CHECK(0, "silent UDP socket");
        return;
    }
    snprintf(servers, sizeof(servers), "127.0.0.1:%u", ntohs(sin.sin_port));
    SQ_CHECK(wn_dns_new(servers, 600, &r, NULL) == SQ_OK, "new");
    memset(&t, 0, sizeof(t));
    t0 = now_ms();
    st = wn_dns_txt(r, "AS15169.asn.cymru.com", txt_add, &t, NULL);
    dt = now_ms() - t0;
    SQ_CHECK(st == SQ_ETIMEOUT, "silent server: %s", sq_strerror(st));
    SQ_CHECK(dt >= 500 && dt < 2500, "gave up after %lld ms", dt);
    wn_dns_free(r);
    close(fd);

    r = NULL;
    SQ_CHECK(wn_dns_new("127.0.0.1:5353,[::1]:53", 600, &r, NULL) == SQ_OK &&
                 r != NULL,
             "IPv4 and bracketed IPv6 servers with ports");
    wn_dns_free(r);
    r = NULL;
    SQ_CHECK(wn_dns_new("not a server list", 600, &r, NULL) == SQ_ECONFIG &&
                 r == NULL,
             "bad server list");
}

/* Threads at once: each its own DNS channel, HTTP and whois calls. */
enum { PAR_THREADS = 4, PAR_ROUNDS = 5 };

static void *
par_worker(void *arg)
{
    wn_limits lim = {5000, 1 << 20, 3};
    int *ok = arg;
    wn_dns *r = NULL;
    char url[512];

    snprintf(url, sizeof(url), "%s/status/418", rdap_url);
    if (wn_dns_new(dns_addr, 3000, &r, NULL) != SQ_OK)
        return NULL;
    for (int i = 0; i < PAR_ROUNDS; i++) {
        long status = 0, ra = 0;
        wn_buf b;
        txts t;

        if (wn_http_get(url, &lim, &status, &ra, &b, NULL) == SQ_OK) {
            *ok += status == 418;
            wn_buf_free(&b);
        }
        if (wn_whois_query(whois_host, whois_port, "parallel", &lim, &b,
                           NULL) == SQ_OK) {
            *ok += strstr(b.data, "%ERROR:101") != NULL;
            wn_buf_free(&b);
        }
        memset(&t, 0, sizeof(t));
        if (wn_dns_txt(r, "AS2856.asn.cymru.com", txt_add, &t, NULL) == SQ_OK)
            *ok += t.n == 1 && strncmp(t.rec[0], "2856 |", 6) == 0;
    }
    wn_dns_free(r);
    return NULL;
}

static void
test_parallel(void)
{
    pthread_t th[PAR_THREADS];
    int ok[PAR_THREADS] = {0}, total = 0, started = 0;
    int h0 = log_count("SQ_TEST_RDAP_LOG", "/status/418");
    int w0 = log_count("SQ_TEST_WHOIS_LOG", "parallel");

    for (int i = 0; i < PAR_THREADS; i++)
        started += pthread_create(&th[i], NULL, par_worker, &ok[i]) == 0;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        total += ok[i];
    }
    SQ_CHECK(started == PAR_THREADS && total == PAR_THREADS * PAR_ROUNDS * 3,
             "parallel exchanges: %d of %d", total,
             PAR_THREADS * PAR_ROUNDS * 3);
    if (h0 >= 0 && w0 >= 0) {
        SQ_CHECK(log_count("SQ_TEST_RDAP_LOG", "/status/418") - h0 ==
                     PAR_THREADS * PAR_ROUNDS,
                 "each HTTP request asked once");
        SQ_CHECK(log_count("SQ_TEST_WHOIS_LOG", "parallel") - w0 ==
                     PAR_THREADS * PAR_ROUNDS,
                 "each whois query asked once");
    }
}

static void
test_dns(void)
{
    wn_dns *r = NULL;
    sq_status st = wn_dns_new(dns_addr, 3000, &r, NULL);

    SQ_CHECK(st == SQ_OK, "wn_dns_new(%s): %s", dns_addr, sq_strerror(st));
    if (st != SQ_OK)
        return;
    test_dns_cymru(r);
    test_dns_contacts(r);
    test_dns_addrs_and_errors(r);
    wn_dns_free(r);
    test_dns_timeout();
}

int
main(void)
{
    const char *colon;

    rdap_url = getenv("SQ_TEST_RDAP_URL");
    whois_addr = getenv("SQ_TEST_WHOIS");
    dns_addr = getenv("SQ_TEST_DNS");
    if (rdap_url == NULL || whois_addr == NULL || dns_addr == NULL) {
        fprintf(stderr, "transport_test: skip: SQ_TEST_RDAP_URL, SQ_TEST_WHOIS "
                        "and SQ_TEST_DNS unset (run tests/it/transport.sh)\n");
        return SQTEST_SKIP;
    }
    colon = strrchr(whois_addr, ':');
    if (colon == NULL || (size_t)(colon - whois_addr) >= sizeof(whois_host)) {
        fprintf(stderr, "transport_test: SQ_TEST_WHOIS is not HOST:PORT\n");
        return 1;
    }
    memcpy(whois_host, whois_addr, (size_t)(colon - whois_addr));
    whois_port = (unsigned)strtoul(colon + 1, NULL, 10);

    test_http_recorded();
    test_http_headers_and_codes();
    test_http_faults();
    test_whois_recorded();
    test_whois_ipv6();
    test_whois_faults();
    test_dns();
    test_parallel();
    return sqtest_finish("transport_test");
}
