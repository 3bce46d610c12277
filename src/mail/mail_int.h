/*
 * mail_int.h - the mail module's private API (never installed).
 *
 * Owner: mail.  Holds the default limits used when no config is given,
 * the in-memory mbox splitter (driven by msgsrc.c and by the mbox fuzz
 * target without any file), the file mapping helpers shared by the
 * message sources, and one accessor of the header scanner that the
 * public header does not need.
 */
#ifndef SQ_MAIL_INT_H
#define SQ_MAIL_INT_H

#include "core/core_int.h"

#include <squeaky/mail.h>

#include <stddef.h>

/*
 * Defaults used when cfg is NULL (or a key reads as 0).  They MUST match
 * the defaults of the same keys in src/core/config_keys.c.
 */
#define SQ_MAIL_DEF_MAX_HEADER_BYTES ((size_t)1024 * 1024) /* 1 MiB */
#define SQ_MAIL_DEF_MAX_HEADERS ((size_t)10000)
#define SQ_MAIL_DEF_MAX_RECEIVED ((size_t)1000)
#define SQ_MAIL_DEF_MAX_LINE_LENGTH ((size_t)1024 * 1024)        /* 1 MiB */
#define SQ_MAIL_DEF_MAX_MESSAGE_BYTES ((size_t)64 * 1024 * 1024) /* 64 MiB */

/* Files at least this large get madvise(MADV_SEQUENTIAL). */
#define SQ_MAIL_SEQUENTIAL_MIN ((size_t)1024 * 1024)

/* A size limit from cfg (key must be an SQ_CFG_INT key); def when cfg is
 * NULL or the value is not positive. */
size_t sq_mail_cfg_size(const sq_config *cfg, const char *key, size_t def);

/* ---- mbox splitter (mbox.c) ---- */

/*
 * Splits an mbox held in memory.  A message starts after a "From " line
 * at the start of the buffer or after a newline ("\nFrom ", which also
 * covers "\r\nFrom ").  The From_ line is not part of the message; the
 * one blank line an mbox writer puts before the next From_ line is
 * dropped.  Bytes before the first From_ line (a buffer that does not
 * start with "From ") form a message of their own when non-empty.  Data
 * is returned raw: mboxrd ">From " lines are not unquoted.
 */
typedef struct sq_mbox_iter {
    const char *buf;
    size_t len;
    size_t pos; /* start of the next From_ line or message */
} sq_mbox_iter;

void sq_mbox_init(sq_mbox_iter *it, const char *buf, size_t len);
/* 1 and [*msg, *msg + *len) for the next message; 0 when done. *msg
 * points into the buffer. */
int sq_mbox_next(sq_mbox_iter *it, const char **msg, size_t *len);
/* 1 when [buf, buf+len) starts with an mbox "From " line. */
int sq_mbox_is_from_line(const char *buf, size_t len);

/* ---- file mapping (map.c) ---- */

/* A read-only view of one file or stream: mapped, or read into heap. */
typedef struct sq_map {
    const char *data; /* never NULL after a successful open ("" if empty) */
    size_t len;
    void *mm; /* mmap base, NULL when not mapped */
    size_t mmlen;
    char *heap; /* malloc'd copy for streams, NULL otherwise */
    int cut;    /* 1 when a stream was longer than the read bound */
} sq_map;

/*
 * Map the regular file open on fd (len 0 maps nothing), or read a
 * stream (pipe, tty, FIFO) into a growing buffer of at most max bytes,
 * setting cut when there was more.  The fd is not closed.  SQ_EIO with
 * errno kept on failure; *m is zeroed first.
 */
sq_status sq_map_fd(int fd, size_t max, sq_map *m);
/* Open path read-only and sq_map_fd() it. */
sq_status sq_map_path(const char *path, size_t max, sq_map *m);
void sq_map_release(sq_map *m);

/* ---- header scanner extras (headers.c) ---- */

/* Offset in the scanned input where scanning stopped: just past the
 * blank line when the header block ended normally (the body's start). */
size_t sq_headers_end_offset(const sq_headers *h);

#endif
