/*
 * store_int.h - the store module's backend interface (never installed).
 *
 * store.c owns everything that is the same for every database: URI
 * parsing, the default path, the lock that serialises threads, the
 * transaction owner, sq_store_migrate().  A backend only talks to its
 * database.  Every backend call is made with the store's lock held, so
 * a backend connection is never used by two threads at once.
 *
 * Contract for exec: sql is one statement; parameters are written $1..$n
 * in order of first appearance and nparams must equal n (SQ_EINVAL
 * otherwise, as for SQL the database cannot prepare); TEXT parameters
 * contain no NUL byte (store.c checks); rows go to fn with values
 * borrowed until fn returns; fn returning non-zero stops the statement
 * and exec returns SQ_OK.  Errors while running are SQ_EIO.  Messages go
 * to d as one line.
 */
#ifndef SQ_STORE_INT_H
#define SQ_STORE_INT_H

#include "core/core_int.h"

#include <squeaky/store.h>

typedef struct sq_store_be {
    const char *name; /* "sqlite", "postgresql" */
    /* target: a file path or ":memory:" (sqlite), a conninfo URI (pg). */
    sq_status (*open)(const char *target, sq_diag *d, void **out);
    void (*close)(void *db);
    sq_status (*exec)(void *db, const char *sql, const sq_value *params,
                      size_t nparams, sq_store_row_fn fn, void *arg,
                      sq_diag *d);
    /* Rows changed by the last exec (INSERT/UPDATE/DELETE). */
    long long (*changes)(void *db);
    /* A write transaction (SQLite: BEGIN IMMEDIATE). */
    sq_status (*begin)(void *db, sq_diag *d);
    sq_status (*commit)(void *db, sq_diag *d);
    sq_status (*rollback)(void *db, sq_diag *d);
} sq_store_be;

extern const sq_store_be sq_store_sqlite_backend;
#ifdef SQ_HAVE_LIBPQ
extern const sq_store_be sq_store_pg_backend;
#endif

/* Longest SQL text and parameter count a backend accepts. */
enum { SQ_STORE_MAX_PARAMS = 64, SQ_STORE_MAX_SQL = 1 << 16 };

#endif
