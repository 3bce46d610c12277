/*
 * scan_corpus_test.c - the built-in scanners on real labelled logs in
 * ../shared/corpora/logs (see its README.md).  Skips (77) when the
 * corpora are absent.
 *
 * Rules checked, per corpus:
 *  - loghub OpenSSH_2k: every line labelled as an attack (auth_failure,
 *    scan_no_ident) with an address gives an event with that address;
 *    the address-less "Disconnecting: Too many authentication failures"
 *    lines give the address of their pid's earlier line (flag PID);
 *    lines labelled with only a host name in rhost=, the reverse-DNS
 *    "POSSIBLE BREAK-IN ATTEMPT" lines (fail2ban does not count them),
 *    the "other"/"auth_success" lines and every unlabelled line give
 *    none.
 *  - loghub Linux_2k (via detection, format "syslog"): sshd rhost=ADDR
 *    lines give the address; host-name rhost=, ftpd, klogind and snmpd
 *    lines give none (no built-in scanner for those programs).
 *  - loghub Apache_2k (error log): the 32 "Directory index forbidden"
 *    probes give their address, the other lines none.
 *  - CrowdSec iptables/sshd/pf, logstash Cisco ASA + SFW2 vectors,
 *    Windows Firewall and myNetWatchman vectors: field by field.
 */
#include "sqtest.h"

#include <squeaky/net.h>
#include <squeaky/scan.h>

#include <jansson.h>

static int have_corpus;

/* Lines of a file: malloc'ed array of pointers into buf (NULs put in
 * place of the newlines). */
static char **
split_lines(char *buf, size_t len, size_t *count)
{
    size_t n = 0, cap = 4096;
    char **v = malloc(cap * sizeof(*v)), *p = buf;

    while (v != NULL && p < buf + len) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));

        if (n == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof(*v));

            if (nv == NULL)
                break;
            v = nv;
        }
        v[n++] = p;
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    *count = n;
    return v;
}

static char *
load(const char *rel, size_t *len)
{
    char path[1024];

    if (sqtest_corpus(rel, path, sizeof(path)) == NULL)
        return NULL;
    have_corpus = 1;
    return sqtest_slurp(path, len);
}

typedef struct label {
    int attack, pidonly;
    char ip[64];
    char pid[16];
    char cat[48];
} label;

/* loghub *_ip_labels.jsonl -> label per line (1-based). */
static label *
load_labels(const char *rel, size_t nlines)
{
    size_t len;
    char *buf = load(rel, &len), **v;
    size_t cnt;
    label *lab;

    if (buf == NULL)
        return NULL;
    lab = calloc(nlines + 2, sizeof(*lab));
    v = split_lines(buf, len, &cnt);
    for (size_t i = 0; lab != NULL && v != NULL && i < cnt; i++) {
        json_t *o = json_loads(v[i], 0, NULL), *ips;
        json_int_t id;
        label *l;

        if (o == NULL)
            continue;
        id = json_integer_value(json_object_get(o, "line_id"));
        if (id >= 1 && (size_t)id <= nlines) {
            l = &lab[id];
            snprintf(l->cat, sizeof(l->cat), "%s",
                     json_string_value(json_object_get(o, "category")));
            ips = json_object_get(o, "remote_ips");
            if (json_array_size(ips) > 0)
                snprintf(l->ip, sizeof(l->ip), "%s",
                         json_string_value(json_array_get(ips, 0)));
            if (json_is_string(json_object_get(o, "pid")))
                snprintf(l->pid, sizeof(l->pid), "%s",
                         json_string_value(json_object_get(o, "pid")));
            l->attack = strcmp(l->cat, "auth_failure") == 0 ||
                        strcmp(l->cat, "scan_no_ident") == 0;
        }
        json_decref(o);
    }
    free(v);
    free(buf);
    return lab;
}

static void
test_openssh(void)
{
    size_t len, n, want = 0, got = 0, pidlines = 0, pidok = 0, unl = 0,
                   unlgot = 0, other = 0, othergot = 0;
    char *buf = load("logs/loghub/OpenSSH/OpenSSH_2k.log", &len), **v;
    label *lab;
    sq_scanner *s = NULL;
    const sq_scan_event *ev;

    if (buf == NULL)
        return;
    v = split_lines(buf, len, &n);
    lab = load_labels("logs/loghub/OpenSSH/OpenSSH_2k.ip_labels.jsonl", n);
    SQ_CHECK(lab != NULL && n == 2000, "OpenSSH_2k: %zu lines", n);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_SSHD, &s) == SQ_OK, "new");
    sq_scanner_set_now(s, 1451606400LL /* 2016-01-01 */, 0);
    for (size_t i = 0; lab != NULL && s != NULL && i < n; i++) {
        label *l = &lab[i + 1];
        sq_status st = sq_scanner_line(s, v[i], strlen(v[i]), 0, &ev);

        if (l->attack && l->ip[0] != '\0') {
            want++;
            got +=
                st == SQ_OK && strcmp(sq_scan_event_source_ip(ev), l->ip) == 0;
            SQ_CHECK(st == SQ_OK &&
                         strcmp(sq_scan_event_source_ip(ev), l->ip) == 0,
                     "OpenSSH_2k line %zu (%s): want %s got %s", i + 1, l->cat,
                     l->ip, st == SQ_OK ? sq_scan_event_source_ip(ev) : "none");
        } else if (l->attack &&
                   strstr(v[i], "Disconnecting: Too many") != NULL) {
            /* the pid's address: the nearest earlier labelled line */
            const char *ip = "";

            for (size_t k = i; k >= 1 && ip[0] == '\0'; k--)
                if (strcmp(lab[k].pid, l->pid) == 0 && lab[k].ip[0] != '\0')
                    ip = lab[k].ip;
            pidlines++;
            pidok += st == SQ_OK &&
                     strcmp(sq_scan_event_source_ip(ev), ip) == 0 &&
                     (sq_scan_event_flags(ev) & SQ_SCAN_EV_PID);
            SQ_CHECK(st == SQ_OK &&
                         strcmp(sq_scan_event_source_ip(ev), ip) == 0,
                     "OpenSSH_2k line %zu: pid %s want %s", i + 1, l->pid, ip);
        } else if (l->cat[0] != '\0') {
            other++;
            othergot += st == SQ_OK;
            SQ_CHECK(st == SQ_ENOTFOUND, "OpenSSH_2k line %zu (%s): event %s",
                     i + 1, l->cat,
                     st == SQ_OK ? sq_scan_event_source_ip(ev) : "");
        } else {
            unl++;
            unlgot += st == SQ_OK;
            SQ_CHECK(st == SQ_ENOTFOUND,
                     "OpenSSH_2k unlabelled line %zu: event", i + 1);
        }
    }
    printf("OpenSSH_2k: %zu/%zu attack-labelled lines give their IP; %zu/%zu "
           "address-less lines get it by pid; %zu of %zu other labelled "
           "lines and %zu of %zu unlabelled lines give one\n",
           got, want, pidok, pidlines, othergot, other, unlgot, unl);
    sq_scanner_free(s);
    free(lab);
    free(v);
    free(buf);
}

static void
test_linux(void)
{
    size_t len, n, want = 0, got = 0, host = 0, hostgot = 0, rest = 0,
                   restgot = 0;
    char *buf = load("logs/loghub/Linux/Linux_2k.log", &len), **v;
    label *lab;
    sq_scanner *s = NULL;
    sq_scan_format f = SQ_SCAN_AUTO;
    const sq_scan_event *ev;

    if (buf == NULL)
        return;
    /* only sshd among the programs the scanners know */
    SQ_CHECK(sq_scan_detect(buf, len, &f) == SQ_OK && f == SQ_SCAN_SSHD,
             "Linux_2k detected as %s", sq_scan_format_name(f));
    v = split_lines(buf, len, &n);
    lab = load_labels("logs/loghub/Linux/Linux_2k.ip_labels.jsonl", n);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_SYSLOG, &s) == SQ_OK, "new");
    for (size_t i = 0; lab != NULL && s != NULL && i < n; i++) {
        label *l = &lab[i + 1];
        sq_status st = sq_scanner_line(s, v[i], strlen(v[i]), 0, &ev);
        int sshd = strstr(v[i], " sshd(") != NULL;

        if (sshd && l->attack && l->ip[0] != '\0') {
            want++;
            got +=
                st == SQ_OK && strcmp(sq_scan_event_source_ip(ev), l->ip) == 0;
            SQ_CHECK(st == SQ_OK &&
                         strcmp(sq_scan_event_source_ip(ev), l->ip) == 0,
                     "Linux_2k line %zu: want %s", i + 1, l->ip);
        } else if (sshd && l->attack) {
            host++;
            hostgot += st == SQ_OK;
            SQ_CHECK(st != SQ_OK,
                     "Linux_2k line %zu: host-name rhost gave "
                     "an event",
                     i + 1);
        } else {
            rest++;
            restgot += st == SQ_OK;
            SQ_CHECK(st != SQ_OK, "Linux_2k line %zu (%s): event %s", i + 1,
                     l->cat, st == SQ_OK ? sq_scan_event_source_ip(ev) : "");
        }
    }
    printf("Linux_2k: %zu/%zu sshd rhost=ADDR lines give their IP; %zu of "
           "%zu host-name rhost= lines and %zu of %zu other lines give one\n",
           got, want, hostgot, host, restgot, rest);
    sq_scanner_free(s);
    free(lab);
    free(v);
    free(buf);
}

/* loghub Apache_2k (an error log): the 32 "[client ADDR] Directory
 * index forbidden" lines give ADDR (reconnaissance); nothing else. */
static void
test_apache(void)
{
    size_t len, n, want = 0, got = 0, rest = 0, restgot = 0;
    char *buf = load("logs/loghub/Apache/Apache_2k.log", &len), **v;
    label *lab;
    sq_scanner *s = NULL;
    sq_scan_format f = SQ_SCAN_AUTO;
    const sq_scan_event *ev;

    if (buf == NULL)
        return;
    SQ_CHECK(sq_scan_detect(buf, len, &f) == SQ_OK && f == SQ_SCAN_ACCESS,
             "Apache_2k detected as %s", sq_scan_format_name(f));
    v = split_lines(buf, len, &n);
    lab = load_labels("logs/loghub/Apache/Apache_2k.ip_labels.jsonl", n);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_ACCESS, &s) == SQ_OK, "new");
    for (size_t i = 0; lab != NULL && s != NULL && i < n; i++) {
        label *l = &lab[i + 1];
        sq_status st = sq_scanner_line(s, v[i], strlen(v[i]), 0, &ev);

        if (l->ip[0] != '\0') {
            want++;
            got += st == SQ_OK &&
                   strcmp(sq_scan_event_source_ip(ev), l->ip) == 0 &&
                   sq_scan_event_kind(ev) == SQ_KIND_RECONNAISSANCE &&
                   sq_scan_event_time(ev) > 1133654400LL; /* Dec 2005 */
            SQ_CHECK(st == SQ_OK &&
                         strcmp(sq_scan_event_source_ip(ev), l->ip) == 0,
                     "Apache_2k line %zu: want %s", i + 1, l->ip);
        } else {
            rest++;
            restgot += st == SQ_OK;
            SQ_CHECK(st != SQ_OK, "Apache_2k line %zu: event", i + 1);
        }
    }
    SQ_CHECK(got == want, "Apache_2k: %zu/%zu", got, want);
    printf("Apache_2k: %zu/%zu labelled lines give their IP; %zu of %zu "
           "other lines give one\n",
           got, want, restgot, rest);
    sq_scanner_free(s);
    free(lab);
    free(v);
    free(buf);
}

/* Expected fields of one line; NULL = no event. */
typedef struct want_ev {
    const char *src, *dst, *proto, *user;
    unsigned sport, dport;
} want_ev;

static void
check_line(sq_scanner *s, const char *what, const char *line, const want_ev *w,
           size_t *ok)
{
    const sq_scan_event *ev = NULL;
    sq_status st = sq_scanner_line(s, line, strlen(line), 0, &ev);

    if (w == NULL || w->src == NULL) {
        SQ_CHECK(st == SQ_ENOTFOUND, "%s: want no event, got %s", what,
                 st == SQ_OK ? sq_scan_event_source_ip(ev) : sq_strerror(st));
        *ok += st == SQ_ENOTFOUND;
        return;
    }
    SQ_CHECK(st == SQ_OK, "%s: no event (%s)", what, sq_strerror(st));
    if (st != SQ_OK)
        return;
    SQ_CHECK_STR(sq_scan_event_source_ip(ev), w->src, "%s source", what);
    if (w->dst)
        SQ_CHECK_STR(sq_scan_event_dest_ip(ev), w->dst, "%s dest", what);
    if (w->proto)
        SQ_CHECK_STR(sq_scan_event_protocol(ev), w->proto, "%s proto", what);
    if (w->user)
        SQ_CHECK_STR(sq_scan_event_user(ev), w->user, "%s user", what);
    if (w->sport)
        SQ_CHECK(sq_scan_event_source_port(ev) == w->sport, "%s sport %u", what,
                 sq_scan_event_source_port(ev));
    if (w->dport)
        SQ_CHECK(sq_scan_event_dest_port(ev) == w->dport, "%s dport %u", what,
                 sq_scan_event_dest_port(ev));
    *ok += strcmp(sq_scan_event_source_ip(ev), w->src) == 0;
}

static unsigned
port_of(json_t *v)
{
    if (json_is_integer(v))
        return (unsigned)json_integer_value(v);
    if (json_is_string(v))
        return (unsigned)strtoul(json_string_value(v), NULL, 10);
    return 0;
}

/* crowdsec-hub/labels.jsonl over its three logs. */
static void
test_crowdsec(void)
{
    static const char *const files[] = {"iptables-logs.log", "sshd-logs.log",
                                        "pf-logs.log"};
    static const sq_scan_format fmts[] = {SQ_SCAN_NETFILTER, SQ_SCAN_SSHD,
                                          SQ_SCAN_FILTERLOG};
    size_t llen, labn;
    char *lbuf = load("logs/crowdsec-hub/labels.jsonl", &llen), **lv;

    if (lbuf == NULL)
        return;
    lv = split_lines(lbuf, llen, &labn);
    for (size_t fi = 0; fi < 3; fi++) {
        char rel[128], what[160], *buf, **v;
        size_t len, n, ok = 0, total = 0;
        sq_scanner *s = NULL;
        sq_scan_format det = SQ_SCAN_AUTO;

        snprintf(rel, sizeof(rel), "logs/crowdsec-hub/%s", files[fi]);
        buf = load(rel, &len);
        if (buf == NULL)
            continue;
        SQ_CHECK(sq_scan_detect(buf, len, &det) == SQ_OK && det == fmts[fi],
                 "%s detected as %s", files[fi], sq_scan_format_name(det));
        v = split_lines(buf, len, &n);
        SQ_CHECK(sq_scanner_new(fmts[fi], &s) == SQ_OK, "new");
        for (size_t i = 0; s != NULL && i < labn; i++) {
            json_t *o = json_loads(lv[i], 0, NULL);
            json_int_t line;
            want_ev w = {0};
            const char *action;

            if (o == NULL ||
                strcmp(json_string_value(json_object_get(o, "file")),
                       files[fi]) != 0) {
                json_decref(o);
                continue;
            }
            line = json_integer_value(json_object_get(o, "line"));
            w.src = json_string_value(json_object_get(o, "source_ip"));
            w.user = json_string_value(json_object_get(o, "user"));
            w.dst = json_string_value(json_object_get(o, "dest_ip"));
            w.proto = json_string_value(json_object_get(o, "proto"));
            w.sport = port_of(json_object_get(o, "source_port"));
            w.dport = port_of(json_object_get(o, "dest_port"));
            action = json_string_value(json_object_get(o, "action"));
            /* pf: pass and outbound lines are not attacks */
            if (action != NULL &&
                (strcmp(action, "block") != 0 ||
                 strcmp(json_string_value(json_object_get(o, "direction")),
                        "in") != 0))
                w.src = NULL;
            if (json_is_false(json_object_get(o, "expect_parse_success")))
                w.src = NULL;
            snprintf(what, sizeof(what), "%s:%lld", files[fi], (long long)line);
            if (line >= 1 && (size_t)line <= n) {
                total++;
                check_line(s, what, v[line - 1], &w, &ok);
            }
            json_decref(o);
        }
        printf("crowdsec %s: %zu/%zu labelled lines as labelled\n", files[fi],
               ok, total);
        sq_scanner_free(s);
        free(v);
        free(buf);
    }
    free(lv);
    free(lbuf);
}

/* logstash-patterns-core firewalls_vectors.jsonl: Cisco ASA bodies and
 * SuSE SFW2 netfilter lines.  Deny messages and every netfilter line
 * give the source; "permitted", failover and URL messages give none. */
static void
test_logstash(void)
{
    size_t len, n, ok = 0, total = 0;
    char *buf =
             load("logs/logstash-patterns-core/firewalls_vectors.jsonl", &len),
         **v;
    sq_scanner *asa = NULL, *nf = NULL;

    if (buf == NULL)
        return;
    v = split_lines(buf, len, &n);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_ASA, &asa) == SQ_OK &&
                 sq_scanner_new(SQ_SCAN_NETFILTER, &nf) == SQ_OK,
             "new");
    for (size_t i = 0; asa != NULL && nf != NULL && i < n; i++) {
        json_t *o = json_loads(v[i], 0, NULL), *as;
        const char *pat, *line, *src;
        char canon[64], what[64];
        want_ev w = {0};

        if (o == NULL)
            continue;
        pat = json_string_value(json_object_get(o, "pattern"));
        line = json_string_value(json_object_get(o, "line"));
        as = json_object_get(o, "asserted");
        src = json_string_value(json_object_get(o, "src_ip_read_off_line"));
        if (src == NULL)
            src = json_string_value(json_object_get(as, "src_ip"));
        if (src == NULL)
            src = json_string_value(json_object_get(as, "nf_src_ip"));
        if (src != NULL &&
            sq_ip_canon(src, strlen(src), canon, sizeof(canon)) == SQ_OK)
            w.src = canon;
        /* only deny messages are attacks (not "permitted", failover,
         * URL logging) */
        if (strcmp(pat, "SFW2") != 0 && strncmp(line, "Deny ", 5) != 0)
            w.src = NULL;
        snprintf(what, sizeof(what), "logstash vector %zu (%s)", i + 1, pat);
        total++;
        check_line(strcmp(pat, "SFW2") == 0 ? nf : asa, what, line, &w, &ok);
        json_decref(o);
    }
    printf("logstash vectors: %zu/%zu as expected\n", ok, total);
    sq_scanner_free(asa);
    sq_scanner_free(nf);
    free(v);
    free(buf);
}

/* Windows Firewall example: every DROP line parsed as labelled. */
static void
test_winfw(void)
{
    size_t len, llen, n, ln, ok = 0, total = 0;
    char *buf = load(
             "logs/windows-firewall/pfirewall-azure-stack-edge-example.log",
             &len),
         *lbuf = load("logs/windows-firewall/labels.jsonl", &llen), **v, **lv;
    sq_scanner *s = NULL;
    sq_scan_format det = SQ_SCAN_AUTO;

    if (buf == NULL || lbuf == NULL) {
        free(buf);
        free(lbuf);
        return;
    }
    SQ_CHECK(sq_scan_detect(buf, len, &det) == SQ_OK && det == SQ_SCAN_WINFW,
             "pfirewall.log detected as %s", sq_scan_format_name(det));
    v = split_lines(buf, len, &n);
    lv = split_lines(lbuf, llen, &ln);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_WINFW, &s) == SQ_OK, "new");
    for (size_t i = 0; s != NULL && i < ln; i++) {
        json_t *o = json_loads(lv[i], 0, NULL);
        json_int_t no;
        char what[64], canon[64];
        want_ev w = {0};
        const char *src;

        if (o == NULL)
            continue;
        no = json_integer_value(json_object_get(o, "line_no"));
        src = json_string_value(json_object_get(o, "src_ip"));
        if (src && sq_ip_canon(src, strlen(src), canon, sizeof(canon)) == 0)
            w.src = canon;
        w.sport = port_of(json_object_get(o, "src_port"));
        w.dport = port_of(json_object_get(o, "dst_port"));
        w.proto = "udp";
        snprintf(what, sizeof(what), "pfirewall line %lld", (long long)no);
        if (no >= 1 && (size_t)no <= n) {
            total++;
            check_line(s, what, v[no - 1], &w, &ok);
        }
        json_decref(o);
    }
    printf("windows firewall: %zu/%zu labelled lines parsed as labelled\n", ok,
           total);
    sq_scanner_free(s);
    free(v);
    free(lv);
    free(buf);
    free(lbuf);
}

/* myNetWatchman vectors: the iptables line (zone -0400 given) and the
 * Apache CLF stamp must give time_epoch 1066947216. */
static void
test_mynetwatchman(void)
{
    size_t len, n;
    char *buf = load("logs/mail-abuse-mynetwatchman/vectors.jsonl", &len), **v;
    sq_scanner *nf = NULL;
    const sq_scan_event *ev;
    long long t = 0;

    if (buf == NULL)
        return;
    v = split_lines(buf, len, &n);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_NETFILTER, &nf) == SQ_OK, "new");
    sq_scanner_set_now(nf, 1070000000LL, 0);
    sq_scanner_set_zone(nf, -240);
    for (size_t i = 0; nf != NULL && i < n; i++) {
        json_t *o = json_loads(v[i], 0, NULL);
        const char *line = json_string_value(json_object_get(o, "line")), *b;
        json_int_t want = json_integer_value(json_object_get(o, "time_epoch"));

        if (line != NULL && strstr(line, " kernel: ") != NULL) {
            SQ_CHECK(sq_scanner_line(nf, line, strlen(line), 0, &ev) == SQ_OK &&
                         strcmp(sq_scan_event_source_ip(ev), "10.10.10.10") ==
                             0 &&
                         sq_scan_event_time(ev) == want &&
                         sq_scan_event_zone(ev) == -240 &&
                         sq_scan_event_dest_port(ev) == 554,
                     "mynetwatchman iptables line");
        } else if (line != NULL && (b = strchr(line, '[')) != NULL &&
                   b[3] == '/') {
            SQ_CHECK(sq_scan_time_parse(b, strlen(b), 0, 0, 0, &t, NULL, NULL,
                                        NULL, NULL) == SQ_OK &&
                         t == want,
                     "mynetwatchman CLF stamp %lld", t);
        }
        json_decref(o);
    }
    sq_scanner_free(nf);
    free(v);
    free(buf);
}

int
main(void)
{
    test_openssh();
    test_linux();
    test_apache();
    test_crowdsec();
    test_logstash();
    test_winfw();
    test_mynetwatchman();
    if (!have_corpus) {
        printf("scan_corpus_test: ../shared/corpora/logs absent, skipped\n");
        return SQTEST_SKIP;
    }
    return sqtest_finish("scan_corpus_test");
}
