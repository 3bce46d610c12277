/*
 * wire.c - the bytes a report goes out as.
 *
 * A report message is kept as the report module wrote it.  At send time
 * its header block may get From and Reply-To replaced (sender options)
 * and Message-ID, Date and To added when missing; nothing else in the
 * header and nothing in the body changes except line ends, which become
 * CRLF for SMTP (RFC 5321 2.3.8) or LF for a sendmail pipe.  A message
 * always ends with a line end.
 *
 * A digest is one multipart/mixed mail: a short text part, then each
 * report as message/rfc822 (RFC 2046 5.2.1), whole.
 *
 * The header scan takes (pointer, length), needs no NUL, and treats any
 * byte sequence as a header block: a line without a colon is kept as
 * is; a header block without a blank line ends the message.
 */
#include "outbox/outbox_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OB_BUF_MAX = 64 << 20 };

sq_status
ob_buf_add(ob_buf *b, const char *s, size_t n)
{
    if (n > OB_BUF_MAX || b->len > OB_BUF_MAX - n)
        return SQ_ENOMEM;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((p = realloc(b->p, cap)) == NULL)
            return SQ_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return SQ_OK;
}

sq_status
ob_buf_addf(ob_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return SQ_EINVAL;
    return ob_buf_add(b, tmp, (size_t)n);
}

void
ob_buf_free(ob_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void
ob_rfc5322_date(long long t, char *out, size_t outlen)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(out, outlen, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- header scan ---- */

/* One physical line [*pos, eol) and its end (after the line break). */
static size_t
ob_line(const char *p, size_t n, size_t pos, size_t *next)
{
    const char *nl = memchr(p + pos, '\n', n - pos);
    size_t end = nl ? (size_t)(nl - p) : n;

    *next = nl ? end + 1 : n;
    if (end > pos && p[end - 1] == '\r')
        end--;
    return end;
}

/* [line, line+n) is the start of field name (case-insensitive). */
static int
ob_is_field(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name), i = k;

    if (n < k + 1 || !sq_strncaseeq(line, k, name))
        return 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < n && line[i] == ':';
}

static int
ob_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Where the header block ends: the offset of the blank line's start, and
 * in *body the offset after it (n when there is none). */
static size_t
ob_header_end(const char *p, size_t n, size_t *body)
{
    size_t pos = 0, next;

    while (pos < n) {
        size_t end = ob_line(p, n, pos, &next);
        if (end == pos) {
            *body = next;
            return pos;
        }
        pos = next;
    }
    *body = n;
    return n;
}

/* The unfolded value of the first field called name, into buf. */
static int
ob_field_value(const char *p, size_t n, const char *name, char *buf,
               size_t buflen)
{
    size_t body, hend = ob_header_end(p, n, &body), pos = 0, next;
    size_t k = strlen(name), o = 0;
    int in = 0;

    while (pos < hend) {
        size_t end = ob_line(p, n, pos, &next), s = pos;
        if (in && !(end > pos && ob_is_wsp(p[pos])))
            break;
        if (!in && ob_is_field(p + pos, end - pos, name)) {
            in = 1;
            s = (size_t)((const char *)memchr(p + pos + k, ':', end - pos - k) -
                         p) +
                1;
        }
        for (size_t i = s; in && i < end && o + 1 < buflen; i++)
            buf[o++] = p[i];
        pos = next;
    }
    if (buflen > 0)
        buf[o < buflen ? o : buflen - 1] = '\0';
    return in;
}

int
ob_find_message_id(const char *msg, size_t len, char *buf, size_t buflen)
{
    char v[1024];
    const char *lt, *gt;
    size_t n;

    if (buflen == 0 || !ob_field_value(msg, len, "Message-ID", v, sizeof(v)))
        return 0;
    if ((lt = strchr(v, '<')) == NULL || (gt = strchr(lt, '>')) == NULL)
        return 0;
    n = (size_t)(gt - lt - 1);
    if (n < 3 || n > OB_MSGID_MAX || n >= buflen || !memchr(lt, '@', n + 1))
        return 0;
    for (size_t i = 1; i <= n; i++)
        if ((unsigned char)lt[i] <= 0x20 || (unsigned char)lt[i] >= 0x7f)
            return 0;
    memcpy(buf, lt + 1, n);
    buf[n] = '\0';
    return 1;
}

/* ---- writing ---- */

static sq_status
ob_put_line(ob_buf *b, const char *s, size_t n, int crlf)
{
    sq_status st = ob_buf_add(b, s, n);

    if (st == SQ_OK)
        st = ob_buf_add(b, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
    return st;
}

static sq_status
ob_put_field(ob_buf *b, const char *name, const char *value, int crlf)
{
    sq_status st;

    if ((st = ob_buf_add(b, name, strlen(name))) != SQ_OK ||
        (st = ob_buf_add(b, ": ", 2)) != SQ_OK)
        return st;
    return ob_put_line(b, value, strlen(value), crlf);
}

static int
ob_has_field(const char *p, size_t hend, const char *name)
{
    size_t pos = 0, next;

    while (pos < hend) {
        size_t end = ob_line(p, hend, pos, &next);
        if (ob_is_field(p + pos, end - pos, name))
            return 1;
        pos = next;
    }
    return 0;
}

static sq_status
ob_new_fields(const char *p, size_t hend, const ob_edit *e, int crlf,
              ob_buf *out)
{
    char mid[OB_MSGID_MAX + 3];
    sq_status st = SQ_OK;

    if (e->from != NULL)
        st = ob_put_field(out, "From", e->from, crlf);
    if (st == SQ_OK && e->reply_to != NULL)
        st = ob_put_field(out, "Reply-To", e->reply_to, crlf);
    if (st == SQ_OK && e->to != NULL && !ob_has_field(p, hend, "To"))
        st = ob_put_field(out, "To", e->to, crlf);
    if (st == SQ_OK && e->message_id != NULL &&
        !ob_has_field(p, hend, "Message-ID")) {
        snprintf(mid, sizeof(mid), "<%s>", e->message_id);
        st = ob_put_field(out, "Message-ID", mid, crlf);
    }
    if (st == SQ_OK && e->date != NULL && !ob_has_field(p, hend, "Date"))
        st = ob_put_field(out, "Date", e->date, crlf);
    return st;
}

/* The original header block minus replaced fields (with their
 * continuation lines). */
static sq_status
ob_old_fields(const char *p, size_t hend, const ob_edit *e, int crlf,
              ob_buf *out)
{
    size_t pos = 0, next;
    int drop = 0;
    sq_status st = SQ_OK;

    while (st == SQ_OK && pos < hend) {
        size_t end = ob_line(p, hend, pos, &next);
        int cont = end > pos && ob_is_wsp(p[pos]);
        if (!cont)
            drop = (e->from && ob_is_field(p + pos, end - pos, "From")) ||
                   (e->reply_to && ob_is_field(p + pos, end - pos, "Reply-To"));
        if (!drop)
            st = ob_put_line(out, p + pos, end - pos, crlf);
        pos = next;
    }
    return st;
}

sq_status
ob_wire_message(const char *msg, size_t len, const ob_edit *e, int crlf,
                ob_buf *out)
{
    size_t body, hend = ob_header_end(msg, len, &body), pos, next;
    sq_status st;

    if ((st = ob_new_fields(msg, hend, e, crlf, out)) != SQ_OK ||
        (st = ob_old_fields(msg, hend, e, crlf, out)) != SQ_OK ||
        (st = ob_put_line(out, "", 0, crlf)) != SQ_OK)
        return st;
    for (pos = body; st == SQ_OK && pos < len; pos = next) {
        size_t end = ob_line(msg, len, pos, &next);
        st = ob_put_line(out, msg + pos, end - pos, crlf);
    }
    return st;
}

/* ---- digests ---- */

static int
ob_has_8bit(const char *p, size_t n)
{
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 1;
    return 0;
}

static sq_status
ob_digest_head(const ob_edit *e, size_t n, const char *boundary, ob_buf *out)
{
    ob_edit top = *e;
    const char *hdr = "MIME-Version: 1.0\r\n";
    sq_status st;

    st = ob_new_fields("", 0, &top, 1, out);
    if (st == SQ_OK)
        st = ob_buf_addf(out,
                         "Subject: %zu abuse reports\r\n%s"
                         "Content-Type: multipart/mixed;"
                         " boundary=\"%s\"\r\n\r\n",
                         n, hdr, boundary);
    if (st == SQ_OK)
        st = ob_buf_addf(out,
                         "This is a MIME message with %zu reports.\r\n"
                         "--%s\r\nContent-Type: text/plain;"
                         " charset=us-ascii\r\n\r\n"
                         "This mail holds %zu abuse reports for the same"
                         " destination, each\r\nattached whole as"
                         " message/rfc822 with its own Message-ID.\r\n",
                         n, boundary, n);
    return st;
}

sq_status
ob_wire_digest(const ob_part *parts, size_t n, const ob_edit *e, ob_buf *out)
{
    char boundary[64], tag[OB_TAG_LEN + 1];
    ob_buf one = {NULL, 0, 0};
    sq_status st;

    if ((st = ob_tag_new(tag)) != SQ_OK)
        return st;
    snprintf(boundary, sizeof(boundary), "=_squeaky_digest_%s", tag);
    st = ob_digest_head(e, n, boundary, out);
    for (size_t i = 0; st == SQ_OK && i < n; i++) {
        ob_edit pe = {e->from, e->reply_to, NULL, parts[i].message_id, NULL};
        one.len = 0;
        st = ob_wire_message(parts[i].msg, parts[i].len, &pe, 1, &one);
        if (st == SQ_OK && one.p && strstr(one.p, boundary) != NULL)
            st = SQ_EINVAL; /* 100 random bits: never in practice */
        if (st == SQ_OK)
            st = ob_buf_addf(out,
                             "--%s\r\nContent-Type: message/rfc822\r\n"
                             "Content-Disposition: attachment;"
                             " filename=\"report-%lld.eml\"\r\n"
                             "Content-Transfer-Encoding: %s\r\n\r\n",
                             boundary, parts[i].id,
                             ob_has_8bit(one.p, one.len) ? "8bit" : "7bit");
        if (st == SQ_OK)
            st = ob_buf_add(out, one.p, one.len);
    }
    if (st == SQ_OK)
        st = ob_buf_addf(out, "--%s--\r\n", boundary);
    ob_buf_free(&one);
    return st;
}
