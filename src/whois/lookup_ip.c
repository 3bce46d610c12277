/*
 * lookup_ip.c - answers for addresses, prefixes and AS numbers, and the
 * public entry point sq_whois_lookup().
 */
#include "lookup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- cache ---- */

int
lk_cache_on(const struct lk *l)
{
    return l->w->store != NULL && !(l->flags & SQ_WHOIS_NO_CACHE) &&
           l->w->cache_ttl > 0;
}

/* Replace l->a by a cached answer (keeping the query). */
static int
cache_adopt(struct lk *l, char *json)
{
    sq_whois_answer *c;

    if (json == NULL) {
        wa_warn(l->a, "nothing found (cached negative answer)");
        l->a->cached = 1;
        return 1;
    }
    c = wa_from_json(json, strlen(json));
    free(json);
    if (c == NULL)
        return 0;
    c->query = wa_str(c, l->a->query);
    c->kind = l->a->kind;
    c->cached = 1;
    sq_whois_answer_free(l->a);
    l->a = c;
    return 1;
}

int
lk_cache_get(struct lk *l, const char *key)
{
    char *json = NULL;
    sq_status st;

    if (!lk_cache_on(l))
        return 0;
    st = key != NULL ? wc_get_key(l->w->store, key, lk_now(), &json, l->d)
                     : wc_get_ip(l->w->store, &l->q.ip, lk_now(), &json, l->d);
    if (st != SQ_OK || !cache_adopt(l, json))
        return 0;
    lk_count(l->w, &l->w->stats.cache_hits);
    return 1;
}

static int
answer_empty(const sq_whois_answer *a)
{
    return a->ncontacts == 0 && !a->has_network && !a->has_origin;
}

void
lk_cache_put(struct lk *l, const char *key)
{
    long long now = lk_now();
    int neg = answer_empty(l->a);
    long long exp = now + (neg ? l->w->neg_ttl : l->w->cache_ttl);
    char *json;
    const sq_ipaddr *lo = &l->q.ip, *hi = &l->q.ip;

    /* an answer a failed source left without contacts is asked again */
    if (!lk_cache_on(l) || (neg && l->w->neg_ttl == 0) ||
        (l->transient && l->a->ncontacts == 0))
        return;
    json = neg ? NULL : wa_to_json(l->a);
    if (!neg && json == NULL)
        return;
    if (key != NULL) {
        wc_put_key(l->w->store, key, json, now, exp, l->d);
    } else {
        /* under the network's range when it covers the query */
        if (l->a->has_range && memcmp(l->a->lo.b, l->q.ip.b, 16) <= 0 &&
            memcmp(l->a->hi.b, l->q.ip.b, 16) >= 0 && l->a->lo.v4 == l->q.ip.v4)
            lo = &l->a->lo, hi = &l->a->hi;
        wc_put_range(l->w->store, lo, hi, json, now, exp, l->d);
    }
    free(json);
}

/* ---- overrides ---- */

/* 1 when an override decided the destination. */
static int
apply_override(struct lk *l, int found, const char *email, const char *note,
               const char *what)
{
    if (!found)
        return 0;
    if (email[0] == '\0') {
        l->a->ncontacts = 0;
        wa_warn(l->a, "override for %s: does not accept reports%s%s", what,
                note[0] ? ": " : "", note);
        return 1;
    }
    if (!wa_add_contact(l->a, email, strlen(email), SQ_ROLE_ABUSE,
                        SQ_SRC_OVERRIDE, "overrides", "", SQ_CONF_HIGH, 0))
        wa_warn(l->a, "override for %s: '%s' is not a usable address", what,
                email);
    return 1;
}

/* ---- upstreams ---- */

static void
upstream_contacts(struct lk *l)
{
    for (size_t i = 0;
         i < l->a->nupstreams && i < LK_MAX_UPSTREAM_LOOKUPS && l->level == 0;
         i++) {
        sq_asinfo *u = &l->a->upstreams[i];
        sq_whois_answer *s = NULL;
        sq_contact *cs;
        char q[32];
        size_t n = 0;

        snprintf(q, sizeof(q), "AS%lu", u->asn);
        if (lk_sub(l, q, &s) != SQ_OK || s == NULL)
            continue;
        cs = sq_arena_alloc(l->a->arena, 4 * sizeof(*cs));
        for (size_t j = 0; cs != NULL && j < s->ncontacts && n < 4; j++) {
            if (s->contacts[j].role != SQ_ROLE_ABUSE)
                continue;
            cs[n] = s->contacts[j];
            cs[n].email = wa_str(l->a, s->contacts[j].email);
            cs[n].where = wa_str(l->a, s->contacts[j].where);
            cs[n].handle = wa_str(l->a, s->contacts[j].handle);
            n++;
        }
        if (u->name[0] == '\0' && s->has_origin)
            u->name = wa_str(l->a, s->origin.name);
        u->contacts = cs;
        u->ncontacts = n;
        sq_whois_answer_free(s);
    }
}

/* ---- registries ---- */

static const char *
whois_query_text(wt_registry r, const char *q, int asn, char *buf, size_t len)
{
    if (r == WT_ARIN)
        snprintf(buf, len, "%s + %s", asn ? "a" : "n", q);
    else if (r == WT_RIPENCC)
        snprintf(buf, len, "-b %s", q);
    else
        snprintf(buf, len, "%s", q);
    return buf;
}

/* RDAP base+path+rq first; whois (query text from wq) only when RDAP
 * failed for a reason other than the registry's own limits. */
static void
ask_registries(struct lk *l, wt_registry r, const char *base, const char *path,
               const char *rq, const char *q, int asn)
{
    char url[700], wq[300];
    sq_status st = SQ_ENOTFOUND;
    const char *server = wt_whois_host(r);

    if (base != NULL) {
        snprintf(url, sizeof(url), "%s%s%s%s", base,
                 base[0] && base[strlen(base) - 1] == '/' ? "" : "/", path, rq);
        st = lk_rdap(l, r, url);
    }
    if (st == SQ_OK) {
        lk_follow_referrals(l, q);
        return;
    }
    /* the registry asked us to slow down: its whois is the same people */
    if (st == SQ_ERATELIMIT || st == SQ_EBLOCKED || st == SQ_ELOOP ||
        server[0] == '\0')
        return;
    if (lk_whois(l, server, whois_query_text(r, q, asn, wq, sizeof(wq))) ==
        SQ_OK)
        lk_follow_referrals(l, q);
}

/* The neighbourhood concurrent lookups share a registry question for:
 * the /16 of an IPv4 address, the /32 of an IPv6 one. */
static void
ip_key(const sq_ipaddr *ip, char *key, size_t len)
{
    if (ip->v4)
        snprintf(key, len, "4:%u.%u", ip->b[12], ip->b[13]);
    else
        snprintf(key, len, "6:%02x%02x%02x%02x", ip->b[0], ip->b[1], ip->b[2],
                 ip->b[3]);
}

/* Claim key; 1 when, after waiting, the cache now has the answer. */
static int
claim(struct lk *l, const char *key, const char *cache_key, int *slot)
{
    *slot = -1;
    if (!lk_cache_on(l))
        return 0;
    *slot = lk_inflight_enter(l->w, key);
    if (lk_cache_get(l, cache_key)) {
        lk_inflight_leave(l->w, *slot);
        *slot = -1;
        return 1;
    }
    return 0;
}

sq_status
lk_ip(struct lk *l)
{
    const char *email = "", *note = "";
    char ipt[64];
    wt_registry r = wt_lookup_ip(&l->q.ip);
    const char *boot =
        l->w->boot != NULL ? rdap_bootstrap_ip(l->w->boot, &l->q.ip) : NULL;
    const char *base = lk_rdap_base(l->w, r, boot);
    int ovr, slot = -1;
    char key[40];

    sq_ipaddr_format(&l->q.ip, ipt);
    if (l->q.kind == SQ_WQ_CIDR) {
        size_t n = strlen(ipt);

        snprintf(ipt + n, sizeof(ipt) - n, "/%u",
                 l->q.ip.v4 ? l->q.prefix - 96 : l->q.prefix);
    }
    ovr = wo_match_ip(l->w->ovr, &l->q.ip, &email, &note);
    ovr = apply_override(l, ovr, email, note, ipt);
    if (!ovr && (sq_ipaddr_class(&l->q.ip) &
                 (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED))) {
        wa_warn(l->a,
                "%s is a private, loopback or reserved address: no "
                "registry or network is responsible for it",
                ipt);
        return SQ_OK;
    }
    if (!ovr && lk_cache_get(l, NULL))
        return SQ_OK;
    ip_key(&l->q.ip, key, sizeof(key));
    if (!ovr && !(l->flags & SQ_WHOIS_OFFLINE) && claim(l, key, NULL, &slot))
        return SQ_OK;
    if (l->flags & SQ_WHOIS_OFFLINE) {
        if (!lk_offline(l, &l->q.ip))
            wa_warn(l->a, "%s",
                    l->w->pdb != NULL
                        ? "offline: not in the prefix database"
                        : "offline: no prefix database (squeaky db "
                          "import)");
    } else if (!ovr && r == WT_UNKNOWN && boot == NULL) {
        wa_warn(l->a, "no registry holds %s (reserved or unallocated)", ipt);
    } else if (!ovr) {
        ask_registries(l, r, base, "ip/", ipt, ipt, 0);
    }
    if (!(l->flags & (SQ_WHOIS_NO_DNS | SQ_WHOIS_OFFLINE))) {
        lk_dns_origin(l, &l->q.ip);
        if (!ovr && l->a->has_origin &&
            wo_match_asn(l->w->ovr, l->a->origin.asn, &email, &note))
            ovr = apply_override(l, 1, email, note, "the origin AS");
        if (!ovr && !lk_has_abuse(l->a))
            lk_dns_abusix(l, &l->q.ip);
    }
    if (!(l->flags & SQ_WHOIS_OFFLINE))
        lk_offline(l, &l->q.ip); /* fills only what is still missing */
    if (!(l->flags & (SQ_WHOIS_NO_DNS | SQ_WHOIS_OFFLINE)))
        upstream_contacts(l);
    wa_sort_contacts(l->a);
    if (!ovr)
        lk_cache_put(l, NULL);
    lk_inflight_leave(l->w, slot);
    return SQ_OK;
}

sq_status
lk_asn(struct lk *l)
{
    const char *email = "", *note = "";
    char key[32], num[24];
    wt_registry r = wt_lookup_asn(l->q.asn);
    const char *boot =
        l->w->boot != NULL ? rdap_bootstrap_asn(l->w->boot, l->q.asn) : NULL;
    int ovr, slot = -1;

    snprintf(key, sizeof(key), "AS%lu", l->q.asn);
    snprintf(num, sizeof(num), "%lu", l->q.asn);
    ovr = wo_match_asn(l->w->ovr, l->q.asn, &email, &note);
    ovr = apply_override(l, ovr, email, note, key);
    if (!ovr && lk_cache_get(l, key))
        return SQ_OK;
    if (!ovr && !(l->flags & SQ_WHOIS_OFFLINE) && claim(l, key, key, &slot))
        return SQ_OK;
    if (l->flags & SQ_WHOIS_OFFLINE)
        wa_warn(l->a, "offline: AS numbers need the network");
    else if (!ovr && r == WT_UNKNOWN && boot == NULL)
        wa_warn(l->a, "no registry holds %s (reserved or unallocated)", key);
    else if (!ovr)
        ask_registries(l, r, lk_rdap_base(l->w, r, boot), "autnum/", num,
                       r == WT_ARIN ? num : key, 1);
    if (!l->a->has_origin) {
        l->a->has_origin = 1;
        l->a->origin.asn = l->q.asn;
        l->a->origin.registry = wt_registry_name(r);
    }
    l->a->origin.relation = "queried AS";
    if (!(l->flags & (SQ_WHOIS_NO_DNS | SQ_WHOIS_OFFLINE)) &&
        l->a->origin.name[0] == '\0')
        lk_dns_asname(l, &l->a->origin);
    wa_sort_contacts(l->a);
    if (!ovr)
        lk_cache_put(l, key);
    lk_inflight_leave(l->w, slot);
    return SQ_OK;
}

static sq_status
run(struct lk *l)
{
    switch (l->q.kind) {
    case SQ_WQ_IP:
    case SQ_WQ_CIDR:
        return lk_ip(l);
    case SQ_WQ_ASN:
        return lk_asn(l);
    case SQ_WQ_DOMAIN:
    case SQ_WQ_URL:
        return lk_domain(l);
    }
    return SQ_EINVAL;
}

static sq_status
lookup(sq_whois *w, const char *query, unsigned flags, int level, sq_diag *d,
       sq_whois_answer **out)
{
    struct lk l;
    sq_status st;

    memset(&l, 0, sizeof(l));
    l.w = w;
    l.flags = flags;
    l.d = d;
    l.level = level;
    st = wq_parse(query, strlen(query), &l.q, d);
    if (st != SQ_OK)
        return st;
    l.a = wa_new(l.q.canon, l.q.kind);
    if (l.a == NULL)
        return SQ_ENOMEM;
    lk_count(w, &w->stats.lookups);
    st = run(&l);
    wn_dns_free(l.dns);
    if (st != SQ_OK) {
        sq_whois_answer_free(l.a);
        return st;
    }
    *out = l.a;
    return answer_empty(l.a) && l.a->nhosts == 0 ? SQ_ENOTFOUND : SQ_OK;
}

sq_status
lk_sub(struct lk *parent, const char *query, sq_whois_answer **out)
{
    sq_status st =
        lookup(parent->w, query, parent->flags, parent->level + 1, NULL, out);

    return st == SQ_ENOTFOUND ? SQ_OK : st;
}

SQ_API sq_status
sq_whois_lookup(sq_whois *w, const char *query, unsigned flags, sq_diag *d,
                sq_whois_answer **out)
{
    if (w == NULL || query == NULL || out == NULL)
        return SQ_EINVAL;
    *out = NULL;
    return lookup(w, query, flags, 0, d, out);
}
