/*
 * logsrc_int.h - private to the log source files (logsrc.c: buffer and
 * lines; logsrc_gz.c: zlib; logsrc_follow.c: follow, resume,
 * watermark dance).
 */
#ifndef SQ_LOGSRC_INT_H
#define SQ_LOGSRC_INT_H

#include <squeaky/logsrc.h>

#include <zlib.h>

enum {
    LS_RAW = 64 * 1024, /* gzip input buffer */
    LS_ERR = -1,        /* read error (errno) */
    LS_AGAIN = -2,      /* nothing to read now (follow mode) */
    LS_NCOUNT = 4       /* counters (sq_logsrc_counter) */
};

/* A file left behind by a rotation or truncation: where we got to. */
typedef struct ls_ident {
    int valid;
    char fp[65], last[65];
    unsigned long long dev, ino, off;
} ls_ident;

struct sq_logsrc {
    char *path;
    unsigned flags;
    int fd, is_stdin, stream; /* stream: stdin or not a regular file */
    int detected, gz, done, skipping;
    /* gzip */
    z_stream z;
    int z_ok, z_between; /* inflate ready; at a member boundary */
    unsigned char *raw;
    size_t raw_len; /* magic bytes read by detection */
    /* lines */
    char *buf;
    size_t start, end;
    unsigned long long bufoff, rawpos, limit;
    /* identity and position */
    unsigned long long dev, ino;
    long long mtime;
    char fp[65], last[65];
    unsigned long long off;
    unsigned long long cnt[LS_NCOUNT];
    /* follow */
    long long checked_ms;
    int missing, rotating;
    ls_ident prev;
};

const char *ls_name(const sq_logsrc *s);
/* Adds "name: what: strerror(errno)" to d; SQ_EIO. */
sq_status ls_errno(const sq_logsrc *s, sq_diag *d, const char *what);
void ls_fp_update(sq_logsrc *s);
void ls_reset_pos(sq_logsrc *s, unsigned long long at);
long ls_raw_read(sq_logsrc *s, void *dst, size_t n);
sq_status ls_open_path(sq_logsrc *s, sq_diag *d);
sq_status ls_read_core(sq_logsrc *s, const char **buf, size_t *len,
                       unsigned long long *base, int *limit_hit, sq_diag *d);

/* logsrc_gz.c */
int ls_gz_start(sq_logsrc *s, sq_diag *d, sq_status *err);
long ls_gz_fill(sq_logsrc *s, sq_diag *d, sq_status *err);
void ls_gz_rewind(sq_logsrc *s);
void ls_gz_end(sq_logsrc *s);

/* logsrc_follow.c */
sq_status ls_follow_check(sq_logsrc *s, sq_diag *d);
/* 64 lower-case hex digits and a NUL. */
int ls_hex64(const char *h);

#endif
