/*
 * redact.c - the reporter's secrets and their removal from plain text.
 *
 * Secrets are kept lower-cased and matched ignoring ASCII case.  An
 * address matches wherever it occurs, also with its '@' written "%40"
 * (spam links often carry the recipient URL-encoded); a host name
 * matches wherever it occurs (so sub-domains of a secret domain lose it
 * too); IPs and words match only between boundaries, so that 10.1.2.3
 * does not eat 110.1.2.34.  At one position the longest secret wins.
 * Limits: RD_MAX_SECRETS secrets.
 */
#include "report/report_int.h"

#include <squeaky/mail.h>

#include <stdlib.h>
#include <string.h>

static const char *const tokens[] = {
    "redacted@redacted.invalid", /* SQ_SECRET_ADDRESS */
    "redacted.invalid",          /* SQ_SECRET_HOST */
    "redacted-ip",               /* SQ_SECRET_IP */
    "[redacted]"                 /* SQ_SECRET_WORD */
};

static unsigned char
lc(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int
is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

static int
is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (lc(c) >= 'a' && lc(c) <= 'f');
}

sq_status
sq_redactor_new(sq_redactor **out)
{
    sq_redactor *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return SQ_ENOMEM;
    *out = r;
    return SQ_OK;
}

void
sq_redactor_free(sq_redactor *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
    free(r);
}

static int
has_secret(const sq_redactor *r, const char *s, size_t n)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].len == n && memcmp(r->v[i].text, s, n) == 0)
            return 1;
    return 0;
}

/* Add a lower-cased copy; 1 when added, 0 when known, -1 on error. */
static int
add_secret(sq_redactor *r, sq_secret_kind kind, const char *s, size_t n)
{
    char *t;

    if (n < 3 || (unsigned)kind > SQ_SECRET_WORD)
        return -1;
    t = malloc(n + 1);
    if (t == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        t[i] = (char)lc((unsigned char)s[i]);
    t[n] = '\0';
    if (has_secret(r, t, n)) {
        free(t);
        return 0;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        rd_secret *v;

        if (r->n >= RD_MAX_SECRETS ||
            (v = realloc(r->v, cap * sizeof(*v))) == NULL) {
            free(t);
            return -1;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (rd_secret){t, n, kind};
    return 1;
}

sq_status
sq_redactor_add(sq_redactor *r, sq_secret_kind kind, const char *secret)
{
    size_t n;

    if (r == NULL || secret == NULL)
        return SQ_EINVAL;
    n = strlen(secret);
    if (n < 3 || memchr(secret, '\n', n) != NULL)
        return SQ_EINVAL;
    return add_secret(r, kind, secret, n) < 0 ? SQ_ENOMEM : SQ_OK;
}

size_t
sq_redactor_count(const sq_redactor *r)
{
    return r != NULL ? r->n : 0;
}

const char *
sq_redactor_secret(const sq_redactor *r, size_t i, sq_secret_kind *kind)
{
    if (r == NULL || i >= r->n)
        return NULL;
    if (kind != NULL)
        *kind = r->v[i].kind;
    return r->v[i].text;
}

/* Add every mailbox of an address list (groups walked). */
static size_t
learn_list(sq_redactor *r, InternetAddressList *l, int depth)
{
    size_t added = 0;
    int n = l != NULL ? internet_address_list_length(l) : 0;

    for (int i = 0; i < n && depth < 4; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);

        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            added += learn_list(
                r,
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)),
                depth + 1);
        } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            const char *s =
                internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));

            if (s != NULL && strchr(s, '@') != NULL &&
                add_secret(r, SQ_SECRET_ADDRESS, s, strlen(s)) > 0)
                added++;
        }
    }
    return added;
}

/* Delivered-To and X-Original-To name the mailbox even without a
 * domain ("spam-quarantine"): such a value is a word secret. */
static size_t
learn_local(sq_redactor *r, const char *v)
{
    size_t n = strlen(v);

    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '>'))
        n--;
    while (n > 0 && (*v == ' ' || *v == '<')) {
        v++;
        n--;
    }
    if (n < 3 || memchr(v, '@', n) != NULL || memchr(v, ' ', n) != NULL)
        return 0;
    return add_secret(r, SQ_SECRET_WORD, v, n) > 0;
}

sq_status
sq_redactor_learn(sq_redactor *r, const char *msg, size_t len, size_t *nlearned)
{
    static const char *const names[] = {"Delivered-To", "X-Original-To",
                                        "To",           "Cc",
                                        "Envelope-To",  "X-Envelope-To"};
    sq_headers *h = NULL;
    size_t added = 0;
    sq_status st;

    if (r == NULL || (msg == NULL && len > 0))
        return SQ_EINVAL;
    st = sq_headers_parse(msg, len, NULL, &h);
    if (st != SQ_OK)
        return st;
    rep_gmime_init();
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        for (size_t i = sq_headers_find(h, names[k], 0); i != (size_t)-1;
             i = sq_headers_find(h, names[k], i + 1)) {
            const char *v = sq_headers_value(h, i, NULL);
            InternetAddressList *l = internet_address_list_parse(NULL, v);

            added += learn_list(r, l, 0);
            if (l != NULL)
                g_object_unref(l);
            if (k < 2)
                added += learn_local(r, v);
        }
    }
    sq_headers_free(h);
    if (nlearned != NULL)
        *nlearned = added;
    return SQ_OK;
}

/* Length of the text at s matching secret e (0: no match).  In an
 * address, '@' also matches "%40". */
static size_t
match_at(const rd_secret *e, const unsigned char *s, size_t n)
{
    size_t i = 0, j = 0;

    while (j < e->len) {
        unsigned char c = (unsigned char)e->text[j];

        if (i >= n)
            return 0;
        if (c == '@' && e->kind == SQ_SECRET_ADDRESS && s[i] == '%' &&
            i + 2 < n && s[i + 1] == '4' && s[i + 2] == '0') {
            i += 3;
            j++;
            continue;
        }
        if (lc(s[i]) != c)
            return 0;
        i++;
        j++;
    }
    return i;
}

/* IPs and words must not be part of a longer number or word. */
static int
bounded(const rd_secret *e, const unsigned char *t, size_t n, size_t at,
        size_t mlen)
{
    int v6 = e->kind == SQ_SECRET_IP && strchr(e->text, ':') != NULL;
    unsigned char b = at > 0 ? t[at - 1] : ' ';
    unsigned char a = at + mlen < n ? t[at + mlen] : ' ';

    if (e->kind == SQ_SECRET_ADDRESS || e->kind == SQ_SECRET_HOST)
        return 1;
    if (v6)
        return !is_hex(b) && b != ':' && !is_hex(a) && a != ':';
    if (e->kind == SQ_SECRET_IP) {
        int after_dot_digit =
            a == '.' && at + mlen + 1 < n && is_alnum(t[at + mlen + 1]);

        return !is_alnum(b) && b != '.' && !is_alnum(a) && !after_dot_digit;
    }
    return !is_alnum(b) && !is_alnum(a);
}

/* A secret that cannot occur inside base64 text (it holds '.', '@' or
 * ':'), so a pass over encoded bytes never corrupts them. */
static int
raw_safe(const rd_secret *e)
{
    return strpbrk(e->text, ".@:") != NULL;
}

/* The secrets of one pass grouped by their first byte: idx[start[c] ..
 * start[c + 1]) are the ones starting with c. */
typedef struct rd_index {
    size_t start[257];
    size_t *idx;
} rd_index;

/* 0 when out of memory. */
static int
index_build(const sq_redactor *r, int only_safe, rd_index *x)
{
    size_t count[256] = {0}, pos[256];

    x->idx = malloc(r->n * sizeof(*x->idx));
    if (x->idx == NULL)
        return 0;
    for (size_t k = 0; k < r->n; k++)
        if (!only_safe || raw_safe(&r->v[k]))
            count[(unsigned char)r->v[k].text[0]]++;
    x->start[0] = 0;
    for (int c = 0; c < 256; c++) {
        x->start[c + 1] = x->start[c] + count[c];
        pos[c] = x->start[c];
    }
    for (size_t k = 0; k < r->n; k++)
        if (!only_safe || raw_safe(&r->v[k]))
            x->idx[pos[(unsigned char)r->v[k].text[0]]++] = k;
    return 1;
}

/* The longest secret matching at t[at]; its length in *mlen. */
static const rd_secret *
best_at(const sq_redactor *r, const rd_index *x, const unsigned char *t,
        size_t n, size_t at, size_t *mlen)
{
    const rd_secret *best = NULL;
    unsigned char c = lc(t[at]);

    *mlen = 0;
    for (size_t k = x->start[c]; k < x->start[c + 1]; k++) {
        const rd_secret *e = &r->v[x->idx[k]];
        size_t m = match_at(e, t + at, n - at);

        if (m > *mlen && bounded(e, t, n, at, m)) {
            best = e;
            *mlen = m;
        }
    }
    return best;
}

/* Without memory for the index the text cannot be checked: it becomes
 * a note instead, so nothing leaks. */
static const char oom_note[] = "[redacted: out of memory]\n";

void
rd_redact(const sq_redactor *r, const char *in, size_t len, int only_safe,
          GString *g, size_t *nrepl)
{
    const unsigned char *t = (const unsigned char *)in;
    size_t reps = 0, i = 0, from = 0;
    rd_index x;

    if (nrepl != NULL)
        *nrepl = 0;
    if (r == NULL || r->n == 0) {
        g_string_append_len(g, in, (gssize)len);
        return;
    }
    if (!index_build(r, only_safe, &x)) {
        g_string_append(g, oom_note);
        if (nrepl != NULL)
            *nrepl = 1;
        return;
    }
    while (i < len) {
        size_t m;
        const rd_secret *e = best_at(r, &x, t, len, i, &m);

        if (e == NULL) {
            i++;
            continue;
        }
        g_string_append_len(g, in + from, (gssize)(i - from));
        if (e->kind == SQ_SECRET_ADDRESS && memchr(t + i, '@', m) == NULL)
            g_string_append(g, "redacted%40redacted.invalid");
        else
            g_string_append(g, tokens[e->kind]);
        i += m;
        from = i;
        reps++;
    }
    if (len > from) /* in may be NULL when len is 0 */
        g_string_append_len(g, in + from, (gssize)(len - from));
    free(x.idx);
    if (nrepl != NULL)
        *nrepl = reps;
}

sq_status
sq_redact_text(const sq_redactor *r, const char *in, size_t len, char **out,
               size_t *outlen, size_t *nrepl)
{
    GString *g;
    size_t reps = 0;
    sq_status st;

    if (in == NULL && len > 0)
        return SQ_EINVAL;
    g = g_string_sized_new(len + 16);
    rd_redact(r, in, len, 0, g, &reps);
    st = rep_out(g->str, g->len, out, outlen);
    g_string_free(g, TRUE);
    if (st == SQ_OK && nrepl != NULL)
        *nrepl = reps;
    return st;
}
