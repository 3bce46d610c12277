/*
 * netset.c - network sets in SpamAssassin's netset syntax (the syntax of
 * trusted_networks, internal_networks and msa_networks).
 *
 * Entries are separated by whitespace or commas.  Each entry is
 *   [!]address[/len]
 * where address is
 *   - IPv4, possibly abbreviated: "1.2.3.4" (a host, /32), "1.2.3" or
 *     "1.2.3." (/24), "1.2" or "1.2." (/16), "1" or "1." (/8);
 *     leading zeros are decimal ("010." is 10/8);
 *   - IPv6 text (RFC 4291, optionally "IPv6:"-prefixed), a host (/128)
 *     without /len;
 *   - either of those in [brackets].
 * len is a prefix length (0..32 for IPv4, 0..128 for IPv6) or, for
 * IPv4, a contiguous dotted netmask ("/255.255.0.0").  A zone id
 * ("fe80::1%eth0") is ignored with a note, as SpamAssassin does.  "!"
 * makes the entry an exclusion.
 *
 * Matching: the FIRST entry that contains the address decides (an
 * exclusion says "no").  IPv4 entries are kept as their v4-mapped IPv6
 * prefix (::ffff:a.b.c.d/96+len), so they also match v4-mapped
 * addresses; every entry is binary (address + prefix) and a match is a
 * short linear scan with no string work.
 *
 * An entry wholly covered by an earlier entry can never decide anything
 * (e.g. "1.2/16 !1.2.3.4": the exclusion is dead).  Like SpamAssassin,
 * such an entry is not stored and a warning goes to the diag; the call
 * still succeeds.  The check is quadratic, so it only runs while the set
 * has fewer than NETSET_SHADOW_CHECK_MAX entries.
 *
 * Ownership: the set owns its entry array; sq_netset_free releases it.
 * Limits: NETSET_MAX_ENTRIES entries, SQ_SHOW_MAX bytes of an entry
 * quoted in a diag message (non-printable bytes shown as '?').
 */
#include "core_int.h"

#include <stdlib.h>
#include <string.h>

enum {
    NETSET_MAX_ENTRIES = 65536,
    NETSET_SHADOW_CHECK_MAX = 200,
};

typedef struct netset_entry {
    sq_ipaddr net;  /* host bits cleared */
    uint8_t prefix; /* on the 128-bit form */
    uint8_t exclude;
} netset_entry;

struct sq_netset {
    netset_entry *e;
    size_t n, cap;
};

sq_status
sq_netset_new(sq_netset **out)
{
    sq_netset *ns = calloc(1, sizeof(*ns));

    if (ns == NULL)
        return SQ_ENOMEM;
    *out = ns;
    return SQ_OK;
}

void
sq_netset_free(sq_netset *ns)
{
    if (ns == NULL)
        return;
    free(ns->e);
    free(ns);
}

size_t
sq_netset_count(const sq_netset *ns)
{
    return ns == NULL ? 0 : ns->n;
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Decimal 0..max of 1..3 digits, the whole of [s, s+len). */
static int
parse_small(const char *s, size_t len, unsigned max, unsigned *out)
{
    unsigned v = 0;

    if (len == 0 || len > 3)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

/*
 * Abbreviated IPv4: 1..4 decimal parts, a trailing '.' allowed when
 * fewer than 4.  Fills the v4-mapped address, *parts = number given.
 */
static int
parse_v4_abbrev(const char *s, size_t len, sq_ipaddr *a, unsigned *parts)
{
    size_t i = 0;
    unsigned n = 0;

    memset(a, 0, sizeof(*a));
    a->b[10] = a->b[11] = 0xff;
    a->v4 = 1;
    while (i < len) {
        size_t j = i;
        unsigned v;
        while (j < len && s[j] != '.')
            j++;
        if (n == 4 || !parse_small(s + i, j - i, 255, &v))
            return 0;
        a->b[12 + n++] = (uint8_t)v;
        if (j == len)
            break;
        i = j + 1; /* skip '.'; a '.' at the very end ends the loop */
        if (i == len && n == 4)
            return 0; /* "1.2.3.4." */
    }
    *parts = n;
    return n > 0;
}

/* IPv4 mask: a length 0..32 or a contiguous dotted netmask. */
static int
parse_v4_mask(const char *s, size_t len, unsigned *prefix)
{
    sq_ipaddr m;
    uint32_t bits;
    unsigned ones = 0;

    if (memchr(s, '.', len) == NULL)
        return parse_small(s, len, 32, prefix);
    if (!sq_ipaddr_parse(s, len, &m) || !m.v4)
        return 0;
    bits = (uint32_t)m.b[12] << 24 | (uint32_t)m.b[13] << 16 |
           (uint32_t)m.b[14] << 8 | m.b[15];
    while (ones < 32 && (bits & (0x80000000u >> ones)))
        ones++;
    if (ones < 32 && (bits << ones) != 0)
        return 0; /* not contiguous */
    *prefix = ones;
    return 1;
}

static void
clear_host_bits(sq_ipaddr *a, unsigned prefix)
{
    for (unsigned bit = prefix; bit < 128; bit++)
        a->b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
}

/* Strip "[...]" and a zone id from the address part. */
static void
strip_decorations(const char **s, size_t *len, int *had_zone)
{
    const char *pct;

    if (*len >= 2 && (*s)[0] == '[' && (*s)[*len - 1] == ']') {
        (*s)++;
        *len -= 2;
    }
    pct = memchr(*s, '%', *len);
    *had_zone = pct != NULL;
    if (pct != NULL)
        *len = (size_t)(pct - *s);
}

/* Parse one entry (without '!') into e.  Returns 1 on success. */
static int
parse_entry(const char *s, size_t len, netset_entry *e, int *had_zone)
{
    const char *slash = NULL, *mask = NULL;
    size_t masklen = 0;
    unsigned prefix, parts;

    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '/') {
            slash = s + i - 1;
            break;
        }
    if (slash != NULL) {
        mask = slash + 1;
        masklen = len - (size_t)(mask - s);
        len = (size_t)(slash - s);
    }
    strip_decorations(&s, &len, had_zone);
    if (len == 0 || (slash != NULL && masklen == 0))
        return 0;
    if (is_digit(s[0]) && memchr(s, ':', len) == NULL) {
        if (!parse_v4_abbrev(s, len, &e->net, &parts))
            return 0;
        prefix = parts * 8;
        if (mask != NULL && !parse_v4_mask(mask, masklen, &prefix))
            return 0;
        prefix += 96;
    } else {
        if (memchr(s, ':', len) == NULL || !sq_ipaddr_parse(s, len, &e->net))
            return 0;
        prefix = 128;
        if (mask != NULL && !parse_small(mask, masklen, 128, &prefix))
            return 0;
    }
    clear_host_bits(&e->net, prefix);
    e->net.v4 = prefix >= 96 && e->net.b[10] == 0xff && e->net.b[11] == 0xff &&
                memcmp(e->net.b, "\0\0\0\0\0\0\0\0\0\0", 10) == 0;
    e->prefix = (uint8_t)prefix;
    return 1;
}

/* The earlier entry that wholly covers e, or NULL. */
static const netset_entry *
covering_entry(const sq_netset *ns, const netset_entry *e)
{
    if (ns->n >= NETSET_SHADOW_CHECK_MAX)
        return NULL;
    for (size_t i = 0; i < ns->n; i++) {
        const netset_entry *o = &ns->e[i];
        if (o->prefix <= e->prefix && sq_ipaddr_in(&e->net, &o->net, o->prefix))
            return o;
    }
    return NULL;
}

static sq_status
push_entry(sq_netset *ns, const netset_entry *e)
{
    if (ns->n == ns->cap) {
        size_t ncap = ns->cap == 0 ? 8 : ns->cap * 2;
        netset_entry *ne;
        if (ncap > NETSET_MAX_ENTRIES)
            ncap = NETSET_MAX_ENTRIES;
        ne = realloc(ns->e, ncap * sizeof(*ne));
        if (ne == NULL)
            return SQ_ENOMEM;
        ns->e = ne;
        ns->cap = ncap;
    }
    ns->e[ns->n++] = *e;
    return SQ_OK;
}

static void
warn_shadowed(const netset_entry *e, const netset_entry *o, const char *txt,
              sq_diag *d)
{
    char where[46];

    sq_ipaddr_format(&o->net, where);
    sq_diag_addf(d, NULL, 0,
                 "netset: warning: cannot %s '%s': an earlier entry "
                 "%s%s/%u already %s it (the first match decides)",
                 e->exclude ? "exclude" : "include", txt, o->exclude ? "!" : "",
                 where, o->net.v4 ? o->prefix - 96u : o->prefix,
                 o->exclude ? "excludes" : "includes");
}

/* Add one token; SQ_OK also for a shadowed entry (warned, not stored). */
static sq_status
add_token(sq_netset *ns, const char *s, size_t len, sq_diag *d)
{
    netset_entry e;
    const netset_entry *o;
    char txt[SQ_SHOW_MAX + 4];
    int had_zone = 0;

    memset(&e, 0, sizeof(e));
    sq_str_show(s, len, txt);
    if (s[0] == '!') {
        e.exclude = 1;
        s++;
        len--;
    }
    if (!parse_entry(s, len, &e, &had_zone)) {
        sq_diag_addf(d, NULL, 0, "netset: bad entry '%s'", txt);
        return SQ_ECONFIG;
    }
    if (had_zone)
        sq_diag_addf(d, NULL, 0, "netset: ignoring the zone id in '%s'", txt);
    o = covering_entry(ns, &e);
    if (o != NULL) {
        warn_shadowed(&e, o, txt, d);
        return SQ_OK;
    }
    if (ns->n >= NETSET_MAX_ENTRIES) {
        sq_diag_addf(d, NULL, 0, "netset: more than %d entries at '%s'",
                     NETSET_MAX_ENTRIES, txt);
        return SQ_ECONFIG;
    }
    return push_entry(ns, &e);
}

static int
is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f' || c == ',';
}

sq_status
sq_netset_add(sq_netset *ns, const char *spec, size_t len, sq_diag *d)
{
    sq_status st = SQ_OK;
    size_t i = 0;

    if (ns == NULL || (spec == NULL && len > 0))
        return SQ_EINVAL;
    while (i < len) {
        size_t j;
        sq_status r;
        while (i < len && is_sep(spec[i]))
            i++;
        if (i == len)
            break;
        j = i;
        while (j < len && !is_sep(spec[j]))
            j++;
        r = add_token(ns, spec + i, j - i, d);
        if (r == SQ_ENOMEM)
            return r;
        if (r != SQ_OK)
            st = r;
        i = j;
    }
    return st;
}

int
sq_netset_match_addr(const sq_netset *ns, const sq_ipaddr *a)
{
    if (ns == NULL)
        return 0;
    for (size_t i = 0; i < ns->n; i++)
        if (sq_ipaddr_in(a, &ns->e[i].net, ns->e[i].prefix))
            return ns->e[i].exclude ? 0 : 1;
    return 0;
}

int
sq_netset_match(const sq_netset *ns, const char *ip, size_t len)
{
    sq_ipaddr a;

    if (ip == NULL)
        return -1;
    if (len >= 2 && ip[0] == '[' && ip[len - 1] == ']') {
        ip++;
        len -= 2;
    }
    if (!sq_ipaddr_parse(ip, len, &a))
        return -1;
    return sq_netset_match_addr(ns, &a);
}
