/*
 * read.c - the prefix database reader: map, validate once, then look up
 * with no mutable state (safe to share between threads).
 *
 * Everything a lookup dereferences is checked on open (section bounds
 * and alignment, monotonic slot tables, handle and record ranges,
 * string offsets inside a NUL-terminated pool), so a lookup can never
 * leave the map even on a crafted file that passes the checksum.
 */
#include "prefixdb/format.h"
#include "prefixdb/pdb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct sq_prefixdb {
    const uint8_t *base;
    size_t len;
    int mapped;
    pdb_header h;
    const uint32_t *dir4, *leaf4, *dir6, *leaf6;
    const uint32_t *dasn4, *lasn4, *dasn6, *lasn6; /* ASN beside them */
    const pdb_block *blk4, *blk6;
    const uint32_t *k4, *v4; /* starts, values */
    const uint32_t *asn4, *asn6;
    const uint32_t *v6;
    const uint64_t *hi6, *lo6;
    const pdb_entry4 *ent4;
    const pdb_entry *ent6;
    const pdb_record *rec;
    const char *str;
    const pdb_source_rec *src;
    const pdb_as *as;
    const uint32_t *prov;
    size_t n4, n6, nent4, nent6, nrec, nstr, nsrc, nas, nprov, nblk4, nleaf4,
        nblk6, nleaf6;
};

static const uint32_t sec_elem[PDB_NSECTIONS] = {
    [PDB_SEC_V4_DIR] = 4,
    [PDB_SEC_V4_BLOCKS] = sizeof(pdb_block),
    [PDB_SEC_V4_LEAVES] = 4,
    [PDB_SEC_V4_DIR_ASN] = 4,
    [PDB_SEC_V4_LEAF_ASN] = 4,
    [PDB_SEC_V4_STARTS] = 4,
    [PDB_SEC_V4_VALS] = 4,
    [PDB_SEC_V6_DIR] = 4,
    [PDB_SEC_V6_BLOCKS] = sizeof(pdb_block),
    [PDB_SEC_V6_LEAVES] = 4,
    [PDB_SEC_V6_DIR_ASN] = 4,
    [PDB_SEC_V6_LEAF_ASN] = 4,
    [PDB_SEC_V6_HI] = 8,
    [PDB_SEC_V6_LO] = 8,
    [PDB_SEC_V6_VALS] = 4,
    [PDB_SEC_ENTRIES4] = sizeof(pdb_entry4),
    [PDB_SEC_ENTRIES6] = sizeof(pdb_entry),
    [PDB_SEC_ASN4] = 4,
    [PDB_SEC_ASN6] = 4,
    [PDB_SEC_RECORDS] = sizeof(pdb_record),
    [PDB_SEC_STRINGS] = 1,
    [PDB_SEC_SOURCES] = sizeof(pdb_source_rec),
    [PDB_SEC_ASES] = sizeof(pdb_as),
    [PDB_SEC_PROVIDERS] = 4};

static const void *
sec_ptr(const sq_prefixdb *db, int id, size_t *count)
{
    *count = (size_t)db->h.sec[id].count;
    return db->base + db->h.sec[id].offset;
}

/* Header and section table. */
static const char *
check_header(sq_prefixdb *db)
{
    const pdb_header *h = &db->h;

    if (memcmp(h->magic, PDB_MAGIC, PDB_MAGIC_LEN) != 0)
        return "not a squeaky prefix database";
    if (h->version != PDB_VERSION)
        return h->version < PDB_VERSION
                   ? "written by an older squeaky: run squeaky db build again"
                   : "unsupported version (written by a newer squeaky)";
    if (h->flags != 0)
        return "unknown flags";
    if (h->nsections != PDB_NSECTIONS || h->header_bytes != PDB_HEADER_SIZE)
        return "bad section table";
    for (int i = 0; i < PDB_NSECTIONS; i++) {
        const pdb_secent *s = &h->sec[i];

        if (s->id != (uint32_t)i || s->elem != sec_elem[i])
            return "bad section table";
        if (s->offset % PDB_ALIGN != 0 || s->offset < PDB_HEADER_SIZE ||
            s->offset > db->len || s->length > db->len - s->offset)
            return "section outside the file";
        if (s->count > s->length || s->count * s->elem != s->length)
            return "section size and count disagree";
    }
    if (pdb_file_checksum(db->base, db->len) != h->checksum)
        return "checksum mismatch";
    return NULL;
}

static int
str_ok(const sq_prefixdb *db, uint32_t off)
{
    return off < db->nstr;
}

/* A handle a family's table may hold: 0, or an entry of that family. */
static int
handle_ok(const sq_prefixdb *db, uint32_t h, int v6)
{
    if (h == 0)
        return 1;
    if (!v6)
        return h <= db->nent4;
    return (h & PDB_H6) != 0 && (h & ~PDB_H6) != 0 &&
           (h & ~PDB_H6) <= db->nent6;
}

/* One family's trie, as check_trie reads it. */
typedef struct trie {
    const uint32_t *dir, *leaf;
    const pdb_block *blk;
    size_t nblk, nleaf, nkeys; /* nkeys: starts of the family */
    int v6;
} trie;

/* A leaf that may appear in a block numbered below `below`. */
static int
leaf_ok(const sq_prefixdb *db, const trie *t, uint32_t l, size_t below)
{
    size_t lo = (l & ~PDB_LEAF_KIND) >> 6, n = (l & 0x3f) + 1;

    switch (l & PDB_LEAF_KIND) {
    case 0:
        return handle_ok(db, l == 0 ? 0 : l | (t->v6 ? PDB_H6 : 0), t->v6);
    case PDB_LEAF_SEARCH:
        return lo < t->nkeys && n <= t->nkeys - lo;
    case PDB_LEAF_CHILD:
        return (l & ~PDB_LEAF_KIND) < below;
    default:
        return 0;
    }
}

/* First level, block maps and bases, every block's leaves. */
static const char *
check_trie(const sq_prefixdb *db, const trie *t)
{
    for (size_t i = 0; i < PDB_SLOTS; i++)
        if (!leaf_ok(db, t, t->dir[i], t->nblk))
            return "lookup index out of range";
    for (size_t i = 0; i < t->nblk; i++) {
        const pdb_block *b = &t->blk[i];
        uint64_t next = b->base[0];

        if ((b->bits[0] & 1) == 0)
            return "bad trie block";
        for (int w = 0; w < 4; w++) {
            if (b->base[w] != next)
                return "bad trie block";
            next += (uint64_t)__builtin_popcountll(b->bits[w]);
        }
        if (next > t->nleaf)
            return "trie block outside the leaves";
        for (size_t k = b->base[0]; k < next; k++)
            if (!leaf_ok(db, t, t->leaf[k], i))
                return "bad trie leaf";
    }
    return NULL;
}

static const char *
check_tables(sq_prefixdb *db)
{
    size_t n, n2, n3;
    trie t4, t6;
    const char *why;

    db->dir4 = sec_ptr(db, PDB_SEC_V4_DIR, &n);
    db->blk4 = sec_ptr(db, PDB_SEC_V4_BLOCKS, &db->nblk4);
    db->leaf4 = sec_ptr(db, PDB_SEC_V4_LEAVES, &db->nleaf4);
    db->dasn4 = sec_ptr(db, PDB_SEC_V4_DIR_ASN, &n2);
    db->lasn4 = sec_ptr(db, PDB_SEC_V4_LEAF_ASN, &n3);
    if (n2 != PDB_SLOTS || n3 != db->nleaf4)
        return "section counts disagree";
    db->k4 = sec_ptr(db, PDB_SEC_V4_STARTS, &db->n4);
    db->v4 = sec_ptr(db, PDB_SEC_V4_VALS, &n2);
    if (n != PDB_SLOTS || n2 != db->n4)
        return "section counts disagree";
    db->dir6 = sec_ptr(db, PDB_SEC_V6_DIR, &n);
    db->blk6 = sec_ptr(db, PDB_SEC_V6_BLOCKS, &db->nblk6);
    db->leaf6 = sec_ptr(db, PDB_SEC_V6_LEAVES, &db->nleaf6);
    db->dasn6 = sec_ptr(db, PDB_SEC_V6_DIR_ASN, &n2);
    db->lasn6 = sec_ptr(db, PDB_SEC_V6_LEAF_ASN, &n3);
    if (n2 != PDB_SLOTS || n3 != db->nleaf6)
        return "section counts disagree";
    db->hi6 = sec_ptr(db, PDB_SEC_V6_HI, &db->n6);
    db->lo6 = sec_ptr(db, PDB_SEC_V6_LO, &n2);
    db->v6 = sec_ptr(db, PDB_SEC_V6_VALS, &n3);
    if (n != PDB_SLOTS || n2 != db->n6 || n3 != db->n6)
        return "section counts disagree";
    db->ent4 = sec_ptr(db, PDB_SEC_ENTRIES4, &db->nent4);
    db->ent6 = sec_ptr(db, PDB_SEC_ENTRIES6, &db->nent6);
    db->asn4 = sec_ptr(db, PDB_SEC_ASN4, &n);
    db->asn6 = sec_ptr(db, PDB_SEC_ASN6, &n2);
    if (n != db->nent4 + 1 || n2 != db->nent6 + 1 || db->asn4[0] != 0 ||
        db->asn6[0] != 0)
        return "bad ASN table";
    db->rec = sec_ptr(db, PDB_SEC_RECORDS, &db->nrec);
    db->str = sec_ptr(db, PDB_SEC_STRINGS, &db->nstr);
    db->src = sec_ptr(db, PDB_SEC_SOURCES, &db->nsrc);
    db->as = sec_ptr(db, PDB_SEC_ASES, &db->nas);
    db->prov = sec_ptr(db, PDB_SEC_PROVIDERS, &db->nprov);
    if (db->nent4 >= PDB_H6 || db->nent6 >= PDB_H6)
        return "too many entries";
    if (db->n4 == 0 || db->n6 == 0 || db->n4 > PDB_LEAF_MAX_LO ||
        db->n6 > PDB_LEAF_MAX_LO)
        return "empty lookup table";
    if (db->nent4 >= PDB_LEAF_CHILD || db->nent6 >= PDB_LEAF_CHILD)
        return "too many entries";
    t4 =
        (trie){db->dir4, db->leaf4, db->blk4, db->nblk4, db->nleaf4, db->n4, 0};
    t6 =
        (trie){db->dir6, db->leaf6, db->blk6, db->nblk6, db->nleaf6, db->n6, 1};
    if ((why = check_trie(db, &t4)) != NULL ||
        (why = check_trie(db, &t6)) != NULL)
        return why;
    if (db->k4[0] != 0 || db->hi6[0] != 0 || db->lo6[0] != 0)
        return "lookup table does not start at 0";
    for (size_t i = 0; i < db->n4; i++)
        if (!handle_ok(db, db->v4[i], 0) ||
            (i > 0 && db->k4[i] <= db->k4[i - 1]))
            return "bad IPv4 table";
    for (size_t i = 0; i < db->n6; i++)
        if (!handle_ok(db, db->v6[i], 1) ||
            (i > 0 &&
             (db->hi6[i] < db->hi6[i - 1] ||
              (db->hi6[i] == db->hi6[i - 1] && db->lo6[i] <= db->lo6[i - 1]))))
            return "bad IPv6 table";
    return NULL;
}

static const char *
check_data(const sq_prefixdb *db)
{
    if (db->nstr == 0 || db->str[db->nstr - 1] != '\0' ||
        db->nsrc > PDB_MAX_SOURCES)
        return "bad string pool or source table";
    for (size_t i = 0; i < db->nent4; i++)
        if (db->ent4[i].record >= db->nrec || db->ent4[i].len > 32)
            return "bad IPv4 entry";
    for (size_t i = 0; i < db->nent6; i++)
        if (db->ent6[i].record >= db->nrec || db->ent6[i].v4 != 0 ||
            db->ent6[i].len > 128)
            return "bad IPv6 entry";
    for (size_t i = 0; i < db->nrec; i++) {
        const pdb_record *r = &db->rec[i];

        if (r->source >= db->nsrc || !str_ok(db, r->as_name) ||
            !str_ok(db, r->country) || !str_ok(db, r->registry) ||
            !str_ok(db, r->abuse))
            return "bad record";
    }
    for (size_t i = 0; i < db->nsrc; i++)
        if (!str_ok(db, db->src[i].name) || !str_ok(db, db->src[i].date) ||
            !str_ok(db, db->src[i].attribution))
            return "bad source";
    for (size_t i = 0; i < db->nas; i++) {
        const pdb_as *a = &db->as[i];

        if (!str_ok(db, a->name) || !str_ok(db, a->country) ||
            !str_ok(db, a->abuse) || a->prov_off > db->nprov ||
            a->prov_count > db->nprov - a->prov_off ||
            (i > 0 && a->asn <= db->as[i - 1].asn))
            return "bad AS table";
    }
    return NULL;
}

static sq_status
open_common(const void *buf, size_t len, int mapped, sq_diag *d,
            sq_prefixdb **out)
{
    sq_prefixdb *db;
    const char *why = NULL;

    if (len < PDB_MAGIC_LEN || memcmp(buf, PDB_MAGIC, PDB_MAGIC_LEN) != 0) {
        sq_diag_addf(d, NULL, 0, "prefix.db: not a squeaky prefix database");
        return SQ_EPARSE;
    }
    db = calloc(1, sizeof(*db));
    if (db == NULL)
        return SQ_ENOMEM;
    db->base = buf;
    db->len = len;
    db->mapped = mapped;
    if (len < PDB_HEADER_SIZE) {
        sq_diag_addf(d, NULL, 0, "prefix.db: truncated (%zu of %zu bytes)", len,
                     (size_t)PDB_HEADER_SIZE);
        free(db);
        return SQ_EPARSE;
    }
    memcpy(&db->h, buf, PDB_HEADER_SIZE);
    if (db->h.file_bytes != len && db->h.version == PDB_VERSION) {
        if (db->h.file_bytes > len)
            sq_diag_addf(d, NULL, 0, "prefix.db: truncated (%zu of %llu bytes)",
                         len, (unsigned long long)db->h.file_bytes);
        else
            sq_diag_addf(d, NULL, 0, "prefix.db: %zu bytes, header says %llu",
                         len, (unsigned long long)db->h.file_bytes);
        free(db);
        return SQ_EPARSE;
    }
    if ((why = check_header(db)) == NULL && (why = check_tables(db)) == NULL)
        why = check_data(db);
    if (why != NULL) {
        sq_diag_addf(d, NULL, 0, "prefix.db: %s", why);
        free(db);
        return SQ_EPARSE;
    }
    *out = db;
    return SQ_OK;
}

sq_status
pdb_open_buffer(const void *buf, size_t len, sq_diag *d, sq_prefixdb **out)
{
    if (buf == NULL || out == NULL)
        return SQ_EINVAL;
    if ((uintptr_t)buf % PDB_ALIGN != 0) {
        sq_diag_addf(d, NULL, 0, "prefix.db: buffer not 8-byte aligned");
        return SQ_EINVAL;
    }
    return open_common(buf, len, 0, d, out);
}

SQ_API sq_status
sq_prefixdb_default_path(char *buf, size_t buflen)
{
    const char *x = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;

    if (x != NULL && x[0] == '/')
        n = snprintf(buf, buflen, "%s/squeaky/prefix.db", x);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(buf, buflen, "%s/.local/share/squeaky/prefix.db", home);
    else
        return SQ_ENOTFOUND;
    if (n < 0 || (size_t)n >= buflen)
        return SQ_EINVAL;
    return SQ_OK;
}

SQ_API sq_status
sq_prefixdb_open(const char *path, sq_diag *d, sq_prefixdb **out)
{
    char def[4096];
    struct stat sb;
    void *map;
    int fd;
    sq_status st;

    if (out == NULL)
        return SQ_EINVAL;
    if (path == NULL) {
        if (sq_prefixdb_default_path(def, sizeof(def)) != SQ_OK) {
            sq_diag_addf(d, NULL, 0, "prefix.db: no default path (HOME unset)");
            return SQ_ENOTFOUND;
        }
        path = def;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        sq_diag_addf(d, path, 0, "cannot open: %s", strerror(e));
        return e == ENOENT ? SQ_ENOTFOUND : SQ_EIO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        sq_diag_addf(d, path, 0, "not a regular file");
        close(fd);
        return SQ_EIO;
    }
    if (sb.st_size < (off_t)PDB_HEADER_SIZE) {
        uint64_t head[PDB_HEADER_SIZE / 8 + 1];
        ssize_t r = read(fd, head, PDB_HEADER_SIZE);

        close(fd);
        return open_common(head, r > 0 ? (size_t)r : 0, 0, d, out) == SQ_ENOMEM
                   ? SQ_ENOMEM
                   : SQ_EPARSE;
    }
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        sq_diag_addf(d, path, 0, "cannot map: %s", strerror(errno));
        return SQ_EIO;
    }
    st = open_common(map, (size_t)sb.st_size, 1, d, out);
    if (st != SQ_OK)
        munmap(map, (size_t)sb.st_size);
    return st;
}

SQ_API void
sq_prefixdb_close(sq_prefixdb *db)
{
    if (db == NULL)
        return;
    if (db->mapped)
        munmap((void *)db->base, db->len);
    free(db);
}

/* ---- lookups ---- */

/* The index of block b's leaf for subregion i: see format.h. */
static inline uint32_t
leaf_at(const pdb_block *b, unsigned i)
{
    unsigned w = i >> 6;
    uint64_t m = b->bits[w] & (~(uint64_t)0 >> (63 - (i & 63)));

    return b->base[w] + (uint32_t)__builtin_popcountll(m) - 1;
}

static inline uint32_t
leaf_of(const uint32_t *leaves, const pdb_block *b, unsigned i)
{
    return leaves[leaf_at(b, i)];
}

/* The last IPv4 start <= addr among the n at lo: branch-free. */
static inline uint32_t
search4(const sq_prefixdb *db, uint32_t l, uint32_t addr)
{
    const uint32_t *base = db->k4 + ((l & ~PDB_LEAF_KIND) >> 6);
    size_t n = (l & 0x3f) + 1;

    while (n > 1) {
        size_t half = n / 2;

        base = base[half] <= addr ? base + half : base;
        n -= half;
    }
    return db->v4[base - db->k4];
}

SQ_API uint32_t
sq_prefixdb_find4(const sq_prefixdb *db, uint32_t addr)
{
    uint32_t l = db->dir4[addr >> 16];

    for (int shift = 8; (l & PDB_LEAF_KIND) == PDB_LEAF_CHILD; shift -= 8) {
        if (shift < 0)
            return 0; /* deeper than the key: only a crafted file */
        l = leaf_of(db->leaf4, &db->blk4[l & ~PDB_LEAF_KIND],
                    (addr >> shift) & 0xff);
    }
    if (l & PDB_LEAF_SEARCH)
        return search4(db, l, addr);
    return l;
}

enum { AHEAD = 16 };

/*
 * A plain loop that loads the first-level word AHEAD addresses on and
 * prefetches the leaves of its block.  The lookups are independent, so
 * an out-of-order core already overlaps their misses; the prefetch
 * makes the batch no slower than single lookups on uniform addresses.
 * See docs/PREFIXDB.md for the figures.
 */
SQ_API void
sq_prefixdb_find4_batch(const sq_prefixdb *db, const uint32_t *addrs, size_t n,
                        uint32_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n) {
            uint32_t a = addrs[i + AHEAD], l = db->dir4[a >> 16];

            if ((l & PDB_LEAF_KIND) == PDB_LEAF_CHILD)
                __builtin_prefetch(
                    db->leaf4 + db->blk4[l & ~PDB_LEAF_KIND].base[a >> 14 & 3]);
        }
        out[i] = sq_prefixdb_find4(db, addrs[i]);
    }
}

/* The last IPv6 start <= (hi, lo) among a search leaf's candidates. */
static inline uint32_t
search6(const sq_prefixdb *db, uint32_t l, uint64_t hi, uint64_t lo)
{
    size_t b = (l & ~PDB_LEAF_KIND) >> 6, n = (l & 0x3f) + 1;

    while (n > 1) {
        size_t half = n / 2, m = b + half;
        int le = db->hi6[m] < hi || (db->hi6[m] == hi && db->lo6[m] <= lo);

        b = le ? m : b;
        n -= half;
    }
    return db->v6[b];
}

SQ_API uint32_t
sq_prefixdb_find6(const sq_prefixdb *db, const uint8_t addr[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    uint64_t hi = 0, lo = 0;
    uint32_t l;

    if (memcmp(addr, mapped, 12) == 0)
        return sq_prefixdb_find4(db, (uint32_t)addr[12] << 24 |
                                         (uint32_t)addr[13] << 16 |
                                         (uint32_t)addr[14] << 8 | addr[15]);
    for (int i = 0; i < 8; i++) {
        hi = hi << 8 | addr[i];
        lo = lo << 8 | addr[8 + i];
    }
    l = db->dir6[hi >> 48];
    for (int byte = 2; (l & PDB_LEAF_KIND) == PDB_LEAF_CHILD; byte++) {
        if (byte > 15)
            return 0; /* deeper than the key: only a crafted file */
        l = leaf_of(db->leaf6, &db->blk6[l & ~PDB_LEAF_KIND], addr[byte]);
    }
    if (l & PDB_LEAF_SEARCH)
        return search6(db, l, hi, lo);
    return l == 0 ? 0 : l | PDB_H6;
}

/*
 * Address -> ASN with the trie's side arrays: a handle leaf's ASN lies at
 * the same index in a parallel array, so both loads go out together; a
 * search leaf (0.2% of the /24s) ends at the handle's ASN.
 */
SQ_API unsigned long
sq_prefixdb_asn4(const sq_prefixdb *db, uint32_t addr)
{
    uint32_t l = db->dir4[addr >> 16], k;

    if ((l & PDB_LEAF_KIND) == 0)
        return db->dasn4[addr >> 16];
    for (int shift = 8; (l & PDB_LEAF_KIND) == PDB_LEAF_CHILD; shift -= 8) {
        if (shift < 0)
            return 0; /* deeper than the key: only a crafted file */
        k = leaf_at(&db->blk4[l & ~PDB_LEAF_KIND], (addr >> shift) & 0xff);
        l = db->leaf4[k];
        if ((l & PDB_LEAF_KIND) == 0)
            return db->lasn4[k];
    }
    return (l & PDB_LEAF_SEARCH) ? db->asn4[search4(db, l, addr)] : 0;
}

SQ_API unsigned long
sq_prefixdb_asn6(const sq_prefixdb *db, const uint8_t addr[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    uint32_t l, k;

    if (memcmp(addr, mapped, 12) == 0)
        return sq_prefixdb_asn4(db, (uint32_t)addr[12] << 24 |
                                        (uint32_t)addr[13] << 16 |
                                        (uint32_t)addr[14] << 8 | addr[15]);
    l = db->dir6[(unsigned)addr[0] << 8 | addr[1]];
    if ((l & PDB_LEAF_KIND) == 0)
        return db->dasn6[(unsigned)addr[0] << 8 | addr[1]];
    if ((l & PDB_LEAF_KIND) == PDB_LEAF_CHILD) {
        for (int byte = 2; (l & PDB_LEAF_KIND) == PDB_LEAF_CHILD; byte++) {
            if (byte > 15)
                return 0;
            k = leaf_at(&db->blk6[l & ~PDB_LEAF_KIND], addr[byte]);
            l = db->leaf6[k];
            if ((l & PDB_LEAF_KIND) == 0)
                return db->lasn6[k];
        }
    }
    return sq_prefixdb_asn(db, sq_prefixdb_find6(db, addr));
}

/* Decimal of v (< 1000) at p; returns the next position. */
static char *
put_dec(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* "a.b.c.d/len" without snprintf: the hot path of db lookup. */
static void
format_prefix4(uint32_t addr, unsigned len, char out[48])
{
    char *p = out;

    for (int shift = 24; shift >= 0; shift -= 8) {
        p = put_dec(p, (addr >> shift) & 0xff);
        *p++ = shift ? '.' : '/';
    }
    p = put_dec(p, len);
    *p = '\0';
}

SQ_API unsigned long
sq_prefixdb_asn(const sq_prefixdb *db, uint32_t handle)
{
    if (db == NULL || handle == 0 || !handle_ok(db, handle, handle >> 31))
        return 0;
    if ((handle & PDB_H6) == 0)
        return db->asn4[handle];
    return db->asn6[handle & ~PDB_H6];
}

SQ_API sq_status
sq_prefixdb_entry(const sq_prefixdb *db, uint32_t handle,
                  sq_prefixdb_result *out)
{
    const pdb_record *r;
    sq_ipaddr a;
    unsigned len;
    size_t n;

    if (db == NULL || handle == 0 || !handle_ok(db, handle, handle >> 31))
        return SQ_ENOTFOUND;
    if ((handle & PDB_H6) == 0) {
        const pdb_entry4 *e = &db->ent4[handle - 1];

        r = &db->rec[e->record];
        format_prefix4(e->addr, e->len, out->prefix);
    } else {
        const pdb_entry *e = &db->ent6[(handle & ~PDB_H6) - 1];

        memset(&a, 0, sizeof(a));
        memcpy(a.b, e->addr, 16);
        len = e->len;
        r = &db->rec[e->record];
        n = sq_ipaddr_format(&a, out->prefix);
        snprintf(out->prefix + n, sizeof(out->prefix) - n, "/%u", len);
    }
    out->asn = r->asn;
    out->as_name = db->str + r->as_name;
    out->source = db->str + db->src[r->source].name;
    out->country = db->str + r->country;
    out->registry = db->str + r->registry;
    out->abuse = db->str + r->abuse;
    return SQ_OK;
}

SQ_API sq_status
sq_prefixdb_lookup(const sq_prefixdb *db, const char *ip, size_t len,
                   sq_prefixdb_result *out)
{
    sq_ipaddr a;
    uint32_t h;

    if (db == NULL || ip == NULL || !sq_ipaddr_parse(ip, len, &a))
        return SQ_EINVAL;
    h = sq_prefixdb_find6(db, a.b);
    return sq_prefixdb_entry(db, h, out);
}

SQ_API sq_status
sq_prefixdb_as(const sq_prefixdb *db, unsigned long asn, const char **name,
               const char **country, const char **abuse, unsigned long *ups,
               size_t nups, size_t *nups_out)
{
    size_t lo = 0, hi;
    const pdb_as *a;
    size_t k;

    if (db == NULL || asn > UINT32_MAX)
        return SQ_ENOTFOUND;
    hi = db->nas;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (db->as[mid].asn < asn)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= db->nas || db->as[lo].asn != asn)
        return SQ_ENOTFOUND;
    a = &db->as[lo];
    if (name != NULL)
        *name = db->str + a->name;
    if (country != NULL)
        *country = db->str + a->country;
    if (abuse != NULL)
        *abuse = db->str + a->abuse;
    for (k = 0; ups != NULL && k < nups && k < a->prov_count; k++)
        ups[k] = db->prov[a->prov_off + k];
    if (nups_out != NULL)
        *nups_out = k;
    return SQ_OK;
}

SQ_API void
sq_prefixdb_get_info(const sq_prefixdb *db, sq_prefixdb_info *out)
{
    memset(out, 0, sizeof(*out));
    if (db == NULL)
        return;
    out->version = db->h.version;
    out->built = (long long)db->h.built;
    out->prefixes4 = (size_t)db->h.prefixes4;
    out->prefixes6 = (size_t)db->h.prefixes6;
    out->ases = db->nas;
    out->file_bytes = db->len;
    out->nsources = db->nsrc;
}

SQ_API sq_status
sq_prefixdb_source(const sq_prefixdb *db, size_t i, const char **name,
                   const char **date, size_t *entries, const char **attribution)
{
    const pdb_source_rec *s;

    if (db == NULL || i >= db->nsrc)
        return SQ_ENOTFOUND;
    s = &db->src[i];
    if (name != NULL)
        *name = db->str + s->name;
    if (date != NULL)
        *date = db->str + s->date;
    if (entries != NULL)
        *entries = (size_t)s->entries;
    if (attribution != NULL)
        *attribution = db->str + s->attribution;
    return SQ_OK;
}
