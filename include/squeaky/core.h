/*
 * squeaky/core.h - status codes, diagnostics, logging, version.
 *
 * Every fallible libsqueaky function returns an sq_status (SQ_OK == 0).
 * Detail (file, line, message) goes to an optional sq_diag the caller
 * owns; the library never prints and never exits.
 */
#ifndef SQUEAKY_CORE_H
#define SQUEAKY_CORE_H

#include <stddef.h>

#if defined(__GNUC__)
#define SQ_API __attribute__((visibility("default")))
#else
#define SQ_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sq_status {
    SQ_OK = 0,
    SQ_ENOMEM,          /* allocation failed */
    SQ_EINVAL,          /* bad argument or malformed input */
    SQ_EIO,             /* read/write/open failed (errno kept in diag) */
    SQ_EEMPTY,          /* input is empty */
    SQ_EBINARY,         /* input is not a mail message / not text */
    SQ_ENOTRELAY,       /* Received line records no relay (skip it) */
    SQ_EPARSE,          /* could not parse */
    SQ_ENOTFOUND,       /* no such item */
    SQ_EEOF,            /* iteration finished */
    SQ_ECONFIG,         /* configuration error (see diag) */
    SQ_ELIMIT_HDRBYTES, /* header block larger than max_header_bytes */
    SQ_ELIMIT_HDRCOUNT, /* more headers than max_headers */
    SQ_ELIMIT_RECEIVED, /* more Received headers than max_received */
    SQ_ELIMIT_LINE,     /* a line longer than max_line_length */
    SQ_ELIMIT_MESSAGE,  /* a message larger than max_message_bytes */
    SQ_ENET,            /* network error: connect, resolve, protocol */
    SQ_ETIMEOUT,        /* a peer did not answer in time */
    SQ_ELIMIT_RESPONSE, /* a response larger than max_response_bytes */
    SQ_ERATELIMIT,      /* a registry budget is spent or it said 429 */
    SQ_EBLOCKED,        /* a registry says we are blocked */
    SQ_ELOOP,           /* referral loop or too many referrals */
    SQ_ELIMIT_MEMORY,   /* a documented memory budget is spent */
    SQ_STATUS_MAX
} sq_status;

/* Static English text for a status; never NULL. */
SQ_API const char *sq_strerror(sq_status st);

/* Library version string, e.g. "0.1.0". Static. */
SQ_API const char *sq_version(void);

/* How sure an answer is (trace origins, whois contacts); ordered, so
 * a > b means a is surer. */
typedef enum sq_confidence {
    SQ_CONF_NONE = 0,
    SQ_CONF_LOW,
    SQ_CONF_MEDIUM,
    SQ_CONF_HIGH
} sq_confidence;

/* "none", "low", "medium", "high"; "unknown" for other values. */
SQ_API const char *sq_confidence_name(sq_confidence c);

/*
 * Diagnostics: a list of "where: message" lines a caller may pass to
 * fallible functions to learn why they failed. Owned by the caller.
 */
typedef struct sq_diag sq_diag;

SQ_API sq_diag *sq_diag_new(void);
SQ_API void sq_diag_free(sq_diag *d);
SQ_API void sq_diag_clear(sq_diag *d);
SQ_API size_t sq_diag_count(const sq_diag *d);
/* The i-th message, formatted "file:line: text" when a place is known.
 * Borrowed; valid until the next change to d. NULL when i is out of range. */
SQ_API const char *sq_diag_message(const sq_diag *d, size_t i);

/* Logging: the library reports through this callback only. */
typedef enum sq_log_level {
    SQ_LOG_ERR = 0,
    SQ_LOG_WARN,
    SQ_LOG_INFO,
    SQ_LOG_DEBUG
} sq_log_level;

typedef void (*sq_log_fn)(void *ctx, sq_log_level level, const char *msg);

/* Install a process-wide log callback (NULL disables logging). */
SQ_API void sq_log_set(sq_log_fn fn, void *ctx, sq_log_level max_level);

#ifdef __cplusplus
}
#endif
#endif
