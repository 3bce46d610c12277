/*
 * str.c - small length-bounded string helpers (ASCII case folding only).
 */
#include "core_int.h"

#include <string.h>

static unsigned char
lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

const char *
sq_memcasemem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0)
        return hay;
    if (hlen < nlen)
        return NULL;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t j = 0;
        while (j < nlen && lower((unsigned char)hay[i + j]) ==
                               lower((unsigned char)needle[j]))
            j++;
        if (j == nlen)
            return hay + i;
    }
    return NULL;
}

void
sq_str_show(const char *s, size_t len, char out[SQ_SHOW_MAX + 4])
{
    size_t n = len > SQ_SHOW_MAX ? SQ_SHOW_MAX : len;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
    }
    if (n < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

int
sq_parse_dec(const char *s, size_t n, size_t maxdigits, unsigned long long max,
             unsigned long long *out)
{
    unsigned long long v = 0;

    if (n == 0 || n > maxdigits || n > 19)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

int
sq_parse_asn(const char *s, size_t n, unsigned long *out)
{
    unsigned long long v;

    if (n > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
        s += 2, n -= 2;
    if (!sq_parse_dec(s, n, 10, 4294967295ULL, &v))
        return 0;
    *out = (unsigned long)v;
    return 1;
}
