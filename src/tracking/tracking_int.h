/*
 * tracking_int.h - the tracking module's internal API (never installed).
 *
 * fields.c    RFC 822-style field blocks (DSN bodies) and small text
 *             scanners: status codes, addresses, phrases
 * reply.c     sq_reply: the classifier (GMime walk, DSN, text bounces,
 *             auto-replies, feedback) and its accessors
 * ticket.c    ticket numbers in subjects
 * tracking.c  the tracker: tables, dead addresses, links, sightings
 * ingest.c    matching a reply to its report and marking it
 * stats.c     per network / per desk statistics
 * escalate.c  the escalation selection and the history it renders
 *
 * The tracker reads the outbox's table outbox_report (read-only: id,
 * state, sent, dest, network, ticket, message ids, VERP tags) in the
 * same store: a sighting or a statistic is one query instead of a walk
 * over every report through the public API.
 */
#ifndef SQ_TRACKING_INT_H
#define SQ_TRACKING_INT_H

#include "core/core_int.h"

#include <squeaky/tracking.h>

#include <stddef.h>

enum {
    TRK_MAX_KEYS = 16,         /* addresses / Message-IDs kept per reply */
    TRK_MAX_RCPTS = 32,        /* DSN recipient blocks */
    TRK_MAX_PARTS = 256,       /* MIME parts walked */
    TRK_MAX_TEXT = 64 << 10,   /* text/plain bytes scanned for phrases */
    TRK_MAX_DSN = 64 << 10,    /* delivery-status bytes parsed */
    TRK_MAX_FIELD = 998,       /* one field value kept */
    TRK_REASON_MAX = 300,      /* reason kept */
    TRK_ADDR_MAX = 254,        /* an address */
    TRK_VERP_MAX = 300,        /* the VERP template */
    TRK_MAX_MESSAGE = 64 << 20 /* a reply is parsed up to this */
};

typedef struct trk_rcpt {
    const char *final, *original, *action, *status, *diag;
} trk_rcpt;

struct sq_reply {
    sq_reply_kind kind;
    int dsn;
    const char *msgid, *status, *reason, *failed, *ticket;
    const char *addrs[TRK_MAX_KEYS];
    size_t naddrs;
    const char *msgids[TRK_MAX_KEYS];
    size_t nmsgids;
    trk_rcpt rcpts[TRK_MAX_RCPTS];
    size_t nrcpts;
    sq_arena *arena;
};

/* ---- fields.c ---- */

/* One field of a block: name and raw value (may contain folding). */
typedef struct trk_field {
    const char *name, *value;
    size_t nlen, vlen;
} trk_field;

/*
 * Next field of the text at [p+*pos, p+n): 1 and *f set for a field,
 * 2 for a blank line (end of a block), 0 at the end.  Lines that are
 * not fields are skipped.
 */
int trk_field_next(const char *p, size_t n, size_t *pos, trk_field *f);

/* Copy [s, s+n) into the arena as one printable line: folding and runs
 * of white space become one space, control bytes '?', trimmed, cut at
 * max bytes. */
char *trk_clean(sq_arena *a, const char *s, size_t n, size_t max);

/* An address-type value "rfc822; user@host" -> "user@host" (bounds). */
void trk_addr_value(const char **s, size_t *n);

/* The first enhanced status code "c.d.d" (c 2, 4 or 5) in [s, s+n):
 * 1 and out (>= 16 bytes) set. */
int trk_find_status(const char *s, size_t n, char *out, size_t outlen);

/* [hay, hay+n) contains phrase, ASCII case-insensitive, any run of white
 * space in hay matching one space of phrase: offset past the match, or
 * (size_t)-1. */
size_t trk_find_phrase(const char *hay, size_t n, const char *phrase);

/* The first local@domain token in [s, s+n) (bounds in *as, *an): 1. */
int trk_find_address(const char *s, size_t n, const char **as, size_t *an);

/* ---- reply.c ---- */
/* Parse the delivery-status body [p, p+n) into r (rcpts, status). */
void trk_dsn_body(sq_reply *r, const char *p, size_t n);
/* A DSN without Diagnostic-Code: the text part's line naming the
 * failed address as the reason (and its status when more precise). */
void trk_dsn_text_reason(sq_reply *r, const char *p, size_t n);
/* Look for a non-standard bounce in the text [p, p+n); 1 when found. */
int trk_text_bounce(sq_reply *r, const char *p, size_t n);
void trk_add_msgid(sq_reply *r, const char *s, size_t n);
void trk_add_addr(sq_reply *r, const char *s, size_t n);
/* Every <...> of a header value as a Message-ID; every address of one. */
void trk_add_msgid_list(sq_reply *r, const char *v, size_t n);
void trk_add_addr_list(sq_reply *r, const char *v, size_t n);

/* ---- tracking.c ---- */
struct sq_tracking {
    sq_store *store;
    sq_outbox *ob;
    long long now;
    long long synced; /* reports with id <= synced were linked */
    char verp[TRK_VERP_MAX + 1];
};

long long trk_now(const sq_tracking *tr);
/* Link every report not linked yet from its message. */
sq_status trk_sync_links(sq_tracking *tr, sq_diag *d);
/* The source IP a report message names (canonical text into out, 46
 * bytes): 1 when found. */
int trk_message_source(const char *msg, size_t len, char *out);

/* ---- stats.c / escalate.c ---- */
/* One sent report with its sightings. */
typedef struct trk_rep {
    long long id, sent, first, last, days; /* first/last 0: none */
    sq_outbox_state state;
    const char *dest, *network, *ticket, *ip; /* arena; ip "" unknown */
    int dead;                                 /* dest is dead */
} trk_rep;

typedef struct trk_reps {
    trk_rep *v;
    size_t n, cap;
    sq_arena *a;
} trk_reps;

/* Reports sent at or after since, oldest first (owned: trk_reps_free). */
sq_status trk_load(sq_tracking *tr, long long since, trk_reps *out, sq_diag *d);
void trk_reps_free(trk_reps *r);

/* "AS64500 NAME" -> 64500; 0 when the label does not start with AS<n>. */
unsigned long trk_label_asn(const char *label);
/* Median of v[0..n) (sorted in place); -1 when n == 0. */
long long trk_median(long long *v, size_t n);

#endif
