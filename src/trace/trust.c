/*
 * trust.c - the trust path: which relays are trusted and internal, the
 * web-mail submitter from originating-IP headers, chain continuity and
 * the origin with a confidence.
 *
 * TRUST (SpamAssassin 4.0.1, Message/Metadata/Received.pm).  Relays are
 * walked newest first; while the walk is still trusted and no MSA has
 * been seen, each relay decides:
 *   - trusted_networks or internal_networks configured (one stands in
 *     for the other when only one is set; 127/8 and ::1 always lead both
 *     lists, so they cannot be excluded): an authenticated relay, or one
 *     whose IP is in trusted_networks, stays trusted; otherwise it and
 *     every older relay are untrusted (and external).  A trusted relay
 *     stays internal only if authenticated or in internal_networks.  A
 *     trusted relay in msa_networks is the MSA (msa=1): every older relay
 *     keeps the trusted/internal state the MSA had.
 *   - nothing configured (inference): a relay from a private or loopback
 *     address, or an authenticated one, is trusted and internal;
 *     the first other relay ends trust.  msa_networks is not used.
 * Once a relay is untrusted, every older relay is untrusted.
 *
 * trusted_by_hosts (beyond SpamAssassin; learned by "trust learn"): the
 * receiving host names of the user's own chain.  Relays received BY one
 * of them are judged by the rules above: the relay that handed mail to
 * the user's host is the first untrusted one unless its IP is trusted
 * (trusted_networks, loopback, or - inferring - private) or it is
 * authenticated.  Once the walk has passed one of the user's hosts, a
 * relay received by a host NOT in the list is no longer trusted merely
 * for a private address (that is someone else's LAN); only
 * trusted_networks and authentication count there.  A non-empty list
 * also gives high confidence when it names the host that received from
 * the first untrusted relay.
 *
 * ORIGINATING-IP HEADERS.  SpamAssassin turns every configured header
 * that holds an IP into a synthetic relay appended after the Received
 * relays (ip set, every other field empty) and runs it through the same
 * walk.  We do the same, but only for the FIRST header (in configured
 * order) holding a public address, and only when every Received relay
 * is trusted - otherwise an untrusted host could have written it, and
 * the header is ignored with a warning.  X-MS-Exchange-CrossTenant-
 * OriginalAttributedTenantConnectingIp additionally needs a trusted relay
 * received by outlook.com or a host under it (*.protection.outlook.com,
 * *.prod.outlook.com): only Microsoft writes it.  With no Received relay
 * at all the header is used but its writer is unverifiable (low
 * confidence).  The synthetic relay carries the note
 * "originating-header".
 *
 * CHAIN CONTINUITY (check_chain).  For consecutive relays where the
 * newer one is untrusted, the older relay's "by" must name the host that
 * sent the newer relay: its helo or rdns, or - for a loopback hop, a
 * hand-over on one host (content filters such as amavis) - also the
 * host that received it.  Names are compared case-insensitively without
 * brackets and trailing dots, and are continuous when they share the
 * registrable domain (the last two labels, or three under a two-letter
 * ccTLD whose second-level label is a generic one such as co, com, ne,
 * org: a.example.co.uk ~ b.example.co.uk but not b.other.co.uk; gmx.de
 * is registrable) or belong to one operator family of a short static
 * table (google.com/gmail.com, outlook.com/office365.com/microsoft.com,
 * ...; see operators[] - every entry lets a forger claim that family).
 * A break needs evidence on both sides: "by" and at least one sender
 * name must be real host names - not empty, not an address literal, not
 * a single label ("localhost", "mail", "unknown", "EXCH01"), not
 * localhost.* and not under a private TLD (.local, .lan, .localdomain,
 * ...).  Missing evidence is no break.  A mismatch is a break: the older
 * relay gets the note "chain-break" and a warning is added.  Each
 * relay field is normalised at most once per trace, and not at all when
 * its raw text already equals the name it is compared with.
 *
 * ORIGIN.  The first untrusted relay (SpamAssassin's relays_untrusted
 * [0]).  If its address is private, loopback or reserved it cannot be
 * reported: it gets the note "private-skipped" and the next untrusted
 * public relay above the first chain break is used (at most medium
 * confidence); relays at or below a break are never the origin.
 * Confidence: high when a boundary was configured (trusted_networks or
 * internal_networks) or learned and met (trusted_by_hosts names the host
 * that received from the first untrusted relay), medium when inferred; low when
 * any chain break exists, the origin looks forged (helo is a public IP literal
 * other than its IP, helo names one of trusted_by_hosts, or helo equals the
 * receiving host), or the originating header's writer is unverifiable.
 */
#include "trust_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOSTBUF 256

static int
relay_auth(const sq_relay *r)
{
    return (r->flags & SQ_RF_AUTH) != 0 || r->f[SQ_RELAY_AUTH][0] != '\0';
}

static unsigned
relay_class(const sq_relay *r)
{
    if (r->f[SQ_RELAY_IP][0] == '\0')
        return 0;
    return sq_ipaddr_class(&r->addr);
}

int
sq_trust_ip_private(const sq_relay *r)
{
    return (relay_class(r) & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE)) != 0;
}

static int
relay_public(const sq_relay *r)
{
    unsigned c = relay_class(r);

    return c != 0 &&
           (c & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED)) == 0;
}

static int
in_set(const sq_netset *ns, const sq_relay *r)
{
    if (r->f[SQ_RELAY_IP][0] == '\0')
        return 0;
    return sq_netset_match_addr(ns, &r->addr) == 1;
}

/* Lower-case host name without brackets, '!' marks, "IPv6:" and
 * trailing dots into buf (HOSTBUF bytes, NUL-terminated); returns its
 * length.  Longer names are cut at HOSTBUF - 1 bytes. */
static size_t
norm_host(const char *s, char *buf)
{
    size_t n = strlen(s), i = 0, o = 0;

    while (i < n && (s[i] == '!' || s[i] == '['))
        i++;
    if (n - i > 5 && sq_strncaseeq(s + i, 5, "ipv6:"))
        i += 5;
    while (n > i && (s[n - 1] == '!' || s[n - 1] == ']' || s[n - 1] == '.'))
        n--;
    for (; i < n && o + 1 < HOSTBUF; i++) {
        char c = s[i];

        buf[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[o] = '\0';
    return o;
}

int
sq_trust_host_match(const char *pattern, const char *host)
{
    char p[HOSTBUF], h[HOSTBUF];
    size_t pl, hl = norm_host(host, h);

    if (pattern[0] == '.') {
        pl = norm_host(pattern + 1, p);
        if (pl == 0)
            return 0;
        if (hl == pl)
            return memcmp(h, p, pl) == 0;
        return hl > pl && h[hl - pl - 1] == '.' &&
               memcmp(h + hl - pl, p, pl) == 0;
    }
    pl = norm_host(pattern, p);
    return pl != 0 && pl == hl && memcmp(p, h, pl) == 0;
}

static int
own_host(const sq_trace_opts *o, const char *host)
{
    for (size_t i = 0; i < o->nhosts; i++)
        if (sq_trust_host_match(o->hosts[i], host))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* the trust walk                                                     */

void
sq_trust_walk_init(sq_trust_walk *w)
{
    w->in_trusted = 1;
    w->in_internal = 1;
    w->found_msa = 0;
    w->seen_own = 0;
}

static void
classify_configured(const sq_trace_opts *o, sq_trust_walk *w, sq_relay *r,
                    int auth)
{
    if (!auth && !in_set(o->trusted, r)) {
        w->in_trusted = 0;
        w->in_internal = 0;
        return;
    }
    if (w->in_internal && !auth && !in_set(o->internal, r))
        w->in_internal = 0;
    if (in_set(o->msa, r)) {
        w->found_msa = 1;
        r->msa = 1;
    }
}

static void
classify_inferred(const sq_trace_opts *o, sq_trust_walk *w, sq_relay *r,
                  int auth, int own)
{
    int ok = auth || sq_trust_ip_private(r);

    /* Past the user's own hosts a private address is someone else's. */
    if (o->nhosts > 0 && w->seen_own && !own && !auth)
        ok = 0;
    if (!ok) {
        w->in_trusted = 0;
        w->in_internal = 0;
    }
}

void
sq_trust_classify(const sq_trace_opts *o, sq_trust_walk *w, sq_relay *r)
{
    int auth = relay_auth(r);
    int own = o->nhosts > 0 && own_host(o, r->f[SQ_RELAY_BY]);

    if (w->in_trusted && !w->found_msa) {
        if (o->nets_configured)
            classify_configured(o, w, r, auth);
        else
            classify_inferred(o, w, r, auth, own);
    }
    if (own)
        w->seen_own = 1;
    r->trusted = w->in_trusted ? 1u : 0u;
    r->internal = w->in_internal ? 1u : 0u;
}

/* ------------------------------------------------------------------ */
/* originating-IP headers                                             */

static const char crosstenant[] =
    "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp";

/* A trusted relay received by outlook.com or a host under it. */
static int
microsoft_trusted(const sq_trace *t)
{
    for (size_t i = 0; i < t->nreceived; i++)
        if (t->relays[i]->trusted &&
            sq_trust_host_match(".outlook.com", t->relays[i]->f[SQ_RELAY_BY]))
            return 1;
    return 0;
}

static int
ip_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* The first IP address in [v, v+len), like SpamAssassin's
 * m/($IP_ADDRESS)/ on the header text. */
static int
first_ip(const char *v, size_t len, sq_ipaddr *a)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i;

        while (j < len && ip_char(v[j]))
            j++;
        if (j > i && j - i <= 45 && sq_ipaddr_parse(v + i, j - i, a))
            return 1;
        i = j + 1;
    }
    return 0;
}

static sq_status
add_synthetic(const sq_trace_opts *o, sq_trace *t, sq_trust_walk *w,
              const sq_ipaddr *a, const char *name)
{
    char ip[46];
    size_t n = sq_ipaddr_format(a, ip);
    sq_relay *r = sq_relay_alloc();

    if (r == NULL)
        return SQ_ENOMEM;
    r->addr = *a;
    if (!sq_relay_set(r, SQ_RELAY_IP, ip, n) ||
        !sq_relay_note(r, "originating-header"))
        goto nomem;
    if (t->nreceived == 0) {
        t->orig_unverified = 1;
        if (!sq_trace_warnf(t,
                            "%s used although no Received relay shows "
                            "who wrote it",
                            name))
            goto nomem;
    }
    sq_trust_classify(o, w, r);
    if (!sq_trace_push(t, r))
        goto nomem;
    return SQ_OK;
nomem:
    sq_relay_free(r);
    return SQ_ENOMEM;
}

/* 1: use it, 0: ignore (warned), -1: out of memory. */
static int
orig_allowed(const sq_trace *t, const char *name, const sq_ipaddr *a,
             int all_trusted)
{
    sq_trace *tw = (sq_trace *)t;
    char ip[46];

    sq_ipaddr_format(a, ip);
    if (sq_ipaddr_class(a) & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED))
        return sq_trace_warnf(tw, "%s: %s is not a public address; ignored",
                              name, ip)
                   ? 0
                   : -1;
    if (!all_trusted)
        return sq_trace_warnf(tw,
                              "%s: %s ignored: untrusted relays could have "
                              "written the header",
                              name, ip)
                   ? 0
                   : -1;
    if (strcasecmp(name, crosstenant) == 0 && !microsoft_trusted(t))
        return sq_trace_warnf(tw,
                              "%s: %s ignored: no trusted outlook.com relay "
                              "could have written the header",
                              name, ip)
                   ? 0
                   : -1;
    return 1;
}

sq_status
sq_trust_originating(const sq_trace_opts *o, const sq_headers *h, sq_trace *t,
                     sq_trust_walk *w)
{
    int all_trusted = t->n == 0 || t->relays[t->n - 1]->trusted;

    for (size_t k = 0; k < o->norig; k++) {
        size_t len = 0;
        const char *v;
        sq_ipaddr a;
        int ok;

        if (t->orig_at[k] == 0)
            continue;
        v = sq_headers_value(h, t->orig_at[k] - 1, &len);
        if (!first_ip(v, len, &a))
            continue;
        ok = orig_allowed(t, o->orig[k], &a, all_trusted);
        if (ok < 0)
            return SQ_ENOMEM;
        if (ok)
            return add_synthetic(o, t, w, &a, o->orig[k]);
    }
    return SQ_OK;
}

/* ------------------------------------------------------------------ */
/* chain continuity                                                   */

/* Second-level labels that form a public suffix with a two-letter
 * country TLD (co.uk, com.au, ne.jp, org.br, gov.in, ...).  Other names
 * under a ccTLD (gmx.de, wp.pl, sfr.fr) are registrable themselves. */
static const char *const cc_slds[] = {
    "ac",   "ad",  "asn", "biz", "co",   "com", "ed", "edu", "firm",
    "gen",  "go",  "gob", "gov", "govt", "gr",  "id", "idv", "ind",
    "info", "int", "lg",  "ltd", "me",   "mil", "ne", "net", "nhs",
    "nic",  "nom", "or",  "org", "plc",  "sch",
};

/* Top-level labels of private names (mDNS, home routers, split DNS):
 * a name under one of them gives no evidence about who sent a hop. */
static const char *const private_tlds[] = {
    "corp",  "home",        "internal", "intranet", "lan",
    "local", "localdomain", "localnet", "private",
};

/*
 * Operators whose mail hosts use names under several registrable
 * domains (Gmail submits through smtp.gmail.com and relays from
 * mail-*.google.com; Microsoft 365 mixes outlook.com, office365.com and
 * microsoft.com; ...).  Names under two domains of one family are
 * continuous.  Keep the table short: each entry lets a forger claim any
 * host of that family without a chain break.
 */
#define FAMILY_MAX 5
static const char *const operators[][FAMILY_MAX] = {
    {"google.com", "gmail.com", "googlemail.com", "1e100.net"},
    {"outlook.com", "office365.com", "microsoft.com", "hotmail.com",
     "live.com"},
    {"yahoo.com", "yahoodns.net", "yahoo.net"},
    {"amazonses.com", "amazonaws.com"},
    {"icloud.com", "me.com", "apple.com"},
    {"pphosted.com", "ppops.net"}, /* Proofpoint */
};

/* A host name of one relay, prepared once for the chain check. */
typedef struct chain_name {
    char s[HOSTBUF]; /* norm_host() form; only set when real */
    size_t len;
    int real; /* a real host name: evidence for or against a break */
} chain_name;

static int
in_words(const char *s, size_t n, const char *const *w, size_t nw)
{
    for (size_t i = 0; i < nw; i++)
        if (w[i][0] == s[0] && strncmp(w[i], s, n) == 0 && w[i][n] == '\0')
            return 1;
    return 0;
}

#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

/* Offset of the registrable domain of a real host name: its last two
 * labels, or three when the last is a two-letter country TLD and the
 * second-to-last is in cc_slds. */
static size_t
reg_offset(const char *s, size_t len)
{
    size_t dot[3], nd = 0;

    for (size_t i = len; i-- > 0 && nd < 3;)
        if (s[i] == '.')
            dot[nd++] = i;
    if (nd < 2)
        return 0;
    if (len - dot[0] - 1 == 2 &&
        in_words(s + dot[1] + 1, dot[0] - dot[1] - 1, cc_slds, NWORDS(cc_slds)))
        return nd == 3 ? dot[2] + 1 : 0;
    return dot[1] + 1;
}

/* 1 + the row of operators[] holding domain [d, d+n), or 0. */
static size_t
operator_family(const char *d, size_t n)
{
    for (size_t i = 0; i < NWORDS(operators); i++)
        for (size_t j = 0; j < FAMILY_MAX && operators[i][j] != NULL; j++)
            if (strlen(operators[i][j]) == n &&
                memcmp(operators[i][j], d, n) == 0)
                return i + 1;
    return 0;
}

/* Normalise s like norm_host() into n and decide whether it is a real
 * host name: two or more labels of letters, digits, '-' and '_', the
 * last not all digits (no address literal: those have ':' or a numeric
 * last label), not localhost.* and not under a private TLD.  Single
 * labels ("localhost", "mail", "unknown") and over-long names give no
 * evidence.  One pass; n->s is left unset for names that are not real. */
static void
chain_name_set(chain_name *n, const char *s)
{
    size_t len = strlen(s), i = 0, o = 0, lab = 0, dots = 0, last = 0;
    int digits = 1;

    n->real = 0;
    while (i < len && (s[i] == '!' || s[i] == '['))
        i++;
    while (len > i &&
           (s[len - 1] == '!' || s[len - 1] == ']' || s[len - 1] == '.'))
        len--;
    if (len - i >= HOSTBUF - 1)
        return;
    for (; i < len; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '.') {
            if (lab == 0)
                return;
            dots++;
            lab = 0;
            digits = 1;
            last = o + 1;
        } else if ((c >= 'a' && c <= 'z') || c == '-' || c == '_') {
            lab++;
            digits = 0;
        } else if (c >= '0' && c <= '9') {
            lab++;
        } else {
            return;
        }
        n->s[o++] = c;
    }
    if (dots == 0 || digits)
        return;
    n->s[o] = '\0';
    n->len = o;
    if (o > 10 && memcmp(n->s, "localhost.", 10) == 0)
        return;
    n->real =
        !in_words(n->s + last, o - last, private_tlds, NWORDS(private_tlds));
}

/* Two real names of one host or one organisation: the same registrable
 * domain or two domains of one operator family. */
static int
same_operator(const chain_name *a, const chain_name *b)
{
    size_t ar, br, fa;

    if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0)
        return 1;
    ar = reg_offset(a->s, a->len);
    br = reg_offset(b->s, b->len);
    if (a->len - ar == b->len - br &&
        memcmp(a->s + ar, b->s + br, a->len - ar) == 0)
        return 1;
    fa = operator_family(a->s + ar, a->len - ar);
    return fa != 0 && fa == operator_family(b->s + br, b->len - br);
}

/* The names that say who sent relay r: helo and rdns, and for a
 * loopback hop (a hand-over on one host) the host that received it. */
typedef struct chain_senders {
    chain_name name[3];
    size_t n;
} chain_senders;

static void
chain_senders_set(chain_senders *cs, const sq_relay *r)
{
    static const sq_relay_field f[3] = {SQ_RELAY_BY, SQ_RELAY_HELO,
                                        SQ_RELAY_RDNS};
    size_t k = (relay_class(r) & SQ_IP_LOOPBACK) != 0 ? 0 : 1;

    cs->n = 0;
    for (; k < 3; k++) {
        chain_name_set(&cs->name[cs->n], r->f[f[k]]);
        cs->n += cs->name[cs->n].real != 0;
    }
}

/* 1 when the raw text of older's "by" equals a sender field of newer:
 * then the normalised names are equal too, so there is no break
 * whether or not they are real host names. */
static int
chain_same_text(const sq_relay *newer, const sq_relay *older)
{
    const char *by = older->f[SQ_RELAY_BY];

    return strcmp(by, newer->f[SQ_RELAY_HELO]) == 0 ||
           strcmp(by, newer->f[SQ_RELAY_RDNS]) == 0 ||
           ((relay_class(newer) & SQ_IP_LOOPBACK) != 0 &&
            strcmp(by, newer->f[SQ_RELAY_BY]) == 0);
}

/* 0 when older's "by" plausibly names the host that sent newer, or
 * there is no evidence either way; 1 for a break, with by and cs (the
 * first real sender name is cs->name[0]) set for the warning.  Each
 * relay field is normalised at most once per trace: "by" when the relay
 * is the older one of a pair, the sender names when it is the newer. */
static int
chain_break(const sq_relay *newer, const sq_relay *older, chain_name *by,
            chain_senders *cs)
{
    if (chain_same_text(newer, older))
        return 0;
    chain_name_set(by, older->f[SQ_RELAY_BY]);
    if (!by->real)
        return 0;
    chain_senders_set(cs, newer);
    for (size_t i = 0; i < cs->n; i++)
        if (same_operator(by, &cs->name[i]))
            return 0;
    return cs->n > 0;
}

static size_t
first_untrusted(const sq_trace *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (!t->relays[i]->trusted)
            break;
    return i;
}

/* Record a break between relays i (newer) and i + 1 (older). */
static sq_status
chain_report(sq_trace *t, size_t i, const chain_name *by,
             const chain_name *sent)
{
    char q1[SQ_TRACE_QUOTE_MAX + 4], q2[SQ_TRACE_QUOTE_MAX + 4];

    if (!sq_relay_note(t->relays[i + 1], "chain-break"))
        return SQ_ENOMEM;
    if (t->nbreaks++ == 0)
        t->first_break = i + 1;
    if (!sq_trace_warnf(t,
                        "hop %zu: chain break: received by \"%s\" but hop "
                        "%zu was sent by \"%s\"; hops from here on may be "
                        "forged",
                        i + 2, sq_trace_quote(by->s, q1), i + 1,
                        sq_trace_quote(sent->s, q2)))
        return SQ_ENOMEM;
    return SQ_OK;
}

sq_status
sq_trust_chain(sq_trace *t)
{
    chain_senders cs;
    chain_name by;

    for (size_t i = first_untrusted(t); i + 1 < t->nreceived; i++)
        if (chain_break(t->relays[i], t->relays[i + 1], &by, &cs) &&
            chain_report(t, i, &by, &cs.name[0]) != SQ_OK)
            return SQ_ENOMEM;
    return SQ_OK;
}

/* ------------------------------------------------------------------ */
/* the origin                                                         */

/* A reason word when r's HELO looks forged, else NULL. */
static const char *
forged_helo(const sq_trace_opts *o, const sq_relay *r)
{
    char helo[HOSTBUF], by[HOSTBUF];
    size_t hl = norm_host(r->f[SQ_RELAY_HELO], helo);
    size_t bl;
    sq_ipaddr a;

    if (hl == 0)
        return NULL;
    if (sq_ipaddr_parse(helo, hl, &a)) {
        unsigned c = sq_ipaddr_class(&a);

        if ((c & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED)) == 0 &&
            r->f[SQ_RELAY_IP][0] != '\0' && memcmp(a.b, r->addr.b, 16) != 0)
            return "helo is another host's IP literal";
        return NULL;
    }
    if (own_host(o, helo))
        return "helo names one of our own hosts";
    bl = norm_host(r->f[SQ_RELAY_BY], by);
    if (bl == hl && memcmp(helo, by, hl) == 0)
        return "helo names the receiving host";
    return NULL;
}

/* The next public untrusted relay after u, above the first break. */
static int
skip_private(sq_trace *t, size_t u, size_t *v)
{
    size_t lim = t->nbreaks > 0 ? t->first_break : t->n;

    for (size_t i = u + 1; i < lim; i++) {
        if (relay_public(t->relays[i])) {
            *v = i;
            return 1;
        }
    }
    return 0;
}

static sq_status
choose_origin(sq_trace *t, size_t u, sq_confidence base)
{
    sq_relay *r = t->relays[u];

    t->conf = base;
    if (strstr(r->f[SQ_RELAY_NOTES], "originating-header") != NULL) {
        t->reason = "web-mail submitter from an originating-IP header";
        if (t->orig_unverified)
            t->conf = SQ_CONF_LOW;
    } else if (!relay_public(r)) {
        if (!sq_relay_note(r, "private-skipped"))
            return SQ_ENOMEM;
        if (!skip_private(t, u, &u))
            return sq_trace_warnf(t,
                                  "hop %zu: first untrusted relay has a "
                                  "non-public address and no public "
                                  "relay follows it",
                                  u + 1)
                       ? SQ_OK
                       : SQ_ENOMEM;
        t->reason = "first public untrusted relay (non-public hop skipped)";
        if (t->conf > SQ_CONF_MEDIUM)
            t->conf = SQ_CONF_MEDIUM;
    } else {
        t->reason = base == SQ_CONF_HIGH
                        ? "first untrusted relay after configured trust "
                          "boundary"
                        : "first untrusted relay after inferred trust "
                          "boundary";
    }
    t->has_origin = 1;
    t->origin = u;
    return SQ_OK;
}

sq_status
sq_trust_origin(const sq_trace_opts *o, sq_trace *t)
{
    size_t u = first_untrusted(t);
    sq_confidence base = SQ_CONF_MEDIUM;
    const char *why;
    sq_relay *r;
    sq_status st;

    if (u == t->n)
        return SQ_OK;
    if (o->nets_configured ||
        (o->nhosts > 0 && own_host(o, t->relays[u]->f[SQ_RELAY_BY])))
        base = SQ_CONF_HIGH;
    st = choose_origin(t, u, base);
    if (st != SQ_OK || !t->has_origin)
        return st;
    if (t->nbreaks > 0)
        t->conf = SQ_CONF_LOW;
    r = t->relays[t->origin];
    why = forged_helo(o, r);
    if (why != NULL) {
        t->conf = SQ_CONF_LOW;
        if (!sq_relay_note(r, "forged-helo") ||
            !sq_trace_warnf(t, "hop %zu: origin looks forged: %s",
                            t->origin + 1, why))
            return SQ_ENOMEM;
    }
    return SQ_OK;
}
