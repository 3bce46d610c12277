/*
 * logsrc.c - one log file read as chunks of whole lines: plain files,
 * gzip (zlib, multi-member), stdin and pipes, and `tail -F` following.
 *
 * The line buffer is one fixed block of SQ_LOGSRC_BUFFER bytes (+1 for
 * the '\n' appended to a finished stream's last line): [start, end) is
 * unread data, bufoff the stream offset of buf[0].  A line without '\n'
 * never holds more than SQ_SCAN_MAX_LINE bytes in it: beyond that the
 * line is counted and skipped up to its newline (skipping = 1), so the
 * buffer never fills with one line and memory never grows.
 *
 * Follow mode checks the path (stat) only at end of data and at most
 * every SQ_LOGSRC_POLL_MS: another inode means rotation (the old fd is
 * drained to its end, then the path is opened from 0), a size below our
 * read position means truncation (restart at 0).  The position reached
 * in the file left behind is kept in prev for sq_logsrc_save().
 * Rules and limits: docs/SCAN-INPUT.md.
 */
#include <squeaky/logsrc.h>
#include <squeaky/report.h>
#include <squeaky/scan.h>

#include "core/core_int.h"
#include "scan/logsrc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { LS_CAP = SQ_LOGSRC_BUFFER };

const char *
ls_name(const sq_logsrc *s)
{
    return s->is_stdin ? "(stdin)" : s->path;
}

sq_status
ls_errno(const sq_logsrc *s, sq_diag *d, const char *what)
{
    sq_diag_addf(d, ls_name(s), 0, "%s: %s", what, strerror(errno));
    return SQ_EIO;
}

/* The fingerprint, as soon as buf[0] is stream offset 0 and holds the
 * first '\n' or SQ_LOGSRC_FP_MAX bytes. */
void
ls_fp_update(sq_logsrc *s)
{
    size_t n = s->end < SQ_LOGSRC_FP_MAX ? s->end : SQ_LOGSRC_FP_MAX;
    const char *nl;

    if (s->fp[0] != '\0' || s->bufoff != 0)
        return;
    if ((nl = memchr(s->buf, '\n', n)) != NULL)
        sq_sha256_hex(s->buf, (size_t)(nl - s->buf) + 1, s->fp);
    else if (s->end >= SQ_LOGSRC_FP_MAX)
        sq_sha256_hex(s->buf, SQ_LOGSRC_FP_MAX, s->fp);
}

/* Empty the line buffer and forget the position (not the file). */
void
ls_reset_pos(sq_logsrc *s, unsigned long long at)
{
    s->start = s->end = 0;
    s->bufoff = at;
    s->rawpos = at;
    s->off = at;
    s->last[0] = '\0';
    s->skipping = 0;
    s->done = 0;
}

/* ---- raw input ---- */

/* > 0 bytes, 0 end of file, LS_ERR (errno set), LS_AGAIN (follow mode
 * on a pipe with nothing to read: never block there). */
long
ls_raw_read(sq_logsrc *s, void *dst, size_t n)
{
    ssize_t r;

    if ((s->flags & SQ_LOGSRC_FOLLOW) && s->stream) {
        struct pollfd p = {s->fd, POLLIN, 0};
        int k;

        do
            k = poll(&p, 1, 0);
        while (k < 0 && errno == EINTR);
        if (k < 0)
            return LS_ERR;
        if (k == 0)
            return LS_AGAIN;
    }
    do
        r = read(s->fd, dst, n);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? LS_AGAIN : LS_ERR;
    return (long)r;
}

/* Read the first two bytes: gzip magic or plain text (the bytes go to
 * the line buffer). */
static int
ls_detect(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    while (s->raw_len < 2) {
        long r = ls_raw_read(s, s->raw + s->raw_len, 2 - s->raw_len);

        if (r == LS_AGAIN)
            return LS_AGAIN;
        if (r < 0) {
            *err = ls_errno(s, d, "read");
            return LS_ERR;
        }
        if (r == 0)
            break;
        s->raw_len += (size_t)r;
    }
    s->detected = 1;
    if (s->raw_len == 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b)
        return ls_gz_start(s, d, err);
    memcpy(s->buf + s->end, s->raw, s->raw_len);
    s->end += s->raw_len;
    s->rawpos += s->raw_len;
    s->raw_len = 0;
    return 0;
}

/* Make room at the end of the buffer by moving the unread part down. */
static void
ls_compact(sq_logsrc *s)
{
    if (s->start == s->end) {
        s->bufoff += s->start;
        s->start = s->end = 0;
    } else if (s->start > 0 && LS_CAP - s->end < LS_CAP / 4) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->bufoff += s->start;
        s->end -= s->start;
        s->start = 0;
    }
}

/* More bytes into the buffer: > 0, 0 at end of data, LS_ERR (*err and
 * a message), LS_AGAIN. */
static long
ls_fill(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    long r;

    if (s->fd < 0 || s->done)
        return 0;
    if (!s->detected) {
        size_t before = s->end;
        int k = ls_detect(s, d, err);

        if (k < 0)
            return k;
        if (s->end > before) {
            ls_fp_update(s);
            return (long)(s->end - before);
        }
    }
    ls_compact(s);
    if (s->end >= LS_CAP) { /* cannot happen: lines are consumed first */
        sq_diag_addf(d, ls_name(s), 0, "line buffer full");
        *err = SQ_ELIMIT_LINE;
        return LS_ERR;
    }
    if (s->gz)
        r = ls_gz_fill(s, d, err);
    else {
        r = ls_raw_read(s, s->buf + s->end, LS_CAP - s->end);
        if (r == LS_ERR)
            *err = ls_errno(s, d, "read");
        if (r > 0) {
            s->end += (size_t)r;
            s->rawpos += (unsigned long long)r;
        }
    }
    if (r > 0)
        ls_fp_update(s);
    return r;
}

/* ---- lines ---- */

/* One chunk of whole lines out of [start, end): 1 and the chunk, 0 when
 * more data is needed, -1 when the next line would end past s->limit. */
static int
ls_chunk(sq_logsrc *s, const char **buf, size_t *len, unsigned long long *base)
{
    size_t p, last;
    const char *nl;

again:
    if (s->skipping) {
        if ((nl = memchr(s->buf + s->start, '\n', s->end - s->start)) == NULL) {
            s->start = s->end;
            return 0;
        }
        s->start = (size_t)(nl - s->buf) + 1;
        s->skipping = 0;
    }
    p = last = s->start;
    while (p < s->end) {
        size_t n;

        if ((nl = memchr(s->buf + p, '\n', s->end - p)) == NULL) {
            if (p == s->start && s->end - p > SQ_SCAN_MAX_LINE) {
                s->cnt[SQ_LOGSRC_LONG_LINES]++;
                s->skipping = 1;
                s->start = s->end;
                return 0;
            }
            break;
        }
        n = (size_t)(nl - (s->buf + p));
        if (n > SQ_SCAN_MAX_LINE) {
            if (p > s->start)
                break;
            s->cnt[SQ_LOGSRC_LONG_LINES]++;
            s->start = p + n + 1;
            goto again;
        }
        if (s->bufoff + p + n + 1 > s->limit) {
            if (p == s->start)
                return -1;
            break;
        }
        last = p;
        p += n + 1;
    }
    if (p == s->start)
        return 0;
    sq_sha256_hex(s->buf + last, p - last, s->last);
    *buf = s->buf + s->start;
    *len = p - s->start;
    *base = s->bufoff + s->start;
    s->off = s->bufoff + p;
    s->start = p;
    return 1;
}

/* A finished stream (stdin, pipe, gzip) hands out its last line with a
 * '\n' added; the buffer has one byte beyond LS_CAP for it. */
static void
ls_finish(sq_logsrc *s)
{
    if (s->end > s->start && !s->skipping)
        s->buf[s->end++] = '\n';
    s->done = 1;
    ls_fp_update(s);
}

static int
ls_finished_stream(const sq_logsrc *s)
{
    return s->stream || s->gz;
}

sq_status
ls_read_core(sq_logsrc *s, const char **buf, size_t *len,
             unsigned long long *base, int *limit_hit, sq_diag *d)
{
    for (;;) {
        sq_status err = SQ_OK, st;
        int k = ls_chunk(s, buf, len, base);
        long r;

        if (k > 0)
            return SQ_OK;
        if (k < 0) {
            *limit_hit = 1;
            return SQ_ENOTFOUND;
        }
        if (s->done)
            return SQ_EEOF;
        r = ls_fill(s, d, &err);
        if (r > 0)
            continue;
        if (r == LS_ERR)
            return err;
        if (r == LS_AGAIN)
            return SQ_ENOTFOUND;
        if (ls_finished_stream(s) && s->fd >= 0) {
            ls_finish(s);
            continue;
        }
        if (!(s->flags & SQ_LOGSRC_FOLLOW))
            return SQ_EEOF;
        if ((st = ls_follow_check(s, d)) != SQ_OK)
            return st;
    }
}

sq_status
sq_logsrc_read(sq_logsrc *s, const char **buf, size_t *len,
               unsigned long long *base, sq_diag *d)
{
    int hit = 0;

    if (s == NULL || buf == NULL || len == NULL || base == NULL)
        return SQ_EINVAL;
    return ls_read_core(s, buf, len, base, &hit, d);
}

sq_status
sq_logsrc_identify(sq_logsrc *s, sq_diag *d)
{
    if (s == NULL)
        return SQ_EINVAL;
    while (s->fp[0] == '\0') {
        sq_status err = SQ_OK;
        long r;

        if (s->fd < 0 || s->done || s->bufoff != 0)
            return SQ_ENOTFOUND;
        r = ls_fill(s, d, &err);
        if (r == LS_ERR)
            return err;
        if (r == LS_AGAIN)
            return SQ_ENOTFOUND;
        if (r == 0) {
            if (!ls_finished_stream(s))
                return SQ_ENOTFOUND;
            ls_finish(s);
        }
    }
    return SQ_OK;
}

/* ---- open, free, accessors ---- */

/* Open s->path (not stdin) into s->fd with its identity.  SQ_ENOTFOUND
 * (no message) when it does not exist. */
sq_status
ls_open_path(sq_logsrc *s, sq_diag *d)
{
    struct stat st;
    int fd;

    do
        fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT && (s->flags & SQ_LOGSRC_FOLLOW))
            return SQ_ENOTFOUND;
        return ls_errno(s, d, "open");
    }
    if (fstat(fd, &st) != 0) {
        sq_status r = ls_errno(s, d, "stat");

        close(fd);
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        sq_diag_addf(d, s->path, 0, "is a directory");
        return SQ_EIO;
    }
    s->fd = fd;
    s->stream = !S_ISREG(st.st_mode);
    s->dev = (unsigned long long)st.st_dev;
    s->ino = (unsigned long long)st.st_ino;
    s->mtime = (long long)st.st_mtime;
    return SQ_OK;
}

sq_status
sq_logsrc_open(const char *path, unsigned flags, sq_diag *d, sq_logsrc **out)
{
    sq_logsrc *s;
    sq_status st = SQ_OK;
    size_t n;

    if (path == NULL || out == NULL || path[0] == '\0')
        return SQ_EINVAL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return SQ_ENOMEM;
    n = strlen(path);
    s->fd = -1;
    s->flags = flags;
    s->limit = ULLONG_MAX;
    s->path = malloc(n + 1);
    s->buf = malloc(LS_CAP + 1);
    s->raw = malloc(LS_RAW);
    if (s->path == NULL || s->buf == NULL || s->raw == NULL) {
        st = SQ_ENOMEM;
        goto out;
    }
    memcpy(s->path, path, n + 1);
    if (strcmp(path, "-") == 0) {
        s->is_stdin = s->stream = 1;
        s->fd = STDIN_FILENO;
    } else if ((st = ls_open_path(s, d)) == SQ_ENOTFOUND) {
        s->missing = 1;
        s->cnt[SQ_LOGSRC_WAITS]++;
        st = SQ_OK;
    }
out:
    if (st != SQ_OK) {
        sq_logsrc_free(s);
        return st;
    }
    *out = s;
    return SQ_OK;
}

void
sq_logsrc_free(sq_logsrc *s)
{
    if (s == NULL)
        return;
    ls_gz_end(s);
    if (s->fd >= 0 && !s->is_stdin)
        close(s->fd);
    free(s->path);
    free(s->buf);
    free(s->raw);
    free(s);
}

const char *
sq_logsrc_path(const sq_logsrc *s)
{
    return s != NULL ? s->path : "";
}

const char *
sq_logsrc_fingerprint(const sq_logsrc *s)
{
    return s != NULL ? s->fp : "";
}

unsigned long long
sq_logsrc_dev(const sq_logsrc *s)
{
    return s != NULL && !s->stream ? s->dev : 0;
}

unsigned long long
sq_logsrc_ino(const sq_logsrc *s)
{
    return s != NULL && !s->stream ? s->ino : 0;
}

long long
sq_logsrc_mtime(const sq_logsrc *s)
{
    return s != NULL && !s->stream ? s->mtime : 0;
}

int
sq_logsrc_compressed(const sq_logsrc *s)
{
    return s != NULL && s->gz;
}

unsigned long long
sq_logsrc_offset(const sq_logsrc *s)
{
    return s != NULL ? s->off : 0;
}

const char *
sq_logsrc_last_hash(const sq_logsrc *s)
{
    return s != NULL ? s->last : "";
}

unsigned long long
sq_logsrc_count(const sq_logsrc *s, sq_logsrc_counter c)
{
    if (s == NULL || (unsigned)c >= LS_NCOUNT)
        return 0;
    return s->cnt[c];
}
