/*
 * scan_app.c - application logs: Apache/nginx access logs (exploit
 * probes), Postfix SASL failures, Dovecot authentication failures,
 * Exim authenticator failures and relay rejections, fail2ban.log Ban
 * lines.  What counts is listed in docs/SCAN.md.
 */
#include "scan_int.h"

#include "core/core_int.h"

#include <string.h>

/* "[ADDR]" or "[ADDR]:port" at p (Postfix "name[ADDR]", Exim "[ADDR]"):
 * 1 and the address/port. */
static int
bracket_addr(sq_scan_event *ev, const char *p, size_t n)
{
    const char *b = memchr(p, '[', n), *e;
    size_t rest;

    if (b == NULL)
        return 0;
    rest = n - (size_t)(b - p);
    e = memchr(b, ']', rest);
    if (e == NULL || !scan_ip(b + 1, (size_t)(e - b) - 1, ev->src))
        return 0;
    if ((size_t)(e - b) + 2 < rest && e[1] == ':') {
        size_t used;
        unsigned port = scan_uint(e + 2, rest - (size_t)(e - b) - 2, &used);

        ev->sport = port <= 65535 ? port : 0;
    }
    return 1;
}

/* ---- access logs ---- */

/* Paths only scanners ask for (probes when answered 4xx). */
static const char *const probe_paths[] = {
    "/.env",
    "/.git/",
    "/.svn/",
    "/.aws/",
    "/.ds_store",
    "/wp-login.php",
    "/xmlrpc.php",
    "/wp-admin",
    "/wp-content/plugins/",
    "/phpmyadmin",
    "/pma/",
    "/myadmin",
    "/mysqladmin",
    "/cgi-bin/",
    "/boaform",
    "/hnap1",
    "/actuator",
    "/solr/",
    "/vendor/phpunit",
    "eval-stdin.php",
    "/shell",
    "/setup.php",
    "/gponform",
    "/manager/html",
    "/console/",
    "/druid/",
    "/_ignition",
    "/telescope",
    "/wls-wsat",
    "/invoker/",
    "/jenkins",
    "/owa/auth",
    "/remote/fgt_lang",
    "/+cscoe+",
    "/api/jsonws",
    "/server-status",
    "/config.json",
    "/admin.php",
    "/xdebug",
    "/.well-known/security.txt.php",
};

/* Text no client sends by accident: a probe whatever the status. */
static const char *const exploit_marks[] = {
    "${jndi:", "/etc/passwd",  "../../",         "..%2f",   "%2e%2e/",
    "/bin/sh", "union select", "union%20select", "<script", "%3cscript",
};

static int
has_any(const char *p, size_t n, const char *const *list, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++)
        if (sq_memcasemem(p, n, list[i], strlen(list[i])) != NULL)
            return 1;
    return 0;
}

/* Apache error log: "[Www Mmm dd hh:mm:ss yyyy] [error] [client ADDR]
 * msg" (2.2) or "... [core:error] [pid N] [client ADDR:PORT] AH...: msg"
 * (2.4).  Directory listings refused: reconnaissance; a missing file
 * or script on a probe path, or an exploit mark: vulnerability_scan. */
static int
scan_error_log(sq_scanner *s, const char *l, size_t n)
{
    sq_scan_event *ev = &s->ev;
    const char *c = scan_find(l, n, SCAN_LIT("] [client ")), *e, *m;
    size_t al, ml;

    if (scan_time_into(s, l, n) == 0 || c == NULL)
        return 0;
    c += 10;
    e = memchr(c, ']', n - (size_t)(c - l));
    if (e == NULL)
        return 0;
    al = (size_t)(e - c);
    if (!scan_ip(c, al, ev->src)) { /* 2.4: ADDR:PORT */
        const char *colon = scan_rfind(c, al, SCAN_LIT(":"));

        if (colon == NULL || !scan_ip(c, (size_t)(colon - c), ev->src))
            return 0;
        ev->sport = scan_port(colon + 1, (size_t)(e - colon) - 1);
    }
    m = e + 1;
    ml = n - (size_t)(m - l);
    ev->service = "http";
    if (scan_find(m, ml, SCAN_LIT("Directory index forbidden")) ||
        scan_find(m, ml, SCAN_LIT("Cannot serve directory"))) {
        ev->kind = SQ_KIND_RECONNAISSANCE;
        return 1;
    }
    ev->kind = SQ_KIND_VULN_SCAN;
    if (has_any(m, ml, exploit_marks,
                sizeof(exploit_marks) / sizeof(exploit_marks[0])))
        return 1;
    return (scan_find(m, ml, SCAN_LIT("File does not exist")) ||
            scan_find(m, ml, SCAN_LIT("not found or unable to stat"))) &&
           has_any(m, ml, probe_paths,
                   sizeof(probe_paths) / sizeof(probe_paths[0]));
}

/* ADDR IDENT USER [time] "METHOD PATH PROTO" STATUS ... */
int
scan_access(sq_scanner *s, const char *l, size_t n)
{
    sq_scan_event *ev = &s->ev;
    size_t a = scan_token(l, n), i, rl, used;
    const char *br = a < n ? memchr(l + a, '[', n - a) : NULL, *q, *qe;
    unsigned status;

    if (l[0] == '[')
        return scan_error_log(s, l, n);
    if (br == NULL || !scan_ip(l, a, ev->src))
        return 0;
    i = (size_t)(br - l);
    used = scan_time_into(s, l + i, n - i);
    if (used == 0)
        return 0;
    i += used;
    if (i + 2 >= n || l[i] != ' ' || l[i + 1] != '"')
        return 0;
    q = l + i + 2;
    qe = scan_find(q, n - i - 2, SCAN_LIT("\" "));
    if (qe == NULL)
        return 0;
    rl = (size_t)(qe - q);
    status = scan_uint(qe + 2, n - (size_t)(qe + 2 - l), &used);
    if (used != 3)
        return 0;
    ev->kind = SQ_KIND_VULN_SCAN;
    ev->service = "http";
    if (has_any(q, rl, exploit_marks,
                sizeof(exploit_marks) / sizeof(exploit_marks[0])))
        return 1;
    return status >= 400 && status <= 499 &&
           has_any(q, rl, probe_paths,
                   sizeof(probe_paths) / sizeof(probe_paths[0]));
}

/* ---- Postfix ---- */

/* smtpd: "warning: NAME[ADDR]: SASL METHOD authentication failed: ..." */
int
scan_postfix_msg(sq_scanner *s, const sl_line *sl)
{
    const char *m = sl->msg, *f;
    size_t n = sl->msglen;

    if (!SCAN_HAS(m, n, "warning: ") ||
        (f = scan_find(m, n, SCAN_LIT(" authentication failed"))) == NULL ||
        scan_find(m, (size_t)(f - m), SCAN_LIT(": SASL ")) == NULL)
        return 0;
    if (!bracket_addr(&s->ev, m + 9, (size_t)(f - m) - 9))
        return 0;
    s->ev.sport = 0;
    s->ev.service = "smtp";
    return 1;
}

int
scan_postfix(sq_scanner *s, const char *l, size_t n)
{
    sl_line sl;

    if (!scan_syslog_split(s, l, n, &sl) ||
        !SCAN_HAS(sl.tag, sl.taglen, "postfix"))
        return 0;
    return scan_postfix_msg(s, &sl);
}

/* ---- Dovecot ---- */

/* ", key=VALUE" (VALUE up to ',' or end; "<...>" unwrapped). */
static size_t
dv_field(const char *m, size_t n, const char *key, size_t kl, const char **v)
{
    const char *k = scan_find(m, n, key, kl), *e;
    size_t rest;

    if (k == NULL)
        return 0;
    *v = k + kl;
    rest = n - (size_t)(*v - m);
    e = memchr(*v, ',', rest);
    rest = e ? (size_t)(e - *v) : rest;
    if (rest >= 2 && (*v)[0] == '<' && (*v)[rest - 1] == '>') {
        (*v)++;
        rest -= 2;
    }
    return rest;
}

/* "imap-login: Disconnected (auth failed, 3 attempts in 12 secs):
 * user=<u>, method=PLAIN, rip=ADDR, ..." and "Aborted login (auth
 * failed, ...)"; auth-process lines ("pam(u,ADDR): ...", "passwd-
 * file(u,ADDR): Password mismatch") are helpers. */
int
scan_dovecot_msg(sq_scanner *s, const sl_line *sl)
{
    sq_scan_event *ev = &s->ev;
    const char *m = sl->msg, *lg, *v, *a;
    size_t n = sl->msglen, vl;

    if ((lg = scan_find(m, n, SCAN_LIT("-login: "))) != NULL) {
        a = scan_find(m, n, SCAN_LIT("(auth failed, "));
        if (a == NULL)
            return 0;
        ev->count = scan_uint(a + 14, n - (size_t)(a + 14 - m), &vl);
        if (ev->count == 0)
            ev->count = 1;
        vl = dv_field(m, n, SCAN_LIT(" rip="), &v);
        if (vl == 0 || !scan_ip(v, vl, ev->src))
            return 0;
        vl = dv_field(m, n, SCAN_LIT(" user="), &v);
        scan_user(ev, v, vl);
        ev->service = lg - m >= 4 && memcmp(lg - 4, "pop3", 4) == 0 ? "pop3"
                      : lg - m >= 10 && memcmp(lg - 10, "managesieve", 10) == 0
                          ? "sieve"
                          : "imap";
        return 1;
    }
    if (!SCAN_HAS(m, n, "auth") ||
        (scan_find(m, n, SCAN_LIT("Password mismatch")) == NULL &&
         scan_find(m, n, SCAN_LIT("unknown user")) == NULL))
        return 0;
    /* "auth: passwd-file(user,ADDR): ..." / "pam(user,ADDR,<sess>)" */
    a = scan_find(m, n, SCAN_LIT("("));
    v = a ? memchr(a, ',', n - (size_t)(a - m)) : NULL;
    if (v == NULL)
        return 0;
    for (vl = 0; v + 1 + vl < m + n && v[1 + vl] != ',' && v[1 + vl] != ')';
         vl++)
        ;
    if (!scan_ip(v + 1, vl, ev->src))
        return 0;
    scan_user(ev, a + 1, (size_t)(v - a) - 1);
    ev->service = "imap";
    ev->flags |= SQ_SCAN_EV_HELPER;
    return 1;
}

int
scan_dovecot(sq_scanner *s, const char *l, size_t n)
{
    sl_line sl;

    if (!scan_syslog_split(s, l, n, &sl))
        return 0;
    return scan_dovecot_msg(s, &sl);
}

/* ---- Exim main log ---- */

/* "STAMP [pid] ... authenticator failed for H [ADDR]:port: 535 ...
 * (set_id=U)" and "H=... [ADDR]:port ... rejected RCPT <..>: relay not
 * permitted". */
int
scan_exim(sq_scanner *s, const char *l, size_t n)
{
    sq_scan_event *ev = &s->ev;
    size_t i = scan_time_into(s, l, n);
    const char *a, *id;

    if (i == 0)
        return 0;
    l += i;
    n -= i;
    if ((a = scan_find(l, n, SCAN_LIT(" authenticator failed for "))) != NULL) {
        if (!bracket_addr(ev, a, n - (size_t)(a - l)))
            return 0;
        id = scan_find(a, n - (size_t)(a - l), SCAN_LIT("(set_id="));
        if (id != NULL) {
            const char *e = memchr(id, ')', n - (size_t)(id - l));

            if (e != NULL)
                scan_user(ev, id + 8, (size_t)(e - id) - 8);
        }
    } else if ((a = scan_find(l, n, SCAN_LIT(" H="))) != NULL &&
               scan_find(l, n, SCAN_LIT(" rejected RCPT ")) != NULL &&
               scan_find(l, n, SCAN_LIT("relay not permitted")) != NULL) {
        if (!bracket_addr(ev, a, n - (size_t)(a - l)))
            return 0;
        ev->kind = SQ_KIND_RECONNAISSANCE;
    } else {
        return 0;
    }
    ev->service = "smtp";
    return 1;
}

/* ---- fail2ban.log ---- */

static const struct {
    const char *jail;
    const char *service;
    sq_report_kind kind;
} jails[] = {
    {"ssh", "ssh", SQ_KIND_LOGIN_ATTACK},
    {"postfix", "smtp", SQ_KIND_LOGIN_ATTACK},
    {"sasl", "smtp", SQ_KIND_LOGIN_ATTACK},
    {"exim", "smtp", SQ_KIND_LOGIN_ATTACK},
    {"smtp", "smtp", SQ_KIND_LOGIN_ATTACK},
    {"dovecot", "imap", SQ_KIND_LOGIN_ATTACK},
    {"courier", "imap", SQ_KIND_LOGIN_ATTACK},
    {"apache", "http", SQ_KIND_VULN_SCAN},
    {"nginx", "http", SQ_KIND_VULN_SCAN},
    {"wordpress", "http", SQ_KIND_LOGIN_ATTACK},
    {"ftp", "ftp", SQ_KIND_LOGIN_ATTACK},
    {"portscan", "firewall", SQ_KIND_PORT_SCAN},
};

/* "STAMP fail2ban.actions [pid]: NOTICE [JAIL] Ban ADDR"; "Restore Ban"
 * (a restart) and the recidive jail (a ban of a ban) are not events. */
int
scan_fail2ban(sq_scanner *s, const char *l, size_t n)
{
    sq_scan_event *ev = &s->ev;
    size_t i = scan_time_into(s, l, n), jl;
    const char *j, *je, *b;

    if (i == 0 || scan_find(l, n, SCAN_LIT(" fail2ban.actions")) == NULL)
        return 0;
    b = scan_rfind(l, n, SCAN_LIT("] Ban "));
    if (b == NULL)
        return 0;
    je = b;
    j = b;
    while (j > l && j[-1] != '[')
        j--;
    if (j == l)
        return 0;
    jl = (size_t)(je - j);
    b += 6;
    if (!scan_ip(b, scan_token(b, n - (size_t)(b - l)), ev->src) ||
        sq_memcasemem(j, jl, SCAN_LIT("recidive")) != NULL)
        return 0;
    ev->service = "other";
    for (size_t k = 0; k < sizeof(jails) / sizeof(jails[0]); k++)
        if (sq_memcasemem(j, jl, jails[k].jail, strlen(jails[k].jail))) {
            ev->service = jails[k].service;
            ev->kind = jails[k].kind;
            break;
        }
    return 1;
}
