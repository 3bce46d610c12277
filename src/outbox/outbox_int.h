/*
 * outbox_int.h - the outbox module's internal API (never installed).
 *
 * outbox.c   tables, enqueue, get/list, item accessors
 * ops.c      cancel/retry/confirm/mark/recover, the claim and the result
 *            of a send (the transactions crash safety rests on)
 * verp.c     random tags, VERP addresses and their decoding
 * wire.c     the bytes that go on the wire: header edits, CRLF, digests
 * reply.c    SMTP reply lines (from the server: untrusted)
 * opts.c     sender options
 * smtp.c     libcurl SMTP transport;  pipe.c  sendmail pipe
 * run.c      the send run: recovery, expiry, due reports, rate, digests
 */
#ifndef SQ_OUTBOX_INT_H
#define SQ_OUTBOX_INT_H

#include "core/core_int.h"

#include <squeaky/outbox.h>

#include <stddef.h>

enum {
    OB_TAG_LEN = 20,           /* VERP tag: base32 of 100 random bits */
    OB_ADDR_MAX = 254,         /* an address (RFC 5321 path limit) */
    OB_MSGID_MAX = 250,        /* a Message-ID */
    OB_ERR_MAX = 512,          /* last_error kept per report */
    OB_LABEL_MAX = 256,        /* format, network, ticket */
    OB_HOST_MAX = 256,         /* claim host name */
    OB_REPLY_MAX = 16384,      /* SMTP reply bytes kept per command */
    OB_CMD_ARGS = 32,          /* words of sendmail_command */
    OB_DIGEST_BYTES = 24 << 20 /* report bytes per digest mail */
};

/* Claim phases: what a crashed run may have done (docs/OUTBOX.md). */
enum {
    OB_PHASE_NONE = 0,    /* not claimed */
    OB_PHASE_CLAIMED = 1, /* claimed; no message data sent yet */
    OB_PHASE_DATA = 2     /* message data may have reached the server */
};

struct sq_outbox {
    sq_store *store;
    long long now; /* 0: clock */
    char host[OB_HOST_MAX];
};

struct sq_outbox_item {
    long long id, attempts, next_attempt, created, sent;
    sq_outbox_state state;
    char *evidence, *dest, *format, *network, *message_id, *verp, *error,
        *ticket;
    char *msg; /* NULL in list items */
    size_t msglen;
    sq_arena *arena;
};

long long ob_now(const sq_outbox *ob);
/* Copy-out of one row of OB_ITEM_COLS plus the message (or NULL) into a
 * new item. */
extern const char OB_ITEM_COLS[];
sq_status ob_item_from_row(const sq_value *cols, size_t ncols, int with_msg,
                           sq_outbox_item **out);

/* ---- verp.c ---- */
/* A fresh random tag (OB_TAG_LEN lower-case base32 characters + NUL). */
sq_status ob_tag_new(char out[OB_TAG_LEN + 1]);
/* The domain of an address (after the last '@'), or NULL. */
const char *ob_addr_domain(const char *addr);
/* dest is a plausible address: local@domain, printable, no <>, spaces,
 * quotes or control bytes, at most OB_ADDR_MAX. */
int ob_addr_ok(const char *s, size_t n);

/* ---- wire.c ---- */
typedef struct ob_buf {
    char *p;
    size_t len, cap;
} ob_buf;

sq_status ob_buf_add(ob_buf *b, const char *s, size_t n);
sq_status ob_buf_addf(ob_buf *b, const char *fmt, ...) SQ_PRINTF(2, 3);
void ob_buf_free(ob_buf *b);

/* Header edits made at send time; NULL fields are left alone. */
typedef struct ob_edit {
    const char *from, *reply_to, *to, *message_id, *date;
} ob_edit;

/* The Message-ID in msg's header block, without <> (into buf), or 0. */
int ob_find_message_id(const char *msg, size_t len, char *buf, size_t buflen);
/* Write msg with the edits applied and every line ending made CRLF
 * (crlf) or LF (!crlf), ending with a line end. */
sq_status ob_wire_message(const char *msg, size_t len, const ob_edit *e,
                          int crlf, ob_buf *out);
/* One digest mail: a text part and each message as message/rfc822. */
typedef struct ob_part {
    const char *msg;
    size_t len;
    long long id;
    const char *message_id; /* added when the message has none */
} ob_part;
sq_status ob_wire_digest(const ob_part *parts, size_t n, const ob_edit *e,
                         ob_buf *out);
/* RFC 5322 date of t (UTC) into out (>= 40 bytes). */
void ob_rfc5322_date(long long t, char *out, size_t outlen);

/* ---- reply.c ---- */
/* The last complete reply in [p, p+n) (server lines as received) with
 * code want (0: any): *code its 3-digit code (0 when none) and text a
 * printable one-line summary "550 5.1.1 text ..." (NUL-terminated,
 * truncated to textlen). */
void ob_reply_last(const char *p, size_t n, int want, int *code, char *text,
                   size_t textlen);

/* ---- transports ---- */
typedef enum ob_outcome {
    OB_SENT = 0,
    OB_DEFER, /* temporary: retry later */
    OB_FAIL,  /* permanent */
    OB_HOLD   /* unknown whether accepted */
} ob_outcome;

typedef struct ob_result {
    ob_outcome outcome;
    int stop; /* the server is unusable: stop the run */
    char why[OB_ERR_MAX];
} ob_result;

/* Called once, just before the first byte of message data; non-zero
 * aborts the send before any data. */
typedef int (*ob_data_fn)(void *arg);

typedef struct ob_mail {
    const char *sender; /* envelope sender */
    const char *rcpt;
    const char *data; /* CRLF lines (smtp) or LF lines (pipe) */
    size_t len;
    ob_data_fn on_data;
    void *arg;
} ob_mail;

struct ob_opts; /* opts.c */
void ob_smtp_send(const struct sq_sender_opts *o, const ob_mail *m,
                  ob_result *r);
void ob_pipe_send(const struct sq_sender_opts *o, const ob_mail *m,
                  ob_result *r);

/* ---- opts.c ---- */
typedef enum ob_tls { OB_TLS_STARTTLS = 0, OB_TLS_NONE } ob_tls;
typedef enum ob_transport { OB_SMTP = 0, OB_SENDMAIL } ob_transport;

struct sq_sender_opts {
    ob_transport transport;
    char *smtp_url, *smtp_user, *smtp_password, *smtp_ca_file;
    ob_tls tls;
    long long smtp_timeout, smtp_connect_timeout;
    char *sendmail_command;
    char *envelope_sender, *from, *reply_to, *msgid_domain;
    long long rate_limit, rate_interval;
    long long digest_interval, digest_max_age, digest_max_reports;
    long long retry_base, retry_max, retry_give_up, claim_stale;
};

sq_status ob_opts_copy(const sq_sender_opts *o, sq_sender_opts **out);

/* ---- ops.c: the transactions of a send ---- */
/* Claim ids[0..n) (queued or deferred) for this process, give each its
 * wire tag / Message-ID; committed.  *claimed gets the ids that were
 * claimed (others were taken or changed meanwhile). */
sq_status ob_claim(sq_outbox *ob, const long long *ids, size_t n,
                   const char *wire_tag, const char *wire_msgid,
                   const char *const *msgids, long long *claimed,
                   size_t *nclaimed, sq_diag *d);
/* Mark claimed ids as "data may have been sent" (committed). */
sq_status ob_mark_data(sq_outbox *ob, const long long *ids, size_t n,
                       sq_diag *d);
/* Record the outcome for ids (and the send for the rate limit). */
sq_status ob_finish(sq_outbox *ob, const long long *ids, size_t n,
                    const char *dest, const ob_result *r,
                    const sq_sender_opts *o, sq_diag *d);
/* Seconds to wait after the attempts-th failed attempt. */
long long ob_backoff(const sq_sender_opts *o, long long attempts);

#endif
