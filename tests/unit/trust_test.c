/*
 * trust_test.c - the trust path (sq_trace_run) against SpamAssassin
 * 4.0.1's labelled vectors and our own table of cases.
 *
 * Data (copied into tests/data/trust/, see the README there):
 *   spamassassin/trust_path.jsonl       t/trust_path.t, 32 cases; the
 *       trusted and untrusted relay lists are compared field for field.
 *       Cases flagged Patricia-Failure or Lint-Error are unspecified
 *       upstream: they are run and printed, never failed.
 *   spamassassin/messages_labels.jsonl  per message, SpamAssassin 4.0.1's
 *       relay lists with default trust (sa401_default_trust) and with
 *       the upstream test's config (sa401_test_config): our first
 *       untrusted relay must equal first_untrusted_ip; full-list
 *       differences are printed as information.
 *   rspamd/messages_labels.jsonl  rspamd's external-relay functional
 *       tests; strategies that map to our model (local, authenticated,
 *       ip_map and external_relay as trusted_networks) must give the
 *       expected external relay as our first untrusted relay.
 */
#include "sqtest.h"

#include <jansson.h>
#include <squeaky/config.h>
#include <squeaky/mail.h>
#include <squeaky/net.h>
#include <squeaky/trace.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORIG_HEADERS                                                           \
    "X-Yahoo-Post-IP X-Originating-IP X-Apparently-From X-SenderIP "           \
    "X-AOL-IP X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"

static int verbose;

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static const char *
data_path(const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/trust/%s", SQ_TEST_DATA_DIR, rel);
    return buf;
}

/* Config from key/value pairs (NULL-terminated); NULL on error. */
static sq_config *
make_config(const char *const *kv)
{
    sq_config *cfg = NULL;
    sq_diag *d = sq_diag_new();

    if (sq_config_new(&cfg) != SQ_OK)
        return NULL;
    for (size_t i = 0; kv[i] != NULL; i += 2) {
        if (sq_config_set(cfg, kv[i], kv[i + 1], d) != SQ_OK) {
            for (size_t j = 0; j < sq_diag_count(d); j++)
                fprintf(stderr, "  config: %s\n", sq_diag_message(d, j));
        }
    }
    sq_diag_free(d);
    return cfg;
}

/* Run the trace over a header text; NULL (with a message) on failure. */
static sq_trace *
run_trace(const sq_config *cfg, const char *msg, size_t len)
{
    sq_trace_opts *o = NULL;
    sq_headers *h = NULL;
    sq_trace *t = NULL;
    sq_diag *d = sq_diag_new();
    sq_status st = sq_trace_opts_new(cfg, &o, d);

    if (st != SQ_OK) {
        fprintf(stderr, "  opts: %s", sq_strerror(st));
        for (size_t j = 0; j < sq_diag_count(d); j++)
            fprintf(stderr, " [%s]", sq_diag_message(d, j));
        fputc('\n', stderr);
    } else if ((st = sq_headers_parse(msg, len, cfg, &h)) != SQ_OK) {
        fprintf(stderr, "  headers: %s\n", sq_strerror(st));
    } else if ((st = sq_trace_run(o, h, &t)) != SQ_OK) {
        fprintf(stderr, "  trace: %s\n", sq_strerror(st));
    }
    sq_headers_free(h);
    sq_trace_opts_free(o);
    sq_diag_free(d);
    return t;
}

static int
ip_equal(const char *a, const char *b)
{
    char ca[64], cb[64];

    if (sq_ip_canon(a, strlen(a), ca, sizeof(ca)) != SQ_OK ||
        sq_ip_canon(b, strlen(b), cb, sizeof(cb)) != SQ_OK)
        return strcmp(a, b) == 0;
    return strcmp(ca, cb) == 0;
}

static void
print_relay(const char *tag, const sq_relay *r)
{
    printf("    %s [ ip=%s rdns=%s helo=%s by=%s ident=%s envfrom=%s "
           "intl=%d id=%s auth=%s msa=%d ] notes=%s\n",
           tag, sq_relay_get(r, SQ_RELAY_IP), sq_relay_get(r, SQ_RELAY_RDNS),
           sq_relay_get(r, SQ_RELAY_HELO), sq_relay_get(r, SQ_RELAY_BY),
           sq_relay_get(r, SQ_RELAY_IDENT), sq_relay_get(r, SQ_RELAY_ENVFROM),
           sq_relay_internal(r), sq_relay_get(r, SQ_RELAY_ID),
           sq_relay_get(r, SQ_RELAY_AUTH), sq_relay_msa(r),
           sq_relay_get(r, SQ_RELAY_NOTES));
}

/* The relay fields SpamAssassin's relay strings compare. */
static const sq_relay_field fields[] = {
    SQ_RELAY_IP,    SQ_RELAY_RDNS,    SQ_RELAY_HELO, SQ_RELAY_BY,
    SQ_RELAY_IDENT, SQ_RELAY_ENVFROM, SQ_RELAY_ID,   SQ_RELAY_AUTH,
};

static const char *
jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s == NULL ? "" : s;
}

/* Mismatches between one relay and its expectation (printed). */
static int
relay_diff(const sq_relay *r, json_t *want, const char *where)
{
    int bad = 0;
    const char *intl = json_object_get(want, "intl") != NULL
                           ? jstr(want, "intl")
                           : jstr(want, "internal");

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *g = sq_relay_get(r, fields[i]);
        const char *w = jstr(want, sq_relay_field_name(fields[i]));
        int ok = fields[i] == SQ_RELAY_IP ? ip_equal(g, w) : strcmp(g, w) == 0;

        if (!ok) {
            printf("    %s: %s got \"%s\" want \"%s\"\n", where,
                   sq_relay_field_name(fields[i]), g, w);
            bad++;
        }
    }
    if (sq_relay_msa(r) != (strcmp(jstr(want, "msa"), "1") == 0)) {
        printf("    %s: msa got %d want %s\n", where, sq_relay_msa(r),
               jstr(want, "msa"));
        bad++;
    }
    if (intl[0] != '\0' && sq_relay_internal(r) != (strcmp(intl, "1") == 0)) {
        printf("    %s: intl got %d want %s\n", where, sq_relay_internal(r),
               intl);
        bad++;
    }
    return bad;
}

/* Compare the relays with trusted == want_trusted against a list. */
static int
list_diff(const sq_trace *t, int want_trusted, json_t *list, const char *tag,
          int fields_too)
{
    size_t k = 0, n = json_array_size(list);
    int bad = 0;
    char where[64];

    for (size_t i = 0; i < sq_trace_relay_count(t); i++) {
        const sq_relay *r = sq_trace_relay(t, i);

        if (sq_relay_trusted(r) != want_trusted)
            continue;
        snprintf(where, sizeof(where), "%s[%zu]", tag, k);
        if (k >= n) {
            printf("    %s: extra relay %s\n", where,
                   sq_relay_get(r, SQ_RELAY_IP));
            bad++;
        } else if (fields_too) {
            bad += relay_diff(r, json_array_get(list, k), where);
        } else if (!ip_equal(sq_relay_get(r, SQ_RELAY_IP),
                             jstr(json_array_get(list, k), "ip"))) {
            printf("    %s: ip got %s want %s\n", where,
                   sq_relay_get(r, SQ_RELAY_IP),
                   jstr(json_array_get(list, k), "ip"));
            bad++;
        }
        k++;
    }
    for (; k < n; k++) {
        printf("    %s[%zu]: missing relay %s\n", tag, k,
               jstr(json_array_get(list, k), "ip"));
        bad++;
    }
    return bad;
}

static void
print_trace(const sq_trace *t)
{
    const char *ip, *reason;
    size_t hop;
    sq_confidence c;

    for (size_t i = 0; i < sq_trace_relay_count(t); i++)
        print_relay(sq_relay_trusted(sq_trace_relay(t, i)) ? "T" : "U",
                    sq_trace_relay(t, i));
    if (sq_trace_origin(t, &ip, &hop, &c, &reason))
        printf("    origin %s hop %zu %s: %s\n", ip, hop + 1,
               sq_confidence_name(c), reason);
    for (size_t i = 0; i < sq_trace_warning_count(t); i++)
        printf("    warning: %s\n", sq_trace_warning(t, i));
}

/* ------------------------------------------------------------------ */
/* SpamAssassin t/trust_path.t                                        */

static int
has_flag(json_t *c, const char *flag)
{
    json_t *f = json_object_get(c, "flags");

    for (size_t i = 0; i < json_array_size(f); i++)
        if (strcmp(json_string_value(json_array_get(f, i)), flag) == 0)
            return 1;
    return 0;
}

static void
trust_path_case(json_t *c, int *pass, int *fail, int *unspec)
{
    json_t *conf = json_object_get(c, "config");
    const char *kv[16];
    size_t n = 0, len;
    const char *k, *hdrs = jstr(c, "headers");
    json_t *v;
    int loose = has_flag(c, "Patricia-Failure") || has_flag(c, "Lint-Error");
    int id = (int)json_integer_value(json_object_get(c, "id")), bad;
    sq_config *cfg;
    sq_trace *t;

    json_object_foreach(conf, k, v)
    {
        if (n + 4 < sizeof(kv) / sizeof(kv[0])) {
            kv[n++] = k;
            kv[n++] = json_string_value(v);
        }
    }
    kv[n++] = "originating_ip_headers";
    kv[n++] = ORIG_HEADERS;
    kv[n] = NULL;
    cfg = make_config(kv);
    len = strlen(hdrs);
    t = cfg == NULL ? NULL : run_trace(cfg, hdrs, len);
    if (t == NULL) {
        bad = 1;
        printf("  case %d: no trace\n", id);
    } else {
        bad = list_diff(t, 1, json_object_get(c, "expect_trusted"), "trusted",
                        1) +
              list_diff(t, 0, json_object_get(c, "expect_untrusted"),
                        "untrusted", 1);
    }
    if (loose) {
        (*unspec)++;
        printf("  case %d (unspecified upstream: %s): %s\n", id,
               jstr(c, "comment"), bad ? "differs from SA 4.0.1" : "as SA");
        if (t != NULL)
            print_trace(t);
    } else {
        SQ_CHECK(bad == 0, "trust_path case %d: %s", id, jstr(c, "comment"));
        if (bad == 0)
            (*pass)++;
        else
            (*fail)++;
        if (bad && t != NULL)
            print_trace(t);
    }
    sq_trace_free(t);
    sq_config_free(cfg);
}

static void
test_trust_path(void)
{
    char path[1024];
    FILE *f = fopen(
        data_path("spamassassin/trust_path.jsonl", path, sizeof(path)), "r");
    char *line = NULL;
    size_t cap = 0;
    int pass = 0, fail = 0, unspec = 0;

    SQ_CHECK(f != NULL, "cannot open %s", path);
    if (f == NULL)
        return;
    while (getline(&line, &cap, f) > 0) {
        json_t *c = json_loads(line, 0, NULL);

        if (c == NULL)
            continue;
        trust_path_case(c, &pass, &fail, &unspec);
        json_decref(c);
    }
    free(line);
    fclose(f);
    printf("trust_path.jsonl: %d/%d specified cases pass, %d unspecified "
           "run\n",
           pass, pass + fail, unspec);
}

/* ------------------------------------------------------------------ */
/* SpamAssassin messages with computed labels                         */

/* Apply SpamAssassin config lines ("key values", "clear_key"). */
static sq_config *
sa_config(const char *text)
{
    static const char *const keys[] = {"trusted_networks", "internal_networks",
                                       "msa_networks",
                                       "originating_ip_headers"};
    char val[4][1024] = {{0}};
    const char *kv[16];
    size_t n = 0;
    const char *p = text;

    while (*p != '\0') {
        size_t ll = strcspn(p, "\n");

        for (size_t i = 0; i < 4; i++) {
            size_t kl = strlen(keys[i]);

            if (ll > 6 && strncmp(p, "clear_", 6) == 0 && ll - 6 == kl &&
                strncmp(p + 6, keys[i], kl) == 0)
                val[i][0] = '\0';
            if (ll > kl && strncmp(p, keys[i], kl) == 0 && p[kl] == ' ') {
                size_t vl = strlen(val[i]);

                snprintf(val[i] + vl, sizeof(val[i]) - vl, "%s%.*s",
                         vl ? " " : "", (int)(ll - kl - 1), p + kl + 1);
            }
        }
        p += ll + (p[ll] == '\n');
    }
    for (size_t i = 0; i < 4; i++) {
        kv[n++] = keys[i];
        kv[n++] = val[i];
    }
    kv[n] = NULL;
    return make_config(kv);
}

static const char *
our_first_untrusted(const sq_trace *t)
{
    for (size_t i = 0; t != NULL && i < sq_trace_relay_count(t); i++)
        if (!sq_relay_trusted(sq_trace_relay(t, i)))
            return sq_relay_get(sq_trace_relay(t, i), SQ_RELAY_IP);
    return "";
}

/* 1 when our first untrusted relay is the labelled one. */
static int
message_case(const char *file, json_t *lab, const sq_config *cfg,
             const char *tag, int *list_bad)
{
    char path[1024], rel[600];
    size_t len = 0;
    char *msg;
    sq_trace *t;
    const char *want = jstr(lab, "first_untrusted_ip"), *got;
    int ok, lists;

    snprintf(rel, sizeof(rel), "spamassassin/%s", file);
    msg = sqtest_slurp(data_path(rel, path, sizeof(path)), &len);
    if (msg == NULL) {
        printf("  %s: cannot read %s\n", tag, path);
        return 0;
    }
    t = run_trace(cfg, msg, len);
    got = our_first_untrusted(t);
    ok = t != NULL && ((want[0] == '\0' && got[0] == '\0') ||
                       (want[0] != '\0' && ip_equal(got, want)));
    if (!ok)
        printf("  %s %s: first untrusted got \"%s\" want \"%s\"\n", tag, file,
               got, want);
    lists = t == NULL
                ? 1
                : list_diff(t, 1, json_object_get(lab, "relays_trusted"),
                            "trusted", 0) +
                      list_diff(t, 0, json_object_get(lab, "relays_untrusted"),
                                "untrusted", 0);
    if (lists) {
        (*list_bad)++;
        printf("  %s %s: relay lists differ (above)\n", tag, file);
    }
    if ((!ok || lists || verbose) && t != NULL)
        print_trace(t);
    sq_trace_free(t);
    free(msg);
    return ok;
}

static void
test_messages(void)
{
    static const char *const dflt[] = {"originating_ip_headers", "", NULL};
    char path[1024];
    FILE *f = fopen(
        data_path("spamassassin/messages_labels.jsonl", path, sizeof(path)),
        "r");
    char *line = NULL;
    size_t cap = 0;
    int n = 0, pass = 0, tn = 0, tpass = 0, lbad = 0, tlbad = 0;
    sq_config *cfg = make_config(dflt);

    SQ_CHECK(f != NULL && cfg != NULL, "cannot open %s", path);
    while (f != NULL && getline(&line, &cap, f) > 0) {
        json_t *c = json_loads(line, 0, NULL), *lab;
        const char *file = jstr(c, "file");

        if ((lab = json_object_get(c, "sa401_default_trust")) != NULL) {
            int ok = message_case(file, lab, cfg, "default", &lbad);

            SQ_CHECK(ok, "default trust: %s", file);
            n++;
            pass += ok;
        }
        if ((lab = json_object_get(c, "sa401_test_config")) != NULL) {
            sq_config *tc = sa_config(jstr(lab, "config"));
            int ok = message_case(file, lab, tc, "test-config", &tlbad);

            SQ_CHECK(ok, "test config: %s", file);
            tn++;
            tpass += ok;
            sq_config_free(tc);
        }
        json_decref(c);
    }
    free(line);
    if (f != NULL)
        fclose(f);
    sq_config_free(cfg);
    printf("messages default trust: first untrusted %d/%d, full relay "
           "lists (ip) %d/%d\n",
           pass, n, n - lbad, n);
    printf("messages test config: first untrusted %d/%d, full relay lists "
           "(ip) %d/%d\n",
           tpass, tn, tn - tlbad, tn);
}

/* ------------------------------------------------------------------ */
/* rspamd external-relay functional tests                             */

/* trusted_networks for an rspamd strategy that maps to our model, or
 * NULL when it does not map ("count", "hostname_map"). */
static const char *
rspamd_trust(json_t *c, char *buf, size_t len)
{
    const char *strategy = jstr(c, "strategy");
    json_t *sc = json_object_get(c, "strategy_config"), *list = NULL;
    size_t o = 0;

    buf[0] = '\0';
    if (strcmp(strategy, "local") == 0 ||
        strcmp(strategy, "authenticated") == 0)
        return buf; /* inferred trust; auth markers extend it */
    if (strcmp(strategy, "ip_map") == 0)
        list = json_object_get(sc, "ip_map");
    else if (strncmp(strategy, "options.external_relay", 22) == 0)
        list = json_object_get(sc, "external_relay");
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < json_array_size(list) && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "",
                              json_string_value(json_array_get(list, i)));
    return buf;
}

static void
rspamd_case(json_t *c, int *n, int *pass, int *skipped)
{
    char nets[256], path[1024], rel[600];
    const char *tn = rspamd_trust(c, nets, sizeof(nets));
    json_t *want = json_object_get(c, "expect_external_relay");
    const char *kv[] = {"trusted_networks", tn, NULL};
    sq_config *cfg;
    sq_trace *t = NULL;
    size_t len = 0;
    char *msg;
    int ok;

    if (tn == NULL) {
        (*skipped)++;
        printf("  rspamd %s: strategy \"%s\" has no equivalent; skipped\n",
               jstr(c, "file"), jstr(c, "strategy"));
        return;
    }
    snprintf(rel, sizeof(rel), "rspamd/%s", jstr(c, "file"));
    msg = sqtest_slurp(data_path(rel, path, sizeof(path)), &len);
    cfg = make_config(kv);
    if (msg != NULL && cfg != NULL)
        t = run_trace(cfg, msg, len);
    ok = t != NULL && ip_equal(our_first_untrusted(t), jstr(want, "ip"));
    SQ_CHECK(ok, "rspamd %s: first untrusted %s want %s", jstr(c, "file"),
             t ? our_first_untrusted(t) : "(none)", jstr(want, "ip"));
    if (!ok && t != NULL)
        print_trace(t);
    (*n)++;
    *pass += ok;
    sq_trace_free(t);
    sq_config_free(cfg);
    free(msg);
}

static void
test_rspamd(void)
{
    char path[1024];
    FILE *f = fopen(
        data_path("rspamd/messages_labels.jsonl", path, sizeof(path)), "r");
    char *line = NULL;
    size_t cap = 0;
    int n = 0, pass = 0, skipped = 0;

    SQ_CHECK(f != NULL, "cannot open %s", path);
    while (f != NULL && getline(&line, &cap, f) > 0) {
        json_t *c = json_loads(line, 0, NULL);

        if (c != NULL)
            rspamd_case(c, &n, &pass, &skipped);
        json_decref(c);
    }
    free(line);
    if (f != NULL)
        fclose(f);
    printf("rspamd external relay: %d/%d mapped cases pass, %d not "
           "mappable\n",
           pass, n, skipped);
}

/* ------------------------------------------------------------------ */
/* our own cases                                                      */

#define D "; Mon, 1 Jan 2024 10:00:00 +0000\n"

typedef struct own_case {
    const char *name;
    const char *trusted_networks;
    const char *by_hosts;
    const char *headers;
    const char *origin;  /* "" = no origin */
    const char *conf;    /* confidence name when origin */
    int ntrusted;        /* -1 = do not check */
    int nrelays;         /* -1 = do not check */
    int note_hop;        /* relay index holding note, -1 none */
    const char *note;    /* word expected in that relay's notes */
    const char *warning; /* substring of some warning, or NULL */
} own_case;

static const own_case own_cases[] = {
    {"chain break below origin lowers confidence", "10.0.0.0/8", "",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "Received: from pc.bogus.test (pc.bogus.test [45.33.32.156]) by "
     "totally.other.com (Postfix) with ESMTP id C3" D "\n",
     "81.2.69.142", "low", 1, 3, 2, "chain-break", "chain break"},
    {"continuous chain with configured boundary is high", "10.0.0.0/8", "",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "Received: from pc.sender.org (pc.sender.org [45.33.32.156]) by "
     "smtp.sender.org (Postfix) with ESMTP id C3" D "\n",
     "81.2.69.142", "high", 1, 3, -1, NULL, NULL},
    {"originating header ignored when an untrusted relay exists", "", "",
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "X-Originating-IP: [45.33.32.156]\n\n",
     "81.2.69.142", "medium", 0, 1, -1, NULL, "ignored"},
    {"originating header used when every relay is trusted", "", "",
     "Received: from web.example.net (web.example.net [10.0.0.7]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "X-Originating-IP: [45.33.32.156]\n\n",
     "45.33.32.156", "medium", 1, 2, 1, "originating-header", NULL},
    {"CrossTenant header via a trusted outlook.com relay", "", "",
     "Received: from AM0PR01MB1.eurprd01.prod.outlook.com "
     "(AM0PR01MB1.eurprd01.prod.outlook.com [10.1.2.3]) by "
     "AM0PR01MB2.eurprd01.prod.outlook.com (Postfix) with ESMTP id X1" D
     "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: "
     "45.33.32.156\n\n",
     "45.33.32.156", "medium", 1, 2, 1, "originating-header", NULL},
    {"CrossTenant header ignored without a Microsoft relay", "", "",
     "Received: from web.example.net (web.example.net [10.1.2.3]) by "
     "mx.example.net (Postfix) with ESMTP id X1" D
     "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: "
     "45.33.32.156\n\n",
     "", NULL, 1, 1, -1, NULL, "outlook.com"},
    {"HELO IP literal is not the origin", "", "",
     "Received: from [45.33.32.156] (unknown [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id A1" D "\n",
     "81.2.69.142", "low", 0, 1, 0, "forged-helo", "forged"},
    {"IPv6 origin", "", "",
     "Received: from mail.sender.org (mail.sender.org "
     "[IPv6:2a00:1450:4864:20::42f]) by mx.example.net (Postfix) with "
     "ESMTPS id A1" D "\n",
     "2a00:1450:4864:20::42f", "medium", 0, 1, -1, NULL, NULL},
    {"private first untrusted relay is skipped", "10.0.0.0/8", "",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from gw.lan.example (gw.lan.example [192.168.7.7]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "gw.lan.example (Postfix) with ESMTP id C3" D "\n",
     "81.2.69.142", "medium", 1, 3, 1, "private-skipped", NULL},
    {"trusted_by_hosts boundary is high confidence", "",
     "mx.example.net mail.example.net",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D "\n",
     "81.2.69.142", "high", 1, 2, -1, NULL, NULL},
    {"trusted_by_hosts that do not meet the origin give medium", "",
     "elsewhere.example.com",
     "Received: from relay.sender.org (relay.sender.org [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D "\n",
     "81.2.69.142", "medium", 0, 1, -1, NULL, NULL},
    {"private hops past our own hosts are not trusted", "", ".example.net",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from relay.other.org (relay.other.org [10.9.9.9]) by "
     "mx.example.net (Postfix) with ESMTP id B2" D
     "Received: from pc.other.org (pc.other.org [192.168.1.9]) by "
     "relay.other.org (Postfix) with ESMTP id C3" D "\n",
     "", NULL, 2, 3, 2, "private-skipped", "no public"},
    {"no untrusted relay means no origin", "", "",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D "\n",
     "", NULL, 1, 1, -1, NULL, NULL},
    {"authenticated submission extends trust", "10.0.0.0/8", "",
     "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "
     "mail.example.net (Postfix) with ESMTP id A1" D
     "Received: from laptop (dsl.isp.example [81.2.69.142]) by "
     "mx.example.net (Postfix) with ESMTPSA id B2" D "\n",
     "", NULL, 2, 2, -1, NULL, NULL},
    {"mail fetcher line restarts the chain", "", "",
     "Received: from localhost (localhost [127.0.0.1]) by laptop.home "
     "(Postfix) with ESMTP id A1" D
     "Received: from pop.isp.example [81.2.69.142] by localhost with POP3 "
     "(fetchmail-6.4.37) for <u@localhost> (single-drop)" D
     "Received: from relay.sender.org (relay.sender.org [45.33.32.156]) "
     "by pop.isp.example (Postfix) with ESMTP id C3" D "\n",
     "45.33.32.156", "medium", 0, 1, -1, NULL, "mail fetcher"},
};

static int
has_word(const char *notes, const char *w)
{
    size_t wl = strlen(w);

    for (const char *p = notes; (p = strstr(p, w)) != NULL; p += wl)
        if ((p == notes || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
            return 1;
    return 0;
}

static int
has_warning(const sq_trace *t, const char *s)
{
    for (size_t i = 0; i < sq_trace_warning_count(t); i++)
        if (strstr(sq_trace_warning(t, i), s) != NULL)
            return 1;
    return 0;
}

static void
own_case_run(const own_case *c)
{
    const char *kv[] = {"trusted_networks",
                        c->trusted_networks,
                        "trusted_by_hosts",
                        c->by_hosts,
                        "originating_ip_headers",
                        ORIG_HEADERS,
                        NULL};
    sq_config *cfg = make_config(kv);
    sq_trace *t = cfg ? run_trace(cfg, c->headers, strlen(c->headers)) : NULL;
    const char *ip = "", *reason = NULL;
    sq_confidence conf = SQ_CONF_NONE;
    int nt = 0, before = sqtest_failures;

    SQ_CHECK(t != NULL, "%s: trace", c->name);
    if (t == NULL)
        goto out;
    if (!sq_trace_origin(t, &ip, NULL, &conf, &reason))
        ip = "";
    SQ_CHECK_STR(ip, c->origin, "%s: origin", c->name);
    if (c->conf != NULL)
        SQ_CHECK_STR(sq_confidence_name(conf), c->conf, "%s: confidence",
                     c->name);
    for (size_t i = 0; i < sq_trace_relay_count(t); i++)
        nt += sq_relay_trusted(sq_trace_relay(t, i));
    if (c->ntrusted >= 0)
        SQ_CHECK(nt == c->ntrusted, "%s: %d trusted, want %d", c->name, nt,
                 c->ntrusted);
    if (c->nrelays >= 0)
        SQ_CHECK((int)sq_trace_relay_count(t) == c->nrelays,
                 "%s: %zu relays, want %d", c->name, sq_trace_relay_count(t),
                 c->nrelays);
    if (c->note_hop >= 0)
        SQ_CHECK(has_word(sq_relay_get(sq_trace_relay(t, (size_t)c->note_hop),
                                       SQ_RELAY_NOTES),
                          c->note),
                 "%s: note %s on relay %d", c->name, c->note, c->note_hop);
    if (c->warning != NULL)
        SQ_CHECK(has_warning(t, c->warning), "%s: warning \"%s\"", c->name,
                 c->warning);
    if (sqtest_failures != before || verbose) {
        printf("  own case: %s\n", c->name);
        print_trace(t);
    }
out:
    sq_trace_free(t);
    sq_config_free(cfg);
}

static void
test_own_cases(void)
{
    int before = sqtest_failures;
    size_t n = sizeof(own_cases) / sizeof(own_cases[0]);

    for (size_t i = 0; i < n; i++)
        own_case_run(&own_cases[i]);
    printf("own cases: %zu run, %d failed checks\n", n,
           sqtest_failures - before);
}

/* ------------------------------------------------------------------ */
/* chain continuity cases                                             */

/* Each runs with trusted_networks 10.0.0.0/8 below a trusted hop and
 * the MX hop "from <sender> ... by mx.example.net", so relay 1 is the
 * first untrusted one and the origin. */
#define MX_TOP                                                                 \
    "Received: from mx.example.net (mx.example.net [10.0.0.5]) by "            \
    "mail.example.net (Postfix) with ESMTP id A1" D

typedef struct chain_case {
    const char *name;
    const char *headers;
    const char *origin; /* expected origin IP */
    const char *conf;   /* expected confidence */
    int breaks;         /* relays noted "chain-break" */
    const char *quote;  /* substring of the break warning, or NULL */
} chain_case;

static const chain_case chain_cases[] = {
    {"amavis localhost loop is not a break",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from localhost (localhost [127.0.0.1]) by "
            "relay.sender.org (Postfix) with ESMTP id B3" D
            "Received: from relay.sender.org ([127.0.0.1]) by localhost "
            "(relay.sender.org [127.0.0.1]) (amavis, port 10024) with ESMTP "
            "id B4" D "Received: from pc.corp.sender.org (pc.corp.sender.org "
            "[10.9.8.7]) by relay.sender.org (Postfix) with ESMTP id B5" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"localhost.localdomain hand-over is not a break",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from localhost.localdomain (localhost.localdomain "
            "[127.0.0.1]) by relay.sender.org (Postfix) with ESMTP id B3" D
            "Received: from relay.sender.org ([127.0.0.1]) by "
            "localhost.localdomain (Postfix) with ESMTP id B4" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"forged hop below a loopback hand-over is a break",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from localhost (localhost [127.0.0.1]) by "
            "relay.sender.org (Postfix) with ESMTP id B3" D
            "Received: from mail.paypal.com (mail.paypal.com [45.33.32.156]) "
            "by mx.paypal.com (8.15.2/8.15.2) with ESMTP id B4" D "\n",
     "81.2.69.142", "low", 1, "received by \"mx.paypal.com\""},
    {"smtp.gmail.com then mail-xx.google.com is not a break",
     MX_TOP "Received: from mail-yb1-f58.google.com "
            "(mail-yb1-f58.google.com [209.85.219.58]) by mx.example.net "
            "(Postfix) with ESMTPS id B2" D
            "Received: from [192.168.0.200] (ip-1-20-36-178.isp.example. "
            "[1.20.36.178]) by smtp.gmail.com with ESMTPSA id "
            "a1sm123456ybb.12.2024.01.01" D "\n",
     "209.85.219.58", "high", 0, NULL},
    {"outlook.com relay below office365.com is not a break",
     MX_TOP "Received: from EUR05-AM6-obe.outbound.protection.outlook.com "
            "(mail-am6eur05on2100.outbound.protection.outlook.com "
            "[40.107.22.100]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from AM0PR01MB1.eurprd01.prod.outlook.com "
            "(2603:10a6:208:1::1) by AM0PR01MB2.eurprd01.prod.office365.com "
            "with HTTPS" D "\n",
     "40.107.22.100", "high", 0, NULL},
    {"unrelated domains are a break",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from mail.paypal.com (mail.paypal.com [45.33.32.156]) "
            "by mx.paypal.com (8.15.2/8.15.2) with ESMTP id B3" D "\n",
     "81.2.69.142", "low", 1, "was sent by \"relay.sender.org\""},
    {"same registrable domain under co.uk is continuous",
     MX_TOP "Received: from relay.sender.co.uk (relay.sender.co.uk "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from pc.sender.co.uk (pc.sender.co.uk [45.33.32.156]) "
            "by smtp.sender.co.uk (Postfix) with ESMTP id B3" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"different registrants under co.uk are a break",
     MX_TOP "Received: from relay.sender.co.uk (relay.sender.co.uk "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from pc.other.co.uk (pc.other.co.uk [45.33.32.156]) "
            "by smtp.other.co.uk (Postfix) with ESMTP id B3" D "\n",
     "81.2.69.142", "low", 1, "received by \"smtp.other.co.uk\""},
    {"different registrants under com.au are a break",
     MX_TOP "Received: from relay.sender.com.au (relay.sender.com.au "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from pc.other.com.au (pc.other.com.au [45.33.32.156]) "
            "by smtp.other.com.au (Postfix) with ESMTP id B3" D "\n",
     "81.2.69.142", "low", 1, NULL},
    {"a short name under a ccTLD (gmx.de) is registrable",
     MX_TOP "Received: from mout.gmx.de (mout.gmx.de [212.227.17.22]) by "
            "mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from [192.168.1.20] ([81.2.69.142]) by mail.gmx.de "
            "(mrgmx104 [212.227.17.168]) with ESMTPSA id B3" D "\n",
     "212.227.17.22", "high", 0, NULL},
    {"a bare single-label by gives no evidence",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: from CY4A6QCH ([172.26.194.223]) by EXCH01 with "
            "Microsoft SMTPSVC(6.0.3790.4675)" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"a bare single-label helo gives no evidence",
     MX_TOP "Received: from mail (unknown [81.2.69.142]) by mx.example.net "
            "(Postfix) with ESMTP id B2" D
            "Received: from pc.other.org (pc.other.org [45.33.32.156]) by "
            "smtp.other.org (Postfix) with ESMTP id B3" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"an address-literal by gives no evidence",
     MX_TOP "Received: from relay.sender.org (relay.sender.org "
            "[81.2.69.142]) by mx.example.net (Postfix) with ESMTPS id B2" D
            "Received: by 2002:a05:6a10:8e0e:b0:4f1:8a2c:f3d4 with SMTP id "
            "x14csp1234567pxr" D "\n",
     "81.2.69.142", "high", 0, NULL},
    {"a private-TLD helo gives no evidence",
     MX_TOP "Received: from desktop-7.lan (unknown [81.2.69.142]) by "
            "mx.example.net (Postfix) with ESMTP id B2" D
            "Received: from pc.other.org (pc.other.org [45.33.32.156]) by "
            "smtp.other.org (Postfix) with ESMTP id B3" D "\n",
     "81.2.69.142", "high", 0, NULL},
};

static int
count_breaks(const sq_trace *t)
{
    int n = 0;

    for (size_t i = 0; i < sq_trace_relay_count(t); i++)
        n += has_word(sq_relay_get(sq_trace_relay(t, i), SQ_RELAY_NOTES),
                      "chain-break");
    return n;
}

static void
chain_case_run(const sq_config *cfg, const chain_case *c)
{
    sq_trace *t = run_trace(cfg, c->headers, strlen(c->headers));
    const char *ip = "";
    sq_confidence conf = SQ_CONF_NONE;
    int before = sqtest_failures, nb;

    SQ_CHECK(t != NULL, "%s: trace", c->name);
    if (t == NULL)
        return;
    if (!sq_trace_origin(t, &ip, NULL, &conf, NULL))
        ip = "";
    SQ_CHECK_STR(ip, c->origin, "%s: origin", c->name);
    SQ_CHECK_STR(sq_confidence_name(conf), c->conf, "%s: confidence", c->name);
    nb = count_breaks(t);
    SQ_CHECK(nb == c->breaks, "%s: %d chain breaks, want %d", c->name, nb,
             c->breaks);
    SQ_CHECK(has_warning(t, "chain break") == (c->breaks > 0),
             "%s: chain-break warning %s", c->name,
             c->breaks > 0 ? "missing" : "unexpected");
    if (c->quote != NULL)
        SQ_CHECK(has_warning(t, c->quote), "%s: warning quotes %s", c->name,
                 c->quote);
    if (sqtest_failures != before || verbose) {
        printf("  chain case: %s\n", c->name);
        print_trace(t);
    }
    sq_trace_free(t);
}

static void
test_chain_cases(void)
{
    const char *kv[] = {"trusted_networks", "10.0.0.0/8", NULL};
    sq_config *cfg = make_config(kv);
    int before = sqtest_failures;
    size_t n = sizeof(chain_cases) / sizeof(chain_cases[0]);

    SQ_CHECK(cfg != NULL, "chain cases: config");
    for (size_t i = 0; cfg != NULL && i < n; i++)
        chain_case_run(cfg, &chain_cases[i]);
    printf("chain cases: %zu run, %d failed checks\n", n,
           sqtest_failures - before);
    sq_config_free(cfg);
}

/* check_chain = no: the same broken chain keeps its confidence. */
static void
test_check_chain_off(void)
{
    const char *kv[] = {"trusted_networks", "10.0.0.0/8", "check_chain", "no",
                        NULL};
    sq_config *cfg = make_config(kv);
    const char *h = own_cases[0].headers;
    sq_trace *t = cfg ? run_trace(cfg, h, strlen(h)) : NULL;
    const char *ip = "";
    sq_confidence c = SQ_CONF_NONE;

    SQ_CHECK(t != NULL && sq_trace_origin(t, &ip, NULL, &c, NULL) == 1,
             "check_chain=no: origin");
    SQ_CHECK_STR(ip, "81.2.69.142", "check_chain=no: origin ip");
    SQ_CHECK_STR(sq_confidence_name(c), "high", "check_chain=no: confidence");
    SQ_CHECK(t != NULL && !has_warning(t, "chain break"),
             "check_chain=no: no chain warning");
    sq_trace_free(t);
    sq_config_free(cfg);
}

static void
test_api_edges(void)
{
    sq_trace_opts *o = NULL;

    SQ_CHECK(sq_trace_run(NULL, NULL, NULL) == SQ_EINVAL, "NULL args");
    SQ_CHECK(sq_trace_opts_new(NULL, &o, NULL) == SQ_OK, "default opts");
    sq_trace_opts_free(o);
    sq_trace_opts_free(NULL);
    sq_trace_free(NULL);
    SQ_CHECK(sq_trace_relay_count(NULL) == 0, "count NULL");
    SQ_CHECK(sq_trace_origin(NULL, NULL, NULL, NULL, NULL) == 0, "origin NULL");
    SQ_CHECK_STR(sq_confidence_name(SQ_CONF_HIGH), "high", "name");
    SQ_CHECK_STR(sq_confidence_name((sq_confidence)99), "unknown", "name");
    SQ_CHECK_STR(sq_confidence_name(SQ_CONF_NONE), "none", "name");
}

int
main(int argc, char **argv)
{
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    test_api_edges();
    test_trust_path();
    test_messages();
    test_rspamd();
    test_own_cases();
    test_chain_cases();
    test_check_chain_off();
    return sqtest_finish("trust_test");
}
