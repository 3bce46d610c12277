/*
 * lookup_dns.c - the DNS sources: Team Cymru (origin AS, BGP prefix,
 * upstream candidates from peer adjacency, AS names), Abusix
 * abuse-contacts (a fallback contact source) and abuse.net (domains).
 */
#include "lookup_int.h"

#include <stdio.h>
#include <string.h>

enum { LK_MAX_NAME_QUERIES = 8 };

wn_dns *
lk_dns(struct lk *l)
{
    if (l->dns == NULL &&
        wn_dns_new(l->w->dns_servers[0] ? l->w->dns_servers : NULL,
                   l->w->lim.timeout_ms, &l->dns, NULL) != SQ_OK)
        l->dns = NULL;
    return l->dns;
}

struct txt_acc {
    char txt[4][512];
    size_t n;
};

static void
txt_collect(void *arg, const char *txt, size_t n)
{
    struct txt_acc *acc = arg;

    if (acc->n >= 4)
        return;
    if (n >= sizeof(acc->txt[0]))
        n = sizeof(acc->txt[0]) - 1;
    memcpy(acc->txt[acc->n], txt, n);
    acc->txt[acc->n][n] = '\0';
    acc->n++;
}

/* TXT records of name into acc; 1 when any. */
static int
ask_txt(struct lk *l, const char *name, struct txt_acc *acc)
{
    wn_dns *r = lk_dns(l);
    sq_status st;

    acc->n = 0;
    if (r == NULL)
        return 0;
    lk_count(l->w, &l->w->stats.dns_queries);
    st = wn_dns_txt(r, name, txt_collect, acc, NULL);
    if (st != SQ_OK && st != SQ_ENOTFOUND) {
        wa_warn(l->a, "DNS %s: %s", name, sq_strerror(st));
        lk_count(l->w, &l->w->stats.failures);
    }
    return st == SQ_OK && acc->n > 0;
}

static void
set_origin(struct lk *l, const dnstxt_origin *o)
{
    sq_whois_answer *a = l->a;

    if (!a->has_origin) {
        a->has_origin = 1;
        a->origin.asn = o->asns[0];
        a->origin.country = wa_str(a, o->country);
        a->origin.registry = wa_str(a, o->registry);
        a->origin.relation = "origin (BGP, Team Cymru)";
    }
    if (!a->has_range && o->prefix[0] != '\0')
        wa_set_cidr_text(a, o->prefix, strlen(o->prefix));
    wa_set_net_field(a, &a->net.country, o->country, strlen(o->country));
    wa_set_net_field(a, &a->net.registry, o->registry, strlen(o->registry));
    wa_set_net_field(a, &a->net.allocated, o->allocated, strlen(o->allocated));
}

static void
add_upstreams(struct lk *l, const dnstxt_origin *p)
{
    sq_whois_answer *a = l->a;

    for (size_t i = 0; i < p->nasns && a->nupstreams < WA_MAX_UPSTREAMS; i++) {
        sq_asinfo *u = &a->upstreams[a->nupstreams];

        if (p->asns[i] == a->origin.asn)
            continue;
        memset(u, 0, sizeof(*u));
        u->asn = p->asns[i];
        u->name = u->country = u->registry = "";
        u->relation = "upstream-candidate (BGP adjacency, Team Cymru peer)";
        a->nupstreams++;
    }
}

void
lk_dns_origin(struct lk *l, const sq_ipaddr *ip)
{
    char name[300];
    struct txt_acc acc;
    dnstxt_origin o;

    if (!dnstxt_revname(
            ip, ip->v4 ? "origin.asn.cymru.com" : "origin6.asn.cymru.com", name,
            sizeof(name)) ||
        !ask_txt(l, name, &acc))
        return;
    for (size_t i = 0; i < acc.n; i++)
        if (dnstxt_parse_origin(acc.txt[i], strlen(acc.txt[i]), &o) &&
            o.nasns > 0) {
            set_origin(l, &o);
            break;
        }
    if (!l->a->has_origin)
        return;
    lk_dns_asname(l, &l->a->origin);
    if (ip->v4 &&
        dnstxt_revname(ip, "peer.asn.cymru.com", name, sizeof(name)) &&
        ask_txt(l, name, &acc))
        for (size_t i = 0; i < acc.n; i++)
            if (dnstxt_parse_origin(acc.txt[i], strlen(acc.txt[i]), &o))
                add_upstreams(l, &o);
    for (size_t i = 0; i < l->a->nupstreams && i < LK_MAX_NAME_QUERIES; i++)
        lk_dns_asname(l, &l->a->upstreams[i]);
}

void
lk_dns_asname(struct lk *l, sq_asinfo *as)
{
    char name[64], asname[256], cc[3];
    struct txt_acc acc;
    unsigned long asn;

    snprintf(name, sizeof(name), "AS%lu.asn.cymru.com", as->asn);
    if (as->asn == 0 || !ask_txt(l, name, &acc))
        return;
    for (size_t i = 0; i < acc.n; i++)
        if (dnstxt_parse_asname(acc.txt[i], strlen(acc.txt[i]), &asn, asname,
                                sizeof(asname), cc) &&
            asn == as->asn) {
            as->name = wa_str(l->a, asname);
            if (as->country[0] == '\0')
                as->country = wa_str(l->a, cc);
            return;
        }
}

struct add_ctx {
    struct lk *l;
    sq_contact_source src;
    sq_confidence conf;
    const char *where;
};

static void
add_one(void *arg, const char *email, size_t n)
{
    struct add_ctx *c = arg;

    wa_add_contact(c->l->a, email, n, SQ_ROLE_ABUSE, c->src, c->where, "",
                   c->conf, 0);
}

void
lk_dns_abusix(struct lk *l, const sq_ipaddr *ip)
{
    char name[300];
    struct txt_acc acc;
    struct add_ctx c = {l, SQ_SRC_DNS_ABUSIX, SQ_CONF_MEDIUM,
                        "abuse-contacts.abusix.zone"};

    if (!dnstxt_revname(ip, "abuse-contacts.abusix.zone", name, sizeof(name)) ||
        !ask_txt(l, name, &acc))
        return;
    for (size_t i = 0; i < acc.n; i++)
        dnstxt_parse_abusix(acc.txt[i], strlen(acc.txt[i]), add_one, &c);
}

void
lk_dns_abusenet(struct lk *l, const char *domain)
{
    char name[300];
    struct txt_acc acc;
    struct add_ctx c = {l, SQ_SRC_ABUSE_NET, SQ_CONF_LOW, "contacts.abuse.net"};

    if (snprintf(name, sizeof(name), "%s.contacts.abuse.net", domain) >=
            (int)sizeof(name) ||
        !ask_txt(l, name, &acc))
        return;
    for (size_t i = 0; i < acc.n; i++)
        dnstxt_parse_abusix(acc.txt[i], strlen(acc.txt[i]), add_one, &c);
}
