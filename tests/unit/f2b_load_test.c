/*
 * f2b_load_test.c - the fail2ban filter loader and matcher on in-memory
 * filters: includes and .local overrides, interpolation, modes, the
 * refusals (parse errors, include loop, missing include, unknown mode,
 * bad regex, recursive tags), matching order, the mlfid rules, dates,
 * and bounded failure on catastrophic regexes, 1 MB lines and garbage.
 * The real /etc/fail2ban sshd filter is used when installed.
 */
#include "sqtest.h"

#include <squeaky/f2b.h>

#include <string.h>
#include <time.h>

typedef struct file {
    const char *name;
    const char *text;
} file;

static const file *files;

static int
rd(void *ctx, const char *name, const char **data, size_t *len)
{
    (void)ctx;
    for (const file *f = files; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0) {
            *data = f->text;
            *len = strlen(f->text);
            return 1;
        }
    return 0;
}

/* Load spec from table t; the status, and the first message in msg. */
static sq_status
load(const file *t, const char *spec, sq_f2b_filter **f, char *msg, size_t mlen)
{
    sq_diag *d = sq_diag_new();
    sq_status st;

    files = t;
    *f = NULL;
    st = sq_f2b_filter_load_mem(spec, rd, NULL, f, d);
    snprintf(msg, mlen, "%s",
             sq_diag_count(d) > 0 ? sq_diag_message(d, 0) : "");
    sq_diag_free(d);
    return st;
}

static const file inc_tab[] = {
    {"filter.d/x.conf",
     "# comment\n[INCLUDES]\nbefore = common.conf\nafter = x-extra.conf\n"
     "[DEFAULT]\n_daemon = xd ; inline comment\n"
     "[Definition]\n"
     "failregex = ^%(__prefix)sbad login from <HOST>\n"
     "            <mdre-<mode>>\n"
     "\n"
     "    ^%(__prefix)sevil <F-USER>\\S+</F-USER> at <ADDR>$\n"
     "mdre-normal =\n"
     "mdre-aggressive = ^%(__prefix)sprobe from <IP4>\n"
     "mode = normal\n"
     "ignoreregex = from 192\\.0\\.2\\.99\n"
     "datepattern = {^LN-BEG}\n"
     "[Init]\nmaxlines = 1\n"},
    {"filter.d/common.conf",
     "[DEFAULT]\n__prefix = \\S+ %(_daemon)s\\[\\d+\\]: \n_daemon = none\n"},
    {"filter.d/x-extra.conf", "[Definition]\nmode = normal\n"},
    {"filter.d/x.local", "[Definition]\nignoreregex = %(known/ignoreregex)s\n"
                         "              ^.*ignored\n"},
    {NULL, NULL}};

static void
test_includes(void)
{
    sq_f2b_filter *f;
    char msg[300];
    sq_status st = load(inc_tab, "x", &f, msg, sizeof(msg));

    SQ_CHECK(st == SQ_OK, "x loads: %s", msg);
    if (st != SQ_OK)
        return;
    SQ_CHECK(sq_f2b_filter_failregex_count(f) == 2, "two failregexes");
    SQ_CHECK_STR(sq_f2b_filter_failregex(f, 0),
                 "^\\S+ xd\\[\\d+\\]:bad login from <HOST>",
                 "%%(x)s from [DEFAULT] of an include, own _daemon wins, "
                 "values stripped as ConfigParser does");
    SQ_CHECK_STR(sq_f2b_filter_failregex(f, 1),
                 "^\\S+ xd\\[\\d+\\]:evil <F-USER>\\S+</F-USER> at <ADDR>$",
                 "continuation after a blank line");
    SQ_CHECK(sq_f2b_filter_ignoreregex_count(f) == 2, "known/ in .local");
    SQ_CHECK_STR(sq_f2b_filter_ignoreregex(f, 1), "^.*ignored", ".local");
    SQ_CHECK_STR(sq_f2b_filter_datepattern(f), "{^LN-BEG}", "datepattern");
    sq_f2b_filter_free(f);

    st = load(inc_tab, "x[mode=aggressive]", &f, msg, sizeof(msg));
    SQ_CHECK(st == SQ_OK && sq_f2b_filter_failregex_count(f) == 3,
             "mode=aggressive adds one: %s", msg);
    if (st == SQ_OK)
        SQ_CHECK_STR(sq_f2b_filter_failregex(f, 1),
                     "^\\S+ xd\\[\\d+\\]:probe from <IP4>", "mode regex");
    sq_f2b_filter_free(f);
}

typedef struct bad {
    const char *what;
    const char *conf; /* filter.d/b.conf */
    const char *spec;
    sq_status want;
    const char *msg; /* substring of the first message */
} bad;

static const bad bads[] = {
    {"include loop", "[INCLUDES]\nbefore = b.conf\n[Definition]\n", "b",
     SQ_ELOOP, "include loop"},
    {"missing include", "[INCLUDES]\nbefore = nope.conf\n", "b", SQ_ENOTFOUND,
     "nope.conf: no such file"},
    {"unknown mode",
     "[Definition]\nfailregex = <mdre-<mode>>\nmdre-normal = <HOST>\n",
     "b[mode=bogus]", SQ_ECONFIG, "unresolved tag <mdre-bogus>"},
    {"no compile", "[Definition]\nfailregex = ^(<HOST>\n", "b", SQ_ECONFIG,
     "does not compile"},
    {"no host", "[Definition]\nfailregex = ^failed\n", "b", SQ_ECONFIG,
     "failure id"},
    {"option first", "failregex = x\n", "b", SQ_EPARSE, "before any"},
    {"twice", "[Definition]\na = 1\na = 2\n", "b", SQ_EPARSE, "twice"},
    {"bad %", "[Definition]\nfailregex = 100% <HOST>\n", "b", SQ_ECONFIG,
     "must be followed"},
    {"missing %()s", "[Definition]\nfailregex = %(nope)s <HOST>\n", "b",
     SQ_ECONFIG, "no option 'nope'"},
    {"deep %()s", "[Definition]\nfailregex = %(a)s\na = %(a)s\n", "b",
     SQ_ECONFIG, "deep"},
    {"recursive tags", "[Definition]\nfailregex = <a>\na = <b>\nb = <a>\n", "b",
     SQ_ELOOP, "recursive"},
    {"no definition", "[Init]\na = 1\n", "b", SQ_ECONFIG, "no [Definition]"},
    {"no failregex", "[Definition]\nignoreregex = x\n", "b", SQ_ECONFIG,
     "no failregex"},
    {"skiplines", "[Definition]\nfailregex = a<SKIPLINES><HOST>\n", "b",
     SQ_ECONFIG, "SKIPLINES"},
    {"binary", "\x01\x02\xff[\x00garbage", "b", SQ_EPARSE, ""},
    {"bad spec", "[Definition]\nfailregex = <HOST>\n", "b[mode", SQ_EINVAL,
     "expected name[k=v"},
    {"path spec", "[Definition]\nfailregex = <HOST>\n", "../b", SQ_EINVAL,
     "bad filter name"},
    {"bad maxlines", "[Definition]\nfailregex = <HOST>\nmaxlines = x\n", "b",
     SQ_ECONFIG, "maxlines"},
};

static void
test_refusals(void)
{
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        file t[] = {{"filter.d/b.conf", bads[i].conf}, {NULL, NULL}};
        sq_f2b_filter *f;
        char msg[300];
        sq_status st = load(t, bads[i].spec, &f, msg, sizeof(msg));

        SQ_CHECK(st == bads[i].want, "%s: status %d want %d (%s)", bads[i].what,
                 (int)st, (int)bads[i].want, msg);
        SQ_CHECK(f == NULL, "%s: no filter", bads[i].what);
        SQ_CHECK(strstr(msg, bads[i].msg) != NULL && msg[0] != '\0' &&
                     strchr(msg, '\n') == NULL,
                 "%s: one-line message '%s' has '%s'", bads[i].what, msg,
                 bads[i].msg);
        sq_f2b_filter_free(f);
    }
}

static const file m_tab[] = {
    {"filter.d/m.conf",
     "[Definition]\n"
     "prefregex = ^<F-MLFID>\\s*\\S+ d\\[\\d+\\]: </F-MLFID>"
     "<F-CONTENT>.+</F-CONTENT>$\n"
     "failregex = ^fail user <F-USER>\\S+</F-USER> from <HOST>\n"
     "            ^<F-NOFAIL>hello from</F-NOFAIL> <HOST>\n"
     "            ^kaboom\\b\n"
     "            ^<F-MLFFORGET>bye</F-MLFFORGET>\n"
     "            ^slow (a+)+$ <HOST>\n"
     "ignoreregex = user ignoreme\n"},
    {NULL, NULL}};

typedef struct mcase {
    const char *line;
    sq_f2b_result want;
    const char *host;
    long long time;
    const char *user;
} mcase;

/* now = 2026-01-10 12:00:00 UTC */
static const mcase mcases[] = {
    {"Jan 10 10:00:00 h d[1]: fail user bob from 192.0.2.1", SQ_F2B_MATCH,
     "192.0.2.1", 1768039200LL, "bob"},
    {"Jan 10 10:00:01 h d[1]: fail user ignoreme from 192.0.2.1",
     SQ_F2B_IGNORED, NULL, 0, NULL},
    {"fail user bob from 192.0.2.1", SQ_F2B_NOMATCH, NULL, 0, NULL},
    {"Jan 10 10:00:02 h d[2]: hello from 198.51.100.2", SQ_F2B_NOFAIL, NULL, 0,
     NULL},
    {"Jan 10 10:00:03 h d[2]: kaboom now", SQ_F2B_MATCH, "198.51.100.2",
     1768039203LL, NULL},
    {"Jan 10 10:00:04 h d[3]: kaboom early", SQ_F2B_NOFAIL, NULL, 0, NULL},
    {"Jan 10 10:00:05 h d[3]: hello from 203.0.113.3", SQ_F2B_MATCH,
     "203.0.113.3", 1768039205LL, NULL},
    {"Jan 10 10:00:06 h d[2]: bye", SQ_F2B_MATCH, "198.51.100.2", 1768039206LL,
     NULL},
    {"Jan 10 10:00:07 h d[2]: kaboom after bye", SQ_F2B_NOFAIL, NULL, 0, NULL},
    {"Dec 31 23:59:59 h d[4]: fail user x from 2001:db8::4", SQ_F2B_MATCH,
     "2001:db8::4", 1767225599LL, "x"},
    {"2026-01-10T10:00:00+02:00 h d[5]: fail user y from ::ffff:192.0.2.5",
     SQ_F2B_MATCH, "192.0.2.5", 1768032000LL, "y"},
    {"Jan 10 10:00:08 h d[6]: fail user z from bad.example", SQ_F2B_MATCH,
     "bad.example", 1768039208LL, "z"},
    {"Jan 10 10:00:09 h x[6]: fail user z from 192.0.2.9", SQ_F2B_NOMATCH, NULL,
     0, NULL},
};

static void
test_match(void)
{
    sq_f2b_filter *f;
    sq_f2b_matcher *m = NULL;
    char msg[300];
    sq_status st = load(m_tab, "m", &f, msg, sizeof(msg));

    SQ_CHECK(st == SQ_OK, "m loads: %s", msg);
    if (st != SQ_OK)
        return;
    SQ_CHECK(sq_f2b_matcher_new(f, 1768046400LL, 0, &m) == SQ_OK, "matcher");
    for (size_t i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
        const mcase *c = &mcases[i];
        sq_f2b_result r = SQ_F2B_NOMATCH;

        st = sq_f2b_match(m, c->line, strlen(c->line), &r);
        SQ_CHECK(st == SQ_OK && r == c->want, "line %zu: status %d result %d",
                 i, (int)st, (int)r);
        if (r != SQ_F2B_MATCH || c->want != SQ_F2B_MATCH)
            continue;
        SQ_CHECK_STR(sq_f2b_match_host(m), c->host, "line %zu host", i);
        SQ_CHECK(sq_f2b_match_time(m) == c->time, "line %zu time %lld", i,
                 sq_f2b_match_time(m));
        if (c->user != NULL)
            SQ_CHECK_STR(sq_f2b_match_user(m), c->user, "line %zu user", i);
        SQ_CHECK(sq_f2b_match_host_is_name(m) ==
                     (strstr(c->host, "example") != NULL),
                 "line %zu: a name is flagged, an address is not", i);
    }
    sq_f2b_matcher_free(m);
    sq_f2b_filter_free(f);
}

static void
test_bounds(void)
{
    sq_f2b_filter *f;
    sq_f2b_matcher *m = NULL;
    char msg[300], *big, garbage[4096];
    sq_f2b_result r;
    sq_status st = load(m_tab, "m", &f, msg, sizeof(msg));
    clock_t t0;
    double secs;

    if (st != SQ_OK || sq_f2b_matcher_new(f, 1768046400LL, 0, &m) != SQ_OK) {
        SQ_CHECK(0, "m loads");
        return;
    }
    /* catastrophic backtracking: ^slow (a+)+$ on a's and a b */
    snprintf(msg, sizeof(msg), "Jan 10 10:00:00 h d[1]: slow %s",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab 192.0.2.1");
    t0 = clock();
    st = sq_f2b_match(m, msg, strlen(msg), &r);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    SQ_CHECK(st == SQ_EPARSE && r == SQ_F2B_NOMATCH,
             "backtracking stops with an error (%d)", (int)st);
    SQ_CHECK(strstr(sq_f2b_matcher_error(m), "failregex 4") != NULL &&
                 strstr(sq_f2b_matcher_error(m), "limit") != NULL,
             "error names the regex and the limit: %s",
             sq_f2b_matcher_error(m));
    printf("catastrophic regex stopped after %.3f s\n", secs);

    big = malloc(1024 * 1024);
    if (big != NULL) {
        memset(big, 'a', 1024 * 1024);
        st = sq_f2b_match(m, big, 1024 * 1024, &r);
        SQ_CHECK(st == SQ_ELIMIT_LINE && r == SQ_F2B_NOMATCH, "1 MB line");
        SQ_CHECK(strstr(sq_f2b_matcher_error(m), "1048576 bytes") != NULL,
                 "says how long: %s", sq_f2b_matcher_error(m));
        free(big);
    }
    for (size_t i = 0; i < sizeof(garbage); i++)
        garbage[i] = (char)((i * 7919u) % 256u);
    st = sq_f2b_match(m, garbage, sizeof(garbage), &r);
    SQ_CHECK(st == SQ_OK && r == SQ_F2B_NOMATCH, "garbage: %d %d", (int)st,
             (int)r);
    sq_f2b_matcher_free(m);
    sq_f2b_filter_free(f);
}

static void
test_real_sshd(void)
{
    sq_f2b_filter *f = NULL;
    sq_f2b_matcher *m = NULL;
    sq_f2b_result r;
    static const char line[] = "Jan 10 12:00:00 host sshd[12]: Failed "
                               "password for invalid user bob from "
                               "192.0.2.7 port 22 ssh2";
    FILE *probe = fopen("/etc/fail2ban/filter.d/sshd.conf", "r");

    if (probe == NULL)
        return;
    fclose(probe);
    SQ_CHECK(sq_f2b_filter_load(NULL, "sshd[mode=aggressive]", &f, NULL) ==
                 SQ_OK,
             "Debian's sshd loads");
    if (f == NULL)
        return;
    SQ_CHECK(sq_f2b_filter_failregex_count(f) >= 20, "sshd: %zu failregexes",
             sq_f2b_filter_failregex_count(f));
    SQ_CHECK(sq_f2b_matcher_new(f, 1768046400LL, 0, &m) == SQ_OK, "matcher");
    SQ_CHECK(sq_f2b_match(m, line, strlen(line), &r) == SQ_OK &&
                 r == SQ_F2B_MATCH,
             "sshd failed password");
    SQ_CHECK_STR(sq_f2b_match_host(m), "192.0.2.7", "sshd host");
    SQ_CHECK_STR(sq_f2b_match_user(m), "bob", "sshd user");
    SQ_CHECK(sq_f2b_match_index(m) == 3, "sshd failregex %zu",
             sq_f2b_match_index(m));
    SQ_CHECK(sq_f2b_match_time(m) == 1768046400LL, "sshd time");
    SQ_CHECK_STR(sq_f2b_match_group(m, "mlfid"),
                 " host sshd[12]: ", "mlfid group as fail2ban's");
    sq_f2b_matcher_free(m);
    sq_f2b_filter_free(f);
}

int
main(void)
{
    test_includes();
    test_refusals();
    test_match();
    test_bounds();
    test_real_sshd();
    return sqtest_finish("f2b_load_test");
}
