/*
 * build.c - the prefix database builder: sources, ranges, AS table,
 * relations, and the writer that flattens everything into the file
 * layout of format.h.
 *
 * Merge rules (docs/PREFIXDB.md):
 *  - A range becomes the exact minimal set of CIDR prefixes.
 *  - The same prefix from several sources: the lowest priority number
 *    wins (rpsl 0, delegated 1, pfx2as 2, iptoasn 3, ip-location-db 4,
 *    mmdb 5); fields the winner leaves empty (ASN, AS name, country,
 *    registry, abuse) are filled from the others in priority order.
 *    The answer names the winner's source.
 *  - Delegated statistics never compete with routing data: they form a
 *    separate layer that only supplies country/registry to answers that
 *    lack them, and answers on their own where nothing else covers an
 *    address.
 *  - Nested prefixes are all kept; the most specific wins at lookup.
 */
#include "prefixdb/format.h"
#include "prefixdb/pdb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* needs unsigned __int128 (gcc and clang on 64-bit targets) */
typedef unsigned __int128 u128;

typedef struct pfx {
    u128 start;
    uint32_t rec;
    uint32_t seq;
    uint8_t len;
    uint8_t prio;
    uint8_t fill; /* delegated layer */
    uint8_t pad;
} pfx;

typedef struct pfxvec {
    pfx *v;
    size_t n, cap;
} pfxvec;

typedef struct u64map { /* open addressing, key 0 is empty */
    uint64_t *keys;
    uint32_t *vals;
    size_t n, cap;
} u64map;

typedef struct bsource {
    const char *name;
    uint8_t prio, fill;
    uint32_t attr, date; /* string offsets */
    uint64_t entries;
} bsource;

typedef struct bas {
    uint32_t asn, name, country, abuse;
    uint8_t pname, pcountry, pabuse; /* priority of the value held */
} bas;

struct sq_prefixdb_builder {
    bsource src[PDB_MAX_SOURCES];
    int nsrc;
    char *pool;
    size_t npool, cappool;
    uint32_t *strtab; /* pool offsets + 1, open addressing */
    size_t strcap, nstr;
    pdb_record *recs;
    size_t nrecs, caprecs;
    u64map recmap; /* record hash -> index chain: key is hash|1 */
    pfxvec fam[2]; /* 0: IPv4 (32-bit keys), 1: IPv6 */
    uint32_t seq;
    bas *as;
    size_t nas, capas;
    u64map asmap;
    uint64_t *rels; /* customer << 32 | provider */
    size_t nrels, caprels;
};

static const uint8_t src_prio[SQ_PDB_FORMAT_COUNT] = {4, 5, 3, 2, 1, 0, 0};

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t nc = *cap ? *cap : 16;
    void *np;

    if (need <= *cap)
        return 0;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem)
            return -1;
        nc *= 2;
    }
    np = realloc(*p, nc * elem);
    if (np == NULL)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dULL;
    x ^= x >> 33;
    return x;
}

/* ---- u64 -> u32 map (keys != 0) ---- */

/* Where key is, or the empty slot it would take (cap > 0, never full). */
static size_t
map_slot(const u64map *m, uint64_t key)
{
    size_t i = mix64(key) & (m->cap - 1);

    while (m->keys[i] != key && m->keys[i] != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int
map_rehash(u64map *m)
{
    u64map nm = {0};
    size_t nc = m->cap ? m->cap * 2 : 1024;

    nm.keys = calloc(nc, sizeof(*nm.keys));
    nm.vals = malloc(nc * sizeof(*nm.vals));
    if (nm.keys == NULL || nm.vals == NULL) {
        free(nm.keys);
        free(nm.vals);
        return -1;
    }
    nm.cap = nc;
    for (size_t i = 0; m->keys != NULL && m->vals != NULL && i < m->cap; i++) {
        size_t j;

        if (m->keys[i] == 0)
            continue;
        j = map_slot(&nm, m->keys[i]);
        nm.keys[j] = m->keys[i];
        nm.vals[j] = m->vals[i];
        nm.n++;
    }
    free(m->keys);
    free(m->vals);
    *m = nm;
    return 0;
}

/* Pointer to the value for key (NULL: absent). */
static uint32_t *
map_get(const u64map *m, uint64_t key)
{
    size_t i;

    if (m->cap == 0)
        return NULL;
    i = map_slot(m, key);
    return m->keys[i] == key ? &m->vals[i] : NULL;
}

static int
map_put(u64map *m, uint64_t key, uint32_t val)
{
    size_t i;

    if ((m->n + 1) * 2 > m->cap && map_rehash(m) != 0)
        return -1;
    if (m->keys == NULL || m->vals == NULL)
        return -1;
    i = map_slot(m, key);
    if (m->keys[i] == 0)
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

static void
map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- strings ---- */

static uint64_t
str_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static int
str_rehash(sq_prefixdb_builder *b)
{
    size_t nc = b->strcap ? b->strcap * 2 : 4096;
    uint32_t *nt = calloc(nc, sizeof(*nt));

    if (nt == NULL)
        return -1;
    for (size_t i = 0; i < b->strcap; i++) {
        uint32_t o = b->strtab[i];
        const char *s;
        size_t j;

        if (o == 0)
            continue;
        s = b->pool + o - 1;
        j = str_hash(s, strlen(s)) & (nc - 1);
        while (nt[j] != 0)
            j = (j + 1) & (nc - 1);
        nt[j] = o;
    }
    free(b->strtab);
    b->strtab = nt;
    b->strcap = nc;
    return 0;
}

/* Intern s (NULL or "" -> 0), cut at PDB_NAME_MAX.  Returns the pool
 * offset or UINT32_MAX when out of memory. */
static uint32_t
str_intern(sq_prefixdb_builder *b, const char *s)
{
    size_t n, j;

    if (s == NULL || s[0] == '\0')
        return 0;
    n = strnlen(s, PDB_NAME_MAX);
    if ((b->nstr + 1) * 2 > b->strcap && str_rehash(b) != 0)
        return UINT32_MAX;
    for (j = str_hash(s, n) & (b->strcap - 1); b->strtab[j] != 0;
         j = (j + 1) & (b->strcap - 1)) {
        const char *t = b->pool + b->strtab[j] - 1;

        if (strncmp(t, s, n) == 0 && t[n] == '\0')
            return b->strtab[j] - 1;
    }
    if (b->npool + n + 1 > UINT32_MAX - 1 ||
        grow((void **)&b->pool, &b->cappool, b->npool + n + 1, 1) != 0)
        return UINT32_MAX;
    memcpy(b->pool + b->npool, s, n);
    b->pool[b->npool + n] = '\0';
    b->strtab[j] = (uint32_t)b->npool + 1;
    b->npool += n + 1;
    b->nstr++;
    return (uint32_t)(b->npool - n - 1);
}

/* ---- records ---- */

static uint64_t
rec_hash(const pdb_record *r)
{
    uint64_t h = mix64(((uint64_t)r->asn << 32) ^ r->as_name);

    h = mix64(h ^ ((uint64_t)r->source << 32) ^ r->country);
    h = mix64(h ^ ((uint64_t)r->registry << 32) ^ r->abuse);
    return h;
}

/* Intern a record; index or UINT32_MAX.  The map is keyed by the
 * record's hash with linear probing over equal hashes (key + k). */
static uint32_t
rec_intern(sq_prefixdb_builder *b, const pdb_record *r)
{
    uint64_t h = rec_hash(r) | 1;
    uint32_t *v;

    for (;; h += 2) {
        v = map_get(&b->recmap, h);
        if (v == NULL)
            break;
        if (memcmp(&b->recs[*v], r, sizeof(*r)) == 0)
            return *v;
    }
    if (b->nrecs >= UINT32_MAX - 1 ||
        grow((void **)&b->recs, &b->caprecs, b->nrecs + 1, sizeof(*r)) != 0 ||
        map_put(&b->recmap, h, (uint32_t)b->nrecs) != 0)
        return UINT32_MAX;
    b->recs[b->nrecs] = *r;
    return (uint32_t)b->nrecs++;
}

/* ---- public builder ---- */

SQ_API sq_status
sq_prefixdb_builder_new(sq_prefixdb_builder **out)
{
    sq_prefixdb_builder *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return SQ_ENOMEM;
    b->pool = malloc(4096);
    if (b->pool == NULL) {
        free(b);
        return SQ_ENOMEM;
    }
    b->pool[0] = '\0';
    b->npool = 1;
    b->cappool = 4096;
    *out = b;
    return SQ_OK;
}

SQ_API void
sq_prefixdb_builder_free(sq_prefixdb_builder *b)
{
    if (b == NULL)
        return;
    free(b->pool);
    free(b->strtab);
    free(b->recs);
    map_free(&b->recmap);
    free(b->fam[0].v);
    free(b->fam[1].v);
    free(b->as);
    map_free(&b->asmap);
    free(b->rels);
    free(b);
}

int
pdb_source(sq_prefixdb_builder *b, sq_prefixdb_format f,
           const char *attribution, const char *date)
{
    bsource *s;

    uint32_t attr, when;

    if (b == NULL || (unsigned)f >= SQ_PDB_FORMAT_COUNT)
        return -1;
    attr = str_intern(b, attribution);
    when = str_intern(b, date);
    if (attr == UINT32_MAX || when == UINT32_MAX)
        return -1;
    /* Files of one import (asn-ipv4.csv + asn-ipv6.csv) are one source
     * when they name the same format, attribution and date (interned
     * strings: equal text, equal offset). */
    for (int i = 0; i < b->nsrc; i++)
        if (b->src[i].name == sq_prefixdb_format_name(f) &&
            b->src[i].attr == attr && b->src[i].date == when)
            return i;
    if (b->nsrc >= PDB_MAX_SOURCES)
        return -1;
    s = &b->src[b->nsrc];
    memset(s, 0, sizeof(*s));
    s->name = sq_prefixdb_format_name(f);
    s->prio = src_prio[f];
    s->fill = f == SQ_PDB_DELEGATED;
    s->attr = attr;
    s->date = when;
    return b->nsrc++;
}

static u128
addr_key(const uint8_t a[16], int v4)
{
    u128 k = 0;

    for (int i = v4 ? 12 : 0; i < 16; i++)
        k = (k << 8) | a[i];
    return k;
}

static sq_status
add_pfx(sq_prefixdb_builder *b, int fam, u128 start, unsigned len, uint32_t rec,
        const bsource *s)
{
    pfxvec *pv = &b->fam[fam];
    pfx *p;

    if (grow((void **)&pv->v, &pv->cap, pv->n + 1, sizeof(pfx)) != 0)
        return SQ_ENOMEM;
    p = &pv->v[pv->n++];
    p->start = start;
    p->rec = rec;
    p->seq = b->seq++;
    p->len = (uint8_t)len;
    p->prio = s->prio;
    p->fill = s->fill;
    p->pad = 0;
    return SQ_OK;
}

/* Split [lo, hi] (nbits-wide keys) into the minimal prefix set. */
static sq_status
add_split(sq_prefixdb_builder *b, int fam, u128 lo, u128 hi, uint32_t rec,
          bsource *s)
{
    unsigned nbits = fam == 0 ? 32 : 128;

    for (;;) {
        unsigned k = 0;
        u128 mask = 0;
        sq_status st;

        /* the largest aligned block at lo that stays inside hi */
        while (k < nbits && ((lo >> k) & 1) == 0) {
            u128 m2 = (mask << 1) | 1;

            if (lo + m2 > hi)
                break;
            mask = m2;
            k++;
        }
        st = add_pfx(b, fam, lo, nbits - k, rec, s);
        if (st != SQ_OK)
            return st;
        s->entries++;
        if (lo + mask >= hi)
            return SQ_OK;
        lo += mask + 1;
    }
}

static sq_status
as_note(sq_prefixdb_builder *b, uint32_t asn, uint32_t name, uint32_t cc,
        uint32_t abuse, uint8_t prio)
{
    uint32_t *v = map_get(&b->asmap, (uint64_t)asn + 1);
    bas *a;

    if (v == NULL) {
        if (grow((void **)&b->as, &b->capas, b->nas + 1, sizeof(bas)) != 0 ||
            map_put(&b->asmap, (uint64_t)asn + 1, (uint32_t)b->nas) != 0)
            return SQ_ENOMEM;
        a = &b->as[b->nas++];
        memset(a, 0, sizeof(*a));
        a->asn = asn;
        a->pname = a->pcountry = a->pabuse = 255;
    } else {
        a = &b->as[*v];
    }
    if (name != 0 && prio < a->pname) {
        a->name = name;
        a->pname = prio;
    }
    if (cc != 0 && prio < a->pcountry) {
        a->country = cc;
        a->pcountry = prio;
    }
    if (abuse != 0 && prio < a->pabuse) {
        a->abuse = abuse;
        a->pabuse = prio;
    }
    return SQ_OK;
}

sq_status
pdb_add_range(sq_prefixdb_builder *b, int src, const uint8_t lo[16],
              const uint8_t hi[16], int v4, uint32_t asn, const char *as_name,
              const char *country, const char *registry, const char *abuse)
{
    pdb_record r;
    u128 klo, khi;
    uint32_t rec;

    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};

    if (b == NULL || src < 0 || src >= b->nsrc)
        return SQ_EINVAL;
    /* v4-mapped IPv6 ranges are IPv4: find6 answers them from find4 */
    if (!v4 && memcmp(lo, mapped, 12) == 0 && memcmp(hi, mapped, 12) == 0)
        v4 = 1;
    if (v4 && (memcmp(lo, mapped, 12) != 0 || memcmp(hi, mapped, 12) != 0))
        return SQ_EINVAL;
    klo = addr_key(lo, v4);
    khi = addr_key(hi, v4);
    if (klo > khi)
        return SQ_EINVAL;
    r.asn = asn;
    r.as_name = str_intern(b, as_name);
    r.source = (uint32_t)src;
    r.country = str_intern(b, country);
    r.registry = str_intern(b, registry);
    r.abuse = str_intern(b, abuse);
    if (r.as_name == UINT32_MAX || r.country == UINT32_MAX ||
        r.registry == UINT32_MAX || r.abuse == UINT32_MAX)
        return SQ_ENOMEM;
    /* the AS table learns names from the ranges too */
    if (asn != 0 && r.as_name != 0 &&
        as_note(b, asn, r.as_name, 0, 0, b->src[src].prio) != SQ_OK)
        return SQ_ENOMEM;
    rec = rec_intern(b, &r);
    if (rec == UINT32_MAX)
        return SQ_ENOMEM;
    return add_split(b, v4 ? 0 : 1, klo, khi, rec, &b->src[src]);
}

sq_status
pdb_add_as(sq_prefixdb_builder *b, int src, uint32_t asn, const char *name,
           const char *country, const char *abuse)
{
    uint32_t n, c, a;

    if (b == NULL || src < 0 || src >= b->nsrc)
        return SQ_EINVAL;
    n = str_intern(b, name);
    c = str_intern(b, country);
    a = str_intern(b, abuse);
    if (n == UINT32_MAX || c == UINT32_MAX || a == UINT32_MAX)
        return SQ_ENOMEM;
    return as_note(b, asn, n, c, a, b->src[src].prio);
}

sq_status
pdb_add_rel(sq_prefixdb_builder *b, uint32_t provider, uint32_t customer)
{
    if (b == NULL)
        return SQ_EINVAL;
    if (grow((void **)&b->rels, &b->caprels, b->nrels + 1, sizeof(*b->rels)) !=
        0)
        return SQ_ENOMEM;
    b->rels[b->nrels++] = ((uint64_t)customer << 32) | provider;
    return SQ_OK;
}

/* ---- writing: merge, flatten, lay out ---- */

typedef struct bnd { /* a range start and what covers it */
    u128 start;
    int32_t a, b; /* prefix index in the main / delegated layer, -1 none */
} bnd;

static int
pfx_cmp(const void *x, const void *y)
{
    const pfx *p = x, *q = y;

    if (p->start != q->start)
        return p->start < q->start ? -1 : 1;
    if (p->len != q->len)
        return p->len < q->len ? -1 : 1;
    if (p->fill != q->fill)
        return p->fill < q->fill ? -1 : 1;
    if (p->prio != q->prio)
        return p->prio < q->prio ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static void
fill_field(uint32_t *dst, uint32_t v)
{
    if (*dst == 0)
        *dst = v;
}

/* Sort, then keep one prefix per (start, len, layer): the first by
 * priority, its empty fields filled from the others.  Returns -1 on
 * memory failure. */
static int
dedupe(sq_prefixdb_builder *b, pfxvec *pv)
{
    size_t w = 0;

    if (pv->n > 1)
        qsort(pv->v, pv->n, sizeof(pfx), pfx_cmp);
    for (size_t i = 0; i < pv->n;) {
        size_t j = i + 1;
        pdb_record r = b->recs[pv->v[i].rec];

        while (j < pv->n && pv->v[j].start == pv->v[i].start &&
               pv->v[j].len == pv->v[i].len && pv->v[j].fill == pv->v[i].fill) {
            const pdb_record *o = &b->recs[pv->v[j].rec];

            if (r.asn == 0) {
                r.asn = o->asn;
                fill_field(&r.as_name, o->as_name);
            }
            fill_field(&r.as_name, o->as_name);
            fill_field(&r.country, o->country);
            fill_field(&r.registry, o->registry);
            fill_field(&r.abuse, o->abuse);
            j++;
        }
        pv->v[w] = pv->v[i];
        if (j > i + 1 && (pv->v[w].rec = rec_intern(b, &r)) == UINT32_MAX)
            return -1;
        w++;
        i = j;
    }
    pv->n = w;
    return 0;
}

static u128
pfx_end(const pfx *p, unsigned nbits)
{
    unsigned host = nbits - p->len;
    u128 m = host >= 128 ? ~(u128)0 : (((u128)1 << host) - 1);

    return p->start + m;
}

static void
emit(bnd *out, size_t *no, u128 s, int32_t idx, int layer)
{
    if (*no > 0 && out[*no - 1].start == s) {
        *(layer ? &out[*no - 1].b : &out[*no - 1].a) = idx;
        return;
    }
    if (*no > 0 && (layer ? out[*no - 1].b : out[*no - 1].a) == idx)
        return;
    out[*no].start = s;
    out[*no].a = layer ? -1 : idx;
    out[*no].b = layer ? idx : -1;
    (*no)++;
}

/* Laminar prefixes sorted by (start, len) -> boundaries (starting at
 * 0) of non-overlapping ranges, each covered by its most specific
 * prefix.  idx[] lists the layer's prefixes (indexes into p). */
static size_t
flatten(const pfx *p, const uint32_t *idx, size_t n, unsigned nbits, bnd *out,
        uint32_t *stack, int layer)
{
    u128 maxk = nbits >= 128 ? ~(u128)0 : (((u128)1 << nbits) - 1);
    u128 pos = 0;
    size_t no = 0, sp = 0;
    int done = 0;

    for (size_t i = 0; i < n; i++) {
        u128 st = p[idx[i]].start;

        while (sp > 0 && pfx_end(&p[stack[sp - 1]], nbits) < st) {
            u128 e = pfx_end(&p[stack[sp - 1]], nbits);

            if (pos <= e)
                emit(out, &no, pos, (int32_t)stack[sp - 1], layer);
            pos = e + 1;
            sp--;
        }
        if (pos < st)
            emit(out, &no, pos, sp > 0 ? (int32_t)stack[sp - 1] : -1, layer);
        pos = st;
        stack[sp++] = idx[i];
    }
    while (sp > 0) {
        u128 e = pfx_end(&p[stack[sp - 1]], nbits);

        if (!done && pos <= e)
            emit(out, &no, pos, (int32_t)stack[sp - 1], layer);
        if (e == maxk)
            done = 1;
        else
            pos = e + 1;
        sp--;
    }
    if (!done)
        emit(out, &no, pos, -1, layer);
    return no;
}

/* Merge the two layers' boundaries into one list with (a, b) pairs. */
static size_t
merge_layers(const bnd *x, size_t nx, const bnd *y, size_t ny, bnd *out)
{
    size_t i = 0, j = 0, no = 0;
    int32_t a = -1, c = -1;

    while (i < nx || j < ny) {
        u128 s;

        if (j >= ny || (i < nx && x[i].start <= y[j].start))
            s = x[i].start;
        else
            s = y[j].start;
        if (i < nx && x[i].start == s)
            a = x[i++].a;
        if (j < ny && y[j].start == s)
            c = y[j++].b;
        out[no].start = s;
        out[no].a = a;
        out[no].b = c;
        no++;
    }
    return no;
}

typedef struct famout { /* one family's lookup arrays */
    u128 *starts;
    uint32_t *vals;
    size_t n;
    uint32_t dir[PDB_SLOTS]; /* the trie's first level */
    uint32_t dir_asn[PDB_SLOTS];
    uint32_t *leaf_asn; /* ASN beside each leaf (0 for non-handles) */
    pdb_block *blocks;
    uint32_t *leaves;
    size_t nblocks, nleaves, bcap, lcap;
} famout;

typedef struct entvec {
    pdb_entry *v;
    size_t n, cap;
    u64map map;
} entvec;

static uint32_t
entry_for(sq_prefixdb_builder *b, entvec *ev, const pfx *p, const bnd *x,
          int v4)
{
    uint64_t key;
    uint32_t *h, rec;
    const pfx *q;
    pdb_entry *e;

    if (x->a < 0 && x->b < 0)
        return 0;
    key = ((uint64_t)(uint32_t)(x->a + 1) << 32) | (uint32_t)(x->b + 1);
    h = map_get(&ev->map, key);
    if (h != NULL)
        return *h | (v4 ? 0 : PDB_H6);
    q = &p[x->a >= 0 ? x->a : x->b];
    rec = q->rec;
    if (x->a >= 0 && x->b >= 0) {
        pdb_record r = b->recs[rec];
        const pdb_record *f = &b->recs[p[x->b].rec];

        if (r.country == 0 || r.registry == 0) {
            fill_field(&r.country, f->country);
            fill_field(&r.registry, f->registry);
            rec = rec_intern(b, &r);
            if (rec == UINT32_MAX)
                return UINT32_MAX;
        }
    }
    if (ev->n >= PDB_LEAF_CHILD - 2 || /* handles fit a leaf */
        grow((void **)&ev->v, &ev->cap, ev->n + 1, sizeof(pdb_entry)) != 0 ||
        map_put(&ev->map, key, (uint32_t)ev->n + 1) != 0)
        return UINT32_MAX;
    e = &ev->v[ev->n++];
    memset(e, 0, sizeof(*e));
    for (int i = 0, nb = v4 ? 4 : 16; i < nb; i++)
        e->addr[i] = (uint8_t)(q->start >> (8 * (nb - 1 - i)));
    e->record = rec;
    e->len = q->len;
    e->v4 = (uint8_t)v4;
    return (uint32_t)ev->n | (v4 ? 0 : PDB_H6);
}

static int make_block(famout *fo, u128 first, unsigned cbits, size_t j0,
                      uint32_t *out);

/* The leaf for the region [first, first + 2^wbits), whose candidates
 * start at *j (advanced here: callers walk regions in order): a handle
 * when one range covers it, a search over a few starts, or a child
 * block of 256 subregions.  See format.h. */
static int
region_leaf(famout *fo, size_t *j, u128 first, unsigned wbits, uint32_t *leaf)
{
    u128 last = first + (((u128)1 << wbits) - 1);
    size_t h;
    uint32_t child;

    while (*j + 1 < fo->n && fo->starts[*j + 1] <= first)
        (*j)++;
    h = *j;
    while (h + 1 < fo->n && fo->starts[h + 1] <= last)
        h++;
    if (h == *j) {
        *leaf = fo->vals[*j] & ~PDB_H6;
        return 0;
    }
    if (h - *j < PDB_SEARCH_MAX || wbits < 8) {
        *leaf = PDB_LEAF_SEARCH | (uint32_t)*j << 6 | (uint32_t)(h - *j);
        return 0;
    }
    if (make_block(fo, first, wbits - 8, *j, &child) != 0)
        return -1;
    *leaf = PDB_LEAF_CHILD | child;
    return 0;
}

/* A block over the 256 subregions of 2^cbits addresses from first: its
 * children first (so a child's number is below its parent's), then its
 * own run-compressed leaves. */
static int
make_block(famout *fo, u128 first, unsigned cbits, size_t j0, uint32_t *out)
{
    uint32_t leaf[256];
    pdb_block bk;
    size_t j = j0;

    memset(&bk, 0, sizeof(bk));
    for (unsigned i = 0; i < 256; i++)
        if (region_leaf(fo, &j, first + ((u128)i << cbits), cbits, &leaf[i]) !=
            0)
            return -1;
    if (fo->nblocks >= PDB_LEAF_CHILD - 1 ||
        grow((void **)&fo->blocks, &fo->bcap, fo->nblocks + 1,
             sizeof(pdb_block)) != 0 ||
        grow((void **)&fo->leaves, &fo->lcap, fo->nleaves + 256, 4) != 0)
        return -1;
    for (unsigned i = 0; i < 256; i++) {
        if (i % 64 == 0)
            bk.base[i / 64] = (uint32_t)fo->nleaves;
        if (i == 0 || leaf[i] != leaf[i - 1] ||
            (leaf[i] & PDB_LEAF_KIND) != 0) {
            bk.bits[i / 64] |= (uint64_t)1 << (i % 64);
            fo->leaves[fo->nleaves++] = leaf[i];
        }
    }
    fo->blocks[fo->nblocks] = bk;
    *out = (uint32_t)fo->nblocks++;
    return 0;
}

/* The first level: one leaf per top-16-bit slot. */
static sq_status
make_trie(famout *fo, unsigned nbits)
{
    size_t j = 0;

    if (fo->n > PDB_LEAF_MAX_LO)
        return SQ_EINVAL;
    for (size_t t = 0; t < PDB_SLOTS; t++)
        if (region_leaf(fo, &j, (u128)t << (nbits - 16), nbits - 16,
                        &fo->dir[t]) != 0)
            return SQ_ENOMEM;
    return SQ_OK;
}

/* One family: dedupe, flatten both layers, merge, map to entries. */
static sq_status
build_family(sq_prefixdb_builder *b, int fam, entvec *ev, famout *fo)
{
    pfxvec *pv = &b->fam[fam];
    unsigned nbits = fam == 0 ? 32 : 128;
    uint32_t *idx = NULL, *stack = NULL;
    bnd *x = NULL, *y = NULL, *m = NULL;
    size_t na = 0, nb = 0, nx, ny, nm, cap;
    sq_status st = SQ_ENOMEM;

    map_free(&ev->map); /* keys are this family's prefix indexes */
    if (dedupe(b, pv) != 0)
        return SQ_ENOMEM;
    cap = 2 * pv->n + 2;
    idx = calloc(pv->n + 1, sizeof(*idx));
    stack = malloc((pv->n + 1) * sizeof(*stack));
    x = malloc(cap * sizeof(*x));
    y = malloc(cap * sizeof(*y));
    m = malloc(2 * cap * sizeof(*m));
    if (idx == NULL || stack == NULL || x == NULL || y == NULL || m == NULL)
        goto out;
    for (size_t i = 0; i < pv->n; i++)
        if (!pv->v[i].fill)
            idx[na++] = (uint32_t)i;
    nx = flatten(pv->v, idx, na, nbits, x, stack, 0);
    for (size_t i = 0; i < pv->n; i++)
        if (pv->v[i].fill)
            idx[nb++] = (uint32_t)i;
    ny = flatten(pv->v, idx, nb, nbits, y, stack, 1);
    nm = merge_layers(x, nx, y, ny, m);
    fo->starts = malloc(nm * sizeof(*fo->starts));
    fo->vals = malloc(nm * sizeof(*fo->vals));
    if (fo->starts == NULL || fo->vals == NULL)
        goto out;
    fo->n = 0;
    for (size_t i = 0; i < nm; i++) {
        uint32_t h = entry_for(b, ev, pv->v, &m[i], fam == 0);

        if (h == UINT32_MAX)
            goto out;
        if (fo->n > 0 && fo->vals[fo->n - 1] == h)
            continue;
        fo->starts[fo->n] = m[i].start;
        fo->vals[fo->n++] = h;
    }
    st = make_trie(fo, nbits);
out:
    free(idx);
    free(stack);
    free(x);
    free(y);
    free(m);
    return st;
}

static int
u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

    return a < c ? -1 : a > c;
}

static int
as_cmp(const void *x, const void *y)
{
    uint32_t a = ((const bas *)x)->asn, c = ((const bas *)y)->asn;

    return a < c ? -1 : a > c;
}

/* AS table with provider runs; rels sorted and deduplicated. */
static sq_status
build_as(sq_prefixdb_builder *b, pdb_as **asout, uint32_t **provout,
         size_t *nprov)
{
    size_t w = 0, k = 0;
    pdb_as *as;
    uint32_t *prov;

    if (b->nrels > 1)
        qsort(b->rels, b->nrels, sizeof(*b->rels), u64_cmp);
    for (size_t i = 0; i < b->nrels; i++)
        if (w == 0 || b->rels[i] != b->rels[w - 1])
            b->rels[w++] = b->rels[i];
    b->nrels = w;
    for (size_t i = 0; i < b->nrels; i++)
        if (as_note(b, (uint32_t)(b->rels[i] >> 32), 0, 0, 0, 255) != SQ_OK)
            return SQ_ENOMEM;
    if (b->nas > 1)
        qsort(b->as, b->nas, sizeof(*b->as), as_cmp);
    as = calloc(b->nas + 1, sizeof(*as));
    prov = malloc((b->nrels + 1) * sizeof(*prov));
    if (as == NULL || prov == NULL) {
        free(as);
        free(prov);
        return SQ_ENOMEM;
    }
    for (size_t i = 0; i < b->nas; i++) {
        as[i].asn = b->as[i].asn;
        as[i].name = b->as[i].name;
        as[i].country = b->as[i].country;
        as[i].abuse = b->as[i].abuse;
        as[i].prov_off = (uint32_t)k;
        while (k < b->nrels && (uint32_t)(b->rels[k] >> 32) < as[i].asn)
            k++;
        as[i].prov_off = (uint32_t)k;
        while (k < b->nrels && (uint32_t)(b->rels[k] >> 32) == as[i].asn) {
            prov[k] = (uint32_t)b->rels[k];
            k++;
        }
        as[i].prov_count = (uint32_t)k - as[i].prov_off;
    }
    /* the AS map indexes the unsorted table: rebuild it */
    map_free(&b->asmap);
    for (size_t i = 0; i < b->nas; i++)
        if (map_put(&b->asmap, (uint64_t)b->as[i].asn + 1, (uint32_t)i) != 0) {
            free(as);
            free(prov);
            return SQ_ENOMEM;
        }
    *asout = as;
    *provout = prov;
    *nprov = b->nrels;
    return SQ_OK;
}

typedef struct layout {
    pdb_header h;
    uint8_t *buf;
    size_t off;
} layout;

/* Reserve section id of count elements of elem bytes; returns its
 * place in the buffer (sized by a first pass with buf NULL). */
static uint8_t *
sec_put(layout *l, int id, size_t count, size_t elem, const void *src)
{
    size_t len = count * elem;
    uint8_t *at;

    l->off = (l->off + PDB_ALIGN - 1) & ~(size_t)(PDB_ALIGN - 1);
    l->h.sec[id].id = (uint32_t)id;
    l->h.sec[id].elem = (uint32_t)elem;
    l->h.sec[id].offset = l->off;
    l->h.sec[id].length = len;
    l->h.sec[id].count = count;
    at = l->buf ? l->buf + l->off : NULL;
    if (at != NULL && src != NULL && len > 0)
        memcpy(at, src, len);
    l->off += len;
    return at;
}

typedef struct parts {
    famout f4, f6;
    entvec ev4, ev6;
    pdb_entry4 *e4;
    uint32_t *asn4, *asn6; /* ASN by handle */
    pdb_as *as;
    uint32_t *prov;
    size_t nprov;
    pdb_source_rec srcs[PDB_MAX_SOURCES];
} parts;

/* dir, blocks, leaves and their ASNs: five sections from id on. */
static void
put_trie(layout *l, int id, const famout *fo)
{
    sec_put(l, id, PDB_SLOTS, 4, fo->dir);
    sec_put(l, id + 1, fo->nblocks, sizeof(pdb_block), fo->blocks);
    sec_put(l, id + 2, fo->nleaves, 4, fo->leaves);
    sec_put(l, id + 3, PDB_SLOTS, 4, fo->dir_asn);
    sec_put(l, id + 4, fo->nleaves, 4, fo->leaf_asn);
}

/* The ASN beside every handle leaf (asn: by handle without PDB_H6). */
static int
fill_leaf_asn(famout *fo, const uint32_t *asn)
{
    if ((fo->leaf_asn = calloc(fo->nleaves + 1, 4)) == NULL)
        return -1;
    for (size_t t = 0; t < PDB_SLOTS; t++)
        fo->dir_asn[t] =
            (fo->dir[t] & PDB_LEAF_KIND) == 0 ? asn[fo->dir[t]] : 0;
    for (size_t k = 0; k < fo->nleaves; k++)
        fo->leaf_asn[k] =
            (fo->leaves[k] & PDB_LEAF_KIND) == 0 ? asn[fo->leaves[k]] : 0;
    return 0;
}

static void
lay_out(sq_prefixdb_builder *b, parts *pt, layout *l)
{
    uint32_t *u32;
    uint64_t *hi, *lo;

    l->off = PDB_HEADER_SIZE;
    put_trie(l, PDB_SEC_V4_DIR, &pt->f4);
    u32 = (uint32_t *)sec_put(l, PDB_SEC_V4_STARTS, pt->f4.n, 4, NULL);
    for (size_t i = 0; u32 != NULL && i < pt->f4.n; i++)
        u32[i] = (uint32_t)pt->f4.starts[i];
    sec_put(l, PDB_SEC_V4_VALS, pt->f4.n, 4, pt->f4.vals);
    put_trie(l, PDB_SEC_V6_DIR, &pt->f6);
    hi = (uint64_t *)sec_put(l, PDB_SEC_V6_HI, pt->f6.n, 8, NULL);
    lo = (uint64_t *)sec_put(l, PDB_SEC_V6_LO, pt->f6.n, 8, NULL);
    for (size_t i = 0; hi != NULL && i < pt->f6.n; i++) {
        hi[i] = (uint64_t)(pt->f6.starts[i] >> 64);
        lo[i] = (uint64_t)pt->f6.starts[i];
    }
    sec_put(l, PDB_SEC_V6_VALS, pt->f6.n, 4, pt->f6.vals);
    sec_put(l, PDB_SEC_ENTRIES4, pt->ev4.n, sizeof(pdb_entry4), pt->e4);
    sec_put(l, PDB_SEC_ENTRIES6, pt->ev6.n, sizeof(pdb_entry), pt->ev6.v);
    sec_put(l, PDB_SEC_ASN4, pt->ev4.n + 1, 4, pt->asn4);
    sec_put(l, PDB_SEC_ASN6, pt->ev6.n + 1, 4, pt->asn6);
    sec_put(l, PDB_SEC_RECORDS, b->nrecs, sizeof(pdb_record), b->recs);
    sec_put(l, PDB_SEC_STRINGS, b->npool, 1, b->pool);
    sec_put(l, PDB_SEC_SOURCES, (size_t)b->nsrc, sizeof(pdb_source_rec),
            pt->srcs);
    sec_put(l, PDB_SEC_ASES, b->nas, sizeof(pdb_as), pt->as);
    sec_put(l, PDB_SEC_PROVIDERS, pt->nprov, 4, pt->prov);
    l->off = (l->off + PDB_ALIGN - 1) & ~(size_t)(PDB_ALIGN - 1);
}

static sq_status
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SQ_EIO;
        p += w;
        n -= (size_t)w;
    }
    return SQ_OK;
}

/* path.tmp in the same directory, fsync, rename, fsync the directory. */
static sq_status
write_atomic(const char *path, const uint8_t *buf, size_t n, sq_diag *d)
{
    char tmp[4096], dir[4096];
    const char *slash;
    int fd, e;
    sq_status st;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        sq_diag_addf(d, path, 0, "path too long");
        return SQ_EINVAL;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        sq_diag_addf(d, tmp, 0, "cannot create: %s", strerror(errno));
        return SQ_EIO;
    }
    st = write_all(fd, buf, n);
    if (st == SQ_OK && fsync(fd) != 0)
        st = SQ_EIO;
    e = errno;
    if (close(fd) != 0 && st == SQ_OK) {
        st = SQ_EIO;
        e = errno;
    }
    if (st == SQ_OK && rename(tmp, path) != 0) {
        st = SQ_EIO;
        e = errno;
    }
    if (st != SQ_OK) {
        sq_diag_addf(d, path, 0, "cannot write: %s", strerror(e));
        (void)unlink(tmp);
        return st;
    }
    slash = strrchr(path, '/');
    if (slash != NULL && (size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        fd = open(slash == path ? "/" : dir, O_RDONLY | O_CLOEXEC);
    } else {
        fd = open(".", O_RDONLY | O_CLOEXEC);
    }
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    return SQ_OK;
}

static void
parts_free(parts *pt)
{
    free(pt->f4.starts);
    free(pt->f4.vals);
    free(pt->f4.blocks);
    free(pt->f4.leaves);
    free(pt->f4.leaf_asn);
    free(pt->f6.leaf_asn);
    free(pt->f6.starts);
    free(pt->f6.blocks);
    free(pt->f6.leaves);
    free(pt->f6.vals);
    free(pt->ev4.v);
    map_free(&pt->ev4.map);
    free(pt->ev6.v);
    map_free(&pt->ev6.map);
    free(pt->e4);
    free(pt->asn4);
    free(pt->asn6);
    free(pt->as);
    free(pt->prov);
    free(pt);
}

SQ_API sq_status
sq_prefixdb_builder_write(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    parts *pt;
    layout l;
    sq_status st = SQ_ENOMEM;

    if (b == NULL || path == NULL)
        return SQ_EINVAL;
    pt = calloc(1, sizeof(*pt));
    if (pt == NULL)
        return SQ_ENOMEM;
    memset(&l, 0, sizeof(l));
    st = build_family(b, 0, &pt->ev4, &pt->f4);
    if (st == SQ_OK)
        st = build_family(b, 1, &pt->ev6, &pt->f6);
    if (st == SQ_EINVAL)
        sq_diag_addf(d, path, 0, "more than %d ranges in one family",
                     (int)PDB_LEAF_MAX_LO);
    if (st != SQ_OK)
        goto out;
    st = SQ_ENOMEM;
    if ((pt->e4 = calloc(pt->ev4.n + 1, sizeof(*pt->e4))) == NULL ||
        (pt->asn4 = calloc(pt->ev4.n + 1, 4)) == NULL ||
        (pt->asn6 = calloc(pt->ev6.n + 1, 4)) == NULL ||
        build_as(b, &pt->as, &pt->prov, &pt->nprov) != SQ_OK)
        goto out;
    for (int i = 0; i < b->nsrc; i++) {
        uint32_t nm = str_intern(b, b->src[i].name);

        if (nm == UINT32_MAX)
            goto out;
        pt->srcs[i].name = nm;
        pt->srcs[i].date = b->src[i].date;
        pt->srcs[i].attribution = b->src[i].attr;
        pt->srcs[i].entries = b->src[i].entries;
    }
    for (size_t i = 0; i < pt->ev4.n; i++) {
        const pdb_entry *e = &pt->ev4.v[i];

        pt->e4[i].addr = (uint32_t)e->addr[0] << 24 |
                         (uint32_t)e->addr[1] << 16 |
                         (uint32_t)e->addr[2] << 8 | e->addr[3];
        pt->e4[i].record = e->record;
        pt->e4[i].len = e->len;
        pt->asn4[i + 1] = b->recs[e->record].asn;
    }
    for (size_t i = 0; i < pt->ev6.n; i++)
        pt->asn6[i + 1] = b->recs[pt->ev6.v[i].record].asn;
    if (fill_leaf_asn(&pt->f4, pt->asn4) != 0 ||
        fill_leaf_asn(&pt->f6, pt->asn6) != 0)
        goto out;
    lay_out(b, pt, &l);
    l.buf = calloc(1, l.off);
    if (l.buf == NULL)
        goto out;
    lay_out(b, pt, &l);
    memcpy(l.h.magic, PDB_MAGIC, PDB_MAGIC_LEN);
    l.h.version = PDB_VERSION;
    l.h.file_bytes = l.off;
    l.h.built = (int64_t)time(NULL);
    l.h.prefixes4 = b->fam[0].n;
    l.h.prefixes6 = b->fam[1].n;
    l.h.nsections = PDB_NSECTIONS;
    l.h.header_bytes = (uint32_t)PDB_HEADER_SIZE;
    l.h.checksum = 0;
    memcpy(l.buf, &l.h, PDB_HEADER_SIZE);
    l.h.checksum = pdb_file_checksum(l.buf, l.off);
    memcpy(l.buf, &l.h, PDB_HEADER_SIZE);
    st = write_atomic(path, l.buf, l.off, d);
out:
    if (st == SQ_ENOMEM)
        sq_diag_addf(d, path, 0, "out of memory");
    free(l.buf);
    parts_free(pt);
    return st;
}
