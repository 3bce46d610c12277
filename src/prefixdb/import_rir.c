/*
 * import_rir.c - what the Regional Internet Registries publish:
 *
 * delegated   RIR delegated(-extended) statistics,
 *             registry|cc|type|start|value|date|status[|opaque-id[|ext]]
 *             after a version line and summary lines.  ipv4 value is an
 *             address count (not always a power of two), ipv6 value a
 *             prefix length; asn lines give the AS's country.  Ranges
 *             that are available or reserved are skipped.
 * rpsl        RIR database split dumps (RIPE: ripe.db.inetnum,
 *             ripe.db.inet6num, ripe.db.role, ripe.db.irt,
 *             ripe.db.organisation).  One import takes ONE file holding
 *             every object type it needs: concatenate the split files
 *             first (cat ripe.db.role ripe.db.irt ripe.db.organisation
 *             ripe.db.inetnum > dump).  Pass 1 keeps only handle ->
 *             abuse-mailbox (role, irt) and organisation -> abuse-c;
 *             pass 2 walks inetnum/inet6num objects and resolves, in
 *             order, their own abuse-mailbox, abuse-c, mnt-irt, org.
 */
#include "prefixdb/import_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- delegated statistics ---- */

enum { DLG_COLS = 12, DLG_ASN_BLOCK_MAX = 65536 };

static size_t
split_bar(const char *s, size_t n, const char *col[], size_t len[])
{
    size_t k = 0, i = 0;

    while (k < DLG_COLS) {
        const char *e = memchr(s + i, '|', n - i);
        size_t j = e ? (size_t)(e - s) : n;

        col[k] = s + i;
        len[k++] = j - i;
        if (e == NULL)
            return k;
        i = j + 1;
    }
    return DLG_COLS + 1;
}

static const char *
dlg_country(const char *s, size_t n, char cc[3])
{
    if (n != 2 || sq_strncaseeq(s, 2, "ZZ") || s[0] == '*')
        return NULL;
    cc[0] = s[0];
    cc[1] = s[1];
    cc[2] = '\0';
    return cc;
}

static int
dlg_ipv4(sq_prefixdb_builder *b, int src, const char *col[], size_t len[],
         const char *cc, const char *reg, const char **why)
{
    uint8_t lo[16], hi[16];
    uint32_t count, start;
    int v4;

    if (!pdb_addr(col[3], len[3], lo, &v4) || !v4 ||
        !pdb_u32(col[4], len[4], &count) || count == 0) {
        *why = "bad ipv4 start or count";
        return -1;
    }
    start = (uint32_t)lo[12] << 24 | (uint32_t)lo[13] << 16 |
            (uint32_t)lo[14] << 8 | lo[15];
    if (count - 1 > UINT32_MAX - start) {
        *why = "ipv4 count runs past 255.255.255.255";
        return -1;
    }
    start += count - 1;
    memcpy(hi, lo, 12);
    hi[12] = (uint8_t)(start >> 24);
    hi[13] = (uint8_t)(start >> 16);
    hi[14] = (uint8_t)(start >> 8);
    hi[15] = (uint8_t)start;
    if (pdb_add_range(b, src, lo, hi, 1, 0, NULL, cc, reg, NULL) != SQ_OK) {
        *why = pdb_why_nomem;
        return -1;
    }
    return 1;
}

static int
dlg_ipv6(sq_prefixdb_builder *b, int src, const char *col[], size_t len[],
         const char *cc, const char *reg, const char **why)
{
    uint8_t a[16], lo[16], hi[16];
    uint32_t plen;
    int v4;

    if (!pdb_addr(col[3], len[3], a, &v4) || v4 ||
        !pdb_u32(col[4], len[4], &plen) ||
        !pdb_prefix_range(a, plen, 0, lo, hi)) {
        *why = "bad ipv6 start or prefix length";
        return -1;
    }
    if (pdb_add_range(b, src, lo, hi, 0, 0, NULL, cc, reg, NULL) != SQ_OK) {
        *why = pdb_why_nomem;
        return -1;
    }
    return 1;
}

static int
dlg_asn(sq_prefixdb_builder *b, int src, const char *col[], size_t len[],
        const char *cc, const char **why)
{
    uint32_t start, count;

    if (!pdb_u32(col[3], len[3], &start) || !pdb_u32(col[4], len[4], &count) ||
        count == 0 || count - 1 > UINT32_MAX - start) {
        *why = "bad asn start or count";
        return -1;
    }
    if (count > DLG_ASN_BLOCK_MAX) {
        *why = "asn block larger than 65536";
        return -1;
    }
    if (cc == NULL)
        return 1;
    for (uint32_t i = 0; i < count; i++) {
        if (pdb_add_as(b, src, start + i, NULL, cc, NULL) != SQ_OK) {
            *why = pdb_why_nomem;
            return -1;
        }
    }
    return 1;
}

int
pdb_line_delegated(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                   const char **why)
{
    const char *col[DLG_COLS];
    size_t len[DLG_COLS], k;
    char cc[3], reg[16];
    const char *ccp;

    if (n == 0 || s[0] == '#')
        return 0;
    k = split_bar(s, n, col, len);
    if (k >= 6 && sq_strncaseeq(col[5], len[5], "summary"))
        return 0;
    if (k >= 1 && len[0] > 0 && col[0][0] >= '0' && col[0][0] <= '9')
        return 0; /* version line: 2.3|ripencc|serial|records|... */
    if (k < 7 || k > DLG_COLS) {
        *why = "expected registry|cc|type|start|value|date|status";
        return -1;
    }
    if (sq_strncaseeq(col[6], len[6], "available") ||
        sq_strncaseeq(col[6], len[6], "reserved"))
        return 0;
    if (len[0] == 0 || len[0] >= sizeof reg) {
        *why = "bad registry name";
        return -1;
    }
    pdb_copy_name(reg, col[0], len[0]);
    ccp = dlg_country(col[1], len[1], cc);
    if (sq_strncaseeq(col[2], len[2], "ipv4"))
        return dlg_ipv4(b, src, col, len, ccp, reg, why);
    if (sq_strncaseeq(col[2], len[2], "ipv6"))
        return dlg_ipv6(b, src, col, len, ccp, reg, why);
    if (sq_strncaseeq(col[2], len[2], "asn"))
        return dlg_asn(b, src, col, len, ccp, why);
    *why = "type is not ipv4, ipv6 or asn";
    return -1;
}

/* The end date of the version line (field 6, YYYYMMDD) as YYYY-MM-DD. */
static void
dlg_date(const pdb_file *f, char date[11])
{
    const char *p = f->buf, *end = f->buf + f->len;

    date[0] = '\0';
    for (int lines = 0; p < end && lines < 64; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        const char *col[DLG_COLS];
        size_t len[DLG_COLS];
        uint32_t ymd;

        if (n > 0 && p[0] >= '0' && p[0] <= '9') {
            if (split_bar(p, n, col, len) >= 6 && len[5] == 8 &&
                pdb_u32(col[5], 8, &ymd) && ymd >= 19700101) {
                memcpy(date, col[5], 4);
                date[4] = '-';
                memcpy(date + 5, col[5] + 4, 2);
                date[7] = '-';
                memcpy(date + 8, col[5] + 6, 2);
                date[10] = '\0';
            }
            return;
        }
        p = nl ? nl + 1 : end;
    }
}

sq_status
pdb_import_delegated(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    pdb_file f;
    char date[11];
    int src;
    sq_status rc = pdb_file_open(path, d, &f);

    if (rc != SQ_OK)
        return rc;
    dlg_date(&f, date);
    rc = pdb_source_or_fail(b, SQ_PDB_DELEGATED,
                            "RIR statistics exchange format (NRO, nro.net)",
                            date, path, d, &src);
    if (rc == SQ_OK)
        rc = pdb_file_lines(&f, b, src, SQ_PDB_DELEGATED, d, NULL);
    pdb_file_close(&f);
    return rc;
}

/* ---- RPSL split dumps ---- */

enum {
    RPSL_OBJECT_MAX = 1 << 20, /* larger objects are bad objects */
    RPSL_HANDLE_MAX = 80,
    RPSL_TABLE_MAX = 1 << 24
};

typedef enum {
    OBJ_OTHER,
    OBJ_INETNUM,
    OBJ_INET6NUM,
    OBJ_ROLE,
    OBJ_IRT,
    OBJ_ORG
} obj_class;

typedef struct rpsl_val {
    const char *s;
    size_t n;
} rpsl_val;

typedef struct rpsl_obj {
    obj_class cls;
    rpsl_val key, nic_hdl, abuse_c, mnt_irt, mailbox, country, org;
} rpsl_obj;

static rpsl_val
trim_value(const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    rpsl_val v;

    if (hash)
        n = (size_t)(hash - s);
    while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    v.s = s;
    v.n = n;
    return v;
}

static void
set_once(rpsl_val *slot, rpsl_val v)
{
    if (slot->s == NULL && v.n > 0)
        *slot = v;
}

static int
rpsl_attr(rpsl_obj *o, const char *name, size_t nl, rpsl_val v, int first)
{
    static const struct {
        const char *name;
        obj_class cls;
    } classes[] = {{"inetnum", OBJ_INETNUM},
                   {"inet6num", OBJ_INET6NUM},
                   {"role", OBJ_ROLE},
                   {"irt", OBJ_IRT},
                   {"organisation", OBJ_ORG}};

    if (first) {
        o->cls = OBJ_OTHER;
        for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
            if (sq_strncaseeq(name, nl, classes[i].name))
                o->cls = classes[i].cls;
        o->key = v;
    } else if (sq_strncaseeq(name, nl, "nic-hdl")) {
        set_once(&o->nic_hdl, v);
    } else if (sq_strncaseeq(name, nl, "abuse-c")) {
        set_once(&o->abuse_c, v);
    } else if (sq_strncaseeq(name, nl, "mnt-irt")) {
        set_once(&o->mnt_irt, v);
    } else if (sq_strncaseeq(name, nl, "abuse-mailbox")) {
        set_once(&o->mailbox, v);
    } else if (sq_strncaseeq(name, nl, "country")) {
        set_once(&o->country, v);
    } else if (sq_strncaseeq(name, nl, "org")) {
        set_once(&o->org, v);
    }
    return 1;
}

/* One object [s, s+n): attribute lines, continuation lines (space, tab,
 * '+'), '%'/'#' comment lines.  0 with *why on a malformed line, 2 when
 * there were only comments, 1 otherwise. */
static int
rpsl_parse(const char *s, size_t n, rpsl_obj *o, const char **why)
{
    const char *p = s, *end = s + n;
    int seen = 0;

    memset(o, 0, sizeof *o);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ln = (size_t)((nl ? nl : end) - p), i = 0;

        if (ln == 0 || p[0] == '%' || p[0] == '#' || p[0] == '\r') {
            /* comment or empty */
        } else if (p[0] == ' ' || p[0] == '\t' || p[0] == '+') {
            if (!seen) {
                *why = "continuation line before any attribute";
                return 0;
            }
        } else {
            while (i < ln && p[i] != ':' &&
                   ((p[i] >= 'a' && p[i] <= 'z') ||
                    (p[i] >= 'A' && p[i] <= 'Z') ||
                    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_'))
                i++;
            if (i == 0 || i >= ln || p[i] != ':') {
                *why = "not an attribute line";
                return 0;
            }
            rpsl_attr(o, p, i, trim_value(p + i + 1, ln - i - 1), !seen);
            seen = 1;
        }
        p = nl ? nl + 1 : end;
    }
    return seen ? 1 : 2; /* 2: comments only */
}

/* inetnum "a - b" (or a prefix), inet6num "a/len". */
static int
rpsl_range(const rpsl_obj *o, uint8_t lo[16], uint8_t hi[16], int *v4)
{
    const char *s = o->key.s, *dash, *slash;
    size_t n = o->key.n;
    uint32_t plen;
    uint8_t a[16];
    int v4b;

    if (s == NULL)
        return 0;
    if ((dash = memchr(s, '-', n)) != NULL) {
        rpsl_val x = trim_value(s, (size_t)(dash - s));
        rpsl_val y = trim_value(dash + 1, n - (size_t)(dash - s) - 1);

        return pdb_addr(x.s, x.n, lo, v4) && pdb_addr(y.s, y.n, hi, &v4b) &&
               *v4 == v4b && memcmp(lo, hi, 16) <= 0;
    }
    if ((slash = memchr(s, '/', n)) == NULL)
        return 0;
    return pdb_addr(s, (size_t)(slash - s), a, v4) &&
           pdb_u32(slash + 1, n - (size_t)(slash - s) - 1, &plen) &&
           pdb_prefix_range(a, plen, *v4, lo, hi);
}

static int
rpsl_add(sq_prefixdb_builder *b, int src, const rpsl_obj *o,
         const rpsl_val *mailbox, const char **why)
{
    uint8_t lo[16], hi[16];
    char mb[PDB_NAME_MAX + 1], cc[3];
    const char *ccp = NULL;
    int v4;

    if (!rpsl_range(o, lo, hi, &v4)) {
        *why = "bad inetnum/inet6num range";
        return -1;
    }
    if (mailbox == NULL || mailbox->n == 0)
        return 0;
    if (o->country.n == 2 && !sq_strncaseeq(o->country.s, 2, "ZZ")) {
        memcpy(cc, o->country.s, 2);
        cc[2] = '\0';
        ccp = cc;
    }
    if (pdb_add_range(b, src, lo, hi, v4, 0, NULL, ccp, NULL,
                      pdb_copy_name(mb, mailbox->s, mailbox->n)) != SQ_OK) {
        *why = pdb_why_nomem;
        return -1;
    }
    return 1;
}

int
pdb_line_rpsl(sq_prefixdb_builder *b, int src, const char *s, size_t n,
              const char **why)
{
    rpsl_obj o;

    if (n == 0 || s[0] == '%' || s[0] == '#')
        return 0;
    int r = rpsl_parse(s, n, &o, why);

    if (r != 1)
        return r == 0 ? -1 : 0;
    if (o.cls != OBJ_INETNUM && o.cls != OBJ_INET6NUM)
        return 0;
    return rpsl_add(b, src, &o, o.mailbox.n ? &o.mailbox : NULL, why);
}

/* Handle table: "<kind><handle lowercased>" -> value, open addressing.
 * Kinds: 'R' role nic-hdl, 'I' irt name (-> abuse-mailbox), 'O'
 * organisation (-> its abuse-c handle). */
typedef struct hslot {
    char *key;
    char *val;
} hslot;

typedef struct htab {
    hslot *slots;
    size_t cap, used;
    sq_arena *arena;
} htab;

static uint64_t
hkey(char kind, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ (unsigned char)kind;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211ull;
    }
    return h;
}

static hslot *
hfind(const htab *t, char kind, const char *s, size_t n)
{
    size_t i = (size_t)hkey(kind, s, n) & (t->cap - 1);

    for (;; i = (i + 1) & (t->cap - 1)) {
        hslot *e = &t->slots[i];

        if (e->key == NULL ||
            (e->key[0] == kind && sq_strncaseeq(s, n, e->key + 1)))
            return e;
    }
}

static sq_status
hgrow(htab *t)
{
    htab nt = {calloc(t->cap * 2, sizeof(hslot)), t->cap * 2, t->used,
               t->arena};

    if (nt.slots == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; i < t->cap; i++) {
        hslot *e = &t->slots[i];

        if (e->key)
            *hfind(&nt, e->key[0], e->key + 1, strlen(e->key + 1)) = *e;
    }
    free(t->slots);
    *t = nt;
    return SQ_OK;
}

/* First definition wins.  SQ_ENOMEM, or SQ_OK (also when skipped). */
static sq_status
hput(htab *t, char kind, rpsl_val k, rpsl_val v)
{
    hslot *e;

    if (k.n == 0 || k.n > RPSL_HANDLE_MAX || v.n == 0 ||
        memchr(k.s, '\0', k.n) != NULL)
        return SQ_OK;
    if (t->used * 2 >= t->cap) {
        if (t->cap >= RPSL_TABLE_MAX)
            return SQ_OK; /* bounded: later handles stay unresolved */
        if (hgrow(t) != SQ_OK)
            return SQ_ENOMEM;
    }
    e = hfind(t, kind, k.s, k.n);
    if (e->key != NULL)
        return SQ_OK;
    if (v.n > PDB_NAME_MAX)
        v.n = PDB_NAME_MAX;
    e->key = sq_arena_alloc(t->arena, k.n + 2);
    e->val = sq_arena_strndup(t->arena, v.s, v.n);
    if (e->key == NULL || e->val == NULL) {
        e->key = NULL;
        return SQ_ENOMEM;
    }
    e->key[0] = kind;
    memcpy(e->key + 1, k.s, k.n);
    e->key[k.n + 1] = '\0';
    t->used++;
    return SQ_OK;
}

static const char *
hget(const htab *t, char kind, rpsl_val k)
{
    if (k.n == 0 || k.n > RPSL_HANDLE_MAX)
        return NULL;
    return hfind(t, kind, k.s, k.n)->val;
}

/* Iterate objects of a file: blank lines separate them. */
typedef struct obj_iter {
    const char *p, *end;
    size_t line;
} obj_iter;

static int
next_object(obj_iter *it, const char **s, size_t *n, size_t *line)
{
    /* skip blank lines */
    while (it->p < it->end) {
        const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
        const char *e = nl ? nl : it->end;
        const char *q = it->p;

        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q != e)
            break;
        it->line++;
        it->p = nl ? nl + 1 : it->end;
    }
    if (it->p >= it->end)
        return 0;
    *s = it->p;
    *line = it->line + 1;
    while (it->p < it->end) {
        const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
        const char *e = nl ? nl : it->end;
        const char *q = it->p;

        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q == e)
            break;
        it->line++;
        it->p = nl ? nl + 1 : it->end;
    }
    *n = (size_t)(it->p - *s);
    return 1;
}

static sq_status
rpsl_pass1(const pdb_file *f, htab *t)
{
    obj_iter it = {f->buf, f->buf + f->len, 0};
    const char *s, *why;
    size_t n, line;
    rpsl_obj o;
    sq_status rc = SQ_OK;

    while (rc == SQ_OK && next_object(&it, &s, &n, &line)) {
        if (n > RPSL_OBJECT_MAX || rpsl_parse(s, n, &o, &why) != 1)
            continue; /* reported by pass 2 */
        if (o.cls == OBJ_ROLE)
            rc = hput(t, 'R', o.nic_hdl, o.mailbox);
        else if (o.cls == OBJ_IRT)
            rc = hput(t, 'I', o.key, o.mailbox);
        else if (o.cls == OBJ_ORG)
            rc = hput(t, 'O', o.key, o.abuse_c);
    }
    return rc;
}

static const char *
rpsl_resolve(const htab *t, const rpsl_obj *o)
{
    const char *m, *h;

    if (o->abuse_c.n && (m = hget(t, 'R', o->abuse_c)) != NULL)
        return m;
    if (o->mnt_irt.n && (m = hget(t, 'I', o->mnt_irt)) != NULL)
        return m;
    if (o->org.n && (h = hget(t, 'O', o->org)) != NULL) {
        rpsl_val v = {h, strlen(h)};

        return hget(t, 'R', v);
    }
    return NULL;
}

/* 1 used (an inetnum resolved, or a role/irt/org with a contact), 0
 * other, -1 bad. */
static int
rpsl_object(sq_prefixdb_builder *b, int src, const htab *t, const char *s,
            size_t n, const char **why)
{
    rpsl_obj o;
    rpsl_val mv;
    const char *m;
    int r;

    if (n > RPSL_OBJECT_MAX) {
        *why = "object larger than 1 MiB";
        return -1;
    }
    r = rpsl_parse(s, n, &o, why);
    if (r != 1)
        return r == 0 ? -1 : 0;
    if (o.cls == OBJ_ROLE || o.cls == OBJ_IRT || o.cls == OBJ_ORG)
        return o.mailbox.n || o.abuse_c.n ? 1 : 0;
    if (o.cls != OBJ_INETNUM && o.cls != OBJ_INET6NUM)
        return 0;
    if (o.mailbox.n)
        return rpsl_add(b, src, &o, &o.mailbox, why);
    m = rpsl_resolve(t, &o);
    mv.s = m;
    mv.n = m ? strlen(m) : 0;
    return rpsl_add(b, src, &o, m ? &mv : NULL, why) < 0 ? -1 : 1;
}

static sq_status
rpsl_pass2(const pdb_file *f, sq_prefixdb_builder *b, int src, const htab *t,
           sq_diag *d)
{
    obj_iter it = {f->buf, f->buf + f->len, 0};
    const char *s, *why;
    size_t n, line, used = 0, bad = 0;

    while (next_object(&it, &s, &n, &line)) {
        int r;

        why = NULL;
        r = rpsl_object(b, src, t, s, n, &why);
        if (r > 0) {
            used++;
        } else if (r < 0) {
            if (why == pdb_why_nomem)
                return SQ_ENOMEM;
            if (++bad <= PDB_BAD_SHOWN)
                sq_diag_addf(d, f->path, (unsigned)line, "%s",
                             why ? why : "bad object");
        }
    }
    if (bad > PDB_BAD_SHOWN)
        sq_diag_addf(d, f->path, 0, "... and %zu more bad lines",
                     bad - PDB_BAD_SHOWN);
    if (used == 0) {
        sq_diag_addf(d, f->path, 0, "no usable object (%zu bad)", bad);
        return SQ_EPARSE;
    }
    return SQ_OK;
}

sq_status
pdb_import_rpsl(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    pdb_file f;
    htab t = {NULL, 1024, 0, NULL};
    int src;
    sq_status rc = pdb_file_open(path, d, &f);

    if (rc != SQ_OK)
        return rc;
    t.slots = calloc(t.cap, sizeof(hslot));
    t.arena = sq_arena_new((size_t)64 * 1024);
    if (t.slots == NULL || t.arena == NULL) {
        rc = SQ_ENOMEM;
        goto out;
    }
    rc = pdb_source_or_fail(b, SQ_PDB_RPSL, "RIR database dump", "", path, d,
                            &src);
    if (rc == SQ_OK)
        rc = rpsl_pass1(&f, &t);
    if (rc == SQ_OK)
        rc = rpsl_pass2(&f, b, src, &t, d);
out:
    free(t.slots);
    sq_arena_free(t.arena);
    pdb_file_close(&f);
    return rc;
}
