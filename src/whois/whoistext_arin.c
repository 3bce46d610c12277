/*
 * whoistext_arin.c - ARIN's port-43 answers ("NetRange:", "OrgName:",
 * "OrgAbuseEmail:" ...).
 *
 * One answer may hold several networks, less specific first: each
 * "NetRange:" line opens a section.  The last section is the network;
 * its OrgAbuseEmail / RAbuseEmail are the abuse contacts.  When it has
 * none (a customer reassignment), the abuse contacts of the sections
 * before it stand in; when it has some, theirs become fallbacks.
 * Tech, NOC and admin e-mails are fallbacks with their roles; Comment:
 * addresses are free text.  "ReferralServer:" (whois:// or rwhois://,
 * the last one wins) becomes the referral.  A network "Allocated to" or
 * "Transferred to" another registry is a stub: referral, no contacts.
 * Also the RWhois answers (RFC 2167) such referrals lead to:
 * "network:IP-Network:" (the smallest one) and friends, and contact
 * e-mails in the role the network's "Abuse-Contact;I:" etc. give their
 * ID (abuse high, others and unreferenced ones fallback).
 *
 * Ownership: reads the caller's text; keeps nothing but arena copies.
 * Limits: lines as in whoistext_int.h; HANDLES remembered handles per
 * section.
 */
#include "whois/whoistext_int.h"

#include <string.h>

enum { HANDLES = 8 };

typedef struct arin_sec {
    const char *from, *to; /* [from, to) of the text */
    int primary;           /* the network's own section */
    int demote;            /* abuse e-mails become fallbacks */
    struct {
        const char *prefix, *h;
        size_t pn, hn;
    } handles[HANDLES];
    size_t nhandles;
    size_t nabuse;
} arin_sec;

static int
ends_with(const char *k, size_t kl, const char *suffix, size_t *plen)
{
    size_t sl = strlen(suffix);

    if (kl <= sl || !sq_strncaseeq(k + kl - sl, sl, suffix))
        return 0;
    *plen = kl - sl;
    return 1;
}

static sq_contact_role
prefix_role(const char *p, size_t n)
{
    if (wt_has(p, n, "abuse"))
        return SQ_ROLE_ABUSE;
    if (wt_has(p, n, "noc"))
        return SQ_ROLE_NOC;
    if (wt_has(p, n, "tech") || wt_has(p, n, "routing") || wt_has(p, n, "dns"))
        return SQ_ROLE_TECH;
    return SQ_ROLE_ADMIN;
}

static void
remember_handle(arin_sec *s, const char *p, size_t pn, const char *h, size_t hn)
{
    size_t i;

    for (i = 0; i < s->nhandles; i++)
        if (s->handles[i].pn == pn && memcmp(s->handles[i].prefix, p, pn) == 0)
            break;
    if (i == s->nhandles) {
        if (s->nhandles >= HANDLES)
            return;
        s->nhandles++;
    }
    s->handles[i].prefix = p;
    s->handles[i].pn = pn;
    s->handles[i].h = h;
    s->handles[i].hn = hn;
}

static const char *
handle_of(wt_ctx *c, const arin_sec *s, const char *p, size_t pn)
{
    for (size_t i = 0; i < s->nhandles; i++)
        if (s->handles[i].pn == pn && memcmp(s->handles[i].prefix, p, pn) == 0)
            return wt_handle(c, s->handles[i].h, s->handles[i].hn);
    return "";
}

static void
email_line(wt_ctx *c, arin_sec *s, const char *k, size_t pn, const char *v,
           size_t vn)
{
    sq_contact_role role = prefix_role(k, pn);
    const char *h = handle_of(c, s, k, pn);

    if (role != SQ_ROLE_ABUSE) {
        wt_add_emails(c, v, vn, role, SQ_CONF_HIGH, 1, h);
        return;
    }
    if (s->demote)
        wt_add_emails(c, v, vn, role, SQ_CONF_MEDIUM, 1, h);
    else
        s->nabuse += wt_add_emails(c, v, vn, role, SQ_CONF_HIGH, 0, h);
}

static void
field_line(wt_ctx *c, const arin_sec *s, const char *k, size_t kl,
           const char *v, size_t vn)
{
    sq_whois_answer *a = c->a;

    if (s->primary && sq_strncaseeq(k, kl, "NetRange"))
        wt_set_range_any(c, v, vn);
    else if (s->primary && sq_strncaseeq(k, kl, "CIDR") && !a->has_range) {
        const char *comma = memchr(v, ',', vn);

        wt_set_range_any(c, v, comma ? (size_t)(comma - v) : vn);
    } else if (s->primary && sq_strncaseeq(k, kl, "NetHandle"))
        wa_set_net_field(a, &a->net.handle, v, vn);
    else if (sq_strncaseeq(k, kl, "NetName"))
        wa_set_net_field(a, &a->net.name, v, vn);
    else if (sq_strncaseeq(k, kl, "Organization") ||
             sq_strncaseeq(k, kl, "OrgName") ||
             sq_strncaseeq(k, kl, "CustName") ||
             sq_strncaseeq(k, kl, "Customer"))
        wa_set_net_field(a, &a->net.org, v, vn);
    else if (sq_strncaseeq(k, kl, "Country"))
        wa_set_net_field(a, &a->net.country, v, vn);
    else if (s->primary && sq_strncaseeq(k, kl, "RegDate"))
        wt_set_date(c, v, vn);
    else if (sq_strncaseeq(k, kl, "OriginAS") && vn > 0)
        wt_set_origin(c, v, vn);
}

static void
section(wt_ctx *c, arin_sec *s)
{
    wt_lines it;
    const char *line, *k, *v, *prev = NULL;
    size_t n, kl, vn, pn, prevn = 0;

    wt_lines_init(&it, s->from, (size_t)(s->to - s->from));
    while (wt_lines_next(&it, &line, &n)) {
        if (!wt_split_attr(line, n, &k, &kl, &v, &vn))
            continue;
        if (sq_strncaseeq(k, kl, "Comment")) {
            if (memchr(v, '@', vn) != NULL)
                wt_add_free_text(c, v, vn, prev, prevn, "");
            else
                prev = v, prevn = vn;
            continue;
        }
        prev = NULL;
        if (ends_with(k, kl, "Handle", &pn) && pn > 0 &&
            !sq_strncaseeq(k, kl, "NetHandle"))
            remember_handle(s, k, pn, v, vn);
        else if (ends_with(k, kl, "Email", &pn) && pn > 0)
            email_line(c, s, k, pn, v, vn);
        else
            field_line(c, s, k, kl, v, vn);
    }
}

/* Where the last network starts, the last referral, and whether that
 * network belongs to another registry. */
static const char *
scan(const char *txt, size_t len, const char **ref, size_t *refn,
     wt_registry *other)
{
    wt_lines it;
    const char *line, *k, *v, *last = NULL, *cidr = NULL;
    size_t n, kl, vn;

    *other = WT_UNKNOWN;
    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        if (!wt_split_attr(line, n, &k, &kl, &v, &vn))
            continue;
        if (sq_strncaseeq(k, kl, "NetRange")) {
            last = line;
            *other = WT_UNKNOWN;
        } else if (sq_strncaseeq(k, kl, "CIDR") && cidr == NULL) {
            cidr = line;
        } else if (sq_strncaseeq(k, kl, "ReferralServer") && vn > 0) {
            *ref = v;
            *refn = vn;
        } else if (sq_strncaseeq(k, kl, "NetType") &&
                   (wt_has(v, vn, "allocated to") ||
                    wt_has(v, vn, "transferred to"))) {
            wt_registry r = wt_registry_in_text(v, vn);

            *other = r != WT_ARIN ? r : WT_UNKNOWN;
        }
    }
    return last != NULL ? last : cidr != NULL ? cidr : txt;
}

sq_status
wt_parse_arin(wt_ctx *c, const char *txt, size_t len)
{
    const char *ref = NULL, *split, *end = txt + len;
    size_t refn = 0;
    wt_registry other;
    arin_sec last = {0}, before = {0};

    split = scan(txt, len, &ref, &refn, &other);
    if (ref != NULL)
        wt_set_referral(c, ref, refn);
    if (other != WT_UNKNOWN) {
        const char *host = wt_whois_host(other);

        if (ref == NULL && host[0] != '\0')
            wt_set_referral(c, host, strlen(host));
        wa_warn(c->a, "ARIN: %s is managed by %s", c->a->query,
                wt_registry_name(other));
        return SQ_OK;
    }
    last.from = split;
    last.to = end;
    last.primary = 1;
    section(c, &last);
    before.from = txt;
    before.to = split;
    before.demote = last.nabuse > 0;
    section(c, &before);
    if (c->a->has_network)
        wt_set_registry(c);
    return SQ_OK;
}

/* ------------------------------------------------------------------ */
/* RWhois (RFC 2167), where ARIN's ReferralServer often points:        */
/* "network:IP-Network:192.0.2.0/24", "contact:Email:x@y".            */
/* ------------------------------------------------------------------ */

enum { RW_HANDLES = 8 };

typedef struct rw_state {
    struct {
        const char *h;
        size_t hn;
        sq_contact_role role;
    } refs[RW_HANDLES]; /* Abuse-Contact;I: / Tech-Contact;I: ... */
    size_t nrefs;
    const char *id; /* the contact block's ID */
    size_t idn;
    int has_best;
    sq_ipaddr lo, hi;
} rw_state;

/* "class:Key[;I]:value" */
static int
rw_split(const char *s, size_t n, const char **cls, size_t *cn, const char **k,
         size_t *kn, int *ref, const char **v, size_t *vn)
{
    const char *c1 = memchr(s, ':', n), *c2, *semi;

    if (c1 == NULL || c1 == s || (size_t)(c1 - s) > WT_KEY_MAX)
        return 0;
    c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s));
    if (c2 == NULL || (size_t)(c2 - c1) > WT_KEY_MAX)
        return 0;
    *cls = s;
    *cn = (size_t)(c1 - s);
    *k = c1 + 1;
    *kn = (size_t)(c2 - *k);
    semi = memchr(*k, ';', *kn);
    *ref = semi != NULL;
    if (semi != NULL)
        *kn = (size_t)(semi - *k);
    *v = c2 + 1;
    *vn = n - (size_t)(*v - s);
    wt_trim(v, vn);
    return 1;
}

static void
email_rw(wt_ctx *c, sq_contact_role role, const char *v, size_t vn,
         const char *h)
{
    wt_add_emails(c, v, vn, role, SQ_CONF_HIGH, role != SQ_ROLE_ABUSE, h);
}

static void
rw_network(wt_ctx *c, rw_state *st, const char *k, size_t kn, int ref,
           const char *v, size_t vn)
{
    sq_whois_answer *a = c->a;
    sq_ipaddr lo, hi;

    if (ref) {
        if (st->nrefs < RW_HANDLES && wt_has(k, kn, "contact")) {
            st->refs[st->nrefs].h = v;
            st->refs[st->nrefs].hn = vn;
            st->refs[st->nrefs].role = prefix_role(k, kn);
            st->nrefs++;
        }
        return;
    }
    if (sq_strncaseeq(k, kn, "IP-Network") && wt_range_parse(v, vn, &lo, &hi) &&
        (!st->has_best || wt_range_cmp_size(&lo, &hi, &st->lo, &st->hi) < 0)) {
        st->has_best = 1;
        st->lo = lo;
        st->hi = hi;
    } else if (sq_strncaseeq(k, kn, "Network-Name")) {
        wa_set_net_field(a, &a->net.name, v, vn);
    } else if (sq_strncaseeq(k, kn, "Org-Name") ||
               sq_strncaseeq(k, kn, "Organization")) {
        wa_set_net_field(a, &a->net.org, v, vn);
    } else if (wt_has(k, kn, "Country")) {
        wa_set_net_field(a, &a->net.country, v, vn);
    } else if (wt_has(k, kn, "mail")) {
        email_rw(c, prefix_role(k, kn), v, vn, "");
    }
}

/* A contact's e-mail takes the role the network gave its ID. */
static void
rw_contact(wt_ctx *c, rw_state *st, const char *k, size_t kn, const char *v,
           size_t vn)
{
    sq_contact_role role = SQ_ROLE_ADMIN;

    if (sq_strncaseeq(k, kn, "ID") || sq_strncaseeq(k, kn, "Handle")) {
        st->id = v;
        st->idn = vn;
        return;
    }
    if (!wt_has(k, kn, "mail"))
        return;
    for (size_t i = 0; i < st->nrefs; i++)
        if (st->id != NULL && st->refs[i].hn == st->idn &&
            sq_memcasemem(st->refs[i].h, st->idn, st->id, st->idn) ==
                st->refs[i].h) {
            role = st->refs[i].role;
            break;
        }
    email_rw(c, role, v, vn,
             st->id != NULL ? wt_handle(c, st->id, st->idn) : "");
}

int
wt_is_rwhois(const char *txt, size_t len)
{
    size_t head = len < 4096 ? len : 4096;

    return wt_has(txt, head, "%rwhois") ||
           wt_has(txt, head, "network:IP-Network:") ||
           wt_has(txt, head, "network:Class-Name:");
}

sq_status
wt_parse_rwhois(wt_ctx *c, const char *txt, size_t len)
{
    rw_state st;
    wt_lines it;
    const char *line, *cls, *k, *v;
    size_t n, cn, kn, vn;
    int ref;

    memset(&st, 0, sizeof(st));
    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        if (n == 0) {
            st.id = NULL;
            continue;
        }
        if (line[0] == '%' ||
            !rw_split(line, n, &cls, &cn, &k, &kn, &ref, &v, &vn) || vn == 0)
            continue;
        if (sq_strncaseeq(cls, cn, "network"))
            rw_network(c, &st, k, kn, ref, v, vn);
        else if (sq_strncaseeq(cls, cn, "contact"))
            rw_contact(c, &st, k, kn, v, vn);
        else if (!ref && wt_has(k, kn, "mail"))
            email_rw(c, SQ_ROLE_ADMIN, v, vn, "");
    }
    if (st.has_best)
        wa_set_range(c->a, &st.lo, &st.hi);
    return SQ_OK;
}
