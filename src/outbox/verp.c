/*
 * verp.c - VERP tags: random per report, and the envelope sender built
 * from a template ("bounces+{tag}@example.org").  Decoding reads an
 * address from a bounce (untrusted) back into a tag.
 *
 * Tags are 20 characters of lower-case base32 (a-z, 2-7) from 100 bits
 * of getrandom(): safe in a local part, immune to MTAs that fold case,
 * and unguessable (a forged "acknowledgement" cannot name a report
 * without having seen it).
 */
#include "outbox/outbox_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const char ob_b32[] = "abcdefghijklmnopqrstuvwxyz234567";

sq_status
ob_tag_new(char out[OB_TAG_LEN + 1])
{
    unsigned char r[OB_TAG_LEN];
    size_t got = 0;

    while (got < sizeof(r)) {
        ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return SQ_EIO;
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < OB_TAG_LEN; i++)
        out[i] = ob_b32[r[i] & 31];
    out[OB_TAG_LEN] = '\0';
    return SQ_OK;
}

const char *
ob_addr_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;

    return at && at[1] ? at + 1 : NULL;
}

int
ob_addr_ok(const char *s, size_t n)
{
    size_t at = n;

    if (s == NULL || n < 3 || n > OB_ADDR_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' ||
            c == '(' || c == ')' || c == ',' || c == ';' || c == '\\' ||
            c == '[' || c == ']')
            return 0;
        if (c == '@')
            at = i;
    }
    if (at == 0 || at >= n - 1 || memchr(s, '@', at) != NULL)
        return 0;
    return s[n - 1] != '.' && s[at + 1] != '.';
}

static const char *
ob_tmpl_tag(const char *tmpl)
{
    return strstr(tmpl, "{tag}");
}

sq_status
sq_outbox_verp_address(const char *tmpl, const char *tag, char *buf,
                       size_t buflen)
{
    const char *t;
    size_t tl = tmpl ? strlen(tmpl) : 0, gl = tag ? strlen(tag) : 0, n;

    if (tl == 0 || tag == NULL || buf == NULL || buflen == 0)
        return SQ_EINVAL;
    t = ob_tmpl_tag(tmpl);
    if (t != NULL && ob_tmpl_tag(t + 5) != NULL)
        return SQ_EINVAL;
    n = t ? tl - 5 + gl : tl;
    if (n >= buflen || n > OB_ADDR_MAX)
        return SQ_EINVAL;
    if (t == NULL)
        snprintf(buf, buflen, "%s", tmpl);
    else
        snprintf(buf, buflen, "%.*s%s%s", (int)(t - tmpl), tmpl, tag, t + 5);
    return ob_addr_ok(buf, n) ? SQ_OK : SQ_EINVAL;
}

static char
ob_lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static int
ob_tag_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

sq_status
sq_outbox_verp_decode(const char *tmpl, const char *addr, size_t len, char *buf,
                      size_t buflen)
{
    const char *t = tmpl ? ob_tmpl_tag(tmpl) : NULL;
    size_t pre, post, tl;

    if (t == NULL || addr == NULL || buf == NULL || buflen == 0)
        return SQ_EINVAL;
    /* Bounces often carry the address in <>. */
    if (len >= 2 && addr[0] == '<' && addr[len - 1] == '>') {
        addr++;
        len -= 2;
    }
    pre = (size_t)(t - tmpl);
    post = strlen(t + 5);
    if (len < pre + post + 1 || len - pre - post > (size_t)OB_TAG_LEN * 2 ||
        memchr(addr, '\0', len) != NULL)
        goto nomatch;
    for (size_t i = 0; i < pre; i++)
        if (ob_lower(addr[i]) != ob_lower(tmpl[i]))
            goto nomatch;
    for (size_t i = 0; i < post; i++)
        if (ob_lower(addr[len - post + i]) != ob_lower(t[5 + i]))
            goto nomatch;
    tl = len - pre - post;
    if (tl >= buflen)
        return SQ_EINVAL;
    for (size_t i = 0; i < tl; i++) {
        char c = addr[pre + i];
        if (!ob_tag_char(c))
            goto nomatch;
        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[tl] = '\0';
    return SQ_OK;
nomatch:
    return SQ_ENOTFOUND;
}
