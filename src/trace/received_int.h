/*
 * received_int.h - private to the Received parser (received.c,
 * received_mta.c): the scan state, the cursor primitives that stand in
 * for regular expressions, and the recogniser entry points.
 *
 * Every span points into the parser's normalised copy of the line,
 * which lives on the stack of sq_received_parse(); nothing here owns
 * memory.  All scanning is bounded by the span lengths.
 */
#ifndef SQ_RECEIVED_INT_H
#define SQ_RECEIVED_INT_H

#include "trace_int.h"

#include <stddef.h>
#include <string.h>

/* Longest auth text we compose ("GMail - transport=... cipher=..."). */
#define SQ_RCVD_AUTH_MAX 128

/* A borrowed piece of the normalised line. */
typedef struct rx_span {
    const char *p;
    size_t n;
} rx_span;

/* A read position in [s, s+n). */
typedef struct rx_cur {
    const char *s;
    size_t n;
    size_t i;
} rx_cur;

/* A cursor at the start of the state's working text. */
#define RX_CUR(x)                                                              \
    {                                                                          \
        (x)->s, (x)->n, 0                                                      \
    }

/* What a recogniser decided. */
enum rx_verdict {
    RX_NO = 0, /* did not match, try the next one */
    RX_DONE,   /* matched: the fields are filled in */
    RX_SKIP    /* a known non-relay line (SQ_ENOTRELAY) */
};

/* The state of one parse: the working text and the fields found. */
typedef struct rx_state {
    const char *s; /* working text (after "from " once dispatched) */
    size_t n;
    rx_span ip, rdns, helo, by, id, ident, envfrom;
    int have_envfrom;
    char auth[SQ_RCVD_AUTH_MAX];
} rx_state;

/* ---- cursor primitives (received.c) ---- */

int rx_isspace(unsigned char c);
int rx_isword(unsigned char c);
/* Literal, exact case; advances on success.  Inline so that the
 * length of a literal argument folds to a constant. */
static inline int
rx_lit(rx_cur *c, const char *lit)
{
    size_t l = strlen(lit);

    if (c->n - c->i < l || memcmp(c->s + c->i, lit, l) != 0)
        return 0;
    c->i += l;
    return 1;
}
/* Literal, ASCII case-insensitive. */
int rx_ilit(rx_cur *c, const char *lit);
/* \S+ (min 1) or \S* (min 0) up to the next space or the end. */
int rx_tok(rx_cur *c, rx_span *out, size_t min);
/* \S+ that must be followed by the last `ch` inside the token: the
 * token is cut before that character, which is left unread. */
int rx_tok_last(rx_cur *c, char ch, rx_span *out, size_t min);
/* An IP address in SpamAssassin's IP_ADDRESS sense at the cursor. */
int rx_ip(rx_cur *c, rx_span *out);
/* Length of an IP_ADDRESS match at s[i], 0 when none. */
size_t rx_ip_at(const char *s, size_t n, size_t i);
/* Length of a LOCALHOST match at s[i], 0 when none. */
size_t rx_localhost_at(const char *s, size_t n, size_t i);
/* Position of the first `lit` at or after `from`, or n when absent. */
static inline size_t
rx_find(const char *s, size_t n, size_t from, const char *lit)
{
    size_t l = strlen(lit);
    /* spaces are everywhere: anchor the memchr on the next character */
    size_t k = (l > 1 && lit[0] == ' ') ? 1 : 0;

    if (l == 0 || l > n)
        return n;
    for (size_t i = from; i + l <= n; i++) {
        const char *p = memchr(s + i + k, lit[k], n - l + 1 - i);
        if (p == NULL)
            return n;
        i = (size_t)(p - s) - k;
        if (memcmp(s + i, lit, l) == 0)
            return i;
    }
    return n;
}

/* 1 when lit occurs in s. */
static inline int
rx_has(const char *s, size_t n, const char *lit)
{
    return rx_find(s, n, 0, lit) < n;
}
int rx_ihas(const char *s, size_t n, const char *lit);
/* Token trimmed back to a \b (the Perl "(\S+)\b" idiom). */
size_t rx_trim_to_boundary(const char *t, size_t tn, const char *s, size_t n);
/* Parse a "helo=X" / "ident=X" word out of a sub-span. */
void rx_sub_helo_ident(rx_state *x, rx_span sub);

/* ---- composite matchers (received.c) ---- */

/* " by (\S+)" then the literal tail ("" for none). */
int rx_by_tok(rx_cur *c, rx_span *by, const char *tail);
/* ".*? by (\S+)<tail>": the first " by " from the cursor that works. */
int rx_lazy_by(rx_cur *c, rx_span *by, const char *tail);
/* ".*<pre>(\S+)<tail>": the last such match from the cursor. */
int rx_greedy_by(rx_cur *c, const char *pre, rx_span *by, const char *tail);
/* "\[(IP)\]" and "\[?(IP)\]?" */
int rx_br_ip(rx_cur *c, rx_span *ip);
int rx_opt_br_ip(rx_cur *c, rx_span *ip);
/* "HELO " or "EHLO " */
int rx_helo_kw(rx_cur *c);
/* Set helo (when not NULL), ip and by. */
void rx_set3(rx_state *x, const rx_span *helo, const rx_span *ip,
             const rx_span *by);
/* "^(\S+) \((\S+) \[(IP)\]" - but never "(HELO [ip]" */
int rx_head_rdns_ip(rx_cur *c, rx_span *helo, rx_span *rdns, rx_span *ip);
/* Set helo, rdns, ip, by; returns RX_DONE. */
enum rx_verdict rx_done4(rx_state *x, rx_span helo, rx_span rdns, rx_span ip,
                         rx_span by);

/* ---- recognisers (received_mta.c, received_skip.c) ---- */

/* Lines that begin "from ": the MTA-format table.  x->s is the text
 * after "from ". */
enum rx_verdict rx_from_formats(rx_state *x);
/* Lines that begin "FROM " (simta) and "(from " (NAVGW, submit). */
enum rx_verdict rx_upper_from(rx_state *x);
enum rx_verdict rx_paren_from(rx_state *x);
/* The product-keyed chain (SMTPSVC, Exchange, XMail, ecelerity, Exim,
 * Postfix, Scalix, Domino). */
enum rx_verdict rx_product(rx_state *x);
/* Handovers SpamAssassin ignores: RX_SKIP or RX_NO. */
enum rx_verdict rx_ignored(rx_state *x);
/* Authentication markers over the whole (date-stripped) line. */
void rx_detect_auth(rx_state *x, const char *s, size_t n);

#endif
