/*
 * whoistext_lacnic.c - LACNIC's answers (and registro.br / NIC.MX,
 * which share the format): an inetnum object with owner, ownerid,
 * country, owner-c / tech-c / abuse-c handles, then one nic-hdl (or
 * nic-hdl-br) object per contact with its e-mail.
 *
 * inetnum is written abbreviated ("200.57.128/19"); created is
 * YYYYMMDD.  The abuse contact is abuse-c -> nic-hdl -> e-mail (high);
 * owner-c and tech-c e-mails are fallbacks.  LACNIC's joint whois
 * relays other registries' answers after a "% ARIN resource:
 * whois.arin.net" line: those are parsed in that registry's format.
 *
 * Ownership: reads the caller's text; keeps nothing but arena copies.
 * Limits: as for RPSL objects (whoistext_int.h).
 */
#include "whois/whoistext_int.h"

#include <string.h>

/* "% RIPE resource: whois.ripe.net" -> the registry of that host. */
static wt_registry
relayed_registry(const char *txt, size_t len)
{
    wt_lines it;
    const char *line;
    size_t n;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        const char *r;
        size_t rn;

        if (n == 0 || line[0] != '%')
            continue;
        r = sq_memcasemem(line, n, "resource:", 9);
        if (r == NULL)
            continue;
        r += 9;
        rn = n - (size_t)(r - line);
        wt_trim(&r, &rn);
        return wt_registry_from_host(r, rn);
    }
    return WT_UNKNOWN;
}

static int
lacnic_family(wt_registry r)
{
    return r == WT_LACNIC || r == WT_NICBR || r == WT_NICMX || r == WT_UNKNOWN;
}

static int
is_inetnum(const wt_objects *o, const wt_obj *ob)
{
    return wt_obj_is(o, ob, "inetnum") || wt_obj_is(o, ob, "inet6num");
}

static const wt_obj *
pick_network(const wt_objects *o)
{
    const wt_obj *best = NULL;
    sq_ipaddr blo, bhi;

    for (size_t i = 0; i < o->nobjs; i++) {
        const wt_obj *ob = &o->objs[i];
        const wt_attr *k = &o->attrs[ob->first];
        sq_ipaddr lo, hi;
        int ok;

        if (!is_inetnum(o, ob))
            continue;
        ok = wt_range_parse(k->val, k->vlen, &lo, &hi);
        if (best == NULL ||
            (ok && wt_range_cmp_size(&lo, &hi, &blo, &bhi) <= 0)) {
            best = ob;
            if (ok)
                blo = lo, bhi = hi;
            else
                memset(&blo, 0xff, sizeof(blo)), memset(&bhi, 0, sizeof(bhi));
        }
    }
    return best;
}

static void
set_field(wt_ctx *c, const char **field, const wt_attr *at)
{
    if (at != NULL)
        wa_set_net_field(c->a, field, at->val, at->vlen);
}

static void
network_fields(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    const wt_attr *key = &o->attrs[net->first];
    const wt_attr *cr = wt_obj_get(o, net, "created");
    const wt_attr *as = wt_obj_get(o, net, "aut-num");
    sq_whois_answer *a = c->a;

    if (!wt_set_range_any(c, key->val, key->vlen))
        wt_warn_text(c, "unreadable network range", key->val, key->vlen);
    set_field(c, &a->net.handle, key);
    set_field(c, &a->net.name, wt_obj_get(o, net, "netname"));
    set_field(c, &a->net.org, wt_obj_get(o, net, "owner"));
    set_field(c, &a->net.country, wt_obj_get(o, net, "country"));
    if (cr != NULL)
        wt_set_date(c, cr->val, cr->vlen);
    if (as != NULL)
        wt_set_origin(c, as->val, as->vlen);
    wt_set_registry(c);
}

static void
contact(wt_ctx *c, const wt_objects *o, const wt_attr *ref,
        sq_contact_role role)
{
    const wt_obj *ob = wt_obj_find(o, ref->val, ref->vlen);
    const char *h;

    if (ob == NULL)
        return;
    h = wt_handle(c, ref->val, ref->vlen);
    for (size_t i = 0; i < ob->count; i++) {
        const wt_attr *at = &o->attrs[ob->first + i];

        if (sq_strncaseeq(at->key, at->klen, "e-mail") ||
            sq_strncaseeq(at->key, at->klen, "abuse-mailbox"))
            wt_add_emails(c, at->val, at->vlen, role, SQ_CONF_HIGH,
                          role != SQ_ROLE_ABUSE, h);
    }
}

static void
contacts(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    size_t refs = 0;

    for (size_t i = 0; i < net->count && refs < 16; i++) {
        const wt_attr *at = &o->attrs[net->first + i];

        if (sq_strncaseeq(at->key, at->klen, "abuse-c"))
            contact(c, o, at, SQ_ROLE_ABUSE), refs++;
        else if (sq_strncaseeq(at->key, at->klen, "owner-c") ||
                 sq_strncaseeq(at->key, at->klen, "admin-c"))
            contact(c, o, at, SQ_ROLE_ADMIN), refs++;
        else if (sq_strncaseeq(at->key, at->klen, "tech-c"))
            contact(c, o, at, SQ_ROLE_TECH), refs++;
        else if (sq_strncaseeq(at->key, at->klen, "remarks"))
            wt_add_free_text(c, at->val, at->vlen, NULL, 0, "");
        else if (sq_strncaseeq(at->key, at->klen, "abuse-mailbox"))
            wt_add_emails(c, at->val, at->vlen, SQ_ROLE_ABUSE, SQ_CONF_HIGH, 0,
                          "");
    }
}

/* An AS query: the aut-num object stands for the network. */
static const wt_obj *
pick_autnum(wt_ctx *c, const wt_objects *o)
{
    for (size_t i = 0; i < o->nobjs; i++) {
        const wt_obj *ob = &o->objs[i];
        const wt_attr *k = &o->attrs[ob->first], *ow;

        if (!wt_obj_is(o, ob, "aut-num") || !wt_set_origin(c, k->val, k->vlen))
            continue;
        ow = wt_obj_get(o, ob, "owner");
        if (ow != NULL)
            c->a->origin.name = wa_strn(c->a, ow->val, ow->vlen);
        ow = wt_obj_get(o, ob, "country");
        if (ow != NULL)
            c->a->origin.country = wa_strn(c->a, ow->val, ow->vlen);
        return ob;
    }
    return NULL;
}

sq_status
wt_parse_lacnic(wt_ctx *c, const char *txt, size_t len)
{
    wt_registry r = relayed_registry(txt, len);
    const wt_obj *net;
    wt_objects o;
    sq_status st;

    if (!lacnic_family(r) && c->depth < WT_DISPATCH_DEPTH) {
        c->depth++;
        return wt_dispatch(c, r, txt, len);
    }
    st = wt_objects_parse(c, txt, len, &o);
    if (st != SQ_OK)
        return st;
    net = pick_network(&o);
    if (net != NULL)
        network_fields(c, &o, net);
    else
        net = pick_autnum(c, &o);
    if (net != NULL)
        contacts(c, &o, net);
    wt_objects_free(&o);
    return SQ_OK;
}
