/*
 * import_int.h - what the prefix database importers (import*.c) share:
 * the bounded line reader of import.c and the per-format line parsers
 * pdb_line() dispatches to.  Never installed.
 */
#ifndef SQ_PDB_IMPORT_INT_H
#define SQ_PDB_IMPORT_INT_H

#include "prefixdb/pdb_int.h"

#include <stddef.h>
#include <stdint.h>

enum {
    PDB_LINE_MAX = 64 * 1024, /* longer lines are bad lines */
    PDB_BAD_SHOWN = 10        /* bad lines reported one by one */
};

/* A line parser sets *why to this when the builder ran out of memory:
 * the reader stops with SQ_ENOMEM instead of counting a bad line. */
extern const char pdb_why_nomem[];

/* A whole input file, read-only (mmap, or read when mmap is refused). */
typedef struct pdb_file {
    const char *path;
    const char *buf;
    size_t len;
    int mapped;
} pdb_file;

/* SQ_EIO "path: strerror" when the file cannot be opened or read;
 * SQ_EPARSE "path: empty file" for an empty one (checked before the
 * importer registers its source). */
sq_status pdb_file_open(const char *path, sq_diag *d, pdb_file *out);
void pdb_file_close(pdb_file *f);

/* Run every line of f (LF or CRLF) through pdb_line(b, src, fmt):
 * bad lines counted and the first PDB_BAD_SHOWN reported as
 * "path:line: message", then "... and N more bad lines".  SQ_EPARSE
 * when no line was usable; *used_out (may be NULL) gets the count. */
sq_status pdb_file_lines(const pdb_file *f, sq_prefixdb_builder *b, int src,
                         sq_prefixdb_format fmt, sq_diag *d, size_t *used_out);

/* Register the source or say why not (SQ_ECONFIG "too many sources"). */
sq_status pdb_source_or_fail(sq_prefixdb_builder *b, sq_prefixdb_format f,
                             const char *attribution, const char *date,
                             const char *path, sq_diag *d, int *src);

/* Small shared scanners: a decimal uint32 (no sign, no overflow) over
 * the whole of [s, s+n); 1 on success. */
int pdb_u32(const char *s, size_t n, uint32_t *out);
/* An address over the whole of [s, s+n) (IPv4 fast path, then IPv6). */
int pdb_addr(const char *s, size_t n, uint8_t out[16], int *v4);
/* Copy [s, s+n) into out (size PDB_NAME_MAX + 1), cut and NUL-ended,
 * control bytes replaced by spaces.  Returns out. */
char *pdb_copy_name(char *out, const char *s, size_t n);
/* lo/hi of prefix/len over the 128-bit form (v4: len counts from bit
 * 96).  0 when len is out of range. */
int pdb_prefix_range(const uint8_t addr[16], unsigned len, int v4,
                     uint8_t lo[16], uint8_t hi[16]);

/* The per-format line parsers (same contract as pdb_line). */
int pdb_line_iplocdb(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                     const char **why);
int pdb_line_iptoasn(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                     const char **why);
int pdb_line_pfx2as(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                    const char **why);
int pdb_line_asrel(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                   const char **why);
int pdb_line_delegated(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                       const char **why);
/* RPSL: [s, s+n) is one object (lines separated by LF); only an inetnum
 * carrying its own abuse-mailbox can be used alone. */
int pdb_line_rpsl(sq_prefixdb_builder *b, int src, const char *s, size_t n,
                  const char **why);

#endif
