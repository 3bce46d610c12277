/*
 * pg.c - the PostgreSQL backend of the store (libpq), compiled only when
 * the build defines SQ_HAVE_LIBPQ.
 *
 * One connection per store, opened from the "postgresql://..." URI as
 * libpq reads it, client encoding UTF8; server notices are dropped (the
 * library never prints).  Statements go through PQexecParams with every
 * value in text form (integers as decimal, TEXT copied NUL-terminated,
 * types inferred by the server) and results in text form, so BIGINT,
 * INTEGER, SMALLINT, OID and BOOLEAN columns come back as SQ_VAL_INT,
 * REAL/DOUBLE/NUMERIC truncated to SQ_VAL_INT, everything else as TEXT.
 *
 * Parameters: PostgreSQL numbers them by name, so "$2 ... $1" would
 * work here and bind wrongly on SQLite; the same rule as the SQLite
 * backend is enforced (pg_check_params): $1..$n in order of first use,
 * n values.
 *
 * Transactions: BEGIN plus pg_advisory_xact_lock(PG_WRITE_LOCK), so write
 * transactions of all squeaky processes sharing a database run one at a
 * time, as SQLite's BEGIN IMMEDIATE does (sq_store_migrate relies on
 * it).  A COMMIT the server turned into a ROLLBACK (after an error in
 * the transaction) is SQ_EIO.
 *
 * Errors: SQLSTATE class 42 (syntax, unknown table or column), 08P01
 * (wrong parameter count) and an empty query are SQ_EINVAL; the rest is
 * SQ_EIO.  Messages carry the server's primary message only, never the
 * URI (it may hold a password).
 */
#include "store/store_int.h"

#ifdef SQ_HAVE_LIBPQ

#include <libpq-fe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Sq" in ASCII: the advisory lock every write transaction takes. */
enum { PG_WRITE_LOCK = 0x5371, PG_INT_TEXT = 24 };

/* Type OIDs from PostgreSQL's pg_type.dat (stable across releases). */
enum {
    PG_BOOLOID = 16,
    PG_INT8OID = 20,
    PG_INT2OID = 21,
    PG_INT4OID = 23,
    PG_OIDOID = 26,
    PG_FLOAT4OID = 700,
    PG_FLOAT8OID = 701,
    PG_NUMERICOID = 1700
};

typedef struct pg_db {
    PGconn *conn;
    long long changes;
} pg_db;

static void
pg_drop_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

/* A libpq message on one line, without its trailing newline. */
static void
pg_err(sq_diag *d, const char *what, const char *msg)
{
    char line[512];
    size_t n = 0;

    for (; msg != NULL && *msg != '\0' && n + 1 < sizeof(line); msg++)
        line[n++] = (*msg == '\n' || *msg == '\r' || *msg == '\t') ? ' ' : *msg;
    while (n > 0 && line[n - 1] == ' ')
        n--;
    line[n] = '\0';
    sq_diag_addf(d, NULL, 0, "postgresql: %s: %s", what, line);
}

static sq_status
pg_open(const char *target, sq_diag *d, void **out)
{
    pg_db *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return SQ_ENOMEM;
    p->conn = PQconnectdb(target);
    if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
        sq_status st = p->conn ? SQ_EIO : SQ_ENOMEM;

        pg_err(d, "connect",
               p->conn ? PQerrorMessage(p->conn) : "out of memory");
        PQfinish(p->conn);
        free(p);
        return st;
    }
    PQsetNoticeReceiver(p->conn, pg_drop_notice, NULL);
    if (PQsetClientEncoding(p->conn, "UTF8") != 0) {
        pg_err(d, "client encoding", PQerrorMessage(p->conn));
        PQfinish(p->conn);
        free(p);
        return SQ_EIO;
    }
    *out = p;
    return SQ_OK;
}

static void
pg_close(void *db)
{
    pg_db *p = db;

    if (p == NULL)
        return;
    PQfinish(p->conn);
    free(p);
}

/* ---- parameters ---- */

/* Skip a quoted string or comment starting at s[i]; returns the index
 * after it (i itself when s[i] starts neither). */
static size_t
pg_skip(const char *s, size_t i)
{
    if (s[i] == '\'' || s[i] == '"') {
        char q = s[i++];

        while (s[i] != '\0' && s[i] != q)
            i++;
        return s[i] != '\0' ? i + 1 : i;
    }
    if (s[i] == '-' && s[i + 1] == '-') {
        while (s[i] != '\0' && s[i] != '\n')
            i++;
        return i;
    }
    if (s[i] == '/' && s[i + 1] == '*') {
        const char *e = strstr(s + i + 2, "*/");

        return e ? (size_t)(e - s) + 2 : strlen(s);
    }
    return i;
}

static sq_status
pg_check_params(const char *sql, size_t nparams, sq_diag *d)
{
    size_t i = 0, max = 0;

    while (sql[i] != '\0') {
        size_t j = pg_skip(sql, i), num = 0;

        if (j != i) {
            i = j;
            continue;
        }
        if (sql[i++] != '$' || sql[i] < '1' || sql[i] > '9')
            continue;
        while (sql[i] >= '0' && sql[i] <= '9' && num <= SQ_STORE_MAX_PARAMS)
            num = num * 10 + (size_t)(sql[i++] - '0');
        if (num == max + 1) {
            max = num;
        } else if (num > max) {
            sq_diag_addf(d, NULL, 0,
                         "store: parameter %zu is written $%zu; write $1..$n "
                         "in order of first use",
                         max + 1, num);
            return SQ_EINVAL;
        }
    }
    if (max != nparams) {
        sq_diag_addf(d, NULL, 0,
                     "store: statement has %zu parameters, %zu values given",
                     max, nparams);
        return SQ_EINVAL;
    }
    return SQ_OK;
}

/* Text form of every value; text values copied NUL-terminated into
 * *heap (one allocation). */
static sq_status
pg_values(const sq_value *params, size_t n, char ints[][PG_INT_TEXT],
          const char **vals, char **heap)
{
    size_t total = 0, off = 0;

    for (size_t i = 0; i < n; i++)
        if (params[i].type == SQ_VAL_TEXT)
            total += params[i].len + 1;
    if ((*heap = malloc(total + 1)) == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const sq_value *v = &params[i];

        if (v->type == SQ_VAL_INT) {
            snprintf(ints[i], PG_INT_TEXT, "%lld", v->i);
            vals[i] = ints[i];
        } else if (v->type == SQ_VAL_TEXT) {
            if (v->len > 0)
                memcpy(*heap + off, v->s, v->len);
            (*heap)[off + v->len] = '\0';
            vals[i] = *heap + off;
            off += v->len + 1;
        } else {
            vals[i] = NULL;
        }
    }
    return SQ_OK;
}

/* ---- results ---- */

static void
pg_cell(const PGresult *res, int row, int col, sq_value *v)
{
    const char *s = PQgetvalue(res, row, col);

    memset(v, 0, sizeof(*v));
    if (PQgetisnull(res, row, col)) {
        v->type = SQ_VAL_NULL;
        return;
    }
    switch (PQftype(res, col)) {
    case PG_BOOLOID:
        v->type = SQ_VAL_INT;
        v->i = s[0] == 't';
        return;
    case PG_INT8OID:
    case PG_INT2OID:
    case PG_INT4OID:
    case PG_OIDOID:
        v->type = SQ_VAL_INT;
        v->i = strtoll(s, NULL, 10);
        return;
    case PG_FLOAT4OID:
    case PG_FLOAT8OID:
    case PG_NUMERICOID:
        v->type = SQ_VAL_INT;
        v->i = (long long)strtod(s, NULL);
        return;
    default:
        v->type = SQ_VAL_TEXT;
        v->s = s;
        v->len = (size_t)PQgetlength(res, row, col);
        return;
    }
}

static sq_status
pg_rows(const PGresult *res, sq_store_row_fn fn, void *arg)
{
    int nrows = PQntuples(res), ncols = PQnfields(res);
    sq_value *cols;

    if (fn == NULL || nrows == 0)
        return SQ_OK;
    if ((cols = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*cols))) == NULL)
        return SQ_ENOMEM;
    for (int r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++)
            pg_cell(res, r, c, &cols[c]);
        if (fn(arg, cols, (size_t)ncols) != 0)
            break;
    }
    free(cols);
    return SQ_OK;
}

static sq_status
pg_result_status(pg_db *p, PGresult *res, sq_diag *d)
{
    const char *state, *msg, *cmd;

    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
        cmd = PQcmdStatus(res);
        if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
            strncmp(cmd, "DELETE", 6) == 0)
            p->changes = strtoll(PQcmdTuples(res), NULL, 10);
        return SQ_OK;
    case PGRES_EMPTY_QUERY:
        sq_diag_addf(d, NULL, 0, "store: empty statement");
        return SQ_EINVAL;
    default:
        break;
    }
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    pg_err(d, state ? state : "error", msg ? msg : PQerrorMessage(p->conn));
    if (state != NULL &&
        (strncmp(state, "42", 2) == 0 || strcmp(state, "08P01") == 0))
        return SQ_EINVAL;
    return SQ_EIO;
}

/* A lost connection is reset once before giving up. */
static sq_status
pg_alive(pg_db *p, sq_diag *d)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return SQ_OK;
    PQreset(p->conn);
    if (PQstatus(p->conn) == CONNECTION_OK)
        return SQ_OK;
    pg_err(d, "connection lost", PQerrorMessage(p->conn));
    return SQ_EIO;
}

static sq_status
pg_exec(void *db, const char *sql, const sq_value *params, size_t nparams,
        sq_store_row_fn fn, void *arg, sq_diag *d)
{
    pg_db *p = db;
    char ints[SQ_STORE_MAX_PARAMS][PG_INT_TEXT];
    const char *vals[SQ_STORE_MAX_PARAMS];
    char *heap = NULL;
    PGresult *res;
    sq_status st;

    if ((st = pg_check_params(sql, nparams, d)) != SQ_OK ||
        (st = pg_alive(p, d)) != SQ_OK ||
        (st = pg_values(params, nparams, ints, vals, &heap)) != SQ_OK)
        return st;
    res = PQexecParams(p->conn, sql, (int)nparams, NULL, vals, NULL, NULL, 0);
    free(heap);
    if (res == NULL) {
        pg_err(d, "exec", PQerrorMessage(p->conn));
        return SQ_EIO;
    }
    st = pg_result_status(p, res, d);
    if (st == SQ_OK)
        st = pg_rows(res, fn, arg);
    PQclear(res);
    return st;
}

static long long
pg_changes(void *db)
{
    return ((pg_db *)db)->changes;
}

/* A fixed command; tag (when given) gets its command tag. */
static sq_status
pg_simple(pg_db *p, const char *sql, char *tag, size_t taglen, sq_diag *d)
{
    PGresult *res;
    sq_status st;

    if ((st = pg_alive(p, d)) != SQ_OK)
        return st;
    if ((res = PQexec(p->conn, sql)) == NULL) {
        pg_err(d, sql, PQerrorMessage(p->conn));
        return SQ_EIO;
    }
    st = pg_result_status(p, res, d);
    if (tag != NULL)
        snprintf(tag, taglen, "%s", PQcmdStatus(res));
    PQclear(res);
    return st;
}

static sq_status
pg_begin(void *db, sq_diag *d)
{
    pg_db *p = db;
    char sql[64];
    sq_status st = pg_simple(p, "BEGIN", NULL, 0, d);

    if (st != SQ_OK)
        return st;
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)",
             PG_WRITE_LOCK);
    if ((st = pg_simple(p, sql, NULL, 0, d)) != SQ_OK)
        (void)pg_simple(p, "ROLLBACK", NULL, 0, NULL);
    return st;
}

static sq_status
pg_commit(void *db, sq_diag *d)
{
    char tag[32] = "";
    sq_status st = pg_simple(db, "COMMIT", tag, sizeof(tag), d);

    if (st == SQ_OK && strcmp(tag, "ROLLBACK") == 0) {
        sq_diag_addf(d, NULL, 0,
                     "postgresql: transaction rolled back after an error");
        return SQ_EIO;
    }
    return st;
}

static sq_status
pg_rollback(void *db, sq_diag *d)
{
    return pg_simple(db, "ROLLBACK", NULL, 0, d);
}

const sq_store_be sq_store_pg_backend = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .changes = pg_changes,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
};

#else
/* Without libpq this file is empty (ISO C wants a declaration). */
typedef int sq_store_pg_not_built;
#endif
