/*
 * scan.c - the scanner object, line dispatch, format names, format
 * detection and the event accessors.
 *
 * Ownership: sq_scanner owns its event and its journal buffer; events
 * are borrowed until the next call.  Limits: SQ_SCAN_MAX_LINE bytes a
 * line, SQ_SCAN_DETECT_LINES lines of a detection sample.
 */
#define _GNU_SOURCE /* memmem, memrchr */
#include "scan_int.h"

#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*scan_line_fn)(sq_scanner *s, const char *l, size_t n);

static const struct {
    const char *name;
    scan_line_fn fn;
} formats[SQ_SCAN_FORMAT_MAX] = {
    [SQ_SCAN_AUTO] = {"auto", NULL},
    [SQ_SCAN_SYSLOG] = {"syslog", scan_syslog_any},
    [SQ_SCAN_SSHD] = {"sshd", scan_sshd},
    [SQ_SCAN_NETFILTER] = {"netfilter", scan_netfilter},
    [SQ_SCAN_UFW] = {"ufw", scan_ufw},
    [SQ_SCAN_FILTERLOG] = {"filterlog", scan_filterlog},
    [SQ_SCAN_WINFW] = {"winfw", scan_winfw},
    [SQ_SCAN_ACCESS] = {"access", scan_access},
    [SQ_SCAN_POSTFIX] = {"postfix", scan_postfix},
    [SQ_SCAN_DOVECOT] = {"dovecot", scan_dovecot},
    [SQ_SCAN_EXIM] = {"exim", scan_exim},
    [SQ_SCAN_FAIL2BAN] = {"fail2ban", scan_fail2ban},
    [SQ_SCAN_ASA] = {"asa", scan_asa},
};

const char *
sq_scan_format_name(sq_scan_format f)
{
    return (unsigned)f < SQ_SCAN_FORMAT_MAX ? formats[f].name : NULL;
}

sq_status
sq_scan_format_parse(const char *s, sq_scan_format *out)
{
    if (s == NULL || out == NULL)
        return SQ_EINVAL;
    for (int f = 0; f < SQ_SCAN_FORMAT_MAX; f++)
        if (strcmp(s, formats[f].name) == 0) {
            *out = (sq_scan_format)f;
            return SQ_OK;
        }
    return SQ_EINVAL;
}

sq_status
sq_scanner_new(sq_scan_format fmt, sq_scanner **out)
{
    sq_scanner *s;

    if (out == NULL || fmt <= SQ_SCAN_AUTO || fmt >= SQ_SCAN_FORMAT_MAX)
        return SQ_EINVAL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return SQ_ENOMEM;
    s->jbuf = malloc(SQ_SCAN_MAX_LINE);
    if (s->jbuf == NULL) {
        free(s);
        return SQ_ENOMEM;
    }
    s->fmt = fmt;
    s->ref = (long long)time(NULL);
    *out = s;
    return SQ_OK;
}

void
sq_scanner_free(sq_scanner *s)
{
    if (s == NULL)
        return;
    free(s->jbuf);
    free(s);
}

sq_scan_format
sq_scanner_format(const sq_scanner *s)
{
    return s->fmt;
}

void
sq_scanner_set_now(sq_scanner *s, long long now, long long mtime)
{
    s->ref = mtime != 0 ? mtime : now;
    s->tkeylen = 0;
}

void
sq_scanner_set_zone(sq_scanner *s, int offset_minutes)
{
    if (offset_minutes < -24 * 60 || offset_minutes > 24 * 60)
        return;
    s->zone = offset_minutes;
    s->zone_known = 1;
    s->tkeylen = 0;
}

void
scan_ev_reset(sq_scanner *s)
{
    sq_scan_event *ev = &s->ev;

    ev->flags = ev->usec = ev->sport = ev->dport = 0;
    ev->count = 1;
    ev->time = 0;
    ev->zone = 0;
    ev->kind = SQ_KIND_LOGIN_ATTACK;
    ev->service = "";
    ev->format = formats[s->fmt].name;
    ev->src[0] = ev->dst[0] = ev->proto[0] = ev->user[0] = '\0';
}

sq_status
sq_scanner_line(sq_scanner *s, const char *line, size_t len,
                unsigned long long offset, const sq_scan_event **ev)
{
    if (s == NULL || ev == NULL || (line == NULL && len != 0))
        return SQ_EINVAL;
    if (len > SQ_SCAN_MAX_LINE)
        return SQ_ELIMIT_LINE;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return SQ_ENOTFOUND;
    scan_ev_reset(s);
    if (!formats[s->fmt].fn(s, line, len) || s->ev.src[0] == '\0')
        return SQ_ENOTFOUND;
    /* the application services here all run over TCP */
    if (s->ev.proto[0] == '\0' && strcmp(s->ev.service, "firewall") != 0 &&
        strcmp(s->ev.service, "other") != 0)
        memcpy(s->ev.proto, "tcp", 4);
    s->ev.offset = offset;
    s->ev.length = len;
    *ev = &s->ev;
    return SQ_OK;
}

size_t
sq_scanner_buffer(sq_scanner *s, const char *buf, size_t len,
                  unsigned long long base, sq_scan_fn fn, void *ctx,
                  size_t *too_long)
{
    size_t pos = 0, lines = 0, longs = 0;
    const sq_scan_event *ev;

    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        sq_status st = sq_scanner_line(s, buf + pos, n, base + pos, &ev);

        lines++;
        if (st == SQ_ELIMIT_LINE)
            longs++;
        pos += n + (nl != NULL);
        if (st == SQ_OK && fn != NULL && fn(ctx, ev) != 0)
            break;
    }
    if (too_long)
        *too_long = longs;
    return lines;
}

/* ---- helpers shared by the scanners ---- */

int
scan_ip(const char *p, size_t n, char *dst)
{
    sq_ipaddr a;

    if (n == 0 || n >= SCAN_IP_MAX || !sq_ipaddr_parse(p, n, &a))
        return 0;
    if (a.v4 && memchr(p, ':', n) == NULL) {
        /* dotted quad: canonical already unless an octet has a leading
         * zero (the common case skips the formatter) */
        int canon = p[0] != '0' || n == 1 || p[1] == '.';

        for (size_t i = 1; canon && i + 1 < n; i++)
            if (p[i] == '.' && p[i + 1] == '0' && i + 2 < n && p[i + 2] != '.')
                canon = 0;
        if (canon) {
            memcpy(dst, p, n);
            dst[n] = '\0';
            return 1;
        }
    }
    sq_ipaddr_format(&a, dst);
    return 1;
}

void
scan_user(sq_scan_event *ev, const char *p, size_t n)
{
    if (n >= SCAN_USER_MAX)
        n = SCAN_USER_MAX - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        ev->user[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
    }
    ev->user[n] = '\0';
}

unsigned
scan_uint(const char *p, size_t n, size_t *used)
{
    size_t i = 0;
    unsigned v = 0;

    while (i < n && i < 9 && p[i] >= '0' && p[i] <= '9')
        v = v * 10 + (unsigned)(p[i++] - '0');
    *used = i;
    return v;
}

unsigned
scan_port(const char *p, size_t n)
{
    size_t used;
    unsigned v = scan_uint(p, n, &used);

    return used == n && used > 0 && used <= 5 && v >= 1 && v <= 65535 ? v : 0;
}

void
scan_proto(sq_scan_event *ev, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n && i < SCAN_PROTO_MAX - 1; i++) {
        char c = p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            break;
        ev->proto[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    ev->proto[i] = '\0';
}

const char *
scan_find(const char *h, size_t n, const char *lit, size_t ln)
{
    return memmem(h, n, lit, ln);
}

const char *
scan_rfind(const char *h, size_t n, const char *lit, size_t ln)
{
    while (n >= ln) {
        const char *p = memrchr(h, lit[0], n - ln + 1);

        if (p == NULL)
            return NULL;
        if (memcmp(p, lit, ln) == 0)
            return p;
        n = (size_t)(p - h) + ln - 1;
    }
    return NULL;
}

size_t
scan_token(const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n);

    return sp ? (size_t)(sp - p) : n;
}

/* ---- detection ---- */

/* Which format a single line looks like (SQ_SCAN_AUTO: none).  Each
 * test is an anchor that format's scanner requires. */
static sq_scan_format
detect_line(const char *l, size_t n)
{
    static const struct {
        const char *anchor;
        sq_scan_format f;
    } anchors[] = {
        {"[UFW ", SQ_SCAN_UFW},        {" filterlog", SQ_SCAN_FILTERLOG},
        {"%ASA-", SQ_SCAN_ASA},        {"%FTD-", SQ_SCAN_ASA},
        {" sshd[", SQ_SCAN_SSHD},      {" sshd(", SQ_SCAN_SSHD},
        {" sshd:", SQ_SCAN_SSHD},      {" sshd-session[", SQ_SCAN_SSHD},
        {"\"sshd\"", SQ_SCAN_SSHD},    {" postfix/", SQ_SCAN_POSTFIX},
        {" dovecot", SQ_SCAN_DOVECOT}, {" fail2ban.", SQ_SCAN_FAIL2BAN},
        {" SRC=", SQ_SCAN_NETFILTER},  {"] [client ", SQ_SCAN_ACCESS},
    };

    if (SCAN_HAS(l, n, "#Software: Microsoft Windows Firewall") ||
        SCAN_HAS(l, n, "#Fields: date time action protocol src-ip"))
        return SQ_SCAN_WINFW;
    for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++)
        if (scan_find(l, n, anchors[i].anchor, strlen(anchors[i].anchor)))
            return anchors[i].f;
    if (n > 20 && l[4] == '-' && l[10] == ' ' && l[19] == ' ' &&
        (scan_find(l, n, SCAN_LIT(" <= ")) ||
         scan_find(l, n, SCAN_LIT(" => ")) ||
         scan_find(l, n, SCAN_LIT(" rejected ")) ||
         scan_find(l, n, SCAN_LIT(" authenticator failed "))))
        return SQ_SCAN_EXIM;
    if (scan_find(l, n, SCAN_LIT("] \"")) && scan_find(l, n, SCAN_LIT(" - ")))
        return SQ_SCAN_ACCESS;
    return SQ_SCAN_AUTO;
}

sq_status
sq_scan_detect(const char *sample, size_t len, sq_scan_format *out)
{
    unsigned votes[SQ_SCAN_FORMAT_MAX] = {0}, kinds = 0, lines = 0;
    size_t pos = 0;
    int best = 0;

    if (sample == NULL || out == NULL)
        return SQ_EINVAL;
    if (memchr(sample, '\0', len) != NULL)
        return SQ_EBINARY;
    while (pos < len && lines < SQ_SCAN_DETECT_LINES) {
        const char *nl = memchr(sample + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (sample + pos)) : len - pos;

        if (n <= SQ_SCAN_MAX_LINE)
            votes[detect_line(sample + pos, n)]++;
        pos += n + 1;
        lines++;
    }
    /* UFW lines beside plain LOG lines: netfilter reads both (it skips
       only [UFW ALLOW] and [UFW AUDIT]); ufw alone would lose the rest */
    if (votes[SQ_SCAN_UFW] > 0 && votes[SQ_SCAN_NETFILTER] > 0) {
        votes[SQ_SCAN_NETFILTER] += votes[SQ_SCAN_UFW];
        votes[SQ_SCAN_UFW] = 0;
    }
    for (int f = 1; f < SQ_SCAN_FORMAT_MAX; f++) {
        if (votes[f] > votes[best] || best == 0)
            best = votes[f] > 0 ? f : best;
        kinds += votes[f] > 0;
    }
    if (best == 0 || votes[best] == 0)
        return SQ_ENOTFOUND;
    /* Several syslog programs (auth.log, messages): dispatch per line. */
    if (kinds > 1 && best != SQ_SCAN_WINFW && best != SQ_SCAN_ACCESS &&
        best != SQ_SCAN_EXIM && best != SQ_SCAN_FAIL2BAN)
        best = SQ_SCAN_SYSLOG;
    *out = (sq_scan_format)best;
    return SQ_OK;
}

/* ---- accessors ---- */

unsigned
sq_scan_event_flags(const sq_scan_event *ev)
{
    return ev->flags;
}
long long
sq_scan_event_time(const sq_scan_event *ev)
{
    return ev->time;
}
unsigned
sq_scan_event_usec(const sq_scan_event *ev)
{
    return ev->usec;
}
int
sq_scan_event_zone(const sq_scan_event *ev)
{
    return ev->zone;
}
const char *
sq_scan_event_source_ip(const sq_scan_event *ev)
{
    return ev->src;
}
const char *
sq_scan_event_dest_ip(const sq_scan_event *ev)
{
    return ev->dst;
}
unsigned
sq_scan_event_source_port(const sq_scan_event *ev)
{
    return ev->sport;
}
unsigned
sq_scan_event_dest_port(const sq_scan_event *ev)
{
    return ev->dport;
}
const char *
sq_scan_event_protocol(const sq_scan_event *ev)
{
    return ev->proto;
}
const char *
sq_scan_event_service(const sq_scan_event *ev)
{
    return ev->service;
}
sq_report_kind
sq_scan_event_kind(const sq_scan_event *ev)
{
    return ev->kind;
}
const char *
sq_scan_event_user(const sq_scan_event *ev)
{
    return ev->user;
}
const char *
sq_scan_event_format(const sq_scan_event *ev)
{
    return ev->format;
}
unsigned
sq_scan_event_count(const sq_scan_event *ev)
{
    return ev->count;
}
unsigned long long
sq_scan_event_offset(const sq_scan_event *ev)
{
    return ev->offset;
}
size_t
sq_scan_event_length(const sq_scan_event *ev)
{
    return ev->length;
}
