/*
 * regex.c - fail2ban's regex tags to PCRE2 (as failregex.Regex.
 * _resolveHostTag: <HOST>, <ADDR>, <IP4>, <IP6>, <DNS>, <CIDR>,
 * <SUBNET>, <F-ID/>, <F-PORT/>, <F-NAME>...</F-NAME> named groups), the
 * few Python-only syntax bits translated (\Z, {,n}), then compiled
 * with JIT.  <SKIPLINES> (multi-line) is refused, and so is a <tag> left
 * over from the configuration (an unknown mode or parameter), which
 * fail2ban would silently match as text.
 */
#include "f2b/f2b_int.h"

#include <stdlib.h>
#include <string.h>

#define IP4_RE "(?:\\d{1,3}\\.){3}\\d{1,3}"
#define IP6_RE "(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)"
#define R_IP4 "(?:::f{4,6}:)?(?P<ip4>" IP4_RE ")"
#define R_IP6 "(?P<ip6>" IP6_RE ")"
#define R_DNS "(?P<dns>[\\w\\-.^_]*\\w)"
#define R_ADDR "\\[?(?:" R_IP4 "|" R_IP6 ")\\]?"
#define R_HOST "(?:" R_ADDR "|" R_DNS ")"
#define R_CIDR "(?P<cidr>\\d+)"
#define R_SUBNET "\\[?(?:" R_IP4 "|" R_IP6 ")(?:/" R_CIDR ")?\\]?"

static const struct {
    const char *tag;
    const char *re;
} host_tags[] = {
    {"HOST", R_HOST},
    {"IP4", R_IP4},
    {"F-IP4/", R_IP4},
    {"IP6", R_IP6},
    {"F-IP6/", R_IP6},
    {"ADDR", R_ADDR},
    {"F-ADDR/", R_ADDR},
    {"CIDR", R_CIDR},
    {"F-CIDR/", R_CIDR},
    {"SUBNET", R_SUBNET},
    {"F-SUBNET/", R_SUBNET},
    {"DNS", R_DNS},
    {"F-DNS/", R_DNS},
    {"F-ID/", "(?P<fid>\\S+)"},
    {"F-PORT/", "(?P<fport>\\w+)"},
};

enum { MAX_OPEN = 32 };

typedef struct xlate {
    f2b_buf out;
    char open[MAX_OPEN][40];
    size_t nopen;
    const char *what;
    sq_diag *d;
} xlate;

static int
is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
is_open(const xlate *x, const char *n)
{
    for (size_t i = 0; i < x->nopen; i++)
        if (strcmp(x->open[i], n) == 0)
            return 1;
    return 0;
}

/* <F-NAME> / </F-NAME>: 1 when handled. */
static int
custom_tag(xlate *x, const char *tn, size_t n, const char *raw, size_t rawn)
{
    int close = tn[0] == '/';
    char name[40];
    size_t b = close ? 3 : 2;

    if (n < b + 1 || n - b >= sizeof(name) || tn[b - 2] != 'F' ||
        tn[b - 1] != '-')
        return 0;
    for (size_t i = b; i < n; i++)
        if (!((tn[i] >= 'A' && tn[i] <= 'Z') ||
              (tn[i] >= '0' && tn[i] <= '9') || tn[i] == '_' || tn[i] == '-'))
            return 0;
    memcpy(name, tn + b, n - b);
    name[n - b] = '\0';
    if (close) {
        f2b_buf_add(&x->out, is_open(x, name) ? ")" : raw,
                    is_open(x, name) ? 1 : rawn);
        return 1;
    }
    if (!is_open(x, name) && x->nopen < MAX_OPEN)
        memcpy(x->open[x->nopen++], name, sizeof(name));
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    f2b_buf_adds(&x->out, "(?P<");
    f2b_buf_adds(&x->out, strcmp(name, "id") == 0     ? "fid"
                          : strcmp(name, "port") == 0 ? "fport"
                                                      : name);
    f2b_buf_adds(&x->out, ">");
    return 1;
}

/* A tag nobody replaced: "<mdre-foo>" after an unknown mode. */
static int
leftover(const char *src, size_t at, const char *tn, size_t n)
{
    char prev = at > 0 ? src[at - 1] : ' ';
    int lower = 0;

    if (prev == '?' || prev == 'P' || prev == 'k' || prev == '\\')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((tn[i] >= 'a' && tn[i] <= 'z') || tn[i] == '-')
            lower = 1;
    return lower;
}

static sq_status
tag(xlate *x, const char *src, size_t at, size_t len)
{
    const char *tn = src + at + 1;
    size_t n = len - 2;

    for (size_t i = 0; i < sizeof(host_tags) / sizeof(host_tags[0]); i++)
        if (strlen(host_tags[i].tag) == n &&
            memcmp(host_tags[i].tag, tn, n) == 0) {
            f2b_buf_adds(&x->out, host_tags[i].re);
            return SQ_OK;
        }
    if (n == 9 && memcmp(tn, "SKIPLINES", 9) == 0) {
        sq_diag_addf(x->d, NULL, 0,
                     "%s: <SKIPLINES> (multi-line) is not "
                     "supported",
                     x->what);
        return SQ_ECONFIG;
    }
    if (custom_tag(x, tn, n, src + at, len))
        return SQ_OK;
    if (leftover(src, at, tn, n)) {
        sq_diag_addf(x->d, NULL, 0,
                     "%s: unresolved tag <%.*s> (unknown mode or parameter?)",
                     x->what, (int)(n > 60 ? 60 : n), tn);
        return SQ_ECONFIG;
    }
    f2b_buf_add(&x->out, src + at, len);
    return SQ_OK;
}

/* Length of a tag "</?[\w-]+/?>" at s, 0 when none. */
static size_t
tag_len(const char *s)
{
    size_t i = 1;

    if (s[i] == '/')
        i++;
    if (!is_word(s[i]))
        return 0;
    while (is_word(s[i]))
        i++;
    if (s[i] == '/')
        i++;
    return s[i] == '>' ? i + 1 : 0;
}

static sq_status
translate(const char *src, const char *what, char **out, sq_diag *d)
{
    xlate x;
    size_t i = 0, n = strlen(src);
    sq_status rc = SQ_OK;

    memset(&x, 0, sizeof(x));
    x.what = what;
    x.d = d;
    while (i < n && rc == SQ_OK) {
        size_t tl;

        if (src[i] == '\\' && i + 1 < n) {
            /* \Z is \z in PCRE2; other escapes pass through */
            f2b_buf_add(&x.out, src[i + 1] == 'Z' ? "\\z" : src + i, 2);
            i += 2;
        } else if (src[i] == '<' && (tl = tag_len(src + i)) > 0) {
            rc = tag(&x, src, i, tl);
            i += tl;
        } else if (src[i] == '{' && src[i + 1] == ',' && i > 0) {
            f2b_buf_add(&x.out, "{0,", 3); /* Python's {,n} */
            i += 2;
        } else {
            f2b_buf_add(&x.out, src + i, 1);
            i++;
        }
    }
    if (rc != SQ_OK) {
        f2b_buf_free(&x.out);
        return rc;
    }
    *out = f2b_buf_take(&x.out);
    if (*out == NULL) {
        sq_diag_addf(d, NULL, 0, "%s: too long", what);
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

int
f2b_re_has_group(const f2b_re *re, const char *name)
{
    return re->code != NULL &&
           pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name) > 0;
}

sq_status
f2b_re_compile(f2b_re *re, const char *src, const char *what, sq_diag *d)
{
    char *pat = NULL;
    int err = 0;
    PCRE2_SIZE off = 0;
    sq_status rc;
    static const char *const ids[] = {"fid", "ip4", "ip6", "dns", "mlfid"};

    memset(re, 0, sizeof(*re));
    if (strspn(src, " \t") == strlen(src)) {
        sq_diag_addf(d, NULL, 0, "%s: empty regex", what);
        return SQ_ECONFIG;
    }
    rc = translate(src, what, &pat, d);
    if (rc != SQ_OK)
        return rc;
    re->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err,
                             &off, NULL);
    free(pat);
    if (re->code == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(err, msg, sizeof(msg));
        sq_diag_addf(d, NULL, 0, "%s: does not compile: %s", what,
                     (const char *)msg);
        return SQ_ECONFIG;
    }
    (void)pcre2_jit_compile(re->code,
                            PCRE2_JIT_COMPLETE); /* else interpreted */
    re->src = strdup(src);
    if (re->src == NULL) {
        f2b_re_free(re);
        return SQ_ENOMEM;
    }
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (f2b_re_has_group(re, ids[i]))
            re->has_failid = 1;
    return SQ_OK;
}

void
f2b_re_free(f2b_re *re)
{
    pcre2_code_free(re->code);
    free(re->src);
    memset(re, 0, sizeof(*re));
}
