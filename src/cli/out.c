/*
 * out.c - output helpers: terminal-safe printing of attacker-controlled
 * text (control and invalid UTF-8 bytes as \xNN), UTF-8 validation,
 * progress on a terminal.  The JSON writer is json.c.
 */
#define _GNU_SOURCE /* fwrite_unlocked, fputs_unlocked */
#include "cli.h"

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t
cli_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void
cli_put_safe(FILE *f, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, l;

    while (i < n) {
        if (s[i] >= 0x20 && s[i] != 0x7f && (l = cli_utf8_len(s + i, n - i))) {
            fwrite_unlocked(s + i, 1, l, f);
            i += l;
        } else {
            fprintf(f, "\\x%02x", s[i]);
            i++;
        }
    }
}

void
cli_progress(const char *what, size_t n, int final)
{
    static int tty = -1;
    static struct timespec last;
    struct timespec now;

    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    if (!tty)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!final && now.tv_sec == last.tv_sec &&
        now.tv_nsec - last.tv_nsec < 200000000L)
        return;
    last = now;
    fprintf(stderr, "\r%s: %zu%s", what, n, final ? "\n" : "");
}

/* The diag's first message (else st's text) as "squeaky: cmd: ..."; code. */
int
cli_fail(sq_diag *d, sq_status st, int code)
{
    if (d != NULL && sq_diag_count(d) > 0)
        cli_err(0, "%s", sq_diag_message(d, 0));
    else
        cli_err(0, "%s", sq_strerror(st));
    return code;
}

/* Epoch seconds as YYYY-MM-DDTHH:MM:SSZ; "" for t <= 0 when empty_zero,
 * else the number itself when out of range. */
void
cli_iso_time(long long t, int empty_zero, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (empty_zero && t <= 0)
        out[0] = '\0';
    else if (gmtime_r(&tt, &tm) == NULL ||
             strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, len, "%lld", t);
}
