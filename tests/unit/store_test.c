/*
 * store_test.c - the store over SQLite: URIs and the default path,
 * statements with parameters and rows, value round trips, parameter
 * checks, migrations, transactions, two threads (one shared store, and
 * two stores on one file), error messages.
 *
 * Temporary files live under a mkdtemp() directory removed at the end.
 *
 * With SQ_TEST_STORE set to another store URI (tests/it/store_pg.sh sets
 * a PostgreSQL one), the backend-neutral parts run against that store
 * instead of ":memory:" (their tables dropped first) and the SQLite file
 * tests are skipped.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sqtest.h"

#include <squeaky/store.h>

#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];
static const char *test_uri = ":memory:"; /* or $SQ_TEST_STORE */
static int other_backend;                 /* SQ_TEST_STORE is set */

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Does any diag message contain needle? */
static int
diag_has(const sq_diag *d, const char *needle)
{
    for (size_t i = 0; i < sq_diag_count(d); i++)
        if (strstr(sq_diag_message(d, i), needle) != NULL)
            return 1;
    return 0;
}

/* A store on test_uri with none of this test's tables left over. */
static sq_store *
fresh_store(sq_diag *d)
{
    static const char *const drop[] = {
        "DROP TABLE IF EXISTS t", "DROP TABLE IF EXISTS u",
        "DROP TABLE IF EXISTS a", "DROP TABLE IF EXISTS b",
        "DROP TABLE IF EXISTS c", "DROP TABLE IF EXISTS d",
        "DROP TABLE IF EXISTS w", "DROP TABLE IF EXISTS sq_schema",
    };
    sq_store *s = NULL;

    SQ_CHECK(sq_store_open(test_uri, d, &s) == SQ_OK, "open %s",
             other_backend ? "$SQ_TEST_STORE" : test_uri);
    for (size_t i = 0; s != NULL && other_backend && i < 8; i++)
        SQ_CHECK(sq_store_exec(s, drop[i], NULL, 0, NULL, NULL, d) == SQ_OK,
                 "%s", drop[i]);
    return s;
}

/* ---- row collectors ---- */

typedef struct rows {
    size_t n;
    sq_value v[8][4];
    char text[8][4][128];
    size_t ncols;
} rows;

static int
collect(void *arg, const sq_value *cols, size_t ncols)
{
    rows *r = arg;

    if (r->n >= 8 || ncols > 4)
        return 1;
    r->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
        r->v[r->n][i] = cols[i];
        if (cols[i].type == SQ_VAL_TEXT) {
            size_t k = cols[i].len < 127 ? cols[i].len : 127;

            memcpy(r->text[r->n][i], cols[i].s, k);
            r->text[r->n][i][k] = '\0';
            r->v[r->n][i].s = r->text[r->n][i];
            SQ_CHECK(cols[i].s[cols[i].len] == '\0',
                     "text column is NUL-terminated");
        }
    }
    r->n++;
    return 0;
}

static int
first_int(void *arg, const sq_value *cols, size_t ncols)
{
    long long *out = arg;

    *out = ncols > 0 && cols[0].type == SQ_VAL_INT ? cols[0].i : -999;
    return 1;
}

static long long
count_rows(sq_store *s, const char *table)
{
    char sql[128];
    long long n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    if (sq_store_exec(s, sql, NULL, 0, first_int, &n, NULL) != SQ_OK)
        return -1;
    return n;
}

/* ---- statements and values ---- */

static void
test_values(void)
{
    static const char utf8[] = "Gr\xc3\xbc\xc3\x9f"
                               "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82";
    sq_diag *d = sq_diag_new();
    sq_store *s = fresh_store(d);
    sq_value p[3];
    rows r;

    if (s == NULL)
        return;
    SQ_CHECK_STR(sq_store_backend(s), other_backend ? "postgresql" : "sqlite",
                 "backend name");
    SQ_CHECK(sq_store_exec(s,
                           "CREATE TABLE t(id BIGINT PRIMARY KEY, "
                           "name TEXT NULL, n BIGINT NULL)",
                           NULL, 0, NULL, NULL, d) == SQ_OK,
             "create table");
    p[0] = SQ_VINT(1);
    p[1] = SQ_VTEXT(utf8);
    p[2] = SQ_VINT(LLONG_MIN);
    SQ_CHECK(sq_store_exec(s, "INSERT INTO t VALUES($1, $2, $3)", p, 3, NULL,
                           NULL, d) == SQ_OK,
             "insert utf8 + LLONG_MIN");
    SQ_CHECK(sq_store_changes(s) == 1, "one row inserted");
    p[0] = SQ_VINT(2);
    p[1] = SQ_VNULL;
    p[2] = SQ_VINT(LLONG_MAX);
    SQ_CHECK(sq_store_exec(s, "INSERT INTO t VALUES($1, $2, $3)", p, 3, NULL,
                           NULL, d) == SQ_OK,
             "insert NULL + LLONG_MAX");
    p[0] = SQ_VINT(3);
    p[1] = SQ_VTEXTN("", 0);
    p[2] = SQ_VNULL;
    SQ_CHECK(sq_store_exec(s, "INSERT INTO t VALUES($1, $2, $3)", p, 3, NULL,
                           NULL, d) == SQ_OK,
             "insert empty text + NULL");
    p[0] = SQ_VTEXTN("abcdef", 3); /* only "abc" */
    p[1] = SQ_VINT(4);
    SQ_CHECK(sq_store_exec(s, "INSERT INTO t(id, name) VALUES($2, $1)", p, 2,
                           NULL, NULL, d) == SQ_EINVAL,
             "$2 before $1 refused");
    SQ_CHECK(diag_has(d, "in order"), "order message");
    SQ_CHECK(sq_store_exec(s, "INSERT INTO t(name, id) VALUES($1, $2)", p, 2,
                           NULL, NULL, d) == SQ_OK,
             "text with explicit length");

    memset(&r, 0, sizeof(r));
    SQ_CHECK(sq_store_exec(s, "SELECT id, name, n FROM t ORDER BY id", NULL, 0,
                           collect, &r, d) == SQ_OK,
             "select");
    SQ_CHECK(r.n == 4 && r.ncols == 3, "4 rows of 3 columns, got %zu", r.n);
    SQ_CHECK(r.v[0][0].type == SQ_VAL_INT && r.v[0][0].i == 1, "id 1");
    SQ_CHECK(r.v[0][1].type == SQ_VAL_TEXT && r.v[0][1].len == strlen(utf8),
             "utf8 length");
    SQ_CHECK_STR(r.text[0][1], utf8, "utf8 text back");
    SQ_CHECK(r.v[0][2].type == SQ_VAL_INT && r.v[0][2].i == LLONG_MIN,
             "LLONG_MIN back");
    SQ_CHECK(r.v[1][1].type == SQ_VAL_NULL, "NULL back");
    SQ_CHECK(r.v[1][2].i == LLONG_MAX, "LLONG_MAX back");
    SQ_CHECK(r.v[2][1].type == SQ_VAL_TEXT && r.v[2][1].len == 0,
             "empty text back as text");
    SQ_CHECK(r.v[2][2].type == SQ_VAL_NULL, "NULL int back");
    SQ_CHECK_STR(r.text[3][1], "abc", "explicit length honoured");

    /* A parameter used twice counts once, as in PostgreSQL. */
    memset(&r, 0, sizeof(r));
    p[0] = SQ_VINT(2);
    SQ_CHECK(sq_store_exec(s, "SELECT id FROM t WHERE id = $1 OR n = $1", p, 1,
                           collect, &r, d) == SQ_OK &&
                 r.n == 1 && r.v[0][0].i == 2,
             "repeated $1");

    /* Stop after the first row. */
    memset(&r, 0, sizeof(r));
    {
        long long one = 0;

        SQ_CHECK(sq_store_exec(s, "SELECT id FROM t ORDER BY id DESC", NULL, 0,
                               first_int, &one, d) == SQ_OK &&
                     one == 4,
                 "callback stops, got %lld", one);
    }
    p[0] = SQ_VINT(10);
    SQ_CHECK(sq_store_exec(s, "UPDATE t SET n = $1 WHERE id >= 3", p, 1, NULL,
                           NULL, d) == SQ_OK &&
                 sq_store_changes(s) == 2,
             "update changes 2");
    sq_store_close(s);
    sq_diag_free(d);
}

static void
test_errors(void)
{
    sq_store *s = NULL;
    sq_diag *d = sq_diag_new();
    sq_value p[2] = {SQ_VINT(1), SQ_VINT(2)};
    char nul[4] = {'a', '\0', 'b', 0};

    if (other_backend)
        s = fresh_store(d);
    else
        SQ_CHECK(sq_store_open("sqlite::memory:", d, &s) == SQ_OK,
                 "open sqlite::memory:");
    if (s == NULL)
        return;
    sq_store_exec(s, "CREATE TABLE u(k TEXT PRIMARY KEY)", NULL, 0, NULL, NULL,
                  d);
    sq_diag_clear(d);
    SQ_CHECK(sq_store_exec(s, "SELEKT 1", NULL, 0, NULL, NULL, d) == SQ_EINVAL,
             "bad SQL is EINVAL");
    SQ_CHECK(diag_has(d, "syntax error"), "bad SQL message: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "(none)");
    sq_diag_clear(d);
    SQ_CHECK(sq_store_exec(s, "SELECT * FROM nosuch", NULL, 0, NULL, NULL, d) ==
                     SQ_EINVAL &&
                 (diag_has(d, "no such table") ||
                  diag_has(d, "\"nosuch\" does not exist")),
             "missing table message");
    SQ_CHECK(sq_store_exec(s, "SELECT $1", p, 2, NULL, NULL, d) == SQ_EINVAL,
             "too many values");
    SQ_CHECK(sq_store_exec(s, "SELECT $1, $2", p, 1, NULL, NULL, d) ==
                 SQ_EINVAL,
             "too few values");
    SQ_CHECK(sq_store_exec(s, "SELECT ?", p, 1, NULL, NULL, d) == SQ_EINVAL,
             "? parameter refused");
    SQ_CHECK(sq_store_exec(s, "SELECT 1; SELECT 2", NULL, 0, NULL, NULL, d) ==
                 SQ_EINVAL,
             "two statements refused");
    SQ_CHECK(sq_store_exec(s, "SELECT 1; -- fine\n", NULL, 0, NULL, NULL, d) ==
                 SQ_OK,
             "trailing comment is fine");
    SQ_CHECK(sq_store_exec(s, "  ", NULL, 0, NULL, NULL, d) == SQ_EINVAL,
             "empty statement refused");
    p[0] = SQ_VTEXTN(nul, 3);
    SQ_CHECK(sq_store_exec(s, "INSERT INTO u VALUES($1)", p, 1, NULL, NULL,
                           d) == SQ_EINVAL,
             "text with NUL refused");
    p[0] = SQ_VTEXT("x");
    SQ_CHECK(sq_store_exec(s, "INSERT INTO u VALUES($1)", p, 1, NULL, NULL,
                           d) == SQ_OK,
             "insert x");
    sq_diag_clear(d);
    SQ_CHECK(sq_store_exec(s, "INSERT INTO u VALUES($1)", p, 1, NULL, NULL,
                           d) == SQ_EIO,
             "duplicate key is EIO");
    SQ_CHECK(diag_has(d, "UNIQUE constraint failed") ||
                 diag_has(d, "duplicate key value"),
             "constraint message");
    sq_store_close(s);

    s = NULL;
    sq_diag_clear(d);
    SQ_CHECK(sq_store_open("ftp://x/y", d, &s) == SQ_ECONFIG && s == NULL,
             "unknown scheme");
    SQ_CHECK(diag_has(d, "unknown URI scheme"), "unknown scheme message");
    sq_diag_clear(d);
    {
        sq_status st = sq_store_open("postgresql://127.0.0.1:1/none", d, &s);

        SQ_CHECK((st == SQ_ECONFIG && diag_has(d, "not built")) || st == SQ_EIO,
                 "postgresql without the backend / without a server: %d",
                 (int)st);
        SQ_CHECK(s == NULL, "no store on failure");
    }
    SQ_CHECK(sq_store_open("sqlite:", d, &s) == SQ_ECONFIG, "empty path");
    SQ_CHECK(sq_store_open("/nonexistent-dir/x/y.db", d, &s) == SQ_EIO,
             "missing directory is EIO");
    sq_store_close(NULL);
    sq_diag_free(d);
}

/* ---- migrations ---- */

static const char *const steps_v2[] = {
    "CREATE TABLE a(x BIGINT PRIMARY KEY); -- one; two\n"
    "CREATE TABLE b(y TEXT DEFAULT 'semi;colon')",
    "ALTER TABLE a ADD COLUMN z TEXT NULL;",
};

static const char *const steps_bad[] = {
    "CREATE TABLE c(x BIGINT); CREATE TABLE d(x BIGINT",
};

static long long
module_version(sq_store *s, const char *module)
{
    sq_value p[1] = {SQ_VTEXT(module)};
    long long v = 0;

    sq_store_exec(s, "SELECT version FROM sq_schema WHERE module = $1", p, 1,
                  first_int, &v, NULL);
    return v;
}

static void
test_migrate(void)
{
    sq_diag *d = sq_diag_new();
    sq_store *s = fresh_store(d);
    sq_value p[2] = {SQ_VINT(7), SQ_VTEXT("zz")};
    rows r;

    if (s == NULL)
        return;
    SQ_CHECK(sq_store_migrate(s, "m", steps_v2, 1, d) == SQ_OK, "migrate v1");
    SQ_CHECK(module_version(s, "m") == 1, "at v1");
    SQ_CHECK(sq_store_migrate(s, "m", steps_v2, 2, d) == SQ_OK, "migrate v2");
    SQ_CHECK(sq_store_migrate(s, "m", steps_v2, 2, d) == SQ_OK,
             "migrate again is a no-op");
    SQ_CHECK(module_version(s, "m") == 2, "at v2");
    SQ_CHECK(sq_store_exec(s, "INSERT INTO a(x, z) VALUES($1, $2)", p, 2, NULL,
                           NULL, d) == SQ_OK,
             "v2 column usable");
    memset(&r, 0, sizeof(r));
    sq_store_exec(s, "INSERT INTO b DEFAULT VALUES", NULL, 0, NULL, NULL, d);
    sq_store_exec(s, "SELECT y FROM b", NULL, 0, collect, &r, d);
    SQ_CHECK(r.n == 1 && strcmp(r.text[0][0], "semi;colon") == 0,
             "quoted ';' not split");
    SQ_CHECK(count_rows(s, "a") == 1, "data kept by the second migrate");

    sq_diag_clear(d);
    SQ_CHECK(sq_store_migrate(s, "m", steps_v2, 1, d) == SQ_ECONFIG,
             "newer schema refused");
    SQ_CHECK(diag_has(d, "newer"), "newer schema message");
    SQ_CHECK(module_version(s, "m") == 2, "still v2");

    sq_diag_clear(d);
    SQ_CHECK(sq_store_migrate(s, "bad", steps_bad, 1, d) == SQ_EINVAL,
             "bad step fails");
    SQ_CHECK(diag_has(d, "migrating bad to version 1"), "step message");
    SQ_CHECK(module_version(s, "bad") == 0, "bad stays at v0");
    SQ_CHECK(count_rows(s, "c") == -1, "partial step rolled back");
    SQ_CHECK(sq_store_migrate(s, "", steps_v2, 1, d) == SQ_EINVAL,
             "empty module name");
    sq_store_close(s);
    sq_diag_free(d);
}

/* ---- transactions ---- */

static void
test_transactions(void)
{
    sq_diag *d = sq_diag_new();
    sq_store *s = fresh_store(d);
    sq_value p[1] = {SQ_VINT(1)};

    if (s == NULL)
        return;
    sq_store_exec(s, "CREATE TABLE t(x BIGINT)", NULL, 0, NULL, NULL, d);
    SQ_CHECK(sq_store_begin(s, d) == SQ_OK, "begin");
    SQ_CHECK(sq_store_begin(s, d) == SQ_EINVAL, "nested begin refused");
    sq_store_exec(s, "INSERT INTO t VALUES($1)", p, 1, NULL, NULL, d);
    SQ_CHECK(count_rows(s, "t") == 1, "row visible inside");
    SQ_CHECK(sq_store_rollback(s, d) == SQ_OK, "rollback");
    SQ_CHECK(count_rows(s, "t") == 0, "row gone after rollback");
    SQ_CHECK(sq_store_begin(s, d) == SQ_OK, "begin 2");
    sq_store_exec(s, "INSERT INTO t VALUES($1)", p, 1, NULL, NULL, d);
    sq_store_exec(s, "INSERT INTO t VALUES($1)", p, 1, NULL, NULL, d);
    SQ_CHECK(sq_store_commit(s, d) == SQ_OK, "commit");
    SQ_CHECK(count_rows(s, "t") == 2, "rows kept after commit");
    SQ_CHECK(sq_store_commit(s, d) == SQ_EINVAL, "commit without begin");
    SQ_CHECK(sq_store_rollback(s, d) == SQ_EINVAL, "rollback without begin");
    sq_store_close(s);
    sq_diag_free(d);
}

/* ---- files, modes, WAL ---- */

static int
journal_mode(void *arg, const sq_value *cols, size_t ncols)
{
    char *out = arg;

    if (ncols == 1 && cols[0].type == SQ_VAL_TEXT)
        snprintf(out, 16, "%s", cols[0].s);
    return 1;
}

static void
test_file(void)
{
    char path[512], uri[600], mode[16] = "";
    sq_store *s = NULL;
    sq_diag *d = sq_diag_new();
    sq_value p[1] = {SQ_VTEXT("kept")};
    rows r;
    struct stat sb;

    tmp_path(path, sizeof(path), "file.db");
    snprintf(uri, sizeof(uri), "sqlite:%s", path);
    SQ_CHECK(sq_store_open(uri, d, &s) == SQ_OK, "open %s", uri);
    if (s == NULL)
        return;
    sq_store_exec(s, "PRAGMA journal_mode", NULL, 0, journal_mode, mode, d);
    SQ_CHECK_STR(mode, "wal", "WAL mode");
    sq_store_exec(s, "CREATE TABLE t(v TEXT)", NULL, 0, NULL, NULL, d);
    sq_store_exec(s, "INSERT INTO t VALUES($1)", p, 1, NULL, NULL, d);
    sq_store_close(s);
    SQ_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
             "file mode 0600, got %o", (unsigned)(sb.st_mode & 0777));

    s = NULL;
    snprintf(uri, sizeof(uri), "sqlite://%s", path);
    SQ_CHECK(sq_store_open(uri, d, &s) == SQ_OK, "reopen %s", uri);
    if (s == NULL)
        return;
    memset(&r, 0, sizeof(r));
    sq_store_exec(s, "SELECT v FROM t", NULL, 0, collect, &r, d);
    SQ_CHECK(r.n == 1 && strcmp(r.text[0][0], "kept") == 0,
             "row survives reopen");
    sq_store_close(s);
    sq_diag_free(d);
}

static void
test_default_path(void)
{
    char want[600], got[600], xdg[512], home[512];
    sq_store *s = NULL;
    struct stat sb;
    char *old_xdg = getenv("XDG_DATA_HOME"), *old_home = getenv("HOME");

    old_xdg = old_xdg ? strdup(old_xdg) : NULL;
    old_home = old_home ? strdup(old_home) : NULL;
    tmp_path(xdg, sizeof(xdg), "xdg/data");
    setenv("XDG_DATA_HOME", xdg, 1);
    snprintf(want, sizeof(want), "%s/squeaky/squeaky.db", xdg);
    SQ_CHECK(sq_store_default_path(got, sizeof(got)) == SQ_OK, "default path");
    SQ_CHECK_STR(got, want, "XDG_DATA_HOME honoured");
    SQ_CHECK(sq_store_default_path(got, 10) == SQ_EINVAL, "short buffer");
    SQ_CHECK(sq_store_open(NULL, NULL, &s) == SQ_OK, "open the default");
    sq_store_close(s);
    SQ_CHECK(stat(want, &sb) == 0 && S_ISREG(sb.st_mode), "file created");
    tmp_path(got, sizeof(got), "xdg/data/squeaky");
    SQ_CHECK(stat(got, &sb) == 0 && (sb.st_mode & 0777) == 0700,
             "squeaky dir 0700");
    SQ_CHECK(stat(xdg, &sb) == 0 && (sb.st_mode & 0777) == 0700,
             "created parent 0700");

    /* A relative XDG_DATA_HOME is invalid: HOME is used. */
    tmp_path(home, sizeof(home), "home");
    setenv("XDG_DATA_HOME", "relative/dir", 1);
    setenv("HOME", home, 1);
    snprintf(want, sizeof(want), "%s/.local/share/squeaky/squeaky.db", home);
    SQ_CHECK(sq_store_default_path(got, sizeof(got)) == SQ_OK &&
                 strcmp(got, want) == 0,
             "HOME fallback: %s", got);
    s = NULL;
    SQ_CHECK(sq_store_open("", NULL, &s) == SQ_OK, "open \"\" = default");
    sq_store_close(s);
    SQ_CHECK(stat(want, &sb) == 0, "file under HOME created");
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    SQ_CHECK(sq_store_default_path(got, sizeof(got)) == SQ_ECONFIG,
             "no HOME, no XDG");
    if (old_xdg)
        setenv("XDG_DATA_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
}

/* ---- threads ---- */

enum { THREAD_ROWS = 200 };

typedef struct writer {
    sq_store *s;
    const char *uri; /* open our own store when non-NULL */
    int id;
    int failures;
} writer;

static void *
writer_run(void *arg)
{
    writer *w = arg;
    sq_store *s = w->s;

    if (w->uri != NULL && sq_store_open(w->uri, NULL, &s) != SQ_OK) {
        w->failures = THREAD_ROWS;
        return NULL;
    }
    for (int i = 0; i < THREAD_ROWS; i += 5) {
        int in_tx = (i / 5) % 2 == 0;

        if (in_tx && sq_store_begin(s, NULL) != SQ_OK)
            w->failures++;
        for (int k = i; k < i + 5; k++) {
            sq_value p[2] = {SQ_VINT(w->id), SQ_VINT(k)};

            if (sq_store_exec(s, "INSERT INTO w(t, k) VALUES($1, $2)", p, 2,
                              NULL, NULL, NULL) != SQ_OK)
                w->failures++;
        }
        if (in_tx && sq_store_commit(s, NULL) != SQ_OK)
            w->failures++;
    }
    if (w->uri != NULL)
        sq_store_close(s);
    return NULL;
}

static void
run_writers(sq_store *shared, const char *uri, const char *what)
{
    writer w[2] = {{shared, uri, 1, 0}, {shared, uri, 2, 0}};
    pthread_t th[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, writer_run, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    SQ_CHECK(w[0].failures == 0 && w[1].failures == 0, "%s: failures %d %d",
             what, w[0].failures, w[1].failures);
}

static void
test_threads(void)
{
    char path[512], uri[600];
    sq_store *s = NULL;
    sq_diag *d = sq_diag_new();

    tmp_path(path, sizeof(path), "threads.db");
    snprintf(uri, sizeof(uri), "sqlite:%s", path);
    if (other_backend) {
        snprintf(uri, sizeof(uri), "%s", test_uri);
        s = fresh_store(d);
    } else {
        SQ_CHECK(sq_store_open(uri, d, &s) == SQ_OK, "open");
    }
    if (s == NULL)
        return;
    sq_store_exec(s, "CREATE TABLE w(t BIGINT, k BIGINT, PRIMARY KEY(t, k))",
                  NULL, 0, NULL, NULL, d);
    run_writers(s, NULL, "one shared store");
    SQ_CHECK(count_rows(s, "w") == 2 * THREAD_ROWS, "all rows from 2 threads");
    sq_store_exec(s, "DELETE FROM w", NULL, 0, NULL, NULL, d);
    run_writers(NULL, uri, "two stores, one file");
    SQ_CHECK(count_rows(s, "w") == 2 * THREAD_ROWS,
             "all rows from 2 connections");
    sq_store_close(s);
    sq_diag_free(d);
}

int
main(void)
{
    const char *env = getenv("SQ_TEST_STORE");

    if (env != NULL && env[0] != '\0') {
        sq_store *s = NULL;
        sq_diag *d = sq_diag_new();

        if (sq_store_open(env, d, &s) == SQ_ECONFIG) {
            printf("store_test: SKIP: %s\n",
                   sq_diag_count(d) ? sq_diag_message(d, 0) : "no backend");
            sq_diag_free(d);
            return SQTEST_SKIP;
        }
        sq_store_close(s);
        sq_diag_free(d);
        test_uri = env;
        other_backend = 1;
    }
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/store_test.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_values();
    test_errors();
    test_migrate();
    test_transactions();
    if (!other_backend) {
        test_file();
        test_default_path();
    }
    test_threads();
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return sqtest_finish("store_test");
}
