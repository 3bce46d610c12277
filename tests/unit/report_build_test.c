/*
 * report_build_test.c - every report format for real messages and log
 * lines: tests/data/report/secrets.eml (a message full of the
 * reporter's secrets in base64, quoted-printable, encoded words, an
 * attachment and a nested message), the SpamAssassin and rspamd sample
 * messages of the shared corpus (origin IP and time from sq_trace), and
 * sshd / iptables lines of the crowdsec corpus.
 *
 * Checked here: each format builds; no secret (configured or learned)
 * occurs in any byte of any report, nor in the decoded XARF evidence;
 * the XARF evidence hash is the sha256 of the decoded payload; ARF
 * shape and feedback fields; sha256 known vectors.
 *
 * `report_build_test --dump DIR` also writes every report to
 * DIR/<case>/<format> with secrets.txt beside them, for
 * tests/it/report_check.py (schema validation and an independent MIME
 * parser).
 */
#include "sqtest.h"

#include <jansson.h>
#include <squeaky/mail.h>
#include <squeaky/report.h>
#include <squeaky/trace.h>

#include <glib.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *dump_dir;
static int ncases;

/* How a case differs from the default. */
typedef struct case_opts {
    unsigned flags; /* SQ_REPORT_* for sq_report_build */
    unsigned sport; /* source port (0: unknown) */
    int fallback;   /* phishing/malware without URLs -> spam */
} case_opts;

static const case_opts defaults = {0, 0, 0};

static const char *const own_addresses[] = {"victim@secret.example",
                                            "other@secret.example"};
static const char *const own_hosts[] = {"mx.private.example", "sd-126005",
                                        "workshop.lan.example"};
static const char *const own_ips[] = {"198.51.100.77", "51.15.166.67"};

static sq_redactor *
make_redactor(const char *msg, size_t len)
{
    sq_redactor *r = NULL;

    if (sq_redactor_new(&r) != SQ_OK)
        return NULL;
    for (size_t i = 0; i < 2; i++)
        sq_redactor_add(r, SQ_SECRET_ADDRESS, own_addresses[i]);
    for (size_t i = 0; i < 3; i++)
        sq_redactor_add(r, SQ_SECRET_HOST, own_hosts[i]);
    for (size_t i = 0; i < 2; i++)
        sq_redactor_add(r, SQ_SECRET_IP, own_ips[i]);
    if (msg != NULL)
        sq_redactor_learn(r, msg, len, NULL);
    return r;
}

/* Case-insensitive search of [h, h+n) for s. */
static int
contains(const char *h, size_t n, const char *s)
{
    size_t k = strlen(s);

    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (g_ascii_strncasecmp(h + i, s, k) == 0)
            return 1;
    return 0;
}

/* The first secret found in [h, h+n), or NULL. */
static const char *
leaked(const sq_redactor *r, const char *h, size_t n)
{
    const char *s;

    for (size_t i = 0; (s = sq_redactor_secret(r, i, NULL)) != NULL; i++)
        if (contains(h, n, s))
            return s;
    return NULL;
}

static void
dump(const char *name, const char *file, const char *data, size_t len)
{
    char path[1024];
    FILE *f;

    if (dump_dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%s", dump_dir, name);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return;
    snprintf(path, sizeof(path), "%s/%s/%s", dump_dir, name, file);
    f = fopen(path, "wb");
    if (f == NULL)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

static void
dump_secrets(const char *name, const sq_redactor *r)
{
    GString *g = g_string_new(NULL);
    const char *s;
    sq_secret_kind k;

    for (size_t i = 0; (s = sq_redactor_secret(r, i, &k)) != NULL; i++)
        g_string_append_printf(g, "%d %s\n", (int)k, s);
    dump(name, "secrets.txt", g->str, g->len);
    g_string_free(g, TRUE);
}

/* XARF: evidence hash = sha256 of the decoded payload, no secret in it. */
static void
check_xarf(const char *name, const sq_redactor *r, const char *out, size_t len)
{
    json_error_t err;
    json_t *o = json_loadb(out, len, 0, &err), *ev;
    size_t i;

    SQ_CHECK(o != NULL, "%s: xarf is not JSON: %s", name, err.text);
    if (o == NULL)
        return;
    SQ_CHECK_STR(json_string_value(json_object_get(o, "xarf_version")), "4.2.0",
                 "%s", name);
    json_array_foreach(json_object_get(o, "evidence"), i, ev)
    {
        const char *p = json_string_value(json_object_get(ev, "payload"));
        const char *h = json_string_value(json_object_get(ev, "hash"));
        gsize n = 0;
        guchar *raw = g_base64_decode(p != NULL ? p : "", &n);
        char hex[65], want[80];
        const char *s = leaked(r, (const char *)raw, n);

        sq_sha256_hex(raw, n, hex);
        snprintf(want, sizeof(want), "sha256:%s", hex);
        SQ_CHECK_STR(h, want, "%s: evidence %zu hash", name, i);
        SQ_CHECK(s == NULL, "%s: secret %s in xarf evidence", name, s);
        g_free(raw);
    }
    json_decref(o);
}

static void
check_arf(const char *name, const sq_incident *inc, const char *out)
{
    char want[128];

    SQ_CHECK(strstr(out, "Content-Type: multipart/report") != NULL &&
                 strstr(out, "report-type=feedback-report") != NULL,
             "%s: ARF content type", name);
    SQ_CHECK(strstr(out, "Content-Type: message/feedback-report") != NULL,
             "%s: feedback part", name);
    snprintf(want, sizeof(want), "\nSource-IP: %s\n",
             sq_incident_get(inc, SQ_INC_SOURCE_IP, 0));
    SQ_CHECK(strstr(out, want) != NULL, "%s: Source-IP line", name);
    SQ_CHECK(strstr(out, "\nVersion: 1\n") != NULL, "%s: Version", name);
}

/* What the checker script compares the reports with. */
static void
dump_expect(const char *name, const sq_incident *inc, const case_opts *co,
            const char *original, size_t len)
{
    json_t *o =
        json_pack("{s:s, s:s, s:i, s:i, s:b}", "kind",
                  sq_report_kind_name(sq_incident_kind(inc)), "source_ip",
                  sq_incident_get(inc, SQ_INC_SOURCE_IP, 0), "nuri",
                  (int)sq_incident_count(inc, SQ_INC_URI), "source_port",
                  (int)co->sport, "headers_only",
                  (co->flags & SQ_REPORT_HEADERS_ONLY) != 0 ||
                      len > SQ_REPORT_MAX_EVIDENCE);
    char *s = json_dumps(o, 0);

    dump(name, "expect.json", s, strlen(s));
    if (original != NULL)
        dump(name, "original.eml", original, len);
    free(s);
    json_decref(o);
}

/* Build every format of inc; check and dump them. */
static void
build_all(const char *name, const sq_incident *inc, const sq_redactor *r,
          const case_opts *co, const char *original, size_t len)
{
    ncases++;
    dump_secrets(name, r);
    dump_expect(name, inc, co, original, len);
    for (int f = 0; f < SQ_FORMAT_MAX; f++) {
        const char *fmt = sq_report_format_name((sq_report_format)f);
        sq_diag *d = sq_diag_new();
        char *out = NULL;
        size_t olen = 0;
        sq_status st = sq_report_build(inc, (sq_report_format)f, co->flags,
                                       NULL, d, &out, &olen);
        const char *s;

        if (f == SQ_FORMAT_ARF &&
            sq_incident_count(inc, SQ_INC_EVIDENCE_LINE)) {
            SQ_CHECK(st == SQ_EINVAL && sq_diag_count(d) == 1,
                     "%s: ARF of log lines refused", name);
            sq_diag_free(d);
            continue;
        }
        SQ_CHECK(st == SQ_OK, "%s: %s: %s (%s)", name, fmt, sq_strerror(st),
                 sq_diag_count(d) ? sq_diag_message(d, 0) : "");
        if (st == SQ_OK) {
            s = leaked(r, out, olen);
            SQ_CHECK(s == NULL, "%s: %s: secret \"%s\" leaked", name, fmt, s);
            SQ_CHECK(strlen(out) == olen, "%s: %s: NUL in output", name, fmt);
            if (f == SQ_FORMAT_XARF)
                check_xarf(name, r, out, olen);
            if (f == SQ_FORMAT_ARF)
                check_arf(name, inc, out);
            dump(name, f == SQ_FORMAT_XARF ? "xarf.json" : fmt, out, olen);
        }
        free(out);
        sq_diag_free(d);
    }
}

static void
set_reporter(sq_incident *inc)
{
    sq_incident_add(inc, SQ_INC_REPORTER_NAME, "Abuse Team Example");
    sq_incident_add(inc, SQ_INC_REPORTER_ADDR, "reports@reporter.example");
    sq_incident_add(inc, SQ_INC_REPORTER_ORG, "Reporter Example Ltd");
    sq_incident_add(inc, SQ_INC_DEST_ADDR, "abuse@network.example");
    sq_incident_add(inc, SQ_INC_NETWORK, "EXAMPLE-NET");
    sq_incident_add(inc, SQ_INC_ASN, "AS64500");
}

/* Origin IP and time of a message from the trace module. */
static void
trace_origin(const char *msg, size_t len, sq_incident *inc)
{
    sq_trace_opts *o = NULL;
    sq_headers *h = NULL;
    sq_trace *t = NULL;
    const char *ip = NULL;
    size_t hop = 0;
    long long when = 0;

    if (sq_trace_opts_new(NULL, &o, NULL) == SQ_OK &&
        sq_headers_parse(msg, len, NULL, &h) == SQ_OK &&
        sq_trace_run(o, h, &t) == SQ_OK &&
        sq_trace_origin(t, &ip, &hop, NULL, NULL) &&
        sq_incident_add(inc, SQ_INC_SOURCE_IP, ip) == SQ_OK) {
        when = sq_relay_time(sq_trace_relay(t, hop > 0 ? hop - 1 : 0));
    } else {
        sq_incident_add(inc, SQ_INC_SOURCE_IP, "192.0.2.1");
    }
    sq_incident_set_time(inc, when > 0 ? when : 1700000000, 0, 60);
    sq_trace_free(t);
    sq_headers_free(h);
    sq_trace_opts_free(o);
}

/* A message case from memory. */
static void
message_case_mem(const char *name, const char *msg, size_t len,
                 sq_report_kind kind, const case_opts *co)
{
    sq_incident *inc = NULL;
    sq_redactor *r = make_redactor(msg, len);
    sq_urlset *u = NULL;

    if (co->fallback && kind != SQ_KIND_SPAM &&
        (sq_urls_extract(msg, len, &u) != SQ_OK || sq_urlset_count(u) == 0))
        kind = SQ_KIND_SPAM; /* XARF content types need a URL */
    sq_urlset_free(u);
    u = NULL;
    sq_incident_new(kind, &inc);
    set_reporter(inc);
    trace_origin(msg, len, inc);
    if (co->sport > 0)
        sq_incident_set_ports(inc, co->sport, 25);
    if (sq_urls_extract(msg, len, &u) == SQ_OK) {
        for (size_t i = 0; i < sq_urlset_count(u) && i < 8; i++) {
            sq_incident_add(inc, SQ_INC_URI, sq_urlset_url(u, i));
            /* "" for IP literals: the builders skip it */
            sq_incident_add(inc, SQ_INC_DOMAIN, sq_urlset_domain(u, i));
        }
    }
    sq_urlset_free(u);
    sq_incident_set_message(inc, msg, len);
    sq_incident_set_redactor(inc, r);
    build_all(name, inc, r, co, msg, len);
    sq_incident_free(inc);
    sq_redactor_free(r);
}

static void
message_case(const char *name, const char *path, sq_report_kind kind,
             const case_opts *co)
{
    size_t len = 0;
    char *msg = sqtest_slurp(path, &len);

    SQ_CHECK(msg != NULL, "%s: read %s", name, path);
    if (msg != NULL)
        message_case_mem(name, msg, len, kind, co);
    free(msg);
}

/* A message over SQ_REPORT_MAX_EVIDENCE: attached as its header block. */
static void
big_message_case(const char *path)
{
    size_t len = 0;
    char *msg = sqtest_slurp(path, &len);
    GString *g;

    if (msg == NULL)
        return;
    g = g_string_new_len(msg, (gssize)len);
    while (g->len <= SQ_REPORT_MAX_EVIDENCE)
        g_string_append(g, "filler line of a huge message body, no secrets\n");
    message_case_mem("secrets-huge", g->str, g->len, SQ_KIND_SPAM, &defaults);
    g_string_free(g, TRUE);
    free(msg);
}

static void
log_case(const char *name, sq_report_kind kind, const char *const *lines,
         const char *ip, unsigned sport, unsigned dport, const char *dip)
{
    sq_incident *inc = NULL;
    sq_redactor *r = make_redactor(NULL, 0);
    case_opts co = {0, sport, 0};

    sq_incident_new(kind, &inc);
    set_reporter(inc);
    sq_incident_add(inc, SQ_INC_SOURCE_IP, ip);
    sq_incident_add(inc, SQ_INC_DEST_IP, dip);
    sq_incident_add(inc, SQ_INC_SERVICE, dport == 22 ? "ssh" : "unknown");
    sq_incident_set_ports(inc, sport, dport);
    sq_incident_set_time(inc, 1707747021, 1707747621, 0);
    for (size_t i = 0; lines[i] != NULL; i++)
        sq_incident_add(inc, SQ_INC_EVIDENCE_LINE, lines[i]);
    sq_incident_set_count(inc, 3);
    sq_incident_set_redactor(inc, r);
    build_all(name, inc, r, &co, NULL, 0);
    sq_incident_free(inc);
    sq_redactor_free(r);
}

/* Bad values are refused with SQ_EINVAL; builders say what is missing. */
static void
api_errors(void)
{
    sq_incident *inc = NULL;
    sq_diag *d = sq_diag_new();
    char *out = NULL;
    size_t n = 0;
    sq_report_format f;
    sq_report_kind k;

    sq_incident_new(SQ_KIND_LOGIN_ATTACK, &inc);
    SQ_CHECK(sq_incident_add(inc, SQ_INC_SOURCE_IP, "999.1.1.1") == SQ_EINVAL,
             "a bad source IP is refused");
    SQ_CHECK(sq_incident_add(inc, SQ_INC_MAIL_FROM, "a@b\r\nBcc: x@y") ==
                 SQ_EINVAL,
             "a value with CR LF is refused (header injection)");
    SQ_CHECK(sq_incident_add(inc, SQ_INC_FIELD_MAX, "x") == SQ_EINVAL,
             "an unknown field is refused");
    SQ_CHECK(sq_report_build(inc, SQ_FORMAT_XARF, 0, NULL, d, &out, &n) ==
                     SQ_EINVAL &&
                 strstr(sq_diag_message(d, 0), "no source IP") != NULL,
             "no source: %s", sq_diag_message(d, 0));
    sq_incident_add(inc, SQ_INC_SOURCE_IP, "192.0.2.7");
    sq_incident_add(inc, SQ_INC_REPORTER_ADDR, "r@reporter.example");
    sq_incident_add(inc, SQ_INC_EVIDENCE_LINE, "sshd: Failed password");
    sq_diag_clear(d);
    SQ_CHECK(sq_report_build(inc, SQ_FORMAT_XARF, 0, NULL, d, &out, &n) ==
                     SQ_EINVAL &&
                 strstr(sq_diag_message(d, 0), "needs the source port") != NULL,
             "login_attack without a port: %s", sq_diag_message(d, 0));
    SQ_CHECK(out == NULL, "out untouched on failure");
    sq_incident_set_ports(inc, 50000, 22);
    SQ_CHECK(sq_report_build(inc, SQ_FORMAT_XARF, 0, NULL, d, &out, &n) ==
                 SQ_OK,
             "login_attack with a port");
    free(out);
    SQ_CHECK(sq_report_format_parse("x-arf", &f) == SQ_OK &&
                 f == SQ_FORMAT_XARF02,
             "format names");
    SQ_CHECK(sq_report_kind_parse("port_scan", &k) == SQ_OK &&
                 k == SQ_KIND_PORT_SCAN &&
                 sq_report_kind_parse("nope", &k) == SQ_EINVAL,
             "kind names");
    sq_incident_free(inc);
    sq_diag_free(d);
}

static void
sha256_vectors(void)
{
    char hex[65];
    static const char million_a_prefix[] = "abcdbcdecdefdefgefghfghighijhijki"
                                           "jkljklmklmnlmnomnopnopq";

    sq_sha256_hex("", 0, hex);
    SQ_CHECK_STR(
        hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256 of the empty string (FIPS 180-2)");
    sq_sha256_hex("abc", 3, hex);
    SQ_CHECK_STR(
        hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256 of abc (FIPS 180-2)");
    sq_sha256_hex(million_a_prefix, strlen(million_a_prefix), hex);
    SQ_CHECK_STR(
        hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        "sha256 of the 448-bit message (FIPS 180-2)");
}

static void
corpus_cases(void)
{
    static const case_opts corpus_opts = {0, 0, 1};
    static const char *const dirs[] = {"received/spamassassin/messages/spam",
                                       "received/rspamd/messages"};
    char dir[1024], path[1200], name[300];

    for (size_t k = 0; k < 2; k++) {
        GDir *gd;
        const char *e;
        int i = 0;

        snprintf(dir, sizeof(dir), "%s/%s", SQ_CORPORA_DIR, dirs[k]);
        gd = g_dir_open(dir, 0, NULL);
        if (gd == NULL)
            continue;
        while ((e = g_dir_read_name(gd)) != NULL) {
            snprintf(path, sizeof(path), "%s/%s", dir, e);
            if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
                continue;
            snprintf(name, sizeof(name), "%s-%s", k == 0 ? "sa" : "rspamd", e);
            message_case(name, path, (sq_report_kind)(i++ % 3), &corpus_opts);
        }
        g_dir_close(gd);
    }
}

int
main(int argc, char **argv)
{
    static const char *const ssh[] = {
        "Feb 12 14:10:21 sd-126005 sshd[16378]: Invalid user pascal from "
        "35.188.49.176 port 53502",
        "Feb 12 14:10:22 sd-126005 sshd[16378]: Invalid user admin from "
        "35.188.49.176 port 53502",
        NULL};
    static const char *const ipt[] = {
        "Jun  8 14:34:33 sd-126005 kernel: [50028442.088484] IN=enp1s0 OUT= "
        "MAC=00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00 SRC=195.54.160.107 "
        "DST=51.15.166.67 LEN=40 TOS=0x00 PREC=0x00 TTL=245 ID=37308 "
        "PROTO=TCP SPT=8080 DPT=8123 WINDOW=1024 RES=0x00 SYN URGP=0",
        NULL};
    static const case_opts with_port = {0, 40123, 0};
    static const case_opts headers_only = {SQ_REPORT_HEADERS_ONLY, 0, 0};
    char path[1024];

    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        dump_dir = argv[2];
    sha256_vectors();
    snprintf(path, sizeof(path), "%s/report/secrets.eml", SQ_TEST_DATA_DIR);
    message_case("secrets-spam", path, SQ_KIND_SPAM, &defaults);
    message_case("secrets-spam-port", path, SQ_KIND_SPAM, &with_port);
    message_case("secrets-headers-only", path, SQ_KIND_SPAM, &headers_only);
    message_case("secrets-phishing", path, SQ_KIND_PHISHING, &defaults);
    message_case("secrets-malware", path, SQ_KIND_MALWARE, &defaults);
    big_message_case(path);
    api_errors();
    log_case("sshd-login", SQ_KIND_LOGIN_ATTACK, ssh, "35.188.49.176", 53502,
             22, "51.15.166.67");
    log_case("iptables-scan", SQ_KIND_PORT_SCAN, ipt, "195.54.160.107", 8080,
             8123, "51.15.166.67");
    log_case("iptables-vulnscan", SQ_KIND_VULN_SCAN, ipt, "195.54.160.107",
             8080, 8123, "203.0.113.5");
    log_case("iptables-sqli", SQ_KIND_SQL_INJECTION, ipt, "195.54.160.107", 0,
             80, "203.0.113.5");
    corpus_cases();
    printf("report_build_test: %d cases\n", ncases);
    return sqtest_finish("report_build_test");
}
