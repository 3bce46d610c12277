/*
 * logsrc_follow.c - the log source across time: `tail -F` following
 * (rotation, truncation, a path that is missing for a while) and
 * resuming at a watermark (offset + hash of the line ending there).
 *
 * Follow checks run only at end of data, at most every
 * SQ_LOGSRC_POLL_MS, with one stat() of the path.  When the path names
 * another file, the old descriptor is read to its end first (the writer
 * may still be appending until it reopens its log), then the path is
 * opened from 0; the old file's unterminated last line, if any, is not
 * handed out (a plain file's partial line never is).  The position
 * reached in the file left behind goes to s->prev for sq_logsrc_save().
 */
#include "scan/logsrc_int.h"

#include <squeaky/report.h>
#include <squeaky/scan.h>

#include "core/core_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
ls_hex64(const char *h)
{
    size_t i;

    if (h == NULL)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return 0;
    return h[64] == '\0';
}

static long long
ls_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Remember where we got to in the file we are leaving. */
static void
ls_retire(sq_logsrc *s)
{
    if (s->fp[0] == '\0' || s->off == 0 || s->stream)
        return;
    s->prev.valid = 1;
    memcpy(s->prev.fp, s->fp, sizeof(s->prev.fp));
    memcpy(s->prev.last, s->last, sizeof(s->prev.last));
    s->prev.dev = s->dev;
    s->prev.ino = s->ino;
    s->prev.off = s->off;
}

static void
ls_forget_file(sq_logsrc *s)
{
    ls_gz_end(s);
    s->detected = 0;
    s->raw_len = 0;
    s->fp[0] = '\0';
    ls_reset_pos(s, 0);
}

/* Open the path anew from offset 0 (rotation, or its first appearance). */
static sq_status
ls_switch(sq_logsrc *s, sq_diag *d)
{
    sq_status st;

    s->rotating = 0;
    if (s->fd >= 0) {
        ls_retire(s);
        close(s->fd);
        s->fd = -1;
        s->cnt[SQ_LOGSRC_ROTATIONS]++;
    }
    ls_forget_file(s);
    s->dev = s->ino = 0;
    s->mtime = 0;
    st = ls_open_path(s, d);
    if (st == SQ_ENOTFOUND && !s->missing) {
        s->missing = 1;
        s->cnt[SQ_LOGSRC_WAITS]++;
    }
    return st;
}

static sq_status
ls_truncated(sq_logsrc *s, sq_diag *d)
{
    ls_retire(s);
    if (lseek(s->fd, 0, SEEK_SET) != 0)
        return ls_errno(s, d, "seek");
    ls_forget_file(s);
    s->cnt[SQ_LOGSRC_TRUNCATIONS]++;
    return SQ_OK;
}

/* At end of data in follow mode: SQ_OK to read on (switched, rotation
 * pending, truncated), SQ_ENOTFOUND for "nothing new", SQ_EIO. */
sq_status
ls_follow_check(sq_logsrc *s, sq_diag *d)
{
    struct stat st;
    long long now;

    if (s->rotating)
        return ls_switch(s, d); /* the old file is drained */
    now = ls_now_ms();
    if (s->checked_ms != 0 && now - s->checked_ms < SQ_LOGSRC_POLL_MS)
        return SQ_ENOTFOUND;
    s->checked_ms = now;
    if (s->is_stdin)
        return SQ_ENOTFOUND;
    if (stat(s->path, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return ls_errno(s, d, "stat");
        if (!s->missing) {
            s->missing = 1;
            s->cnt[SQ_LOGSRC_WAITS]++;
        }
        return SQ_ENOTFOUND;
    }
    s->missing = 0;
    if (s->fd < 0)
        return ls_switch(s, d);
    if ((unsigned long long)st.st_dev != s->dev ||
        (unsigned long long)st.st_ino != s->ino) {
        s->rotating = 1;
        return SQ_OK;
    }
    s->mtime = (long long)st.st_mtime;
    if (!s->stream && !s->gz && (unsigned long long)st.st_size < s->rawpos)
        return ls_truncated(s, d);
    return SQ_ENOTFOUND;
}

/* ---- resume ---- */

static sq_status
ls_rewind(sq_logsrc *s, sq_diag *d)
{
    if (lseek(s->fd, 0, SEEK_SET) != 0)
        return ls_errno(s, d, "seek");
    if (!s->detected)
        s->raw_len = 0;
    ls_gz_rewind(s);
    ls_reset_pos(s, 0);
    return SQ_OK;
}

/* n bytes at offset at: SQ_OK, SQ_ENOTFOUND when the file is shorter. */
static sq_status
ls_pread_all(sq_logsrc *s, char *dst, size_t n, unsigned long long at,
             sq_diag *d)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(s->fd, dst + got, n - got, (off_t)(at + got));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ls_errno(s, d, "read");
        if (r == 0)
            return SQ_ENOTFOUND;
        got += (size_t)r;
    }
    return SQ_OK;
}

/* A plain file: read back the line ending at offset (it is at most
 * SQ_SCAN_MAX_LINE + 1 bytes; one more byte shows where it starts). */
static sq_status
ls_resume_plain(sq_logsrc *s, unsigned long long offset, const char *hash,
                sq_diag *d)
{
    struct stat st;
    size_t back, ls;
    char h[65];
    sq_status r;

    if (fstat(s->fd, &st) != 0)
        return ls_errno(s, d, "stat");
    if (st.st_size < 0 || offset > (unsigned long long)st.st_size)
        return SQ_ENOTFOUND;
    back = offset < SQ_SCAN_MAX_LINE + 2 ? (size_t)offset
                                         : (size_t)SQ_SCAN_MAX_LINE + 2;
    if ((r = ls_pread_all(s, s->buf, back, offset - back, d)) != SQ_OK)
        return r;
    if (s->buf[back - 1] != '\n')
        return SQ_ENOTFOUND;
    for (ls = back - 1; ls > 0 && s->buf[ls - 1] != '\n'; ls--)
        ;
    if (ls == 0 && back < offset)
        return SQ_ENOTFOUND; /* longer than any line handed out */
    sq_sha256_hex(s->buf + ls, back - ls, h);
    if (strcmp(h, hash) != 0)
        return SQ_ENOTFOUND;
    if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
        return ls_errno(s, d, "seek");
    ls_reset_pos(s, offset);
    memcpy(s->last, h, sizeof(s->last));
    return SQ_OK;
}

/* gzip: decompress from 0 and discard whole lines up to offset (the
 * limit stops every chunk there), then compare the last one. */
static sq_status
ls_resume_stream(sq_logsrc *s, unsigned long long offset, const char *hash,
                 sq_diag *d)
{
    unsigned long long long_lines = s->cnt[SQ_LOGSRC_LONG_LINES];
    const char *b;
    size_t n;
    unsigned long long base;
    int hit = 0;
    sq_status st;

    if ((st = ls_rewind(s, d)) != SQ_OK)
        return st;
    s->limit = offset;
    do
        st = ls_read_core(s, &b, &n, &base, &hit, d);
    while (st == SQ_OK && s->off < offset);
    s->limit = ULLONG_MAX;
    s->cnt[SQ_LOGSRC_LONG_LINES] = long_lines;
    if (st == SQ_OK)
        return strcmp(s->last, hash) == 0 ? SQ_OK : SQ_ENOTFOUND;
    if (hit || st == SQ_EEOF)
        return SQ_ENOTFOUND;
    return st;
}

sq_status
sq_logsrc_resume(sq_logsrc *s, unsigned long long offset, const char *last_hash,
                 sq_diag *d)
{
    sq_status st;

    if (s == NULL || !ls_hex64(last_hash))
        return SQ_EINVAL;
    if (s->stream) {
        sq_diag_addf(d, ls_name(s), 0, "cannot resume a pipe or stdin");
        return SQ_EINVAL;
    }
    if (s->fd < 0)
        return SQ_ENOTFOUND;
    st = sq_logsrc_identify(s, d);
    if (st != SQ_OK && st != SQ_ENOTFOUND)
        return st;
    if (offset == 0)
        st = SQ_ENOTFOUND;
    else if (s->gz)
        st = ls_resume_stream(s, offset, last_hash, d);
    else
        st = ls_resume_plain(s, offset, last_hash, d);
    if (st == SQ_ENOTFOUND) {
        sq_status r = ls_rewind(s, d);

        if (r != SQ_OK)
            return r;
    }
    return st;
}
