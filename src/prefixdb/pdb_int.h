/*
 * pdb_int.h - the prefix database's internal API (never installed):
 * what the importers (import*.c) call on the builder (build.c), and the
 * reader's helpers (read.c).
 */
#ifndef SQ_PDB_INT_H
#define SQ_PDB_INT_H

#include "core/core_int.h"

#include <squeaky/prefixdb.h>

#include <stddef.h>
#include <stdint.h>

enum {
    PDB_NAME_MAX = 255, /* AS names, attributions are cut here */
    PDB_MAX_SOURCES = 32
};

/*
 * Register the source a file brings (name from the format, priority
 * from the format: lower wins where two sources give the same prefix —
 * rpsl 0, delegated 1 (country/registry only), pfx2as 2, iptoasn 3,
 * ip-location-db 4, mmdb 5 — attribution text (CC-BY-4.0 notes for
 * ip-location-db), date as the file says or "").  Returns the source id
 * (0..PDB_MAX_SOURCES-1) or -1 when the table is full.
 */
int pdb_source(sq_prefixdb_builder *b, sq_prefixdb_format f,
               const char *attribution, const char *date);

/* One range [lo, hi] (16-byte network-order addresses; IPv4 as
 * ::ffff:a.b.c.d with v4 = 1) with what the source says of it.  Strings
 * may be NULL; they are copied (cut at PDB_NAME_MAX).  A range that is
 * not CIDR-aligned becomes the exact minimal set of prefixes.
 * SQ_EINVAL for lo > hi or mixed families. */
sq_status pdb_add_range(sq_prefixdb_builder *b, int src, const uint8_t lo[16],
                        const uint8_t hi[16], int v4, uint32_t asn,
                        const char *as_name, const char *country,
                        const char *registry, const char *abuse);

/* AS table: name/country/abuse (first non-empty value by source
 * priority wins) and provider → customer relations (as-rel -1 lines;
 * peers are not upstreams). */
sq_status pdb_add_as(sq_prefixdb_builder *b, int src, uint32_t asn,
                     const char *name, const char *country, const char *abuse);
sq_status pdb_add_rel(sq_prefixdb_builder *b, uint32_t provider,
                      uint32_t customer);

/* Importers (import_*.c): read path, feed the builder.  Each reports
 * bad lines as "path:line: message" (first 10 in d, then a count) and
 * returns SQ_EPARSE when no line could be used.  The line parsers they
 * use are exposed for the fuzzers. */
sq_status pdb_import_iplocdb(sq_prefixdb_builder *b, const char *path,
                             sq_diag *d);
sq_status pdb_import_mmdb(sq_prefixdb_builder *b, const char *path, sq_diag *d);
sq_status pdb_import_iptoasn(sq_prefixdb_builder *b, const char *path,
                             sq_diag *d);
sq_status pdb_import_pfx2as(sq_prefixdb_builder *b, const char *path,
                            sq_diag *d);
sq_status pdb_import_delegated(sq_prefixdb_builder *b, const char *path,
                               sq_diag *d);
sq_status pdb_import_asrel(sq_prefixdb_builder *b, const char *path,
                           sq_diag *d);
sq_status pdb_import_rpsl(sq_prefixdb_builder *b, const char *path, sq_diag *d);

/* Feed one line [s, s+n) of a text format (no newline); 1 used, 0
 * skipped (comment/header), -1 bad (why set to a static message).  For
 * the fuzzers and the importers. */
int pdb_line(sq_prefixdb_builder *b, int src, sq_prefixdb_format f,
             const char *s, size_t n, const char **why);

/* Reader over a buffer (the fuzzer): same checks as sq_prefixdb_open on
 * a file.  The buffer must outlive the database. */
sq_status pdb_open_buffer(const void *buf, size_t len, sq_diag *d,
                          sq_prefixdb **out);

#endif
