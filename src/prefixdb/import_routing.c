/*
 * import_routing.c - routing-table derived sources:
 *
 *   iptoasn   ip2asn-combined.tsv: start\tend\tAS\tcountry\tdescription
 *             (AS 0 means "not routed": skipped)
 *   pfx2as    CAIDA routeviews-rv2-*.pfx2as: prefix\tlength\tAS
 *   as-rel    CAIDA as-rel: provider|customer|-1, peer|peer|0, '#'
 *             comments; serial-2 files add a 4th column (the source)
 */
#include "prefixdb/import_int.h"

#include <string.h>

enum { MAX_COLS = 8 };

/* Split on sep into at most MAX_COLS columns; returns the count (more
 * than MAX_COLS columns: MAX_COLS + 1). */
static size_t
split(const char *s, size_t n, char sep, const char *col[], size_t len[])
{
    size_t k = 0, i = 0;

    for (;;) {
        const char *e = memchr(s + i, sep, n - i);
        size_t j = e ? (size_t)(e - s) : n;

        if (k == MAX_COLS)
            return MAX_COLS + 1;
        col[k] = s + i;
        len[k++] = j - i;
        if (e == NULL)
            return k;
        i = j + 1;
    }
}

static int
nomem(const char **why)
{
    *why = pdb_why_nomem;
    return -1;
}

int
pdb_line_iptoasn(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                 const char **why)
{
    const char *col[MAX_COLS];
    size_t len[MAX_COLS], k;
    uint8_t lo[16], hi[16];
    char name[PDB_NAME_MAX + 1], cc[3];
    const char *namep = NULL, *ccp = NULL;
    uint32_t asn;
    int v4, v4b;

    if (n == 0 || s[0] == '#')
        return 0;
    k = split(s, n, '\t', col, len);
    if (k != 5) {
        *why = "expected 5 tab-separated columns";
        return -1;
    }
    if (!pdb_addr(col[0], len[0], lo, &v4) ||
        !pdb_addr(col[1], len[1], hi, &v4b) || v4 != v4b) {
        *why = "bad range start or end";
        return -1;
    }
    if (memcmp(lo, hi, 16) > 0) {
        *why = "range start after range end";
        return -1;
    }
    if (!pdb_u32(col[2], len[2], &asn)) {
        *why = "bad AS number";
        return -1;
    }
    if (asn == 0)
        return 0; /* not routed */
    if (len[3] == 2 && !sq_strncaseeq(col[3], 2, "ZZ")) {
        memcpy(cc, col[3], 2);
        cc[2] = '\0';
        ccp = cc;
    }
    if (len[4] > 0 && !sq_strncaseeq(col[4], len[4], "Not routed"))
        namep = pdb_copy_name(name, col[4], len[4]);
    if (pdb_add_range(b, src, lo, hi, v4, asn, namep, ccp, NULL, NULL) != SQ_OK)
        return nomem(why);
    if (namep && pdb_add_as(b, src, asn, namep, NULL, NULL) != SQ_OK)
        return nomem(why);
    return 1;
}

/* The AS column: "13335", multi-origin "64512_64513", AS set
 * "64512,64513" (or a mix).  We keep the first AS: the database holds
 * one origin per prefix, and CAIDA lists the most seen one first. */
static int
first_as(const char *s, size_t n, uint32_t *asn)
{
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i < n && s[i] != '_' && s[i] != ',')
        return 0;
    return pdb_u32(s, i, asn);
}

int
pdb_line_pfx2as(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                const char **why)
{
    const char *col[MAX_COLS];
    size_t len[MAX_COLS];
    uint8_t a[16], lo[16], hi[16];
    uint32_t plen, asn;
    int v4;

    if (n == 0 || s[0] == '#')
        return 0;
    if (split(s, n, '\t', col, len) != 3) {
        *why = "expected 3 tab-separated columns";
        return -1;
    }
    if (!pdb_addr(col[0], len[0], a, &v4)) {
        *why = "bad prefix address";
        return -1;
    }
    if (!pdb_u32(col[1], len[1], &plen) ||
        !pdb_prefix_range(a, plen, v4, lo, hi) || memcmp(a, lo, 16) != 0) {
        *why = "bad prefix length (or host bits set)";
        return -1;
    }
    if (!first_as(col[2], len[2], &asn)) {
        *why = "bad AS number";
        return -1;
    }
    if (pdb_add_range(b, src, lo, hi, v4, asn, NULL, NULL, NULL, NULL) != SQ_OK)
        return nomem(why);
    return 1;
}

int
pdb_line_asrel(sq_prefixdb_builder *b, int src, const char *s, size_t n,
               const char **why)
{
    const char *col[MAX_COLS];
    size_t len[MAX_COLS], k;
    uint32_t x, y;

    (void)src;
    if (n == 0 || s[0] == '#')
        return 0;
    k = split(s, n, '|', col, len);
    if (k != 3 && k != 4) {
        *why = "expected as1|as2|rel[|source]";
        return -1;
    }
    if (!pdb_u32(col[0], len[0], &x) || !pdb_u32(col[1], len[1], &y)) {
        *why = "bad AS number";
        return -1;
    }
    if (len[2] == 2 && memcmp(col[2], "-1", 2) == 0) {
        if (pdb_add_rel(b, x, y) != SQ_OK)
            return nomem(why);
        return 1;
    }
    if (len[2] == 1 && col[2][0] == '0')
        return 1; /* peers: valid, but no upstream */
    *why = "relationship is neither -1 nor 0";
    return -1;
}

static sq_status
import_simple(sq_prefixdb_builder *b, sq_prefixdb_format fmt,
              const char *attribution, const char *path, sq_diag *d)
{
    pdb_file f;
    int src;
    sq_status rc = pdb_file_open(path, d, &f);

    if (rc != SQ_OK)
        return rc;
    rc = pdb_source_or_fail(b, fmt, attribution, "", path, d, &src);
    if (rc == SQ_OK)
        rc = pdb_file_lines(&f, b, src, fmt, d, NULL);
    pdb_file_close(&f);
    return rc;
}

sq_status
pdb_import_iptoasn(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    return import_simple(b, SQ_PDB_IPTOASN, "iptoasn.com", path, d);
}

sq_status
pdb_import_pfx2as(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    return import_simple(
        b, SQ_PDB_PFX2AS,
        "CAIDA Routeviews Prefix-to-AS mappings "
        "(www.caida.org/catalog/datasets/routeviews-prefix2as)",
        path, d);
}

sq_status
pdb_import_asrel(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    return import_simple(b, SQ_PDB_ASREL,
                         "CAIDA AS Relationships "
                         "(www.caida.org/catalog/datasets/as-relationships)",
                         path, d);
}
