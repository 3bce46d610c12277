/*
 * answer_json_test.c - whois answers to JSON and back (answer_json.c).
 *
 * 1. Round trips: a full IPv4 answer (contacts of every role, source and
 *    confidence, a network with an extra CIDR and a registry-written
 *    range, origin and upstreams with contacts, registrar, referral,
 *    flags, warnings, a Latin-1 string), an IPv6 answer whose bounds lie
 *    in ::ffff:0:0/96 but are not IPv4, and a URL answer with hosts two
 *    levels deep.  Every field must come back equal, and writing the
 *    copy again must give the same text.  Hosts deeper than two levels
 *    are not written.
 * 2. Hostile or malformed JSON: each case must give NULL (no crash, no
 *    leak under ASan).
 */
#include "sqtest.h"
#include "whois/whois_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deep comparison ---- */

static int
str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int
contact_eq(const sq_contact *x, const sq_contact *y)
{
    return str_eq(x->email, y->email) && x->role == y->role &&
           x->source == y->source && str_eq(x->where, y->where) &&
           str_eq(x->handle, y->handle) && x->confidence == y->confidence &&
           x->fallback == y->fallback;
}

static int
asinfo_eq(const sq_asinfo *x, const sq_asinfo *y)
{
    if (x->asn != y->asn || !str_eq(x->name, y->name) ||
        !str_eq(x->country, y->country) || !str_eq(x->registry, y->registry) ||
        !str_eq(x->relation, y->relation) || x->ncontacts != y->ncontacts)
        return 0;
    for (size_t i = 0; i < x->ncontacts; i++)
        if (!contact_eq(&x->contacts[i], &y->contacts[i]))
            return 0;
    return 1;
}

static int
network_eq(const sq_whois_answer *x, const sq_whois_answer *y)
{
    const sq_network *n = &x->net, *m = &y->net;

    if (x->has_network != y->has_network || !str_eq(n->range, m->range) ||
        !str_eq(n->name, m->name) || !str_eq(n->handle, m->handle) ||
        !str_eq(n->org, m->org) || !str_eq(n->country, m->country) ||
        !str_eq(n->registry, m->registry) ||
        !str_eq(n->allocated, m->allocated) || n->ncidrs != m->ncidrs)
        return 0;
    for (size_t i = 0; i < n->ncidrs; i++)
        if (!str_eq(n->cidrs[i], m->cidrs[i]))
            return 0;
    if (x->has_range != y->has_range)
        return 0;
    return !x->has_range || (memcmp(&x->lo, &y->lo, sizeof(x->lo)) == 0 &&
                             memcmp(&x->hi, &y->hi, sizeof(x->hi)) == 0);
}

/* 1 when equal; *why names the first difference. */
static int
answer_eq(const sq_whois_answer *x, const sq_whois_answer *y, int depth,
          const char **why)
{
    if (!str_eq(x->query, y->query) || x->kind != y->kind)
        return *why = "query/kind", 0;
    if (x->ncontacts != y->ncontacts)
        return *why = "ncontacts", 0;
    for (size_t i = 0; i < x->ncontacts; i++)
        if (!contact_eq(&x->contacts[i], &y->contacts[i]))
            return *why = "contact", 0;
    if (!network_eq(x, y))
        return *why = "network", 0;
    if (x->has_origin != y->has_origin ||
        (x->has_origin && !asinfo_eq(&x->origin, &y->origin)))
        return *why = "origin", 0;
    if (x->nupstreams != y->nupstreams)
        return *why = "nupstreams", 0;
    for (size_t i = 0; i < x->nupstreams; i++)
        if (!asinfo_eq(&x->upstreams[i], &y->upstreams[i]))
            return *why = "upstream", 0;
    if (!str_eq(x->registrar, y->registrar) ||
        !str_eq(x->referral, y->referral) || x->cached != y->cached ||
        x->blocked != y->blocked)
        return *why = "registrar/referral/flags", 0;
    if (x->nwarnings != y->nwarnings)
        return *why = "nwarnings", 0;
    for (size_t i = 0; i < x->nwarnings; i++)
        if (!str_eq(x->warnings[i], y->warnings[i]))
            return *why = "warning", 0;
    if (x->nhosts != y->nhosts)
        return *why = "nhosts", 0;
    for (size_t i = 0; i < x->nhosts; i++)
        if (!answer_eq(x->hosts[i], y->hosts[i], depth + 1, why))
            return 0;
    return 1;
}

/* ---- building answers ---- */

static void
add(sq_whois_answer *a, const char *email, sq_contact_role r,
    sq_contact_source s, const char *where, const char *handle, sq_confidence c,
    int fb)
{
    SQ_CHECK(wa_add_contact(a, email, strlen(email), r, s, where, handle, c,
                            fb) == 1,
             "add contact %s", email);
}

static sq_contact *
as_contacts(sq_whois_answer *a, size_t n, const char *domain)
{
    sq_contact *cs = sq_arena_alloc(a->arena, n * sizeof(*cs));
    char email[64];

    for (size_t i = 0; cs != NULL && i < n; i++) {
        snprintf(email, sizeof(email), "abuse%zu@%s", i, domain);
        cs[i].email = wa_str(a, email);
        cs[i].role = i == 0 ? SQ_ROLE_ABUSE : SQ_ROLE_NOC;
        cs[i].source = i == 0 ? SQ_SRC_RDAP : SQ_SRC_DNS_ABUSIX;
        cs[i].where = wa_str(a, "https://rdap.example/autnum/1");
        cs[i].handle = wa_str(a, i == 0 ? "ABUSE-1" : "");
        cs[i].confidence = i == 0 ? SQ_CONF_HIGH : SQ_CONF_LOW;
        cs[i].fallback = (int)i;
    }
    return cs;
}

static sq_whois_answer *
full_v4(void)
{
    sq_whois_answer *a = wa_new("192.0.2.77", SQ_WQ_IP);
    static const char rng[] = "192.000.002.000 - 192.000.002.255";

    add(a, "abuse@provider.de", SQ_ROLE_ABUSE, SQ_SRC_RDAP,
        "https://rdap.arin.net/registry/ip/192.0.2.77", "AB123-ARIN",
        SQ_CONF_HIGH, 0);
    add(a, "noc@provider.de", SQ_ROLE_NOC, SQ_SRC_WHOIS, "whois.arin.net", "",
        SQ_CONF_MEDIUM, 1);
    add(a, "tech@provider.de", SQ_ROLE_TECH, SQ_SRC_OFFLINE, "", "",
        SQ_CONF_LOW, 0);
    add(a, "admin@provider.de", SQ_ROLE_ADMIN, SQ_SRC_ABUSE_NET,
        "example.net.contacts.abuse.net", "", SQ_CONF_LOW, 1);
    add(a, "owner@provider.de", SQ_ROLE_REGISTRANT, SQ_SRC_OVERRIDE,
        "overrides", "", SQ_CONF_HIGH, 0);
    add(a, "abuse@provider.org", SQ_ROLE_ABUSE, SQ_SRC_RFC2142, "", "",
        SQ_CONF_LOW, 1);
    SQ_CHECK(wa_set_range_text(a, "192.000.002.000", 15, "192.0.2.255", 11),
             "range");
    SQ_CHECK(wa_add_cidr_text(a, "198.51.100.0/24", 15), "extra cidr");
    a->net.range = wa_str(a, rng); /* as the registry wrote it */
    wa_set_net_field(a, &a->net.name, "TEST-NET-1", 10);
    wa_set_net_field(a, &a->net.handle, "NET-192-0-2-0-1", 15);
    /* Latin-1, not UTF-8: must survive byte for byte */
    wa_set_net_field(a, &a->net.org, "M\xfcller \"&\" Co\\", 14);
    wa_set_net_field(a, &a->net.country, "US", 2);
    wa_set_net_field(a, &a->net.registry, "arin", 4);
    wa_set_net_field(a, &a->net.allocated, "2009-01-01", 10);
    a->has_origin = 1;
    a->origin.asn = 4294967295UL;
    a->origin.name = wa_str(a, "EXAMPLE-AS \xe6\x97\xa5\xe6\x9c\xac");
    a->origin.country = wa_str(a, "JP");
    a->origin.registry = wa_str(a, "apnic");
    a->origin.relation = "origin (BGP, Team Cymru)";
    a->origin_contacts[0] = as_contacts(a, 1, "as-op.nl")[0];
    a->origin.ncontacts = 1;
    for (size_t i = 0; i < 3; i++) {
        sq_asinfo *u = &a->upstreams[a->nupstreams++];

        u->asn = 64500 + i;
        u->name = wa_str(a, i == 1 ? "" : "UPSTREAM");
        u->country = wa_str(a, "DE");
        u->registry = wa_str(a, "ripencc");
        u->relation = "upstream-candidate (BGP adjacency)";
        u->contacts = i == 2 ? NULL : as_contacts(a, i + 1, "transit.se");
        u->ncontacts = i == 2 ? 0 : i + 1;
    }
    a->referral = wa_str(a, "rwhois.example.net:4321");
    a->cached = 1;
    a->blocked = 1;
    wa_warn(a, "RDAP %s: HTTP 404", "https://rdap.example/ip/192.0.2.77");
    wa_warn(a, "tab\there, newline\nthere, unicode \xe2\x9c\x93");
    return a;
}

static void
check_round_trip(const sq_whois_answer *a, const char *what)
{
    char *j1 = wa_to_json(a), *j2 = NULL;
    sq_whois_answer *b = NULL;
    const char *why = "";

    SQ_CHECK(j1 != NULL, "%s: to_json", what);
    if (j1 != NULL)
        b = wa_from_json(j1, strlen(j1));
    SQ_CHECK(b != NULL, "%s: from_json of %s", what, j1 ? j1 : "(null)");
    if (b != NULL) {
        SQ_CHECK(answer_eq(a, b, 0, &why), "%s: differs in %s", what, why);
        j2 = wa_to_json(b);
        SQ_CHECK_STR(j2, j1, "%s: second serialisation identical", what);
    }
    free(j1);
    free(j2);
    sq_whois_answer_free(b);
}

static void
test_v4(void)
{
    sq_whois_answer *a = full_v4();
    char *j = wa_to_json(a);

    check_round_trip(a, "full v4");
    SQ_CHECK(j != NULL && strstr(j, "\"kind\":\"ip\"") != NULL &&
                 strstr(j, "\"role\":\"registrant\"") != NULL &&
                 strstr(j, "\"source\":\"rfc2142\"") != NULL,
             "enum names in the text: %s", j ? j : "");
    SQ_CHECK(j != NULL &&
                 strstr(j, "\"lo\":\"00000000000000000000ffffc0000200\"") !=
                     NULL,
             "range bounds as hex");
    free(j);
    sq_whois_answer_free(a);
}

static void
test_v6(void)
{
    sq_whois_answer *a = wa_new("::ffff:0:1", SQ_WQ_CIDR);
    sq_ipaddr lo, hi;

    /* bounds inside ::ffff:0:0/96 with v4 = 0 */
    memset(&lo, 0, sizeof(lo));
    lo.b[10] = lo.b[11] = 0xff;
    hi = lo;
    memset(hi.b + 12, 0xff, 4);
    SQ_CHECK(wa_set_range(a, &lo, &hi), "v6 range");
    a->lo.v4 = a->hi.v4 = 0;
    check_round_trip(a, "v6 in ::ffff:0:0/96");
    sq_whois_answer_free(a);

    a = wa_new("2001:db8::/32", SQ_WQ_CIDR);
    SQ_CHECK(wa_set_cidr_text(a, "2001:db8::/32", 13), "v6 cidr");
    check_round_trip(a, "v6 cidr");
    sq_whois_answer_free(a);

    a = wa_new("", SQ_WQ_ASN); /* empty everything */
    check_round_trip(a, "empty");
    sq_whois_answer_free(a);
}

static void
test_hosts(void)
{
    sq_whois_answer *a = wa_new("https://www.example.com/x", SQ_WQ_URL);
    sq_whois_answer *h1 = full_v4(), *h2 = wa_new("2001:db8::1", SQ_WQ_IP);
    sq_whois_answer *g = wa_new("192.0.2.1", SQ_WQ_IP);
    sq_whois_answer *deep = wa_new("192.0.2.2", SQ_WQ_IP);
    sq_whois_answer *b;
    char *j;

    a->registrar = wa_str(a, "Example Registrar, Inc.");
    add(a, "abuse@registrar.biz", SQ_ROLE_ABUSE, SQ_SRC_RDAP,
        "https://rdap.example/domain/example.com", "registrar", SQ_CONF_HIGH,
        0);
    wa_add_host(g, deep); /* level 3: not written */
    wa_add_host(h2, g);
    wa_add_host(a, h1);
    wa_add_host(a, h2);
    j = wa_to_json(a);
    b = j ? wa_from_json(j, strlen(j)) : NULL;
    SQ_CHECK(b != NULL && b->nhosts == 2 && b->hosts[1]->nhosts == 1 &&
                 b->hosts[1]->hosts[0]->nhosts == 0,
             "hosts two levels deep, the third dropped");
    if (b != NULL) {
        const char *why = "";

        g->nhosts = 0; /* what was written */
        SQ_CHECK(answer_eq(a, b, 0, &why), "hosts differ in %s", why);
        g->nhosts = 1;
        SQ_CHECK_STR(b->hosts[0]->net.org, "M\xfcller \"&\" Co\\",
                     "host field");
    }
    free(j);
    sq_whois_answer_free(b);
    sq_whois_answer_free(a);
}

/* ---- hostile input ---- */

static const char *const hostile[] = {
    "",
    "{",
    "[]",
    "null",
    "{\"v\":1}",
    "{\"v\":2,\"query\":\"x\",\"kind\":\"ip\"}",
    "{\"query\":\"x\",\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"nope\"}",
    "{\"v\":1,\"query\":\"x\",\"kind\":3}",
    "{\"v\":1,\"query\":1,\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":\"a\\u0000b\",\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":{\"x\":\"6100\"},\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":{\"x\":\"6\"},\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":{\"x\":\"zz\"},\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":{\"x\":\"61\",\"y\":1},\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"kind\":\"ip\"}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\"} trailing",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":{}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[1]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[{\"email\":"
    "\"a@b.c\",\"role\":\"boss\",\"source\":\"rdap\",\"confidence\":"
    "\"high\"}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[{\"email\":"
    "\"not-an-address\",\"role\":\"abuse\",\"source\":\"rdap\","
    "\"confidence\":\"high\"}]}",
    /* a registry placeholder address is never read back */
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[{\"email\":"
    "\"noc@example.com\",\"role\":\"abuse\",\"source\":\"rdap\","
    "\"confidence\":\"high\"}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[{\"role\":"
    "\"abuse\",\"source\":\"rdap\",\"confidence\":\"high\"}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"contacts\":[{\"email\":"
    "\"a@b.c\",\"role\":\"abuse\",\"source\":\"rdap\",\"confidence\":"
    "\"high\",\"fallback\":1}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"network\":[]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"network\":{\"cidrs\":"
    "[\"300.1.1.1/8\"]}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"network\":{\"cidrs\":[7]}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"range\":{\"v4\":true,"
    "\"lo\":\"00000000000000000000ffffc0000200\"}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"range\":{\"v4\":true,"
    "\"lo\":\"00000000000000000000ffffc0000200\",\"hi\":"
    "\"00000000000000000000ffffc00002\"}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"range\":{\"v4\":true,"
    "\"lo\":\"00000000000000000000FFFFC0000200\",\"hi\":"
    "\"00000000000000000000ffffc00002ff\"}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"range\":{\"v4\":true,"
    "\"lo\":\"00000000000000000000ffffc00002ff\",\"hi\":"
    "\"00000000000000000000ffffc0000200\"}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"asn\",\"origin\":{\"asn\":-1}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"asn\",\"origin\":{\"asn\":"
    "4294967296}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"asn\",\"origin\":{\"asn\":1.5}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"asn\",\"origin\":{\"asn\":1,"
    "\"contacts\":[{},{},{},{},{}]}}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"asn\",\"upstreams\":[{}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"warnings\":[null]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"cached\":\"yes\"}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"hosts\":[{}]}",
    "{\"v\":1,\"query\":\"x\",\"kind\":\"url\",\"hosts\":[{\"query\":\"a\","
    "\"kind\":\"ip\",\"hosts\":[{\"query\":\"b\",\"kind\":\"ip\",\"hosts\":"
    "[{\"query\":\"c\",\"kind\":\"ip\"}]}]}]}",
    "{\"v\":1,\"query\":\"\xff\xfe\",\"kind\":\"ip\"}",
};

/* A string of n copies of unit between head and tail (malloc'd). */
static char *
repeat(const char *head, const char *unit, size_t n, const char *sep,
       const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), sl = strlen(sep),
           tl = strlen(tail), len = hl + n * (ul + sl) + tl + 1, k = 0;
    char *s = malloc(len);

    if (s == NULL)
        return NULL;
    memcpy(s, head, hl);
    k = hl;
    for (size_t i = 0; i < n; i++) {
        memcpy(s + k, unit, ul);
        k += ul;
        if (i + 1 < n) {
            memcpy(s + k, sep, sl);
            k += sl;
        }
    }
    memcpy(s + k, tail, tl + 1);
    return s;
}

static void
test_hostile(void)
{
    static const char ok[] = "{\"v\":1,\"query\":\"x\",\"kind\":\"ip\"}";
    sq_whois_answer *a;
    char *s;

    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        a = wa_from_json(hostile[i], strlen(hostile[i]));
        SQ_CHECK(a == NULL, "hostile %zu refused: %s", i, hostile[i]);
        sq_whois_answer_free(a);
    }
    a = wa_from_json(ok, strlen(ok));
    SQ_CHECK(a != NULL && strcmp(a->query, "x") == 0, "minimal answer read");
    sq_whois_answer_free(a);
    a = wa_from_json(ok, strlen(ok) - 1); /* length, not NUL, counts */
    SQ_CHECK(a == NULL, "truncated by length");
    SQ_CHECK(wa_from_json(NULL, 0) == NULL, "NULL");

    /* deep nesting stops before jansson recurses */
    s = repeat("{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"z\":", "[", 100000,
               "", "");
    SQ_CHECK(s != NULL && wa_from_json(s, strlen(s)) == NULL, "deep nesting");
    free(s);
    /* an unknown key nested 31 deep is fine, 33 is not */
    s = repeat("{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"z\":", "[", 30, "",
               "");
    if (s != NULL) {
        char *t = repeat(s, "]", 30, "", "}");

        a = t ? wa_from_json(t, strlen(t)) : NULL;
        SQ_CHECK(a != NULL, "31 levels accepted");
        sq_whois_answer_free(a);
        free(t);
    }
    free(s);
    /* too many contacts / warnings / hosts */
    s = repeat("{\"v\":1,\"query\":\"x\",\"kind\":\"ip\",\"warnings\":[",
               "\"w\"", WA_MAX_WARNINGS + 1, ",", "]}");
    SQ_CHECK(s != NULL && wa_from_json(s, strlen(s)) == NULL,
             "too many warnings");
    free(s);
    s = repeat("{\"v\":1,\"query\":\"x\",\"kind\":\"url\",\"hosts\":[",
               "{\"query\":\"h\",\"kind\":\"ip\"}", WA_MAX_HOSTS + 1, ",",
               "]}");
    SQ_CHECK(s != NULL && wa_from_json(s, strlen(s)) == NULL, "too many hosts");
    free(s);
    /* 16 hosts of 16 hosts: more answers than allowed in all */
    s = repeat("", "{\"query\":\"h\",\"kind\":\"ip\"}", WA_MAX_HOSTS, ",", "");
    if (s != NULL) {
        char *unit = repeat("{\"query\":\"d\",\"kind\":\"domain\",\"hosts\":[",
                            s, 1, "", "]}");
        char *t = unit ? repeat("{\"v\":1,\"query\":\"x\",\"kind\":\"url\","
                                "\"hosts\":[",
                                unit, WA_MAX_HOSTS, ",", "]}")
                       : NULL;

        SQ_CHECK(t != NULL && wa_from_json(t, strlen(t)) == NULL,
                 "273 answers refused");
        free(unit);
        free(t);
    }
    free(s);
    /* bigger than the cap */
    s = repeat("{\"v\":1,\"query\":\"", "x", (4u << 20) + 1, "",
               "\",\"kind\":\"ip\"}");
    SQ_CHECK(s != NULL && wa_from_json(s, strlen(s)) == NULL, "over 4 MiB");
    free(s);
}

int
main(void)
{
    test_v4();
    test_v6();
    test_hosts();
    test_hostile();
    return sqtest_finish("answer_json_test");
}
