/*
 * incident.c - the incident object, kind and format names, the evidence
 * hash, the dispatch of sq_report_build() and small helpers the
 * builders share.  An incident owns copies of every value it is given.
 */
#include "report/report_int.h"

#include <squeaky/mail.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define X02 "http://www.x-arf.org/schema/"

static const rep_kind_info kinds[SQ_KIND_MAX] = {
    {"spam", "abuse", "messaging", "spam", "abuse", "mail",
     X02 "abuse_mail_0.1.0.json", "unsolicited bulk mail (spam)", 1},
    {"phishing", "fraud", "content", "phishing", "fraud", "phishing",
     X02 "fraud_0.1.4.json", "a phishing message", 1},
    {"malware", "virus", "content", "malware", "abuse", "malware",
     X02 "abuse_malware_0.1.0.json", "a message carrying malware", 1},
    {"login_attack", "abuse", "connection", "login_attack", "abuse",
     "login-attack", X02 "abuse_login-attack_0.1.2.json",
     "login attempts (brute force)", 0},
    {"port_scan", "abuse", "connection", "port_scan", "abuse", "portscan",
     X02 "abuse_portscan_0.1.0.json", "a port scan", 0},
    {"vulnerability_scan", "abuse", "connection", "vulnerability_scan", "abuse",
     "vulnerability-scan", X02 "abuse_vulnerability-scan_0.1.0.json",
     "a vulnerability scan", 0},
    {"sql_injection", "abuse", "connection", "sql_injection", "abuse",
     "sql-injection", X02 "abuse_sql-injection_0.1.0.json",
     "SQL injection attempts", 0},
    {"reconnaissance", "abuse", "connection", "reconnaissance", "abuse",
     "reconnaissance", X02 "abuse_reconnaissance_0.1.0.json",
     "reconnaissance (probing)", 0},
};

static const char *const format_names[SQ_FORMAT_MAX] = {
    "arf", "xarf", "xarf-mail", "x-arf", "text"};

/* Fields that collect every value instead of keeping the last. */
static int
field_multi(sq_incident_field f)
{
    return f == SQ_INC_RCPT_TO || f == SQ_INC_DOMAIN || f == SQ_INC_URI ||
           f == SQ_INC_AUTH_RESULTS || f == SQ_INC_EVIDENCE_LINE;
}

const rep_kind_info *
rep_kind(sq_report_kind k)
{
    return (unsigned)k < SQ_KIND_MAX ? &kinds[k] : &kinds[0];
}

const char *
sq_report_kind_name(sq_report_kind k)
{
    return (unsigned)k < SQ_KIND_MAX ? kinds[k].name : NULL;
}

const char *
sq_report_format_name(sq_report_format f)
{
    return (unsigned)f < SQ_FORMAT_MAX ? format_names[f] : NULL;
}

sq_status
sq_report_kind_parse(const char *s, sq_report_kind *out)
{
    for (int i = 0; s != NULL && i < SQ_KIND_MAX; i++)
        if (strcmp(s, kinds[i].name) == 0) {
            *out = (sq_report_kind)i;
            return SQ_OK;
        }
    return SQ_EINVAL;
}

sq_status
sq_report_format_parse(const char *s, sq_report_format *out)
{
    for (int i = 0; s != NULL && i < SQ_FORMAT_MAX; i++)
        if (strcmp(s, format_names[i]) == 0) {
            *out = (sq_report_format)i;
            return SQ_OK;
        }
    return SQ_EINVAL;
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_init_once(void)
{
    g_mime_init();
}

void
rep_gmime_init(void)
{
    pthread_once(&gmime_once, gmime_init_once);
}

sq_status
sq_incident_new(sq_report_kind kind, sq_incident **out)
{
    sq_incident *inc;

    if ((unsigned)kind >= SQ_KIND_MAX || out == NULL)
        return SQ_EINVAL;
    inc = calloc(1, sizeof(*inc));
    if (inc == NULL)
        return SQ_ENOMEM;
    inc->kind = kind;
    inc->count = 1;
    *out = inc;
    return SQ_OK;
}

void
sq_incident_free(sq_incident *inc)
{
    if (inc == NULL)
        return;
    for (size_t f = 0; f < SQ_INC_FIELD_MAX; f++) {
        for (size_t i = 0; i < inc->f[f].n; i++)
            free(inc->f[f].v[i]);
        free(inc->f[f].v);
    }
    free(inc->msg);
    free(inc);
}

sq_report_kind
sq_incident_kind(const sq_incident *inc)
{
    return inc->kind;
}

static int
value_ok(sq_incident_field f, const char *v)
{
    sq_ipaddr ip;

    if (strpbrk(v, "\r\n") != NULL)
        return 0;
    if (f == SQ_INC_SOURCE_IP || f == SQ_INC_DEST_IP)
        return sq_ipaddr_parse(v, strlen(v), &ip);
    return 1;
}

sq_status
sq_incident_add(sq_incident *inc, sq_incident_field f, const char *value)
{
    inc_list *l;
    char *copy;

    if (inc == NULL || (unsigned)f >= SQ_INC_FIELD_MAX || value == NULL ||
        !value_ok(f, value))
        return SQ_EINVAL;
    l = &inc->f[f];
    copy = strdup(value);
    if (copy == NULL)
        return SQ_ENOMEM;
    if (!field_multi(f) && l->n > 0) {
        free(l->v[0]);
        l->v[0] = copy;
        return SQ_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        char **v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            free(copy);
            return SQ_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = copy;
    return SQ_OK;
}

size_t
sq_incident_count(const sq_incident *inc, sq_incident_field f)
{
    return (unsigned)f < SQ_INC_FIELD_MAX ? inc->f[f].n : 0;
}

const char *
sq_incident_get(const sq_incident *inc, sq_incident_field f, size_t i)
{
    if ((unsigned)f >= SQ_INC_FIELD_MAX || i >= inc->f[f].n)
        return NULL;
    return inc->f[f].v[i];
}

const char *
rep_field(const sq_incident *inc, sq_incident_field f)
{
    return sq_incident_get(inc, f, 0);
}

void
sq_incident_set_ports(sq_incident *inc, unsigned source_port,
                      unsigned dest_port)
{
    inc->sport = source_port <= 65535 ? source_port : 0;
    inc->dport = dest_port <= 65535 ? dest_port : 0;
}

void
sq_incident_set_time(sq_incident *inc, long long first, long long last,
                     int zone_minutes)
{
    inc->first = first;
    inc->last = last >= first ? last : first;
    inc->zone_min =
        zone_minutes >= -1439 && zone_minutes <= 1439 ? zone_minutes : 0;
}

void
sq_incident_set_count(sq_incident *inc, unsigned long n)
{
    inc->count = n > 0 ? n : 1;
}

sq_status
sq_incident_set_message(sq_incident *inc, const char *msg, size_t len)
{
    char *copy;

    if (inc == NULL || (msg == NULL && len > 0))
        return SQ_EINVAL;
    copy = malloc(len + 1);
    if (copy == NULL)
        return SQ_ENOMEM;
    if (len > 0)
        memcpy(copy, msg, len);
    copy[len] = '\0';
    free(inc->msg);
    inc->msg = copy;
    inc->msglen = len;
    return SQ_OK;
}

void
sq_incident_set_redactor(sq_incident *inc, const sq_redactor *r)
{
    inc->red = r;
}

void
sq_sha256_hex(const void *data, size_t len, char out[65])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    const unsigned char *p = data;

    /* g_checksum_update takes a gssize: feed large inputs in pieces. */
    while (len > 0) {
        size_t n = len > (1u << 30) ? (1u << 30) : len;

        g_checksum_update(c, p, (gssize)n);
        p += n;
        len -= n;
    }
    snprintf(out, 65, "%s", g_checksum_get_string(c));
    g_checksum_free(c);
}

sq_status
sq_incident_evidence_hash(const sq_incident *inc, char out[65])
{
    const inc_list *l = &inc->f[SQ_INC_EVIDENCE_LINE];
    GChecksum *c;

    if (inc->msg != NULL) {
        sq_sha256_hex(inc->msg, inc->msglen, out);
        return SQ_OK;
    }
    if (l->n == 0)
        return SQ_EEMPTY;
    c = g_checksum_new(G_CHECKSUM_SHA256);
    for (size_t i = 0; i < l->n; i++) {
        g_checksum_update(c, (const guchar *)l->v[i], (gssize)strlen(l->v[i]));
        g_checksum_update(c, (const guchar *)"\n", 1);
    }
    snprintf(out, 65, "%s", g_checksum_get_string(c));
    g_checksum_free(c);
    return SQ_OK;
}

sq_status
rep_out(const char *s, size_t len, char **out, size_t *outlen)
{
    char *p = malloc(len + 1);

    if (p == NULL)
        return SQ_ENOMEM;
    if (len > 0)
        memcpy(p, s, len);
    p[len] = '\0';
    *out = p;
    if (outlen != NULL)
        *outlen = len;
    return SQ_OK;
}

char *
rep_redact_str(const sq_incident *inc, const char *s)
{
    char *r = NULL, *g;
    size_t n;

    if (s == NULL)
        s = "";
    if (inc->red == NULL)
        return g_strdup(s);
    if (sq_redact_text(inc->red, s, strlen(s), &r, &n, NULL) != SQ_OK)
        return NULL;
    g = g_strndup(r, n);
    free(r);
    return g;
}

void
rep_append_clean(GString *g, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        g_string_append_c(g, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

char *
rep_utf8_clean(const char *s, size_t len, size_t maxbytes)
{
    GString *g = g_string_sized_new(len < maxbytes ? len : maxbytes);
    const char *end = s + len, *bad;

    while (s < end) {
        size_t n;

        g_utf8_validate(s, end - s, &bad);
        n = (size_t)(bad - s);
        if (g->len + n > maxbytes) {
            /* cut on a character boundary */
            const char *cut = s + (maxbytes - g->len);

            while (cut > s && ((unsigned char)*cut & 0xc0) == 0x80)
                cut--;
            g_string_append_len(g, s, cut - s);
            break;
        }
        g_string_append_len(g, s, (gssize)n);
        s = bad;
        if (s < end) {
            if (g->len + 1 > maxbytes)
                break;
            g_string_append_c(g, '?');
            s++;
        }
    }
    return g_string_free(g, FALSE);
}

void
rep_date_rfc5322(long long t, int zone_min, char *out, size_t outlen)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t shifted = (time_t)(t + zone_min * 60LL);
    struct tm tm;
    int z = zone_min < 0 ? -zone_min : zone_min;

    if (gmtime_r(&shifted, &tm) == NULL) {
        snprintf(out, outlen, "Thu, 1 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, outlen, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
             wd[tm.tm_wday % 7], tm.tm_mday, mo[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
             zone_min < 0 ? '-' : '+', z / 60, z % 60);
}

char *
rep_msg_header(const sq_incident *inc, const char *name)
{
    sq_headers *h = NULL;
    char *v = NULL;
    size_t i;

    if (inc->msg == NULL ||
        sq_headers_parse(inc->msg, inc->msglen, NULL, &h) != SQ_OK)
        return NULL;
    i = sq_headers_find(h, name, 0);
    if (i != (size_t)-1) {
        rep_gmime_init();
        v = g_mime_utils_header_decode_text(NULL, sq_headers_value(h, i, NULL));
    }
    sq_headers_free(h);
    return v;
}

size_t
rep_header_block_len(const char *msg, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (msg[i] != '\n')
            continue;
        if (i + 1 < len && msg[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n')
            return i + 3;
    }
    return len;
}

const char *
rep_addr_domain(const char *addr)
{
    const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

    return at != NULL ? at + 1 : "";
}

sq_status
sq_report_build(const sq_incident *inc, sq_report_format fmt, unsigned flags,
                const sq_template *tpl, sq_diag *d, char **out, size_t *outlen)
{
    typedef sq_status (*builder)(const sq_incident *, unsigned,
                                 const sq_template *, sq_diag *, char **,
                                 size_t *);
    static const builder builders[SQ_FORMAT_MAX] = {
        rep_build_arf, rep_build_xarf, rep_build_xarf_mail, rep_build_x02,
        rep_build_text};

    if (inc == NULL || out == NULL || (unsigned)fmt >= SQ_FORMAT_MAX) {
        sq_diag_addf(d, NULL, 0, "report: bad arguments");
        return SQ_EINVAL;
    }
    if (rep_field(inc, SQ_INC_SOURCE_IP) == NULL) {
        sq_diag_addf(d, NULL, 0, "report: the incident has no source IP");
        return SQ_EINVAL;
    }
    rep_gmime_init();
    return builders[fmt](inc, flags, tpl, d, out, outlen);
}
