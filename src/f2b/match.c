/*
 * match.c - one log line through a fail2ban filter, in fail2ban's order
 * (server/filter.py findFailure, maxlines = 1): cut the date out, try
 * the ignoreregexes first when there are few of them, the prefregex
 * (its <F-CONTENT> becomes the text the failregexes see), then each
 * failregex until one matches; a line without a date gives nothing (as
 * fail2ban-regex).  Multi-line failure ids (<F-MLFID>) go through a
 * cache of SQ_F2B_MLFID_CACHE ids, oldest dropped first, with fail2ban's
 * rules for <F-NOFAIL>, <F-MLFFORGET>, <F-MLFGAINED>, pending ids and
 * several users; fail2ban also drops ids after 5 minutes of wall-clock
 * time, squeaky does not (a file is read in far less).
 */
#include "f2b/f2b_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_IP4,
    F_IP6,
    F_DNS,
    F_FID,
    F_USER,
    F_NOFAIL,
    F_GAINED,
    F_FORGET,
    F_MLFID,
    NF,
    MAX_GROUPS = 64
};
static const char *const fnames[NF] = {"ip4",       "ip6",       "dns",
                                       "fid",       "user",      "nofail",
                                       "mlfgained", "mlfforget", "mlfid"};

typedef struct mlf {
    char *f[NF];
    char *user1; /* first user seen */
    int nusers;  /* distinct users, counted up to 2 */
    int pending;
    unsigned hash;
} mlf;

/* One group of the current line: name borrowed from the pattern. */
typedef struct grp {
    const char *name;
    const char *v; /* NULL: group did not take part */
    size_t n;
} grp;

struct sq_f2b_matcher {
    const sq_f2b_filter *f;
    long long now;
    long off;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
    mlf *cache[SQ_F2B_MLFID_CACHE]; /* oldest first */
    size_t ncache;
    mlf *detached; /* an entry forgotten during this line */
    f2b_buf buf, content;
    grp g[MAX_GROUPS];
    size_t ng;
    /* results */
    char host[256], user[256];
    int host_name, has_user;
    f2b_date date;
    size_t index;
    f2b_buf gvals; /* "name\0value\0" pairs of the last match */
    char err[160];
};

static unsigned
hash_of(const char *s, size_t n)
{
    unsigned h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void
mlf_free(mlf *e)
{
    if (e == NULL)
        return;
    for (int i = 0; i < NF; i++)
        free(e->f[i]);
    free(e->user1);
    free(e);
}

sq_status
sq_f2b_matcher_new(const sq_f2b_filter *f, long long now, long utc_offset,
                   sq_f2b_matcher **out)
{
    sq_f2b_matcher *m;

    if (f == NULL || out == NULL)
        return SQ_EINVAL;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return SQ_ENOMEM;
    m->f = f;
    m->now = now;
    m->off = utc_offset;
    m->md = pcre2_match_data_create(MAX_GROUPS * 2, NULL);
    m->mc = pcre2_match_context_create(NULL);
    m->js =
        pcre2_jit_stack_create((size_t)32 * 1024, (size_t)1024 * 1024, NULL);
    if (m->md == NULL || m->mc == NULL) {
        sq_f2b_matcher_free(m);
        return SQ_ENOMEM;
    }
    pcre2_set_match_limit(m->mc, SQ_F2B_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mc, SQ_F2B_DEPTH_LIMIT);
    if (m->js != NULL)
        pcre2_jit_stack_assign(m->mc, NULL, m->js);
    *out = m;
    return SQ_OK;
}

void
sq_f2b_matcher_free(sq_f2b_matcher *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->ncache; i++)
        mlf_free(m->cache[i]);
    mlf_free(m->detached);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mc);
    pcre2_jit_stack_free(m->js);
    f2b_buf_free(&m->buf);
    f2b_buf_free(&m->content);
    f2b_buf_free(&m->gvals);
    free(m);
}

/* 1 matched, 0 not, -1 limit or error (m->err set). */
static int
search(sq_f2b_matcher *m, const f2b_re *re, const char *s, size_t n,
       const char *what, size_t idx)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, m->md, m->mc);

    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    {
        PCRE2_UCHAR msg[100];

        pcre2_get_error_message(rc, msg, sizeof(msg));
        snprintf(m->err, sizeof(m->err), "%s %zu: %s", what, idx,
                 (const char *)msg);
    }
    return -1;
}

/* Add (or overwrite, None included) the named groups of the last match. */
static void
collect(sq_f2b_matcher *m, const f2b_re *re, const char *s)
{
    uint32_t cnt = 0, esz = 0;
    PCRE2_SPTR tab = NULL;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    uint32_t npairs = pcre2_get_ovector_count(m->md);

    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &cnt);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &esz);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &tab);
    for (uint32_t i = 0; i < cnt; i++) {
        PCRE2_SPTR e = tab + (size_t)i * esz;
        size_t num = ((size_t)e[0] << 8) | e[1];
        const char *name = (const char *)e + 2;
        size_t k;

        for (k = 0; k < m->ng; k++)
            if (strcmp(m->g[k].name, name) == 0)
                break;
        if (k == m->ng) {
            if (m->ng == MAX_GROUPS)
                continue;
            m->ng++;
        }
        m->g[k].name = name;
        if (num < npairs && ov[2 * num] != PCRE2_UNSET) {
            m->g[k].v = s + ov[2 * num];
            m->g[k].n = ov[2 * num + 1] - ov[2 * num];
        } else {
            m->g[k].v = NULL;
            m->g[k].n = 0;
        }
    }
}

static grp *
find(sq_f2b_matcher *m, const char *name)
{
    for (size_t k = 0; k < m->ng; k++)
        if (strcmp(m->g[k].name, name) == 0)
            return &m->g[k];
    return NULL;
}

/* alt_X[_N] fills X when X is empty (failregex.Regex._getGroupsWithAlt). */
static void
apply_alt(sq_f2b_matcher *m, size_t from)
{
    for (size_t k = from; k < m->ng; k++) {
        char base[40];
        size_t n;
        grp *t;

        if (strncmp(m->g[k].name, "alt_", 4) != 0 || m->g[k].v == NULL ||
            m->g[k].n == 0)
            continue;
        n = strcspn(m->g[k].name + 4, "");
        if (n == 0 || n >= sizeof(base))
            continue;
        memcpy(base, m->g[k].name + 4, n + 1);
        while (n > 0 && base[n - 1] >= '0' && base[n - 1] <= '9')
            n--;
        if (n > 1 && n < strlen(base) && base[n - 1] == '_')
            base[n - 1] = '\0';
        t = find(m, strcmp(base, "id") == 0 ? "fid" : base);
        for (int i = 0; t == NULL && i < NF && m->ng < MAX_GROUPS; i++)
            if (strcmp(fnames[i], base) == 0) {
                t = &m->g[m->ng++];
                t->name = fnames[i];
                t->v = NULL;
            }
        if (t != NULL && (t->v == NULL || t->n == 0)) {
            t->v = m->g[k].v;
            t->n = m->g[k].n;
        }
    }
}

/* ---- the multi-line failure id cache (filter.py _mergeFailure) ---- */

typedef struct fail {
    const char *v[NF]; /* NULL: None */
    size_t n[NF];
} fail;

static int
truthy(const fail *x, int i)
{
    return x->v[i] != NULL && x->n[i] > 0;
}

static mlf *
cache_get(sq_f2b_matcher *m, const char *id, size_t n, size_t *pos)
{
    unsigned h = hash_of(id, n);

    for (size_t i = 0; i < m->ncache; i++) {
        mlf *e = m->cache[i];

        if (e->hash == h && strlen(e->f[F_MLFID]) == n &&
            memcmp(e->f[F_MLFID], id, n) == 0) {
            *pos = i;
            return e;
        }
    }
    return NULL;
}

static void
cache_unset(sq_f2b_matcher *m, size_t pos)
{
    mlf_free(m->detached);
    m->detached = m->cache[pos];
    memmove(&m->cache[pos], &m->cache[pos + 1],
            (m->ncache - pos - 1) * sizeof(mlf *));
    m->ncache--;
}

static sq_status
set_field(mlf *e, int i, const char *v, size_t n)
{
    char *c = f2b_dupn(v, n);

    if (c == NULL)
        return SQ_ENOMEM;
    free(e->f[i]);
    e->f[i] = c;
    return SQ_OK;
}

/* Add user to the entry's set; the number of distinct users (0..2). */
static int
add_user(mlf *e, const fail *x)
{
    if (!truthy(x, F_USER))
        return e->nusers;
    if (e->nusers == 0) {
        e->user1 = f2b_dupn(x->v[F_USER], x->n[F_USER]);
        e->nusers = e->user1 != NULL;
    } else if (e->nusers == 1 &&
               (strlen(e->user1) != x->n[F_USER] ||
                memcmp(e->user1, x->v[F_USER], x->n[F_USER]) != 0)) {
        e->nusers = 2;
    }
    return e->nusers;
}

static sq_status
update(mlf *e, const fail *x)
{
    for (int i = 0; i < NF; i++)
        if (i != F_FORGET && x->v[i] != NULL &&
            set_field(e, i, x->v[i], x->n[i]) != SQ_OK)
            return SQ_ENOMEM;
    return SQ_OK;
}

static mlf *
cache_new(sq_f2b_matcher *m, const fail *x)
{
    mlf *e = calloc(1, sizeof(*e));

    if (e == NULL || update(e, x) != SQ_OK || e->f[F_MLFID] == NULL) {
        mlf_free(e);
        return NULL;
    }
    e->hash = hash_of(x->v[F_MLFID], x->n[F_MLFID]);
    if (m->ncache == SQ_F2B_MLFID_CACHE) {
        mlf_free(m->cache[0]);
        memmove(&m->cache[0], &m->cache[1], (m->ncache - 1) * sizeof(mlf *));
        m->ncache--;
    }
    m->cache[m->ncache++] = e;
    return e;
}

/* Merge x into its id's entry; *out the merged entry (cache, detached
 * or tmp).  Returns the nf flags as fail2ban computes them. */
static sq_status
merge(sq_f2b_matcher *m, fail *x, mlf *tmp, mlf **out)
{
    size_t pos = 0;
    mlf *e = cache_get(m, x->v[F_MLFID], x->n[F_MLFID], &pos);
    int nf = 0, users = 0;

    if (truthy(x, F_GAINED)) {
        nf |= 9;
        if (!truthy(x, F_NOFAIL)) {
            x->v[F_NOFAIL] = x->v[F_GAINED];
            x->n[F_NOFAIL] = x->n[F_GAINED];
        }
    } else if (truthy(x, F_NOFAIL)) {
        nf |= 1;
    }
    if (truthy(x, F_FORGET))
        nf |= 2;
    if (e != NULL) {
        users = add_user(e, x);
        if (e->f[F_NOFAIL] != NULL && e->f[F_NOFAIL][0])
            nf |= 4;
        if (e->f[F_GAINED] != NULL && e->f[F_GAINED][0])
            nf |= 4;
        free(e->f[F_NOFAIL]);
        free(e->f[F_GAINED]);
        e->f[F_NOFAIL] = e->f[F_GAINED] = NULL;
        if (nf & 8)
            e->pending = 0;
        if (update(e, x) != SQ_OK)
            return SQ_ENOMEM;
        if (nf & 2)
            cache_unset(m, pos);
    } else if (!(nf & 2)) {
        e = cache_new(m, x);
        if (e == NULL)
            return SQ_ENOMEM;
        users = add_user(e, x);
    } else {
        e = tmp;
        if (update(e, x) != SQ_OK)
            return SQ_ENOMEM;
    }
    if (e->pending || users > 1) {
        e->pending = 0;
        free(e->f[F_NOFAIL]);
        free(e->f[F_GAINED]);
        e->f[F_NOFAIL] = e->f[F_GAINED] = NULL;
    }
    *out = e;
    return SQ_OK;
}

/* ---- one line ---- */

static void
fail_from_groups(sq_f2b_matcher *m, fail *x)
{
    memset(x, 0, sizeof(*x));
    for (int i = 0; i < NF; i++) {
        grp *g = find(m, fnames[i]);

        if (g != NULL && g->v != NULL) {
            x->v[i] = g->v;
            x->n[i] = g->n;
        }
    }
}

static void
copy_out(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void
save_groups(sq_f2b_matcher *m)
{
    m->gvals.n = 0;
    for (size_t k = 0; k < m->ng; k++)
        if (m->g[k].v != NULL) {
            f2b_buf_adds(&m->gvals, m->g[k].name);
            f2b_buf_add(&m->gvals, "", 1);
            f2b_buf_add(&m->gvals, m->g[k].v, m->g[k].n);
            f2b_buf_add(&m->gvals, "", 1);
        }
}

/* The failure id of merged values e (or of x without an mlfid). */
static sq_f2b_result
result(sq_f2b_matcher *m, mlf *e, const fail *x, size_t idx)
{
    static const int order[] = {F_IP4, F_IP6, F_DNS, F_FID};

    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        int i = order[k];
        const char *v = e != NULL ? e->f[i] : x->v[i];
        size_t n = e != NULL ? (v ? strlen(v) : 0) : x->n[i];

        if (v == NULL)
            continue;
        copy_out(m->host, sizeof(m->host), v, n);
        m->host_name = i == F_DNS;
        if (e != NULL ? e->f[F_USER] != NULL : x->v[F_USER] != NULL) {
            const char *u = e != NULL ? e->f[F_USER] : x->v[F_USER];
            copy_out(m->user, sizeof(m->user), u,
                     e != NULL ? strlen(u) : x->n[F_USER]);
            m->has_user = 1;
        }
        m->index = idx;
        save_groups(m);
        return SQ_F2B_MATCH;
    }
    if (e != NULL)
        e->pending = 1; /* waits for an address on a later line */
    return SQ_F2B_NOFAIL;
}

static int
ignored(sq_f2b_matcher *m, const char *s, size_t n, sq_status *st)
{
    for (size_t i = 0; i < m->f->nignore; i++) {
        int r = search(m, &m->f->ignore[i], s, n, "ignoreregex", i);

        if (r < 0)
            *st = SQ_EPARSE;
        if (r != 0)
            return 1;
    }
    return 0;
}

static sq_status
on_failregex(sq_f2b_matcher *m, size_t i, int dated, sq_f2b_result *res)
{
    fail x;
    mlf tmp, *e = NULL;
    sq_status st = SQ_OK;

    if (m->f->nignore > 0 && ignored(m, m->content.p, m->content.n, &st)) {
        *res = st == SQ_OK ? SQ_F2B_IGNORED : SQ_F2B_NOMATCH;
        return st;
    }
    if (!dated)
        return SQ_OK; /* fail2ban-regex skips failures without a date */
    fail_from_groups(m, &x);
    memset(&tmp, 0, sizeof(tmp));
    if (x.v[F_MLFID] != NULL) {
        st = merge(m, &x, &tmp, &e);
        if (st == SQ_OK && e->f[F_NOFAIL] != NULL && e->f[F_NOFAIL][0])
            *res = SQ_F2B_NOFAIL;
        else if (st == SQ_OK)
            *res = result(m, e, &x, i);
    } else {
        *res = result(m, NULL, &x, i);
    }
    if (e == &tmp)
        for (int k = 0; k < NF; k++)
            free(tmp.f[k]);
    free(tmp.user1);
    return st;
}

static sq_status
prefilter(sq_f2b_matcher *m, int *go)
{
    const f2b_re *p = &m->f->pref;
    int r;
    grp *c;

    *go = 1;
    m->content.n = 0;
    if (p->code == NULL) {
        f2b_buf_add(&m->content, m->buf.p, m->buf.n);
        return m->content.oom ? SQ_ENOMEM : SQ_OK;
    }
    r = search(m, p, m->buf.p, m->buf.n, "prefregex", 0);
    if (r <= 0) {
        *go = 0;
        return r < 0 ? SQ_EPARSE : SQ_OK;
    }
    collect(m, p, m->buf.p);
    apply_alt(m, 0);
    c = find(m, "content");
    if (c != NULL && c->v != NULL && c->n > 0) {
        f2b_buf_add(&m->content, c->v, c->n);
        f2b_buf_add(&m->content, "\n", 1);
    } else {
        f2b_buf_add(&m->content, m->buf.p, m->buf.n);
    }
    if (c != NULL) /* popped from the groups */
        *c = m->g[--m->ng];
    return m->content.oom ? SQ_ENOMEM : SQ_OK;
}

static sq_status
run(sq_f2b_matcher *m, int dated, sq_f2b_result *res)
{
    const sq_f2b_filter *f = m->f;
    sq_status st = SQ_OK;
    int go;

    if (f->nignore > 0 && (long)f->nignore < (long)f->nfail - 2 &&
        ignored(m, m->buf.p, m->buf.n, &st)) {
        *res = st == SQ_OK ? SQ_F2B_IGNORED : SQ_F2B_NOMATCH;
        return st;
    }
    st = prefilter(m, &go);
    if (st != SQ_OK || !go)
        return st;
    for (size_t i = 0; i < f->nfail; i++) {
        size_t keep = m->ng;
        int r =
            search(m, &f->fail[i], m->content.p, m->content.n, "failregex", i);

        if (r < 0)
            return SQ_EPARSE;
        if (r == 0)
            continue;
        collect(m, &f->fail[i], m->content.p);
        apply_alt(m, keep);
        st = on_failregex(m, i, dated, res);
        if (st != SQ_OK || dated || *res != SQ_F2B_NOMATCH)
            return st;
    }
    return SQ_OK;
}

sq_status
sq_f2b_match(sq_f2b_matcher *m, const char *line, size_t len,
             sq_f2b_result *res)
{
    size_t ds = 0, de = 0;
    f2b_date t = {-1, 0, 0};
    int dated;
    sq_status st;

    *res = SQ_F2B_NOMATCH;
    m->err[0] = '\0';
    m->ng = 0;
    m->has_user = 0;
    m->host_name = 0;
    m->host[0] = '\0';
    mlf_free(m->detached);
    m->detached = NULL;
    if (len > SQ_F2B_MAX_LINE) {
        snprintf(m->err, sizeof(m->err), "line of %zu bytes (longest %d)", len,
                 SQ_F2B_MAX_LINE);
        return SQ_ELIMIT_LINE;
    }
    dated =
        f2b_date_find(m->f->datemode, line, len, m->now, m->off, &ds, &de, &t);
    if (!dated)
        ds = de = 0;
    m->buf.n = 0;
    f2b_buf_add(&m->buf, line, ds);
    f2b_buf_add(&m->buf, line + de, len - de);
    f2b_buf_add(&m->buf, "\n", 1);
    if (m->buf.oom)
        return SQ_ENOMEM;
    m->date = t;
    if (!dated)
        m->date.t = -1;
    st = run(m, dated, res);
    if (st != SQ_OK)
        *res = SQ_F2B_NOMATCH;
    return st;
}

const char *
sq_f2b_match_host(const sq_f2b_matcher *m)
{
    return m->host;
}

int
sq_f2b_match_host_is_name(const sq_f2b_matcher *m)
{
    return m->host_name;
}

long long
sq_f2b_match_time(const sq_f2b_matcher *m)
{
    return m->date.t;
}

int
sq_f2b_match_zone(const sq_f2b_matcher *m, long *offset)
{
    if (m->date.t == -1)
        return 0;
    if (offset != NULL)
        *offset = m->date.zone;
    return m->date.zoned;
}

const char *
sq_f2b_match_user(const sq_f2b_matcher *m)
{
    return m->has_user ? m->user : NULL;
}

size_t
sq_f2b_match_index(const sq_f2b_matcher *m)
{
    return m->index;
}

const char *
sq_f2b_match_group(const sq_f2b_matcher *m, const char *name)
{
    size_t i = 0;

    while (i < m->gvals.n) {
        const char *k = m->gvals.p + i, *v = k + strlen(k) + 1;

        if (strcmp(k, name) == 0)
            return v;
        i = (size_t)(v - m->gvals.p) + strlen(v) + 1;
    }
    return NULL;
}

const char *
sq_f2b_matcher_error(const sq_f2b_matcher *m)
{
    return m->err;
}
