/*
 * trust_int.h - private to the trust path (trace.c, trust.c): the trace
 * options, the trace result and the steps of sq_trace_run().
 *
 * Ownership: sq_trace_opts owns its netsets and an arena holding the
 * header-name and host lists; sq_trace owns its relays (each with its
 * own arena) and an arena for warning texts.
 */
#ifndef SQ_TRUST_INT_H
#define SQ_TRUST_INT_H

#include "trace_int.h"

#include <stddef.h>

/* Most entries read from originating_ip_headers / trusted_by_hosts. */
#define SQ_TRACE_MAX_LIST 64
/* Most warnings kept per trace (one more says "further warnings
 * dropped"). */
#define SQ_TRACE_MAX_WARNINGS 32
/* Longest attacker-controlled text quoted in a warning. */
#define SQ_TRACE_QUOTE_MAX 64

struct sq_trace_opts {
    sq_arena *arena;
    sq_netset *trusted;  /* loopback + trusted_networks (or internal) */
    sq_netset *internal; /* loopback + internal_networks (or trusted) */
    sq_netset *msa;      /* msa_networks, no loopback */
    int nets_configured; /* trusted_networks or internal_networks set */
    int check_chain;
    const char *orig[SQ_TRACE_MAX_LIST]; /* originating_ip_headers */
    size_t orig_len[SQ_TRACE_MAX_LIST];
    size_t norig;
    const char *hosts[SQ_TRACE_MAX_LIST]; /* trusted_by_hosts */
    size_t nhosts;
};

/* State of the newest-first trust walk (SpamAssassin's loop). */
typedef struct sq_trust_walk {
    int in_trusted;
    int in_internal;
    int found_msa;
    int seen_own; /* passed a relay received by a trusted_by_hosts host */
} sq_trust_walk;

struct sq_trace {
    sq_arena *arena; /* warning texts; NULL until the first warning */
    sq_relay **relays;
    size_t n, cap;
    size_t nreceived; /* relays from Received headers; synthetic follow */
    /* 1 + index of the first header named o->orig[k], 0 when absent
     * (found in the same pass as the Received headers). */
    size_t orig_at[SQ_TRACE_MAX_LIST];
    const char *warn[SQ_TRACE_MAX_WARNINGS + 1];
    size_t nwarn;
    size_t nbreaks;      /* chain breaks found in the untrusted part */
    size_t first_break;  /* index of the older relay of the first break */
    int orig_unverified; /* originating header used with no Received */
    int has_origin;
    size_t origin;
    sq_confidence conf;
    const char *reason;
};

/* trace.c */
/* Add a warning (printf format; quote attacker text with
 * sq_trace_quote first).  Returns 0 on out of memory. */
int sq_trace_warnf(sq_trace *t, const char *fmt, ...) SQ_PRINTF(2, 3);
/* Copy up to SQ_TRACE_QUOTE_MAX printable bytes of s into buf (size
 * SQ_TRACE_QUOTE_MAX + 4), replacing others by '?'. */
const char *sq_trace_quote(const char *s, char *buf);
/* Append a relay (ownership moves to t on success). */
int sq_trace_push(sq_trace *t, sq_relay *r);

/* trust.c */
void sq_trust_walk_init(sq_trust_walk *w);
/* Decide r->trusted, r->internal, r->msa as the next (older) relay. */
void sq_trust_classify(const sq_trace_opts *o, sq_trust_walk *w, sq_relay *r);
/* Add the web-mail submitter from originating-IP headers when allowed
 * (the headers located by t->orig_at). */
sq_status sq_trust_originating(const sq_trace_opts *o, const sq_headers *h,
                               sq_trace *t, sq_trust_walk *w);
/* Chain continuity over the untrusted part (notes + warnings). */
sq_status sq_trust_chain(sq_trace *t);
/* Choose the origin and its confidence. */
sq_status sq_trust_origin(const sq_trace_opts *o, sq_trace *t);
/* 1 when host matches a trusted_by_hosts pattern ("name" exactly or
 * ".suffix" for the suffix and names under it), case-insensitive. */
int sq_trust_host_match(const char *pattern, const char *host);
/* 1 when r's address is loopback or private (SpamAssassin IP_PRIVATE). */
int sq_trust_ip_private(const sq_relay *r);

#endif
