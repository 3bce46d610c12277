/*
 * squeaky/mail.h - message sources and the header scanner.
 *
 * A message source yields raw RFC 5322 messages from a single file,
 * stdin ("-"), an mbox (mboxo/mboxrd "From " separators), a Maildir
 * (cur/ and new/) or a directory of message files.  Files are mapped,
 * never read whole into the heap, so a 1 GB mbox streams.
 *
 * The header scanner reads the header block of one message: CRLF or LF,
 * folded lines, 8-bit bytes and NULs are accepted; a missing blank line
 * ends the header block at the first line that is not a header.  Named
 * limits come from the config (max_header_bytes, max_headers,
 * max_received, max_line_length); when one is exceeded the scan stops,
 * keeps what it has and records the limit's status.
 */
#ifndef SQUEAKY_MAIL_H
#define SQUEAKY_MAIL_H

#include <squeaky/config.h>
#include <squeaky/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sq_msgsrc sq_msgsrc;

typedef enum sq_msgsrc_kind {
    SQ_SRC_MESSAGE = 0, /* one message (file or stdin) */
    SQ_SRC_MBOX,
    SQ_SRC_MAILDIR,
    SQ_SRC_DIRECTORY
} sq_msgsrc_kind;

/*
 * Open path ("-" for stdin) and detect its kind.  cfg may be NULL
 * (defaults; max_message_bytes bounds stdin and single messages).
 */
SQ_API sq_status sq_msgsrc_open(const char *path, const sq_config *cfg,
                                sq_msgsrc **out, sq_diag *d);
SQ_API void sq_msgsrc_free(sq_msgsrc *src);
SQ_API sq_msgsrc_kind sq_msgsrc_kind_of(const sq_msgsrc *src);

/*
 * Next message.  *data and *len are borrowed until the next call or free;
 * *label names it ("path", "path#N" for the Nth message of an mbox
 * counting from 1, or the file path inside a Maildir/directory).
 * Returns SQ_EEOF when there are no more messages.  A message that
 * cannot be read returns its status with *label set, and the next call
 * moves on.  A message larger than max_message_bytes returns
 * SQ_ELIMIT_MESSAGE with *data and *len holding its first max_message_bytes
 * bytes (enough to trace its headers).  A truncated mbox (last message cut
 * short) still yields what is there.
 */
SQ_API sq_status sq_msgsrc_next(sq_msgsrc *src, const char **data, size_t *len,
                                const char **label);

typedef struct sq_headers sq_headers;

/*
 * Scan the header block of [msg, msg+len).  cfg may be NULL.  Returns
 * SQ_EEMPTY for an empty input and SQ_EBINARY when the first line is not
 * a header field; otherwise SQ_OK with *out set, even when a limit cut
 * the scan short (see sq_headers_status()).
 */
SQ_API sq_status sq_headers_parse(const char *msg, size_t len,
                                  const sq_config *cfg, sq_headers **out);
SQ_API void sq_headers_free(sq_headers *h);

/* SQ_OK, or the first limit status hit while scanning. */
SQ_API sq_status sq_headers_status(const sq_headers *h);
/* 1 when the input ended without the blank line after the headers. */
SQ_API int sq_headers_truncated(const sq_headers *h);

SQ_API size_t sq_headers_count(const sq_headers *h);
/* Field name / unfolded value of the i-th header (top first).  Values
 * have line breaks of folding removed, NULs replaced by spaces and
 * leading/trailing whitespace trimmed.  Borrowed from h (valid until
 * sq_headers_free) and NUL-terminated. *len may be NULL. */
SQ_API const char *sq_headers_name(const sq_headers *h, size_t i, size_t *len);
SQ_API const char *sq_headers_value(const sq_headers *h, size_t i, size_t *len);
/* Index of the first header named name (case-insensitive) at or after
 * from, or (size_t)-1. */
SQ_API size_t sq_headers_find(const sq_headers *h, const char *name,
                              size_t from);

#ifdef __cplusplus
}
#endif
#endif
