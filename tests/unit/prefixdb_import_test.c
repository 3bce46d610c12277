/*
 * prefixdb_import_test.c - the prefix database importers on small
 * samples (tests/data/pdb/, sources in tests/data/pdb/SOURCES).
 *
 * The builder here is a recording fake: this program defines
 * pdb_source/pdb_add_* and the builder's new/free itself, so the linker
 * takes them from here instead of build.c, and each check compares the
 * exact values an importer handed over.  The end-to-end part loads the
 * real library (libsqueaky.so beside this program's directory, through
 * its public API only) and checks what lookups on a written database
 * answer; it is skipped when the shared library is not built.
 */
#include "prefixdb/import_int.h"

#include "sqtest.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the recording fake builder ---- */

enum { REC_MAX = 4096 };

struct sq_prefixdb_builder {
    char *rec[REC_MAX];
    size_t n;
    char src_attr[PDB_MAX_SOURCES][PDB_NAME_MAX + 1];
    char src_date[PDB_MAX_SOURCES][32];
    int src_fmt[PDB_MAX_SOURCES];
    int nsrc;
};

SQ_API sq_status
sq_prefixdb_builder_new(sq_prefixdb_builder **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? SQ_OK : SQ_ENOMEM;
}

static void
fake_reset(sq_prefixdb_builder *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->rec[i]);
    b->n = 0;
}

SQ_API void
sq_prefixdb_builder_free(sq_prefixdb_builder *b)
{
    if (b == NULL)
        return;
    fake_reset(b);
    free(b);
}

static void
fake_add(sq_prefixdb_builder *b, const char *s)
{
    if (b->n < REC_MAX)
        b->rec[b->n++] = strdup(s);
}

int
pdb_source(sq_prefixdb_builder *b, sq_prefixdb_format f,
           const char *attribution, const char *date)
{
    if (b->nsrc >= PDB_MAX_SOURCES)
        return -1;
    snprintf(b->src_attr[b->nsrc], sizeof b->src_attr[0], "%s", attribution);
    snprintf(b->src_date[b->nsrc], sizeof b->src_date[0], "%s", date);
    b->src_fmt[b->nsrc] = (int)f;
    return b->nsrc++;
}

static void
fmt_addr(const uint8_t a[16], int v4, char out[46])
{
    sq_ipaddr x;

    memcpy(x.b, a, 16);
    x.v4 = (uint8_t)v4;
    sq_ipaddr_format(&x, out);
}

sq_status
pdb_add_range(sq_prefixdb_builder *b, int src, const uint8_t lo[16],
              const uint8_t hi[16], int v4, uint32_t asn, const char *as_name,
              const char *country, const char *registry, const char *abuse)
{
    char l[46], h[46], line[1400];

    if (memcmp(lo, hi, 16) > 0)
        return SQ_EINVAL;
    fmt_addr(lo, v4, l);
    fmt_addr(hi, v4, h);
    (void)src;
    snprintf(line, sizeof line, "net %s-%s %u %s|%s|%s|%s", l, h, asn,
             as_name ? as_name : "-", country ? country : "-",
             registry ? registry : "-", abuse ? abuse : "-");
    fake_add(b, line);
    return SQ_OK;
}

sq_status
pdb_add_as(sq_prefixdb_builder *b, int src, uint32_t asn, const char *name,
           const char *country, const char *abuse)
{
    char line[900];

    (void)src;
    snprintf(line, sizeof line, "as %u %s|%s|%s", asn, name ? name : "-",
             country ? country : "-", abuse ? abuse : "-");
    fake_add(b, line);
    return SQ_OK;
}

sq_status
pdb_add_rel(sq_prefixdb_builder *b, uint32_t provider, uint32_t customer)
{
    char line[64];

    snprintf(line, sizeof line, "rel %u>%u", provider, customer);
    fake_add(b, line);
    return SQ_OK;
}

/* ---- helpers ---- */

static const char *
data(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/pdb/%s", SQ_TEST_DATA_DIR, name);
    return buf;
}

/* Records starting with prefix, counted. */
static size_t
count_prefix(const sq_prefixdb_builder *b, const char *prefix)
{
    size_t k = 0, pl = strlen(prefix);

    for (size_t i = 0; i < b->n; i++)
        k += strncmp(b->rec[i], prefix, pl) == 0;
    return k;
}

static int
has(const sq_prefixdb_builder *b, const char *rec)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->rec[i], rec) == 0)
            return 1;
    return 0;
}

static size_t
ranges(const sq_prefixdb_builder *b)
{
    return count_prefix(b, "net ");
}

/* Import one sample into a fresh fake; returns the status. */
static sq_status
import(sq_prefixdb_builder *b, sq_prefixdb_format f, const char *name,
       sq_diag *d)
{
    char path[512];

    fake_reset(b);
    sq_diag_clear(d);
    return sq_prefixdb_import(b, f, data(name, path, sizeof path), d);
}

static void
test_format_names(void)
{
    sq_prefixdb_format f;

    for (int i = 0; i < SQ_PDB_FORMAT_COUNT; i++) {
        SQ_CHECK(sq_prefixdb_format_from_name(
                     sq_prefixdb_format_name((sq_prefixdb_format)i), &f) ==
                         SQ_OK &&
                     (int)f == i,
                 "format %d round trip", i);
    }
    SQ_CHECK(sq_prefixdb_format_from_name("as-rel", &f) == SQ_OK &&
                 f == SQ_PDB_ASREL,
             "as-rel by name");
    SQ_CHECK(sq_prefixdb_format_from_name("csv", &f) == SQ_EINVAL,
             "unknown name");
    SQ_CHECK_STR(sq_prefixdb_format_name(SQ_PDB_IPLOCDB), "ip-location-db",
                 "name");
}

static void
test_iplocdb(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_IPLOCDB, "asn-ipv4.csv", d);
    const char *attr = b->src_attr[b->nsrc - 1];

    SQ_CHECK(rc == SQ_OK, "asn-ipv4.csv: %d", rc);
    SQ_CHECK(ranges(b) == 200, "200 ranges, got %zu", ranges(b));
    SQ_CHECK_STR(b->rec[0],
                 "net 1.0.0.0-1.0.0.255 13335 Cloudflare, Inc.|-|-|-",
                 "quoted org with a comma");
    SQ_CHECK(has(b, "as 13335 Cloudflare, Inc.|-|-"), "AS name");
    SQ_CHECK(has(b, "net 2.26.200.0-2.26.215.255 201907 LLC \"SPUTNIK\"|-|-|-"),
             "doubled quotes");
    SQ_CHECK(has(b, "net 1.51.32.0-1.51.55.255 24361 CERNET2 IX at "
                    "Southeast University|-|-|-"),
             "unaligned range handed over as is");
    SQ_CHECK(sq_diag_count(d) == 0, "no messages, got %zu", sq_diag_count(d));
    SQ_CHECK(strstr(attr, "CC BY 4.0") && strstr(attr, "routeviews.org") &&
                 strstr(attr, "DB-IP") && strstr(attr, "nro.net") &&
                 strlen(attr) <= PDB_NAME_MAX,
             "attribution: %s", attr);
    SQ_CHECK(b->src_fmt[b->nsrc - 1] == SQ_PDB_IPLOCDB, "source format");

    rc = import(b, SQ_PDB_IPLOCDB, "asn-ipv6.csv", d);
    SQ_CHECK(rc == SQ_OK && ranges(b) == 50, "asn-ipv6.csv: %d %zu", rc,
             ranges(b));
    SQ_CHECK_STR(b->rec[0],
                 "net 2001::-2001:0:ffff:ffff:ffff:ffff:ffff:ffff 6939 "
                 "Hurricane Electric LLC|-|-|-",
                 "v6 range");
}

/* The -num files say the same as the text files, line by line. */
static void
test_iplocdb_num(sq_prefixdb_builder *b, sq_diag *d)
{
    static const char *const pairs[][2] = {
        {"asn-ipv4-num.csv", "asn-ipv4.csv"},
        {"asn-ipv6-num.csv", "asn-ipv6.csv"}};

    for (size_t p = 0; p < 2; p++) {
        sq_prefixdb_builder *t = NULL;
        size_t same = 0;

        SQ_CHECK(import(b, SQ_PDB_IPLOCDB, pairs[p][0], d) == SQ_OK, "%s",
                 pairs[p][0]);
        sq_prefixdb_builder_new(&t);
        SQ_CHECK(import(t, SQ_PDB_IPLOCDB, pairs[p][1], d) == SQ_OK, "%s",
                 pairs[p][1]);
        for (size_t i = 0; i < b->n && i < t->n; i++)
            same += strcmp(b->rec[i], t->rec[i]) == 0;
        SQ_CHECK(b->n > 20 && same == b->n, "%s: %zu of %zu records equal",
                 pairs[p][0], same, b->n);
        sq_prefixdb_builder_free(t);
    }
}

static void
test_iplocdb_bad(sq_prefixdb_builder *b, sq_diag *d)
{
    char path[512], want[600];
    sq_status rc = import(b, SQ_PDB_IPLOCDB, "iplocdb-bad.csv", d);

    data("iplocdb-bad.csv", path, sizeof path);
    SQ_CHECK(rc == SQ_OK, "bad lines do not stop the import: %d", rc);
    SQ_CHECK(ranges(b) == 4, "4 good lines, got %zu", ranges(b));
    SQ_CHECK(sq_diag_count(d) == 11, "10 bad lines + a count, got %zu",
             sq_diag_count(d));
    snprintf(want, sizeof want, "%s:4: bad AS number", path);
    SQ_CHECK_STR(sq_diag_message(d, 0), want, "first bad line");
    snprintf(want, sizeof want, "%s:5: unterminated quoted field", path);
    SQ_CHECK_STR(sq_diag_message(d, 1), want, "unterminated");
    snprintf(want, sizeof want, "%s:7: range start after range end", path);
    SQ_CHECK_STR(sq_diag_message(d, 3), want, "reversed");
    snprintf(want, sizeof want, "%s: ... and 1 more bad lines", path);
    SQ_CHECK_STR(sq_diag_message(d, 10), want, "the rest counted");
    SQ_CHECK(has(b, "net 1.0.0.0-1.0.0.255 13335 Cloudflare, Inc.|-|-|-"),
             "CRLF stripped");
    SQ_CHECK(has(b, "net 1.0.12.0-1.0.12.255 1 x|-|-|-"), "quoted x");
    SQ_CHECK(has(b, "net 1.0.13.1-1.0.14.2 64500 say \"hi\", ok|-|-|-"),
             "unaligned, quotes and comma");
    SQ_CHECK(has(b, "net 2001:db8::-2001:db8::ff 64501 -|-|-|-"),
             "empty org is NULL");
    SQ_CHECK(!has(b, "as 64501 -|-|-"), "no AS entry without a name");
}

static void
test_files(sq_prefixdb_builder *b, sq_diag *d)
{
    char path[512];
    sq_status rc = import(b, SQ_PDB_IPLOCDB, "empty.csv", d);

    SQ_CHECK(rc == SQ_EPARSE, "empty file: %d", rc);
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "empty.csv: empty file"),
             "empty file message");
    rc = import(b, SQ_PDB_IPTOASN, "no-such-file.tsv", d);
    snprintf(path, sizeof path,
             "%s/pdb/no-such-file.tsv: "
             "No such file or directory",
             SQ_TEST_DATA_DIR);
    SQ_CHECK(rc == SQ_EIO, "missing file: %d", rc);
    SQ_CHECK_STR(sq_diag_count(d) ? sq_diag_message(d, 0) : "", path,
                 "strerror");
    rc = import(b, SQ_PDB_RPSL, "", d); /* the directory */
    SQ_CHECK(rc == SQ_EIO, "directory: %d", rc);
    SQ_CHECK(sq_prefixdb_import(b, SQ_PDB_FORMAT_COUNT, path, d) == SQ_EINVAL,
             "bad format");
}

static void
test_iptoasn(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_IPTOASN, "iptoasn.tsv", d);

    SQ_CHECK(rc == SQ_OK, "iptoasn: %d", rc);
    SQ_CHECK(ranges(b) == 4, "AS 0 skipped: %zu ranges", ranges(b));
    SQ_CHECK(has(b, "net 1.0.0.0-1.0.0.255 13335 CLOUDFLARENET|US|-|-"),
             "first");
    SQ_CHECK(has(b, "net 2001:200::-2001:200:ffff:ffff:ffff:ffff:ffff:ffff "
                    "2500 WIDE-BB WIDE Project|JP|-|-"),
             "v6");
    SQ_CHECK(has(b, "net 1.0.8.0-1.0.8.255 64500 -|-|-|-"),
             "None country, empty name");
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "iptoasn.tsv:6: expected 5"),
             "bad line 6: %s", sq_diag_count(d) ? sq_diag_message(d, 0) : "");
}

static void
test_pfx2as(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_PFX2AS, "pfx2as.txt", d);

    SQ_CHECK(rc == SQ_OK, "pfx2as: %d", rc);
    SQ_CHECK(ranges(b) == 5, "5 prefixes, got %zu", ranges(b));
    SQ_CHECK(has(b, "net 1.0.64.0-1.0.127.255 18144 -|-|-|-"),
             "multi-origin: first AS");
    SQ_CHECK(has(b, "net 1.0.128.0-1.0.255.255 23969 -|-|-|-"),
             "AS set: first AS");
    SQ_CHECK(has(b, "net 2001:200::-2001:200:ffff:ffff:ffff:ffff:ffff:ffff "
                    "2500 -|-|-|-"),
             "v6 /32");
    SQ_CHECK(sq_diag_count(d) == 2 &&
                 strstr(sq_diag_message(d, 0), "pfx2as.txt:6: ") &&
                 strstr(sq_diag_message(d, 1), "pfx2as.txt:7: "),
             "host bits and /33 are bad");
}

static void
test_asrel(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_ASREL, "as-rel.txt", d);

    SQ_CHECK(rc == SQ_OK, "as-rel: %d", rc);
    SQ_CHECK(b->n == 2 && has(b, "rel 174>13335") && has(b, "rel 3356>13335"),
             "providers only (serial-2 column too): %zu", b->n);
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "as-rel.txt:7: "),
             "rel 5 is bad");
}

static void
test_delegated(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_DELEGATED, "delegated.txt", d);

    SQ_CHECK(rc == SQ_OK, "delegated: %d", rc);
    SQ_CHECK_STR(b->src_date[b->nsrc - 1], "2024-01-01", "date of the file");
    SQ_CHECK(ranges(b) == 3, "3 ranges, got %zu", ranges(b));
    SQ_CHECK(has(b, "net 2.0.0.0-2.15.255.255 0 -|FR|ripencc|-"), "/12");
    SQ_CHECK(has(b, "net 192.0.2.0-192.0.4.255 0 -|NL|ripencc|-"),
             "768 addresses: not CIDR");
    SQ_CHECK(has(b, "net 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff 0 "
                    "-|DE|ripencc|-"),
             "ipv6 /32");
    SQ_CHECK(has(b, "as 64500 -|GB|-") && has(b, "as 64501 -|GB|-") &&
                 !has(b, "as 64502 -|GB|-"),
             "asn block of 2");
    SQ_CHECK(sq_diag_count(d) == 2 &&
                 strstr(sq_diag_message(d, 0), "delegated.txt:11: ") &&
                 strstr(sq_diag_message(d, 1), "delegated.txt:12: "),
             "bad count and type reported");
}

static void
test_rpsl(sq_prefixdb_builder *b, sq_diag *d)
{
    sq_status rc = import(b, SQ_PDB_RPSL, "rpsl.txt", d);

    SQ_CHECK(rc == SQ_OK, "rpsl: %d", rc);
    SQ_CHECK(ranges(b) == 4, "4 ranges with a contact, got %zu", ranges(b));
    SQ_CHECK(has(b, "net 192.0.2.0-192.0.2.255 0 -|NL|-|abuse@example.net"),
             "abuse-c -> role defined later, handle case ignored");
    SQ_CHECK(has(b, "net 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff 0 "
                    "-|DE|-|irt@example.org"),
             "mnt-irt -> irt");
    SQ_CHECK(has(b, "net 198.51.100.0-198.51.100.127 0 "
                    "-|GB|-|org-abuse@example.com"),
             "org -> abuse-c -> role");
    SQ_CHECK(has(b, "net 198.51.100.128-198.51.100.255 0 "
                    "-|-|-|inline@example.net"),
             "own abuse-mailbox, comment cut");
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "rpsl.txt:55: continuation"),
             "bad object: %s", sq_diag_count(d) ? sq_diag_message(d, 0) : "");
}

static void
test_line(sq_prefixdb_builder *b)
{
    static const char rpsl_obj_text[] =
        "inetnum: 10.0.0.0 - 10.0.0.255\nabuse-mailbox: a@b\n";
    const char *why = NULL;
    char *big = calloc(1, PDB_LINE_MAX + 2);

    fake_reset(b);
    SQ_CHECK(pdb_line(b, 0, SQ_PDB_IPLOCDB, "10.0.0.0,10.0.0.9,1,\"a,\"\"b\"",
                      27, &why) == 1,
             "line: %s", why ? why : "");
    SQ_CHECK(b->n > 0 &&
                 strcmp(b->rec[0], "net 10.0.0.0-10.0.0.9 1 a,\"b|-|-|-") == 0,
             "line record");
    SQ_CHECK(pdb_line(b, 0, SQ_PDB_IPLOCDB, "10.0.0.0,10.0.0.9,1,\"a", 22,
                      &why) == -1 &&
                 strcmp(why, "unterminated quoted field") == 0,
             "unterminated");
    SQ_CHECK(pdb_line(b, 0, SQ_PDB_MMDB, "x", 1, &why) == -1, "mmdb lines");
    if (big) {
        memset(big, '1', PDB_LINE_MAX + 1);
        SQ_CHECK(pdb_line(b, 0, SQ_PDB_PFX2AS, big, PDB_LINE_MAX + 1, &why) ==
                         -1 &&
                     strstr(why, "64 KiB"),
                 "overlong line");
    }
    SQ_CHECK(pdb_line(b, 0, SQ_PDB_RPSL, rpsl_obj_text, strlen(rpsl_obj_text),
                      &why) == 1,
             "rpsl object with its own mailbox");
    SQ_CHECK(pdb_line(b, 0, SQ_PDB_ASREL, "1|2|0", 5, &why) == 1 &&
                 pdb_line(b, 0, SQ_PDB_ASREL, "# x", 3, &why) == 0,
             "peer used, comment skipped");
    free(big);
}

/* MMDB: build one from asn-small.csv with the perl writer. */
static int
make_mmdb(const char *out, const char *v)
{
    char csv[512], script[512];
    pid_t pid;
    int st;

    snprintf(script, sizeof script, "%s/make-asn-mmdb.pl", SQ_TEST_DATA_DIR);
    data("asn-small.csv", csv, sizeof csv);
    pid = fork();
    if (pid == 0) {
        execlp("perl", "perl", script, csv, out, v, (char *)NULL);
        _exit(127);
    }
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
           WEXITSTATUS(st) == 0;
}

static int
test_mmdb(sq_prefixdb_builder *b, sq_diag *d)
{
    char p6[] = "/tmp/sq-pdb-mmdb6-XXXXXX", p4[] = "/tmp/sq-pdb-mmdb4-XXXXXX";
    int fd6 = mkstemp(p6), fd4 = mkstemp(p4), ok;
    sq_status rc;

    if (fd6 >= 0)
        close(fd6);
    if (fd4 >= 0)
        close(fd4);
    ok = fd6 >= 0 && fd4 >= 0 &&
         system("perl -MMaxMind::DB::Writer::Tree "
                "-e1 2>/dev/null") == 0;
    ok = ok && make_mmdb(p6, "6") && make_mmdb(p4, "4");
    if (!ok) {
        unlink(p6);
        unlink(p4);
        return 0;
    }
    fake_reset(b);
    sq_diag_clear(d);
    rc = sq_prefixdb_import(b, SQ_PDB_MMDB, p6, d);
#ifdef SQ_HAVE_MAXMINDDB
    SQ_CHECK(rc == SQ_OK, "mmdb v6: %d %s", rc,
             sq_diag_count(d) ? sq_diag_message(d, 0) : "");
    for (size_t i = 0; getenv("PDB_DEBUG") && i < b->n; i++)
        fprintf(stderr, "%s\n", b->rec[i]);
    SQ_CHECK(ranges(b) == 4, "4 networks, IPv4 once (aliases skipped): %zu",
             ranges(b));
    SQ_CHECK(has(b, "net 1.0.0.0-1.0.0.255 13335 Cloudflare, Inc.|-|-|-"),
             "v4 in a v6 tree reported as v4");
    SQ_CHECK(has(b, "net 1.0.4.0-1.0.7.255 38803 Gtelecom Pty Ltd|-|-|-"),
             "/22");
    SQ_CHECK(has(b, "net 2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff "
                    "64501 V6 Only|-|-|-"),
             "v6 /48");
    SQ_CHECK(strstr(b->src_attr[b->nsrc - 1], "squeaky test ASN db") != NULL,
             "attribution from the metadata");
    fake_reset(b);
    rc = sq_prefixdb_import(b, SQ_PDB_MMDB, p4, d);
    SQ_CHECK(rc == SQ_OK && ranges(b) == 2 &&
                 has(b, "net 1.0.4.0-1.0.7.255 38803 Gtelecom Pty Ltd|-|-|-"),
             "mmdb v4 tree: %d %zu", rc, ranges(b));
    rc = import(b, SQ_PDB_MMDB, "asn-small.csv", d);
    SQ_CHECK(rc == SQ_EPARSE, "a CSV is not an MMDB: %d", rc);
#else
    SQ_CHECK(rc == SQ_ECONFIG, "built without libmaxminddb: %d", rc);
#endif
    unlink(p6);
    unlink(p4);
    return 1;
}

/* ---- end to end through the real builder (libsqueaky.so) ---- */

typedef struct real_api {
    void *h;
    sq_status (*bnew)(sq_prefixdb_builder **);
    void (*bfree)(sq_prefixdb_builder *);
    sq_status (*import)(sq_prefixdb_builder *, sq_prefixdb_format, const char *,
                        sq_diag *);
    sq_status (*write)(sq_prefixdb_builder *, const char *, sq_diag *);
    sq_status (*open)(const char *, sq_diag *, sq_prefixdb **);
    void (*close)(sq_prefixdb *);
    sq_status (*lookup)(const sq_prefixdb *, const char *, size_t,
                        sq_prefixdb_result *);
    sq_status (*as)(const sq_prefixdb *, unsigned long, const char **,
                    const char **, const char **, unsigned long *, size_t,
                    size_t *);
} real_api;

static int
real_load(real_api *r)
{
    char exe[PATH_MAX], lib[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (n <= 0)
        return 0;
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) == NULL)
        return 0;
    *slash = '\0';
    snprintf(lib, sizeof lib, "%s/../libsqueaky.so", exe);
    r->h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (r->h == NULL)
        return 0;
    *(void **)&r->bnew = dlsym(r->h, "sq_prefixdb_builder_new");
    *(void **)&r->bfree = dlsym(r->h, "sq_prefixdb_builder_free");
    *(void **)&r->import = dlsym(r->h, "sq_prefixdb_import");
    *(void **)&r->write = dlsym(r->h, "sq_prefixdb_builder_write");
    *(void **)&r->open = dlsym(r->h, "sq_prefixdb_open");
    *(void **)&r->close = dlsym(r->h, "sq_prefixdb_close");
    *(void **)&r->lookup = dlsym(r->h, "sq_prefixdb_lookup");
    *(void **)&r->as = dlsym(r->h, "sq_prefixdb_as");
    return r->bnew && r->bfree && r->import && r->write && r->open &&
           r->close && r->lookup && r->as;
}

/* Import the samples (format, file pairs) into one database. */
static sq_prefixdb *
real_db(const real_api *r, const sq_prefixdb_format *fmt,
        const char *const *files, size_t n, const char *out)
{
    sq_prefixdb_builder *b = NULL;
    sq_prefixdb *db = NULL;
    sq_diag *d = sq_diag_new();
    char path[512];
    int ok = d != NULL && r->bnew(&b) == SQ_OK;

    for (size_t i = 0; ok && i < n; i++)
        ok =
            r->import(b, fmt[i], data(files[i], path, sizeof path), d) == SQ_OK;
    ok = ok && r->write(b, out, d) == SQ_OK && r->open(out, d, &db) == SQ_OK;
    SQ_CHECK(ok, "real build of %s: %s", files[0],
             d && sq_diag_count(d) ? sq_diag_message(d, 0) : "");
    if (b)
        r->bfree(b);
    sq_diag_free(d);
    return ok ? db : NULL;
}

/* ip "prefix asn name|country|registry|abuse source" or "-" (none). */
static void
real_check(const real_api *r, const sq_prefixdb *db, const char *ip,
           const char *want)
{
    sq_prefixdb_result res;
    char got[800];

    if (r->lookup(db, ip, strlen(ip), &res) != SQ_OK)
        snprintf(got, sizeof got, "-");
    else
        snprintf(got, sizeof got, "%s %lu %s|%s|%s|%s %s", res.prefix, res.asn,
                 res.as_name, res.country, res.registry, res.abuse, res.source);
    SQ_CHECK_STR(got, want, "lookup %s", ip);
}

static void
test_real(void)
{
    static const sq_prefixdb_format f1[] = {SQ_PDB_IPLOCDB, SQ_PDB_IPLOCDB,
                                            SQ_PDB_ASREL};
    static const char *const n1[] = {"asn-ipv4.csv", "asn-ipv6.csv",
                                     "as-rel.txt"};
    static const sq_prefixdb_format f2[] = {SQ_PDB_IPLOCDB, SQ_PDB_RPSL,
                                            SQ_PDB_DELEGATED};
    static const char *const n2[] = {"iplocdb-bad.csv", "rpsl.txt",
                                     "delegated.txt"};
    char out[] = "/tmp/sq-pdb-real-XXXXXX";
    real_api r;
    sq_prefixdb *db;
    int fd;

    memset(&r, 0, sizeof r);
    if (!real_load(&r) || (fd = mkstemp(out)) < 0) {
        printf("prefixdb_import_test: end-to-end part skipped "
               "(libsqueaky.so not built)\n");
        return;
    }
    close(fd);
    if ((db = real_db(&r, f1, n1, 3, out)) != NULL) {
        const char *name = NULL, *cc = NULL, *abuse = NULL;
        unsigned long ups[4] = {0};
        size_t nups = 0;

        real_check(&r, db, "1.0.0.1",
                   "1.0.0.0/24 13335 Cloudflare, Inc.||| ip-location-db");
        real_check(&r, db, "2.26.200.5",
                   "2.26.200.0/21 201907 LLC \"SPUTNIK\"||| ip-location-db");
        real_check(&r, db, "1.51.40.1",
                   "1.51.32.0/20 24361 CERNET2 IX at Southeast "
                   "University||| ip-location-db");
        real_check(&r, db, "1.51.55.255",
                   "1.51.48.0/21 24361 CERNET2 IX at Southeast "
                   "University||| ip-location-db");
        real_check(&r, db, "2001:200::1",
                   "2001:200::/40 2500 WIDE Project||| ip-location-db");
        SQ_CHECK(r.as(db, 13335, &name, &cc, &abuse, ups, 4, &nups) == SQ_OK &&
                     name && strcmp(name, "Cloudflare, Inc.") == 0 &&
                     nups == 2 &&
                     ((ups[0] == 174 && ups[1] == 3356) ||
                      (ups[0] == 3356 && ups[1] == 174)),
                 "AS13335: %s, %zu upstreams", name ? name : "?", nups);
        r.close(db);
    }
    if ((db = real_db(&r, f2, n2, 3, out)) != NULL) {
        real_check(&r, db, "1.0.13.1",
                   "1.0.13.1/32 64500 say \"hi\", "
                   "ok||| ip-location-db");
        real_check(&r, db, "1.0.13.200",
                   "1.0.13.128/25 64500 say \"hi\", "
                   "ok||| ip-location-db");
        real_check(&r, db, "1.0.14.3", "-");
        real_check(&r, db, "192.0.2.1",
                   "192.0.2.0/24 0 |NL|ripencc|abuse@example.net rpsl");
        real_check(&r, db, "192.0.4.255",
                   "192.0.4.0/24 0 |NL|ripencc| delegated");
        real_check(&r, db, "198.51.100.1",
                   "198.51.100.0/25 0 |GB||org-abuse@example.com rpsl");
        r.close(db);
    }
    unlink(out);
    dlclose(r.h);
}

int
main(void)
{
    sq_prefixdb_builder *b = NULL;
    sq_diag *d = sq_diag_new();

    if (sq_prefixdb_builder_new(&b) != SQ_OK || d == NULL)
        return 1;
    test_format_names();
    test_iplocdb(b, d);
    test_iplocdb_num(b, d);
    test_iplocdb_bad(b, d);
    test_files(b, d);
    test_iptoasn(b, d);
    test_pfx2as(b, d);
    test_asrel(b, d);
    test_delegated(b, d);
    test_rpsl(b, d);
    test_line(b);
    test_real();
    if (!test_mmdb(b, d))
        printf("prefixdb_import_test: mmdb part skipped "
               "(perl MaxMind::DB::Writer missing)\n");
    sq_prefixdb_builder_free(b);
    sq_diag_free(d);
    return sqtest_finish("prefixdb_import_test");
}
