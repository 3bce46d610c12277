/*
 * answer_json.c - a whois answer as JSON text for the cache, and back.
 *
 * Format (version 1), empty strings, empty lists and false flags left
 * out:
 *   {"v":1, "query":"..", "kind":"ip|cidr|asn|domain|url",
 *    "contacts":[CONTACT...],
 *    "network":{"range","name","handle","org","country","registry",
 *               "allocated", "cidrs":["a.b.c.d/n"...]},
 *    "range":{"v4":true, "lo":HEX32, "hi":HEX32},
 *    "origin":AS, "upstreams":[AS...], "registrar":"..",
 *    "hosts":[ANSWER...], "referral":"..", "cached":true,
 *    "blocked":true, "warnings":[".."...]}
 *   CONTACT = {"email","role","source","where","handle","confidence",
 *              "fallback":true}
 *   AS = {"asn":N, "name","country","registry","relation",
 *         "contacts":[CONTACT...]}
 * Enum values use the public names (sq_contact_role_name, ...).  The
 * range bounds are the 16 bytes of sq_ipaddr.b in hex, so they come back
 * bit for bit.  A string that is not valid UTF-8 (registry text may be
 * Latin-1) is written as {"x":HEX} of its bytes.
 *
 * Reading goes through the answer builder (wa_new, wa_add_contact,
 * wa_warn, wa_add_host) where that gives back exactly what was written;
 * network fields, CIDRs, the range bounds and AS records are assigned
 * directly, because the builder trims fields, recomputes the CIDR list
 * and "first - last" text from bounds (which may differ from what the
 * registry wrote) and cannot re-read an IPv6 prefix inside ::ffff:0:0/96.  A
 * contact the builder refuses (e.g. an address added to the placeholder list
 * since) makes the whole entry unreadable, so the caller treats it as a cache
 * miss.
 *
 * Limits (hostile input is refused, NULL, never a crash): WJ_MAX_JSON
 * bytes, nesting WA_MAX_DEPTH (checked before jansson parses), hosts two
 * levels deep and WJ_MAX_ANSWERS answers in all, the WA_MAX_* counts of
 * whois_int.h, WJ_MAX_AS_CONTACTS contacts per AS, strings without NUL.
 */
#include "whois/whois_int.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

enum {
    WJ_VERSION = 1,
    WJ_MAX_JSON = 4 << 20,
    WJ_MAX_HOST_DEPTH = 2,
    WJ_MAX_ANSWERS = 64,
    WJ_MAX_AS_CONTACTS = 16,
    WJ_MAX_ENUM = 32
};

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

static json_t *
wj_hex(const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *buf = malloc(2 * n + 1);
    json_t *j;

    if (buf == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    j = json_stringn(buf, 2 * n);
    free(buf);
    return j;
}

/* A string value: JSON text when it is UTF-8, else {"x": hex bytes}. */
static json_t *
wj_string(const char *s)
{
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);

    if (j != NULL)
        return j;
    return json_pack("{s:o}", "x", wj_hex((const unsigned char *)s, n));
}

/* Set o[k] = v; clears *ok when v is NULL or the set fails. */
static void
wj_set(json_t *o, const char *k, json_t *v, int *ok)
{
    if (v == NULL || json_object_set_new(o, k, v) != 0)
        *ok = 0;
}

static void
wj_set_str(json_t *o, const char *k, const char *s, int *ok)
{
    if (s != NULL && s[0] != '\0')
        wj_set(o, k, wj_string(s), ok);
}

static void
wj_set_true(json_t *o, const char *k, int flag, int *ok)
{
    if (flag)
        wj_set(o, k, json_true(), ok);
}

static json_t *
wj_contacts(const sq_contact *c, size_t n, int *ok)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n && *ok; i++) {
        json_t *o = json_object();

        if (o == NULL || json_array_append_new(arr, o) != 0) {
            *ok = 0;
            break;
        }
        wj_set_str(o, "email", c[i].email, ok);
        wj_set_str(o, "role", sq_contact_role_name(c[i].role), ok);
        wj_set_str(o, "source", sq_contact_source_name(c[i].source), ok);
        wj_set_str(o, "where", c[i].where, ok);
        wj_set_str(o, "handle", c[i].handle, ok);
        wj_set_str(o, "confidence", sq_confidence_name(c[i].confidence), ok);
        wj_set_true(o, "fallback", c[i].fallback, ok);
    }
    return arr;
}

static json_t *
wj_asinfo(const sq_asinfo *as, int *ok)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    wj_set(o, "asn", json_integer((json_int_t)as->asn), ok);
    wj_set_str(o, "name", as->name, ok);
    wj_set_str(o, "country", as->country, ok);
    wj_set_str(o, "registry", as->registry, ok);
    wj_set_str(o, "relation", as->relation, ok);
    if (as->ncontacts > 0 && as->contacts != NULL)
        wj_set(o, "contacts", wj_contacts(as->contacts, as->ncontacts, ok), ok);
    return o;
}

static json_t *
wj_network(const sq_whois_answer *a, int *ok)
{
    json_t *o = json_object(), *cidrs;

    if (o == NULL)
        return NULL;
    wj_set_str(o, "range", a->net.range, ok);
    wj_set_str(o, "name", a->net.name, ok);
    wj_set_str(o, "handle", a->net.handle, ok);
    wj_set_str(o, "org", a->net.org, ok);
    wj_set_str(o, "country", a->net.country, ok);
    wj_set_str(o, "registry", a->net.registry, ok);
    wj_set_str(o, "allocated", a->net.allocated, ok);
    if (a->net.ncidrs > 0) {
        cidrs = json_array();
        wj_set(o, "cidrs", cidrs, ok);
        for (size_t i = 0; *ok && i < a->net.ncidrs; i++)
            if (json_array_append_new(cidrs, wj_string(a->net.cidrs[i])) != 0)
                *ok = 0;
    }
    return o;
}

static json_t *wj_answer(const sq_whois_answer *a, int depth, int *ok);

static void
wj_lists(json_t *o, const sq_whois_answer *a, int depth, int *ok)
{
    if (a->nupstreams > 0) {
        json_t *up = json_array();

        wj_set(o, "upstreams", up, ok);
        for (size_t i = 0; *ok && i < a->nupstreams; i++)
            if (json_array_append_new(up, wj_asinfo(&a->upstreams[i], ok)))
                *ok = 0;
    }
    if (a->nhosts > 0 && depth < WJ_MAX_HOST_DEPTH) {
        json_t *hosts = json_array();

        wj_set(o, "hosts", hosts, ok);
        for (size_t i = 0; *ok && i < a->nhosts; i++)
            if (json_array_append_new(hosts,
                                      wj_answer(a->hosts[i], depth + 1, ok)))
                *ok = 0;
    }
    if (a->nwarnings > 0) {
        json_t *w = json_array();

        wj_set(o, "warnings", w, ok);
        for (size_t i = 0; *ok && i < a->nwarnings; i++)
            if (json_array_append_new(w, wj_string(a->warnings[i])) != 0)
                *ok = 0;
    }
}

static json_t *
wj_answer(const sq_whois_answer *a, int depth, int *ok)
{
    json_t *o = json_object();

    if (o == NULL || a == NULL) {
        json_decref(o);
        return NULL;
    }
    if (depth == 0)
        wj_set(o, "v", json_integer(WJ_VERSION), ok);
    wj_set(o, "query", wj_string(a->query ? a->query : ""), ok);
    wj_set_str(o, "kind", sq_whois_kind_name(a->kind), ok);
    if (a->ncontacts > 0)
        wj_set(o, "contacts", wj_contacts(a->contacts, a->ncontacts, ok), ok);
    if (a->has_network)
        wj_set(o, "network", wj_network(a, ok), ok);
    if (a->has_range)
        wj_set(o, "range",
               json_pack("{s:b,s:o,s:o}", "v4", a->lo.v4 != 0, "lo",
                         wj_hex(a->lo.b, 16), "hi", wj_hex(a->hi.b, 16)),
               ok);
    if (a->has_origin)
        wj_set(o, "origin", wj_asinfo(&a->origin, ok), ok);
    wj_set_str(o, "registrar", a->registrar, ok);
    wj_set_str(o, "referral", a->referral, ok);
    wj_set_true(o, "cached", a->cached, ok);
    wj_set_true(o, "blocked", a->blocked, ok);
    wj_lists(o, a, depth, ok);
    return o;
}

char *
wa_to_json(const sq_whois_answer *a)
{
    int ok = 1;
    json_t *o = wj_answer(a, 0, &ok);
    char *out = NULL;

    if (o != NULL && ok)
        out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

typedef struct wj_reader {
    size_t nanswers;
} wj_reader;

/* Nesting of [ and { outside strings; 1 when within max. */
static int
wj_depth_ok(const char *p, size_t n, int max)
{
    int depth = 0, in_str = 0;

    for (size_t i = 0; i < n; i++) {
        char c = p[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return 0;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 1;
}

static int
wj_unhex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Lower-case hex into bytes; n is the byte count; 0 when malformed. */
static int
wj_unhex(const char *s, size_t slen, unsigned char *out, size_t n)
{
    if (slen != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int h = wj_unhex_digit(s[2 * i]), l = wj_unhex_digit(s[2 * i + 1]);

        if (h < 0 || l < 0)
            return 0;
        out[i] = (unsigned char)(h << 4 | l);
    }
    return 1;
}

/* A string value (plain or {"x":hex}) copied into a's arena; NULL j is
 * "" (absent).  Returns 0 on a wrong type, a NUL byte or bad hex. */
static int
wj_get_str(sq_whois_answer *a, json_t *j, const char **out)
{
    const char *s;
    size_t n;

    if (j == NULL) {
        *out = wa_str(a, NULL);
        return 1;
    }
    if (json_is_object(j)) {
        json_t *x = json_object_get(j, "x");
        unsigned char *buf;
        int ok;

        if (json_object_size(j) != 1 || !json_is_string(x))
            return 0;
        n = json_string_length(x) / 2;
        if ((buf = malloc(n + 1)) == NULL)
            return 0;
        ok = wj_unhex(json_string_value(x), json_string_length(x), buf, n) &&
             memchr(buf, '\0', n) == NULL;
        if (ok)
            *out = wa_strn(a, (const char *)buf, n);
        free(buf);
        return ok;
    }
    if (!json_is_string(j))
        return 0;
    s = json_string_value(j);
    n = json_string_length(j);
    if (memchr(s, '\0', n) != NULL)
        return 0;
    *out = wa_strn(a, s, n);
    return 1;
}

static int
wj_field(sq_whois_answer *a, json_t *o, const char *key, const char **out)
{
    return wj_get_str(a, json_object_get(o, key), out);
}

/* Optional boolean: absent is 0. */
static int
wj_bool(json_t *o, const char *key, int *out)
{
    json_t *j = json_object_get(o, key);

    if (j != NULL && !json_is_boolean(j))
        return 0;
    *out = json_is_true(j);
    return 1;
}

/* Optional array of at most max items: absent is empty. */
static int
wj_array(json_t *o, const char *key, size_t max, json_t **out)
{
    json_t *j = json_object_get(o, key);

    *out = j;
    return j == NULL || (json_is_array(j) && json_array_size(j) <= max);
}

/* An enum value by its public name; -1 when unknown or not a string. */
static int
wj_enum(json_t *j, const char *(*name)(int))
{
    const char *s = json_string_value(j);

    if (s == NULL)
        return -1;
    for (int i = 0; i < WJ_MAX_ENUM; i++) {
        const char *n = name(i);

        if (strcmp(n, "unknown") == 0)
            break;
        if (strcmp(n, s) == 0)
            return i;
    }
    return -1;
}

static const char *
wj_role_name(int i)
{
    return sq_contact_role_name((sq_contact_role)i);
}

static const char *
wj_source_name(int i)
{
    return sq_contact_source_name((sq_contact_source)i);
}

static const char *
wj_conf_name(int i)
{
    return sq_confidence_name((sq_confidence)i);
}

static const char *
wj_kind_name(int i)
{
    return sq_whois_kind_name((sq_whois_kind)i);
}

/* One contact object into c (strings in a's arena). */
static int
wj_contact(sq_whois_answer *a, json_t *o, sq_contact *c)
{
    int role, src, conf;

    if (!json_is_object(o))
        return 0;
    role = wj_enum(json_object_get(o, "role"), wj_role_name);
    src = wj_enum(json_object_get(o, "source"), wj_source_name);
    conf = wj_enum(json_object_get(o, "confidence"), wj_conf_name);
    if (role < 0 || src < 0 || conf < 0 ||
        !wj_field(a, o, "email", &c->email) || c->email[0] == '\0' ||
        !wj_field(a, o, "where", &c->where) ||
        !wj_field(a, o, "handle", &c->handle) ||
        !wj_bool(o, "fallback", &c->fallback))
        return 0;
    c->role = (sq_contact_role)role;
    c->source = (sq_contact_source)src;
    c->confidence = (sq_confidence)conf;
    return 1;
}

static int
wj_read_contacts(sq_whois_answer *a, json_t *o)
{
    json_t *arr, *item;
    size_t i;

    if (!wj_array(o, "contacts", WA_MAX_CONTACTS, &arr))
        return 0;
    json_array_foreach(arr, i, item)
    {
        sq_contact c;

        if (!wj_contact(a, item, &c) ||
            !wa_add_contact(a, c.email, strlen(c.email), c.role, c.source,
                            c.where, c.handle, c.confidence, c.fallback))
            return 0;
    }
    return 1;
}

/* An AS record; contacts go to arena storage (or fixed, when given). */
static int
wj_asinfo_rd(sq_whois_answer *a, json_t *o, sq_asinfo *as, sq_contact *fixed,
             size_t nfixed)
{
    json_t *asn = json_object_get(o, "asn"), *arr, *item;
    sq_contact *cs = fixed;
    size_t i, max = fixed ? nfixed : WJ_MAX_AS_CONTACTS;

    if (!json_is_object(o) || !json_is_integer(asn) ||
        json_integer_value(asn) < 0 || json_integer_value(asn) > 4294967295LL ||
        !wj_field(a, o, "name", &as->name) ||
        !wj_field(a, o, "country", &as->country) ||
        !wj_field(a, o, "registry", &as->registry) ||
        !wj_field(a, o, "relation", &as->relation) ||
        !wj_array(o, "contacts", max, &arr))
        return 0;
    as->asn = (unsigned long)json_integer_value(asn);
    as->ncontacts = 0;
    as->contacts = fixed;
    if (arr == NULL || json_array_size(arr) == 0)
        return 1;
    if (cs == NULL && (cs = sq_arena_alloc(a->arena, json_array_size(arr) *
                                                         sizeof(*cs))) == NULL)
        return 0;
    json_array_foreach(arr, i, item)
    {
        if (!wj_contact(a, item, &cs[i]))
            return 0;
    }
    as->contacts = cs;
    as->ncontacts = json_array_size(arr);
    return 1;
}

/* "address/len" with a parseable address and len <= 128.  The builder
 * cannot re-read every CIDR it writes (an IPv6 prefix inside
 * ::ffff:0:0/96 parses as IPv4), so the text is kept as written. */
static int
wj_cidr_text(json_t *j)
{
    const char *s = json_string_value(j), *slash;
    size_t n = json_string_length(j), k;
    sq_ipaddr ip;
    int len = 0;

    if (s == NULL || n >= 48 || (slash = memchr(s, '/', n)) == NULL ||
        !sq_ipaddr_parse(s, (size_t)(slash - s), &ip))
        return 0;
    k = (size_t)(slash - s) + 1;
    if (k == n || n - k > 3)
        return 0;
    for (; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        len = len * 10 + (s[k] - '0');
    }
    return len <= 128;
}

static int
wj_read_network(sq_whois_answer *a, json_t *o)
{
    json_t *n = json_object_get(o, "network"), *arr, *item;
    size_t i;

    if (n == NULL)
        return 1;
    if (!json_is_object(n) || !wj_field(a, n, "range", &a->net.range) ||
        !wj_field(a, n, "name", &a->net.name) ||
        !wj_field(a, n, "handle", &a->net.handle) ||
        !wj_field(a, n, "org", &a->net.org) ||
        !wj_field(a, n, "country", &a->net.country) ||
        !wj_field(a, n, "registry", &a->net.registry) ||
        !wj_field(a, n, "allocated", &a->net.allocated) ||
        !wj_array(n, "cidrs", WA_MAX_CIDRS, &arr))
        return 0;
    json_array_foreach(arr, i, item)
    {
        if (!wj_cidr_text(item))
            return 0;
        a->cidrs[i] =
            wa_strn(a, json_string_value(item), json_string_length(item));
        a->net.ncidrs = i + 1;
    }
    a->has_network = 1;
    return 1;
}

static int
wj_read_range(sq_whois_answer *a, json_t *o)
{
    json_t *r = json_object_get(o, "range"), *lo, *hi;
    int v4;

    if (r == NULL)
        return 1;
    lo = json_object_get(r, "lo");
    hi = json_object_get(r, "hi");
    if (!json_is_object(r) || !wj_bool(r, "v4", &v4) || !json_is_string(lo) ||
        !json_is_string(hi) ||
        !wj_unhex(json_string_value(lo), json_string_length(lo), a->lo.b, 16) ||
        !wj_unhex(json_string_value(hi), json_string_length(hi), a->hi.b, 16) ||
        memcmp(a->lo.b, a->hi.b, 16) > 0)
        return 0;
    a->lo.v4 = a->hi.v4 = (uint8_t)v4;
    a->has_range = 1;
    return 1;
}

static int
wj_read_as(sq_whois_answer *a, json_t *o)
{
    json_t *origin = json_object_get(o, "origin"), *arr, *item;
    size_t i;

    if (origin != NULL) {
        if (!wj_asinfo_rd(a, origin, &a->origin, a->origin_contacts,
                          sizeof(a->origin_contacts) /
                              sizeof(a->origin_contacts[0])))
            return 0;
        a->has_origin = 1;
    }
    if (!wj_array(o, "upstreams", WA_MAX_UPSTREAMS, &arr))
        return 0;
    json_array_foreach(arr, i, item)
    {
        if (!wj_asinfo_rd(a, item, &a->upstreams[i], NULL, 0))
            return 0;
        a->nupstreams = i + 1;
    }
    return 1;
}

static int
wj_read_warnings(sq_whois_answer *a, json_t *o)
{
    json_t *arr, *item;
    size_t i;

    if (!wj_array(o, "warnings", WA_MAX_WARNINGS, &arr))
        return 0;
    json_array_foreach(arr, i, item)
    {
        const char *w;

        if (!wj_get_str(a, item, &w))
            return 0;
        wa_warn(a, "%s", w);
    }
    return 1;
}

static sq_whois_answer *wj_read_answer(json_t *o, int depth, wj_reader *rd);

static int
wj_read_hosts(sq_whois_answer *a, json_t *o, int depth, wj_reader *rd)
{
    json_t *arr, *item;
    size_t i;

    if (!wj_array(o, "hosts", WA_MAX_HOSTS, &arr))
        return 0;
    if (arr != NULL && json_array_size(arr) > 0 && depth >= WJ_MAX_HOST_DEPTH)
        return 0;
    json_array_foreach(arr, i, item)
    {
        sq_whois_answer *h = wj_read_answer(item, depth + 1, rd);

        if (h == NULL || !wa_add_host(a, h))
            return 0;
    }
    return 1;
}

static sq_whois_answer *
wj_read_answer(json_t *o, int depth, wj_reader *rd)
{
    sq_whois_answer *a;
    const char *query;
    int kind;

    if (!json_is_object(o) || ++rd->nanswers > WJ_MAX_ANSWERS)
        return NULL;
    kind = wj_enum(json_object_get(o, "kind"), wj_kind_name);
    if (kind < 0 || (a = wa_new(NULL, (sq_whois_kind)kind)) == NULL)
        return NULL;
    if (!wj_field(a, o, "query", &query) ||
        !wj_field(a, o, "registrar", &a->registrar) ||
        !wj_field(a, o, "referral", &a->referral) ||
        !wj_bool(o, "cached", &a->cached) ||
        !wj_bool(o, "blocked", &a->blocked) || !wj_read_contacts(a, o) ||
        !wj_read_network(a, o) || !wj_read_range(a, o) || !wj_read_as(a, o) ||
        !wj_read_hosts(a, o, depth, rd) || !wj_read_warnings(a, o)) {
        sq_whois_answer_free(a);
        return NULL;
    }
    a->query = query;
    return a;
}

sq_whois_answer *
wa_from_json(const char *json, size_t len)
{
    wj_reader rd = {0};
    sq_whois_answer *a = NULL;
    json_t *root, *v;

    if (json == NULL || len == 0 || len > WJ_MAX_JSON ||
        !wj_depth_ok(json, len, WA_MAX_DEPTH))
        return NULL;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    v = json_object_get(root, "v");
    if (json_is_integer(v) && json_integer_value(v) == WJ_VERSION)
        a = wj_read_answer(root, 0, &rd);
    json_decref(root);
    return a;
}
