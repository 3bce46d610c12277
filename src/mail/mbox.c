/*
 * mbox.c - split an mbox (mboxo or mboxrd) held in memory into messages.
 *
 * Owner: mail.  Works on a borrowed buffer (usually a mapped file) and
 * never copies: each message is a slice of the input.  A message starts
 * after a line beginning with "From " at the start of the buffer or
 * after a newline; the search uses memchr() for the rare F so splitting runs at
 * memory speed.  Data is returned raw: mboxrd ">From " quoting is left in the
 * bodies (header blocks never contain it, and only headers are read by
 * the tracer).  A truncated last message yields what is there.
 */
#define _GNU_SOURCE /* memchr on a const buffer, as before */
#include "mail_int.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char from_sep[] = "\nFrom ";
enum { FROM_SEP_LEN = 6, FROM_LEN = 5 };

int
sq_mbox_is_from_line(const char *buf, size_t len)
{
    return len >= FROM_LEN && memcmp(buf, "From ", FROM_LEN) == 0;
}

void
sq_mbox_init(sq_mbox_iter *it, const char *buf, size_t len)
{
    it->buf = buf;
    it->len = buf != NULL ? len : 0;
    it->pos = 0;
}

/* Drop the one blank line an mbox writer adds before the next From_. */
static size_t
strip_separator_blank(const char *start, size_t n)
{
    if (n >= 4 && memcmp(start + n - 4, "\r\n\r\n", 4) == 0)
        return n - 2;
    if (n >= 2 && start[n - 1] == '\n' && start[n - 2] == '\n')
        return n - 1;
    return n;
}

/* 1 when a From_ separator ("\nFrom ") starts at p (needs 6 bytes). */
static int
is_sep(const char *p, const char *end)
{
    return end - p >= FROM_SEP_LEN && memcmp(p, from_sep, FROM_SEP_LEN) == 0;
}

/*
 * First "\nFrom " at or after from.  With SSE2, 16 positions at a time
 * are tested for '\n' followed by 'F' (a pair rare enough that the
 * full compare seldom runs); the tail and other CPUs go byte by byte
 * from one '\n' (memchr) to the next.
 */
static const char *
find_sep(const char *buf, size_t from, size_t len)
{
    const char *p = buf + from, *end = buf + len;

#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n'), ff = _mm_set1_epi8('F');

    while (end - p >= 17) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, ff)));

        for (; m != 0; m &= m - 1) {
            const char *q = p + __builtin_ctz(m);
            if (is_sep(q, end))
                return q;
        }
        p += 16;
    }
#endif
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        if (is_sep(p, end))
            return p;
        p++;
    }
    return NULL;
}

int
sq_mbox_next(sq_mbox_iter *it, const char **msg, size_t *len)
{
    const char *buf = it->buf, *nl, *sep;
    size_t start, from, end;

    if (it->pos >= it->len)
        return 0;
    start = it->pos;
    if (sq_mbox_is_from_line(buf + start, it->len - start)) {
        nl = memchr(buf + start, '\n', it->len - start);
        start = nl != NULL ? (size_t)(nl - buf) + 1 : it->len;
    }
    /* Search from the newline ending the From_ line so that an empty
     * message (two From_ lines in a row) is seen too. */
    from = start > it->pos ? start - 1 : start;
    sep = find_sep(buf, from, it->len);
    end = sep != NULL ? (size_t)(sep - buf) + 1 : it->len;
    if (end < start)
        end = start;
    it->pos = end;
    *msg = buf + start;
    *len = strip_separator_blank(buf + start, end - start);
    return 1;
}
