/*
 * whoistext_rpsl.c - RPSL answers (RIPE NCC, APNIC, AFRINIC and the
 * NIRs that mirror APNIC's format): blank-line separated objects.
 *
 * The network is the smallest inetnum/inet6num in the answer; its
 * abuse contact is, in order of trust: the server's "% Abuse contact
 * for 'x' is 'y'" comment, abuse-mailbox: in the network object or in
 * the objects its abuse-c, mnt-irt, org, admin-c and tech-c name (an
 * NIR's IRT in APNIC space is medium: it is the registry's desk, not
 * the operator's), and as a last resort any abuse-mailbox: in the
 * answer (medium).  e-mail: of admin-c/tech-c are fallback contacts;
 * addresses in remarks/descr are fallback, abuse only when the words
 * around them say abuse or spam.  "Not managed here" stubs set a
 * referral instead.  route/route6 give the origin AS, aut-num the AS.
 *
 * Ownership: reads the caller's text; keeps nothing but arena copies.
 * Limits: WT_MAX_OBJECTS / WT_MAX_ATTRS (whoistext_int.h); at most
 * MAX_REFS references of one object are followed, one level deep (two
 * for org -> abuse-c).
 */
#include "whois/whoistext_int.h"

#include <string.h>

enum { MAX_REFS = 16 };

static size_t
count_abuse(const sq_whois_answer *a)
{
    size_t k = 0;

    for (size_t i = 0; i < a->ncontacts; i++)
        k += a->contacts[i].role == SQ_ROLE_ABUSE && !a->contacts[i].fallback;
    return k;
}

/* "% Abuse contact for '62.239.237.0 - 62.239.237.255' is 'x@y'"; in
 * an NIR's space APNIC names the NIR's desk there (medium). */
static void
abuse_comments(wt_ctx *c, const char *txt, size_t len)
{
    sq_confidence conf = c->nir != WT_UNKNOWN ? SQ_CONF_MEDIUM : SQ_CONF_HIGH;

    wt_lines it;
    const char *line;
    size_t n;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        const char *is, *q1, *q2;
        size_t rest;

        if (n < 20 || line[0] != '%' || !wt_has(line, n, "abuse contact for"))
            continue;
        is = sq_memcasemem(line, n, "' is '", 6);
        if (is == NULL)
            continue;
        q1 = is + 5;
        rest = n - (size_t)(q1 + 1 - line);
        q2 = memchr(q1 + 1, '\'', rest);
        if (q2 != NULL)
            wa_add_contact(c->a, q1 + 1, (size_t)(q2 - q1 - 1), SQ_ROLE_ABUSE,
                           SQ_SRC_WHOIS, c->where, "", conf, 0);
    }
}

static int
is_net(const wt_objects *o, const wt_obj *ob)
{
    return wt_obj_is(o, ob, "inetnum") || wt_obj_is(o, ob, "inet6num");
}

static int
is_route(const wt_objects *o, const wt_obj *ob)
{
    return wt_obj_is(o, ob, "route") || wt_obj_is(o, ob, "route6");
}

/* The smallest object of a kind whose key parses as a range; the first
 * one of the kind when none parses. */
static const wt_obj *
smallest(const wt_objects *o, int (*kind)(const wt_objects *, const wt_obj *))
{
    const wt_obj *best = NULL, *first = NULL;
    sq_ipaddr blo, bhi;

    for (size_t i = 0; i < o->nobjs; i++) {
        const wt_obj *ob = &o->objs[i];
        const wt_attr *k = &o->attrs[ob->first];
        sq_ipaddr lo, hi;

        if (!kind(o, ob))
            continue;
        if (first == NULL)
            first = ob;
        if (!wt_range_parse(k->val, k->vlen, &lo, &hi))
            continue;
        if (best == NULL || wt_range_cmp_size(&lo, &hi, &blo, &bhi) < 0) {
            best = ob;
            blo = lo;
            bhi = hi;
        }
    }
    return best != NULL ? best : first;
}

/* ---- free text ---- */

static int
is_free_text(const wt_attr *at)
{
    return sq_strncaseeq(at->key, at->klen, "remarks") ||
           sq_strncaseeq(at->key, at->klen, "descr") ||
           sq_strncaseeq(at->key, at->klen, "comment");
}

/* remarks/descr of one object; the previous free-text line without an
 * address is the context of the next ("Abuse reports:" / "x@y"). */
static void
object_free_text(wt_ctx *c, const wt_objects *o, const wt_obj *ob,
                 const char *handle)
{
    const wt_attr *prev = NULL;

    for (size_t i = 0; i < ob->count; i++) {
        const wt_attr *at = &o->attrs[ob->first + i];

        if (!is_free_text(at)) {
            prev = NULL;
            continue;
        }
        if (memchr(at->val, '@', at->vlen) != NULL)
            wt_add_free_text(c, at->val, at->vlen,
                             prev != NULL ? prev->val : NULL,
                             prev != NULL ? prev->vlen : 0, handle);
        else
            prev = at;
    }
}

/* ---- references ---- */

typedef enum ref_kind {
    REF_ABUSE,
    REF_IRT,
    REF_ORG,
    REF_ADMIN,
    REF_TECH
} ref_kind;

static size_t
add_attr_emails(wt_ctx *c, const wt_objects *o, const wt_obj *ob,
                const char *key, sq_contact_role role, sq_confidence conf,
                int fallback, const char *handle)
{
    size_t k = 0;

    for (size_t i = 0; i < ob->count; i++) {
        const wt_attr *at = &o->attrs[ob->first + i];

        if (sq_strncaseeq(at->key, at->klen, key))
            k += wt_add_emails(c, at->val, at->vlen, role, conf, fallback,
                               handle);
    }
    return k;
}

static int
nir_registry(wt_registry r)
{
    return r >= WT_JPNIC && r <= WT_IRINN;
}

static void follow(wt_ctx *c, const wt_objects *o, const wt_attr *ref,
                   ref_kind kind, int depth);

/* Follow the abuse-c of an organisation (depth 2). */
static void
org_refs(wt_ctx *c, const wt_objects *o, const wt_obj *org, int depth)
{
    size_t refs = 0;

    for (size_t i = 0; i < org->count && refs < 4; i++) {
        const wt_attr *at = &o->attrs[org->first + i];

        if (sq_strncaseeq(at->key, at->klen, "abuse-c")) {
            follow(c, o, at, REF_ABUSE, depth + 1);
            refs++;
        }
    }
}

static void
follow(wt_ctx *c, const wt_objects *o, const wt_attr *ref, ref_kind kind,
       int depth)
{
    const wt_obj *ob = wt_obj_find(o, ref->val, ref->vlen);
    const char *h;
    sq_confidence conf = SQ_CONF_HIGH;

    if (ob == NULL || depth > 2)
        return;
    h = wt_handle(c, ref->val, ref->vlen);
    if (kind == REF_IRT && c->reg == WT_APNIC &&
        (c->nir != WT_UNKNOWN ||
         nir_registry(wt_registry_in_text(ref->val, ref->vlen))))
        conf = SQ_CONF_MEDIUM;
    if (add_attr_emails(c, o, ob, "abuse-mailbox", SQ_ROLE_ABUSE, conf, 0, h) ==
            0 &&
        kind == REF_ABUSE)
        add_attr_emails(c, o, ob, "e-mail", SQ_ROLE_ABUSE, SQ_CONF_HIGH, 0, h);
    if (kind == REF_ADMIN || kind == REF_ORG)
        add_attr_emails(c, o, ob, "e-mail", SQ_ROLE_ADMIN, SQ_CONF_HIGH, 1, h);
    else if (kind == REF_TECH)
        add_attr_emails(c, o, ob, "e-mail", SQ_ROLE_TECH, SQ_CONF_HIGH, 1, h);
    if (kind == REF_ORG)
        org_refs(c, o, ob, depth);
    object_free_text(c, o, ob, h);
}

static const struct {
    const char *key;
    ref_kind kind;
} ref_keys[] = {
    {"abuse-c", REF_ABUSE}, {"mnt-irt", REF_IRT}, {"org", REF_ORG},
    {"admin-c", REF_ADMIN}, {"tech-c", REF_TECH},
};

static void
object_contacts(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    const wt_attr *key = &o->attrs[net->first];
    /* an aut-num's key is a handle; an inetnum's is a range */
    const char *h = is_net(o, net) ? "" : wt_handle(c, key->val, key->vlen);
    size_t refs = 0;

    add_attr_emails(c, o, net, "abuse-mailbox", SQ_ROLE_ABUSE, SQ_CONF_HIGH, 0,
                    h);
    /* abuse-c and mnt-irt first, so that their handles are kept */
    for (size_t k = 0; k < sizeof(ref_keys) / sizeof(ref_keys[0]); k++)
        for (size_t i = 0; i < net->count && refs < MAX_REFS; i++) {
            const wt_attr *at = &o->attrs[net->first + i];

            if (sq_strncaseeq(at->key, at->klen, ref_keys[k].key)) {
                follow(c, o, at, ref_keys[k].kind, 1);
                refs++;
            }
        }
    object_free_text(c, o, net, h);
}

/* ---- network fields ---- */

static void
set_field(wt_ctx *c, const char **field, const wt_attr *at)
{
    if (at != NULL)
        wa_set_net_field(c->a, field, at->val, at->vlen);
}

static void
network_fields(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    const wt_attr *key = &o->attrs[net->first],
                  *org = wt_obj_get(o, net, "org");
    const wt_attr *cr = wt_obj_get(o, net, "created");
    sq_whois_answer *a = c->a;

    if (!wt_set_range_any(c, key->val, key->vlen))
        wt_warn_text(c, "unreadable network range", key->val, key->vlen);
    set_field(c, &a->net.name, wt_obj_get(o, net, "netname"));
    set_field(c, &a->net.handle, key);
    set_field(c, &a->net.country, wt_obj_get(o, net, "country"));
    if (org != NULL) {
        const wt_obj *ob = wt_obj_find(o, org->val, org->vlen);

        if (ob != NULL)
            set_field(c, &a->net.org, wt_obj_get(o, ob, "org-name"));
    }
    set_field(c, &a->net.org, wt_obj_get(o, net, "descr"));
    if (cr != NULL)
        wt_set_date(c, cr->val, cr->vlen);
    wt_set_registry(c);
}

/* ---- stubs and NIR space ---- */

static const char *const stub_phrases[] = {
    "not allocated to apnic",
    "not allocated by apnic",
    "not managed by the ripe ncc",
    "not managed by afrinic",
    "not-managed-by-afrinic",
    "non-ripe-ncc-managed",
    "iana-netblock",
    "iana-blk",
    "not registered in",
};

/* The registry a stub sends us to: "transferred to X", else the only
 * other registry it names, else IANA. */
static wt_registry
stub_target(wt_ctx *c, const wt_objects *o, const wt_obj *net, int *stub)
{
    wt_registry named = WT_UNKNOWN;
    int many = 0;

    *stub = 0;
    for (size_t i = 0; i < net->count; i++) {
        const wt_attr *at = &o->attrs[net->first + i];
        const char *t;
        wt_registry r;

        if (!is_free_text(at) && !sq_strncaseeq(at->key, at->klen, "netname"))
            continue;
        for (size_t k = 0; k < sizeof(stub_phrases) / sizeof(stub_phrases[0]);
             k++)
            if (wt_has(at->val, at->vlen, stub_phrases[k]))
                *stub = 1;
        t = sq_memcasemem(at->val, at->vlen, "transferred to", 14);
        if (t != NULL) {
            r = wt_registry_in_text(t, at->vlen - (size_t)(t - at->val));
            if (r != WT_UNKNOWN && r != c->reg) {
                *stub = 1;
                return r;
            }
        }
        if (wt_has(at->val, at->vlen, "whois.")) {
            r = wt_registry_in_text(at->val, at->vlen);
            if (r != WT_UNKNOWN && r != c->reg && !nir_registry(r)) {
                many |= named != WT_UNKNOWN && named != r;
                named = r;
            }
        }
    }
    return !many && named != WT_UNKNOWN ? named : WT_IANA;
}

static int
handle_stub(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    int stub;
    wt_registry r = stub_target(c, o, net, &stub);
    const char *host = wt_whois_host(r);

    if (!stub)
        return 0;
    if (host[0] != '\0')
        wt_set_referral(c, host, strlen(host));
    wa_warn(c->a, "%s does not manage %s; referred to %s",
            c->where[0] ? c->where : wt_registry_name(c->reg), c->a->query,
            host[0] ? host : "nobody");
    return 1;
}

/* APNIC answers for JPNIC/KRNIC/... space: an inetnum from the NIR's
 * source, or remarks that send us to its whois. */
static wt_registry
nir_space(const wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    wt_registry r = WT_UNKNOWN;

    for (size_t i = 0; i < o->nobjs && r == WT_UNKNOWN; i++) {
        const wt_attr *src;

        if (!is_net(o, &o->objs[i]))
            continue;
        src = wt_obj_get(o, &o->objs[i], "source");
        if (src != NULL &&
            nir_registry(wt_registry_in_text(src->val, src->vlen)))
            r = wt_registry_in_text(src->val, src->vlen);
    }
    for (size_t i = 0; net != NULL && i < net->count && r == WT_UNKNOWN; i++) {
        const wt_attr *at = &o->attrs[net->first + i];

        if (is_free_text(at) && wt_has(at->val, at->vlen, "whois") &&
            nir_registry(wt_registry_in_text(at->val, at->vlen)))
            r = wt_registry_in_text(at->val, at->vlen);
    }
    return r != c->reg ? r : WT_UNKNOWN;
}

/* ---- AS data ---- */

static void
as_data(wt_ctx *c, const wt_objects *o, const wt_obj *net)
{
    const wt_obj *route = smallest(o, is_route);

    if (route != NULL) {
        const wt_attr *org = wt_obj_get(o, route, "origin");

        if (org != NULL)
            wt_set_origin(c, org->val, org->vlen);
    }
    if (net == NULL) {
        for (size_t i = 0; i < o->nobjs; i++) {
            const wt_obj *ob = &o->objs[i];
            const wt_attr *key = &o->attrs[ob->first], *nm;

            if (!wt_obj_is(o, ob, "aut-num") ||
                !wt_set_origin(c, key->val, key->vlen))
                continue;
            nm = wt_obj_get(o, ob, "as-name");
            if (nm != NULL)
                c->a->origin.name = wa_strn(c->a, nm->val, nm->vlen);
            object_contacts(c, o, ob);
            break;
        }
    }
}

static void
any_abuse_mailbox(wt_ctx *c, const wt_objects *o)
{
    for (size_t i = 0; i < o->nattrs; i++) {
        const wt_attr *at = &o->attrs[i];

        if (sq_strncaseeq(at->key, at->klen, "abuse-mailbox"))
            wt_add_emails(c, at->val, at->vlen, SQ_ROLE_ABUSE, SQ_CONF_MEDIUM,
                          0, "");
    }
}

sq_status
wt_parse_rpsl(wt_ctx *c, const char *txt, size_t len)
{
    wt_objects o;
    const wt_obj *net;
    sq_status st = wt_objects_parse(c, txt, len, &o);

    if (st != SQ_OK)
        return st;
    net = smallest(&o, is_net);
    if (net != NULL && handle_stub(c, &o, net)) {
        wt_objects_free(&o);
        return SQ_OK;
    }
    c->nir = nir_space(c, &o, net);
    abuse_comments(c, txt, len);
    if (net != NULL) {
        network_fields(c, &o, net);
        object_contacts(c, &o, net);
    }
    as_data(c, &o, net);
    if (c->nir != WT_UNKNOWN && c->a->referral[0] == '\0')
        wt_set_referral(c, wt_whois_host(c->nir),
                        strlen(wt_whois_host(c->nir)));
    if (count_abuse(c->a) == 0)
        any_abuse_mailbox(c, &o);
    wt_objects_free(&o);
    return SQ_OK;
}
