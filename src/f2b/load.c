/*
 * load.c - read filter.d/NAME.conf with its [INCLUDES] (before, after,
 * each followed by its .local when present, loops and missing .conf
 * includes refused), merge the files in fail2ban's order, expand the
 * [Definition] options and compile the filter.
 *
 * The files come through a read callback: sq_f2b_filter_load() reads
 * dir/<name> from the file system, sq_f2b_filter_load_mem() from the
 * caller (the fuzz target uses an in-memory table).
 */
#include "f2b/f2b_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    sq_f2b_read_fn fn;
    void *ctx;
    f2b_cfg files[SQ_F2B_MAX_INCLUDES]; /* parsed, in merge order */
    size_t nfiles;
    sq_diag *d;
} loader;

static int
ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);

    return n >= m && strcmp(s + n - m, suf) == 0;
}

static sq_status load_file(loader *L, const char *name, const char **seen,
                           size_t nseen);

/* _getIncludes: name, then its .local when it exists. */
static sq_status
load_with_local(loader *L, const char *name, const char **seen, size_t nseen)
{
    char local[512];
    const char *dot = strrchr(name, '.'), *sl = strrchr(name, '/');
    size_t base = (dot != NULL && (sl == NULL || dot > sl))
                      ? (size_t)(dot - name)
                      : strlen(name);
    sq_status rc = load_file(L, name, seen, nseen);

    if (rc != SQ_OK)
        return rc;
    if (base + 7 > sizeof(local))
        return SQ_OK;
    memcpy(local, name, base);
    memcpy(local + base, ".local", 7);
    if (strcmp(local, name) == 0)
        return SQ_OK;
    return load_file(L, local, seen, nseen);
}

static sq_status
join_path(const char *from, const char *inc, char *out, size_t outlen,
          sq_diag *d)
{
    const char *sl = strrchr(from, '/');
    size_t dl = sl ? (size_t)(sl - from) + 1 : 0;
    int n;

    if (inc[0] == '/') {
        sq_diag_addf(d, from, 0, "absolute include '%s' not supported", inc);
        return SQ_ECONFIG;
    }
    n = snprintf(out, outlen, "%.*s%s", (int)dl, from, inc);
    if (n < 0 || (size_t)n >= outlen) {
        sq_diag_addf(d, from, 0, "include name too long");
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

static sq_status
load_includes(loader *L, const char *name, const char *list, const char **seen,
              size_t nseen)
{
    char one[512], path[512];

    while (list != NULL && *list) {
        const char *nl = strchr(list, '\n');
        size_t n = nl ? (size_t)(nl - list) : strlen(list);
        sq_status rc;

        if (n > 0 && n < sizeof(one)) {
            memcpy(one, list, n);
            one[n] = '\0';
            rc = join_path(name, one, path, sizeof(path), L->d);
            if (rc != SQ_OK)
                return rc;
            for (size_t i = 0; i < nseen; i++)
                if (strcmp(seen[i], path) == 0) {
                    sq_diag_addf(L->d, name, 0, "include loop through '%s'",
                                 one);
                    return SQ_ELOOP;
                }
            rc = load_with_local(L, path, seen, nseen);
            if (rc != SQ_OK)
                return rc;
        }
        list = nl ? nl + 1 : NULL;
    }
    return SQ_OK;
}

static sq_status
load_file(loader *L, const char *name, const char **seen, size_t nseen)
{
    const char *data = NULL, *chain[SQ_F2B_MAX_INCLUDES + 1];
    size_t len = 0;
    f2b_cfg cfg = {0};
    f2b_sect *inc;
    sq_status rc;

    int got = L->fn(L->ctx, name, &data, &len);

    if (got < 0) {
        sq_diag_addf(L->d, name, 0,
                     "cannot read (unreadable, too large or "
                     "world-writable)");
        return SQ_EIO;
    }
    if (got == 0) {
        if (ends_with(name, ".local"))
            return SQ_OK;
        sq_diag_addf(L->d, name, 0, "no such file");
        return SQ_ENOTFOUND;
    }
    if (len > SQ_F2B_MAX_CONF || nseen >= SQ_F2B_MAX_INCLUDES ||
        L->nfiles >= SQ_F2B_MAX_INCLUDES) {
        sq_diag_addf(L->d, name, 0, "too large or too many includes");
        return SQ_ECONFIG;
    }
    rc = f2b_ini_parse(name, data, len, &cfg, L->d);
    if (rc != SQ_OK) {
        f2b_cfg_free(&cfg);
        return rc;
    }
    if (nseen > 0)
        memcpy(chain, seen, nseen * sizeof(*seen));
    chain[nseen] = name;
    inc = f2b_cfg_sect(&cfg, "INCLUDES");
    if (inc != NULL)
        rc = load_includes(L, name, f2b_sect_get(inc, "before"), chain,
                           nseen + 1);
    if (rc == SQ_OK && L->nfiles < SQ_F2B_MAX_INCLUDES) {
        L->files[L->nfiles++] = cfg;
        inc = f2b_cfg_sect(&L->files[L->nfiles - 1], "INCLUDES");
        if (inc != NULL)
            rc = load_includes(L, name, f2b_sect_get(inc, "after"), chain,
                               nseen + 1);
        return rc;
    }
    f2b_cfg_free(&cfg);
    if (rc == SQ_OK) {
        sq_diag_addf(L->d, name, 0, "too many includes");
        rc = SQ_ECONFIG;
    }
    return rc;
}

/* ---- "name[key=value, ...]" ---- */

static sq_status
spec_param(const char **pp, f2b_sect *params, sq_diag *d)
{
    const char *p = *pp, *ks, *vs;
    char key[128], val[1024];
    size_t kl, vl;

    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    if (*p == '\0')
        return (*pp = p), SQ_OK;
    ks = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
           (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')
        p++;
    kl = (size_t)(p - ks);
    if (kl == 0 || kl >= sizeof(key) || *p != '=') {
        sq_diag_addf(d, NULL, 0, "filter parameters: expected key=value");
        return SQ_EINVAL;
    }
    p++;
    if (*p == '"' || *p == '\'') {
        const char *e = strchr(p + 1, *p);

        if (e == NULL) {
            sq_diag_addf(d, NULL, 0, "filter parameters: unclosed quote");
            return SQ_EINVAL;
        }
        vs = p + 1;
        vl = (size_t)(e - vs);
        p = e + 1;
    } else {
        vs = p;
        vl = strcspn(p, ",");
        p += vl;
    }
    while (vl > 0 && (vs[vl - 1] == ' ' || vs[vl - 1] == '\t'))
        vl--;
    if (vl >= sizeof(val)) {
        sq_diag_addf(d, NULL, 0, "filter parameters: value too long");
        return SQ_EINVAL;
    }
    memcpy(key, ks, kl);
    key[kl] = '\0';
    memcpy(val, vs, vl);
    val[vl] = '\0';
    *pp = p;
    return f2b_sect_set(params, key, val);
}

sq_status
f2b_parse_spec(const char *spec, char **name, f2b_sect *params, sq_diag *d)
{
    const char *br = strchr(spec, '[');
    size_t nl = br ? (size_t)(br - spec) : strlen(spec);
    char inner[2048];

    while (nl > 0 && spec[nl - 1] == ' ')
        nl--;
    if (nl == 0 || nl > 200 || memchr(spec, '/', nl) != NULL ||
        (nl >= 2 && spec[0] == '.' && spec[1] == '.')) {
        sq_diag_addf(d, NULL, 0, "bad filter name");
        return SQ_EINVAL;
    }
    if (br != NULL) {
        const char *e = strrchr(br, ']');
        const char *p = inner;
        size_t il;

        if (e == NULL || e[1] != '\0' ||
            (il = (size_t)(e - br - 1)) >= sizeof(inner)) {
            sq_diag_addf(d, NULL, 0,
                         "filter parameters: expected name[k=v,...]");
            return SQ_EINVAL;
        }
        memcpy(inner, br + 1, il);
        inner[il] = '\0';
        while (*p) {
            sq_status rc = spec_param(&p, params, d);
            if (rc != SQ_OK)
                return rc;
        }
    }
    *name = malloc(nl + 1);
    if (*name == NULL)
        return SQ_ENOMEM;
    memcpy(*name, spec, nl);
    (*name)[nl] = '\0';
    return SQ_OK;
}

sq_status
f2b_filter_note(sq_f2b_filter *f, const char *fmt, ...)
{
    char buf[512], **n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    n = realloc(f->notes, (f->nnotes + 1) * sizeof(*n));
    if (n == NULL)
        return SQ_ENOMEM;
    f->notes = n;
    f->notes[f->nnotes] = strdup(buf);
    if (f->notes[f->nnotes] == NULL)
        return SQ_ENOMEM;
    f->nnotes++;
    return SQ_OK;
}

/* ---- the file-system reader ---- */

typedef struct fs_ctx {
    const char *dir;
    char *data; /* last file read, freed on the next read */
} fs_ctx;

static int
fs_read(void *vctx, const char *name, const char **data, size_t *len)
{
    fs_ctx *c = vctx;
    char path[1024];
    size_t n = 0;
    int k = snprintf(path, sizeof(path), "%s/%s", c->dir, name);

    if (k < 0 || (size_t)k >= sizeof(path))
        return 0;
    /* the previous file is parsed already: only one is held at a time */
    free(c->data);
    c->data = NULL;
    switch (sq_file_read_private(path, "fail2ban filter", SQ_F2B_MAX_CONF,
                                 &c->data, &n, NULL)) {
    case SQ_OK:
        break;
    case SQ_ENOTFOUND:
        return 0;
    default:
        return -1;
    }
    *data = c->data;
    *len = n;
    return 1;
}

/* ---- building the filter ---- */

static const char *const def_opts[] = {"prefregex", "ignoreregex", "failregex",
                                       "maxlines",  "datepattern", "usedns"};

/* combined = [Definition] options < [Init] values < parameters. */
static sq_status
combine(const f2b_cfg *c, const f2b_sect *params, f2b_sect *comb, sq_diag *d)
{
    const f2b_sect *init = f2b_cfg_sect(c, "Init");
    sq_status rc = SQ_OK;

    for (size_t i = 0; i < sizeof(def_opts) / sizeof(def_opts[0]); i++) {
        char *v = NULL;

        if (f2b_sect_get(params, def_opts[i]) != NULL)
            continue;
        rc = f2b_cfg_get(c, "Definition", def_opts[i], params, &v, d);
        if (rc == SQ_OK && v != NULL)
            rc = f2b_sect_set(comb, def_opts[i], v);
        free(v);
        if (rc != SQ_OK)
            return rc;
    }
    for (size_t i = 0; init != NULL && i < init->n; i++) {
        char *v = NULL, known[200];
        const char *name = init->opts[i].name;

        rc = f2b_cfg_get(c, "Init", name, NULL, &v, d);
        if (rc == SQ_OK && v != NULL && strncmp(name, "known/", 6) != 0 &&
            strlen(name) < sizeof(known) - 6) {
            snprintf(known, sizeof(known), "known/%s", name);
            rc = f2b_sect_set(comb, known, v);
        }
        if (rc == SQ_OK && v != NULL && f2b_sect_get(params, name) == NULL)
            rc = f2b_sect_set(comb, name, v);
        free(v);
        if (rc != SQ_OK)
            return rc;
    }
    for (size_t i = 0; i < params->n && rc == SQ_OK; i++)
        rc = f2b_sect_set(comb, params->opts[i].name, params->opts[i].value);
    return rc;
}

static sq_status
add_regexes(sq_f2b_filter *f, const char *list, int fail, sq_diag *d)
{
    while (list != NULL && *list) {
        const char *nl = strchr(list, '\n');
        size_t n = nl ? (size_t)(nl - list) : strlen(list);
        f2b_re **arr = fail ? &f->fail : &f->ignore;
        size_t *cnt = fail ? &f->nfail : &f->nignore;

        if (n > 0) {
            f2b_re *a = realloc(*arr, (*cnt + 1) * sizeof(**arr));
            char *src, what[64];
            sq_status rc;

            if (a == NULL)
                return SQ_ENOMEM;
            *arr = a;
            src = malloc(n + 1);
            if (src == NULL)
                return SQ_ENOMEM;
            memcpy(src, list, n);
            src[n] = '\0';
            snprintf(what, sizeof(what), "%s %zu",
                     fail ? "failregex" : "ignoreregex", *cnt);
            rc = f2b_re_compile(&a[*cnt], src, what, d);
            free(src);
            if (rc != SQ_OK)
                return rc;
            (*cnt)++;
        }
        list = nl ? nl + 1 : NULL;
    }
    return SQ_OK;
}

static sq_status
set_options(sq_f2b_filter *f, const f2b_sect *x, sq_diag *d)
{
    const char *v = f2b_sect_get(x, "maxlines");
    sq_status rc = SQ_OK;

    f->maxlines = 1;
    if (v != NULL && *v) {
        unsigned long long n;

        if (!sq_parse_dec(v, strlen(v), 9, 100000000ULL, &n)) {
            sq_diag_addf(d, NULL, 0, "maxlines: not a number");
            return SQ_ECONFIG;
        }
        f->maxlines = (long)n;
        if (n > 1)
            rc = f2b_filter_note(f,
                                 "maxlines = %llu: lines are matched one "
                                 "at a time (multi-line not supported)",
                                 n);
    }
    v = f2b_sect_get(x, "datepattern");
    f->datemode = F2B_DATE_LNBEG;
    if (v != NULL && *v) {
        f->datepattern = strdup(v);
        if (f->datepattern == NULL)
            return SQ_ENOMEM;
        f->datemode = f2b_date_mode_of(v);
        if (f->datemode == F2B_DATE_NONE && rc == SQ_OK)
            rc = f2b_filter_note(f,
                                 "datepattern '%.100s' is not supported: "
                                 "lines get no time",
                                 v);
    } else {
        f->datemode = F2B_DATE_DEFAULT;
    }
    return rc;
}

static sq_status
build(const f2b_cfg *c, const f2b_sect *params, sq_f2b_filter *f, sq_diag *d)
{
    f2b_sect comb = {0}, x = {0};
    sq_status rc;
    const char *v;

    if (f2b_cfg_sect(c, "Definition") == NULL) {
        sq_diag_addf(d, NULL, 0, "no [Definition] section");
        return SQ_ECONFIG;
    }
    rc = combine(c, params, &comb, d);
    for (size_t i = 0; rc == SQ_OK && i < sizeof(def_opts) / sizeof(*def_opts);
         i++) {
        char *out = NULL;

        v = f2b_sect_get(&comb, def_opts[i]);
        if (v == NULL)
            continue;
        rc = f2b_subst_tags(c, &comb, params, def_opts[i], v, &out, d);
        if (rc == SQ_OK)
            rc = f2b_sect_set(&x, def_opts[i], out);
        free(out);
    }
    if (rc == SQ_OK)
        rc = set_options(f, &x, d);
    v = f2b_sect_get(&x, "prefregex");
    if (rc == SQ_OK && v != NULL && *v)
        rc = f2b_re_compile(&f->pref, v, "prefregex", d);
    if (rc == SQ_OK)
        rc = add_regexes(f, f2b_sect_get(&x, "failregex"), 1, d);
    if (rc == SQ_OK)
        rc = add_regexes(f, f2b_sect_get(&x, "ignoreregex"), 0, d);
    if (rc == SQ_OK && f->nfail == 0) {
        sq_diag_addf(d, NULL, 0, "no failregex");
        rc = SQ_ECONFIG;
    }
    for (size_t i = 0; rc == SQ_OK && i < f->nfail; i++)
        if (!f->fail[i].has_failid &&
            (f->pref.code == NULL || !f->pref.has_failid)) {
            sq_diag_addf(d, NULL, 0,
                         "failregex %zu: no <HOST>, <ADDR>, <F-ID> or other "
                         "failure id",
                         i);
            rc = SQ_ECONFIG;
        }
    f2b_sect_clear_pub(&comb);
    f2b_sect_clear_pub(&x);
    return rc;
}

void
sq_f2b_filter_free(sq_f2b_filter *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nfail; i++)
        f2b_re_free(&f->fail[i]);
    for (size_t i = 0; i < f->nignore; i++)
        f2b_re_free(&f->ignore[i]);
    f2b_re_free(&f->pref);
    free(f->fail);
    free(f->ignore);
    free(f->datepattern);
    for (size_t i = 0; i < f->nnotes; i++)
        free(f->notes[i]);
    free(f->notes);
    free(f);
}

static sq_status
load_spec(const char *spec, loader *L, sq_f2b_filter **out, const char *dir)
{
    f2b_sect params = {0};
    char *name = NULL, path[300];
    f2b_cfg merged = {0};
    sq_f2b_filter *f = NULL;
    sq_status rc = f2b_parse_spec(spec, &name, &params, L->d);

    if (rc != SQ_OK)
        goto out;
    snprintf(path, sizeof(path), "filter.d/%s.conf", name);
    rc = load_with_local(L, path, NULL, 0);
    for (size_t i = 0; rc == SQ_OK && i < L->nfiles; i++)
        rc = f2b_cfg_merge(&merged, &L->files[i]);
    if (rc != SQ_OK)
        goto out;
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        rc = SQ_ENOMEM;
        goto out;
    }
    rc = build(&merged, &params, f, L->d);
    if (rc == SQ_OK) {
        *out = f;
        f = NULL;
    } else {
        sq_diag_addf(L->d, NULL, 0, "%s%s%s: filter not loaded", dir ? dir : "",
                     dir ? "/" : "", path);
    }
out:
    sq_f2b_filter_free(f);
    for (size_t i = 0; i < L->nfiles; i++)
        f2b_cfg_free(&L->files[i]);
    f2b_cfg_free(&merged);
    f2b_sect_clear_pub(&params);
    free(name);
    return rc;
}

sq_status
sq_f2b_filter_load_mem(const char *spec, sq_f2b_read_fn fn, void *ctx,
                       sq_f2b_filter **out, sq_diag *d)
{
    loader L;

    if (spec == NULL || fn == NULL || out == NULL)
        return SQ_EINVAL;
    memset(&L, 0, sizeof(L));
    L.fn = fn;
    L.ctx = ctx;
    L.d = d;
    return load_spec(spec, &L, out, NULL);
}

sq_status
sq_f2b_filter_load(const char *dir, const char *spec, sq_f2b_filter **out,
                   sq_diag *d)
{
    fs_ctx c = {dir != NULL ? dir : "/etc/fail2ban", NULL};
    loader L;
    sq_status rc;

    if (spec == NULL || out == NULL)
        return SQ_EINVAL;
    memset(&L, 0, sizeof(L));
    L.fn = fs_read;
    L.ctx = &c;
    L.d = d;
    rc = load_spec(spec, &L, out, c.dir);
    free(c.data);
    return rc;
}

size_t
sq_f2b_filter_failregex_count(const sq_f2b_filter *f)
{
    return f->nfail;
}

const char *
sq_f2b_filter_failregex(const sq_f2b_filter *f, size_t i)
{
    return i < f->nfail ? f->fail[i].src : NULL;
}

size_t
sq_f2b_filter_ignoreregex_count(const sq_f2b_filter *f)
{
    return f->nignore;
}

const char *
sq_f2b_filter_ignoreregex(const sq_f2b_filter *f, size_t i)
{
    return i < f->nignore ? f->ignore[i].src : NULL;
}

const char *
sq_f2b_filter_prefregex(const sq_f2b_filter *f)
{
    return f->pref.src;
}

const char *
sq_f2b_filter_datepattern(const sq_f2b_filter *f)
{
    return f->datepattern;
}

size_t
sq_f2b_filter_note_count(const sq_f2b_filter *f)
{
    return f->nnotes;
}

const char *
sq_f2b_filter_note(const sq_f2b_filter *f, size_t i)
{
    return i < f->nnotes ? f->notes[i] : NULL;
}
