/*
 * json.c - a small JSON writer into a growable buffer (src/cli only).
 *
 * Each object is built in a struct jbuf (an inline 16 KiB array, then
 * the heap) and written with one fwrite, so the hot path of `trace
 * --json` makes one stdio call per message.  Strings come from mail and
 * are untrusted: they are escaped and repaired to valid UTF-8 (invalid
 * bytes become U+FFFD).  Keys are the program's own literals and are
 * written as they are.  On out of memory the buffer stops growing and
 * jb_flush reports failure.
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jb_init(struct jbuf *b)
{
    b->p = b->inl;
    b->len = 0;
    b->cap = sizeof(b->inl);
    b->oom = 0;
}

void
jb_free(struct jbuf *b)
{
    if (b->p != b->inl)
        free(b->p);
    jb_init(b);
}

static int
jb_grow(struct jbuf *b, size_t n)
{
    size_t ncap = b->cap;
    char *np;

    if (b->oom || n > SIZE_MAX / 4 - b->len)
        return b->oom = 1, 0;
    while (ncap < b->len + n)
        ncap *= 2;
    np = b->p == b->inl ? malloc(ncap) : realloc(b->p, ncap);
    if (np == NULL)
        return b->oom = 1, 0;
    if (b->p == b->inl)
        memcpy(np, b->inl, b->len);
    b->p = np;
    b->cap = ncap;
    return 1;
}

void
jb_raw(struct jbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n && !jb_grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
jb_byte(struct jbuf *b, char c)
{
    if (b->len == b->cap && !jb_grow(b, 1))
        return;
    b->p[b->len++] = c;
}

/* 1 for bytes that go into a JSON string as they are: printable ASCII
 * except '"' and '\\' (a table: this is the output hot path). */
#define P16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char json_plain_tab[256] = {
    [0x20] = 1,
    1,
    0,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    [0x30] = P16,
    [0x40] = P16,
    [0x50] = 1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    0,
    1,
    1,
    1,
    [0x60] = P16,
    [0x70] = 1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    0,
};
#undef P16
#define json_plain(c) (json_plain_tab[(unsigned char)(c)])

void
jb_str(struct jbuf *b, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, l;

    jb_byte(b, '"');
    while (i < n) {
        size_t run = i;

        while (run < n && json_plain(s[run]))
            run++;
        if (run > i) {
            jb_raw(b, (const char *)s + i, run - i);
            i = run;
        } else if (s[i] == '"' || s[i] == '\\') {
            char esc[2] = {'\\', (char)s[i++]};
            jb_raw(b, esc, 2);
        } else if (s[i] < 0x20 || s[i] == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 15]};
            jb_raw(b, esc, 6);
            i++;
        } else if ((l = cli_utf8_len(s + i, n - i)) == 0) {
            jb_raw(b, "\xef\xbf\xbd", 3);
            i++;
        } else {
            jb_raw(b, (const char *)s + i, l);
            i += l;
        }
    }
    jb_byte(b, '"');
}

void
jb_key(struct jbuf *b, const char *key, int first)
{
    size_t kl = strlen(key);
    char *p;

    if (b->cap - b->len < kl + 4 && !jb_grow(b, kl + 4))
        return;
    p = b->p + b->len;
    if (!first)
        *p++ = ',';
    *p++ = '"';
    /* JSON text in a buffer, not a C string: no NUL wanted. */
    memcpy(p, key, kl); /* NOLINT(bugprone-not-null-terminated-result) */
    p += kl;
    *p++ = '"';
    *p++ = ':';
    b->len = (size_t)(p - b->p);
}

void
jb_kv_str(struct jbuf *b, const char *key, const char *val, int first)
{
    jb_key(b, key, first);
    jb_str(b, val);
}

void
jb_kv_int(struct jbuf *b, const char *key, long long v, int first)
{
    char num[24];
    size_t k = sizeof(num);
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        num[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        num[--k] = '-';
    jb_key(b, key, first);
    jb_raw(b, num + k, sizeof(num) - k);
}

void
jb_kv_bool(struct jbuf *b, const char *key, int v, int first)
{
    jb_key(b, key, first);
    jb_raw(b, v ? "true" : "false", v ? 4 : 5);
}

int
jb_flush(struct jbuf *b, FILE *f)
{
    int ok = !b->oom && fwrite(b->p, 1, b->len, f) == b->len;

    b->len = 0;
    return ok;
}
