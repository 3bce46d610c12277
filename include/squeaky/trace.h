/*
 * squeaky/trace.h - Received parsing, the trust path and the origin.
 *
 * sq_received_parse() turns one unfolded Received header body into a
 * relay with SpamAssassin's fields (ip, rdns, helo, by, ident, envfrom,
 * id, auth) or says it records no relay (SQ_ENOTRELAY).
 *
 * sq_trace_run() walks all Received headers of a message (newest first),
 * decides which relays are trusted and internal (trusted_networks,
 * internal_networks, msa_networks, authenticated submission, inferred
 * boundary), adds the webmail submitter from originating-IP headers when
 * every relay is trusted, checks the chain's continuity and names the
 * origin: the first untrusted relay above any break.
 */
#ifndef SQUEAKY_TRACE_H
#define SQUEAKY_TRACE_H

#include <squeaky/config.h>
#include <squeaky/core.h>
#include <squeaky/mail.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sq_relay_field {
    SQ_RELAY_IP = 0, /* address the receiving MTA recorded (canonical) */
    SQ_RELAY_RDNS,   /* reverse DNS name the receiver recorded */
    SQ_RELAY_HELO,   /* HELO/EHLO name */
    SQ_RELAY_BY,     /* receiving host */
    SQ_RELAY_IDENT,  /* ident or SMTP AUTH user */
    SQ_RELAY_ENVFROM,
    SQ_RELAY_ID,    /* queue id */
    SQ_RELAY_AUTH,  /* ESMTPA, ESMTPSA, HTTP, ... when authenticated */
    SQ_RELAY_FOR,   /* "for <...>" recipient */
    SQ_RELAY_DATE,  /* date text after the ';' */
    SQ_RELAY_WITH,  /* protocol after "with" */
    SQ_RELAY_NOTES, /* trace notes (space separated words) */
    SQ_RELAY_FIELD_COUNT
} sq_relay_field;

typedef struct sq_relay sq_relay;

/*
 * Parse one Received header body [s, s+len) (folding already removed).
 * SQ_ENOTRELAY: a line SpamAssassin ignores (local pickup, fetchmail,
 * qmail-scanner, "invoked by uid", ...).  SQ_EPARSE: a line that
 * looks like a relay but yields no usable IP.  SQ_ELIMIT_LINE when len
 * exceeds the parser's limit (16 KiB).
 */
SQ_API sq_status sq_received_parse(const char *s, size_t len, sq_relay **out);
SQ_API void sq_relay_free(sq_relay *r);

/* The field's name as in SpamAssassin's relay strings and squeaky's
 * JSON ("ip", "rdns", ...); static, NULL for an unknown field. */
SQ_API const char *sq_relay_field_name(sq_relay_field f);

/* Field text; never NULL ("" when absent).  Borrowed from r. */
SQ_API const char *sq_relay_get(const sq_relay *r, sq_relay_field f);
/* Trust flags (set by sq_trace_run; 0 after sq_received_parse). */
SQ_API int sq_relay_trusted(const sq_relay *r);
SQ_API int sq_relay_internal(const sq_relay *r);
SQ_API int sq_relay_msa(const sq_relay *r);
/* Parsed date as seconds since the epoch (UTC), or -1 when unknown. */
SQ_API long long sq_relay_time(const sq_relay *r);

/* Trace options built from a config (netsets, originating headers). */
typedef struct sq_trace_opts sq_trace_opts;

SQ_API sq_status sq_trace_opts_new(const sq_config *cfg, sq_trace_opts **out,
                                   sq_diag *d);
SQ_API void sq_trace_opts_free(sq_trace_opts *o);

typedef struct sq_trace sq_trace;

SQ_API sq_status sq_trace_run(const sq_trace_opts *o, const sq_headers *h,
                              sq_trace **out);
SQ_API void sq_trace_free(sq_trace *t);

/* Relays newest (nearest the recipient) first. Borrowed from t. */
SQ_API size_t sq_trace_relay_count(const sq_trace *t);
SQ_API const sq_relay *sq_trace_relay(const sq_trace *t, size_t i);

/*
 * The origin: 1 when found, with *ip (borrowed), *hop (index into the
 * relay list; an origin from an originating-IP header is a synthetic
 * last relay noted "originating-header"), *conf and *reason (static
 * text) set; 0 when no external
 * origin was found.  Any out pointer may be NULL.
 */
SQ_API int sq_trace_origin(const sq_trace *t, const char **ip, size_t *hop,
                           sq_confidence *conf, const char **reason);

/* Warnings about the message (forgery suspicion, limits, skipped lines). */
SQ_API size_t sq_trace_warning_count(const sq_trace *t);
SQ_API const char *sq_trace_warning(const sq_trace *t, size_t i);

/*
 * Learning the user's own relay chain (SpamCop "Mailhosts" style): feed
 * the headers of many received messages, then read back the trusted
 * networks and receiving hosts common to them.
 */
typedef struct sq_trust_learner sq_trust_learner;

SQ_API sq_status sq_trust_learner_new(sq_trust_learner **out);
SQ_API void sq_trust_learner_free(sq_trust_learner *l);
SQ_API sq_status sq_trust_learner_add(sq_trust_learner *l, const sq_headers *h);
/* Number of messages fed so far. */
SQ_API size_t sq_trust_learner_messages(const sq_trust_learner *l);
/*
 * The learned trusted_networks (netset syntax) and by-hosts (space
 * separated) into caller buffers.  SQ_ENOTFOUND when nothing common was
 * found; SQ_EINVAL when a buffer is too small.
 */
SQ_API sq_status sq_trust_learner_result(const sq_trust_learner *l,
                                         char *networks, size_t nlen,
                                         char *hosts, size_t hlen);

#ifdef __cplusplus
}
#endif
#endif
