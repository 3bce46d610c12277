/*
 * lookup_domain.c - domains and URLs: the registrar and its abuse
 * contact (RDAP), abuse.net, the domain's own abuse@ (RFC 2142, low
 * confidence), and the hosting network of each resolved address.
 */
#include "lookup_int.h"

#include <stdio.h>
#include <string.h>

enum { LK_MAX_HOST_ADDRS = 4 };

static void
registrar(struct lk *l, const char *dom)
{
    const char *boot =
        l->w->boot != NULL ? rdap_bootstrap_domain(l->w->boot, dom) : NULL;
    const char *base = boot;
    const char *o = NULL;
    char url[700];

    for (size_t i = 0; i < l->w->nrdap; i++)
        if (strcmp(l->w->rdap[i].name, "*") == 0 ||
            strcasecmp(l->w->rdap[i].name, "domain") == 0)
            o = l->w->rdap[i].value;
    if (o != NULL)
        base = o;
    if (base == NULL)
        base = wt_rdap_dns_base(dom, strlen(dom));
    if (base == NULL) {
        wa_warn(l->a, "no RDAP service for the top-level domain of %s", dom);
        return;
    }
    snprintf(url, sizeof(url), "%s%sdomain/%s", base,
             base[0] && base[strlen(base) - 1] == '/' ? "" : "/", dom);
    if (lk_rdap(l, WT_UNKNOWN, url) == SQ_OK)
        lk_follow_referrals(l, dom);
}

static void
hosts(struct lk *l, const char *host)
{
    sq_ipaddr addrs[LK_MAX_HOST_ADDRS];
    size_t n = 0;
    wn_dns *r = lk_dns(l);

    if (r == NULL)
        return;
    lk_count(l->w, &l->w->stats.dns_queries);
    if (wn_dns_addrs(r, host, addrs, LK_MAX_HOST_ADDRS, &n, NULL) != SQ_OK) {
        wa_warn(l->a, "%s does not resolve", host);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ipt[46];
        sq_whois_answer *h = NULL;

        sq_ipaddr_format(&addrs[i], ipt);
        if (lk_sub(l, ipt, &h) == SQ_OK && h != NULL)
            wa_add_host(l->a, h);
    }
}

static void
ip_host(struct lk *l, const char *host)
{
    sq_whois_answer *h = NULL;

    if (lk_sub(l, host, &h) == SQ_OK && h != NULL)
        wa_add_host(l->a, h);
}

sq_status
lk_domain(struct lk *l)
{
    const char *host = l->q.host;
    const char *dom = l->q.registrable[0] ? l->q.registrable : host;
    char key[300], abuse[300];
    sq_ipaddr ip;

    if (sq_ipaddr_parse(host, strlen(host), &ip)) {
        ip_host(l, host); /* a URL with an address for a host */
        return SQ_OK;
    }
    snprintf(key, sizeof(key), "D:%s", dom);
    if (!lk_cache_get(l, key)) {
        int slot = lk_cache_on(l) ? lk_inflight_enter(l->w, key) : -1;

        if (slot >= 0 && lk_cache_get(l, key)) {
            lk_inflight_leave(l->w, slot);
            goto hosts;
        }
        if (l->flags & SQ_WHOIS_OFFLINE)
            wa_warn(l->a, "offline: domains need the network");
        else
            registrar(l, dom);
        if (!(l->flags & (SQ_WHOIS_NO_DNS | SQ_WHOIS_OFFLINE)))
            lk_dns_abusenet(l, dom);
        snprintf(abuse, sizeof(abuse), "abuse@%s", dom);
        wa_add_contact(l->a, abuse, strlen(abuse), SQ_ROLE_ABUSE,
                       SQ_SRC_RFC2142, "RFC 2142", "", SQ_CONF_LOW, 1);
        wa_sort_contacts(l->a);
        lk_cache_put(l, key);
        lk_inflight_leave(l->w, slot);
    }
hosts:
    if (!(l->flags & (SQ_WHOIS_NO_DNS | SQ_WHOIS_OFFLINE)))
        hosts(l, host);
    return SQ_OK;
}
