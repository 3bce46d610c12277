/*
 * core.c - status strings, version, diagnostics list and log callback.
 * The diag list owns its message strings; the log callback is a single
 * process-wide pointer set before threads start.
 */
#include "core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SQ_VERSION_STRING
#define SQ_VERSION_STRING "0.1.0"
#endif

enum { SQ_DIAG_MAX = 1000, SQ_DIAG_LINE = 512 };

struct sq_diag {
    char **msg;
    size_t n, cap;
};

static const char *const status_text[SQ_STATUS_MAX] = {
    [SQ_OK] = "success",
    [SQ_ENOMEM] = "out of memory",
    [SQ_EINVAL] = "invalid argument or input",
    [SQ_EIO] = "input/output error",
    [SQ_EEMPTY] = "empty input",
    [SQ_EBINARY] = "not a mail message (no header fields)",
    [SQ_ENOTRELAY] = "Received line records no relay",
    [SQ_EPARSE] = "cannot parse input",
    [SQ_ENOTFOUND] = "not found",
    [SQ_EEOF] = "end of input",
    [SQ_ECONFIG] = "configuration error",
    [SQ_ELIMIT_HDRBYTES] = "header block exceeds max_header_bytes",
    [SQ_ELIMIT_HDRCOUNT] = "header count exceeds max_headers",
    [SQ_ELIMIT_RECEIVED] = "Received header count exceeds max_received",
    [SQ_ELIMIT_LINE] = "line exceeds max_line_length",
    [SQ_ELIMIT_MESSAGE] = "message exceeds max_message_bytes",
    [SQ_ENET] = "network error",
    [SQ_ETIMEOUT] = "timed out",
    [SQ_ELIMIT_RESPONSE] = "response exceeds max_response_bytes",
    [SQ_ERATELIMIT] = "registry query budget spent (rate limited)",
    [SQ_EBLOCKED] = "registry refuses our queries (blocked)",
    [SQ_ELOOP] = "referral loop or too many referrals",
    [SQ_ELIMIT_MEMORY] = "memory budget spent",
};

const char *
sq_strerror(sq_status st)
{
    if ((unsigned)st >= SQ_STATUS_MAX || status_text[st] == NULL)
        return "unknown status";
    return status_text[st];
}

const char *
sq_version(void)
{
    return SQ_VERSION_STRING;
}

sq_diag *
sq_diag_new(void)
{
    return calloc(1, sizeof(sq_diag));
}

void
sq_diag_clear(sq_diag *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msg[i]);
    d->n = 0;
}

void
sq_diag_free(sq_diag *d)
{
    if (d == NULL)
        return;
    sq_diag_clear(d);
    free(d->msg);
    free(d);
}

size_t
sq_diag_count(const sq_diag *d)
{
    return d == NULL ? 0 : d->n;
}

const char *
sq_diag_message(const sq_diag *d, size_t i)
{
    if (d == NULL || i >= d->n)
        return NULL;
    return d->msg[i];
}

static int
diag_grow(sq_diag *d)
{
    size_t ncap;
    char **nm;

    if (d->n < d->cap)
        return 1;
    if (d->cap >= SQ_DIAG_MAX)
        return 0;
    ncap = d->cap == 0 ? 8 : d->cap * 2;
    nm = realloc(d->msg, ncap * sizeof(*nm));
    if (nm == NULL)
        return 0;
    d->msg = nm;
    d->cap = ncap;
    return 1;
}

void
sq_diag_addf(sq_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
    char buf[SQ_DIAG_LINE];
    int off = 0;
    va_list ap;

    if (d == NULL || !diag_grow(d))
        return;
    if (file != NULL && line > 0)
        off = snprintf(buf, sizeof(buf), "%s:%u: ", file, line);
    else if (file != NULL)
        off = snprintf(buf, sizeof(buf), "%s: ", file);
    if (off < 0 || (size_t)off >= sizeof(buf))
        off = 0;
    va_start(ap, fmt);
    vsnprintf(buf + off, sizeof(buf) - (size_t)off, fmt, ap);
    va_end(ap);
    d->msg[d->n] = strdup(buf);
    if (d->msg[d->n] != NULL)
        d->n++;
}

static sq_log_fn log_fn;
static void *log_ctx;
static sq_log_level log_max = SQ_LOG_WARN;

void
sq_log_set(sq_log_fn fn, void *ctx, sq_log_level max_level)
{
    log_fn = fn;
    log_ctx = ctx;
    log_max = max_level;
}

void
sq_logf(sq_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (log_fn == NULL || level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_fn(log_ctx, level, buf);
}

SQ_API const char *
sq_confidence_name(sq_confidence c)
{
    static const char *const names[] = {"none", "low", "medium", "high"};

    return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c]
                                                          : "unknown";
}
