/*
 * import_iplocdb.c - the ip-location-db ASN CSVs (npm @ip-location-db/asn:
 * asn-ipv4.csv, asn-ipv6.csv and the -num variants):
 *
 *     start,end,asn,org        e.g. 1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
 *
 * RFC 4180 fields (quoted fields may hold commas and doubled quotes);
 * start and end are addresses, or decimal integers in the -num files
 * (a range whose ends both fit in 32 bits is IPv4 there).  This is the
 * README's set-up path: addresses are scanned by hand, no allocation
 * per line.
 */
#include "prefixdb/import_int.h"

#include <stdio.h>
#include <string.h>

/* What CC BY 4.0 asks of us for this package (its DBIP-LICENSE,
 * ROUTEVIEWS-LICENSE, NRO_LICENSE and MODIFICATIONS files): credit each
 * source, link the licence, say the data was modified.  DB-IP asks web
 * pages for the link text "IP Geolocation by DB-IP". */
static const char iplocdb_attribution[] =
    "ip-location-db/asn (CC BY 4.0, creativecommons.org/licenses/by/4.0): "
    "Route Views (routeviews.org); IP Geolocation by DB-IP (db-ip.com); "
    "NRO (nro.net); merged with modifications by ip-location-db";

enum { CSV_FIELDS = 4 };

typedef struct csv_field {
    const char *s; /* raw bytes (quotes removed, "" still doubled) */
    size_t n;
    int quoted;
} csv_field;

/* Split [s, s+n) into exactly CSV_FIELDS fields; 0 on bad quoting or a
 * wrong field count. */
static int
csv_split(const char *s, size_t n, csv_field f[CSV_FIELDS], const char **why)
{
    size_t i = 0;

    for (int k = 0; k < CSV_FIELDS; k++) {
        f[k].quoted = i < n && s[i] == '"';
        if (f[k].quoted) {
            size_t j = ++i;

            for (;;) {
                const char *q = memchr(s + j, '"', n - j);

                if (q == NULL) {
                    *why = "unterminated quoted field";
                    return 0;
                }
                j = (size_t)(q - s);
                if (j + 1 < n && s[j + 1] == '"') {
                    j += 2;
                    continue;
                }
                break;
            }
            f[k].s = s + i;
            f[k].n = j - i;
            i = j + 1;
        } else {
            const char *c = memchr(s + i, ',', n - i);
            size_t j = c ? (size_t)(c - s) : n;

            f[k].s = s + i;
            f[k].n = j - i;
            i = j;
        }
        if (k < CSV_FIELDS - 1) {
            if (i >= n || s[i] != ',') {
                *why = i >= n ? "expected 4 fields" : "text after a quote";
                return 0;
            }
            i++;
        } else if (i != n) {
            *why = f[k].quoted ? "text after a quote" : "more than 4 fields";
            return 0;
        }
    }
    return 1;
}

/* A decimal integer up to 2^128-1 into 16 big-endian bytes. */
static int
parse_num128(const char *s, size_t n, uint8_t out[16])
{
    if (n == 0 || n > 39)
        return 0;
    memset(out, 0, 16);
    for (size_t i = 0; i < n; i++) {
        unsigned carry = (unsigned char)s[i] - '0';

        if (carry > 9)
            return 0;
        for (int k = 15; k >= 0; k--) {
            unsigned v = out[k] * 10u + carry;

            out[k] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry)
            return 0; /* overflow */
    }
    return 1;
}

static int
fits32(const uint8_t a[16])
{
    for (int i = 0; i < 12; i++)
        if (a[i])
            return 0;
    return 1;
}

static int
parse_ends(const csv_field *f, uint8_t lo[16], uint8_t hi[16], int *v4)
{
    int v4b;

    if (f[0].n > 0 && f[0].s[0] >= '0' && f[0].s[0] <= '9' &&
        memchr(f[0].s, '.', f[0].n) == NULL &&
        memchr(f[0].s, ':', f[0].n) == NULL) {
        if (!parse_num128(f[0].s, f[0].n, lo) ||
            !parse_num128(f[1].s, f[1].n, hi))
            return 0;
        *v4 = fits32(lo) && fits32(hi);
        if (*v4)
            lo[10] = lo[11] = hi[10] = hi[11] = 0xff;
        return 1;
    }
    return pdb_addr(f[0].s, f[0].n, lo, v4) &&
           pdb_addr(f[1].s, f[1].n, hi, &v4b) && *v4 == v4b;
}

/* The organisation, "" unescaped, cut at PDB_NAME_MAX. */
static const char *
org_text(const csv_field *f, char out[PDB_NAME_MAX + 1])
{
    size_t o = 0;

    if (!f->quoted || memchr(f->s, '"', f->n) == NULL)
        return f->n ? pdb_copy_name(out, f->s, f->n) : NULL;
    for (size_t i = 0; i < f->n && o < PDB_NAME_MAX; i++) {
        unsigned char c = (unsigned char)f->s[i];

        if (c == '"')
            i++; /* the first of a doubled pair */
        out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[o] = '\0';
    return o ? out : NULL;
}

int
pdb_line_iplocdb(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                 const char **why)
{
    csv_field f[CSV_FIELDS];
    uint8_t lo[16], hi[16];
    char org[PDB_NAME_MAX + 1];
    const char *name;
    uint32_t asn;
    int v4;

    if (n == 0 || s[0] == '#')
        return 0;
    if (!csv_split(s, n, f, why))
        return -1;
    if (sq_strncaseeq(f[0].s, f[0].n, "ip_range_start"))
        return 0; /* a header some copies carry */
    if (!parse_ends(f, lo, hi, &v4)) {
        *why = "bad start or end address";
        return -1;
    }
    if (memcmp(lo, hi, 16) > 0) {
        *why = "range start after range end";
        return -1;
    }
    if (!pdb_u32(f[2].s, f[2].n, &asn)) {
        *why = "bad AS number";
        return -1;
    }
    name = org_text(&f[3], org);
    if (pdb_add_range(b, src, lo, hi, v4, asn, name, NULL, NULL, NULL) !=
        SQ_OK) {
        *why = pdb_why_nomem;
        return -1;
    }
    if (asn != 0 && name != NULL &&
        pdb_add_as(b, src, asn, name, NULL, NULL) != SQ_OK) {
        *why = pdb_why_nomem;
        return -1;
    }
    return 1;
}

/* The package date from package.json beside the CSV: "version":
 * "2.3.2026061719" ends in YYYYMMDDHH.  "" when absent. */
static void
package_date(const char *path, char date[11])
{
    char pj[4096], buf[4096];
    const char *slash = strrchr(path, '/');
    int len = slash ? (int)(slash - path) : 1;
    FILE *fp;
    size_t n;
    const char *v, *q;

    date[0] = '\0';
    if (snprintf(pj, sizeof pj, "%.*s/package.json", len, slash ? path : ".") >=
            (int)sizeof pj ||
        (fp = fopen(pj, "rb")) == NULL)
        return;
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    if ((v = strstr(buf, "\"version\"")) == NULL ||
        (v = strchr(v + 9, '"')) == NULL || (q = strchr(v + 1, '"')) == NULL)
        return;
    for (const char *p = q - 1; p > v; p--) {
        if (*p == '.') {
            if (q - p - 1 >= 8) {
                uint32_t ymd;

                if (pdb_u32(p + 1, 8, &ymd) && ymd >= 19700101)
                    snprintf(date, 11, "%.4s-%.2s-%.2s", p + 1, p + 5, p + 7);
            }
            return;
        }
    }
}

sq_status
pdb_import_iplocdb(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    pdb_file f;
    char date[11];
    int src;
    sq_status rc = pdb_file_open(path, d, &f);

    if (rc != SQ_OK)
        return rc;
    package_date(path, date);
    rc = pdb_source_or_fail(b, SQ_PDB_IPLOCDB, iplocdb_attribution, date, path,
                            d, &src);
    if (rc == SQ_OK)
        rc = pdb_file_lines(&f, b, src, SQ_PDB_IPLOCDB, d, NULL);
    pdb_file_close(&f);
    return rc;
}
