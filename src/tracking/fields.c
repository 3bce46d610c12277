/*
 * fields.c - small scanners over untrusted reply text: RFC 822-style
 * field blocks (the body of a message/delivery-status part), enhanced
 * status codes, addresses and white-space tolerant phrases.
 *
 * Everything takes (pointer, length) and never reads past it; nothing
 * here allocates except trk_clean (into the caller's arena).
 */
#include "tracking/tracking_int.h"

#include <string.h>

static int
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* End of the line starting at i (index of '\n' or n). */
static size_t
line_end(const char *p, size_t n, size_t i)
{
    const char *e = memchr(p + i, '\n', n - i);

    return e != NULL ? (size_t)(e - p) : n;
}

/* [s, s+n) is a blank line (only CR / white space). */
static int
blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(s[i]))
            return 0;
    return 1;
}

int
trk_field_next(const char *p, size_t n, size_t *pos, trk_field *f)
{
    while (*pos < n) {
        size_t i = *pos, e = line_end(p, n, i), c;
        const char *colon = memchr(p + i, ':', e - i);

        *pos = e < n ? e + 1 : n;
        if (blank(p + i, e - i))
            return 2;
        if (colon == NULL || colon == p + i || is_ws(p[i]))
            continue; /* not a field (or a stray continuation) */
        c = (size_t)(colon - p);
        f->name = p + i;
        f->nlen = c - i;
        while (f->nlen > 0 && is_ws(f->name[f->nlen - 1]))
            f->nlen--;
        f->value = p + c + 1;
        /* continuation lines start with white space */
        while (*pos < n && (p[*pos] == ' ' || p[*pos] == '\t') &&
               !blank(p + *pos, line_end(p, n, *pos) - *pos))
            e = line_end(p, n, *pos), *pos = e < n ? e + 1 : n;
        f->vlen = (size_t)(p + e - f->value);
        return 1;
    }
    return 0;
}

char *
trk_clean(sq_arena *a, const char *s, size_t n, size_t max)
{
    char *out = sq_arena_alloc(a, (n < max ? n : max) + 1);
    size_t o = 0;
    int sp = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n && o < max; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_ws((char)c)) {
            sp = o > 0;
            continue;
        }
        if (sp && o + 1 < max)
            out[o++] = ' ';
        sp = 0;
        out[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
    }
    out[o] = '\0';
    return out;
}

void
trk_addr_value(const char **s, size_t *n)
{
    const char *semi = memchr(*s, ';', *n);

    if (semi != NULL) {
        *n -= (size_t)(semi + 1 - *s);
        *s = semi + 1;
    }
    while (*n > 0 && (is_ws(**s) || **s == '<'))
        (*s)++, (*n)--;
    while (*n > 0 && (is_ws((*s)[*n - 1]) || (*s)[*n - 1] == '>'))
        (*n)--;
}

/* Digits at s[i..): how many (at most max + 1). */
static size_t
digits(const char *s, size_t n, size_t i, size_t max)
{
    size_t k = 0;

    while (i + k < n && is_digit(s[i + k]) && k <= max)
        k++;
    return k;
}

int
trk_find_status(const char *s, size_t n, char *out, size_t outlen)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        size_t a, b;

        if ((s[i] != '2' && s[i] != '4' && s[i] != '5') || s[i + 1] != '.' ||
            (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.')))
            continue;
        a = digits(s, n, i + 2, 3);
        if (a == 0 || a > 3 || i + 2 + a >= n || s[i + 2 + a] != '.')
            continue;
        b = digits(s, n, i + 3 + a, 3);
        if (b == 0 || b > 3 ||
            (i + 3 + a + b < n &&
             (is_digit(s[i + 3 + a + b]) || s[i + 3 + a + b] == '.')))
            continue;
        if (3 + a + b >= outlen)
            return 0;
        memcpy(out, s + i, 3 + a + b);
        out[3 + a + b] = '\0';
        return 1;
    }
    return 0;
}

/* Match phrase at hay[i..]: end offset or (size_t)-1. */
static size_t
phrase_at(const char *hay, size_t n, size_t i, const char *ph)
{
    for (; *ph != '\0'; ph++) {
        if (*ph == ' ') {
            if (i >= n || !is_ws(hay[i]))
                return (size_t)-1;
            while (i < n && is_ws(hay[i]))
                i++;
            continue;
        }
        if (i >= n || lower(hay[i]) != lower(*ph))
            return (size_t)-1;
        i++;
    }
    return i;
}

size_t
trk_find_phrase(const char *hay, size_t n, const char *phrase)
{
    char first = lower(phrase[0]);

    for (size_t i = 0; i < n; i++) {
        size_t e;

        if (lower(hay[i]) != first)
            continue;
        if ((e = phrase_at(hay, n, i, phrase)) != (size_t)-1)
            return e;
    }
    return (size_t)-1;
}

static int
addr_char(char c)
{
    return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '(' &&
           c != ')' && c != ',' && c != ';' && c != '"' && c != '[' &&
           c != ']' && c != ':';
}

int
trk_find_address(const char *s, size_t n, const char **as, size_t *an)
{
    for (size_t i = 0; i < n; i++) {
        size_t b = i, e = i + 1;

        if (s[i] != '@')
            continue;
        while (b > 0 && addr_char(s[b - 1]))
            b--;
        while (e < n && addr_char(s[e]))
            e++;
        while (e > i + 1 && s[e - 1] == '.')
            e--;
        if (b == i || e == i + 1 || memchr(s + i + 1, '.', e - i - 1) == NULL ||
            e - b > TRK_ADDR_MAX)
            continue;
        *as = s + b;
        *an = e - b;
        return 1;
    }
    return 0;
}
