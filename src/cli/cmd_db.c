/*
 * cmd_db.c - `squeaky db`: the offline prefix database.
 *
 *   db build  [--db FILE] --format F FILE... [--format G FILE...]
 *   db import [--db FILE] --format F FILE...   (remembered, then rebuilt)
 *   db info   [--db FILE] [--json]
 *   db lookup [--db FILE] [--json] IP... | -
 *
 * `import` keeps the list of imported files in
 * $XDG_DATA_HOME/squeaky/prefixdb.sources ("format<TAB>path" lines) and
 * rebuilds the database from all of them; `build` with no files does
 * the same rebuild, with files it builds from exactly those.
 * Exit: 0 ok (lookup: every address found), 1 some address not found,
 * 2 usage, bad input or a corrupt database, 3 internal error.
 */
#include "cli.h"

#include <squeaky/prefixdb.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { OPT_DB = 1, OPT_FORMAT };

/* A string literal into a JSON/text buffer, its length counted by the
 * compiler. */
#define JB_LIT(b, lit) jb_raw((b), (lit), sizeof(lit) - 1)
enum { DB_MAX_GROUPS = 64, DB_LIST_MAX = 256 };

static const struct cli_opt db_opts[] = {
    {"db", 0, 1, OPT_DB, "FILE",
     "the database (default $XDG_DATA_HOME/squeaky/prefix.db)"},
    {"format", 'f', 1, OPT_FORMAT, "F",
     "format of the files that follow: ip-location-db, mmdb, iptoasn, "
     "pfx2as, delegated, as-rel, rpsl"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct db_run {
    struct cli_common c;
    const char *db;
    /* --format F applies to operands from index first on */
    sq_prefixdb_format fmt[DB_MAX_GROUPS];
    int first[DB_MAX_GROUPS];
    int ngroups;
};

static int
db_opt(void *ud, int id, const char *arg)
{
    struct db_run *r = ud;

    if (id == OPT_DB) {
        r->db = arg;
    } else if (id == OPT_FORMAT) {
        if (r->ngroups == DB_MAX_GROUPS)
            return cli_err(CLI_USAGE, "too many --format options");
        if (sq_prefixdb_format_from_name(arg, &r->fmt[r->ngroups]) != SQ_OK)
            return cli_err(CLI_USAGE,
                           "unknown format '%s' (ip-location-db, mmdb, "
                           "iptoasn, pfx2as, delegated, as-rel, rpsl)",
                           arg);
        r->first[r->ngroups++] = r->c.nops;
    }
    return -1;
}

static int
diag_err(sq_diag *d, int code, const char *what, sq_status st)
{
    size_t n = d != NULL ? sq_diag_count(d) : 0;

    if (n == 0)
        cli_err(code, "%s: %s", what, sq_strerror(st));
    for (size_t i = 0; i < n; i++)
        cli_err(code, "%s", sq_diag_message(d, i));
    return code;
}

static const char *
db_path(const struct db_run *r, char *buf, size_t len)
{
    if (r->db != NULL)
        return r->db;
    if (sq_prefixdb_default_path(buf, len) != SQ_OK)
        return NULL;
    return buf;
}

/* Create the directories above file (mode 0700), like the store does
 * for $XDG_DATA_HOME/squeaky. */
static void
mkdir_parents(const char *file)
{
    char buf[PATH_MAX];
    size_t n = strlen(file);

    if (n >= sizeof(buf))
        return;
    memcpy(buf, file, n + 1);
    for (size_t i = 1; i < n; i++)
        if (buf[i] == '/') {
            buf[i] = '\0';
            (void)mkdir(buf, 0700);
            buf[i] = '/';
        }
}

/* ---- the remembered imports ---- */

static int
sources_path(char *buf, size_t len)
{
    char db[PATH_MAX];
    char *slash;

    if (sq_prefixdb_default_path(db, sizeof(db)) != SQ_OK)
        return 0;
    slash = strrchr(db, '/');
    if (slash == NULL)
        return 0;
    *slash = '\0';
    return snprintf(buf, len, "%s/prefixdb.sources", db) < (int)len;
}

struct srclist {
    sq_prefixdb_format fmt[DB_LIST_MAX];
    char *path[DB_LIST_MAX];
    size_t n;
};

static void
srclist_free(struct srclist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->path[i]);
    l->n = 0;
}

static int
srclist_add(struct srclist *l, sq_prefixdb_format f, const char *path)
{
    char abs[PATH_MAX];
    const char *p = realpath(path, abs) != NULL ? abs : path;

    for (size_t i = 0; i < l->n; i++)
        if (l->fmt[i] == f && strcmp(l->path[i], p) == 0)
            return 1;
    if (l->n == DB_LIST_MAX || (l->path[l->n] = strdup(p)) == NULL)
        return 0;
    l->fmt[l->n++] = f;
    return 1;
}

static void
srclist_read(struct srclist *l, const char *file)
{
    FILE *f = fopen(file, "r");
    char line[PATH_MAX + 64];

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *tab = strchr(line, '\t');
        sq_prefixdb_format fmt;

        line[strcspn(line, "\r\n")] = '\0';
        if (tab == NULL)
            continue;
        *tab = '\0';
        if (sq_prefixdb_format_from_name(line, &fmt) == SQ_OK)
            srclist_add(l, fmt, tab + 1);
    }
    if (f != NULL)
        fclose(f);
}

static int
srclist_write(const struct srclist *l, const char *file)
{
    char tmp[PATH_MAX + 8];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", file);
    if ((f = fopen(tmp, "w")) == NULL)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        fprintf(f, "%s\t%s\n", sq_prefixdb_format_name(l->fmt[i]), l->path[i]);
    if (fclose(f) != 0 || rename(tmp, file) != 0) {
        remove(tmp);
        return 0;
    }
    return 1;
}

/* ---- build ---- */

static int
build_from(const struct db_run *r, const struct srclist *l)
{
    char def[PATH_MAX];
    const char *out = db_path(r, def, sizeof(def));
    sq_prefixdb_builder *b = NULL;
    sq_diag *d = sq_diag_new();
    sq_status st = SQ_OK;
    int rc = CLI_OK;

    if (out == NULL)
        return cli_err(CLI_USAGE, "no --db and no XDG_DATA_HOME or HOME");
    mkdir_parents(out);
    if (sq_prefixdb_builder_new(&b) != SQ_OK || d == NULL) {
        sq_diag_free(d);
        return cli_err(CLI_INTERNAL, "out of memory");
    }
    for (size_t i = 0; i < l->n && rc == CLI_OK; i++) {
        sq_diag_clear(d);
        if (!r->c.quiet)
            fprintf(stderr, "squeaky: db: importing %s (%s)\n", l->path[i],
                    sq_prefixdb_format_name(l->fmt[i]));
        st = sq_prefixdb_import(b, l->fmt[i], l->path[i], d);
        if (st != SQ_OK)
            rc = diag_err(d, CLI_USAGE, l->path[i], st);
        else
            for (size_t k = 0; !r->c.quiet && k < sq_diag_count(d); k++)
                cli_err(0, "%s", sq_diag_message(d, k)); /* bad lines */
    }
    if (rc == CLI_OK) {
        sq_diag_clear(d);
        st = sq_prefixdb_builder_write(b, out, d);
        rc = st == SQ_OK ? CLI_OK : diag_err(d, CLI_INTERNAL, out, st);
    }
    if (rc == CLI_OK && !r->c.quiet)
        fprintf(stderr, "squeaky: db: wrote %s\n", out);
    sq_prefixdb_builder_free(b);
    sq_diag_free(d);
    return rc;
}

static int
cmd_build(struct db_run *r, int remember)
{
    struct srclist l = {{0}, {0}, 0};
    char sources[PATH_MAX];
    int have_list = sources_path(sources, sizeof(sources));
    int rc;

    if (r->c.nops > 1 && r->ngroups == 0) {
        return cli_err(CLI_USAGE,
                       "--format F must come before the files (try --help)");
    }
    if (remember || r->c.nops <= 1) {
        if (!have_list)
            return cli_err(CLI_USAGE, "no XDG_DATA_HOME or HOME");
        srclist_read(&l, sources);
    }
    for (int g = 0; g < r->ngroups; g++) {
        int end = g + 1 < r->ngroups ? r->first[g + 1] : r->c.nops;

        for (int i = r->first[g] > 1 ? r->first[g] : 1; i < end; i++)
            if (!srclist_add(&l, r->fmt[g], r->c.ops[i])) {
                srclist_free(&l);
                return cli_err(CLI_USAGE, "too many source files");
            }
    }
    if (l.n == 0) {
        srclist_free(&l);
        return cli_err(CLI_USAGE, "nothing to build from: give --format F "
                                  "FILE... (or 'db import' first)");
    }
    rc = build_from(r, &l);
    if (rc == CLI_OK && remember && !srclist_write(&l, sources))
        rc = cli_err(CLI_INTERNAL, "cannot write %s: %s", sources,
                     strerror(errno));
    srclist_free(&l);
    return rc;
}

/* ---- open, info, lookup ---- */

static int
open_db(const struct db_run *r, sq_prefixdb **db)
{
    char def[PATH_MAX];
    const char *path = db_path(r, def, sizeof(def));
    sq_diag *d = sq_diag_new();
    sq_status st;
    int rc = CLI_OK;

    if (path == NULL)
        return cli_err(CLI_USAGE, "no --db and no XDG_DATA_HOME or HOME");
    st = sq_prefixdb_open(path, d, db);
    if (st == SQ_ENOTFOUND)
        rc = cli_err(CLI_USAGE,
                     "%s: no database (build one: squeaky db import "
                     "--format ip-location-db asn-ipv4.csv asn-ipv6.csv)",
                     path);
    else if (st != SQ_OK)
        rc = diag_err(d, CLI_USAGE, path, st);
    sq_diag_free(d);
    return rc;
}

static void
print_attribution(const sq_prefixdb *db, FILE *f)
{
    sq_prefixdb_info in;

    sq_prefixdb_get_info(db, &in);
    for (size_t i = 0; i < in.nsources; i++) {
        const char *name, *date, *attr;
        size_t n;

        if (sq_prefixdb_source(db, i, &name, &date, &n, &attr) == SQ_OK &&
            attr[0] != '\0')
            fprintf(f, "%s: %s\n", name, attr);
    }
}

static int
cmd_info(struct db_run *r)
{
    sq_prefixdb *db = NULL;
    sq_prefixdb_info in;
    char when[32];
    int rc = open_db(r, &db);

    if (rc != CLI_OK)
        return rc;
    sq_prefixdb_get_info(db, &in);
    cli_iso_time(in.built, 0, when, sizeof(when));
    if (r->c.json) {
        struct jbuf b;

        jb_init(&b);
        JB_LIT(&b, "{");
        jb_kv_int(&b, "version", in.version, 1);
        jb_kv_str(&b, "built", when, 0);
        jb_kv_int(&b, "prefixes_ipv4", (long long)in.prefixes4, 0);
        jb_kv_int(&b, "prefixes_ipv6", (long long)in.prefixes6, 0);
        jb_kv_int(&b, "ases", (long long)in.ases, 0);
        jb_kv_int(&b, "file_bytes", (long long)in.file_bytes, 0);
        jb_key(&b, "sources", 0);
        JB_LIT(&b, "[");
        for (size_t i = 0; i < in.nsources; i++) {
            const char *name, *date, *attr;
            size_t n = 0;

            sq_prefixdb_source(db, i, &name, &date, &n, &attr);
            jb_raw(&b, i ? ",{" : "{", i ? 2 : 1);
            jb_kv_str(&b, "name", name, 1);
            jb_kv_str(&b, "date", date, 0);
            jb_kv_int(&b, "entries", (long long)n, 0);
            jb_kv_str(&b, "attribution", attr, 0);
            JB_LIT(&b, "}");
        }
        JB_LIT(&b, "]}\n");
        rc = jb_flush(&b, stdout) ? CLI_OK : CLI_INTERNAL;
        jb_free(&b);
    } else {
        printf("version:   %u\nbuilt:     %s\nprefixes:  %zu IPv4, %zu "
               "IPv6\nASes:      %zu\nsize:      %zu bytes\n",
               in.version, when, in.prefixes4, in.prefixes6, in.ases,
               in.file_bytes);
        for (size_t i = 0; i < in.nsources; i++) {
            const char *name, *date, *attr;
            size_t n = 0;

            sq_prefixdb_source(db, i, &name, &date, &n, &attr);
            printf("source:    %s, %s, %zu entries\n", name,
                   date[0] ? date : "undated", n);
        }
        print_attribution(db, stdout);
    }
    sq_prefixdb_close(db);
    return rc;
}

/* One input line → one output line (or object), in input order. */
static int
lookup_one(const struct db_run *r, const sq_prefixdb *db, const char *s,
           size_t n, struct jbuf *b)
{
    sq_prefixdb_result res;
    sq_status st = sq_prefixdb_lookup(db, s, n, &res);
    char ip[256];

    snprintf(ip, sizeof(ip), "%.*s", (int)(n < 200 ? n : 200), s);
    if (r->c.json) {
        JB_LIT(b, "{");
        jb_kv_str(b, "ip", ip, 1);
        if (st == SQ_EINVAL) {
            jb_kv_str(b, "error", "not an IP address", 0);
        } else if (st != SQ_OK) {
            JB_LIT(b, ",\"prefix\":null,\"asn\":null,\"as_name\":null,"
                      "\"source\":null");
        } else {
            jb_kv_str(b, "prefix", res.prefix, 0);
            if (res.asn == 0) {
                jb_key(b, "asn", 0);
                JB_LIT(b, "null");
            } else {
                jb_kv_int(b, "asn", (long long)res.asn, 0);
            }
            jb_kv_str(b, "as_name", res.as_name, 0);
            jb_kv_str(b, "source", res.source, 0);
        }
        JB_LIT(b, "}\n");
    } else {
        jb_raw(b, ip, strlen(ip));
        if (st == SQ_EINVAL) {
            JB_LIT(b, "\terror: not an IP address\n");
        } else if (st != SQ_OK) {
            JB_LIT(b, "\tnot found\n");
        } else {
            char num[32];
            int k = snprintf(num, sizeof(num), "\tAS%lu\t", res.asn);

            JB_LIT(b, "\t");
            jb_raw(b, res.prefix, strlen(res.prefix));
            jb_raw(b, num, (size_t)k);
            jb_raw(b, res.as_name, strlen(res.as_name));
            JB_LIT(b, "\t");
            jb_raw(b, res.source, strlen(res.source));
            JB_LIT(b, "\n");
        }
    }
    return st == SQ_OK ? CLI_OK : (st == SQ_EINVAL ? CLI_USAGE : CLI_NOTFOUND);
}

static int
worse(int a, int b)
{
    return a > b ? a : b;
}

static int
cmd_lookup(struct db_run *r)
{
    sq_prefixdb *db = NULL;
    struct jbuf b;
    int rc = open_db(r, &db), worst = CLI_OK;

    if (rc != CLI_OK)
        return rc;
    jb_init(&b);
    if (r->c.nops == 2 && strcmp(r->c.ops[1], "-") == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;

        while ((n = getline(&line, &cap, stdin)) >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            worst = worse(worst, lookup_one(r, db, line, (size_t)n, &b));
            if (b.len > 60000 && !jb_flush(&b, stdout))
                break;
        }
        free(line);
    } else {
        for (int i = 1; i < r->c.nops; i++)
            worst = worse(
                worst, lookup_one(r, db, r->c.ops[i], strlen(r->c.ops[i]), &b));
    }
    if (!jb_flush(&b, stdout) || fflush(stdout) != 0)
        worst = CLI_INTERNAL;
    jb_free(&b);
    if (!r->c.quiet && !r->c.json)
        print_attribution(db, stderr);
    sq_prefixdb_close(db);
    return worst;
}

int
cmd_db(int argc, char **argv)
{
    struct db_run r;
    const char *sub;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = cli_parse(argc, argv,
                   "db build|import [--db FILE] --format F FILE... | "
                   "db info [--db FILE] | db lookup [--db FILE] IP...|-",
                   "the offline prefix database: which network and AS an "
                   "address is in, with no network",
                   db_opts, db_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    sub = r.c.nops > 0 ? r.c.ops[0] : "";
    if (strcmp(sub, "build") == 0)
        rc = cmd_build(&r, 0);
    else if (strcmp(sub, "import") == 0)
        rc = r.c.nops > 1 ? cmd_build(&r, 1)
                          : cli_err(CLI_USAGE, "import: no file given");
    else if (strcmp(sub, "info") == 0)
        rc = cmd_info(&r);
    else if (strcmp(sub, "lookup") == 0)
        rc = r.c.nops > 1 ? cmd_lookup(&r)
                          : cli_err(CLI_USAGE, "lookup: no address given");
    else
        rc = cli_err(CLI_USAGE,
                     "db wants build, import, info or lookup (try --help)");
    cli_done(&r.c);
    return rc;
}
