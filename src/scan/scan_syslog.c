/*
 * scan_syslog.c - the syslog prefix (BSD "Mmm dd hh:mm:ss host tag[pid]:",
 * ISO stamps as journalctl -o short-iso and rsyslog write them, RFC 5424
 * "<pri>1 stamp host app procid msgid [sd]"), journalctl -o json lines,
 * and the "syslog" format that sends each line to its program's scanner.
 *
 * Limits: a JSON MESSAGE is unescaped into the scanner's
 * SQ_SCAN_MAX_LINE buffer; \u escapes outside ASCII become '?'.
 */
#include "scan_int.h"

#include "core/core_int.h"

#include <string.h>

size_t
scan_time_into(sq_scanner *s, const char *l, size_t n)
{
    sq_scan_event *ev = &s->ev;
    size_t used = 0;

    if (s->tkeylen > 0 && n > s->tkeylen + 1 && l[s->tkeylen] == ' ' &&
        l[s->tkeylen + 1] != '+' && l[s->tkeylen + 1] != '-' &&
        memcmp(l, s->tkey, s->tkeylen) == 0) {
        ev->time = s->tval;
        ev->usec = s->tusec;
        ev->zone = s->tzone;
        ev->flags |= s->tflags;
        return s->tused;
    }
    if (sq_scan_time_parse(l, n, s->ref, s->zone, s->zone_known, &ev->time,
                           &ev->usec, &ev->zone, &ev->flags, &used) != SQ_OK)
        return 0;
    s->tkeylen = 0;
    if (used <= sizeof(s->tkey)) {
        /* the stamp text itself is the key (a following space is
         * required on reuse so "10:00:01" never matches "10:00:01.5",
         * and no zone after it) */
        memcpy(s->tkey, l, used);
        s->tkeylen = used;
        s->tused = used;
        s->tval = ev->time;
        s->tusec = ev->usec;
        s->tzone = ev->zone;
        s->tflags = ev->flags;
    }
    return used;
}

static size_t
skip_sp(const char *l, size_t n, size_t i)
{
    while (i < n && l[i] == ' ')
        i++;
    return i;
}

/* After the host: "tag[pid]: msg", "tag: msg" or RFC 5424's
 * "app procid msgid sd msg". */
static int
split_tag(const char *l, size_t n, size_t i, int rfc5424, sl_line *out)
{
    size_t t = i, used;

    while (i < n && l[i] != ' ' && l[i] != '[' && l[i] != ':')
        i++;
    if (i == t || i >= n)
        return 0;
    out->tag = l + t;
    out->taglen = i - t;
    out->pid = 0;
    if (l[i] == '[') {
        out->pid = scan_uint(l + i + 1, n - i - 1, &used);
        i += 1 + used;
        if (i >= n || l[i] != ']')
            return 0;
        i++;
    }
    if (i < n && l[i] == ':' && !rfc5424) {
        i = skip_sp(l, n, i + 1);
    } else if (i < n && l[i] == ' ') {
        /* RFC 5424 body (with or without "<pri>1"): procid msgid sd */
        i++;
        out->pid = scan_uint(l + i, n - i, &used);
        i += scan_token(l + i, n - i);
        i = skip_sp(l, n, i);
        i += scan_token(l + i, n - i); /* msgid */
        i = skip_sp(l, n, i);
        if (i < n && l[i] == '[') {
            const char *e = memchr(l + i, ']', n - i);

            if (e == NULL)
                return 0;
            i = (size_t)(e - l) + 1;
        } else {
            i += scan_token(l + i, n - i); /* "-" */
        }
        i = skip_sp(l, n, i);
    } else {
        return 0;
    }
    out->msg = l + i;
    out->msglen = n - i;
    return 1;
}

int
scan_syslog_split(sq_scanner *s, const char *l, size_t n, sl_line *out)
{
    size_t i = 0, used;
    int rfc5424 = 0;

    if (n > 0 && l[0] == '<') {
        scan_uint(l + 1, n - 1, &used);
        if (used == 0 || used > 3 || 1 + used >= n || l[1 + used] != '>')
            return 0;
        i = 2 + used;
        if (i + 1 < n && l[i] == '1' && l[i + 1] == ' ') {
            rfc5424 = 1;
            i += 2;
        }
    }
    used = scan_time_into(s, l + i, n - i);
    if (used == 0)
        return 0;
    i = skip_sp(l, n, i + used);
    i += scan_token(l + i, n - i); /* host */
    i = skip_sp(l, n, i);
    return split_tag(l, n, i, rfc5424, out);
}

/* ---- journalctl -o json ---- */

/* The string value of "key" (quoted, with colon) in a flat JSON object:
 * unescaped into dst (cap bytes).  Returns the length or -1. */
static long
json_str(const char *l, size_t n, const char *key, size_t klen, char *dst,
         size_t cap)
{
    const char *k = scan_find(l, n, key, klen);
    size_t i, o = 0;

    if (k == NULL)
        return -1;
    i = (size_t)(k - l) + klen;
    while (i < n && l[i] == ' ')
        i++;
    if (i >= n || l[i++] != '"')
        return -1;
    while (i < n && l[i] != '"') {
        char c = l[i++];

        if (c == '\\') {
            if (i >= n)
                return -1;
            c = l[i++];
            if (c == 'n' || c == 't' || c == 'r')
                c = ' ';
            else if (c == 'u') {
                if (i + 4 > n || sq_hex_value(l[i]) < 0 ||
                    sq_hex_value(l[i + 1]) < 0 || sq_hex_value(l[i + 2]) < 0 ||
                    sq_hex_value(l[i + 3]) < 0)
                    return -1;
                c = l[i] == '0' && l[i + 1] == '0' && sq_hex_value(l[i + 2]) < 8
                        ? (char)(sq_hex_value(l[i + 2]) * 16 +
                                 sq_hex_value(l[i + 3]))
                        : '?';
                if (c < 0x20)
                    c = '?';
                i += 4;
            }
        }
        if (o + 1 >= cap)
            return -1;
        dst[o++] = c;
    }
    if (i >= n)
        return -1;
    dst[o] = '\0';
    return (long)o;
}

int
scan_journal_split(sq_scanner *s, const char *l, size_t n, sl_line *out)
{
    char num[32], tag[64];
    long len;
    size_t used;
    unsigned long long us = 0;

    len =
        json_str(l, n, SCAN_LIT("\"__REALTIME_TIMESTAMP\":"), num, sizeof(num));
    if (len <= 0 || len > 19)
        return 0;
    for (long i = 0; i < len; i++) {
        if (num[i] < '0' || num[i] > '9')
            return 0;
        us = us * 10 + (unsigned)(num[i] - '0');
    }
    s->ev.time = (long long)(us / 1000000);
    s->ev.usec = (unsigned)(us % 1000000);
    s->ev.flags |= SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE;
    len = json_str(l, n, SCAN_LIT("\"SYSLOG_IDENTIFIER\":"), tag, sizeof(tag));
    if (len <= 0)
        len = json_str(l, n, SCAN_LIT("\"_COMM\":"), tag, sizeof(tag));
    if (len <= 0)
        return 0;
    /* The tag only needs to outlive this call: compare it now. */
    if (!(len >= 4 && memcmp(tag, "sshd", 4) == 0))
        return 0;
    out->tag = "sshd";
    out->taglen = 4;
    out->pid = 0;
    if (json_str(l, n, SCAN_LIT("\"_PID\":"), num, sizeof(num)) > 0 ||
        json_str(l, n, SCAN_LIT("\"SYSLOG_PID\":"), num, sizeof(num)) > 0)
        out->pid = scan_uint(num, strlen(num), &used);
    len = json_str(l, n, SCAN_LIT("\"MESSAGE\":"), s->jbuf, SQ_SCAN_MAX_LINE);
    if (len < 0)
        return 0;
    out->msg = s->jbuf;
    out->msglen = (size_t)len;
    return 1;
}

/* ---- "syslog": each line to the scanner of its program ---- */

int
scan_syslog_any(sq_scanner *s, const char *l, size_t n)
{
    sl_line sl;

    if (n > 0 && l[0] == '{') {
        if (!scan_journal_split(s, l, n, &sl))
            return 0;
        s->ev.format = "sshd";
        return scan_sshd_msg(s, &sl);
    }
    if (!scan_syslog_split(s, l, n, &sl))
        return scan_find(l, n, SCAN_LIT("%ASA-")) != NULL &&
               scan_asa(s, l, n); /* "Mmm dd yyyy hh:mm:ss: %ASA-..." */
    if (SCAN_HAS(sl.tag, sl.taglen, "sshd")) {
        s->ev.format = "sshd";
        return scan_sshd_msg(s, &sl);
    }
    if (SCAN_HAS(sl.tag, sl.taglen, "kernel")) {
        s->ev.format = "netfilter";
        return scan_netfilter_msg(s, &sl, 0);
    }
    if (SCAN_HAS(sl.tag, sl.taglen, "postfix")) {
        s->ev.format = "postfix";
        return scan_postfix_msg(s, &sl);
    }
    if (SCAN_HAS(sl.tag, sl.taglen, "dovecot")) {
        s->ev.format = "dovecot";
        return scan_dovecot_msg(s, &sl);
    }
    if (SCAN_HAS(sl.tag, sl.taglen, "filterlog")) {
        s->ev.format = "filterlog";
        return scan_filterlog(s, l, n);
    }
    if (sl.taglen > 0 && (sl.tag[0] == '%' || sl.tag[0] == ':')) {
        s->ev.format = "asa";
        return scan_asa(s, l, n);
    }
    return 0;
}
