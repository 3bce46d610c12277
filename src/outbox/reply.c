/*
 * reply.c - SMTP replies as the server sent them (untrusted): find the
 * last complete reply ("250-..." continuation lines, then "250 ...")
 * and make a one-line printable summary of it for last_error.
 *
 * want != 0 picks the last reply with that code (libcurl reports the
 * code of the failed command, and QUIT's 221 comes after it).
 *
 * Input is (pointer, length), any bytes; lines end at LF (CR before it
 * dropped).  A line that does not start with three digits ends the
 * reply being collected without completing it.  The summary keeps
 * 0x20..0x7e only (others become '?'), collapses continuation lines into
 * one, and is truncated to the caller's buffer.
 */
#include "outbox/outbox_int.h"

#include <stdio.h>
#include <string.h>

static int
ob_reply_code(const char *s, size_t n)
{
    if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
        s[2] < '0' || s[2] > '9')
        return 0;
    if (n > 3 && s[3] != ' ' && s[3] != '-')
        return 0;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Append the printable text of a reply line (after "NNN-") to out. */
static void
ob_reply_text(const char *s, size_t n, char *out, size_t outlen, size_t *o)
{
    size_t i = n > 4 ? 4 : n;

    if (*o > 0 && *o + 1 < outlen && i < n)
        out[(*o)++] = ' ';
    for (; i < n && *o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[(*o)++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    }
    out[*o] = '\0';
}

void
ob_reply_last(const char *p, size_t n, int want, int *code, char *text,
              size_t textlen)
{
    size_t pos = 0, start = 0, last_s = 0, last_e = 0;
    int collecting = 0, last = 0;

    *code = 0;
    if (textlen > 0)
        text[0] = '\0';
    while (pos < n) {
        const char *nl = memchr(p + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - p) : n, next = nl ? end + 1 : n;
        size_t e = end > pos && p[end - 1] == '\r' ? end - 1 : end;
        int c = ob_reply_code(p + pos, e - pos);

        if (c == 0 || (collecting && c != collecting)) {
            collecting = 0;
        } else {
            if (!collecting) {
                collecting = c;
                start = pos;
            }
            if (e - pos == 3 || p[pos + 3] == ' ') {
                /* a reply without its line end is cut */
                if (nl != NULL && (want == 0 || c == want)) {
                    last = c;
                    last_s = start;
                    last_e = next;
                }
                collecting = 0;
            }
        }
        pos = next;
    }
    if (last == 0)
        return;
    *code = last;
    if (textlen == 0)
        return;
    {
        size_t o = (size_t)snprintf(text, textlen, "%d", last);
        if (o >= textlen)
            o = textlen - 1;
        for (pos = last_s; pos < last_e;) {
            const char *nl = memchr(p + pos, '\n', last_e - pos);
            size_t end = nl ? (size_t)(nl - p) : last_e;
            size_t e = end > pos && p[end - 1] == '\r' ? end - 1 : end;
            ob_reply_text(p + pos, e - pos, text, textlen, &o);
            pos = nl ? end + 1 : last_e;
        }
    }
}
