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

/*
 * First "\nFrom " at or after from.  memchr for 'F' (rare in mail text)
 * and a look at its neighbours is several times faster than memmem.
 */
static const char *
find_sep(const char *buf, size_t from, size_t len)
{
    const char *p = buf + from + 1, *end = buf + len;

    if (len - from < FROM_SEP_LEN)
        return NULL;
    while (end - p >= FROM_SEP_LEN - 1 &&
           (p = memchr(p, 'F', (size_t)(end - p))) != NULL) {
        if (end - p >= FROM_SEP_LEN - 1 && p[-1] == '\n' &&
            memcmp(p, from_sep + 1, FROM_SEP_LEN - 1) == 0)
            return p - 1;
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
