/*
 * squeaky/logsrc.h - log sources for `squeaky scan`: one log file (plain,
 * gzip, stdin, or followed like `tail -F`) read as chunks of whole lines
 * with their offsets, and per-file watermarks in the store so that a
 * second run, a restart or a rotation never hands out a line again.
 *
 * The rules (fingerprint, resume, rotation, truncation, limits) are in
 * docs/SCAN-INPUT.md.  In short: a file is known by its fingerprint, the
 * sha256 of its first line; a watermark is (offset, sha256 of the line
 * ending at that offset) stored under the fingerprint.  Offsets of gzip
 * files count decompressed bytes, so auth.log, auth.log.1 and
 * auth.log.2.gz holding the same lines share one watermark.
 *
 * Ownership: an sq_logsrc is owned by the caller (sq_logsrc_free); the
 * chunk sq_logsrc_read() hands out and every string an accessor returns
 * are borrowed until the next call on the same source.  One source per
 * thread.  Memory: one fixed buffer of SQ_LOGSRC_BUFFER bytes (plus
 * 64 KiB for gzip input) whatever the input.
 */
#ifndef SQUEAKY_LOGSRC_H
#define SQUEAKY_LOGSRC_H

#include <squeaky/core.h>
#include <squeaky/store.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sq_logsrc sq_logsrc;

enum {
    SQ_LOGSRC_FOLLOW = 1u << 0, /* tail -F: wait for data, rotation */
    SQ_LOGSRC_BUFFER = 1 << 20, /* the fixed line buffer, bytes */
    SQ_LOGSRC_FP_MAX = 4096,    /* bytes of the first line hashed */
    SQ_LOGSRC_POLL_MS = 250     /* follow: stat the path at most this often */
};

/*
 * Open path ("-" = stdin).  gzip is recognised by its magic bytes
 * (1f 8b) whatever the name and read with zlib, multi-member files too.
 * With SQ_LOGSRC_FOLLOW a path that does not exist yet is waited for.
 * SQ_EIO (message naming the file), SQ_EINVAL, SQ_ENOMEM.
 */
SQ_API sq_status sq_logsrc_open(const char *path, unsigned flags, sq_diag *d,
                                sq_logsrc **out);
SQ_API void sq_logsrc_free(sq_logsrc *s);

/*
 * Next chunk: [*buf, *buf + *len) holds one or more whole lines, each
 * ending in '\n' and at most SQ_SCAN_MAX_LINE bytes without it
 * (borrowed until the next call); *base is the offset of (*buf)[0] in
 * the (decompressed) stream.  Longer lines are skipped whole and
 * counted.  A last line without '\n' is held back in a regular plain
 * file (the writer may be mid-line) and handed out with a '\n' appended
 * at the end of stdin and gzip streams.
 * SQ_OK; SQ_EEOF at the end (gzip and stdin: also when following);
 * with SQ_LOGSRC_FOLLOW, SQ_ENOTFOUND =
 * "nothing new now" (call again later, ~250 ms: this never sleeps or
 * blocks); SQ_EIO or SQ_EPARSE (corrupt gzip) with a one-line message.
 */
SQ_API sq_status sq_logsrc_read(sq_logsrc *s, const char **buf, size_t *len,
                                unsigned long long *base, sq_diag *d);

/*
 * Read (without handing out) enough of the stream to know its
 * fingerprint: SQ_OK; SQ_ENOTFOUND when there is no whole first line
 * (yet) and fewer than SQ_LOGSRC_FP_MAX bytes; SQ_EIO, SQ_EPARSE.
 */
SQ_API sq_status sq_logsrc_identify(sq_logsrc *s, sq_diag *d);

/* The path as given ("-" for stdin). */
SQ_API const char *sq_logsrc_path(const sq_logsrc *s);
/* sha256 hex (64 chars) of the first line with its newline, capped at
 * SQ_LOGSRC_FP_MAX bytes; "" while unknown (see sq_logsrc_identify). */
SQ_API const char *sq_logsrc_fingerprint(const sq_logsrc *s);
/* Device, inode and mtime (epoch seconds) of the open file (0 for a
 * pipe, or while a followed path does not exist). */
SQ_API unsigned long long sq_logsrc_dev(const sq_logsrc *s);
SQ_API unsigned long long sq_logsrc_ino(const sq_logsrc *s);
SQ_API long long sq_logsrc_mtime(const sq_logsrc *s);
/* 1 when the stream is gzip (known after the first read or identify). */
SQ_API int sq_logsrc_compressed(const sq_logsrc *s);
/* Offset just after the last line handed out, and the sha256 hex of
 * that line with its newline ("" before the first line). */
SQ_API unsigned long long sq_logsrc_offset(const sq_logsrc *s);
SQ_API const char *sq_logsrc_last_hash(const sq_logsrc *s);

typedef enum sq_logsrc_counter {
    SQ_LOGSRC_LONG_LINES,  /* lines over SQ_SCAN_MAX_LINE skipped */
    SQ_LOGSRC_ROTATIONS,   /* follow: the path named a new file */
    SQ_LOGSRC_TRUNCATIONS, /* follow: the file shrank below our offset */
    SQ_LOGSRC_WAITS        /* follow: the path was found missing */
} sq_logsrc_counter;
SQ_API unsigned long long sq_logsrc_count(const sq_logsrc *s,
                                          sq_logsrc_counter c);

/*
 * Resume at offset (in the decompressed stream) if the line ending
 * exactly there hashes to last_hash (64 hex).  Plain files seek (and
 * read back at most SQ_SCAN_MAX_LINE + 1 bytes); gzip files decompress
 * and discard.  SQ_OK: positioned there.  SQ_ENOTFOUND: the check
 * failed or offset is past the end; positioned at 0.  SQ_EINVAL for
 * stdin and pipes (they cannot go back); SQ_EIO, SQ_EPARSE.
 */
SQ_API sq_status sq_logsrc_resume(sq_logsrc *s, unsigned long long offset,
                                  const char *last_hash, sq_diag *d);

/* ---- watermarks in the store (module "scan_wm") ---- */

typedef struct sq_scan_wm sq_scan_wm;

/* Creates/migrates the table.  The store must outlive w. */
SQ_API sq_status sq_scan_wm_open(sq_store *st, sq_diag *d, sq_scan_wm **out);
SQ_API void sq_scan_wm_free(sq_scan_wm *w);

/*
 * The watermark of a fingerprint.  Every out pointer may be NULL;
 * *path is malloc'ed (the caller frees it); last_hash gets 64 hex + NUL;
 * *updated is epoch seconds.  SQ_OK, SQ_ENOTFOUND, SQ_EIO, SQ_EPARSE.
 */
SQ_API sq_status sq_scan_wm_get(sq_scan_wm *w, const char *fingerprint,
                                unsigned long long *offset, char last_hash[65],
                                char **path, unsigned long long *dev,
                                unsigned long long *ino, long long *updated,
                                sq_diag *d);
/* Insert or replace (updated = now).  SQ_EINVAL for a fingerprint or
 * hash that is not 64 lower-case hex digits. */
SQ_API sq_status sq_scan_wm_put(sq_scan_wm *w, const char *fingerprint,
                                const char *path, unsigned long long dev,
                                unsigned long long ino,
                                unsigned long long offset,
                                const char *last_hash, sq_diag *d);

/*
 * The whole dance for `squeaky scan`: identify s, look its fingerprint
 * up and resume there.  *resumed = 1 when positioned at the watermark,
 * 0 when reading from the start (no fingerprint yet: no watermark; none
 * stored; the check failed; stdin).  Errors as sq_logsrc_resume.
 */
SQ_API sq_status sq_logsrc_resume_from(sq_logsrc *s, sq_scan_wm *w, sq_diag *d,
                                       int *resumed);
/*
 * Store the position after the last chunk handed out (call it once that
 * chunk is processed), and, after a rotation or truncation in follow
 * mode, the final position in the file that was left.  Nothing for
 * stdin, before the first line, or for a file without fingerprint.
 */
SQ_API sq_status sq_logsrc_save(sq_logsrc *s, sq_scan_wm *w, sq_diag *d);

#ifdef __cplusplus
}
#endif
#endif
