/*
 * whoistext.c - whoistext_parse(): one port-43 answer into a whois
 * answer.  Picks the registry family from the server's host name (or,
 * without one, from the text's banner), screens for "you are blocked"
 * answers, reads IANA's "refer:" itself and hands the rest to
 * whoistext_rpsl.c (RIPE, APNIC, AFRINIC and the RPSL NIRs),
 * whoistext_arin.c, whoistext_lacnic.c (LACNIC, registro.br, NIC.MX) or
 * whoistext_nir.c (JPNIC, KRNIC, their web-gateway HTML).  Also holds
 * the helpers they share (whoistext_int.h): a line cursor, "key: value"
 * splitting, RPSL objects, ranges, e-mail scanning.
 *
 * Ownership: the text is borrowed and read only within [txt, txt+len);
 * everything kept is copied into the answer's arena.
 * Limits: see whoistext_int.h; time is linear in the input apart from
 * handle look-ups, which are bounded by WT_MAX_OBJECTS per reference.
 */
#include "whois/whoistext_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lines and attributes                                               */
/* ------------------------------------------------------------------ */

void
wt_lines_init(wt_lines *c, const char *s, size_t n)
{
    c->p = s;
    c->end = s != NULL ? s + n : s;
}

int
wt_lines_next(wt_lines *c, const char **line, size_t *n)
{
    const char *nl;
    size_t len;

    if (c->p == NULL || c->p >= c->end)
        return 0;
    nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    len = nl != NULL ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
    *line = c->p;
    c->p = nl != NULL ? nl + 1 : c->end;
    while (len > 0 && (*line)[len - 1] == '\r')
        len--;
    *n = len > WT_LINE_MAX ? WT_LINE_MAX : len;
    return 1;
}

void
wt_trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t k = *n;

    while (k > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, k--;
    while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t' || p[k - 1] == '\r' ||
                     p[k - 1] == '\n'))
        k--;
    *s = p;
    *n = k;
}

static int
key_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

int
wt_split_attr(const char *line, size_t n, const char **key, size_t *klen,
              const char **val, size_t *vlen)
{
    size_t i = 0;

    while (i < n && i <= WT_KEY_MAX && key_char((unsigned char)line[i]))
        i++;
    if (i == 0 || i > WT_KEY_MAX || i >= n || line[i] != ':')
        return 0;
    if (i + 2 < n && line[i + 1] == '/' && line[i + 2] == '/')
        return 0; /* a URL, not an attribute */
    *key = line;
    *klen = i;
    *val = line + i + 1;
    *vlen = n - i - 1;
    wt_trim(val, vlen);
    return 1;
}

int
wt_has(const char *s, size_t n, const char *lit)
{
    return s != NULL && sq_memcasemem(s, n, lit, strlen(lit)) != NULL;
}

/* ------------------------------------------------------------------ */
/* RPSL-like objects                                                  */
/* ------------------------------------------------------------------ */

static size_t
count_lines(const char *s, size_t n)
{
    size_t k = 1;
    const char *p = s, *end = s + n, *nl;

    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p = nl + 1;
    }
    return k;
}

static void
obj_close(wt_objects *o, size_t *start)
{
    if (o->nattrs > *start && o->nobjs < o->cap_objs) {
        o->objs[o->nobjs].first = *start;
        o->objs[o->nobjs].count = o->nattrs - *start;
        o->nobjs++;
    }
    *start = o->nattrs;
}

static void
obj_line(wt_objects *o, size_t start, const char *line, size_t n)
{
    wt_attr *at = &o->attrs[o->nattrs];
    const char *v = line;
    size_t vn = n;

    if ((line[0] == ' ' || line[0] == '\t' || line[0] == '+') &&
        o->nattrs > start) {
        v++, vn--; /* continuation: same key again */
        wt_trim(&v, &vn);
        *at = o->attrs[o->nattrs - 1];
        at->val = v;
        at->vlen = vn;
        o->nattrs++;
        return;
    }
    if (wt_split_attr(line, n, &at->key, &at->klen, &at->val, &at->vlen))
        o->nattrs++;
}

sq_status
wt_objects_parse(wt_ctx *c, const char *txt, size_t len, wt_objects *o)
{
    size_t lines = count_lines(txt, len), start = 0, n;
    size_t maxa = lines < WT_MAX_ATTRS ? lines : WT_MAX_ATTRS;
    size_t maxo =
        lines / 2 + 1 < WT_MAX_OBJECTS ? lines / 2 + 1 : WT_MAX_OBJECTS;
    const char *line;
    wt_lines it;

    memset(o, 0, sizeof(*o));
    o->attrs = calloc(maxa, sizeof(*o->attrs));
    o->objs = calloc(maxo, sizeof(*o->objs));
    if (o->attrs == NULL || o->objs == NULL) {
        wt_objects_free(o);
        return SQ_ENOMEM;
    }
    o->cap_attrs = maxa;
    o->cap_objs = maxo;
    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        const char *t = line;
        size_t tn = n;

        wt_trim(&t, &tn);
        if (tn == 0) {
            obj_close(o, &start);
            continue;
        }
        if (line[0] == '%' || line[0] == '#')
            continue;
        if (o->nattrs >= maxa || o->nobjs >= maxo) {
            wa_warn(c->a,
                    "whois answer from %s has more than %zu objects "
                    "or %zu attributes; the rest ignored",
                    c->where, maxo, maxa);
            break;
        }
        obj_line(o, start, line, n);
    }
    obj_close(o, &start);
    return SQ_OK;
}

void
wt_objects_free(wt_objects *o)
{
    free(o->attrs);
    free(o->objs);
    memset(o, 0, sizeof(*o));
}

const wt_attr *
wt_obj_get(const wt_objects *o, const wt_obj *ob, const char *key)
{
    for (size_t i = 0; i < ob->count; i++) {
        const wt_attr *at = &o->attrs[ob->first + i];

        if (sq_strncaseeq(at->key, at->klen, key))
            return at;
    }
    return NULL;
}

int
wt_obj_is(const wt_objects *o, const wt_obj *ob, const char *key)
{
    return ob->count > 0 && sq_strncaseeq(o->attrs[ob->first].key,
                                          o->attrs[ob->first].klen, key);
}

static int
same_handle(const wt_attr *at, const char *h, size_t hn)
{
    const char *v = at->val;
    size_t vn = at->vlen;

    /* "ORG-VSA1-AFRINIC" or "IRT-X # Filtered" */
    for (size_t i = 0; i < vn; i++)
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '#') {
            vn = i;
            break;
        }
    return vn == hn && sq_memcasemem(v, vn, h, hn) == v;
}

const wt_obj *
wt_obj_find(const wt_objects *o, const char *h, size_t hn)
{
    wt_trim(&h, &hn);
    if (hn == 0)
        return NULL;
    for (size_t k = 0; k < o->nobjs; k++) {
        const wt_obj *ob = &o->objs[k];

        for (size_t i = 0; i < ob->count; i++) {
            const wt_attr *at = &o->attrs[ob->first + i];

            if ((i == 0 || sq_strncaseeq(at->key, at->klen, "nic-hdl") ||
                 sq_strncaseeq(at->key, at->klen, "nic-hdl-br")) &&
                same_handle(at, h, hn))
                return ob;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Ranges                                                             */
/* ------------------------------------------------------------------ */

typedef unsigned __int128 wt_u128;

static wt_u128
to_u128(const sq_ipaddr *a)
{
    wt_u128 v = 0;

    for (int i = 0; i < 16; i++)
        v = (v << 8) | a->b[i];
    return v;
}

static void
from_u128(wt_u128 v, int v4, sq_ipaddr *out)
{
    for (int i = 15; i >= 0; i--) {
        out->b[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
    out->v4 = (uint8_t)v4;
}

/* IPv4 with zero padding ("074.125.000.000") or missing octets
 * ("200.57.128"), or IPv6. */
static int
loose_ip(const char *s, size_t n, sq_ipaddr *ip)
{
    char buf[64];
    size_t m = 0;
    int octets = 0, digits = 0;

    wt_trim(&s, &n);
    if (n == 0 || n >= sizeof(buf))
        return 0;
    if (memchr(s, ':', n) != NULL)
        return sq_ipaddr_parse(s, n, ip);
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || ++octets > 4)
                return 0;
            digits = 0;
            if (i < n)
                buf[m++] = '.';
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return 0;
        if (s[i] == '0' && digits == 0 && i + 1 < n && s[i + 1] != '.')
            continue;
        if (++digits > 3)
            return 0;
        buf[m++] = s[i];
    }
    for (; octets < 4; octets++) {
        buf[m++] = '.';
        buf[m++] = '0';
    }
    return sq_ipaddr_parse(buf, m, ip);
}

static int
prefix_range(const sq_ipaddr *ip, const char *p, size_t pn, sq_ipaddr *lo,
             sq_ipaddr *hi)
{
    unsigned long plen = 0, width = ip->v4 ? 32 : 128, bits;
    wt_u128 v = to_u128(ip), mask;

    if (pn == 0 || pn > 3)
        return 0;
    for (size_t i = 0; i < pn; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        plen = plen * 10 + (unsigned long)(p[i] - '0');
    }
    if (plen > width)
        return 0;
    bits = plen + (128 - width);
    mask = bits == 0 ? 0 : ~(wt_u128)0 << (128 - bits);
    from_u128(v & mask, ip->v4, lo);
    from_u128(v | ~mask, ip->v4, hi);
    return 1;
}

int
wt_range_parse(const char *s, size_t n, sq_ipaddr *lo, sq_ipaddr *hi)
{
    const char *dash, *paren = memchr(s, '(', n);

    if (paren != NULL)
        n = (size_t)(paren - s);
    wt_trim(&s, &n);
    dash = memchr(s, '-', n);
    if (dash != NULL) {
        size_t k = (size_t)(dash - s);

        return loose_ip(s, k, lo) && loose_ip(dash + 1, n - k - 1, hi) &&
               lo->v4 == hi->v4 && memcmp(lo->b, hi->b, 16) <= 0;
    }
    for (size_t i = 0; i < n; i++) {
        sq_ipaddr ip;

        if (s[i] == '/')
            return loose_ip(s, i, &ip) &&
                   prefix_range(&ip, s + i + 1, n - i - 1, lo, hi);
    }
    if (!loose_ip(s, n, lo))
        return 0;
    *hi = *lo;
    return 1;
}

int
wt_set_range_any(wt_ctx *c, const char *s, size_t n)
{
    sq_ipaddr lo, hi;

    if (!wt_range_parse(s, n, &lo, &hi) || !wa_set_range(c->a, &lo, &hi))
        return 0;
    wt_set_registry(c);
    return 1;
}

int
wt_range_cmp_size(const sq_ipaddr *lo1, const sq_ipaddr *hi1,
                  const sq_ipaddr *lo2, const sq_ipaddr *hi2)
{
    wt_u128 a = to_u128(hi1) - to_u128(lo1), b = to_u128(hi2) - to_u128(lo2);

    return a < b ? -1 : a > b;
}

/* ------------------------------------------------------------------ */
/* E-mail addresses                                                   */
/* ------------------------------------------------------------------ */

static int
local_char(unsigned char ch)
{
    return key_char(ch) || (ch != 0 && strchr("!#$%&'*+/=?^`{|}~", ch));
}

static int
domain_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
}

size_t
wt_scan_emails(const char *s, size_t n,
               void (*fn)(void *arg, const char *e, size_t en), void *arg)
{
    size_t i = 0, count = 0;

    while (i < n) {
        const char *at = memchr(s + i, '@', n - i);
        size_t p, l, r;

        if (at == NULL)
            break;
        p = (size_t)(at - s);
        l = p;
        while (l > i && p - l < WA_EMAIL_MAX &&
               local_char((unsigned char)s[l - 1]))
            l--;
        while (l < p && s[l] == '.')
            l++;
        r = p + 1;
        while (r < n && r - l < WA_EMAIL_MAX &&
               domain_char((unsigned char)s[r]))
            r++;
        while (r > p + 1 && (s[r - 1] == '.' || s[r - 1] == '-'))
            r--;
        if (l < p && r > p + 1 && memchr(s + p + 1, '.', r - p - 1) != NULL) {
            fn(arg, s + l, r - l);
            count++;
        }
        i = r > p + 1 ? r : p + 1;
    }
    return count;
}

typedef struct add_arg {
    wt_ctx *c;
    sq_contact_role role;
    sq_confidence conf;
    int fallback;
    const char *handle;
    /* free text only */
    const char *text, *ctx, *prev_end;
    size_t tn, cn;
} add_arg;

static void
add_one(void *arg, const char *e, size_t en)
{
    add_arg *x = arg;

    wa_add_contact(x->c->a, e, en, x->role, SQ_SRC_WHOIS, x->c->where,
                   x->handle, x->conf, x->fallback);
}

size_t
wt_add_emails(wt_ctx *c, const char *s, size_t n, sq_contact_role role,
              sq_confidence conf, int fallback, const char *handle)
{
    add_arg x = {c, role, conf, fallback, handle, NULL, NULL, NULL, 0, 0};

    return wt_scan_emails(s, n, add_one, &x);
}

int
wt_says_abuse(const char *s, size_t n)
{
    return wt_has(s, n, "abuse") || wt_has(s, n, "spam");
}

/* Whether the words around an address speak of abuse: the text since
 * the previous address, or (when that is blank) the text after it. */
static void
add_free_one(void *arg, const char *e, size_t en)
{
    add_arg *x = arg;
    const char *b = x->prev_end, *tend = x->text + x->tn;
    size_t bn = (size_t)(e - b), an = (size_t)(tend - (e + en));
    int abuse = (x->ctx != NULL && wt_says_abuse(x->ctx, x->cn)) ||
                (en >= 6 && sq_strncaseeq(e, 6, "abuse@"));

    if (!abuse) {
        const char *t = b;
        size_t tn = bn;

        wt_trim(&t, &tn);
        abuse = tn > 0 ? wt_says_abuse(b, bn) : wt_says_abuse(e + en, an);
    }
    x->prev_end = e + en;
    wa_add_contact(x->c->a, e, en, abuse ? SQ_ROLE_ABUSE : SQ_ROLE_TECH,
                   SQ_SRC_WHOIS, x->c->where, x->handle,
                   abuse ? SQ_CONF_MEDIUM : SQ_CONF_LOW, 1);
}

void
wt_add_free_text(wt_ctx *c, const char *s, size_t n, const char *ctx, size_t cn,
                 const char *handle)
{
    add_arg x = {c, SQ_ROLE_TECH, SQ_CONF_LOW, 1, handle, s, ctx, s, n, cn};

    wt_scan_emails(s, n, add_free_one, &x);
}

/* ------------------------------------------------------------------ */
/* Fields                                                             */
/* ------------------------------------------------------------------ */

static int
digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void
wt_set_date(wt_ctx *c, const char *s, size_t n)
{
    char d[10];

    wt_trim(&s, &n);
    if (n >= 10 && digits(s, 4) && (s[4] == '-' || s[4] == '/') &&
        digits(s + 5, 2) && s[7] == s[4] && digits(s + 8, 2)) {
        memcpy(d, s, 10);
    } else if (n >= 8 && digits(s, 8) && (n == 8 || !digits(s + 8, 1))) {
        memcpy(d, s, 4);
        memcpy(d + 5, s + 4, 2);
        memcpy(d + 8, s + 6, 2);
    } else {
        return;
    }
    d[4] = d[7] = '-';
    wa_set_net_field(c->a, &c->a->net.allocated, d, 10);
}

static int
host_char(unsigned char ch)
{
    return domain_char(ch) || ch == ':' || ch == '[' || ch == ']' || ch == '_';
}

void
wt_set_referral(wt_ctx *c, const char *s, size_t n)
{
    char buf[300];
    size_t k = 0, m = 0;

    wt_trim(&s, &n);
    if (n > 8 && (sq_memcasemem(s, 8, "https://", 8) == s ||
                  sq_memcasemem(s, 7, "http://", 7) == s)) {
        if (n < sizeof(buf))
            c->a->referral = wa_strn(c->a, s, n);
        return;
    }
    if (n > 8 && sq_strncaseeq(s, 8, "whois://"))
        k = 8;
    else if (n > 9 && sq_strncaseeq(s, 9, "rwhois://")) {
        for (m = 0; m < 9; m++) /* the scheme, lower case */
            buf[m] = (char)(s[m] | (s[m] >= 'A' && s[m] <= 'Z' ? 0x20 : 0));
        k = 9;
    }
    while (k < n && m + 1 < sizeof(buf) && host_char((unsigned char)s[k]))
        buf[m++] = s[k++];
    if (m > 0 && buf[m - 1] == ':')
        m--;
    if (m == 0 || (m == 9 && buf[0] == 'r') || memchr(buf, '.', m) == NULL)
        return;
    c->a->referral = wa_strn(c->a, buf, m);
}

static const struct {
    const char *word;
    wt_registry reg;
} reg_words[] = {
    {"JPNIC", WT_JPNIC},     {"nic.ad.jp", WT_JPNIC},  {"KRNIC", WT_KRNIC},
    {"nic.or.kr", WT_KRNIC}, {"kisa.or.kr", WT_KRNIC}, {"TWNIC", WT_TWNIC},
    {"CNNIC", WT_CNNIC},     {"IDNIC", WT_IDNIC},      {"VNNIC", WT_VNNIC},
    {"IRINN", WT_IRINN},     {"AFRINIC", WT_AFRINIC},  {"LACNIC", WT_LACNIC},
    {"RIPE", WT_RIPENCC},    {"APNIC", WT_APNIC},      {"ARIN", WT_ARIN},
};

static int
is_letter(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Offset of word in [s, s+n) with no letter on either side, or n. */
static size_t
word_at(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word), i = 0;

    while (i < n) {
        const char *p = sq_memcasemem(s + i, n - i, word, wl);
        size_t k;

        if (p == NULL)
            break;
        k = (size_t)(p - s);
        if ((k == 0 || !is_letter((unsigned char)s[k - 1])) &&
            (k + wl >= n || !is_letter((unsigned char)s[k + wl])))
            return k;
        i = k + 1;
    }
    return n;
}

/* The registry named first in the text. */
wt_registry
wt_registry_in_text(const char *s, size_t n)
{
    wt_registry best = WT_UNKNOWN;
    size_t at = n;

    for (size_t i = 0; i < sizeof(reg_words) / sizeof(reg_words[0]); i++) {
        size_t k = word_at(s, n, reg_words[i].word);

        if (k < at) {
            at = k;
            best = reg_words[i].reg;
        }
    }
    return best;
}

void
wt_warn_text(wt_ctx *c, const char *what, const char *s, size_t n)
{
    char show[SQ_SHOW_MAX + 4];

    sq_str_show(s, n, show);
    wa_warn(c->a, "%s '%s' from %s", what, show,
            c->where[0] ? c->where : "(unknown)");
}

void
wt_set_registry(wt_ctx *c)
{
    const char *name;

    if (c->reg == WT_UNKNOWN || c->reg == WT_IANA)
        return;
    name = wt_registry_name(c->reg);
    wa_set_net_field(c->a, &c->a->net.registry, name, strlen(name));
}

const char *
wt_handle(wt_ctx *c, const char *s, size_t n)
{
    wt_trim(&s, &n);
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '#') {
            n = i;
            break;
        }
    return wa_strn(c->a, s, n);
}

int
wt_set_origin(wt_ctx *c, const char *s, size_t n)
{
    unsigned long asn = 0;
    size_t i = 0;

    wt_trim(&s, &n);
    if (n > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
        i = 2;
    if (i >= n || c->a->has_origin)
        return 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        asn = asn * 10 + (unsigned long)(s[i] - '0');
        if (asn > 4294967295UL)
            return 0;
    }
    if (asn == 0)
        return 0;
    c->a->has_origin = 1;
    c->a->origin.asn = asn;
    c->a->origin.relation = "origin";
    if (c->reg != WT_UNKNOWN && c->reg != WT_IANA)
        c->a->origin.registry = wt_registry_name(c->reg);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Blocked, no match, flavour                                         */
/* ------------------------------------------------------------------ */

static const char *const blocked_phrases[] = {
    "%error:201",
    "access denied",
    "denied for",
    "permanently denied",
    "temporarily denied",
    "rate limit exceeded",
    "limit exceeded",
    "too many queries",
    "exceeded the maximum allowable number",
    "query limit reached",
    "maximum query rate",
    "permission denied",
};

static const char *const nomatch_phrases[] = {
    "%error:101",     "no objects found", "no entries found",
    "no match found", "no match for",     "not found",
};

static int
line_matches(const char *line, size_t n, const char *const *tab, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (wt_has(line, n, tab[i]))
            return 1;
    return 0;
}

/* Only comment and free lines count: an object's remarks may say
 * anything. */
static int
text_says(const char *txt, size_t len, const char *const *tab, size_t k)
{
    wt_lines it;
    const char *line, *key, *val;
    size_t n, kl, vl;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        if (n == 0)
            continue;
        if (line[0] != '%' && line[0] != '#' &&
            wt_split_attr(line, n, &key, &kl, &val, &vl))
            continue;
        if (line_matches(line, n, tab, k))
            return 1;
    }
    return 0;
}

static const struct {
    const char *banner;
    wt_registry reg;
} banners[] = {
    {"% This is the RIPE Database", WT_RIPENCC},
    {"% [whois.apnic.net]", WT_APNIC},
    {"% This is the AfriNIC Whois server", WT_AFRINIC},
    {"# ARIN WHOIS data", WT_ARIN},
    {"% Joint Whois - whois.lacnic.net", WT_LACNIC},
    {"% IANA WHOIS server", WT_IANA},
    {"JPNIC database", WT_JPNIC},
    {"whois.nic.ad.jp", WT_JPNIC},
    {"KRNIC", WT_KRNIC},
    {"KISA", WT_KRNIC},
    {"registro.br", WT_NICBR},
    {"NetRange:", WT_ARIN},
    {"OrgAbuseEmail:", WT_ARIN},
    {"ownerid:", WT_LACNIC},
    {"refer:", WT_IANA},
    {"[ Network Information ]", WT_KRNIC},
    {"a. [", WT_JPNIC},
};

static wt_registry
sniff(const char *txt, size_t len)
{
    size_t head = len < 8192 ? len : 8192;

    for (size_t i = 0; i < sizeof(banners) / sizeof(banners[0]); i++)
        if (wt_has(txt, head, banners[i].banner))
            return banners[i].reg;
    return WT_UNKNOWN;
}

static sq_status
parse_iana(wt_ctx *c, const char *txt, size_t len)
{
    wt_lines it;
    const char *line, *key, *val, *whois = NULL;
    size_t n, kl, vl, wl = 0;
    int refer = 0;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        if (!wt_split_attr(line, n, &key, &kl, &val, &vl))
            continue;
        if (sq_strncaseeq(key, kl, "refer") && vl > 0) {
            wt_set_referral(c, val, vl);
            refer = 1;
        } else if (sq_strncaseeq(key, kl, "whois") && vl > 0 && !whois) {
            whois = val;
            wl = vl;
        } else if (sq_strncaseeq(key, kl, "status") &&
                   wt_has(val, vl, "reserved")) {
            wa_warn(c->a, "IANA lists %s as reserved", c->a->query);
        }
    }
    if (!refer && whois != NULL)
        wt_set_referral(c, whois, wl);
    return SQ_OK;
}

sq_status
wt_dispatch(wt_ctx *c, wt_registry r, const char *txt, size_t len)
{
    if (r == WT_UNKNOWN && wt_is_rwhois(txt, len)) {
        c->reg = WT_UNKNOWN;
        return wt_parse_rwhois(c, txt, len);
    }
    if (r == WT_UNKNOWN)
        r = sniff(txt, len);
    c->reg = r;
    switch (r) {
    case WT_ARIN:
        return wt_parse_arin(c, txt, len);
    case WT_LACNIC:
    case WT_NICBR:
    case WT_NICMX:
        return wt_parse_lacnic(c, txt, len);
    case WT_JPNIC:
    case WT_KRNIC:
        return wt_parse_nir(c, txt, len);
    case WT_IANA:
        return parse_iana(c, txt, len);
    default:
        return wt_parse_rpsl(c, txt, len);
    }
}

sq_status
whoistext_parse(const char *txt, size_t len, const char *server,
                sq_whois_answer *a, sq_diag *d)
{
    wt_ctx c = {a, server != NULL ? server : "", WT_UNKNOWN, 0, WT_UNKNOWN};
    wt_registry r = WT_UNKNOWN;
    sq_status st;

    if (a == NULL || (txt == NULL && len > 0)) {
        sq_diag_addf(d, NULL, 0, "whoistext_parse: no answer or no text");
        return SQ_EINVAL;
    }
    if (len == 0) {
        wa_warn(a, "empty whois answer from %s", c.where);
        return SQ_OK;
    }
    if (server != NULL)
        r = wt_registry_from_host(server, strlen(server));
    if (wt_is_html(txt, len)) {
        c.reg = r == WT_KRNIC || r == WT_JPNIC ? r : sniff(txt, len);
        return wt_parse_nir(&c, txt, len);
    }
    if (text_says(txt, len, blocked_phrases,
                  sizeof(blocked_phrases) / sizeof(blocked_phrases[0]))) {
        a->blocked = 1;
        wa_warn(a,
                "whois server %s says the client is blocked or over its "
                "query limit",
                c.where[0] ? c.where : "(unknown)");
        return SQ_OK;
    }
    st = wt_dispatch(&c, r, txt, len);
    if (st == SQ_OK && !a->has_network && a->referral[0] == '\0' &&
        text_says(txt, len, nomatch_phrases,
                  sizeof(nomatch_phrases) / sizeof(nomatch_phrases[0])))
        wa_warn(a, "whois server %s has no entries for %s",
                c.where[0] ? c.where : "(unknown)", a->query);
    if (st == SQ_ENOMEM)
        sq_diag_addf(d, NULL, 0, "whois text: out of memory");
    return st;
}
