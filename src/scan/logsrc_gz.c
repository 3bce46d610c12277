/*
 * logsrc_gz.c - gzip input for the log source: zlib inflate straight
 * into the line buffer, member after member (gzip and logrotate write
 * files with several), from a 64 KiB input buffer.
 *
 * Between members the next byte must start another member (1f ...);
 * a zero byte ends the data (tape-style zero padding, which gzip itself
 * ignores); anything else is "trailing garbage", an error.  A stream
 * that ends inside a member is "truncated", an error.  zlib's own
 * memory is fixed (a 32 KiB window and its state).
 */
#include "scan/logsrc_int.h"

#include "core/core_int.h"

#include <errno.h>
#include <string.h>

enum { GZ_MEMBER = 0, GZ_BETWEEN = 1, GZ_PADDING = 2 };

int
ls_gz_start(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    memset(&s->z, 0, sizeof(s->z));
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
        sq_diag_addf(d, ls_name(s), 0, "cannot start zlib");
        *err = SQ_ENOMEM;
        return LS_ERR;
    }
    s->z_ok = 1;
    s->gz = 1;
    s->z_between = GZ_MEMBER;
    s->z.next_in = s->raw;
    s->z.avail_in = (uInt)s->raw_len;
    s->raw_len = 0;
    return 0;
}

void
ls_gz_rewind(sq_logsrc *s)
{
    if (!s->z_ok)
        return;
    (void)inflateReset(&s->z);
    s->z.avail_in = 0;
    s->z_between = GZ_MEMBER;
}

void
ls_gz_end(sq_logsrc *s)
{
    if (s->z_ok)
        (void)inflateEnd(&s->z);
    s->z_ok = 0;
    s->gz = 0;
}

static sq_status
gz_bad(sq_logsrc *s, sq_diag *d, const char *what)
{
    sq_diag_addf(d, ls_name(s), 0, "corrupt gzip data: %s", what);
    return SQ_EPARSE;
}

/* Refill the input: > 0, 0 at end of file, LS_ERR, LS_AGAIN. */
static long
gz_input(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    long r = ls_raw_read(s, s->raw, LS_RAW);

    if (r == LS_ERR) {
        sq_diag_addf(d, ls_name(s), 0, "read: %s", strerror(errno));
        *err = SQ_EIO;
    } else if (r == 0 && s->z_between == GZ_MEMBER) {
        *err = gz_bad(s, d, "truncated (unexpected end of file)");
        r = LS_ERR;
    } else if (r > 0) {
        s->z.next_in = s->raw;
        s->z.avail_in = (uInt)r;
    }
    return r;
}

/* At a member boundary with input: start the next member or stop. */
static int
gz_next_member(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    if (s->z.next_in[0] == 0) {
        s->z_between = GZ_PADDING;
        return 0;
    }
    if (s->z.next_in[0] != 0x1f) {
        *err = gz_bad(s, d, "trailing garbage after the last member");
        return LS_ERR;
    }
    (void)inflateReset(&s->z);
    s->z_between = GZ_MEMBER;
    return 1;
}

long
ls_gz_fill(sq_logsrc *s, sq_diag *d, sq_status *err)
{
    for (;;) {
        size_t room, n;
        int zr;

        if (s->z_between == GZ_PADDING)
            return 0;
        if (s->z.avail_in == 0) {
            long r = gz_input(s, d, err);

            if (r <= 0)
                return r;
        }
        if (s->z_between == GZ_BETWEEN) {
            int k = gz_next_member(s, d, err);

            if (k <= 0)
                return k;
        }
        room = SQ_LOGSRC_BUFFER - s->end;
        s->z.next_out = (Bytef *)s->buf + s->end;
        s->z.avail_out = (uInt)room;
        zr = inflate(&s->z, Z_NO_FLUSH);
        n = room - s->z.avail_out;
        s->end += n;
        if (zr == Z_STREAM_END)
            s->z_between = GZ_BETWEEN;
        else if (zr == Z_MEM_ERROR) {
            sq_diag_addf(d, ls_name(s), 0, "zlib: out of memory");
            *err = SQ_ENOMEM;
            return LS_ERR;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            *err = gz_bad(s, d, s->z.msg != NULL ? s->z.msg : "inflate");
            return LS_ERR;
        }
        if (n > 0)
            return (long)n;
    }
}
