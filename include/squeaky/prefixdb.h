/*
 * squeaky/prefixdb.h - the offline prefix database: which network and
 * AS an address is in, millions of times a second, with no network.
 *
 * A database is one file (default $XDG_DATA_HOME/squeaky/prefix.db),
 * versioned and checksummed, written atomically (write + rename) by a
 * builder from one or more imports, and read through mmap.  Lookups are
 * longest-prefix match over IPv4 and IPv6; every answer names its
 * source.  An open database is read-only and safe to share between
 * threads.
 */
#ifndef SQUEAKY_PREFIXDB_H
#define SQUEAKY_PREFIXDB_H

#include <squeaky/core.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sq_prefixdb sq_prefixdb;

/* One answer.  Strings are borrowed from the database ("" when the
 * source does not say). */
typedef struct sq_prefixdb_result {
    char prefix[48];      /* the matching prefix, "1.0.0.0/24" */
    unsigned long asn;    /* origin AS, 0 when unknown */
    const char *as_name;  /* AS organisation */
    const char *source;   /* "ip-location-db", "pfx2as", ... */
    const char *country;  /* ISO 3166 code */
    const char *registry; /* arin, ripencc, ... */
    const char *abuse;    /* an offline abuse contact (RPSL dumps) */
} sq_prefixdb_result;

/* Open path (NULL: the default).  SQ_ENOTFOUND when it does not exist;
 * SQ_EPARSE for a corrupt, truncated or foreign file (one-line message
 * in d). */
SQ_API sq_status sq_prefixdb_open(const char *path, sq_diag *d,
                                  sq_prefixdb **out);
SQ_API void sq_prefixdb_close(sq_prefixdb *db);
SQ_API sq_status sq_prefixdb_default_path(char *buf, size_t buflen);

/*
 * The fast path: an entry handle (0: no prefix covers the address) for
 * an IPv4 address in host byte order, or an IPv6 address (16 bytes,
 * network order; v4-mapped addresses are looked up as IPv4).
 */
SQ_API uint32_t sq_prefixdb_find4(const sq_prefixdb *db, uint32_t addr);
SQ_API uint32_t sq_prefixdb_find6(const sq_prefixdb *db,
                                  const uint8_t addr[16]);
/* n lookups at once (the batched figure of the benchmark). */
SQ_API void sq_prefixdb_find4_batch(const sq_prefixdb *db,
                                    const uint32_t *addrs, size_t n,
                                    uint32_t *out);
/* Address -> origin AS in one call (0: no prefix or no AS), the fast
 * path for counting by AS: no entry, record or string is touched.
 * addr as in find4 / find6. */
SQ_API unsigned long sq_prefixdb_asn4(const sq_prefixdb *db, uint32_t addr);
SQ_API unsigned long sq_prefixdb_asn6(const sq_prefixdb *db,
                                      const uint8_t addr[16]);
/* The origin AS of an entry alone (0: none or handle 0), without
 * formatting anything: the cheapest "address → AS". */
SQ_API unsigned long sq_prefixdb_asn(const sq_prefixdb *db, uint32_t handle);
/* What an entry says; SQ_ENOTFOUND for handle 0. */
SQ_API sq_status sq_prefixdb_entry(const sq_prefixdb *db, uint32_t handle,
                                   sq_prefixdb_result *out);

/* Text address → result.  SQ_EINVAL: not an address; SQ_ENOTFOUND: no
 * prefix covers it. */
SQ_API sq_status sq_prefixdb_lookup(const sq_prefixdb *db, const char *ip,
                                    size_t len, sq_prefixdb_result *out);

/* An AS's name, country, abuse contact and upstreams (CAIDA as-rel
 * providers); SQ_ENOTFOUND when the AS is not in the database.  ups
 * gets at most nups providers; *nups_out the count written. */
SQ_API sq_status sq_prefixdb_as(const sq_prefixdb *db, unsigned long asn,
                                const char **name, const char **country,
                                const char **abuse, unsigned long *ups,
                                size_t nups, size_t *nups_out);

/* What `squeaky db info` prints. */
typedef struct sq_prefixdb_info {
    unsigned version;
    long long built; /* epoch seconds */
    size_t prefixes4, prefixes6, ases, file_bytes;
    size_t nsources;
} sq_prefixdb_info;
SQ_API void sq_prefixdb_get_info(const sq_prefixdb *db, sq_prefixdb_info *out);
/* Source i: name, import date ("" unknown), entries, attribution. */
SQ_API sq_status sq_prefixdb_source(const sq_prefixdb *db, size_t i,
                                    const char **name, const char **date,
                                    size_t *entries, const char **attribution);

/* ---- building ---- */

typedef struct sq_prefixdb_builder sq_prefixdb_builder;

typedef enum sq_prefixdb_format {
    SQ_PDB_IPLOCDB = 0, /* ip-location-db asn-ipv4/6.csv: start,end,asn,org */
    SQ_PDB_MMDB,        /* GeoLite2-ASN / DB-IP ASN .mmdb (libmaxminddb) */
    SQ_PDB_IPTOASN,     /* iptoasn ip2asn-combined.tsv */
    SQ_PDB_PFX2AS,      /* CAIDA routeviews-rv2-*.pfx2as */
    SQ_PDB_DELEGATED,   /* RIR delegated-extended statistics */
    SQ_PDB_ASREL,       /* CAIDA as-rel (provider/customer/peer) */
    SQ_PDB_RPSL,        /* RIR split dumps: inetnum/inet6num, role, irt */
    SQ_PDB_FORMAT_COUNT
} sq_prefixdb_format;

/* "ip-location-db", "mmdb", "iptoasn", "pfx2as", "delegated", "as-rel",
 * "rpsl"; SQ_EINVAL for other names. */
SQ_API sq_status sq_prefixdb_format_from_name(const char *name,
                                              sq_prefixdb_format *out);
SQ_API const char *sq_prefixdb_format_name(sq_prefixdb_format f);

SQ_API sq_status sq_prefixdb_builder_new(sq_prefixdb_builder **out);
SQ_API void sq_prefixdb_builder_free(sq_prefixdb_builder *b);

/* Import one file.  Overlaps between sources are resolved by the
 * format's documented priority (docs/PREFIXDB.md); the most specific
 * prefix wins at lookup.  Bad lines are counted and reported as
 * file:line in d (the first 10); SQ_EPARSE when nothing could be read. */
SQ_API sq_status sq_prefixdb_import(sq_prefixdb_builder *b,
                                    sq_prefixdb_format f, const char *path,
                                    sq_diag *d);

/* Write the database to path atomically (path.tmp + fsync + rename). */
SQ_API sq_status sq_prefixdb_builder_write(sq_prefixdb_builder *b,
                                           const char *path, sq_diag *d);

#ifdef __cplusplus
}
#endif
#endif
