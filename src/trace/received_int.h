/*
 * received_int.h - private to the Received parser (received*.c): the
 * scan state, the literal index and memo, the cursor primitives that
 * stand in for regular expressions, and the recogniser entry points.
 *
 * Every span points into the parser's normalised copy of the line,
 * which lives on the stack of sq_received_parse(), as do the index and
 * the memo; nothing here owns memory.  All scanning is bounded by the
 * span lengths.
 */
#ifndef SQ_RECEIVED_INT_H
#define SQ_RECEIVED_INT_H

#include "trace_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Longest auth text we compose ("GMail - transport=... cipher=..."). */
#define SQ_RCVD_AUTH_MAX 128

/* A borrowed piece of the normalised line. */
typedef struct rx_span {
    const char *p;
    size_t n;
} rx_span;

/* Number of remembered IP_ADDRESS matches (rx_memo). */
#define RX_MEMO_IPS 4

/*
 * Results the recognisers would otherwise recompute: IP_ADDRESS matches
 * by position, and the common "host (rdns [ip]" head of the working
 * text.  Lives beside the parse state; pure caching, no new results.
 */
typedef struct rx_memo {
    struct {
        const char *p, *end; /* the match was asked at p, text ends at end */
        int start;           /* 1 when p was the start of its text */
        size_t len;          /* rx_ip_at() result */
    } ip[RX_MEMO_IPS];
    unsigned next; /* ring position */
    const char *head_s;
    size_t head_n;
    int head_ok;
    size_t head_end;
    rx_span head_helo, head_rdns, head_ip;
} rx_memo;

/* A read position in [s, s+n); memo (may be NULL) speeds up rx_ip. */
typedef struct rx_cur {
    const char *s;
    size_t n;
    size_t i;
    rx_memo *memo;
} rx_cur;

/* A cursor at the start of the state's working text. */
#define RX_CUR(x)                                                              \
    {                                                                          \
        (x)->s, (x)->n, 0, (x)->memo                                           \
    }

/*
 * The literals the recognisers search for anywhere in the line.  One
 * pass over the normalised line (rx_index_build) finds the first
 * occurrence of each, so that "is X in the line" is a bit test and a
 * search for the first X starts where X is.  Each literal names an
 * anchor: the two bytes at offset k (lower case when the literal is
 * matched ASCII case-insensitively, ci = 1).  Pick rare pairs.
 *
 * X(P, id, text, k, anchor0, anchor1, ci); P is passed through.
 */
#define RX_LITERALS(X, P)                                                      \
    X(P, RXL_BY, " by ", 0, ' ', 'b', 'y', 0)                                  \
    X(P, RXL_ID, " id ", 1, 'i', 'd', ' ', 0)                                  \
    X(P, RXL_HELO_EQ, "helo=", 0, 'h', 'e', 'l', 0)                            \
    X(P, RXL_HELO, "HELO ", 1, 'E', 'L', 'O', 0)                               \
    X(P, RXL_EHLO, "EHLO ", 0, 'E', 'H', 'L', 0)                               \
    X(P, RXL_WITH_CI, " with ", 4, 'h', ' ', '\0', 1)                          \
    X(P, RXL_FOR_CI, " for ", 0, ' ', 'f', 'o', 1)                             \
    X(P, RXL_RETURN_PATH, "return-path", 5, 'n', '-', 'p', 1)                  \
    X(P, RXL_ENVELOPE, "envelope-", 7, 'e', '-', '\0', 1)                      \
    X(P, RXL_WITH_LOCAL_FOR, "with local for", 8, 'a', 'l', ' ', 0)            \
    X(P, RXL_PAREN_BY, ")by ", 0, ')', 'b', 'y', 0)                            \
    X(P, RXL_SQUIRREL, " (SquirrelMail authenticated user ", 1, '(', 'S', 'q', \
      0)                                                                       \
    X(P, RXL_NASMAIL, " (NaSMail authenticated user ", 3, 'a', 'S', 'M', 0)    \
    X(P, RXL_AOL, "aol.com", 0, 'a', 'o', 'l', 0)                              \
    X(P, RXL_WEBMAILUI, "with HTTP (WebMailUI)", 10, '(', 'W', 'e', 0)         \
    X(P, RXL_SMTPSVC, " SMTPSVC", 4, 'P', 'S', 'V', 0)                         \
    X(P, RXL_MSSMTP, " with Microsoft SMTP Server ", 12, 'o', 'f', 't', 0)     \
    X(P, RXL_MAPI, " with mapi id ", 7, 'a', 'p', 'i', 0)                      \
    X(P, RXL_XMAIL, "[XMail ", 3, 'a', 'i', 'l', 0)                            \
    X(P, RXL_ECELERITY, "(ecelerity", 0, '(', 'e', 'c', 0)                     \
    X(P, RXL_EXIM, "Exim", 0, 'E', 'x', 'i', 0)                                \
    X(P, RXL_POSTFIX, " (Postfix) with", 2, 'P', 'o', 's', 0)                  \
    X(P, RXL_SCALIX, "(Scalix SMTP Relay", 0, '(', 'S', 'c', 0)                \
    X(P, RXL_DOMINO, " (Lotus Domino ", 1, '(', 'L', 'o', 0)                   \
    X(P, RXL_WITH_HTTP, "with HTTP", 5, 'H', 'T', 'T', 0)                      \
    X(P, RXL_POP3, "with POP3", 7, 'P', '3', '\0', 0)                          \
    X(P, RXL_IMAP, "with IMAP", 7, 'A', 'P', '\0', 0)                          \
    X(P, RXL_CGP_PAREN, " (CommuniGate Pro", 14, 'P', 'r', 'o', 0)             \
    X(P, RXL_CGP, "CommuniGate Pro ", 12, 'P', 'r', 'o', 0)                    \
    X(P, RXL_GMAIL, " by mx.google.com with ESMTPS id ", 27, 'P', 'S', ' ', 0) \
    X(P, RXL_AUTH_COLON, " (AUTH: ", 5, 'H', ':', ' ', 0)                      \
    X(P, RXL_AUTHENTICATED, "authenticated", 0, 'a', 'u', 't', 0)              \
    X(P, RXL_AUTH_SENDER, ") (Authenticated sender: ", 2, '(', 'A', 'u', 0)    \
    X(P, RXL_HTTPDAV, " with Microsoft Exchange Server HTTP-DAV", 35, 'P',     \
      '-', 'D', 0)                                                             \
    X(P, RXL_VIA_HTTP, " (via http", 6, 'h', 't', 't', 1)                      \
    X(P, RXL_LSMTP, "(LSMTP for", 0, '(', 'L', 'S', 0)                         \
    X(P, RXL_QMAIL, " (qmail-", 1, '(', 'q', 'm', 0)                           \
    X(P, RXL_HOTMAIL, ".hotmail.msn.com", 1, 'h', 'o', 't', 0)

#define RX_LIT_ENUM(P, id, text, k, a0, a1, a2, ci) id,
enum rx_lit_id { RX_LITERALS(RX_LIT_ENUM, 0) RXL_COUNT };
#undef RX_LIT_ENUM

#define RX_LIT_LEN(P, id, text, k, a0, a1, a2, ci) sizeof(text) - 1,
static const uint8_t rx_lit_len[RXL_COUNT] = {RX_LITERALS(RX_LIT_LEN, 0)};
#undef RX_LIT_LEN

/* " with " positions the index lists (a_rfc3848 visits them all). */
#define RX_WITH_MAX 8

/* First occurrences of the RX_LITERALS in one normalised line. */
typedef struct rx_index {
    const char *base; /* the line */
    size_t n;
    size_t off;        /* where the dispatched text starts (5, 6 or 0) */
    uint64_t seen_all; /* bit per literal: occurs at or after 0 */
    uint64_t seen_off; /* ... at or after off */
    uint32_t first_all[RXL_COUNT];
    uint32_t first_off[RXL_COUNT];
    /* every " with " (any case), in order, unless there were too many */
    uint32_t with_pos[RX_WITH_MAX];
    unsigned with_cnt;
    int with_over;
} rx_index;

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
    const rx_index *ix; /* the line's literal index */
    rx_memo *memo;      /* cached sub-results (never NULL once parsing) */
    rx_span ip, rdns, helo, by, id, ident, envfrom;
    int have_envfrom;
    char auth[SQ_RCVD_AUTH_MAX];
} rx_state;

/* ---- cursor primitives (received.c) ---- */

static inline int
rx_isspace(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int
rx_isword(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static inline unsigned char
rx_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

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
static inline int
rx_ilit(rx_cur *c, const char *lit)
{
    size_t l = strlen(lit);

    if (c->n - c->i < l)
        return 0;
    for (size_t k = 0; k < l; k++)
        if (rx_lower((unsigned char)c->s[c->i + k]) !=
            rx_lower((unsigned char)lit[k]))
            return 0;
    c->i += l;
    return 1;
}

/* \S+ (min 1) or \S* (min 0) up to the next space or the end. */
static inline int
rx_tok(rx_cur *c, rx_span *out, size_t min)
{
    const char *sp = memchr(c->s + c->i, ' ', c->n - c->i);
    size_t j = sp != NULL ? (size_t)(sp - c->s) : c->n;

    if (j - c->i < min)
        return 0;
    if (out != NULL) {
        out->p = c->s + c->i;
        out->n = j - c->i;
    }
    c->i = j;
    return 1;
}

/* \S+ that must be followed by the last `ch` inside the token: the
 * token is cut before that character, which is left unread. */
static inline int
rx_tok_last(rx_cur *c, char ch, rx_span *out, size_t min)
{
    size_t j = c->i, last = c->n;

    while (j < c->n && c->s[j] != ' ') {
        if (c->s[j] == ch && j - c->i >= min)
            last = j;
        j++;
    }
    if (last == c->n)
        return 0;
    if (out != NULL) {
        out->p = c->s + c->i;
        out->n = last - c->i;
    }
    c->i = last;
    return 1;
}
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

/* Index the line [s, s+n); off as in rx_index. */
void rx_index_build(rx_index *ix, const char *s, size_t n, size_t off);
/* Plain search for literal id in [s, s+n), relative to s (n if none). */
size_t rx_lit_search(enum rx_lit_id id, const char *s, size_t n);
/* The first occurrence of literal id lying wholly in [s, s+n) (a piece
 * of the indexed line), relative to s; n when there is none. */
static inline size_t
rx_ifind(const rx_index *ix, enum rx_lit_id id, const char *s, size_t n)
{
    uint64_t bit = UINT64_C(1) << id;
    size_t off = (size_t)(s - ix->base), p;

    if (off == 0) {
        if (!(ix->seen_all & bit))
            return n;
        p = ix->first_all[id];
    } else if (off == ix->off) {
        if (!(ix->seen_off & bit))
            return n;
        p = ix->first_off[id];
    } else {
        return rx_lit_search(id, s, n);
    }
    p -= off;
    return p + rx_lit_len[id] <= n ? p : n;
}
/* 1 when literal id lies wholly in [s, s+n). */
static inline int
rx_ihas_lit(const rx_index *ix, enum rx_lit_id id, const char *s, size_t n)
{
    return rx_ifind(ix, id, s, n) < n;
}
/* The same for the state's working text. */
static inline int
rx_xhas(const rx_state *x, enum rx_lit_id id)
{
    return rx_ifind(x->ix, id, x->s, x->n) < x->n;
}

/* A quick pre-check: 0 when none of the literals in mask (bits by
 * rx_lit_id) can lie in x's working text, 1 when some may. */
static inline int
rx_xmay(const rx_state *x, uint64_t mask)
{
    size_t off = (size_t)(x->s - x->ix->base);

    if (off == 0)
        return (x->ix->seen_all & mask) != 0;
    if (off == x->ix->off)
        return (x->ix->seen_off & mask) != 0;
    return 1;
}
#define RX_BIT(id) (UINT64_C(1) << (id))

/* 1 when lit occurs in s. */
static inline int
rx_has(const char *s, size_t n, const char *lit)
{
    return rx_find(s, n, 0, lit) < n;
}
/* Token trimmed back to a \b (the Perl "(\S+)\b" idiom). */
size_t rx_trim_to_boundary(const char *t, size_t tn, const char *s, size_t n);
/* Parse a "helo=X" / "ident=X" word out of a sub-span. */
void rx_sub_helo_ident(rx_state *x, rx_span sub);

/* ---- composite matchers (received.c) ---- */

/* " by (\S+)" then the literal tail ("" for none); inline so that the
 * tail's length folds to a constant. */
static inline int
rx_by_tok(rx_cur *c, rx_span *by, const char *tail)
{
    return rx_lit(c, " by ") && rx_tok(c, by, 1) && rx_lit(c, tail);
}
/* ".*? by (\S+)<tail>": the first " by " from the cursor that works. */
static inline int
rx_lazy_by(rx_cur *c, rx_span *by, const char *tail)
{
    for (size_t i = rx_find(c->s, c->n, c->i, " by "); i < c->n;
         i = rx_find(c->s, c->n, i + 1, " by ")) {
        rx_cur d = {c->s, c->n, i, NULL};
        if (rx_by_tok(&d, by, tail)) {
            *c = d;
            return 1;
        }
    }
    return 0;
}

/* ".* by (\S+)<tail>": the last " by " from the cursor that works. */
static inline int
rx_greedy_by(rx_cur *c, const char *pre, rx_span *by, const char *tail)
{
    int found = 0;
    size_t pl = strlen(pre);

    for (size_t i = rx_find(c->s, c->n, c->i, pre); i < c->n;
         i = rx_find(c->s, c->n, i + 1, pre)) {
        rx_cur d = {c->s, c->n, i + pl, NULL};
        rx_span b;
        if (rx_tok(&d, &b, 1) && rx_lit(&d, tail)) {
            *by = b;
            found = 1;
        }
    }
    return found;
}

/* "\[(IP)\]" */
static inline int
rx_br_ip(rx_cur *c, rx_span *ip)
{
    return c->i < c->n && c->s[c->i] == '[' && (c->i++, rx_ip(c, ip)) &&
           rx_lit(c, "]");
}
/* "\[?(IP)\]?" */
static inline int
rx_opt_br_ip(rx_cur *c, rx_span *ip)
{
    rx_lit(c, "[");
    if (!rx_ip(c, ip))
        return 0;
    rx_lit(c, "]");
    return 1;
}
/* "HELO " or "EHLO " */
static inline int
rx_helo_kw(rx_cur *c)
{
    return rx_lit(c, "HELO ") || rx_lit(c, "EHLO ");
}
/* Set helo (when not NULL), ip and by. */
void rx_set3(rx_state *x, const rx_span *helo, const rx_span *ip,
             const rx_span *by);
/* "^(\S+) \((\S+) \[(IP)\]" - but never "(HELO [ip]" */
int rx_head_rdns_ip(rx_cur *c, rx_span *helo, rx_span *rdns, rx_span *ip);
/* The same at the start of x's working text (c = RX_CUR(x)), computed
 * once per working text. */
int rx_xhead(const rx_state *x, rx_cur *c, rx_span *helo, rx_span *rdns,
             rx_span *ip);
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
