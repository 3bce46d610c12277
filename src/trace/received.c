/*
 * received.c - sq_received_parse(): one Received header body into a
 * relay record, with the fields SpamAssassin 4.0.1's
 * parse_received_line() extracts (ip, rdns, helo, by, ident, envfrom,
 * id, auth) plus for, with and the date.
 *
 * Ownership: the result is a relay (trace_int.h): one heap block that
 * holds the record and its field strings; the caller frees it with
 * sq_relay_free().  The input is borrowed and only read within
 * [s, s+len); no NUL is needed.
 *
 * Limits: SQ_RECEIVED_MAX_LEN bytes of input (SQ_ELIMIT_LINE beyond).
 * The line is copied once into a stack buffer with whitespace runs
 * folded to one space and NUL bytes dropped; every later step scans
 * that copy with the bounded cursor primitives below (no regex engine,
 * one malloc for the result).  Work is linear in the line length apart
 * from bounded re-reads by the recognisers (a 16 KiB hostile line
 * costs well under a millisecond).
 *
 * Structure: normalise (16 bytes at a time where the text has only
 * single blanks) -> index the literals the recognisers look for, in one
 * pass (rx_index) -> early skips -> strip the trailing date ->
 * line-wide fields (id, helo, by, auth) -> dispatch on "from " /
 * "FROM " / "(from " to the MTA recognisers in received_mta.c ->
 * fall-through -> clean the fields, size them, copy them into the
 * relay.  Speed comes from the index (a recogniser whose marker is
 * absent costs a bit test), a memo of IP matches and of the common
 * sendmail head, and fast paths for dotted quads, IPv6 text and the
 * usual date shape; each shortcut gives exactly the result of the
 * general code it stands in for.
 */
#include "received_int.h"

#include <assert.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* A 256-entry table of E(0) .. E(255) (E a constant expression). */
#define RX_R4(E, c) E(c), E((c) + 1), E((c) + 2), E((c) + 3)
#define RX_R16(E, c)                                                           \
    RX_R4(E, c), RX_R4(E, (c) + 4), RX_R4(E, (c) + 8), RX_R4(E, (c) + 12)
#define RX_R64(E, c)                                                           \
    RX_R16(E, c), RX_R16(E, (c) + 16), RX_R16(E, (c) + 32), RX_R16(E, (c) + 48)
#define RX_R256(E) RX_R64(E, 0), RX_R64(E, 64), RX_R64(E, 128), RX_R64(E, 192)

/*
 * Character classes as one table:
 *  CL_STRIP - replaced by '!' in stored fields (SpamAssassin's clean-up)
 *  CL_HELO  - may appear in a HELO name: \w and -.^+&:=?!@%*$\/
 *  CL_IDEND - ends a queue id: space, <, >, ; (and NUL)
 */
#define CL_STRIP 1u
#define CL_HELO 2u
#define CL_IDEND 4u
#define RX_ISW(c)                                                              \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') ||               \
     ((c) >= '0' && (c) <= '9') || (c) == '_')
#define RX_CL_STRIP(c)                                                         \
    ((c) == ' ' || ((c) >= '\t' && (c) <= '\r') || (c) == '\0' ||              \
     (c) == '#' || (c) == '[' || (c) == ']' || (c) == '(' || (c) == ')' ||     \
     (c) == '<' || (c) == '>' || (c) == '|')
#define RX_CL_HELO(c)                                                          \
    (RX_ISW(c) || (c) == '-' || (c) == '.' || (c) == '^' || (c) == '+' ||      \
     (c) == '&' || (c) == ':' || (c) == '=' || (c) == '?' || (c) == '!' ||     \
     (c) == '@' || (c) == '%' || (c) == '*' || (c) == '$' || (c) == '\\' ||    \
     (c) == '/')
#define RX_CL_IDEND(c)                                                         \
    ((c) == ' ' || (c) == '<' || (c) == '>' || (c) == ';' || (c) == '\0')
#define RX_CL(c)                                                               \
    ((RX_CL_STRIP(c) ? CL_STRIP : 0) | (RX_CL_HELO(c) ? CL_HELO : 0) |         \
     (RX_CL_IDEND(c) ? CL_IDEND : 0))

static const uint8_t rx_cls[256] = {RX_R256(RX_CL)};

/* ------------------------------------------------------------------ */
/* character classes and cursor primitives                            */

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t
rx_trim_to_boundary(const char *t, size_t tn, const char *s, size_t n)
{
    /* t is a token inside s; find the longest prefix ending at \b. */
    size_t off = (size_t)(t - s);

    for (size_t l = tn; l > 0; l--) {
        int a = rx_isword((unsigned char)t[l - 1]);
        int b = off + l < n && rx_isword((unsigned char)s[off + l]);
        if (a != b)
            return l;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the literal index                                                   */

/*
 * Byte tables built at compile time from RX_LITERALS: bit id of
 * RX_T0[c] is set when c can be the first anchor byte of literal id
 * (both cases for a case-insensitive literal), RX_T1 likewise for the
 * second, RX_T2 for the byte after them (every c when the anchor ends
 * the literal).  A position i is a candidate for literal id when the
 * bit is set in RX_T0[s[i]] & RX_T1[s[i+1]] (& RX_T2[s[i+2]] where that
 * byte exists); candidates are then compared in full, so the index is
 * exact.
 */
#define RX_UP(a) (((a) >= 'a' && (a) <= 'z') ? (a)-32 : (a))
#define RX_T_BIT(c, id, a, ci)                                                 \
    (((c) == (a) || ((ci) && (c) == RX_UP(a))) ? (UINT64_C(1) << (id)) : 0)
#define RX_T0X(c, id, text, k, a0, a1, a2, ci) | RX_T_BIT(c, id, a0, ci)
#define RX_T1X(c, id, text, k, a0, a1, a2, ci) | RX_T_BIT(c, id, a1, ci)
#define RX_T2X(c, id, text, k, a0, a1, a2, ci)                                 \
    | ((a2) == 0 ? (UINT64_C(1) << (id)) : RX_T_BIT(c, id, a2, ci))
#define RX_T0E(c) (0 RX_LITERALS(RX_T0X, c))
#define RX_T1E(c) (0 RX_LITERALS(RX_T1X, c))
#define RX_T2E(c) (0 RX_LITERALS(RX_T2X, c))
static const uint64_t rx_t0[256] = {RX_R256(RX_T0E)};
static const uint64_t rx_t1[256] = {RX_R256(RX_T1E)};
static const uint64_t rx_t2[256] = {RX_R256(RX_T2E)};

#define RX_LIT_DEF(P, id, text, k, a0, a1, a2, ci)                             \
    {text, sizeof(text) - 1, k, ci},
static const struct {
    const char *text;
    size_t len;
    size_t k; /* anchor offset */
    int ci;
} rx_lits[RXL_COUNT] = {RX_LITERALS(RX_LIT_DEF, 0)};
#undef RX_LIT_DEF

static int
lit_at(const char *s, size_t n, size_t st, enum rx_lit_id id)
{
    const char *t = rx_lits[id].text;
    size_t l = rx_lits[id].len;

    uint32_t w, q;

    if (n - st < l)
        return 0;
    /* every literal has at least four bytes: compare those as one word
     * first (t is lower case where ci, so OR-ing 0x20 into both sides
     * keeps every match and rejects most other text) */
    memcpy(&w, s + st, 4);
    memcpy(&q, t, 4);
    if (!rx_lits[id].ci)
        return w == q && memcmp(s + st + 4, t + 4, l - 4) == 0;
    if ((w | UINT32_C(0x20202020)) != (q | UINT32_C(0x20202020)))
        return 0;
    for (size_t j = 0; j < l; j++)
        if (rx_lower((unsigned char)s[st + j]) != (unsigned char)t[j])
            return 0;
    return 1;
}

/* Record the candidates in m at anchor position i; returns the bits of
 * the literals now fully recorded. */
static uint64_t
index_hits(rx_index *ix, size_t i, uint64_t m)
{
    uint64_t done = 0;

    while (m != 0) {
        enum rx_lit_id id = (enum rx_lit_id)__builtin_ctzll(m);
        uint64_t bit = UINT64_C(1) << id;
        size_t st = i - rx_lits[id].k;
        m &= m - 1;
        if (i < rx_lits[id].k || !lit_at(ix->base, ix->n, st, id))
            continue;
        if (id == RXL_WITH_CI) {
            if (ix->with_cnt < RX_WITH_MAX)
                ix->with_pos[ix->with_cnt++] = (uint32_t)st;
            else
                ix->with_over = 1;
        }
        if (!(ix->seen_all & bit)) {
            ix->seen_all |= bit;
            ix->first_all[id] = (uint32_t)st;
        }
        if (st >= ix->off && !(ix->seen_off & bit)) {
            ix->seen_off |= bit;
            ix->first_off[id] = (uint32_t)st;
        }
        if ((ix->seen_off & bit) && id != RXL_WITH_CI)
            done |= bit;
    }
    return done;
}

/*
 * The index visits only the positions whose byte is in RX_SCAN0 or
 * whose next byte is in RX_SCAN1 (rare bytes in typical lines), found
 * 16 at a time; the anchors of RX_LITERALS are chosen so that every
 * anchor pair (both cases where ci) has its first byte in RX_SCAN0 or
 * its second in RX_SCAN1, so no occurrence is missed.
 */
#define RX_SCAN0 "(EHPah"
#define RX_SCAN1 "-FPbdf"

#ifndef NDEBUG
static int
in_scan(const char *set, unsigned char c, int ci)
{
    unsigned char up = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;

    return c != '\0' && strchr(set, c) != NULL &&
           (!ci || strchr(set, up) != NULL);
}

/* The anchors of RX_LITERALS are written by hand: check them. */
static int
anchors_ok(void)
{
    for (size_t id = 0; id < RXL_COUNT; id++) {
        size_t k = rx_lits[id].k;
        const unsigned char *t = (const unsigned char *)rx_lits[id].text;
        if (k + 2 > rx_lits[id].len || rx_lits[id].len < 4 ||
            !(rx_t0[t[k]] & rx_t1[t[k + 1]] & rx_t2[t[k + 2]] &
              (UINT64_C(1) << id)))
            return 0;
        if (!in_scan(RX_SCAN0, t[k], rx_lits[id].ci) &&
            !in_scan(RX_SCAN1, t[k + 1], rx_lits[id].ci))
            return 0;
    }
    return 1;
}
#endif

#if defined(__SSE2__)
/* Bit j set when u[j] is in RX_SCAN0 or u[j + 1] in RX_SCAN1 (a
 * superset: 'h' and 'H', 'f' and 'F' are tested together);
 * reads u[0..16]. */
static unsigned
scan_mask16(const unsigned char *u)
{
    const __m128i b20 = _mm_set1_epi8(0x20);
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)u);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(u + 1));
    __m128i m0 =
        _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('E')),
                     _mm_cmpeq_epi8(_mm_or_si128(v0, b20), _mm_set1_epi8('h')));
    __m128i m1 = _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('P')),
                              _mm_cmpeq_epi8(v0, _mm_set1_epi8('a')));
    __m128i m2 = _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('(')),
                              _mm_cmpeq_epi8(v1, _mm_set1_epi8('-')));
    __m128i m3 =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v1, b20), _mm_set1_epi8('f')),
                     _mm_cmpeq_epi8(v1, _mm_set1_epi8('P')));
    __m128i m4 = _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('b')),
                              _mm_cmpeq_epi8(v1, _mm_set1_epi8('d')));

    m0 = _mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(m0, m4));
}
#endif

/* Index the positions [i, end) (end < n); returns the literals still
 * looked for. */
static uint64_t
index_range(rx_index *ix, size_t i, size_t end, uint64_t active)
{
    const unsigned char *u = (const unsigned char *)ix->base;

#if defined(__SSE2__)
    /* j + 2 <= end < n here: the third byte narrows the candidates */
    for (; i + 17 <= end; i += 16) {
        for (unsigned cm = scan_mask16(u + i); cm != 0; cm &= cm - 1) {
            size_t j = i + (size_t)__builtin_ctz(cm);
            uint64_t m =
                rx_t0[u[j]] & rx_t1[u[j + 1]] & rx_t2[u[j + 2]] & active;
            if (m != 0)
                active &= ~index_hits(ix, j, m);
        }
    }
#endif
    for (; i < end; i++) {
        uint64_t m = rx_t0[u[i]] & rx_t1[u[i + 1]] & active;
        if (m != 0)
            active &= ~index_hits(ix, i, m);
    }
    return active;
}

void
rx_index_build(rx_index *ix, const char *s, size_t n, size_t off)
{
    uint64_t active =
        (RXL_COUNT == 64) ? ~UINT64_C(0) : (UINT64_C(1) << RXL_COUNT) - 1;

    assert(RXL_COUNT <= 64 && anchors_ok());
    ix->base = s;
    ix->n = n;
    ix->off = off;
    ix->seen_all = 0;
    ix->seen_off = 0;
    ix->with_cnt = 0;
    ix->with_over = 0;
    if (n >= 2)
        (void)index_range(ix, 0, n - 1, active);
}

size_t
rx_lit_search(enum rx_lit_id id, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lit_at(s, n, i, id))
            return i;
    return n;
}

/* ------------------------------------------------------------------ */
/* composite matchers shared by the recognisers                       */

void
rx_set3(rx_state *x, const rx_span *helo, const rx_span *ip, const rx_span *by)
{
    if (helo != NULL)
        x->helo = *helo;
    x->ip = *ip;
    x->by = *by;
}

/* "^(\S+) \((\S+) \[(IP)\]" : the common sendmail/postfix head */
int
rx_head_rdns_ip(rx_cur *c, rx_span *helo, rx_span *rdns, rx_span *ip)
{
    if (!rx_tok(c, helo, 1) || !rx_lit(c, " (") || !rx_tok(c, rdns, 1))
        return 0;
    /* "(HELO [ip])" is the client's claim, never the recorded peer */
    if (rdns->n == 4 &&
        (rx_lower((unsigned char)rdns->p[2]) == 'l' &&
         rx_lower((unsigned char)rdns->p[3]) == 'o') &&
        (sq_strncaseeq(rdns->p, rdns->n, "HELO") ||
         sq_strncaseeq(rdns->p, rdns->n, "EHLO")))
        return 0;
    return rx_lit(c, " ") && rx_br_ip(c, ip);
}

int
rx_xhead(const rx_state *x, rx_cur *c, rx_span *helo, rx_span *rdns,
         rx_span *ip)
{
    rx_memo *m = x->memo;

    assert(c->s == x->s && c->n == x->n && c->i == 0);
    if (m == NULL)
        return rx_head_rdns_ip(c, helo, rdns, ip);
    if (m->head_s != x->s || m->head_n != x->n) {
        rx_cur d = *c;
        m->head_ok =
            rx_head_rdns_ip(&d, &m->head_helo, &m->head_rdns, &m->head_ip);
        m->head_end = d.i;
        m->head_s = x->s;
        m->head_n = x->n;
    }
    if (!m->head_ok)
        return 0;
    *helo = m->head_helo;
    *rdns = m->head_rdns;
    *ip = m->head_ip;
    c->i = m->head_end;
    return 1;
}

enum rx_verdict
rx_done4(rx_state *x, rx_span helo, rx_span rdns, rx_span ip, rx_span by)
{
    x->helo = helo;
    x->rdns = rdns;
    x->ip = ip;
    x->by = by;
    return RX_DONE;
}

/* ------------------------------------------------------------------ */
/* IP_ADDRESS and LOCALHOST                                            */

/* Dotted quad at s: octets 0-255 without leading zeros (an octet of
 * four or more digits is no match). */
static size_t
v4_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    for (int oct = 0; oct < 4; oct++) {
        unsigned v, d;
        if (oct > 0) {
            if (i >= n || u[i] != '.')
                return 0;
            i++;
        }
        if (i >= n || (v = (unsigned)u[i] - '0') > 9)
            return 0;
        i++;
        if (i < n && (d = (unsigned)u[i] - '0') <= 9) {
            if (v == 0)
                return 0;
            v = v * 10 + d;
            i++;
            if (i < n && (d = (unsigned)u[i] - '0') <= 9) {
                v = v * 10 + d;
                i++;
                if (v > 255 || (i < n && (unsigned)u[i] - '0' <= 9))
                    return 0;
            }
        }
    }
    return i;
}

/* 1 when [s, s+n) is an IPv6 address (optionally with a dotted tail). */
static int
v6_valid(const char *s, size_t n)
{
    size_t i = 0, groups = 0;
    int dbl = 0;

    if (n < 2)
        return 0;
    if (s[0] == ':') {
        if (s[1] != ':')
            return 0;
        dbl = 1;
        i = 2;
    }
    while (i < n) {
        size_t st = i, l4;
        while (i < n && is_hex((unsigned char)s[i]) && i - st < 5)
            i++;
        if (i < n && s[i] == '.') {
            l4 = v4_len(s + st, n - st);
            if (l4 == 0 || st + l4 != n)
                return 0;
            groups += 2;
            break;
        }
        if (i == st || i - st > 4)
            return 0;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':' || ++i == n) {
            if (i == n && s[i - 1] == ':' && i >= 2 && s[i - 2] == ':')
                break;
            return 0;
        }
        if (s[i] == ':') {
            if (dbl)
                return 0;
            dbl = 1;
            i++;
        }
    }
    return dbl ? groups < 8 : groups == 8;
}

/* Longest IPv6 address at s that is followed by no hex digit or ':'. */
static size_t
v6_len(const char *s, size_t n)
{
    size_t e = 0, colons = 0;

    while (e < n &&
           (is_hex((unsigned char)s[e]) || s[e] == ':' || s[e] == '.')) {
        colons += s[e] == ':';
        e++;
    }
    if (colons < 2)
        return 0;
    while (e > 0 && s[e - 1] == '.')
        e--;
    if (v6_valid(s, e))
        return e;
    /* a broken dotted tail: the part before the first '.' may stand */
    for (size_t k = 0; k < e; k++) {
        if (s[k] == '.') {
            size_t b = k;
            while (b > 0 && is_hex((unsigned char)s[b - 1]))
                b--;
            if (b > 0 && s[b - 1] == ':' && v6_valid(s, k))
                return k;
            return 0;
        }
    }
    return 0;
}

size_t
rx_ip_at(const char *s, size_t n, size_t i)
{
    size_t j = i, l;

    if (i >= n)
        return 0;
    if (is_digit((unsigned char)s[i]) &&
        (i == 0 || (!rx_isword((unsigned char)s[i - 1]) && s[i - 1] != ':'))) {
        l = v4_len(s + i, n - i);
        if (l > 0 && (i + l == n || !rx_isword((unsigned char)s[i + l])))
            return l;
    }
    if (n - i > 5 && sq_strncaseeq(s + i, 5, "IPv6:"))
        j = i + 5;
    else if (i > 0 && (is_hex((unsigned char)s[i - 1]) || s[i - 1] == ':'))
        return 0;
    l = v6_len(s + j, n - j);
    if (l == 0)
        return 0;
    if (j + l < n && (is_hex((unsigned char)s[j + l]) || s[j + l] == ':'))
        return 0;
    return j + l - i;
}

/* rx_ip_at() through the memo: the recognisers ask the same position
 * over and over. */
static size_t
memo_ip_at(rx_cur *c)
{
    rx_memo *m = c->memo;
    const char *p = c->s + c->i, *end = c->s + c->n;
    int start = c->i == 0;
    size_t l;

    if (m == NULL)
        return rx_ip_at(c->s, c->n, c->i);
    for (unsigned k = 0; k < RX_MEMO_IPS; k++)
        if (m->ip[k].p == p && m->ip[k].end == end && m->ip[k].start == start)
            return m->ip[k].len;
    l = rx_ip_at(c->s, c->n, c->i);
    m->ip[m->next].p = p;
    m->ip[m->next].end = end;
    m->ip[m->next].start = start;
    m->ip[m->next].len = l;
    m->next = (m->next + 1) % RX_MEMO_IPS;
    return l;
}

int
rx_ip(rx_cur *c, rx_span *out)
{
    size_t l = memo_ip_at(c);

    if (l == 0)
        return 0;
    if (out != NULL) {
        out->p = c->s + c->i;
        out->n = l;
    }
    c->i += l;
    return 1;
}

size_t
rx_localhost_at(const char *s, size_t n, size_t i)
{
    rx_cur c = {s, n, i, NULL};
    size_t l;
    sq_ipaddr a;

    if (rx_ilit(&c, "localhost")) {
        rx_ilit(&c, ".localdomain");
        return c.i - i;
    }
    l = rx_ip_at(s, n, i);
    if (l == 0)
        return 0;
    c.i = i;
    (void)rx_ilit(&c, "IPv6:");
    if (!sq_ipaddr_parse(s + c.i, i + l - c.i, &a))
        return 0;
    if (a.v4) {
        static const uint8_t lo4[4] = {127, 0, 0, 1};
        /* plain 127.0.0.1 must not follow "::" (SpamAssassin's (?<!:)) */
        return memcmp(a.b + 12, lo4, 4) == 0 ? l : 0;
    }
    for (int k = 0; k < 15; k++)
        if (a.b[k] != 0)
            return 0;
    return a.b[15] == 1 ? l : 0;
}

/* ------------------------------------------------------------------ */
/* normalisation and line-wide steps                                   */

/* Fold whitespace runs to one space, drop NULs, trim both ends: one
 * input byte (the whitespace run pending in *pend). */
static inline size_t
norm_byte(unsigned char c, char *out, size_t o, int *pend)
{
    if (c == '\0')
        return o;
    if (rx_isspace(c)) {
        *pend = 1;
        return o;
    }
    if (*pend && o > 0)
        out[o++] = ' ';
    *pend = 0;
    out[o++] = (char)c;
    return o;
}

/* out has room for len bytes (the output is never longer). */
static size_t
normalise(const char *in, size_t len, char *out)
{
    size_t o = 0, i = 0;
    int pend = 0;
#if defined(__SSE2__)
    /* 16 bytes whose only bytes <= ' ' are single white-space characters
     * (not leading, not after a pending run) come out with each of those
     * turned into a space: no byte loop for them. */
    const __m128i sp = _mm_set1_epi8(' ');
    const __m128i c9 = _mm_set1_epi8('\t'), c13 = _mm_set1_epi8('\r');

    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        __m128i ws = _mm_or_si128(
            _mm_cmpeq_epi8(v, sp),
            _mm_cmpeq_epi8(_mm_max_epu8(_mm_min_epu8(v, c13), c9), v));
        unsigned le =
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, sp), v));
        unsigned ms = (unsigned)_mm_movemask_epi8(ws);
        if (le == ms && (ms & (ms >> 1)) == 0 &&
            !((ms & 1u) && (pend || o == 0))) {
            if (pend && o > 0)
                out[o++] = ' ';
            _mm_storeu_si128(
                (__m128i *)(void *)(out + o),
                _mm_or_si128(_mm_andnot_si128(ws, v), _mm_and_si128(ws, sp)));
            o += 16;
            pend = 0;
            if (ms & 0x8000u) { /* a trailing space stays pending */
                o--;
                pend = 1;
            }
            continue;
        }
        for (size_t k = i; k < i + 16; k++)
            o = norm_byte((unsigned char)in[k], out, o, &pend);
    }
#endif
    for (; i < len; i++)
        o = norm_byte((unsigned char)in[i], out, o, &pend);
    /* "1 while s/\s?;$//": drop trailing semicolons */
    while (o > 0 && out[o - 1] == ';') {
        o--;
        if (o > 0 && out[o - 1] == ' ')
            o--;
    }
    return o;
}

static int
match_word_list(const char *s, size_t n, const char *const *words)
{
    for (; *words != NULL; words++) {
        size_t l = strlen(*words);
        if (n >= l && memcmp(s, *words, l) == 0)
            return (int)l;
    }
    return 0;
}

static int
digits_back(const char *s, size_t *e)
{
    size_t k = *e;

    while (k > 0 && is_digit((unsigned char)s[k - 1]))
        k--;
    if (k == *e)
        return 0;
    *e = k;
    return 1;
}

/*
 * Remove "[\s;]+(Day, )?D Mon Y H:M(:S)? ZONE" at the end of the line
 * (SpamAssassin strips the date before matching formats).
 */
static size_t
strip_date(const char *s, size_t n)
{
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May",
                                       "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec", NULL};
    static const char *const days[] = {"Mon, ", "Tue, ", "Wed, ", "Thu, ",
                                       "Fri, ", "Sat, ", "Sun, ", NULL};
    size_t e = n, k;

    while (e > 0 && s[e - 1] != ' ')
        e--; /* ZONE = \S+ */
    if (e == n || e == 0)
        return n;
    e--; /* the space */
    k = e;
    if (!digits_back(s, &k))
        return n;
    if (k > 0 && s[k - 1] == ':') { /* H:M:S or H:M */
        size_t k2 = k - 1;
        if (!digits_back(s, &k2))
            return n;
        if (k2 > 0 && s[k2 - 1] == ':') {
            k = k2 - 1;
            if (!digits_back(s, &k))
                return n;
        } else {
            k = k2;
        }
    } else {
        return n;
    }
    /* " Y " before the time */
    if (k < 2 || s[k - 1] != ' ')
        return n;
    k--;
    if (!digits_back(s, &k) || k < 5 || s[k - 1] != ' ')
        return n;
    k -= 4; /* "Mon " */
    if (match_word_list(s + k, 3, mons) == 0 || k < 2 || s[k - 1] != ' ')
        return n;
    k--;
    if (!digits_back(s, &k))
        return n;
    if (k >= 5 && match_word_list(s + k - 5, 5, days) != 0) {
        size_t kd = k - 5;
        if (kd > 0 && (s[kd - 1] == ' ' || s[kd - 1] == ';'))
            k = kd;
    }
    if (k == 0 || (s[k - 1] != ' ' && s[k - 1] != ';'))
        return n;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == ';'))
        k--;
    return k;
}

/* " id <?([^\s<>;]{3,})" */
static void
find_id(rx_state *x)
{
    size_t i = rx_ifind(x->ix, RXL_ID, x->s, x->n);

    while ((i = rx_find(x->s, x->n, i, " id ")) < x->n) {
        size_t j = i + 4, st;
        if (j < x->n && x->s[j] == '<')
            j++;
        st = j;
        while (j < x->n && !(rx_cls[(unsigned char)x->s[j]] & CL_IDEND))
            j++;
        if (j - st >= 3) {
            x->id.p = x->s + st;
            x->id.n = j - st;
            return;
        }
        i++;
    }
}

static int
helo_char(unsigned char c)
{
    return (rx_cls[c] & CL_HELO) != 0;
}

/* The first \b<key><helo chars>+ at or after 0; 1 when found. */
static int
helo_after(rx_state *x, enum rx_lit_id key, size_t *pos, rx_span *out)
{
    const char *k = key == RXL_HELO_EQ ? "helo="
                    : key == RXL_HELO  ? "HELO "
                                       : "EHLO ";

    for (size_t i = rx_ifind(x->ix, key, x->s, x->n); i < x->n;
         i = rx_find(x->s, x->n, i + 1, k)) {
        size_t j = i + 5;
        if (i > 0 && rx_isword((unsigned char)x->s[i - 1]))
            continue;
        while (j < x->n && helo_char((unsigned char)x->s[j]))
            j++;
        if (j > i + 5) {
            *pos = i;
            out->p = x->s + i + 5;
            out->n = j - i - 5;
            return 1;
        }
    }
    return 0;
}

/* "\bhelo=(...)" else "\b(?:HELO|EHLO) (...)" (the earlier of the two) */
static void
find_helo(rx_state *x)
{
    size_t p1 = x->n, p2 = x->n;
    rx_span h1, h2;

    if (helo_after(x, RXL_HELO_EQ, &p1, &x->helo))
        return;
    if (!helo_after(x, RXL_HELO, &p1, &h1))
        p1 = x->n;
    if (!helo_after(x, RXL_EHLO, &p2, &h2))
        p2 = x->n;
    if (p1 < p2)
        x->helo = h1;
    else if (p2 < x->n)
        x->helo = h2;
}

/* " by (\S+)" : the first " by " followed by a non-space. */
static void
find_by(rx_state *x)
{
    size_t i = rx_ifind(x->ix, RXL_BY, x->s, x->n);

    while ((i = rx_find(x->s, x->n, i, " by ")) < x->n) {
        rx_cur c = {x->s, x->n, i + 4, NULL};
        if (rx_tok(&c, &x->by, 1))
            return;
        i++;
    }
}

/* "(?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b" /i */
static void
find_envfrom(rx_state *x)
{
    size_t i1 = rx_ifind(x->ix, RXL_RETURN_PATH, x->s, x->n);
    size_t i2 = rx_ifind(x->ix, RXL_ENVELOPE, x->s, x->n);

    /* every match starts at one of the two literals */
    for (size_t i = i1 < i2 ? i1 : i2; i + 12 < x->n; i++) {
        unsigned char c0 = rx_lower((unsigned char)x->s[i]);
        rx_cur c = {x->s, x->n, i, NULL};
        rx_span t;
        size_t l;
        if (c0 == 'r') {
            if (!rx_ilit(&c, "return-path"))
                continue;
            rx_lit(&c, ":");
            if (!rx_lit(&c, " "))
                continue;
        } else if (c0 == 'e') {
            if (!rx_ilit(&c, "envelope-") ||
                (!rx_ilit(&c, "sender") && !rx_ilit(&c, "from")) ||
                (!rx_lit(&c, " ") && !rx_lit(&c, "=")))
                continue;
        } else {
            continue;
        }
        if (!rx_tok(&c, &t, 1))
            continue;
        l = rx_trim_to_boundary(t.p, t.n, x->s, x->n);
        if (l == 0)
            continue;
        x->envfrom.p = t.p;
        x->envfrom.n = l;
        x->have_envfrom = 1;
        return;
    }
}

void
rx_sub_helo_ident(rx_state *x, rx_span sub)
{
    size_t i = rx_find(sub.p, sub.n, 0, "helo=");

    if (i < sub.n) {
        rx_cur c = {sub.p, sub.n, i + 5, NULL};
        rx_span h;
        if (rx_tok(&c, &h, 1))
            x->helo = h;
    }
    i = rx_find(sub.p, sub.n, 0, "ident=");
    if (i < sub.n) {
        rx_cur c = {sub.p, sub.n, i + 6, NULL};
        rx_tok(&c, &x->ident, 0);
    }
}

/* ------------------------------------------------------------------ */
/* early skips (before the date is removed)                            */

static int
early_skip(const rx_index *ix, const char *s, size_t n)
{
    rx_cur c = {s, n, 0, NULL};
    rx_span t;

    rx_lit(&c, "(");
    if (!rx_ilit(&c, "from "))
        return 1;
    for (size_t i = rx_ifind(ix, RXL_WITH_LOCAL_FOR, s, n); i < n;
         i = rx_find(s, n, i + 1, "with local for")) {
        int b0 = i == 0 || !rx_isword((unsigned char)s[i - 1]);
        int b1 = i + 14 == n || !rx_isword((unsigned char)s[i + 14]);
        if (b0 && b1)
            return 1;
    }
    /* "^from (\S+) by [^\s;]+ ?;" unless $1 is a bracketed IPv4 */
    c.i = 0;
    if (rx_ilit(&c, "from ") && rx_tok(&c, &t, 1) && rx_ilit(&c, " by ")) {
        size_t st = c.i;
        while (c.i < n && s[c.i] != ' ' && s[c.i] != ';')
            c.i++;
        if (c.i > st) {
            rx_lit(&c, " ");
            if (c.i < n && s[c.i] == ';') {
                int numeric = t.n >= 3 && t.p[0] == '[' && t.p[t.n - 1] == ']';
                for (size_t k = 1; numeric && k + 1 < t.n; k++)
                    numeric = is_digit((unsigned char)t.p[k]) || t.p[k] == '.';
                if (!numeric)
                    return 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* fall-through and output                                             */

/* 1 when the IP at s[i] is a HELO literal ("HELO [ip]", "helo=[ip]"). */
static int
is_helo_literal(const char *s, size_t i)
{
    static const char *const keys[] = {"HELO [", "EHLO [", "helo=[", "HELO=[",
                                       NULL};

    for (int k = 0; keys[k] != NULL; k++) {
        size_t l = strlen(keys[k]);
        if (i >= l && sq_strncaseeq(s + i - l, l, keys[k]))
            return 1;
    }
    return 0;
}

/* "\[(IP)\]": the first bracketed address that is not a HELO literal */
static void
fallthrough_ip(rx_state *x)
{
    for (size_t i = 1; i < x->n; i++) {
        size_t l;
        if (x->s[i - 1] != '[')
            continue;
        l = rx_ip_at(x->s, x->n, i);
        if (l == 0 || i + l >= x->n || x->s[i + l] != ']')
            continue;
        if (is_helo_literal(x->s, i))
            continue;
        x->ip.p = x->s + i;
        x->ip.n = l;
        return;
    }
}

/* ip: drop "IPv6:" and brackets; reject zone ids; parse into *a and
 * write the canonical text to buf (64 bytes).  0 when unusable. */
static size_t
parse_ip(rx_span ip, sq_ipaddr *a, char *buf)
{
    if (ip.n >= 5 && (ip.p[0] == 'I' || ip.p[0] == 'i') &&
        sq_strncaseeq(ip.p, 5, "IPv6:")) {
        ip.p += 5;
        ip.n -= 5;
    }
    if (ip.n > 0 && ip.p[0] == '[') {
        ip.p++;
        ip.n--;
    }
    if (ip.n > 0 && ip.p[ip.n - 1] == ']')
        ip.n--;
    if (ip.n == 0 || memchr(ip.p, '%', ip.n) != NULL)
        return 0;
    if (v4_len(ip.p, ip.n) == ip.n) {
        /* a canonical dotted quad (no leading zeros): format it here */
        static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255};
        memset(a, 0, sizeof(*a));
        memcpy(a->b, pre, sizeof(pre));
        a->v4 = 1;
        for (size_t i = 0, k = 12; i < ip.n; i++) {
            if (ip.p[i] == '.')
                k++;
            else
                a->b[k] = (uint8_t)(a->b[k] * 10 + (ip.p[i] - '0'));
        }
        memcpy(buf, ip.p, ip.n);
        buf[ip.n] = '\0';
        return ip.n;
    }
    if (!sq_ipaddr_parse(ip.p, ip.n, a))
        return 0;
    return sq_ipaddr_format(a, buf);
}

static void
clean_rdns(rx_span *rdns)
{
    while (rdns->n > 0 && rdns->p[rdns->n - 1] == '.')
        rdns->n--;
    if ((rdns->n == 7 && sq_strncaseeq(rdns->p, rdns->n, "unknown")) ||
        (rdns->n > 0 && rdns->p[0] == '['))
        rdns->n = 0;
}

static void
clean_envfrom(rx_span *e)
{
    while (e->n > 0 && (e->p[0] == '<' || e->p[0] == ' ')) {
        e->p++;
        e->n--;
    }
    while (e->n > 0 && (e->p[e->n - 1] == '>' || e->p[e->n - 1] == ' '))
        e->n--;
}

/* The first " <kw> " (ASCII case-insensitive, kl bytes with both
 * spaces) in [s, s+n) followed by a token of at least min bytes, as
 * "for"/"with" are read; the token into *tok (0 bytes when none). */
static void
clause_tok(const char *s, size_t n, const char *kw, size_t kl, size_t min,
           rx_span *tok)
{
    tok->n = 0;
    /* the original scan looked at i with i + kl < n; kw is lower case */
    for (size_t i = 0; i + kl < n; i++) {
        rx_cur c = {s, n, 0, NULL};
        size_t k = 0;
        if (s[i] != ' ') {
            const char *sp = memchr(s + i, ' ', n - kl - i);
            if (sp == NULL)
                return;
            i = (size_t)(sp - s);
        }
        while (k < kl &&
               rx_lower((unsigned char)s[i + k]) == (unsigned char)kw[k])
            k++;
        c.i = i + kl;
        if (k == kl && rx_tok(&c, tok, min))
            return;
        tok->n = 0;
    }
}

/* ------------------------------------------------------------------ */
/* the date                                                            */

/* Longest date text sq_time_parse_rfc5322() reads (its TIME_TEXT_MAX). */
#define RX_DATE_TEXT_MAX 256
/* Comments after the zone it skips without a nesting error. */
#define RX_DATE_COMMENTS_MAX 8

/* n digits at s[*i] (exactly n, no digit after), value into *v. */
static int
date_digits(const char *s, size_t len, size_t *i, size_t n, int *v)
{
    int x = 0;

    if (len - *i < n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (!is_digit((unsigned char)s[*i + k]))
            return 0;
        x = x * 10 + (s[*i + k] - '0');
    }
    if (*i + n < len && is_digit((unsigned char)s[*i + n]))
        return 0;
    *i += n;
    *v = x;
    return 1;
}

static int
is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Index of the three letters at s in names (3 letters each, lower
 * case, count entries), -1 if none; ASCII case-insensitive. */
static int
date_word3(const char *s, const char *names, int count)
{
    char w[3];

    for (int k = 0; k < 3; k++) {
        if (!is_alpha((unsigned char)s[k]))
            return -1;
        w[k] = (char)(s[k] | 0x20);
    }
    for (int k = 0; k < count; k++)
        if (memcmp(names + (size_t)k * 3, w, 3) == 0)
            return k;
    return -1;
}

/* "D[D] Mon YYYY H[H]:MM:SS " from s[*i]; fields into v[0..5] as day,
 * month, year, hour, minute, second. */
static int
date_body(const char *s, size_t n, size_t *i, int *v)
{
    if (!(date_digits(s, n, i, 2, &v[0]) || date_digits(s, n, i, 1, &v[0])) ||
        n - *i < 5 || s[*i] != ' ' || s[*i + 4] != ' ' ||
        (v[1] = date_word3(s + *i + 1, "janfebmaraprmayjunjulaugsepoctnovdec",
                           12)) < 0)
        return 0;
    *i += 5;
    if (!date_digits(s, n, i, 4, &v[2]) || *i >= n || s[(*i)++] != ' ')
        return 0;
    if (!(date_digits(s, n, i, 2, &v[3]) || date_digits(s, n, i, 1, &v[3])) ||
        *i >= n || s[(*i)++] != ':' || !date_digits(s, n, i, 2, &v[4]) ||
        *i >= n || s[(*i)++] != ':' || !date_digits(s, n, i, 2, &v[5]))
        return 0;
    return 1;
}

/*
 * The common shape "[Www, ]D Mon YYYY HH:MM:SS +hhmm[ trailer]" read
 * exactly as sq_time_parse_rfc5322() reads it, without its general
 * token machinery.  0 when the text has another shape or a value the
 * general parser would look at more closely: the caller then asks it.
 */
static int
date_fast(const char *s, size_t n, long long *out)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t i = 0;
    int v[6], zh, zm, dim, opens = 0, sign;

    if (n > RX_DATE_TEXT_MAX)
        return 0;
    if (n >= 5 && s[3] == ',' && s[4] == ' ' &&
        date_word3(s, "montuewedthufrisatsun", 7) >= 0)
        i = 5;
    if (!date_body(s, n, &i, v) || n - i < 6 || s[i] != ' ' ||
        (s[i + 1] != '+' && s[i + 1] != '-'))
        return 0;
    sign = s[i + 1] == '-' ? -1 : 1;
    i += 2;
    if (!date_digits(s, n, &i, 4, &zh) || (i < n && s[i] != ' '))
        return 0;
    zm = zh % 100;
    zh /= 100;
    for (size_t k = i; k < n; k++)
        opens += s[k] == '(';
    dim = v[1] == 1 && ((v[2] % 4 == 0 && v[2] % 100 != 0) || v[2] % 400 == 0)
              ? 29
              : dm[v[1]];
    if (opens > RX_DATE_COMMENTS_MAX || v[2] < 1900 || v[3] > 23 || v[4] > 59 ||
        v[5] > 60 || zh > 23 || zm > 59 || v[0] < 1 || v[0] > dim)
        return 0;
    *out = sq_time_days_from_civil(v[2], v[1] + 1, v[0]) * 86400LL +
           v[3] * 3600LL + v[4] * 60LL + v[5] -
           sign * (zh * 3600LL + zm * 60LL);
    return 1;
}

static int
parse_date(const char *s, size_t n, long long *out)
{
    return date_fast(s, n, out) || sq_time_parse_rfc5322(s, n, out);
}

/* "for <mbox>", "with PROTO" and the date: extras beyond SpamAssassin */
typedef struct rx_extras {
    rx_span fr, with, date;
    long long time;
} rx_extras;

/* The last ';' in [s, s+n), NULL when none: eight bytes a step. */
static const char *
last_semi(const char *s, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    size_t i = n;

    while (i >= 8) {
        uint64_t w;
        memcpy(&w, s + i - 8, 8);
        w ^= ones * ';';
        if (((w - ones) & ~w & (ones << 7)) != 0)
            break; /* a ';' among these eight */
        i -= 8;
    }
    for (; i > 0; i--)
        if (s[i - 1] == ';')
            return s + i - 1;
    return NULL;
}

static void
find_extras(const rx_index *ix, const char *s, size_t n, rx_extras *e)
{
    const char *semi;
    /* the for clause precedes the first ';' (rspamd reads it so) */
    const char *fp = memchr(s, ';', n);
    size_t fe = fp != NULL ? (size_t)(fp - s) : n;

    memset(e, 0, sizeof(*e));
    e->time = -1;
    for (size_t i = rx_ifind(ix, RXL_FOR_CI, s, fe); i + 5 < fe;) {
        /* an accepted token without '@' ends nothing: search on */
        clause_tok(s + i, fe - i, " for ", 5, 3, &e->fr);
        if (e->fr.n == 0)
            break;
        if (e->fr.p[e->fr.n - 1] == ';')
            e->fr.n--;
        if (memchr(e->fr.p, '@', e->fr.n) != NULL)
            break;
        i = (size_t)(e->fr.p - s) - 4;
        e->fr.n = 0;
    }
    for (size_t i = rx_ifind(ix, RXL_WITH_CI, s, n); i + 6 < n;) {
        clause_tok(s + i, n - i, " with ", 6, 1, &e->with);
        if (e->with.n == 0)
            break;
        while (e->with.n > 0 && e->with.p[e->with.n - 1] == ';')
            e->with.n--;
        if (e->with.n > 0)
            break;
        i = (size_t)(e->with.p - s) - 5;
    }
    semi = fp != NULL ? last_semi(s, n) : NULL;
    e->date.n = 0;
    if (semi != NULL) {
        e->date.p = semi + 1;
        e->date.n = (size_t)(s + n - e->date.p);
        while (e->date.n > 0 && e->date.p[0] == ' ')
            e->date.p++, e->date.n--;
        if (e->date.n > 0 && !parse_date(e->date.p, e->date.n, &e->time))
            e->time = -1;
    }
}

/* Each byte, or '!' for a CL_STRIP byte. */
#define RX_STRIP_MAP(c) (RX_CL_STRIP(c) ? '!' : (c))
static const unsigned char rx_strip_map[256] = {RX_R256(RX_STRIP_MAP)};
#undef RX_STRIP_MAP

#if defined(__SSE2__)
/* 16 bytes from src to dst with the CL_STRIP bytes (NUL, \t..\r,
 * space, # [ ] ( ) < > |) turned into '!'. */
static void
strip16(const char *src, char *dst)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)src);
    __m128i m = _mm_cmpeq_epi8(
        _mm_max_epu8(_mm_min_epu8(v, _mm_set1_epi8('\r')), _mm_set1_epi8('\t')),
        v);

    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_setzero_si128()));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('#')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('[')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('|')));
    /* '(' | 1 == ')' and '<' | 2 == '>': no other byte maps there */
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(1)),
                                       _mm_set1_epi8(')')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)),
                                       _mm_set1_epi8('>')));
    _mm_storeu_si128((__m128i *)(void *)dst,
                     _mm_or_si128(_mm_andnot_si128(m, v),
                                  _mm_and_si128(m, _mm_set1_epi8('!'))));
}
#endif

/* Copy a span into the relay's text, applying SpamAssassin's clean-up
 * when strip is set.  Empty spans keep the static "". */
static void
put(sq_relay *r, sq_relay_field f, rx_span v, int strip)
{
    char *p;

    if (v.n == 0)
        return;
    p = r->text + r->used;
    r->used += v.n + 1;
    p[v.n] = '\0';
    r->f[f] = p;
    if (!strip) {
        memcpy(p, v.p, v.n);
        return;
    }
    size_t i = 0;
#if defined(__SSE2__)
    if (v.n >= 16) { /* the last block may overlap the one before */
        for (; i + 16 <= v.n; i += 16)
            strip16(v.p + i, p + i);
        if (i < v.n)
            strip16(v.p + v.n - 16, p + v.n - 16);
        return;
    }
#endif
    for (; i < v.n; i++)
        p[i] = (char)rx_strip_map[(unsigned char)v.p[i]];
}

static sq_status
build_relay(rx_state *x, const char *line, size_t linelen, sq_relay **out)
{
    char ipbuf[64];
    sq_ipaddr addr;
    size_t ipn = parse_ip(x->ip, &addr, ipbuf);
    rx_span ipsp = {ipbuf, ipn}, auth = {x->auth, strlen(x->auth)};
    rx_extras e;
    sq_relay *r;
    size_t cap;

    if (ipn == 0)
        return SQ_EPARSE;
    clean_rdns(&x->rdns);
    if (x->by.n > 0 && x->by.p[x->by.n - 1] == ';')
        x->by.n--;
    if (x->have_envfrom)
        clean_envfrom(&x->envfrom);
    find_extras(x->ix, line, linelen, &e);
    /* every span lies in the line or in ipbuf/auth: no overflow */
    cap = ipn + x->rdns.n + x->helo.n + x->by.n + x->ident.n + x->envfrom.n +
          x->id.n + auth.n + e.fr.n + e.with.n + e.date.n +
          SQ_RELAY_FIELD_COUNT;
    r = sq_relay_alloc_text(cap);
    if (r == NULL)
        return SQ_ENOMEM;
    r->addr = addr;
    put(r, SQ_RELAY_IP, ipsp, 0);
    if (sq_ipaddr_class(&r->addr) & (SQ_IP_PRIVATE | SQ_IP_LOOPBACK))
        r->flags |= SQ_RF_IP_PRIVATE;
    put(r, SQ_RELAY_RDNS, x->rdns, 1);
    put(r, SQ_RELAY_HELO, x->helo, 1);
    put(r, SQ_RELAY_BY, x->by, 1);
    put(r, SQ_RELAY_IDENT, x->ident, 1);
    put(r, SQ_RELAY_ENVFROM, x->envfrom, 1);
    put(r, SQ_RELAY_ID, x->id, 0);
    put(r, SQ_RELAY_AUTH, auth, 0);
    put(r, SQ_RELAY_FOR, e.fr, 0);
    put(r, SQ_RELAY_WITH, e.with, 0);
    put(r, SQ_RELAY_DATE, e.date, 0);
    r->time = e.time;
    if (x->auth[0] != '\0')
        r->flags |= SQ_RF_AUTH;
    *out = r;
    return SQ_OK;
}

/* s/\)by /) by / (once) in the first *dn bytes; the whole line (*n
 * bytes, date included) moves up by one.  buf has room for one more. */
static int
fix_paren_by(const rx_index *ix, char *buf, size_t *dn, size_t *n)
{
    size_t i = rx_ifind(ix, RXL_PAREN_BY, buf, *dn);

    if (i < *dn) {
        memmove(buf + i + 2, buf + i + 1, *n - i - 1);
        buf[i + 1] = ' ';
        (*dn)++;
        (*n)++;
        return 1;
    }
    return 0;
}

/* Where dispatch() will start the working text. */
static size_t
dispatch_offset(const char *s, size_t n)
{
    if (n >= 5 && (memcmp(s, "from ", 5) == 0 || memcmp(s, "FROM ", 5) == 0))
        return 5;
    if (n >= 6 && memcmp(s, "(from ", 6) == 0)
        return 6;
    return 0;
}

static enum rx_verdict
dispatch(rx_state *x)
{
    rx_cur c = {x->s, x->n, 0, NULL};

    if (rx_lit(&c, "from ")) {
        x->s += 5;
        x->n -= 5;
        find_envfrom(x);
        return rx_from_formats(x);
    }
    if (rx_lit(&c, "FROM ")) {
        x->s += 5;
        x->n -= 5;
        return rx_upper_from(x);
    }
    if (rx_lit(&c, "(from ")) {
        x->s += 6;
        x->n -= 6;
        return rx_paren_from(x);
    }
    return RX_NO;
}

sq_status
sq_received_parse(const char *s, size_t len, sq_relay **out)
{
    char buf[SQ_RECEIVED_MAX_LEN + 2];
    size_t n, dn, off;
    rx_state x;
    rx_index ix;
    rx_memo memo;
    enum rx_verdict v;

    if (out == NULL || (s == NULL && len > 0))
        return SQ_EINVAL;
    if (len > SQ_RECEIVED_MAX_LEN)
        return SQ_ELIMIT_LINE;
    n = len > 0 ? normalise(s, len, buf) : 0;
    if (n == 0)
        return SQ_ENOTRELAY;
    off = dispatch_offset(buf, n);
    rx_index_build(&ix, buf, n, off);
    if (early_skip(&ix, buf, n))
        return SQ_ENOTRELAY;
    dn = strip_date(buf, n);
    if (fix_paren_by(&ix, buf, &dn, &n))
        rx_index_build(&ix, buf, n, off);
    /* auth is read only up to its NUL: zero the rest of the state */
    memset(&x, 0, offsetof(rx_state, auth));
    x.auth[0] = '\0';
    x.s = buf;
    x.n = dn;
    x.ix = &ix;
    memset(&memo, 0, sizeof(memo));
    x.memo = &memo;
    find_id(&x);
    find_helo(&x);
    find_by(&x);
    rx_detect_auth(&x, buf, dn);
    v = dispatch(&x);
    if (v == RX_SKIP)
        return SQ_ENOTRELAY;
    if (v == RX_NO) {
        if (x.ip.n == 0)
            fallthrough_ip(&x);
        if (x.ip.n == 0 || x.by.n == 0)
            return SQ_EPARSE;
    }
    return build_relay(&x, buf, n, out);
}
