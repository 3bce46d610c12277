/*
 * squeaky/store.h - where every squeaky module keeps its state.
 *
 * One small interface over SQL databases: SQLite (the default, a file
 * under $XDG_DATA_HOME/squeaky/) and, later, PostgreSQL.  Modules speak
 * the common subset of both dialects:
 *   - parameters are written $1, $2, ... and appear in that order;
 *   - column types are BIGINT (64-bit integers) and TEXT only (binary
 *     keys are stored as fixed-width lower-case hex, which sorts like
 *     the numbers it encodes);
 *   - upserts use INSERT ... ON CONFLICT (...) DO UPDATE SET ...
 * Each module owns its tables and creates them with sq_store_migrate().
 *
 * A store is safe to share between threads: calls are serialised on an
 * internal lock.  Row callbacks must not call back into the same store.
 */
#ifndef SQUEAKY_STORE_H
#define SQUEAKY_STORE_H

#include <squeaky/core.h>

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sq_store sq_store;

typedef enum sq_value_type {
    SQ_VAL_NULL = 0,
    SQ_VAL_INT, /* i */
    SQ_VAL_TEXT /* s, len bytes (NUL-terminated in rows) */
} sq_value_type;

typedef struct sq_value {
    sq_value_type type;
    long long i;
    const char *s;
    size_t len;
} sq_value;

/* Convenience constructors for parameter arrays. */
#define SQ_VNULL ((sq_value){SQ_VAL_NULL, 0, NULL, 0})
#define SQ_VINT(x) ((sq_value){SQ_VAL_INT, (long long)(x), NULL, 0})
#define SQ_VTEXT(str) ((sq_value){SQ_VAL_TEXT, 0, (str), strlen(str)})
#define SQ_VTEXTN(str, n) ((sq_value){SQ_VAL_TEXT, 0, (str), (n)})

/*
 * Called once per result row; cols are borrowed until it returns.
 * Return 0 to continue, non-zero to stop (sq_store_exec then returns
 * SQ_OK).
 */
typedef int (*sq_store_row_fn)(void *arg, const sq_value *cols, size_t ncols);

/*
 * Open (creating when needed) the store named by uri:
 *   NULL or ""            the default, $XDG_DATA_HOME/squeaky/squeaky.db
 *                         (~/.local/share/squeaky/squeaky.db), directories
 *                         created with mode 0700;
 *   "sqlite:PATH", PATH   an SQLite file (":memory:" for tests);
 *   "postgresql://..."    PostgreSQL (SQ_ECONFIG "not built" until the
 *                         backend exists).
 * SQLite runs in WAL mode with a busy timeout, so several squeaky
 * processes may share one file.
 */
SQ_API sq_status sq_store_open(const char *uri, sq_diag *d, sq_store **out);
SQ_API void sq_store_close(sq_store *s);

/* "sqlite" or "postgresql". */
SQ_API const char *sq_store_backend(const sq_store *s);

/*
 * Run one SQL statement with nparams parameters; every result row goes
 * to fn (which may be NULL).  Errors: SQ_EIO (database error, message in
 * d), SQ_EINVAL (bad SQL or parameter count).
 */
SQ_API sq_status sq_store_exec(sq_store *s, const char *sql,
                               const sq_value *params, size_t nparams,
                               sq_store_row_fn fn, void *arg, sq_diag *d);

/* Rows changed by the last INSERT/UPDATE/DELETE on this store. */
SQ_API long long sq_store_changes(sq_store *s);

/*
 * Transactions.  sq_store_begin() takes the store's lock for the calling
 * thread until sq_store_commit() or sq_store_rollback(); other threads'
 * calls wait.  Nested begins are an error (SQ_EINVAL).
 */
SQ_API sq_status sq_store_begin(sq_store *s, sq_diag *d);
SQ_API sq_status sq_store_commit(sq_store *s, sq_diag *d);
SQ_API sq_status sq_store_rollback(sq_store *s, sq_diag *d);

/*
 * Bring module's schema up to date: steps[i] is the SQL (one or more
 * statements separated by ';') that moves the schema from version i to
 * i+1.  The applied version is kept per module in the table
 * sq_schema(module, version); each step runs in its own transaction.
 * A store newer than the program (version > nsteps) is SQ_ECONFIG.
 */
SQ_API sq_status sq_store_migrate(sq_store *s, const char *module,
                                  const char *const *steps, size_t nsteps,
                                  sq_diag *d);

/* The default SQLite path ($XDG_DATA_HOME/squeaky/squeaky.db). */
SQ_API sq_status sq_store_default_path(char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif
