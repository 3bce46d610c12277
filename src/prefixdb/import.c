/*
 * import.c - the importers' common ground: format names, the
 * sq_prefixdb_import() dispatch, a bounded line reader over an mmap'ed
 * file (LF or CRLF, lines up to PDB_LINE_MAX, bad lines reported as
 * "path:line: message") and pdb_line(), which hands one line to the
 * format's parser.  The parsers live in import_<family>.c.
 */
#include "prefixdb/import_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char pdb_why_nomem[] = "out of memory";

static const char *const format_names[SQ_PDB_FORMAT_COUNT] = {
    [SQ_PDB_IPLOCDB] = "ip-location-db",
    [SQ_PDB_MMDB] = "mmdb",
    [SQ_PDB_IPTOASN] = "iptoasn",
    [SQ_PDB_PFX2AS] = "pfx2as",
    [SQ_PDB_DELEGATED] = "delegated",
    [SQ_PDB_ASREL] = "as-rel",
    [SQ_PDB_RPSL] = "rpsl",
};

typedef sq_status (*import_fn)(sq_prefixdb_builder *, const char *, sq_diag *);
static const import_fn importers[SQ_PDB_FORMAT_COUNT] = {
    [SQ_PDB_IPLOCDB] = pdb_import_iplocdb,
    [SQ_PDB_MMDB] = pdb_import_mmdb,
    [SQ_PDB_IPTOASN] = pdb_import_iptoasn,
    [SQ_PDB_PFX2AS] = pdb_import_pfx2as,
    [SQ_PDB_DELEGATED] = pdb_import_delegated,
    [SQ_PDB_ASREL] = pdb_import_asrel,
    [SQ_PDB_RPSL] = pdb_import_rpsl,
};

typedef int (*line_fn)(sq_prefixdb_builder *, int, const char *, size_t,
                       const char **);
static const line_fn line_parsers[SQ_PDB_FORMAT_COUNT] = {
    [SQ_PDB_IPLOCDB] = pdb_line_iplocdb,
    [SQ_PDB_MMDB] = NULL, /* binary: no lines */
    [SQ_PDB_IPTOASN] = pdb_line_iptoasn,
    [SQ_PDB_PFX2AS] = pdb_line_pfx2as,
    [SQ_PDB_DELEGATED] = pdb_line_delegated,
    [SQ_PDB_ASREL] = pdb_line_asrel,
    [SQ_PDB_RPSL] = pdb_line_rpsl,
};

SQ_API sq_status
sq_prefixdb_format_from_name(const char *name, sq_prefixdb_format *out)
{
    if (name == NULL || out == NULL)
        return SQ_EINVAL;
    for (int i = 0; i < SQ_PDB_FORMAT_COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (sq_prefixdb_format)i;
            return SQ_OK;
        }
    }
    return SQ_EINVAL;
}

SQ_API const char *
sq_prefixdb_format_name(sq_prefixdb_format f)
{
    if ((int)f < 0 || f >= SQ_PDB_FORMAT_COUNT)
        return "unknown";
    return format_names[f];
}

SQ_API sq_status
sq_prefixdb_import(sq_prefixdb_builder *b, sq_prefixdb_format f,
                   const char *path, sq_diag *d)
{
    if (b == NULL || path == NULL || (int)f < 0 || f >= SQ_PDB_FORMAT_COUNT)
        return SQ_EINVAL;
    return importers[f](b, path, d);
}

int
pdb_line(sq_prefixdb_builder *b, int src, sq_prefixdb_format f, const char *s,
         size_t n, const char **why)
{
    static const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if ((int)f < 0 || f >= SQ_PDB_FORMAT_COUNT || line_parsers[f] == NULL) {
        *why = "format has no text lines";
        return -1;
    }
    if (s == NULL)
        n = 0;
    if (n > PDB_LINE_MAX) {
        *why = "line longer than 64 KiB";
        return -1;
    }
    return line_parsers[f](b, src, s == NULL ? "" : s, n, why);
}

/* ---- files ---- */

static sq_status
read_fd(int fd, const char *path, size_t size, sq_diag *d, pdb_file *out)
{
    char *buf = malloc(size ? size : 1);
    size_t got = 0;

    if (buf == NULL)
        return SQ_ENOMEM;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r < 0)
                sq_diag_addf(d, path, 0, "%s", strerror(errno));
            else
                sq_diag_addf(d, path, 0, "file shrank while reading");
            free(buf);
            return SQ_EIO;
        }
        got += (size_t)r;
    }
    out->buf = buf;
    out->len = got;
    out->mapped = 0;
    return SQ_OK;
}

sq_status
pdb_file_open(const char *path, sq_diag *d, pdb_file *out)
{
    struct stat st;
    sq_status rc = SQ_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        return SQ_EIO;
    }
    if (fstat(fd, &st) != 0) {
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        rc = SQ_EIO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        sq_diag_addf(d, path, 0, "%s",
                     S_ISDIR(st.st_mode) ? "is a directory"
                                         : "not a regular file");
        rc = SQ_EIO;
        goto out;
    }
    if (st.st_size == 0) {
        sq_diag_addf(d, path, 0, "empty file");
        rc = SQ_EPARSE;
        goto out;
    }
    if ((unsigned long long)st.st_size > (size_t)-1 / 2) {
        sq_diag_addf(d, path, 0, "file too large");
        rc = SQ_EIO;
        goto out;
    }
    out->path = path;
    out->len = (size_t)st.st_size;
    out->mapped = 0;
    out->buf = "";
    void *m = mmap(NULL, out->len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
        (void)madvise(m, out->len, MADV_SEQUENTIAL);
        out->buf = m;
        out->mapped = 1;
    } else {
        rc = read_fd(fd, path, out->len, d, out);
    }
out:
    close(fd);
    return rc;
}

void
pdb_file_close(pdb_file *f)
{
    if (f == NULL)
        return;
    if (f->mapped)
        munmap((void *)f->buf, f->len);
    else if (f->len > 0)
        free((void *)f->buf);
    f->buf = "";
    f->len = 0;
    f->mapped = 0;
}

static void
report_bad(const pdb_file *f, sq_diag *d, size_t bad, size_t lineno,
           const char *why)
{
    if (bad <= PDB_BAD_SHOWN)
        sq_diag_addf(d, f->path, (unsigned)lineno, "%s",
                     why ? why : "bad line");
}

sq_status
pdb_file_lines(const pdb_file *f, sq_prefixdb_builder *b, int src,
               sq_prefixdb_format fmt, sq_diag *d, size_t *used_out)
{
    const char *p = f->buf, *end = f->buf + f->len;
    size_t lineno = 0, used = 0, bad = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        const char *why = NULL;
        int r;

        lineno++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        r = pdb_line(b, src, fmt, p, n, &why);
        if (r > 0) {
            used++;
        } else if (r < 0) {
            if (why == pdb_why_nomem) {
                sq_diag_addf(d, f->path, (unsigned)lineno, "out of memory");
                return SQ_ENOMEM;
            }
            bad++;
            report_bad(f, d, bad, lineno, why);
        }
        p = nl ? nl + 1 : end;
    }
    if (bad > PDB_BAD_SHOWN)
        sq_diag_addf(d, f->path, 0, "... and %zu more bad lines",
                     bad - PDB_BAD_SHOWN);
    if (used_out)
        *used_out = used;
    if (used == 0) {
        sq_diag_addf(d, f->path, 0, "no usable line (%zu lines, %zu bad)",
                     lineno, bad);
        return SQ_EPARSE;
    }
    return SQ_OK;
}

sq_status
pdb_source_or_fail(sq_prefixdb_builder *b, sq_prefixdb_format f,
                   const char *attribution, const char *date, const char *path,
                   sq_diag *d, int *src)
{
    *src = pdb_source(b, f, attribution, date ? date : "");
    if (*src < 0) {
        sq_diag_addf(d, path, 0, "too many sources in one database (max %d)",
                     PDB_MAX_SOURCES);
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

/* ---- small scanners ---- */

int
pdb_u32(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;

    if (n == 0 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';

        if (c > 9 || v > (UINT32_MAX - c) / 10)
            return 0;
        v = v * 10 + c;
    }
    *out = v;
    return 1;
}

/* Dotted quad, no leading zeros: the hot path of ip-location-db. */
static int
parse_v4(const char *s, size_t n, uint8_t out[16])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;

        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255 ||
            (digits > 1 && s[i - digits] == '0'))
            return 0;
        out[12 + part] = (uint8_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i != n)
        return 0;
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    return 1;
}

int
pdb_addr(const char *s, size_t n, uint8_t out[16], int *v4)
{
    sq_ipaddr a;

    if (n > 0 && n <= 15 && parse_v4(s, n, out)) {
        *v4 = 1;
        return 1;
    }
    if (n == 0 || n > 45 || memchr(s, ':', n) == NULL ||
        !sq_ipaddr_parse(s, n, &a))
        return 0;
    memcpy(out, a.b, 16);
    *v4 = a.v4 != 0;
    return 1;
}

char *
pdb_copy_name(char *out, const char *s, size_t n)
{
    if (n > PDB_NAME_MAX)
        n = PDB_NAME_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        out[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[n] = '\0';
    return out;
}

int
pdb_prefix_range(const uint8_t addr[16], unsigned len, int v4, uint8_t lo[16],
                 uint8_t hi[16])
{
    unsigned bits = v4 ? len + 96 : len;

    if (len > (v4 ? 32u : 128u))
        return 0;
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = bits >= 8 * (i + 1) ? 8
                        : bits > 8 * i      ? bits - 8 * i
                                            : 0;
        uint8_t mask = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));

        lo[i] = addr[i] & mask;
        hi[i] = (uint8_t)(lo[i] | (uint8_t)~mask);
    }
    return 1;
}
