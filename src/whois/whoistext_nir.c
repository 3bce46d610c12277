/*
 * whoistext_nir.c - the national registries that do not speak RPSL:
 * JPNIC ("a. [Network Number]  133.1.0.0/16", Japanese labels too) and
 * KRNIC ("[ Network Information ]" blocks of "Key : value" lines), as
 * port-43 text or as the HTML of their web gateways (tags, scripts and
 * entities stripped first, then read the same way).
 *
 * JPNIC: the network block gives range, name and organisation; contacts
 * are handles, so an e-mail appears only in contact answers (fallback)
 * or under an "Abuse" label (abuse, high).  KRNIC: the smallest
 * network block gives the range and the fields it has, the larger ones
 * fill the rest (the ISP's service name); an e-mail under an "Abuse"
 * header is abuse (high), under "Admin"/"Technical" a fallback, and the
 * unlabelled network contact KRNIC prints is the abuse desk (medium).
 *
 * Ownership: reads the caller's text; the HTML copy is freed before
 * return; the answer keeps arena copies.
 * Limits: lines as in whoistext_int.h; the HTML copy is at most as long
 * as the input.
 */
#include "whois/whoistext_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* HTML                                                               */
/* ------------------------------------------------------------------ */

int
wt_is_html(const char *s, size_t n)
{
    size_t head = n < 1024 ? n : 1024, i = 0;

    while (i < head &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < head && s[i] == '<' && i + 1 < head &&
        (s[i + 1] == '!' || s[i + 1] == '/' ||
         ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z')))
        return 1;
    return wt_has(s, head, "<html") || wt_has(s, head, "<pre");
}

static int
tag_is(const char *t, size_t tn, const char *name)
{
    size_t k = strlen(name);

    return tn >= k && sq_strncaseeq(t, k, name) &&
           (tn == k || t[k] == ' ' || t[k] == '>' || t[k] == '/' ||
            t[k] == '\t' || t[k] == '\n' || t[k] == '\r');
}

static const char *const block_tags[] = {"br", "div", "/div", "p",
                                         "/p", "tr",  "/tr",  "hr",
                                         "li", "/li", "pre",  "/pre"};

/* Skip one tag starting at s[0] == '<'; returns bytes consumed and
 * whether a line break stands for it. */
static size_t
skip_tag(const char *s, size_t n, int *newline)
{
    const char *gt = memchr(s, '>', n), *t = s + 1;
    size_t tn = n - 1;
    static const char *const raw[] = {"script", "style"};

    *newline = 0;
    if (gt == NULL)
        return n;
    for (size_t i = 0; i < 2; i++)
        if (tag_is(t, tn, raw[i])) {
            char close[10];
            int cl = (int)strlen(raw[i]) + 2;
            const char *end;

            close[0] = '<';
            close[1] = '/';
            memcpy(close + 2, raw[i], strlen(raw[i]));
            end = sq_memcasemem(s, n, close, (size_t)cl);
            if (end == NULL)
                return n;
            gt = memchr(end, '>', n - (size_t)(end - s));
            return gt != NULL ? (size_t)(gt - s) + 1 : n;
        }
    for (size_t i = 0; i < sizeof(block_tags) / sizeof(block_tags[0]); i++)
        if (tag_is(t, tn, block_tags[i]))
            *newline = 1;
    return (size_t)(gt - s) + 1;
}

static const struct {
    const char *name;
    char ch;
} entities[] = {{"amp;", '&'},  {"lt;", '<'},   {"gt;", '>'},   {"quot;", '"'},
                {"nbsp;", ' '}, {"#39;", '\''}, {"apos;", '\''}};

static size_t
entity(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
        size_t k = strlen(entities[i].name);

        if (n > k && sq_strncaseeq(s + 1, k, entities[i].name)) {
            *out = entities[i].ch;
            return k + 1;
        }
    }
    *out = '&';
    return 1;
}

char *
wt_html_to_text(const char *s, size_t n, size_t *outlen)
{
    char *out = malloc(n + 1);
    size_t i = 0, m = 0;

    if (out == NULL)
        return NULL;
    while (i < n) {
        unsigned char nx = i + 1 < n ? (unsigned char)s[i + 1] : 0;

        if (s[i] == '<' && (nx == '/' || nx == '!' ||
                            ((nx | 0x20) >= 'a' && (nx | 0x20) <= 'z'))) {
            int nl;

            i += skip_tag(s + i, n - i, &nl);
            if (nl)
                out[m++] = '\n';
        } else if (s[i] == '&') {
            i += entity(s + i, n - i, &out[m++]);
        } else {
            out[m++] = s[i++];
        }
    }
    out[m] = '\0';
    *outlen = m;
    return out;
}

/* ------------------------------------------------------------------ */
/* JPNIC                                                              */
/* ------------------------------------------------------------------ */

/* "a. [Label]   value" or "[Label]   value"; *letter is 'a' or 0. */
static int
jp_line(const char *s, size_t n, const char **lab, size_t *ln, const char **val,
        size_t *vn, char *letter)
{
    size_t i = 0;
    const char *close;

    *letter = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i + 2 < n && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z' &&
        s[i + 1] == '.' && s[i + 2] == ' ') {
        *letter = (char)(s[i] | 0x20);
        i += 3;
    }
    while (i < n && s[i] == ' ')
        i++;
    if (i >= n || s[i] != '[')
        return 0;
    close = memchr(s + i, ']', n - i);
    if (close == NULL)
        return 0;
    *lab = s + i + 1;
    *ln = (size_t)(close - *lab);
    wt_trim(lab, ln);
    *val = close + 1;
    *vn = n - (size_t)(*val - s);
    wt_trim(val, vn);
    return 1;
}

static int
label_any(const char *l, size_t ln, const char *const *words, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (wt_has(l, ln, words[i]))
            return 1;
    return 0;
}

#define LABEL(l, ln, ...)                                                      \
    label_any(l, ln, (const char *const[]){__VA_ARGS__},                       \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

/* Japanese output comes in ISO-2022-JP, where the labels above do not
 * match: "a." holding a range and the "b." after it still say which
 * network it is. */
static int
jp_by_letter(wt_ctx *c, char letter, int *seen_a, const char *v, size_t vn)
{
    sq_whois_answer *a = c->a;

    if (letter == 'a' && !*seen_a && wt_set_range_any(c, v, vn)) {
        *seen_a = 1;
        return 1;
    }
    if (letter == 'b' && *seen_a) {
        wa_set_net_field(a, &a->net.name, v, vn);
        return 1;
    }
    return 0;
}

static void
jp_field(wt_ctx *c, const char *l, size_t ln, const char *v, size_t vn,
         int *seen_a, const char **jorg, size_t *jorgn)
{
    sq_whois_answer *a = c->a;

    if (LABEL(l, ln, "Network Number", "IPネットワークアドレス",
              "IP Network Address")) {
        if (!*seen_a && wt_set_range_any(c, v, vn))
            *seen_a = 1;
    } else if (LABEL(l, ln, "Network Name", "ネットワーク名")) {
        wa_set_net_field(a, &a->net.name, v, vn);
    } else if (LABEL(l, ln, "Organization")) {
        wa_set_net_field(a, &a->net.org, v, vn);
    } else if (LABEL(l, ln, "組織名") && *jorg == NULL) {
        *jorg = v;
        *jorgn = vn;
    } else if (LABEL(l, ln, "Assigned Date", "割当年月日", "Allocated Date",
                     "割振年月日")) {
        wt_set_date(c, v, vn);
    } else if (LABEL(l, ln, "Abuse")) {
        wt_add_emails(c, v, vn, SQ_ROLE_ABUSE, SQ_CONF_HIGH, 0, "");
    } else if (LABEL(l, ln, "E-Mail", "電子メール", "Email")) {
        wt_add_emails(c, v, vn, SQ_ROLE_ADMIN, SQ_CONF_HIGH, 1, "");
    }
}

static void
parse_jpnic(wt_ctx *c, const char *txt, size_t len)
{
    wt_lines it;
    const char *line, *l, *v, *jorg = NULL;
    size_t n, ln, vn, jorgn = 0;
    int seen_a = 0;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        char letter;

        if (wt_has(line, n, "Less Specific Info") ||
            wt_has(line, n, "More Specific Info"))
            break;
        if (!jp_line(line, n, &l, &ln, &v, &vn, &letter) || vn == 0)
            continue;
        if (!jp_by_letter(c, letter, &seen_a, v, vn))
            jp_field(c, l, ln, v, vn, &seen_a, &jorg, &jorgn);
    }
    if (jorg != NULL)
        wa_set_net_field(c->a, &c->a->net.org, jorg, jorgn);
}

/* ------------------------------------------------------------------ */
/* KRNIC                                                              */
/* ------------------------------------------------------------------ */

enum kr_mode { KR_BEST, KR_OTHERS, KR_CONTACTS };

typedef struct kr_state {
    int block; /* network block number, -1 before the first */
    sq_contact_role role;
    sq_confidence conf;
    int fallback;
} kr_state;

/* "Key      : value" (the key may have spaces; Korean or empty). */
static int
kr_split(const char *s, size_t n, const char **k, size_t *kn, const char **v,
         size_t *vn)
{
    const char *colon = memchr(s, ':', n);

    if (colon == NULL || (size_t)(colon - s) > WT_KEY_MAX)
        return 0;
    *k = s;
    *kn = (size_t)(colon - s);
    wt_trim(k, kn);
    *v = colon + 1;
    *vn = n - (size_t)(*v - s);
    wt_trim(v, vn);
    return 1;
}

static void
kr_header(kr_state *st, const char *s, size_t n)
{
    if (!wt_has(s, n, "contact")) {
        st->block++;
        st->role = SQ_ROLE_ABUSE;
        st->conf = SQ_CONF_MEDIUM;
        st->fallback = 0;
    } else if (wt_has(s, n, "abuse")) {
        st->role = SQ_ROLE_ABUSE;
        st->conf = SQ_CONF_HIGH;
        st->fallback = 0;
    } else {
        st->role = wt_has(s, n, "tech") ? SQ_ROLE_TECH : SQ_ROLE_ADMIN;
        st->conf = SQ_CONF_HIGH;
        st->fallback = 1;
    }
}

static void
kr_field(wt_ctx *c, enum kr_mode mode, const char *k, size_t kn, const char *v,
         size_t vn)
{
    sq_whois_answer *a = c->a;

    if (mode == KR_BEST && LABEL(k, kn, "IPv4", "IPv6"))
        wt_set_range_any(c, v, vn);
    else if (LABEL(k, kn, "Organization Name"))
        wa_set_net_field(a, &a->net.org, v, vn);
    else if (LABEL(k, kn, "Service Name", "Network Name"))
        wa_set_net_field(a, &a->net.name, v, vn);
    else if (mode == KR_BEST && LABEL(k, kn, "Registration Date"))
        wt_set_date(c, v, vn);
}

/* One pass: fields of the best block, of the others, or contacts. */
static void
kr_pass(wt_ctx *c, const char *txt, size_t len, enum kr_mode mode, int best,
        sq_ipaddr *blo, sq_ipaddr *bhi, int *bestout)
{
    kr_state st = {-1, SQ_ROLE_ABUSE, SQ_CONF_MEDIUM, 0};
    wt_lines it;
    const char *line, *k, *v;
    size_t n, kn, vn;

    wt_lines_init(&it, txt, len);
    while (wt_lines_next(&it, &line, &n)) {
        const char *t = line;
        size_t tn = n;

        wt_trim(&t, &tn);
        if (tn > 2 && t[0] == '[' && t[tn - 1] == ']') {
            kr_header(&st, t, tn);
            continue;
        }
        if (!kr_split(t, tn, &k, &kn, &v, &vn) || vn == 0)
            continue;
        if (mode == KR_CONTACTS) {
            if (memchr(v, '@', vn) != NULL &&
                (kn == 0 || wt_has(k, kn, "mail")))
                wt_add_emails(c, v, vn, st.role, st.conf, st.fallback, "");
        } else if (bestout != NULL) {
            sq_ipaddr lo, hi;

            if (LABEL(k, kn, "IPv4", "IPv6") &&
                wt_range_parse(v, vn, &lo, &hi) &&
                (*bestout < 0 || wt_range_cmp_size(&lo, &hi, blo, bhi) < 0)) {
                *bestout = st.block;
                *blo = lo;
                *bhi = hi;
            }
        } else if ((mode == KR_BEST) == (st.block == best)) {
            kr_field(c, mode, k, kn, v, vn);
        }
    }
}

static void
parse_krnic(wt_ctx *c, const char *txt, size_t len)
{
    const char *en = sq_memcasemem(txt, len, "# ENGLISH", 9);
    sq_ipaddr lo, hi;
    int best = -1;

    if (en != NULL) {
        len -= (size_t)(en - txt);
        txt = en;
    }
    kr_pass(c, txt, len, KR_BEST, 0, &lo, &hi, &best);
    if (best >= 0) {
        kr_pass(c, txt, len, KR_BEST, best, NULL, NULL, NULL);
        kr_pass(c, txt, len, KR_OTHERS, best, NULL, NULL, NULL);
    }
    kr_pass(c, txt, len, KR_CONTACTS, best, NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */

sq_status
wt_parse_nir(wt_ctx *c, const char *txt, size_t len)
{
    char *plain = NULL;
    size_t plen = 0;

    if (wt_is_html(txt, len)) {
        plain = wt_html_to_text(txt, len, &plen);
        if (plain == NULL)
            return SQ_ENOMEM;
        txt = plain;
        len = plen;
    }
    if (c->reg != WT_JPNIC && c->reg != WT_KRNIC)
        c->reg = wt_has(txt, len, "[ Network Information ]") ||
                         wt_has(txt, len, "KRNIC")
                     ? WT_KRNIC
                     : WT_JPNIC;
    if (c->reg == WT_KRNIC)
        parse_krnic(c, txt, len);
    else
        parse_jpnic(c, txt, len);
    if (c->a->has_range)
        wa_set_net_field(c->a, &c->a->net.country,
                         c->reg == WT_KRNIC ? "KR" : "JP", 2);
    if (c->a->has_network)
        wt_set_registry(c);
    free(plain);
    return SQ_OK;
}
