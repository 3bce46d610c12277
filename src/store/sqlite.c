/*
 * sqlite.c - the SQLite backend of the store.
 *
 * A connection runs in WAL mode (several processes may share one file:
 * readers never wait for the writer), with a 5 s busy timeout and foreign
 * keys on.  Each exec prepares its statement, checks that the parameters
 * are exactly $1, $2, ... $n in order of first appearance (SQLite numbers
 * named parameters by first appearance, so "$2 ... $1" would silently
 * bind the wrong values; PostgreSQL numbers them by name) and that the
 * caller passed n values, binds, steps and finalizes.  Write transactions
 * are BEGIN IMMEDIATE, so two processes never deadlock upgrading a read
 * lock; the busy timeout makes the second one wait.
 *
 * REAL columns are reported as SQ_VAL_INT (truncated), BLOB columns as
 * SQ_VAL_TEXT; the store's dialect has BIGINT and TEXT only.
 *
 * Ownership: the connection is owned by the store; result values are
 * borrowed from the statement until the row callback returns.
 */
#include "store/store_int.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SQLITE_BUSY_MS = 5000 };

typedef struct sqlite_db {
    sqlite3 *db;
    long long changes;
} sqlite_db;

static void
sqlite_err(sq_diag *d, sqlite3 *db, const char *what)
{
    sq_diag_addf(d, NULL, 0, "sqlite: %s: %s", what,
                 db ? sqlite3_errmsg(db) : "out of memory");
}

/* Run a fixed statement with no parameters and no rows of interest. */
static sq_status
sqlite_simple(sqlite_db *s, const char *sql, sq_diag *d)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sq_diag_addf(d, NULL, 0, "sqlite: %s: %s", sql,
                     msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return SQ_EIO;
    }
    return SQ_OK;
}

static sq_status
sqlite_open(const char *target, sq_diag *d, void **out)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
    sqlite_db *s = calloc(1, sizeof(*s));
    sq_status st = SQ_EIO;

    if (s == NULL)
        return SQ_ENOMEM;
    if (sqlite3_open_v2(target, &s->db, flags, NULL) != SQLITE_OK) {
        char show[SQ_SHOW_MAX + 4];

        sq_str_show(target, strlen(target), show);
        sqlite_err(d, s->db, show);
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, SQLITE_BUSY_MS);
    if ((st = sqlite_simple(s, "PRAGMA journal_mode=WAL", d)) != SQ_OK ||
        (st = sqlite_simple(s, "PRAGMA foreign_keys=ON", d)) != SQ_OK ||
        (st = sqlite_simple(s, "PRAGMA synchronous=NORMAL", d)) != SQ_OK)
        goto out;
    *out = s;
    return SQ_OK;
out:
    sqlite3_close(s->db);
    free(s);
    return st;
}

static void
sqlite_close(void *db)
{
    sqlite_db *s = db;

    if (s == NULL)
        return;
    sqlite3_close(s->db);
    free(s);
}

/* Parameters must be named $1..$n in order and match the values given. */
static sq_status
sqlite_check_params(sqlite3_stmt *stmt, size_t nparams, sq_diag *d)
{
    int n = sqlite3_bind_parameter_count(stmt);

    if ((size_t)n != nparams) {
        sq_diag_addf(d, NULL, 0,
                     "store: statement has %d parameters, %zu values given", n,
                     nparams);
        return SQ_EINVAL;
    }
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(stmt, i);
        char want[16];

        snprintf(want, sizeof(want), "$%d", i);
        if (name == NULL || strcmp(name, want) != 0) {
            sq_diag_addf(d, NULL, 0,
                         "store: parameter %d is written %s; write $1..$n "
                         "in order of first use",
                         i, name ? name : "?");
            return SQ_EINVAL;
        }
    }
    return SQ_OK;
}

static sq_status
sqlite_bind(sqlite_db *s, sqlite3_stmt *stmt, const sq_value *params,
            size_t nparams, sq_diag *d)
{
    for (size_t i = 0; i < nparams; i++) {
        const sq_value *v = &params[i];
        int idx = (int)i + 1, rc;

        switch (v->type) {
        case SQ_VAL_NULL:
            rc = sqlite3_bind_null(stmt, idx);
            break;
        case SQ_VAL_INT:
            rc = sqlite3_bind_int64(stmt, idx, v->i);
            break;
        case SQ_VAL_TEXT:
            /* A NULL pointer would bind SQL NULL: give "" instead. */
            rc = sqlite3_bind_text(stmt, idx, v->s ? v->s : "", (int)v->len,
                                   SQLITE_STATIC);
            break;
        default:
            sq_diag_addf(d, NULL, 0, "store: parameter %d has no type", idx);
            return SQ_EINVAL;
        }
        if (rc != SQLITE_OK) {
            sqlite_err(d, s->db, "bind");
            return rc == SQLITE_NOMEM ? SQ_ENOMEM : SQ_EINVAL;
        }
    }
    return SQ_OK;
}

static void
sqlite_row(sqlite3_stmt *stmt, sq_value *cols, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        sq_value *v = &cols[i];

        memset(v, 0, sizeof(*v));
        switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL:
            v->type = SQ_VAL_NULL;
            break;
        case SQLITE_INTEGER:
            v->type = SQ_VAL_INT;
            v->i = sqlite3_column_int64(stmt, i);
            break;
        case SQLITE_FLOAT:
            v->type = SQ_VAL_INT;
            v->i = (long long)sqlite3_column_double(stmt, i);
            break;
        default: /* TEXT, BLOB */
            v->type = SQ_VAL_TEXT;
            v->s = (const char *)sqlite3_column_text(stmt, i);
            v->len = (size_t)sqlite3_column_bytes(stmt, i);
            if (v->s == NULL)
                v->s = "";
            break;
        }
    }
}

/* Only blanks, semicolons and comments may follow the statement. */
static int
sqlite_tail_empty(const char *t)
{
    for (;;) {
        if (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' || *t == ';') {
            t++;
        } else if (t[0] == '-' && t[1] == '-') {
            while (*t != '\0' && *t != '\n')
                t++;
        } else if (t[0] == '/' && t[1] == '*') {
            const char *e = strstr(t + 2, "*/");

            if (e == NULL)
                return 1; /* an unterminated comment runs to the end */
            t = e + 2;
        } else {
            return *t == '\0';
        }
    }
}

static sq_status
sqlite_step_all(sqlite_db *s, sqlite3_stmt *stmt, sq_store_row_fn fn, void *arg,
                sq_diag *d)
{
    int ncols = sqlite3_column_count(stmt), rc;
    sq_value *cols = NULL;
    sq_status st = SQ_OK;

    if (ncols > 0 && (cols = calloc((size_t)ncols, sizeof(*cols))) == NULL)
        return SQ_ENOMEM;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (fn == NULL)
            continue;
        sqlite_row(stmt, cols, ncols);
        if (fn(arg, cols, (size_t)ncols) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite_err(d, s->db, "step");
        st = (rc & 0xff) == SQLITE_NOMEM ? SQ_ENOMEM : SQ_EIO;
    }
    free(cols);
    return st;
}

static sq_status
sqlite_exec(void *db, const char *sql, const sq_value *params, size_t nparams,
            sq_store_row_fn fn, void *arg, sq_diag *d)
{
    sqlite_db *s = db;
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    sq_status st;

    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, &tail) != SQLITE_OK) {
        sqlite_err(d, s->db, "prepare");
        return SQ_EINVAL;
    }
    if (stmt == NULL || (tail != NULL && !sqlite_tail_empty(tail))) {
        sq_diag_addf(d, NULL, 0,
                     stmt ? "store: one statement per call"
                          : "store: empty statement");
        st = SQ_EINVAL;
        goto out;
    }
    if ((st = sqlite_check_params(stmt, nparams, d)) != SQ_OK ||
        (st = sqlite_bind(s, stmt, params, nparams, d)) != SQ_OK)
        goto out;
    st = sqlite_step_all(s, stmt, fn, arg, d);
    s->changes = sqlite3_changes(s->db);
out:
    sqlite3_finalize(stmt);
    return st;
}

static long long
sqlite_changes(void *db)
{
    return ((sqlite_db *)db)->changes;
}

static sq_status
sqlite_begin(void *db, sq_diag *d)
{
    return sqlite_simple(db, "BEGIN IMMEDIATE", d);
}

static sq_status
sqlite_commit(void *db, sq_diag *d)
{
    return sqlite_simple(db, "COMMIT", d);
}

static sq_status
sqlite_rollback(void *db, sq_diag *d)
{
    sqlite_db *s = db;

    /* After some errors SQLite has already rolled back: not an error. */
    if (sqlite3_get_autocommit(s->db))
        return SQ_OK;
    return sqlite_simple(s, "ROLLBACK", d);
}

const sq_store_be sq_store_sqlite_backend = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .changes = sqlite_changes,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
};
