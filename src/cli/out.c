/*
 * out.c - output helpers: a small streaming JSON writer, terminal-safe
 * printing of attacker-controlled text, progress on a terminal.
 *
 * Every string that reaches stdout/stderr from a message is untrusted:
 * JSON strings are escaped and repaired to valid UTF-8 (invalid bytes
 * become U+FFFD); terminal text gets control and invalid bytes as \xNN.
 */
#define _GNU_SOURCE /* fwrite_unlocked, fputs_unlocked */
#include "cli.h"

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
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

/* 1 for bytes that go into a JSON string as they are. */
static int
json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void
json_str(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 0;

    putc_unlocked('"', f);
    while (i < n) {
        size_t run = i, l;

        while (run < n && json_plain(s[run]))
            run++;
        if (run > i) {
            fwrite_unlocked(s + i, 1, run - i, f);
            i = run;
            continue;
        }
        if (s[i] == '"' || s[i] == '\\') {
            putc_unlocked('\\', f);
            putc_unlocked(s[i++], f);
        } else if (s[i] < 0x20 || s[i] == 0x7f) {
            fprintf(f, "\\u%04x", s[i++]);
        } else if ((l = utf8_len(s + i, n - i)) == 0) {
            fputs_unlocked("\xef\xbf\xbd", f);
            i++;
        } else {
            fwrite_unlocked(s + i, 1, l, f);
            i += l;
        }
    }
    putc_unlocked('"', f);
}

void
json_key(FILE *f, const char *key, int first)
{
    if (!first)
        putc_unlocked(',', f);
    json_str(f, key);
    putc_unlocked(':', f);
}

void
json_kv_str(FILE *f, const char *key, const char *val, int first)
{
    json_key(f, key, first);
    json_str(f, val);
}

void
json_kv_int(FILE *f, const char *key, long long v, int first)
{
    json_key(f, key, first);
    fprintf(f, "%lld", v);
}

void
json_kv_bool(FILE *f, const char *key, int v, int first)
{
    json_key(f, key, first);
    fputs_unlocked(v ? "true" : "false", f);
}

void
cli_put_safe(FILE *f, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, l;

    while (i < n) {
        if (s[i] >= 0x20 && s[i] != 0x7f && (l = utf8_len(s + i, n - i))) {
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
