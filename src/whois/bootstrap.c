/*
 * bootstrap.c - the IANA RDAP bootstrap files (RFC 9224: ipv4.json,
 * ipv6.json, asn.json, dns.json) as lookup tables: the RDAP base URL
 * for an address (longest prefix), an AS number (range) or a domain
 * (longest label suffix).
 *
 * Ownership: an rdap_bootstrap owns its arrays and an arena with the
 * URLs; lookups return borrowed URLs that live until
 * rdap_bootstrap_free().  A loaded table is read-only, so lookups are
 * thread-safe.
 *
 * Limits: a file over RB_MAX_FILE bytes is refused; at most
 * RB_MAX_ENTRIES entries per kind and RB_MAX_URL bytes per URL.  Of a
 * service's URLs the first https one is kept, else the first http one;
 * a '/' is added when the URL lacks it.
 */
#include "whois/bootstrap.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RB_MAX_FILE = 8 << 20,    /* bytes of one bootstrap file */
    RB_MAX_ENTRIES = 1 << 16, /* entries of one kind */
    RB_MAX_URL = 1024,        /* bytes of one base URL */
    RB_MAX_DOMAIN = 253       /* RFC 1035 name length */
};

typedef struct rb_ip {
    sq_ipaddr net;
    unsigned len128; /* prefix length on the 128-bit form */
    const char *url;
} rb_ip;

typedef struct rb_asn {
    unsigned long lo, hi;
    const char *url;
} rb_asn;

typedef struct rb_dns {
    const char *label; /* lower case, no trailing dot */
    const char *url;
} rb_dns;

struct rdap_bootstrap {
    sq_arena *arena;
    rb_ip *ip;
    size_t nip, capip;
    rb_asn *asn;
    size_t nasn, capasn;
    rb_dns *dns;
    size_t ndns, capdns;
};

/* One file being added: where its messages go. */
typedef struct rb_file {
    rdap_bootstrap *b;
    rdap_bootstrap_kind kind;
    const char *name;
    sq_diag *d;
} rb_file;

sq_status
rdap_bootstrap_new(rdap_bootstrap **out)
{
    rdap_bootstrap *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return SQ_ENOMEM;
    b->arena = sq_arena_new(4096);
    if (b->arena == NULL) {
        free(b);
        return SQ_ENOMEM;
    }
    *out = b;
    return SQ_OK;
}

void
rdap_bootstrap_free(rdap_bootstrap *b)
{
    if (b == NULL)
        return;
    sq_arena_free(b->arena);
    free(b->ip);
    free(b->asn);
    free(b->dns);
    free(b);
}

/* Room for one more element in *arr (n used of *cap, size each). */
static int
rb_grow(void **arr, size_t n, size_t *cap, size_t size)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return 1;
    if (n >= RB_MAX_ENTRIES)
        return 0;
    ncap = *cap ? *cap * 2 : 64;
    p = realloc(*arr, ncap * size);
    if (p == NULL)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

static sq_status
rb_bad(const rb_file *f, const char *what, const char *s, size_t n)
{
    char show[SQ_SHOW_MAX + 4] = "";

    if (s != NULL)
        sq_str_show(s, n, show);
    sq_diag_addf(f->d, f->name, 0, "%s '%s'", what, show);
    return SQ_EPARSE;
}

/* ---- entries ---- */

static sq_status
rb_add_ip(const rb_file *f, const char *s, size_t n, const char *url)
{
    rdap_bootstrap *b = f->b;
    const char *slash = memchr(s, '/', n);
    unsigned long v = 0;
    size_t i;
    rb_ip *e;

    if (slash == NULL || slash == s || (size_t)(s + n - slash) > 4)
        return rb_bad(f, "bad prefix", s, n);
    for (i = (size_t)(slash - s) + 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return rb_bad(f, "bad prefix", s, n);
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (!rb_grow((void **)&b->ip, b->nip, &b->capip, sizeof(*b->ip)))
        return rb_bad(f, "too many entries at", s, n);
    e = &b->ip[b->nip];
    if (i == (size_t)(slash - s) + 1 ||
        !sq_ipaddr_parse(s, (size_t)(slash - s), &e->net) ||
        e->net.v4 != (f->kind == RDAP_BOOT_IPV4) ||
        v > (e->net.v4 ? 32u : 128u))
        return rb_bad(f, "bad prefix", s, n);
    e->len128 = (unsigned)v + (e->net.v4 ? 96 : 0);
    e->url = url;
    b->nip++;
    return SQ_OK;
}

/* Decimal AS number of at most 10 digits, <= 2^32-1. */
static int
rb_asn_num(const char *s, size_t n, unsigned long *out)
{
    unsigned long long v;

    if (!sq_parse_dec(s, n, 10, 4294967295ULL, &v))
        return 0;
    *out = (unsigned long)v;
    return 1;
}

static sq_status
rb_add_asn(const rb_file *f, const char *s, size_t n, const char *url)
{
    rdap_bootstrap *b = f->b;
    const char *dash = memchr(s, '-', n);
    unsigned long lo, hi;

    if (dash == NULL) {
        if (!rb_asn_num(s, n, &lo))
            return rb_bad(f, "bad AS range", s, n);
        hi = lo;
    } else if (!rb_asn_num(s, (size_t)(dash - s), &lo) ||
               !rb_asn_num(dash + 1, (size_t)(s + n - dash - 1), &hi) ||
               lo > hi) {
        return rb_bad(f, "bad AS range", s, n);
    }
    if (!rb_grow((void **)&b->asn, b->nasn, &b->capasn, sizeof(*b->asn)))
        return rb_bad(f, "too many entries at", s, n);
    b->asn[b->nasn].lo = lo;
    b->asn[b->nasn].hi = hi;
    b->asn[b->nasn].url = url;
    b->nasn++;
    return SQ_OK;
}

/* Domain text → lower case, no trailing dot, LDH labels; length or 0. */
static size_t
rb_norm_domain(const char *s, size_t n, char out[RB_MAX_DOMAIN + 1])
{
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > RB_MAX_DOMAIN || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.') ||
            (c == '.' && s[i - 1] == '.'))
            return 0;
        out[i] = c;
    }
    out[n] = '\0';
    return n;
}

static sq_status
rb_add_dns(const rb_file *f, const char *s, size_t n, const char *url)
{
    rdap_bootstrap *b = f->b;
    char buf[RB_MAX_DOMAIN + 1];
    size_t k = rb_norm_domain(s, n, buf);

    if (k == 0)
        return rb_bad(f, "bad domain", s, n);
    if (!rb_grow((void **)&b->dns, b->ndns, &b->capdns, sizeof(*b->dns)))
        return rb_bad(f, "too many entries at", s, n);
    b->dns[b->ndns].label = sq_arena_strndup(b->arena, buf, k);
    b->dns[b->ndns].url = url;
    if (b->dns[b->ndns].label == NULL)
        return SQ_ENOMEM;
    b->ndns++;
    return SQ_OK;
}

/* ---- services ---- */

/* The service's base URL: first https, else first http; with a
 * trailing '/'.  NULL when it has neither (the service is skipped). */
static const char *
rb_pick_url(rdap_bootstrap *b, const json_t *urls)
{
    const char *best = NULL;
    size_t bestn = 0, i;
    const json_t *u;
    char *copy;

    json_array_foreach(urls, i, u)
    {
        const char *s = json_string_value(u);
        size_t n = json_string_length(u);

        if (s == NULL || n == 0 || n > RB_MAX_URL)
            continue;
        if (n > 8 && sq_strncaseeq(s, 8, "https://")) {
            best = s, bestn = n;
            break;
        }
        if (best == NULL && n > 7 && sq_strncaseeq(s, 7, "http://"))
            best = s, bestn = n;
    }
    if (best == NULL)
        return NULL;
    copy = sq_arena_alloc(b->arena, bestn + 2);
    if (copy == NULL)
        return NULL;
    memcpy(copy, best, bestn);
    if (copy[bestn - 1] != '/')
        copy[bestn++] = '/';
    copy[bestn] = '\0';
    return copy;
}

static sq_status
rb_service(const rb_file *f, const json_t *svc)
{
    const json_t *entries = json_array_get(svc, 0), *e;
    const char *url;
    sq_status st = SQ_OK;
    size_t i;

    if (!json_is_array(entries) || !json_is_array(json_array_get(svc, 1)))
        return rb_bad(f, "service is not [entries, urls]", NULL, 0);
    url = rb_pick_url(f->b, json_array_get(svc, 1));
    if (url == NULL)
        return SQ_OK; /* no http(s) server: nothing to ask */
    json_array_foreach(entries, i, e)
    {
        const char *s = json_string_value(e);
        size_t n = json_string_length(e);

        if (s == NULL)
            return rb_bad(f, "entry is not a string", NULL, 0);
        if (f->kind == RDAP_BOOT_IPV4 || f->kind == RDAP_BOOT_IPV6)
            st = rb_add_ip(f, s, n, url);
        else if (f->kind == RDAP_BOOT_ASN)
            st = rb_add_asn(f, s, n, url);
        else
            st = rb_add_dns(f, s, n, url);
        if (st != SQ_OK)
            return st;
    }
    return SQ_OK;
}

sq_status
rdap_bootstrap_add(rdap_bootstrap *b, rdap_bootstrap_kind kind,
                   const char *json, size_t len, const char *name, sq_diag *d)
{
    rb_file f = {b, kind, name ? name : "bootstrap", d};
    size_t nip, nasn, ndns, i;
    const json_t *services, *svc;
    json_error_t err;
    json_t *root;
    sq_status st = SQ_OK;

    if (b == NULL || (json == NULL && len > 0) || kind > RDAP_BOOT_DNS)
        return SQ_EINVAL;
    if (len > RB_MAX_FILE) {
        sq_diag_addf(d, f.name, 0, "larger than %d bytes", RB_MAX_FILE);
        return SQ_ELIMIT_RESPONSE;
    }
    root = json_loadb(json ? json : "", len, 0, &err);
    if (root == NULL)
        return rb_bad(&f, "bad JSON:", err.text, strlen(err.text));
    nip = b->nip, nasn = b->nasn, ndns = b->ndns;
    services = json_object_get(root, "services");
    if (!json_is_array(services))
        st = rb_bad(&f, "no services array", NULL, 0);
    json_array_foreach(services, i, svc)
    {
        if (st != SQ_OK)
            break;
        st = rb_service(&f, svc);
    }
    json_decref(root);
    if (st != SQ_OK) /* nothing of this file stays */
        b->nip = nip, b->nasn = nasn, b->ndns = ndns;
    return st;
}

/* ---- files ---- */

/* Read path whole (at most RB_MAX_FILE bytes); SQ_ENOTFOUND when it
 * does not exist. */
static sq_status
rb_read(const char *path, char **out, size_t *len, sq_diag *d)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long size;
    size_t n = 0;
    sq_status st = SQ_OK;

    if (fp == NULL) {
        if (errno == ENOENT)
            return SQ_ENOTFOUND;
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        return SQ_EIO;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0) {
        sq_diag_addf(d, path, 0, "cannot read: %s", strerror(errno));
        st = SQ_EIO;
    } else if (size > RB_MAX_FILE) {
        sq_diag_addf(d, path, 0, "larger than %d bytes", RB_MAX_FILE);
        st = SQ_ELIMIT_RESPONSE;
    } else if ((buf = malloc((size_t)size + 1)) == NULL) {
        st = SQ_ENOMEM;
    } else {
        n = fread(buf, 1, (size_t)size, fp);
        if (ferror(fp) || n != (size_t)size) {
            sq_diag_addf(d, path, 0, "read error");
            st = SQ_EIO;
        }
    }
    fclose(fp);
    if (st != SQ_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *len = n;
    return SQ_OK;
}

static const struct {
    const char *file;
    rdap_bootstrap_kind kind;
} rb_files[] = {{"ipv4.json", RDAP_BOOT_IPV4},
                {"ipv6.json", RDAP_BOOT_IPV6},
                {"asn.json", RDAP_BOOT_ASN},
                {"dns.json", RDAP_BOOT_DNS}};

/* Load the files present in dir into b; *found counts them. */
static sq_status
rb_load_dir(rdap_bootstrap *b, const char *dir, int *found, sq_diag *d)
{
    char path[4096];
    sq_status st = SQ_OK;

    for (size_t i = 0; i < 4 && st == SQ_OK; i++) {
        char *buf = NULL;
        size_t len = 0;
        int k = snprintf(path, sizeof(path), "%s/%s", dir, rb_files[i].file);

        if (k < 0 || (size_t)k >= sizeof(path)) {
            sq_diag_addf(d, NULL, 0, "bootstrap directory name too long");
            return SQ_EINVAL;
        }
        st = rb_read(path, &buf, &len, d);
        if (st == SQ_ENOTFOUND) {
            st = SQ_OK;
            continue;
        }
        if (st == SQ_OK) {
            (*found)++;
            st = rdap_bootstrap_add(b, rb_files[i].kind, buf, len, path, d);
        }
        free(buf);
    }
    return st;
}

sq_status
rdap_bootstrap_load(rdap_bootstrap **out, const char *dir, sq_diag *d)
{
    rdap_bootstrap *b = NULL;
    sq_status st;
    int found = 0;

    if (out == NULL)
        return SQ_EINVAL;
    if (dir == NULL) /* the bundled tables live in tables.c */
        return SQ_ENOTFOUND;
    st = rdap_bootstrap_new(&b);
    if (st != SQ_OK)
        return st;
    st = rb_load_dir(b, dir, &found, d);
    if (st == SQ_OK && found == 0) {
        sq_diag_addf(d, dir, 0,
                     "no RDAP bootstrap files (ipv4.json, "
                     "ipv6.json, asn.json, dns.json)");
        st = SQ_ENOTFOUND;
    }
    if (st != SQ_OK) {
        rdap_bootstrap_free(b);
        return st;
    }
    *out = b;
    return SQ_OK;
}

/* ---- lookups ---- */

const char *
rdap_bootstrap_ip(const rdap_bootstrap *b, const sq_ipaddr *a)
{
    const char *url = NULL;
    unsigned best = 0;

    if (b == NULL || a == NULL)
        return NULL;
    /* Special-purpose space has no registry to ask, even where IANA's
     * blocks enclose it (2001:db8::/32 lies in APNIC's 2001:c00::/23). */
    if (sq_ipaddr_class(a) & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED))
        return NULL;
    for (size_t i = 0; i < b->nip; i++) {
        const rb_ip *e = &b->ip[i];

        if (e->net.v4 == a->v4 && (url == NULL || e->len128 > best) &&
            sq_ipaddr_in(a, &e->net, e->len128)) {
            url = e->url;
            best = e->len128;
        }
    }
    return url;
}

const char *
rdap_bootstrap_asn(const rdap_bootstrap *b, unsigned long asn)
{
    const char *url = NULL;
    unsigned long width = 0;

    if (b == NULL)
        return NULL;
    for (size_t i = 0; i < b->nasn; i++) {
        const rb_asn *e = &b->asn[i];

        if (asn >= e->lo && asn <= e->hi &&
            (url == NULL || e->hi - e->lo < width)) {
            url = e->url;
            width = e->hi - e->lo;
        }
    }
    return url;
}

const char *
rdap_bootstrap_domain(const rdap_bootstrap *b, const char *dom)
{
    char buf[RB_MAX_DOMAIN + 1];
    size_t n;

    if (b == NULL || dom == NULL)
        return NULL;
    n = rb_norm_domain(dom, strlen(dom), buf);
    if (n == 0)
        return NULL;
    /* The whole name first, then each shorter suffix at a dot. */
    for (size_t start = 0; start < n;) {
        for (size_t i = 0; i < b->ndns; i++)
            if (strcmp(b->dns[i].label, buf + start) == 0)
                return b->dns[i].url;
        while (start < n && buf[start] != '.')
            start++;
        start++;
    }
    return NULL;
}
