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
