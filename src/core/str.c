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
