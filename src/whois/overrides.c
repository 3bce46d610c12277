/*
 * overrides.c - the local overrides file: where reports about a network
 * or an AS go, whatever the registries say (wo_load(), wo_match_*()).
 *
 * File format, one entry per line:
 *
 *     # comment (a line whose first non-blank byte is '#'), blank lines
 *     <network>  <contact>  [note]
 *
 *   network  an address (192.0.2.1, 2001:db8::1), a prefix with no host
 *            bits set (192.0.2.0/24, 2001:db8::/32) or an AS number
 *            ("AS64500", any case)
 *   contact  an e-mail address, or "none": the network does not accept
 *            reports (matches return email "")
 *   note     optional free text up to the end of the line (a leading
 *            '#' is dropped), shown with the answer
 *
 *   Example:
 *     192.0.2.0/24     abuse@example.net   our upstream's desk
 *     2001:db8::/32    none                lab network, do not report
 *     AS64500          noc@example.org
 *
 * The most specific prefix covering an address wins; an AS matches
 * exactly.  A network listed twice is an error.  Every bad line is
 * reported as "file:line: message" in d, then loading fails with
 * SQ_ECONFIG.  The default file is $XDG_CONFIG_HOME/squeaky/overrides
 * (~/.config/squeaky/overrides); when it does not exist there are simply
 * no overrides.  A world-writable file is refused: it decides where
 * reports go.
 *
 * Ownership: a wo_overrides owns one arena holding every string; the
 * strings returned by wo_match_*() live until wo_free().  Read-only
 * after loading, so one object may be shared by threads.
 * Limits: WO_FILE_MAX bytes, WO_LINE_MAX bytes a line, WO_MAX_ENTRIES.
 */
#include "whois/whois_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    WO_FILE_MAX = 16 * 1024 * 1024,
    WO_LINE_MAX = 4096,
    WO_MAX_ENTRIES = 100000,
    WO_PATH_MAX = 4096
};

typedef struct wo_entry {
    sq_ipaddr net;
    unsigned prefix; /* on the 128-bit form; unused for an AS */
    unsigned long asn;
    int is_asn;
    const char *email; /* "" for none */
    const char *note;
    unsigned line;
} wo_entry;

struct wo_overrides {
    sq_arena *arena;
    wo_entry *e;
    size_t n, cap;
};

void
wo_free(wo_overrides *o)
{
    if (o == NULL)
        return;
    sq_arena_free(o->arena);
    free(o->e);
    free(o);
}

static wo_overrides *
wo_new(void)
{
    wo_overrides *o = calloc(1, sizeof *o);

    if (o != NULL && (o->arena = sq_arena_new(4096)) == NULL) {
        free(o);
        o = NULL;
    }
    return o;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Next whitespace-separated field of [*p, end). */
static int
next_field(const char **p, const char *end, const char **f, size_t *fn)
{
    const char *s = *p;

    while (s < end && is_blank(*s))
        s++;
    *f = s;
    while (s < end && !is_blank(*s))
        s++;
    *fn = (size_t)(s - *f);
    *p = s;
    return *fn > 0;
}

static int
dec_value(const char *s, size_t n, unsigned long long max,
          unsigned long long *out)
{
    /* no leading zeros: "AS064500" and "/024" are typos, not numbers */
    return !(n > 1 && s[0] == '0') && sq_parse_dec(s, n, 10, max, out);
}

/* The network column: address, prefix or AS.  NULL or a reason. */
static const char *
parse_key(const char *f, size_t n, wo_entry *e)
{
    const char *slash = memchr(f, '/', n);
    unsigned long long v;
    size_t an = slash ? (size_t)(slash - f) : n;

    if (n > 2 && (f[0] == 'A' || f[0] == 'a') && (f[1] == 'S' || f[1] == 's')) {
        if (!dec_value(f + 2, n - 2, 4294967295ULL, &v) || v == 0)
            return "bad AS number (AS1 to AS4294967295)";
        e->is_asn = 1;
        e->asn = (unsigned long)v;
        return NULL;
    }
    if (!sq_ipaddr_parse(f, an, &e->net))
        return "expected an IP address, a prefix or an AS number";
    e->prefix = 128;
    if (slash == NULL)
        return NULL;
    if (!dec_value(slash + 1, n - an - 1, e->net.v4 ? 32 : 128, &v))
        return "bad prefix length";
    e->prefix = (unsigned)v + (e->net.v4 ? 96 : 0);
    for (unsigned b = e->prefix; b < 128; b++)
        if (e->net.b[b / 8] & (0x80u >> (b % 8)))
            return "host bits set after the prefix length";
    return NULL;
}

/* local@domain: printable ASCII, one '@', a dot in the domain. */
static const char *
check_email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t ln;

    if (n > WA_EMAIL_MAX)
        return "e-mail address longer than 254 bytes";
    if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL)
        return "expected an e-mail address or \"none\"";
    ln = (size_t)(at - s);
    if (ln == 0 || ln > 64 || ln + 1 == n)
        return "expected an e-mail address or \"none\"";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
            s[i] == '<' || s[i] == '>' || s[i] == ',' || s[i] == '"')
            return "character not allowed in an e-mail address";
    if (memchr(at + 1, '.', n - ln - 1) == NULL || at[1] == '.' ||
        s[n - 1] == '.')
        return "e-mail domain needs a dot";
    return NULL;
}

/* Order: AS entries by number, then prefixes by address and length;
 * equal keys by line. */
static int
cmp_entry(const void *x, const void *y)
{
    const wo_entry *a = x, *b = y;
    int c;

    if (a->is_asn != b->is_asn)
        return b->is_asn - a->is_asn;
    if (a->is_asn && a->asn != b->asn)
        return a->asn < b->asn ? -1 : 1;
    if (!a->is_asn) {
        if ((c = memcmp(a->net.b, b->net.b, 16)) != 0)
            return c;
        if (a->prefix != b->prefix)
            return a->prefix < b->prefix ? -1 : 1;
    }
    return a->line < b->line ? -1 : a->line > b->line;
}

/* A network listed twice is an error: sort, then compare neighbours. */
static int
report_duplicates(wo_overrides *o, const char *name, sq_diag *d)
{
    int bad = 0;

    if (o->n > 1)
        qsort(o->e, o->n, sizeof *o->e, cmp_entry);
    for (size_t i = 1; i < o->n; i++) {
        const wo_entry *a = &o->e[i - 1], *b = &o->e[i];

        if (a->is_asn != b->is_asn ||
            (a->is_asn ? a->asn != b->asn
                       : a->prefix != b->prefix ||
                             memcmp(a->net.b, b->net.b, 16) != 0))
            continue;
        sq_diag_addf(d, name, b->line, "same network as line %u", a->line);
        bad++;
    }
    return bad;
}

static wo_entry *
add_entry(wo_overrides *o)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        wo_entry *ne = realloc(o->e, cap * sizeof *ne);

        if (ne == NULL)
            return NULL;
        o->e = ne;
        o->cap = cap;
    }
    return &o->e[o->n++];
}

/* One line; 0 ok (or blank), -1 bad line (reported), -2 out of memory. */
static int
parse_line(wo_overrides *o, const char *name, unsigned line, const char *s,
           const char *end, sq_diag *d)
{
    const char *key, *contact, *p = s, *why = NULL;
    size_t kn, cn;
    wo_entry e, *slot;

    memset(&e, 0, sizeof e);
    if (!next_field(&p, end, &key, &kn) || key[0] == '#')
        return 0;
    if (!next_field(&p, end, &contact, &cn))
        why = "expected <network> <e-mail|none> [note]";
    else if ((why = parse_key(key, kn, &e)) == NULL &&
             !sq_strncaseeq(contact, cn, "none"))
        why = check_email(contact, cn);
    if (why != NULL) {
        sq_diag_addf(d, name, line, "%s", why);
        return -1;
    }
    if (o->n == WO_MAX_ENTRIES) {
        sq_diag_addf(d, name, line, "more than %d entries",
                     (int)WO_MAX_ENTRIES);
        return -1;
    }
    while (p < end && (is_blank(*p) || *p == '#'))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    e.line = line;
    if (!sq_strncaseeq(contact, cn, "none")) {
        char *em = sq_arena_strndup(o->arena, contact, cn);

        if (em == NULL)
            return -2;
        /* Domains compare case-insensitively: keep them lower-case. */
        for (char *c = strchr(em, '@'); *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        e.email = em;
    } else {
        e.email = "";
    }
    e.note = sq_arena_strndup(o->arena, p, (size_t)(end - p));
    if (e.note == NULL || (slot = add_entry(o)) == NULL)
        return -2;
    *slot = e;
    return 0;
}

sq_status
wo_load_buffer(const char *name, const char *buf, size_t len,
               wo_overrides **out, sq_diag *d)
{
    wo_overrides *o;
    unsigned line = 0, bad = 0;
    const char *p = buf, *end = buf + len;

    if (out == NULL || (buf == NULL && len > 0))
        return SQ_EINVAL;
    if (name == NULL)
        name = "overrides";
    if ((o = wo_new()) == NULL)
        return SQ_ENOMEM;
    while (p != NULL && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        int r = 0;

        line++;
        if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
            sq_diag_addf(d, name, line, "NUL byte in line");
            r = -1;
        } else if (le - p > WO_LINE_MAX) {
            sq_diag_addf(d, name, line, "line longer than %d bytes",
                         (int)WO_LINE_MAX);
            r = -1;
        } else {
            r = parse_line(o, name, line, p, le, d);
        }
        if (r == -2) {
            wo_free(o);
            return SQ_ENOMEM;
        }
        bad += r < 0;
        p = nl ? nl + 1 : end;
    }
    bad += (unsigned)report_duplicates(o, name, d);
    if (bad > 0) {
        wo_free(o);
        return SQ_ECONFIG;
    }
    *out = o;
    return SQ_OK;
}

/* $XDG_CONFIG_HOME/squeaky/overrides, else ~/.config/squeaky/overrides;
 * 0 when neither variable gives an absolute directory. */
static int
default_path(char *out, size_t len)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
    int n;

    if (x != NULL && x[0] == '/')
        n = snprintf(out, len, "%s/squeaky/overrides", x);
    else if (h != NULL && h[0] == '/')
        n = snprintf(out, len, "%s/.config/squeaky/overrides", h);
    else
        return 0;
    return n > 0 && (size_t)n < len;
}

sq_status
wo_load(const char *path, wo_overrides **out, sq_diag *d)
{
    char def[WO_PATH_MAX];
    char *buf = NULL;
    size_t len = 0;
    sq_status st;

    if (out == NULL)
        return SQ_EINVAL;
    if (path == NULL) {
        if (!default_path(def, sizeof def))
            return wo_load_buffer("overrides", "", 0, out, d);
        path = def;
    }
    st = sq_file_read_private(path, "overrides", WO_FILE_MAX, &buf, &len, d);
    if (st == SQ_ENOTFOUND && path == def)
        return wo_load_buffer(path, "", 0, out, d);
    if (st == SQ_ENOTFOUND) {
        sq_diag_addf(d, path, 0, "%s", strerror(ENOENT));
        return SQ_EIO;
    }
    if (st != SQ_OK)
        return st;
    st = wo_load_buffer(path, buf, len, out, d);
    free(buf);
    return st;
}

int
wo_match_ip(const wo_overrides *o, const sq_ipaddr *a, const char **email,
            const char **note)
{
    const wo_entry *best = NULL;

    if (o == NULL || a == NULL)
        return 0;
    for (size_t i = 0; i < o->n; i++) {
        const wo_entry *e = &o->e[i];

        if (e->is_asn || (best != NULL && e->prefix <= best->prefix))
            continue;
        if (sq_ipaddr_in(a, &e->net, e->prefix))
            best = e;
    }
    if (best == NULL)
        return 0;
    if (email != NULL)
        *email = best->email;
    if (note != NULL)
        *note = best->note;
    return 1;
}

int
wo_match_asn(const wo_overrides *o, unsigned long asn, const char **email,
             const char **note)
{
    if (o == NULL)
        return 0;
    for (size_t i = 0; i < o->n && o->e[i].is_asn; i++)
        if (o->e[i].asn == asn) {
            if (email != NULL)
                *email = o->e[i].email;
            if (note != NULL)
                *note = o->e[i].note;
            return 1;
        }
    return 0;
}
