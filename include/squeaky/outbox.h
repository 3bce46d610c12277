/*
 * squeaky/outbox.h - the outbox of reports and the sender that empties
 * it.
 *
 * The outbox is a table in the store (SQLite or PostgreSQL): one row per
 * report with its evidence hash, destination, format, the complete RFC
 * 5322 message, a Message-ID, a random VERP tag and a state:
 *
 *   queued ──claim──▶ sending ──▶ sent ──▶ bounced | acknowledged
 *      ▲                 │  └───▶ deferred (4xx, network, TLS) ──┐
 *      └──── retry ──────┼──────────────────────────────────────┘
 *                        ├───▶ failed (5xx, gave up)
 *                        └───▶ held (crashed while the server may
 *                                    have accepted it: a person decides)
 *   queued | deferred | failed | held ──cancel──▶ cancelled
 *
 * The same evidence never goes to the same destination twice.  A send
 * run claims a report (committed) before any SMTP command, and commits
 * "the message may now exist" before the message data; a run killed at
 * any point leaves each report sent once, queued, or held - never sent
 * twice.  docs/OUTBOX.md has the rules.
 *
 * The sender speaks SMTP through libcurl (STARTTLS required by default,
 * smtps://, AUTH, a CA file) or pipes to a sendmail-compatible command
 * (fork + execve, no shell).  It keeps a per-destination rate limit and
 * can combine the reports for one destination into one digest mail per
 * interval.
 *
 * Threads: an sq_outbox and an sq_sender are single-threaded; the store
 * under them may be shared.  Several processes may run senders on one
 * store at once: claims are transactional.
 */
#ifndef SQUEAKY_OUTBOX_H
#define SQUEAKY_OUTBOX_H

#include <squeaky/config.h>
#include <squeaky/core.h>
#include <squeaky/store.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sq_outbox_state {
    SQ_OB_QUEUED = 0,   /* waiting for a send run */
    SQ_OB_SENDING,      /* claimed by a run that is (or was) sending it */
    SQ_OB_SENT,         /* the server (or sendmail) accepted it */
    SQ_OB_DEFERRED,     /* temporary failure; next_attempt says when */
    SQ_OB_FAILED,       /* permanent failure; last_error says why */
    SQ_OB_BOUNCED,      /* sent, then a bounce came back */
    SQ_OB_ACKNOWLEDGED, /* sent, and the desk acknowledged it */
    SQ_OB_CANCELLED,    /* a person cancelled it before it was sent */
    SQ_OB_HELD,         /* unknown whether it was accepted: ask a person */
    SQ_OB_STATE_MAX
} sq_outbox_state;

/* "queued", "sending", ...; NULL out of range.  _parse: SQ_OK or
 * SQ_EINVAL. */
SQ_API const char *sq_outbox_state_name(sq_outbox_state s);
SQ_API sq_status sq_outbox_state_parse(const char *name, sq_outbox_state *out);

/* ---- the outbox ---- */

typedef struct sq_outbox sq_outbox;
typedef struct sq_outbox_item sq_outbox_item;
typedef struct sq_outbox_list sq_outbox_list;

/* Open the outbox in store (creating or upgrading its tables).  store is
 * borrowed and must outlive ob. */
SQ_API sq_status sq_outbox_open(sq_store *store, sq_diag *d, sq_outbox **out);
SQ_API void sq_outbox_free(sq_outbox *ob);

/* Tests: use t (epoch seconds) as "now" instead of the clock; 0 goes
 * back to the clock. */
SQ_API void sq_outbox_set_now(sq_outbox *ob, long long t);

/*
 * Queue one report.
 *   evidence  sha256 of the evidence, 64 hex digits (either case)
 *   dest      the abuse desk's address (local@domain; the domain is
 *             lower-cased)
 *   format    a short name ("arf", "xarf", ...), stored as given
 *   network   a label for statistics ("AS64500 EXAMPLE-NET"), may be
 *             NULL
 *   msg, len  the complete RFC 5322 message; UTF-8 or ASCII text without
 *             NUL bytes, at most SQ_OUTBOX_MAX_MESSAGE bytes.  The
 *             outbox keeps its body as given; at send time it may add
 *             Message-ID, Date and To and replace From and Reply-To.
 * On success *id is the report's id and *added is 1; when this evidence
 * already went (or is queued) to dest, nothing is added, *id is the
 * existing report's id and *added is 0.  SQ_EINVAL: a bad argument
 * (message in d); SQ_EBINARY: msg is not text.
 */
enum { SQ_OUTBOX_MAX_MESSAGE = 32 << 20 };
SQ_API sq_status sq_outbox_enqueue(sq_outbox *ob, const char *evidence,
                                   const char *dest, const char *format,
                                   const char *network, const char *msg,
                                   size_t len, sq_diag *d, long long *id,
                                   int *added);

/* One report, with its message (owned; free with sq_outbox_item_free).
 * SQ_ENOTFOUND when there is no such id. */
SQ_API sq_status sq_outbox_get(sq_outbox *ob, long long id, sq_diag *d,
                               sq_outbox_item **out);
SQ_API void sq_outbox_item_free(sq_outbox_item *it);

/* Reports in one state (state < 0: all), oldest first, without their
 * messages (sq_outbox_item_message gives NULL).  Owned. */
SQ_API sq_status sq_outbox_list_new(sq_outbox *ob, int state, sq_diag *d,
                                    sq_outbox_list **out);
SQ_API void sq_outbox_list_free(sq_outbox_list *l);
SQ_API size_t sq_outbox_list_count(const sq_outbox_list *l);
/* Borrowed from l; NULL when i is out of range. */
SQ_API const sq_outbox_item *sq_outbox_list_item(const sq_outbox_list *l,
                                                 size_t i);

/* Count of reports per state, counts[SQ_OB_STATE_MAX]. */
SQ_API sq_status sq_outbox_counts(sq_outbox *ob, long long *counts, sq_diag *d);

/* Item fields.  Strings are borrowed from it; "" when unset. */
SQ_API long long sq_outbox_item_id(const sq_outbox_item *it);
SQ_API sq_outbox_state sq_outbox_item_state(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_evidence(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_dest(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_format(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_network(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_message_id(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_verp_tag(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_last_error(const sq_outbox_item *it);
SQ_API const char *sq_outbox_item_ticket(const sq_outbox_item *it);
SQ_API long long sq_outbox_item_attempts(const sq_outbox_item *it);
SQ_API long long sq_outbox_item_next_attempt(const sq_outbox_item *it);
SQ_API long long sq_outbox_item_created(const sq_outbox_item *it);
/* 0 when not sent. */
SQ_API long long sq_outbox_item_sent(const sq_outbox_item *it);
/* The message bytes (NULL in list items); *len set when len != NULL. */
SQ_API const char *sq_outbox_item_message(const sq_outbox_item *it,
                                          size_t *len);

/* queued | deferred | failed | held -> cancelled.  SQ_EINVAL (message in
 * d) from any other state; SQ_ENOTFOUND. */
SQ_API sq_status sq_outbox_cancel(sq_outbox *ob, long long id, sq_diag *d);

/* deferred | failed | held -> queued, due now (for held: a person
 * checked that the desk did not get it). */
SQ_API sq_status sq_outbox_retry(sq_outbox *ob, long long id, sq_diag *d);

/* held -> sent (a person checked that the desk got it). */
SQ_API sq_status sq_outbox_confirm_sent(sq_outbox *ob, long long id,
                                        sq_diag *d);

/*
 * A reply came back: key is a VERP tag or a Message-ID (with or without
 * <>); state is SQ_OB_BOUNCED or SQ_OB_ACKNOWLEDGED; ticket (may be
 * NULL) is the desk's ticket number; reason (may be NULL) is kept as
 * last_error for bounces.  Every report the key names (a digest names
 * several) in state sent, held, bounced or acknowledged is marked;
 * *n (may be NULL) is how many.  SQ_ENOTFOUND when none.
 */
SQ_API sq_status sq_outbox_mark(sq_outbox *ob, const char *key,
                                sq_outbox_state state, const char *ticket,
                                const char *reason, sq_diag *d, size_t *n);

/*
 * Put back the reports of send runs that died (process gone, or claim
 * older than stale seconds): those that never reached the message data
 * go back to queued, those that may have been accepted become held.
 * sq_sender_run() calls it first.  *n (may be NULL): rows changed.
 */
SQ_API sq_status sq_outbox_recover(sq_outbox *ob, long long stale, sq_diag *d,
                                   size_t *n);

/* ---- VERP ---- */

/*
 * The envelope sender for tag from a template such as
 * "bounces+{tag}@example.org" ({tag} exactly once; a template without it
 * is used as is).  SQ_EINVAL when buf is too small or the template is
 * bad.
 */
SQ_API sq_status sq_outbox_verp_address(const char *tmpl, const char *tag,
                                        char *buf, size_t buflen);
/*
 * The tag in addr [addr, addr+len) (e.g. a bounce's recipient) when it
 * matches tmpl (case-insensitive outside the tag): SQ_OK and the tag in
 * buf; SQ_ENOTFOUND when it does not match.
 */
SQ_API sq_status sq_outbox_verp_decode(const char *tmpl, const char *addr,
                                       size_t len, char *buf, size_t buflen);

/* ---- the sender ---- */

typedef struct sq_sender_opts sq_sender_opts;
typedef struct sq_sender sq_sender;

SQ_API sq_status sq_sender_opts_new(sq_sender_opts **out);
SQ_API void sq_sender_opts_free(sq_sender_opts *o);

/*
 * Set one option from text (the names are the config keys of
 * docs/OUTBOX.md, e.g. "smtp_url", "smtp_tls", "envelope_sender",
 * "rate_limit", "digest_interval").  SQ_EINVAL (message in d) for an
 * unknown key or a bad value.
 */
SQ_API sq_status sq_sender_opts_set(sq_sender_opts *o, const char *key,
                                    const char *value, sq_diag *d);
/* Copy every option that cfg knows as a key (others keep their value). */
SQ_API sq_status sq_sender_opts_from_config(sq_sender_opts *o,
                                            const sq_config *cfg, sq_diag *d);

/* Check the options (an envelope sender is required, ...) and make a
 * sender.  o is copied. */
SQ_API sq_status sq_sender_new(const sq_sender_opts *o, sq_diag *d,
                               sq_sender **out);
SQ_API void sq_sender_free(sq_sender *s);

/* Flags of sq_sender_run. */
enum {
    SQ_SEND_FLUSH = 1u << 0 /* send digests now, whatever their age */
};

/* What a run did. */
typedef struct sq_send_stats {
    unsigned long mails;        /* mails handed to the transport */
    unsigned long sent;         /* reports now sent */
    unsigned long deferred;     /* reports deferred */
    unsigned long failed;       /* reports failed */
    unsigned long held;         /* reports held (unknown outcome) */
    unsigned long recovered;    /* rows put back by sq_outbox_recover */
    unsigned long rate_limited; /* destinations that hit their limit */
    unsigned long waiting;      /* due reports left for a digest or limit */
    int stopped;                /* 1: the run stopped early (server
                                   unreachable, TLS, AUTH): see d */
} sq_send_stats;

/*
 * Send every due report (and every digest that is due, or all of them
 * with SQ_SEND_FLUSH).  Returns SQ_OK when the run went through, even if
 * some reports were deferred or failed (see stats and each report's
 * last_error); a store error is returned as such.  stats may be NULL.
 */
SQ_API sq_status sq_sender_run(sq_sender *s, sq_outbox *ob, unsigned flags,
                               sq_send_stats *stats, sq_diag *d);

#ifdef __cplusplus
}
#endif
#endif
