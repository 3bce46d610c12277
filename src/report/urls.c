/*
 * urls.c - URLs and their hosts in a message body.
 *
 * The message is parsed with GMime; every text/plain and text/html part
 * (nested messages included, depth SQ_REPORT_MAX_DEPTH) is decoded and
 * scanned for "http://", "https://" and "ftp://".  A URL ends at
 * white space, a quote, '<', '>' or a control byte; trailing
 * punctuation of prose (".,;:!?)]") is dropped; "&amp;" becomes "&".
 * Hosts are lower-cased and turned into A-labels with libidn2; the
 * registrable domain comes from libpsl's built-in list.  Limits:
 * SQ_URLS_MAX URLs, SQ_URLS_MAX_SCAN decoded bytes, SQ_URLS_MAX_LEN
 * bytes per URL.  Input that is not MIME is scanned as one text.
 */
#include "report/report_int.h"

#include <idn2.h>
#include <libpsl.h>

#include <stdlib.h>
#include <string.h>

typedef struct url_ent {
    const char *url, *host, *domain;
} url_ent;

struct sq_urlset {
    sq_arena *arena;
    url_ent v[SQ_URLS_MAX];
    size_t n;
    size_t scanned;
};

static int
url_end(unsigned char c)
{
    return c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' ||
           c == '>' || c == '`' || c == '\\' || c == '^' || c == '{' ||
           c == '}' || c == '|';
}

static int
host_char(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c >= 0x80;
}

/* The host of url (after "scheme://"), as an A-label or IP text, into
 * out (256 bytes); 0 when it is not a usable host. */
static int
url_host(const char *h, size_t n, char out[256], int *is_ip)
{
    char low[256];
    size_t i = 0, k = 0, hl;
    const char *stop = h + n, *at;
    sq_ipaddr ip;
    char *a = NULL;

    for (const char *p = h; p < h + n; p++)
        if (*p == '/' || *p == '?' || *p == '#') {
            stop = p;
            break;
        }
    at = memchr(h, '@', (size_t)(stop - h));
    while (at != NULL) { /* the last '@' before the path ends userinfo */
        h = at + 1;
        at = memchr(h, '@', (size_t)(stop - h));
    }
    *is_ip = 0;
    if (h < stop && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(stop - h));

        if (rb == NULL || !sq_ipaddr_parse(h + 1, (size_t)(rb - h - 1), &ip))
            return 0;
        sq_ipaddr_format(&ip, out);
        *is_ip = 1;
        return 1;
    }
    while (h + i < stop && host_char((unsigned char)h[i]) && k < 253)
        low[k++] = g_ascii_tolower(h[i++]);
    while (k > 0 && low[k - 1] == '.')
        k--;
    low[k] = '\0';
    hl = k;
    if (hl == 0 || low[0] == '.')
        return 0;
    if (sq_ipaddr_parse(low, hl, &ip)) {
        sq_ipaddr_format(&ip, out);
        *is_ip = 1;
        return 1;
    }
    if (idn2_to_ascii_8z(low, &a, IDN2_NONTRANSITIONAL) != IDN2_OK ||
        strlen(a) > 253) {
        idn2_free(a);
        return 0;
    }
    g_strlcpy(out, a, 256);
    idn2_free(a);
    return strchr(out, '.') != NULL;
}

static int
known(const sq_urlset *u, const char *url)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->v[i].url, url) == 0)
            return 1;
    return 0;
}

/* Keep one candidate [s, s+n) that starts with its scheme. */
static void
keep(sq_urlset *u, const char *s, size_t n, size_t slen)
{
    GString *g;
    char host[256];
    const char *reg = NULL;
    int is_ip;

    while (n > slen && strchr(".,;:!?)]*", s[n - 1]) != NULL)
        n--;
    if (n <= slen || n > SQ_URLS_MAX_LEN ||
        !url_host(s + slen, n - slen, host, &is_ip))
        return;
    g = g_string_new_len(s, (gssize)n);
    for (char *amp; (amp = strstr(g->str, "&amp;")) != NULL;)
        g_string_erase(g, amp - g->str + 1, 4);
    if (!known(u, g->str)) {
        url_ent *e = &u->v[u->n];

        if (!is_ip && psl_builtin() != NULL)
            reg = psl_registrable_domain(psl_builtin(), host);
        e->url = sq_arena_strndup(u->arena, g->str, g->len);
        e->host = sq_arena_strndup(u->arena, host, strlen(host));
        e->domain =
            sq_arena_strndup(u->arena, reg ? reg : "", reg ? strlen(reg) : 0);
        if (e->url != NULL && e->host != NULL && e->domain != NULL)
            u->n++;
    }
    g_string_free(g, TRUE);
}

/* Length of the scheme + "://" at s, or 0. */
static size_t
scheme_at(const char *s, size_t n)
{
    static const char *const schemes[] = {"http://", "https://", "ftp://"};

    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(schemes[k]);

        if (n >= l && sq_strncaseeq(s, l, schemes[k]))
            return l;
    }
    return 0;
}

static void
scan_text(sq_urlset *u, const char *s, size_t n)
{
    if (n > SQ_URLS_MAX_SCAN - u->scanned)
        n = SQ_URLS_MAX_SCAN - u->scanned;
    u->scanned += n;
    for (size_t i = 0; i < n && u->n < SQ_URLS_MAX; i++) {
        size_t sl, e;

        if ((s[i] | 0x20) != 'h' && (s[i] | 0x20) != 'f')
            continue;
        sl = scheme_at(s + i, n - i);
        if (sl == 0)
            continue;
        for (e = i + sl; e < n && !url_end((unsigned char)s[e]); e++)
            ;
        keep(u, s + i, e - i, sl);
        i = e > i ? e - 1 : i;
    }
}

static void
scan_object(sq_urlset *u, GMimeObject *obj, int depth)
{
    if (obj == NULL || depth >= SQ_REPORT_MAX_DEPTH ||
        u->scanned >= SQ_URLS_MAX_SCAN || u->n >= SQ_URLS_MAX)
        return;
    if (GMIME_IS_MESSAGE(obj)) {
        scan_object(u, g_mime_message_get_mime_part(GMIME_MESSAGE(obj)),
                    depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

        if (m != NULL)
            scan_object(u, GMIME_OBJECT(m), depth + 1);
    } else if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);

        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            scan_object(u, g_mime_multipart_get_part(mp, i), depth + 1);
    } else if (GMIME_IS_PART(obj)) {
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
        GMimeStream *s;
        GByteArray *b;

        if (w == NULL || ct == NULL ||
            (!g_mime_content_type_is_type(ct, "text", "plain") &&
             !g_mime_content_type_is_type(ct, "text", "html")))
            return;
        s = g_mime_stream_mem_new();
        g_mime_data_wrapper_write_to_stream(w, s);
        b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
        scan_text(u, (const char *)b->data, b->len);
        g_object_unref(s);
    }
}

sq_status
sq_urls_extract(const char *msg, size_t len, sq_urlset **out)
{
    sq_urlset *u;
    GMimeStream *in;
    GMimeParser *p;
    GMimeMessage *m;

    if (out == NULL || (msg == NULL && len > 0))
        return SQ_EINVAL;
    u = calloc(1, sizeof(*u));
    if (u == NULL || (u->arena = sq_arena_new(4096)) == NULL) {
        free(u);
        return SQ_ENOMEM;
    }
    rep_gmime_init();
    in = g_mime_stream_mem_new_with_buffer(msg, len);
    p = g_mime_parser_new_with_stream(in);
    m = g_mime_parser_construct_message(p, NULL);
    if (m != NULL) {
        scan_object(u, GMIME_OBJECT(m), 0);
        g_object_unref(m);
    } else {
        scan_text(u, msg, len);
    }
    g_object_unref(p);
    g_object_unref(in);
    *out = u;
    return SQ_OK;
}

void
sq_urlset_free(sq_urlset *u)
{
    if (u == NULL)
        return;
    sq_arena_free(u->arena);
    free(u);
}

size_t
sq_urlset_count(const sq_urlset *u)
{
    return u != NULL ? u->n : 0;
}

const char *
sq_urlset_url(const sq_urlset *u, size_t i)
{
    return u != NULL && i < u->n ? u->v[i].url : NULL;
}

const char *
sq_urlset_host(const sq_urlset *u, size_t i)
{
    return u != NULL && i < u->n ? u->v[i].host : NULL;
}

const char *
sq_urlset_domain(const sq_urlset *u, size_t i)
{
    return u != NULL && i < u->n ? u->v[i].domain : NULL;
}
