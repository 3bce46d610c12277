/*
 * headers.c - the header scanner: one linear pass over a message's
 * header block.
 *
 * Owner: mail.  Input is (pointer, length) and never needs a NUL.  Lines
 * end in LF or CRLF (mixed is fine); a line starting with SP or HT
 * continues the previous field.  A field name is printable ASCII 33..126
 * except ':', optionally followed by SP/HT before the colon (obsolete
 * syntax SpamAssassin accepts).  The block ends at a blank line, at EOF
 * (then sq_headers_truncated() is 1) or at the first line that is
 * neither a field nor a continuation.  A leading mbox "From " line is
 * skipped.  Values are unfolded (the CR/LF of folding removed, the
 * whitespace kept), NULs become spaces, and leading/trailing whitespace
 * is trimmed.  Names and values live in one arena per parse; the index
 * array grows by doubling, so there is no allocation per header.
 *
 * Limits (config keys, defaults in mail_int.h): max_line_length bounds
 * how far the scanner looks for a line's end, so a 100 MB line costs at
 * most that much reading; max_header_bytes bounds the block;
 * max_headers and max_received bound the counts.  Hitting one stops the
 * scan, keeps every field completed so far and records the status.
 */
#include "mail_int.h"

#include <stdlib.h>
#include <string.h>

enum { ARENA_CHUNK = 16 * 1024, INDEX_MIN = 32 };

struct hfield {
    const char *name, *value;
    size_t nlen, vlen;
};

struct sq_headers {
    sq_arena *arena;
    struct hfield *f;
    size_t n, cap;
    size_t nreceived;
    size_t end; /* offset where scanning stopped */
    sq_status status;
    int truncated;
};

/* Scanner state for one parse. */
struct scan {
    const char *buf;
    size_t len;
    size_t max_bytes, max_headers, max_received, max_line;
    sq_headers *h;
};

/* One physical line: [start, cend) is its content without CR LF. */
struct line {
    size_t start, cend, next;
};

/* Find the line at pos.  SQ_ELIMIT_LINE when no line end is within
 * max_line bytes; a last line without LF ends at EOF. */
static sq_status
get_line(const struct scan *s, size_t pos, struct line *ln)
{
    size_t avail = s->len - pos, n;
    const char *nl;

    n = avail;
    if (s->max_line < avail)
        n = s->max_line + 1;
    nl = memchr(s->buf + pos, '\n', n);
    if (nl == NULL && n < avail)
        return SQ_ELIMIT_LINE;
    ln->start = pos;
    if (nl != NULL) {
        ln->cend = (size_t)(nl - s->buf);
        ln->next = ln->cend + 1;
    } else {
        ln->cend = s->len;
        ln->next = s->len;
    }
    if (ln->cend > pos && s->buf[ln->cend - 1] == '\r')
        ln->cend--;
    return SQ_OK;
}

static int
is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the field name when the line is "name[WSP]:", else 0.  The
 * colon's offset goes to *colon. */
static size_t
field_name(const char *p, size_t n, size_t *colon)
{
    size_t i = 0, nlen;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c < 33 || c > 126 || c == ':')
            break;
        i++;
    }
    nlen = i;
    while (i < n && is_wsp(p[i]))
        i++;
    if (nlen == 0 || i >= n || p[i] != ':')
        return 0;
    *colon = i;
    return nlen;
}

/* Copy the field body [from, to) unfolded into the arena, trimmed. */
static const char *
copy_value(struct scan *s, size_t from, size_t to, size_t *vlen)
{
    char *out = sq_arena_alloc(s->h->arena, to - from + 1), *o;
    const char *p = s->buf + from, *end = s->buf + to, *nl;
    size_t a, b;

    if (out == NULL)
        return NULL;
    o = out;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        a = (size_t)((nl != NULL ? nl : end) - p);
        b = a;
        if (nl != NULL && b > 0 && p[b - 1] == '\r')
            b--;
        memcpy(o, p, b);
        o += b;
        p += nl != NULL ? a + 1 : a;
    }
    for (char *z = memchr(out, '\0', (size_t)(o - out)); z != NULL;
         z = memchr(z, '\0', (size_t)(o - z)))
        *z = ' ';
    a = 0;
    while (out + a < o && (is_wsp(out[a]) || out[a] == '\r'))
        a++;
    while (o > out + a && (is_wsp(o[-1]) || o[-1] == '\r'))
        o--;
    *o = '\0';
    *vlen = (size_t)(o - out - a);
    return out + a;
}

static int
grow_index(sq_headers *h)
{
    size_t cap = h->cap < INDEX_MIN ? INDEX_MIN : h->cap * 2;
    struct hfield *f;

    if (cap > SIZE_MAX / sizeof(*f))
        return 0;
    f = realloc(h->f, cap * sizeof(*f));
    if (f == NULL)
        return 0;
    h->f = f;
    h->cap = cap;
    return 1;
}

/* Add one field.  Returns SQ_OK, a count limit or SQ_ENOMEM. */
static sq_status
add_field(struct scan *s, size_t start, size_t nlen, size_t vfrom, size_t vto)
{
    sq_headers *h = s->h;
    struct hfield *f;
    int rcvd = sq_strncaseeq(s->buf + start, nlen, "Received");

    if (h->n >= s->max_headers)
        return SQ_ELIMIT_HDRCOUNT;
    if (rcvd && h->nreceived >= s->max_received)
        return SQ_ELIMIT_RECEIVED;
    if (h->n == h->cap && !grow_index(h))
        return SQ_ENOMEM;
    f = &h->f[h->n];
    f->name = sq_arena_strndup(h->arena, s->buf + start, nlen);
    f->value = copy_value(s, vfrom, vto, &f->vlen);
    if (f->name == NULL || f->value == NULL)
        return SQ_ENOMEM;
    f->nlen = nlen;
    h->n++;
    h->nreceived += rcvd ? 1 : 0;
    return SQ_OK;
}

/* Extend a field over its continuation lines.  *fend is the end of the
 * last complete line taken; a limit hit inside stops there. */
static sq_status
take_continuations(const struct scan *s, size_t *fend)
{
    struct line ln;
    sq_status st;

    while (*fend < s->len && is_wsp(s->buf[*fend])) {
        st = get_line(s, *fend, &ln);
        if (st != SQ_OK)
            return st;
        if (ln.next > s->max_bytes)
            return SQ_ELIMIT_HDRBYTES;
        *fend = ln.next;
    }
    return SQ_OK;
}

/* Skip a leading mbox "From " separator (but not an obsolete "From :"
 * header with whitespace before its colon). */
static sq_status
skip_from_line(const struct scan *s, size_t *pos)
{
    struct line ln;
    size_t i = 4;
    sq_status st;

    if (!sq_mbox_is_from_line(s->buf, s->len))
        return SQ_OK;
    while (i < s->len && is_wsp(s->buf[i]))
        i++;
    if (i < s->len && s->buf[i] == ':')
        return SQ_OK;
    st = get_line(s, 0, &ln);
    if (st == SQ_OK)
        *pos = ln.next;
    return st;
}

/* The loop over fields.  Returns SQ_EBINARY when the first line is not a
 * field; every other outcome is recorded in s->h. */
static sq_status
scan_fields(struct scan *s, size_t pos)
{
    sq_headers *h = s->h;
    struct line ln;
    size_t nlen, colon, fend;
    sq_status st = SQ_OK, st2;

    for (int first = 1;; first = 0) {
        if (pos >= s->len) {
            h->truncated = 1;
            break;
        }
        st = get_line(s, pos, &ln);
        if (st != SQ_OK) {
            /* An over-long first line that does not even start like a
             * field is binary junk, not a header at its limit. */
            if (first && field_name(s->buf + pos, s->max_line, &colon) == 0)
                return SQ_EBINARY;
            break;
        }
        if (ln.cend == ln.start) { /* the blank line */
            pos = ln.next;
            break;
        }
        nlen = field_name(s->buf + pos, ln.cend - pos, &colon);
        if (nlen == 0) {
            if (first)
                return SQ_EBINARY;
            break;
        }
        if (ln.next > s->max_bytes) {
            st = SQ_ELIMIT_HDRBYTES;
            break;
        }
        fend = ln.next;
        st = take_continuations(s, &fend);
        st2 = add_field(s, pos, nlen, pos + colon + 1, fend);
        if (st2 != SQ_OK)
            st = st2;
        else
            pos = fend;
        if (st != SQ_OK)
            break;
    }
    h->status = st;
    h->end = pos;
    return SQ_OK;
}

static void
read_limits(struct scan *s, const sq_config *cfg)
{
    s->max_bytes =
        sq_mail_cfg_size(cfg, "max_header_bytes", SQ_MAIL_DEF_MAX_HEADER_BYTES);
    s->max_headers =
        sq_mail_cfg_size(cfg, "max_headers", SQ_MAIL_DEF_MAX_HEADERS);
    s->max_received =
        sq_mail_cfg_size(cfg, "max_received", SQ_MAIL_DEF_MAX_RECEIVED);
    s->max_line =
        sq_mail_cfg_size(cfg, "max_line_length", SQ_MAIL_DEF_MAX_LINE_LENGTH);
}

sq_status
sq_headers_parse(const char *msg, size_t len, const sq_config *cfg,
                 sq_headers **out)
{
    struct scan s = {.buf = msg, .len = len};
    size_t pos = 0;
    sq_status st;

    if (out == NULL || (msg == NULL && len > 0))
        return SQ_EINVAL;
    if (len == 0)
        return SQ_EEMPTY;
    read_limits(&s, cfg);
    s.h = calloc(1, sizeof(*s.h));
    if (s.h == NULL)
        return SQ_ENOMEM;
    s.h->arena = sq_arena_new(ARENA_CHUNK);
    if (s.h->arena == NULL) {
        st = SQ_ENOMEM;
        goto out;
    }
    st = skip_from_line(&s, &pos);
    if (st == SQ_OK && pos >= len) {
        st = SQ_EEMPTY;
        goto out;
    }
    if (st != SQ_OK) {
        s.h->status = st; /* an over-long From_ line: no headers */
        st = SQ_OK;
    } else {
        /* max_header_bytes counts from the first field. */
        s.max_bytes =
            s.max_bytes > SIZE_MAX - pos ? SIZE_MAX : s.max_bytes + pos;
        st = scan_fields(&s, pos);
    }
    if (st == SQ_OK && s.h->status == SQ_ENOMEM)
        st = SQ_ENOMEM;
out:
    if (st != SQ_OK) {
        sq_headers_free(s.h);
        return st;
    }
    *out = s.h;
    return SQ_OK;
}

void
sq_headers_free(sq_headers *h)
{
    if (h == NULL)
        return;
    sq_arena_free(h->arena);
    free(h->f);
    free(h);
}

sq_status
sq_headers_status(const sq_headers *h)
{
    return h != NULL ? h->status : SQ_EINVAL;
}

int
sq_headers_truncated(const sq_headers *h)
{
    return h != NULL && h->truncated;
}

size_t
sq_headers_count(const sq_headers *h)
{
    return h != NULL ? h->n : 0;
}

size_t
sq_headers_end_offset(const sq_headers *h)
{
    return h != NULL ? h->end : 0;
}

const char *
sq_headers_name(const sq_headers *h, size_t i, size_t *len)
{
    if (h == NULL || i >= h->n)
        return NULL;
    if (len != NULL)
        *len = h->f[i].nlen;
    return h->f[i].name;
}

const char *
sq_headers_value(const sq_headers *h, size_t i, size_t *len)
{
    if (h == NULL || i >= h->n)
        return NULL;
    if (len != NULL)
        *len = h->f[i].vlen;
    return h->f[i].value;
}

size_t
sq_headers_find(const sq_headers *h, const char *name, size_t from)
{
    if (h == NULL || name == NULL)
        return (size_t)-1;
    for (size_t i = from; i < h->n; i++)
        if (sq_strncaseeq(h->f[i].name, h->f[i].nlen, name))
            return i;
    return (size_t)-1;
}
