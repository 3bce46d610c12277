/*
 * rdap.c - one RDAP JSON document (RFC 9083: ip network, autnum, entity,
 * domain) into an answer: contacts by entity role, the network (range,
 * CIDR, name, handle, country, registrant org, registry, allocation
 * date), the registered AS, the registrar of a domain, NIR referrals.
 *
 * Ownership: everything kept goes into the answer's arena through the
 * wa_* builder; the jansson tree is freed before returning.
 *
 * Limits: documents over RDAP_MAX_BYTES are refused; at most
 * RDAP_MAX_ENTITIES entities are read, WA_MAX_DEPTH levels deep;
 * RDAP_MAX_EMAILS addresses per vCard; RDAP_MAX_LINES remark lines per
 * object and RDAP_MAX_FIELD bytes of any name kept.  Every limit that
 * cuts something off leaves a warning.
 *
 * Registry quirks handled (see tests/unit/rdap_test.c):
 *   ARIN    zero-padded addresses ("074.125.000.000"); abuse entity
 *           nested under the registrant organisation.
 *   RIPE    "/32" and "/128" suffixes on start/endAddress; the early
 *           RIPE RDAP listed the abuse role's ordinary e-mails, not its
 *           abuse-mailbox: without a vCard email of type "abuse" those
 *           addresses are kept at low confidence.
 *   LACNIC  startAddress == endAddress (only the queried address): the
 *           handle or cidr0_cidrs give the prefix when they can.
 *   AFRINIC entities without any role: remarks-only abuse addresses are
 *           fallbacks at medium confidence, vCard e-mails at low.
 *   APNIC   NIR space (JPNIC, KRNIC, TWNIC): without an operator abuse
 *           entity the answer refers to the NIR's whois server; the
 *           NIR's own IRT is never an abuse contact.
 */
#include "whois/whois_int.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RDAP_MAX_BYTES = 4 << 20, /* larger documents are refused */
    RDAP_MAX_ENTITIES = 512,  /* entities read from one document */
    RDAP_MAX_EMAILS = 16,     /* addresses taken from one vCard */
    RDAP_MAX_PROPS = 256,     /* vCard properties looked at */
    RDAP_MAX_LINES = 256,     /* remark lines looked at per object */
    RDAP_MAX_LINE = 4096,     /* bytes of one remark line scanned */
    RDAP_MAX_FIELD = 512,     /* bytes of a name/handle kept */
    RDAP_MAX_CIDRS = 64       /* cidr0_cidrs entries looked at */
};

/* Entity roles (RFC 9083 section 10.2.4) as bits. */
enum {
    RR_ABUSE = 1u << 0,
    RR_TECH = 1u << 1,
    RR_ADMIN = 1u << 2,
    RR_REGISTRANT = 1u << 3,
    RR_NOC = 1u << 4,
    RR_REGISTRAR = 1u << 5,
    RR_OTHER = 1u << 6 /* reseller, sponsor, proxy, notifications, ... */
};

typedef struct rd_ent {
    json_t *obj;
    unsigned roles;
    unsigned depth;
    int in_registrar; /* nested under an entity with role registrar */
} rd_ent;

/* The National Internet Registries an APNIC document may point to. */
typedef struct rd_nir {
    const char *name;       /* registry name */
    const char *whois;      /* its whois server */
    const char *markers[4]; /* text that says the space is theirs */
} rd_nir;

static const rd_nir rd_nirs[] = {
    {"jpnic", "whois.nic.ad.jp", {"JPNIC", "nic.ad.jp", NULL, NULL}},
    {"krnic", "whois.kisa.or.kr", {"KRNIC", "nic.or.kr", "kisa.or.kr", NULL}},
    {"twnic", "whois.twnic.net", {"TWNIC", "twnic.net", "twnic.net.tw", NULL}},
};

typedef struct rd_state {
    sq_whois_answer *a;
    json_t *root;
    const char *where;
    const char *registry; /* "arin", ... or NULL */
    const rd_nir *nir;    /* NIR named by the document, or NULL */
    rd_ent ents[RDAP_MAX_ENTITIES];
    size_t nents;
    int cut_count, cut_depth, cut_emails, redacted;
    size_t abuse_added; /* operator abuse contacts (entities) */
    int nir_irt;        /* an abuse entity was the NIR's own IRT */
} rd_state;

/* ------------------------------------------------------------------ */
/* JSON helpers                                                        */
/* ------------------------------------------------------------------ */

/* Member key of o as a string, or NULL; *n its length. */
static const char *
rd_str(const json_t *o, const char *key, size_t *n)
{
    const json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        return NULL;
    if (n != NULL)
        *n = json_string_length(v);
    return json_string_value(v);
}

static size_t
rd_clamp(size_t n)
{
    return n > RDAP_MAX_FIELD ? RDAP_MAX_FIELD : n;
}

static int
rd_contains(const char *s, size_t n, const char *lit)
{
    return sq_memcasemem(s, n, lit, strlen(lit)) != NULL;
}

static int
rd_is_redacted(const char *s, size_t n)
{
    return rd_contains(s, n, "redacted");
}

/* Role names to bits; unknown names are RR_OTHER. */
static unsigned
rd_roles(const json_t *ent)
{
    static const struct {
        const char *name;
        unsigned bit;
    } map[] = {{"abuse", RR_ABUSE},
               {"technical", RR_TECH},
               {"administrative", RR_ADMIN},
               {"registrant", RR_REGISTRANT},
               {"noc", RR_NOC},
               {"routing", RR_NOC},
               {"registrar", RR_REGISTRAR}};
    const json_t *roles = json_object_get(ent, "roles");
    unsigned bits = 0;
    size_t i;
    json_t *r;

    json_array_foreach(roles, i, r)
    {
        size_t k, n = json_string_length(r);
        const char *s = json_string_value(r);

        if (i >= 16 || s == NULL)
            break;
        for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
            if (sq_strncaseeq(s, n, map[k].name))
                break;
        bits |= k < sizeof(map) / sizeof(map[0]) ? map[k].bit : RR_OTHER;
    }
    return bits;
}

/* ------------------------------------------------------------------ */
/* jCard (RFC 7095): ["vcard", [[name, {params}, type, value], ...]]    */
/* ------------------------------------------------------------------ */

static json_t *
rd_vcard_props(const json_t *ent)
{
    json_t *va = json_object_get(ent, "vcardArray");
    json_t *props = json_array_get(va, 1);

    return json_is_array(props) ? props : NULL;
}

/* Property name of one jCard property, or NULL. */
static const char *
rd_prop_name(const json_t *p, size_t *n)
{
    const json_t *name = json_array_get(p, 0);

    if (!json_is_string(name))
        return NULL;
    *n = json_string_length(name);
    return json_string_value(name);
}

/* First text value of property pname in ent's vCard, or NULL. */
static const char *
rd_vcard_text(const json_t *ent, const char *pname, size_t *n)
{
    json_t *props = rd_vcard_props(ent), *p;
    size_t i, pn;

    json_array_foreach(props, i, p)
    {
        const char *name = rd_prop_name(p, &pn);
        const json_t *v = json_array_get(p, 3);

        if (i >= RDAP_MAX_PROPS)
            break;
        if (name != NULL && sq_strncaseeq(name, pn, pname) &&
            json_is_string(v)) {
            *n = json_string_length(v);
            return json_string_value(v);
        }
    }
    return NULL;
}

/* 1 when a jCard property's "type" parameter names t ("abuse"). */
static int
rd_prop_typed(const json_t *p, const char *t)
{
    const json_t *type = json_object_get(json_array_get(p, 1), "type");
    size_t i;
    json_t *v;

    if (json_is_string(type))
        return sq_strncaseeq(json_string_value(type), json_string_length(type),
                             t);
    json_array_foreach(type, i, v)
    {
        if (i >= 8)
            break;
        if (json_is_string(v) &&
            sq_strncaseeq(json_string_value(v), json_string_length(v), t))
            return 1;
    }
    return 0;
}

typedef struct rd_email {
    const char *s;
    size_t n;
    int typed_abuse;
} rd_email;

/* The e-mail values of ent's vCard (at most max); redacted ones are
 * skipped and noted. */
static size_t
rd_vcard_emails(rd_state *st, const json_t *ent, rd_email *out, size_t max)
{
    json_t *props = rd_vcard_props(ent), *p;
    size_t i, pn, n = 0;

    json_array_foreach(props, i, p)
    {
        const char *name = rd_prop_name(p, &pn);
        const json_t *v = json_array_get(p, 3);

        if (i >= RDAP_MAX_PROPS)
            break;
        if (name == NULL || !sq_strncaseeq(name, pn, "email") ||
            !json_is_string(v))
            continue;
        if (rd_is_redacted(json_string_value(v), json_string_length(v))) {
            st->redacted = 1;
            continue;
        }
        if (n == max) {
            st->cut_emails = 1;
            break;
        }
        out[n].s = json_string_value(v);
        out[n].n = json_string_length(v);
        out[n].typed_abuse = rd_prop_typed(p, "abuse");
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Registry                                                            */
/* ------------------------------------------------------------------ */

/* 1 when host [h, h+n) is dom or a name under it. */
static int
rd_host_under(const char *h, size_t n, const char *dom)
{
    size_t dn = strlen(dom);

    while (n > 0 && h[n - 1] == '.')
        n--;
    if (n < dn || !sq_strncaseeq(h + n - dn, dn, dom))
        return 0;
    return n == dn || h[n - dn - 1] == '.';
}

/* Registry of a host name by its domain ("whois.arin.net" → arin). */
static const char *
rd_registry_of_host(const char *h, size_t n)
{
    static const struct {
        const char *dom, *name;
    } map[] = {{"arin.net", "arin"},       {"ripe.net", "ripencc"},
               {"apnic.net", "apnic"},     {"lacnic.net", "lacnic"},
               {"afrinic.net", "afrinic"}, {"nic.ad.jp", "jpnic"},
               {"jpnic.net", "jpnic"},     {"kisa.or.kr", "krnic"},
               {"nic.or.kr", "krnic"},     {"twnic.net", "twnic"},
               {"twnic.net.tw", "twnic"}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (rd_host_under(h, n, map[i].dom))
            return map[i].name;
    return NULL;
}

/* Registry of a URL's host ("https://rdap.arin.net/registry/..."). */
static const char *
rd_registry_of_url(const char *u, size_t n)
{
    const char *p = u ? memchr(u, ':', n) : NULL;
    size_t i, start;

    if (p == NULL || (size_t)(p - u) + 3 > n || p[1] != '/' || p[2] != '/')
        return NULL;
    start = (size_t)(p - u) + 3;
    for (i = start; i < n && u[i] != '/' && u[i] != ':' && u[i] != '?'; i++)
        ;
    return rd_registry_of_host(u + start, i - start);
}

/* Registry from the port43 field, the URL, then the links. */
static const char *
rd_find_registry(const rd_state *st)
{
    const json_t *links = json_object_get(st->root, "links"), *l;
    const char *s, *r = NULL;
    size_t n, i;

    if ((s = rd_str(st->root, "port43", &n)) != NULL &&
        (r = rd_registry_of_host(s, n)) != NULL)
        return r;
    if (st->where[0] != '\0' &&
        (r = rd_registry_of_url(st->where, strlen(st->where))) != NULL)
        return r;
    json_array_foreach(links, i, l)
    {
        if (i >= 32)
            break;
        if ((s = rd_str(l, "href", &n)) != NULL &&
            (r = rd_registry_of_url(s, n)) != NULL)
            return r;
        if ((s = rd_str(l, "value", &n)) != NULL &&
            (r = rd_registry_of_url(s, n)) != NULL)
            return r;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Entities                                                            */
/* ------------------------------------------------------------------ */

static void rd_collect(rd_state *st, const json_t *list, unsigned depth,
                       int in_registrar);

static void
rd_collect_one(rd_state *st, json_t *ent, unsigned depth, int in_registrar)
{
    rd_ent *e;

    if (!json_is_object(ent))
        return;
    if (st->nents == RDAP_MAX_ENTITIES) {
        st->cut_count = 1;
        return;
    }
    e = &st->ents[st->nents++];
    e->obj = ent;
    e->roles = rd_roles(ent);
    e->depth = depth;
    e->in_registrar = in_registrar;
    if (json_object_get(ent, "entities") == NULL)
        return;
    if (depth + 1 >= WA_MAX_DEPTH) {
        st->cut_depth = 1;
        return;
    }
    rd_collect(st, json_object_get(ent, "entities"), depth + 1,
               in_registrar || (e->roles & RR_REGISTRAR) != 0);
}

/* Depth first, in document order: a parent before its children. */
static void
rd_collect(rd_state *st, const json_t *list, unsigned depth, int in_registrar)
{
    size_t i;
    json_t *ent;

    json_array_foreach(list, i, ent)
    {
        if (st->cut_count)
            return;
        rd_collect_one(st, ent, depth, in_registrar);
    }
}

static const char *
rd_handle(rd_state *st, const rd_ent *e)
{
    size_t n = 0;
    const char *h = rd_str(e->obj, "handle", &n);

    if (e->in_registrar || (e->roles & RR_REGISTRAR))
        return "registrar";
    return h ? wa_strn(st->a, h, rd_clamp(n)) : "";
}

/* 1 when [s, s+n) is an address at one of the NIR's own domains. */
static int
rd_nir_email(const rd_nir *nir, const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);

    if (nir == NULL || at == NULL)
        return 0;
    for (size_t i = 1; i < 4 && nir->markers[i] != NULL; i++)
        if (rd_host_under(at + 1, n - (size_t)(at + 1 - s), nir->markers[i]))
            return 1;
    return 0;
}

/* 1 when the entity is the NIR's own (IRT-KRNIC-KR, hostmaster@nic...):
 * its handle names the NIR or every address is at the NIR's domain. */
static int
rd_entity_is_nir(rd_state *st, const rd_ent *e)
{
    rd_email em[RDAP_MAX_EMAILS];
    size_t hn = 0, n, at_nir = 0;
    const char *h = rd_str(e->obj, "handle", &hn);

    if (st->nir == NULL)
        return 0;
    if (h != NULL && rd_contains(h, hn, st->nir->markers[0]))
        return 1;
    n = rd_vcard_emails(st, e->obj, em, RDAP_MAX_EMAILS);
    for (size_t i = 0; i < n; i++)
        at_nir += (size_t)rd_nir_email(st->nir, em[i].s, em[i].n);
    return n > 0 && at_nir == n;
}

/* Confidence of one abuse-entity address.  Early RIPE RDAP put the
 * abuse role's e-mail attributes in the vCard: several untyped
 * addresses there are low; an "abuse"-typed one is the abuse-mailbox.
 * An NIR's own IRT is the formal contact but not the operator: medium. */
static sq_confidence
rd_abuse_conf(const rd_state *st, int nir, size_t n, size_t typed)
{
    if (nir)
        return SQ_CONF_MEDIUM;
    if (typed == 0 && n > 1 && st->registry != NULL &&
        strcmp(st->registry, "ripencc") == 0)
        return SQ_CONF_LOW;
    return SQ_CONF_HIGH;
}

/* The addresses of one abuse entity; 1 when one was kept as abuse. */
static int
rd_add_abuse_entity(rd_state *st, const rd_ent *e, int nir)
{
    rd_email em[RDAP_MAX_EMAILS];
    size_t n = rd_vcard_emails(st, e->obj, em, RDAP_MAX_EMAILS), typed = 0;
    const char *h = rd_handle(st, e);
    sq_confidence conf;
    int added = 0;

    for (size_t i = 0; i < n; i++)
        typed += (size_t)em[i].typed_abuse;
    conf = rd_abuse_conf(st, nir, n, typed);
    for (size_t i = 0; i < n; i++) {
        int abuse = typed == 0 || em[i].typed_abuse;

        if (wa_add_contact(st->a, em[i].s, em[i].n,
                           abuse ? SQ_ROLE_ABUSE : SQ_ROLE_TECH, SQ_SRC_RDAP,
                           st->where, h, abuse ? conf : SQ_CONF_LOW, !abuse) &&
            abuse)
            added = 1;
    }
    if (added && conf == SQ_CONF_LOW)
        wa_warn(st->a,
                "rdap: RIPE abuse role %s lists several e-mails and none "
                "is typed abuse; low confidence",
                h);
    return added;
}

/* Abuse entities: dedicated ones (role abuse only) first, then those
 * that are also tech/admin/noc, so the dedicated desk sorts first.  The
 * NIR's own IRT does not count as the operator's abuse contact. */
static void
rd_pass_abuse(rd_state *st)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < st->nents; i++) {
            const rd_ent *e = &st->ents[i];
            int only = e->roles == RR_ABUSE, nir;

            if (!(e->roles & RR_ABUSE) || only != (pass == 0))
                continue;
            nir = rd_entity_is_nir(st, e);
            if (rd_add_abuse_entity(st, e, nir) && !nir)
                st->abuse_added++;
            st->nir_irt |= nir;
        }
    }
}

static sq_contact_role
rd_fallback_role(const rd_ent *e)
{
    size_t n;
    const char *kind;

    if (e->roles & RR_TECH)
        return SQ_ROLE_TECH;
    if (e->roles & RR_NOC)
        return SQ_ROLE_NOC;
    if (e->roles & RR_ADMIN)
        return SQ_ROLE_ADMIN;
    if (e->roles & RR_REGISTRANT)
        return SQ_ROLE_REGISTRANT;
    /* No role: a group (role object, maintainer) is usually technical. */
    kind = rd_vcard_text(e->obj, "kind", &n);
    if (kind != NULL && sq_strncaseeq(kind, n, "group"))
        return SQ_ROLE_TECH;
    return SQ_ROLE_ADMIN;
}

/* Every other entity's e-mails, as fallbacks at low confidence.  In
 * NIR space the NIR's own addresses (hostmaster@nic.ad.jp as admin/tech
 * of the NIR block) are left out: they are the registry's mailbox, not
 * the network's. */
static void
rd_pass_fallback(rd_state *st)
{
    rd_email em[RDAP_MAX_EMAILS];

    for (size_t i = 0; i < st->nents; i++) {
        const rd_ent *e = &st->ents[i];
        sq_contact_role role = rd_fallback_role(e);
        size_t n;
        const char *h;

        if (e->roles & RR_ABUSE)
            continue;
        n = rd_vcard_emails(st, e->obj, em, RDAP_MAX_EMAILS);
        h = rd_handle(st, e);
        for (size_t k = 0; k < n; k++)
            if (!rd_nir_email(st->nir, em[k].s, em[k].n))
                (void)wa_add_contact(st->a, em[k].s, em[k].n, role, SQ_SRC_RDAP,
                                     st->where, h, SQ_CONF_LOW, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Remarks                                                             */
/* ------------------------------------------------------------------ */

static int
rd_local_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int
rd_domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Abuse addresses in one remark line: an address whose local part says
 * abuse, or any address on a line that speaks of abuse or spam. */
static void
rd_scan_line(rd_state *st, const char *s, size_t n, const char *handle)
{
    int line_says = rd_contains(s, n, "abuse") || rd_contains(s, n, "spam");

    for (size_t i = 1; i + 1 < n; i++) {
        size_t lo = i, hi = i + 1;

        if (s[i] != '@')
            continue;
        while (lo > 0 && rd_local_char((unsigned char)s[lo - 1]))
            lo--;
        while (hi < n && rd_domain_char((unsigned char)s[hi]))
            hi++;
        while (hi > i + 1 && (s[hi - 1] == '.' || s[hi - 1] == '-'))
            hi--;
        if (lo == i || hi == i + 1 || memchr(s + i, '.', hi - i) == NULL)
            continue;
        if (line_says || rd_contains(s + lo, i - lo, "abuse"))
            (void)wa_add_contact(st->a, s + lo, hi - lo, SQ_ROLE_ABUSE,
                                 SQ_SRC_RDAP, st->where, handle, SQ_CONF_MEDIUM,
                                 1);
        i = hi;
    }
}

/* Call fn on each remark line of obj ("remarks": [{description: []}]). */
static void
rd_remark_lines(const json_t *obj,
                void (*fn)(rd_state *, const char *, size_t, const char *),
                rd_state *st, const char *handle)
{
    const json_t *remarks = json_object_get(obj, "remarks"), *r, *line;
    size_t i, k, seen = 0;

    json_array_foreach(remarks, i, r)
    {
        json_array_foreach(json_object_get(r, "description"), k, line)
        {
            size_t n = json_string_length(line);

            if (++seen > RDAP_MAX_LINES)
                return;
            if (!json_is_string(line))
                continue;
            fn(st, json_string_value(line),
               n > RDAP_MAX_LINE ? RDAP_MAX_LINE : n, handle);
        }
    }
}

/* No abuse entity: addresses in the remarks (AFRINIC "please send
 * abuse reports to ...") become fallbacks at medium confidence. */
static void
rd_pass_remarks(rd_state *st)
{
    size_t before = st->a->ncontacts;

    rd_remark_lines(st->root, rd_scan_line, st, "");
    for (size_t i = 0; i < st->nents; i++)
        rd_remark_lines(st->ents[i].obj, rd_scan_line, st,
                        rd_handle(st, &st->ents[i]));
    if (st->a->ncontacts > before)
        wa_warn(st->a, "rdap: no abuse entity; abuse address taken from "
                       "remarks (fallback)");
}

/* ------------------------------------------------------------------ */
/* NIR space in APNIC documents                                        */
/* ------------------------------------------------------------------ */

static void
rd_nir_text(rd_state *st, const char *s, size_t n, const char *unused)
{
    (void)unused;
    for (size_t i = 0;
         st->nir == NULL && i < sizeof(rd_nirs) / sizeof(rd_nirs[0]); i++)
        for (size_t k = 0; k < 4 && rd_nirs[i].markers[k] != NULL; k++)
            if (rd_contains(s, n, rd_nirs[i].markers[k])) {
                st->nir = &rd_nirs[i];
                break;
            }
}

/* An APNIC answer for space an NIR manages says so in its name, its
 * remarks or its entities' handles ("IIJ-JPNIC-JP-...", "JPNIC
 * Allocation Block", "IRT-KRNIC-KR"). */
static void
rd_detect_nir(rd_state *st)
{
    static const char *const keys[] = {"name", "handle"};
    const char *s;
    size_t n;

    if (st->registry == NULL || strcmp(st->registry, "apnic") != 0)
        return;
    for (size_t i = 0; i < 2 && st->nir == NULL; i++)
        if ((s = rd_str(st->root, keys[i], &n)) != NULL)
            rd_nir_text(st, s, rd_clamp(n), NULL);
    if (st->nir == NULL)
        rd_remark_lines(st->root, rd_nir_text, st, NULL);
    for (size_t i = 0; i < st->nents && st->nir == NULL; i++)
        if ((s = rd_str(st->ents[i].obj, "handle", &n)) != NULL)
            rd_nir_text(st, s, rd_clamp(n), NULL);
    if (st->nir != NULL)
        st->registry = st->nir->name;
}

/* No operator abuse entity in NIR space: the NIR's whois knows the
 * assignment and its contacts. */
static void
rd_nir_referral(rd_state *st)
{
    if (st->nir == NULL || st->abuse_added > 0)
        return;
    st->a->referral = wa_str(st->a, st->nir->whois);
    wa_warn(st->a, "rdap: %s space without an operator abuse contact%s; ask %s",
            st->nir->name, st->nir_irt ? " (only the NIR's own IRT)" : "",
            st->nir->whois);
}

/* ------------------------------------------------------------------ */
/* Network                                                             */
/* ------------------------------------------------------------------ */

static unsigned
rd_full_len(const sq_ipaddr *ip)
{
    return ip->v4 ? 32 : 128;
}

/* "a.b.c.d/n" or "x::/n": network and length on the 128-bit form. */
static int
rd_parse_cidr(const char *s, size_t n, sq_ipaddr *net, unsigned *len128)
{
    const char *slash = memchr(s, '/', n);
    unsigned long v = 0;
    size_t i;

    if (slash == NULL || !sq_ipaddr_parse(s, (size_t)(slash - s), net))
        return 0;
    for (i = (size_t)(slash - s) + 1; i < n && i < (size_t)(slash - s) + 4;
         i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (i != n || i == (size_t)(slash - s) + 1 || v > rd_full_len(net))
        return 0;
    *len128 = (unsigned)v + (net->v4 ? 96 : 0);
    return 1;
}

/* An address as RDAP servers write it: zero padded ("074.125.000.000",
 * ARIN), with a host-length suffix ("62.239.237.0/32", RIPE). */
static int
rd_parse_addr(const char *s, size_t n, sq_ipaddr *ip)
{
    const char *slash;
    sq_ipaddr net;
    unsigned len128;

    while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    slash = memchr(s, '/', n);
    if (slash == NULL)
        return sq_ipaddr_parse(s, n, ip);
    if (!rd_parse_cidr(s, n, &net, &len128) || len128 != 128)
        return 0;
    *ip = net;
    return 1;
}

/* The query as an address (and prefix length on the 128-bit form). */
static int
rd_query_addr(const sq_whois_answer *a, sq_ipaddr *ip, unsigned *len128)
{
    size_t n = a->query ? strlen(a->query) : 0;

    if (n == 0 || n > 64)
        return 0;
    if (memchr(a->query, '/', n) != NULL)
        return rd_parse_cidr(a->query, n, ip, len128);
    *len128 = 128;
    return sq_ipaddr_parse(a->query, n, ip);
}

/* One cidr0_cidrs entry ({"v4prefix": "1.1.1.0", "length": 24}) as
 * "prefix/length" text in buf; its length, 0 when malformed. */
static size_t
rd_cidr0_text(const json_t *c, char buf[64])
{
    const char *p = rd_str(c, "v4prefix", NULL);
    const json_t *len = json_object_get(c, "length");
    int k;

    if (p == NULL)
        p = rd_str(c, "v6prefix", NULL);
    if (p == NULL || !json_is_integer(len) || json_integer_value(len) < 0 ||
        json_integer_value(len) > 128 || strlen(p) > 45)
        return 0;
    k = snprintf(buf, 64, "%s/%d", p, (int)json_integer_value(len));
    return k > 0 && k < 64 ? (size_t)k : 0;
}

/* The most specific cidr0_cidrs entry that holds target/tlen, as text
 * in out; 0 when none does. */
static int
rd_cidr0_match(const rd_state *st, const sq_ipaddr *target, unsigned tlen,
               char out[64])
{
    const json_t *list = json_object_get(st->root, "cidr0_cidrs"), *c;
    unsigned best = 0;
    size_t i;

    json_array_foreach(list, i, c)
    {
        char buf[64], txt[46];
        size_t k = rd_cidr0_text(c, buf);
        sq_ipaddr net;
        unsigned l128;

        if (i >= RDAP_MAX_CIDRS)
            break;
        if (k == 0 || !rd_parse_cidr(buf, k, &net, &l128) ||
            net.v4 != target->v4 || l128 > tlen || l128 < best ||
            !sq_ipaddr_in(target, &net, l128))
            continue;
        best = l128;
        sq_ipaddr_format(&net, txt);
        snprintf(out, 64, "%s/%u", txt, l128 - (net.v4 ? 96 : 0));
    }
    return best > 0;
}

/* All cidr0_cidrs entries into net.cidrs (no start/end given). */
static void
rd_cidr0_all(rd_state *st)
{
    const json_t *list = json_object_get(st->root, "cidr0_cidrs"), *c;
    int have = 0;
    size_t i;

    json_array_foreach(list, i, c)
    {
        char buf[64];
        size_t k = rd_cidr0_text(c, buf);

        if (i >= RDAP_MAX_CIDRS)
            break;
        if (k == 0)
            continue;
        if (!have)
            have = wa_set_cidr_text(st->a, buf, k);
        else
            (void)wa_add_cidr_text(st->a, buf, k);
    }
}

static int
rd_in_range(const sq_ipaddr *q, const sq_ipaddr *lo, const sq_ipaddr *hi)
{
    return q->v4 == lo->v4 && memcmp(q->b, lo->b, 16) >= 0 &&
           memcmp(q->b, hi->b, 16) <= 0;
}

static void
rd_set_range(rd_state *st, const sq_ipaddr *lo, const sq_ipaddr *hi)
{
    char lt[46], ht[46];
    size_t ln = sq_ipaddr_format(lo, lt), hn = sq_ipaddr_format(hi, ht);

    if (!wa_set_range_text(st->a, lt, ln, ht, hn))
        wa_warn(st->a, "rdap: network range %s - %s not accepted", lt, ht);
}

/* LACNIC answers with startAddress == endAddress == the queried
 * address.  A handle or cidr0 prefix that holds it is the network;
 * otherwise the single address is kept and the answer says so. */
static void
rd_single(rd_state *st, const sq_ipaddr *ip)
{
    size_t hn = 0;
    const char *h = rd_str(st->root, "handle", &hn);
    sq_ipaddr net;
    unsigned l128;
    char cidr[64];

    if (h != NULL && rd_parse_cidr(h, rd_clamp(hn), &net, &l128) &&
        l128 < 128 && net.v4 == ip->v4 && sq_ipaddr_in(ip, &net, l128) &&
        wa_set_cidr_text(st->a, h, rd_clamp(hn)))
        return;
    if (rd_cidr0_match(st, ip, 128, cidr) &&
        wa_set_cidr_text(st->a, cidr, strlen(cidr)))
        return;
    rd_set_range(st, ip, ip);
    wa_warn(st->a, "rdap: start and end address are the same (the queried "
                   "address); the network's real prefix is unknown");
}

/* The range: the cidr0 prefix that holds the query (ARIN lists several
 * CIDRs for one NET), else start/endAddress, else cidr0 alone. */
static void
rd_range(rd_state *st)
{
    size_t sn = 0, en = 0;
    const char *s = rd_str(st->root, "startAddress", &sn);
    const char *e = rd_str(st->root, "endAddress", &en);
    sq_ipaddr lo, hi, q;
    unsigned qlen;
    char cidr[64];
    int have = s != NULL && e != NULL && rd_parse_addr(s, sn, &lo) &&
               rd_parse_addr(e, en, &hi) && lo.v4 == hi.v4 &&
               memcmp(lo.b, hi.b, 16) <= 0;

    if (rd_query_addr(st->a, &q, &qlen) &&
        (!have || rd_in_range(&q, &lo, &hi)) &&
        rd_cidr0_match(st, &q, qlen, cidr) &&
        wa_set_cidr_text(st->a, cidr, strlen(cidr)))
        return;
    if (have && memcmp(lo.b, hi.b, 16) == 0)
        rd_single(st, &lo);
    else if (have)
        rd_set_range(st, &lo, &hi);
    else {
        if (s != NULL || e != NULL)
            wa_warn(st->a, "rdap: unreadable start/endAddress");
        rd_cidr0_all(st);
    }
}

/* The date of the "registration" event, YYYY-MM-DD, or NULL. */
static const char *
rd_registration(const json_t *obj)
{
    const json_t *ev;
    size_t i, n;

    json_array_foreach(json_object_get(obj, "events"), i, ev)
    {
        const char *act = rd_str(ev, "eventAction", &n), *d;

        if (i >= 64)
            break;
        if (act == NULL || !sq_strncaseeq(act, n, "registration"))
            continue;
        d = rd_str(ev, "eventDate", &n);
        if (d == NULL || n < 10 || d[4] != '-' || d[7] != '-')
            continue;
        for (size_t k = 0; k < 10; k++)
            if (k != 4 && k != 7 && (d[k] < '0' || d[k] > '9'))
                return NULL;
        return d;
    }
    return NULL;
}

/* The registrant's name: an organisation before a person, the least
 * nested first (LACNIC nests the registrant's person inside the org). */
static void
rd_org(rd_state *st)
{
    const char *best = NULL;
    size_t bestn = 0;
    unsigned bestscore = ~0u;

    for (size_t i = 0; i < st->nents; i++) {
        const rd_ent *e = &st->ents[i];
        size_t n = 0, kn = 0;
        const char *fn = rd_vcard_text(e->obj, "fn", &n);
        const char *kind = rd_vcard_text(e->obj, "kind", &kn);
        unsigned score;

        if (!(e->roles & RR_REGISTRANT) || fn == NULL || n == 0 ||
            rd_is_redacted(fn, n))
            continue;
        score = e->depth * 2 + !(kind && sq_strncaseeq(kind, kn, "org"));
        if (score < bestscore) {
            best = fn;
            bestn = n;
            bestscore = score;
        }
    }
    if (best != NULL)
        wa_set_net_field(st->a, &st->a->net.org, best, rd_clamp(bestn));
}

static void
rd_field(rd_state *st, const char **field, const char *key)
{
    size_t n = 0;
    const char *s = rd_str(st->root, key, &n);

    if (s != NULL)
        wa_set_net_field(st->a, field, s, rd_clamp(n));
}

/* 1 when [lo, hi] is wider than any block a registry hands out: more
 * than an IPv4 /8 or an IPv6 /12 (IANA's own grants to the RIRs). */
static int
rd_too_wide(const sq_ipaddr *lo, const sq_ipaddr *hi)
{
    if (lo->v4)
        return lo->b[12] != hi->b[12];
    return lo->b[0] != hi->b[0] || (lo->b[1] & 0xf0) != (hi->b[1] & 0xf0);
}

/* A registry's stub for space it does not manage ("NON-RIPE-NCC-
 * MANAGED-ADDRESS-BLOCK" 0.0.0.0 - 255.255.255.255, APNIC's
 * "IANA-NETBLOCK-*"): its range must not become the network, or the
 * cache would file the whole block under it. */
static void
rd_stub_check(rd_state *st)
{
    sq_whois_answer *a = st->a;
    size_t n = 0;
    const char *name = rd_str(st->root, "name", &n);
    int named = name != NULL && (rd_contains(name, n, "NON-RIPE-NCC-MANAGED") ||
                                 rd_contains(name, n, "IANA-NETBLOCK") ||
                                 rd_contains(name, n, "NOT-MANAGED"));

    if (!a->has_range || (!named && !rd_too_wide(&a->lo, &a->hi)))
        return;
    wa_warn(a, "rdap: %s is a registry stub, not the network; range ignored",
            a->net.range);
    a->has_range = 0;
    a->net.ncidrs = 0;
}

static void
rd_network(rd_state *st)
{
    sq_whois_answer *a = st->a;
    const char *reg = rd_registration(st->root);

    rd_range(st);
    rd_stub_check(st);
    a->has_network = 1;
    rd_field(st, &a->net.name, "name");
    rd_field(st, &a->net.handle, "handle");
    rd_field(st, &a->net.country, "country");
    if (st->registry != NULL)
        wa_set_net_field(a, &a->net.registry, st->registry,
                         strlen(st->registry));
    if (reg != NULL)
        wa_set_net_field(a, &a->net.allocated, reg, 10);
    rd_org(st);
}

/* ------------------------------------------------------------------ */
/* Autnum and domain                                                   */
/* ------------------------------------------------------------------ */

static unsigned long
rd_asn(const json_t *root)
{
    const json_t *sa = json_object_get(root, "startAutnum");
    unsigned long v = 0;
    size_t n = 0;
    const char *h;

    if (json_is_integer(sa) && json_integer_value(sa) > 0 &&
        json_integer_value(sa) <= 4294967295LL)
        return (unsigned long)json_integer_value(sa);
    h = rd_str(root, "handle", &n);
    return h != NULL && sq_parse_asn(h, n, &v) ? v : 0;
}

static const char *
rd_copy(rd_state *st, const char *key)
{
    size_t n = 0;
    const char *s = rd_str(st->root, key, &n);

    return wa_strn(st->a, s, s ? rd_clamp(n) : 0);
}

static void
rd_autnum(rd_state *st)
{
    sq_whois_answer *a = st->a;
    unsigned long asn = rd_asn(st->root);

    if (asn == 0) {
        wa_warn(a, "rdap: autnum object without a readable AS number");
        return;
    }
    a->has_origin = 1;
    a->origin.asn = asn;
    a->origin.name = rd_copy(st, "name");
    a->origin.country = rd_copy(st, "country");
    a->origin.registry = wa_str(a, st->registry ? st->registry : "");
    a->origin.relation = wa_str(a, "registered AS");
}

/* A domain: the registrar's name (its abuse contact is among the
 * contacts, with handle "registrar"). */
static void
rd_domain(rd_state *st)
{
    for (size_t i = 0; i < st->nents; i++) {
        const rd_ent *e = &st->ents[i];
        size_t n = 0;
        const char *fn;

        if (!(e->roles & RR_REGISTRAR) || e->in_registrar)
            continue;
        fn = rd_vcard_text(e->obj, "fn", &n);
        if (fn != NULL && n > 0 && !rd_is_redacted(fn, n)) {
            st->a->registrar = wa_strn(st->a, fn, rd_clamp(n));
            return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The document                                                        */
/* ------------------------------------------------------------------ */

typedef enum rd_class {
    RC_UNKNOWN = 0,
    RC_IP,
    RC_AUTNUM,
    RC_DOMAIN,
    RC_ENTITY
} rd_class;

static rd_class
rd_classify(const json_t *root)
{
    size_t n = 0;
    const char *c = rd_str(root, "objectClassName", &n);

    if (c != NULL) {
        if (sq_strncaseeq(c, n, "ip network"))
            return RC_IP;
        if (sq_strncaseeq(c, n, "autnum"))
            return RC_AUTNUM;
        if (sq_strncaseeq(c, n, "domain"))
            return RC_DOMAIN;
        if (sq_strncaseeq(c, n, "entity"))
            return RC_ENTITY;
    }
    /* Old servers (ARIN, RIPE around 2015) left the class out. */
    if (json_object_get(root, "startAddress") != NULL)
        return RC_IP;
    if (json_object_get(root, "startAutnum") != NULL)
        return RC_AUTNUM;
    if (json_object_get(root, "ldhName") != NULL)
        return RC_DOMAIN;
    if (json_object_get(root, "vcardArray") != NULL)
        return RC_ENTITY;
    return RC_UNKNOWN;
}

/* An RDAP error document (RFC 9083 section 6): SQ_ENOTFOUND. */
static int
rd_is_error(const json_t *root, sq_diag *d)
{
    const json_t *code = json_object_get(root, "errorCode");
    char show[SQ_SHOW_MAX + 4] = "";
    size_t n = 0;
    const char *t = rd_str(root, "title", &n);

    if (!json_is_integer(code))
        return 0;
    if (t != NULL)
        sq_str_show(t, n, show);
    sq_diag_addf(d, NULL, 0, "rdap: server error %lld '%s'",
                 (long long)json_integer_value(code), show);
    return 1;
}

static void
rd_limits_warnings(rd_state *st)
{
    if (st->cut_count)
        wa_warn(st->a, "rdap: more than %d entities; the rest ignored",
                RDAP_MAX_ENTITIES);
    if (st->cut_depth)
        wa_warn(st->a, "rdap: entities nested deeper than %d ignored",
                WA_MAX_DEPTH);
    if (st->cut_emails)
        wa_warn(st->a,
                "rdap: more than %d e-mails in one vCard; the rest "
                "ignored",
                RDAP_MAX_EMAILS);
    if (st->redacted || json_object_get(st->root, "redacted") != NULL)
        wa_warn(st->a, "rdap: the registry redacted contact data");
    if (st->a->ncontacts >= WA_MAX_CONTACTS)
        wa_warn(st->a, "rdap: contact limit (%d) reached", WA_MAX_CONTACTS);
}

static void
rd_run(rd_state *st)
{
    rd_class cls = rd_classify(st->root);

    if (cls == RC_ENTITY)
        rd_collect_one(st, st->root, 0, 0);
    else
        rd_collect(st, json_object_get(st->root, "entities"), 0, 0);
    st->registry = rd_find_registry(st);
    rd_detect_nir(st);
    rd_pass_abuse(st);
    if (st->abuse_added == 0)
        rd_pass_remarks(st);
    rd_pass_fallback(st);
    if (cls == RC_IP)
        rd_network(st);
    else if (cls == RC_AUTNUM)
        rd_autnum(st);
    else if (cls == RC_DOMAIN)
        rd_domain(st);
    else if (cls == RC_UNKNOWN)
        wa_warn(st->a, "rdap: unknown object class");
    rd_nir_referral(st);
    rd_limits_warnings(st);
}

sq_status
rdap_parse(const char *json, size_t len, const char *url, sq_whois_answer *a,
           sq_diag *d)
{
    json_error_t err;
    json_t *root;
    rd_state *st;

    if (a == NULL || (json == NULL && len > 0))
        return SQ_EINVAL;
    if (len > RDAP_MAX_BYTES) {
        sq_diag_addf(d, NULL, 0,
                     "rdap: document of %zu bytes is over the "
                     "%d byte limit",
                     len, RDAP_MAX_BYTES);
        return SQ_ELIMIT_RESPONSE;
    }
    root = json_loadb(json ? json : "", len, 0, &err);
    if (root == NULL) {
        char show[SQ_SHOW_MAX + 4];

        sq_str_show(err.text, strlen(err.text), show);
        sq_diag_addf(d, NULL, 0, "rdap: bad JSON at line %d column %d: %s",
                     err.line, err.column, show);
        return SQ_EPARSE;
    }
    if (!json_is_object(root)) {
        sq_diag_addf(d, NULL, 0, "rdap: the document is not a JSON object");
        json_decref(root);
        return SQ_EPARSE;
    }
    if (rd_is_error(root, d)) {
        json_decref(root);
        return SQ_ENOTFOUND;
    }
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        json_decref(root);
        return SQ_ENOMEM;
    }
    st->a = a;
    st->root = root;
    st->where = url ? url : "";
    rd_run(st);
    free(st);
    json_decref(root);
    return SQ_OK;
}
