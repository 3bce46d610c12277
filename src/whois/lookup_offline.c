/*
 * lookup_offline.c - the offline prefix database as a whois source:
 * origin AS and name, the routed prefix, an abuse contact from RIR
 * dumps and providers from CAIDA as-rel, with the source named (and
 * attributed) in the answer.  It only fills what the other sources
 * left empty; with --offline it is the only source besides overrides.
 */
#include "lookup_int.h"

#include <stdio.h>
#include <string.h>

void
lk_offline_open(sq_whois *w, const sq_config *cfg)
{
    const char *path = sq_config_get(cfg, "prefix_db");

    if (sq_prefixdb_open(path != NULL && path[0] != '\0' ? path : NULL, NULL,
                         &w->pdb) != SQ_OK)
        w->pdb = NULL; /* absent or unreadable: the source is skipped */
}

static void
attribution(struct lk *l, const char *source)
{
    sq_prefixdb_info in;

    sq_prefixdb_get_info(l->w->pdb, &in);
    for (size_t i = 0; i < in.nsources; i++) {
        const char *name, *date, *attr;
        size_t n;

        if (sq_prefixdb_source(l->w->pdb, i, &name, &date, &n, &attr) ==
                SQ_OK &&
            strcmp(name, source) == 0 && attr[0] != '\0')
            wa_warn(l->a, "offline data from %s: %s", name, attr);
    }
}

static void
providers(struct lk *l, unsigned long asn)
{
    unsigned long ups[WA_MAX_UPSTREAMS];
    const char *name, *cc, *abuse;
    size_t n = 0;

    if (l->a->nupstreams > 0 ||
        sq_prefixdb_as(l->w->pdb, asn, &name, &cc, &abuse, ups,
                       WA_MAX_UPSTREAMS, &n) != SQ_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        sq_asinfo *u = &l->a->upstreams[l->a->nupstreams++];
        const char *un = "", *ucc = "", *uab = "";
        size_t dummy;

        memset(u, 0, sizeof(*u));
        sq_prefixdb_as(l->w->pdb, ups[i], &un, &ucc, &uab, NULL, 0, &dummy);
        u->asn = ups[i];
        u->name = wa_str(l->a, un);
        u->country = wa_str(l->a, ucc);
        u->registry = "";
        u->relation = "provider (offline: CAIDA as-rel)";
    }
}

int
lk_offline(struct lk *l, const sq_ipaddr *ip)
{
    sq_prefixdb_result res;
    sq_whois_answer *a = l->a;
    char txt[46];

    if (l->w->pdb == NULL)
        return 0;
    sq_ipaddr_format(ip, txt);
    if (sq_prefixdb_lookup(l->w->pdb, txt, strlen(txt), &res) != SQ_OK)
        return 0;
    if (!a->has_origin && res.asn != 0) {
        a->has_origin = 1;
        a->origin.asn = res.asn;
        a->origin.name = wa_str(a, res.as_name);
        a->origin.country = wa_str(a, res.country);
        a->origin.registry = wa_str(a, res.registry);
        a->origin.relation = wa_str(a, "origin (offline prefix database)");
    }
    if (!a->has_range)
        wa_set_cidr_text(a, res.prefix, strlen(res.prefix));
    wa_set_net_field(a, &a->net.country, res.country, strlen(res.country));
    wa_set_net_field(a, &a->net.registry, res.registry, strlen(res.registry));
    if (res.abuse[0] != '\0')
        wa_add_contact(a, res.abuse, strlen(res.abuse), SQ_ROLE_ABUSE,
                       SQ_SRC_OFFLINE, res.source, "", SQ_CONF_HIGH, 0);
    if (res.asn != 0)
        providers(l, res.asn);
    attribution(l, res.source);
    return 1;
}
