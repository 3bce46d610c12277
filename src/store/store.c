/*
 * store.c - the store: URI parsing, the default path, the lock that
 * serialises threads, transactions and schema migrations, over one
 * backend (store_int.h).
 *
 * Locking: every call takes s->mu.  sq_store_begin() makes the calling
 * thread the transaction owner; until it commits or rolls back, other
 * threads wait on s->cv before they touch the connection, while the
 * owner's own calls go through.  The mutex itself is never held between
 * two public calls, so a row callback that calls back into the store
 * deadlocks only on itself (documented as forbidden in store.h).
 *
 * Migrations: sq_schema(module, version) holds one row per module.  Each
 * step runs in its own write transaction that re-reads the version
 * first, so two processes migrating the same file at once apply every
 * step once.  A step is one or more statements separated by ';' (outside
 * quotes and comments); each goes to the backend on its own.
 *
 * Limits: SQ_STORE_MAX_SQL bytes of SQL and SQ_STORE_MAX_PARAMS values
 * per statement; TEXT values may not contain NUL bytes (PostgreSQL
 * refuses them), SQ_EINVAL otherwise.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { STORE_PATH_MAX = 4096, STORE_MODULE_MAX = 64 };

struct sq_store {
    const sq_store_be *be;
    void *db;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int in_tx;
    pthread_t owner;
    long long changes;
};

/* ---- the default path ---- */

SQ_API sq_status
sq_store_default_path(char *buf, size_t buflen)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n;

    if (buf == NULL || buflen == 0)
        return SQ_EINVAL;
    /* The XDG spec says relative values are invalid: ignore them. */
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, buflen, "%s/squeaky/squeaky.db", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(buf, buflen, "%s/.local/share/squeaky/squeaky.db", home);
    else
        return SQ_ECONFIG;
    if (n < 0 || (size_t)n >= buflen)
        return SQ_EINVAL;
    return SQ_OK;
}

/* mkdir -p of the directory part of path; new directories get 0700. */
static sq_status
store_mkdirs(const char *path, sq_diag *d)
{
    char dir[STORE_PATH_MAX];
    size_t len = strlen(path);

    while (len > 0 && path[len - 1] != '/')
        len--;
    if (len == 0 || len >= sizeof(dir))
        return SQ_OK;
    memcpy(dir, path, len);
    dir[len] = '\0';
    for (size_t i = 1; i < len; i++) {
        struct stat sb;

        if (dir[i] != '/')
            continue;
        dir[i] = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            sq_diag_addf(d, NULL, 0, "store: cannot create %s: %s", dir,
                         strerror(errno));
            return SQ_EIO;
        }
        if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            sq_diag_addf(d, NULL, 0, "store: %s is not a directory", dir);
            return SQ_EIO;
        }
        dir[i] = '/';
    }
    return SQ_OK;
}

/* Create the file with mode 0600 before SQLite does (it would use 0644
 * less the umask); SQLite gives its -wal and -shm files the same mode. */
static sq_status
store_precreate(const char *path, sq_diag *d)
{
    int fd;

    if (strcmp(path, ":memory:") == 0)
        return SQ_OK;
    fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        sq_diag_addf(d, NULL, 0, "store: cannot open %s: %s", path,
                     strerror(errno));
        return SQ_EIO;
    }
    close(fd);
    return SQ_OK;
}

/* ---- URIs ---- */

static int
store_has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Pick the backend and its target (a path or a conninfo) for uri. */
static sq_status
store_parse_uri(const char *uri, char *target, size_t tlen,
                const sq_store_be **be, int *is_default, sq_diag *d)
{
    const char *path = uri;
    int n;

    *is_default = 0;
    *be = &sq_store_sqlite_backend;
    if (uri == NULL || uri[0] == '\0') {
        *is_default = 1;
        if (sq_store_default_path(target, tlen) != SQ_OK) {
            sq_diag_addf(d, NULL, 0,
                         "store: no default path (set XDG_DATA_HOME or "
                         "HOME, or give a store URI)");
            return SQ_ECONFIG;
        }
        return SQ_OK;
    }
    if (store_has_prefix(uri, "postgresql://") ||
        store_has_prefix(uri, "postgres://")) {
#ifdef SQ_HAVE_LIBPQ
        *be = &sq_store_pg_backend;
#else
        sq_diag_addf(d, NULL, 0, "store: PostgreSQL backend not built");
        return SQ_ECONFIG;
#endif
    } else if (store_has_prefix(uri, "sqlite:")) {
        path = uri + strlen("sqlite:");
        if (path[0] == '/' && path[1] == '/' && path[2] == '/')
            path += 2; /* sqlite:///abs/path */
    } else if (strstr(uri, "://") != NULL) {
        char show[SQ_SHOW_MAX + 4];

        sq_str_show(uri, strlen(uri), show);
        sq_diag_addf(d, NULL, 0, "store: unknown URI scheme in '%s'", show);
        return SQ_ECONFIG;
    }
    if (path[0] == '\0') {
        sq_diag_addf(d, NULL, 0, "store: empty path in store URI");
        return SQ_ECONFIG;
    }
    n = snprintf(target, tlen, "%s", path);
    if (n < 0 || (size_t)n >= tlen) {
        sq_diag_addf(d, NULL, 0, "store: URI longer than %zu bytes", tlen);
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

SQ_API sq_status
sq_store_open(const char *uri, sq_diag *d, sq_store **out)
{
    char target[STORE_PATH_MAX];
    const sq_store_be *be;
    sq_store *s;
    int is_default;
    sq_status st;

    if (out == NULL)
        return SQ_EINVAL;
    st = store_parse_uri(uri, target, sizeof(target), &be, &is_default, d);
    if (st != SQ_OK)
        return st;
    if (is_default && (st = store_mkdirs(target, d)) != SQ_OK)
        return st;
    if (be == &sq_store_sqlite_backend &&
        (st = store_precreate(target, d)) != SQ_OK)
        return st;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return SQ_ENOMEM;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return SQ_ENOMEM;
    }
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return SQ_ENOMEM;
    }
    s->be = be;
    if ((st = be->open(target, d, &s->db)) != SQ_OK) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return st;
    }
    *out = s;
    return SQ_OK;
}

SQ_API void
sq_store_close(sq_store *s)
{
    if (s == NULL)
        return;
    s->be->close(s->db);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

SQ_API const char *
sq_store_backend(const sq_store *s)
{
    return s ? s->be->name : "";
}

/* ---- the lock ---- */

static int
store_owner_is_me(const sq_store *s)
{
    return s->in_tx && pthread_equal(s->owner, pthread_self());
}

/* Take the mutex and wait until no other thread owns a transaction. */
static void
store_enter(sq_store *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->in_tx && !pthread_equal(s->owner, pthread_self()))
        pthread_cond_wait(&s->cv, &s->mu);
}

static void
store_leave(sq_store *s)
{
    pthread_mutex_unlock(&s->mu);
}

/* ---- statements ---- */

static sq_status
store_check_params(const sq_value *params, size_t nparams, sq_diag *d)
{
    if (nparams > SQ_STORE_MAX_PARAMS || (nparams > 0 && params == NULL)) {
        sq_diag_addf(d, NULL, 0, "store: bad parameter array (%zu values)",
                     nparams);
        return SQ_EINVAL;
    }
    for (size_t i = 0; i < nparams; i++) {
        const sq_value *v = &params[i];

        if (v->type != SQ_VAL_TEXT)
            continue;
        if ((v->s == NULL && v->len > 0) || v->len > (size_t)0x7fffffff ||
            (v->len > 0 && memchr(v->s, '\0', v->len) != NULL)) {
            sq_diag_addf(d, NULL, 0,
                         "store: text parameter $%zu has a NUL byte or a "
                         "bad length",
                         i + 1);
            return SQ_EINVAL;
        }
    }
    return SQ_OK;
}

/* One statement with the lock already held. */
static sq_status
store_exec_locked(sq_store *s, const char *sql, const sq_value *params,
                  size_t nparams, sq_store_row_fn fn, void *arg, sq_diag *d)
{
    sq_status st = s->be->exec(s->db, sql, params, nparams, fn, arg, d);

    s->changes = s->be->changes(s->db);
    return st;
}

SQ_API sq_status
sq_store_exec(sq_store *s, const char *sql, const sq_value *params,
              size_t nparams, sq_store_row_fn fn, void *arg, sq_diag *d)
{
    sq_status st;

    if (s == NULL || sql == NULL ||
        strnlen(sql, SQ_STORE_MAX_SQL + 1) > SQ_STORE_MAX_SQL) {
        sq_diag_addf(d, NULL, 0, "store: no SQL or SQL too long");
        return SQ_EINVAL;
    }
    if ((st = store_check_params(params, nparams, d)) != SQ_OK)
        return st;
    store_enter(s);
    st = store_exec_locked(s, sql, params, nparams, fn, arg, d);
    store_leave(s);
    return st;
}

SQ_API long long
sq_store_changes(sq_store *s)
{
    long long n;

    if (s == NULL)
        return 0;
    pthread_mutex_lock(&s->mu);
    n = s->changes;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- transactions ---- */

SQ_API sq_status
sq_store_begin(sq_store *s, sq_diag *d)
{
    sq_status st;

    if (s == NULL)
        return SQ_EINVAL;
    store_enter(s);
    if (store_owner_is_me(s)) {
        store_leave(s);
        sq_diag_addf(d, NULL, 0, "store: transaction already open");
        return SQ_EINVAL;
    }
    st = s->be->begin(s->db, d);
    if (st == SQ_OK) {
        s->in_tx = 1;
        s->owner = pthread_self();
    }
    store_leave(s);
    return st;
}

/* Commit (or roll back) and hand the connection to waiting threads. */
static sq_status
store_end(sq_store *s, int commit, sq_diag *d)
{
    sq_status st;

    if (s == NULL)
        return SQ_EINVAL;
    pthread_mutex_lock(&s->mu);
    if (!store_owner_is_me(s)) {
        pthread_mutex_unlock(&s->mu);
        sq_diag_addf(d, NULL, 0, "store: no transaction open in this thread");
        return SQ_EINVAL;
    }
    st = commit ? s->be->commit(s->db, d) : s->be->rollback(s->db, d);
    if (st != SQ_OK && commit)
        (void)s->be->rollback(s->db, NULL); /* never leave it half open */
    s->in_tx = 0;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return st;
}

SQ_API sq_status
sq_store_commit(sq_store *s, sq_diag *d)
{
    return store_end(s, 1, d);
}

SQ_API sq_status
sq_store_rollback(sq_store *s, sq_diag *d)
{
    return store_end(s, 0, d);
}

/* ---- migrations ---- */

/*
 * The end of the statement starting at p: the first ';' outside '...',
 * "..." and comments, or the end of the text.
 */
static const char *
store_stmt_end(const char *p)
{
    while (*p != '\0' && *p != ';') {
        if (*p == '\'' || *p == '"') {
            char q = *p++;

            while (*p != '\0' && *p != q)
                p++;
            if (*p != '\0')
                p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p != '\0' && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");

            p = e ? e + 2 : p + strlen(p);
        } else {
            p++;
        }
    }
    return p;
}

static int
store_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return 0;
    return 1;
}

/* Run every statement of a ';'-separated script (inside a transaction). */
static sq_status
store_script(sq_store *s, const char *script, sq_diag *d)
{
    const char *p = script;

    while (*p != '\0') {
        const char *e = store_stmt_end(p);
        size_t n = (size_t)(e - p);
        sq_status st;
        char *one;

        if (!store_blank(p, n)) {
            if ((one = malloc(n + 1)) == NULL)
                return SQ_ENOMEM;
            memcpy(one, p, n);
            one[n] = '\0';
            st = sq_store_exec(s, one, NULL, 0, NULL, NULL, d);
            free(one);
            if (st != SQ_OK)
                return st;
        }
        p = *e == ';' ? e + 1 : e;
    }
    return SQ_OK;
}

static int
store_version_row(void *arg, const sq_value *cols, size_t ncols)
{
    long long *v = arg;

    if (ncols == 1 && cols[0].type == SQ_VAL_INT)
        *v = cols[0].i;
    else
        *v = -1;
    return 1;
}

/* Inside a transaction: read the version, apply one step if one is due.
 * *done = 1 when the module is up to date. */
static sq_status
store_migrate_one(sq_store *s, const char *module, const char *const *steps,
                  size_t nsteps, int *done, sq_diag *d)
{
    sq_value p[2] = {SQ_VTEXT(module), SQ_VNULL};
    long long v = 0;
    sq_status st;

    st = sq_store_exec(s, "SELECT version FROM sq_schema WHERE module = $1", p,
                       1, store_version_row, &v, d);
    if (st != SQ_OK)
        return st;
    if (v < 0 || (unsigned long long)v > nsteps) {
        sq_diag_addf(d, NULL, 0,
                     "store: schema of module %s is version %lld, newer "
                     "than this program's %zu; upgrade squeaky",
                     module, v, nsteps);
        return SQ_ECONFIG;
    }
    if ((size_t)v == nsteps) {
        *done = 1;
        return SQ_OK;
    }
    if (steps[v] == NULL || (st = store_script(s, steps[v], d)) != SQ_OK) {
        sq_diag_addf(d, NULL, 0, "store: migrating %s to version %lld failed",
                     module, v + 1);
        return st != SQ_OK ? st : SQ_EINVAL;
    }
    p[1] = SQ_VINT(v + 1);
    return sq_store_exec(s,
                         "INSERT INTO sq_schema(module, version) "
                         "VALUES($1, $2) ON CONFLICT(module) DO UPDATE "
                         "SET version = excluded.version",
                         p, 2, NULL, NULL, d);
}

SQ_API sq_status
sq_store_migrate(sq_store *s, const char *module, const char *const *steps,
                 size_t nsteps, sq_diag *d)
{
    sq_status st;
    int done = 0;

    if (s == NULL || module == NULL || module[0] == '\0' ||
        strlen(module) > STORE_MODULE_MAX || (nsteps > 0 && steps == NULL)) {
        sq_diag_addf(d, NULL, 0, "store: bad migrate arguments");
        return SQ_EINVAL;
    }
    st = sq_store_exec(s,
                       "CREATE TABLE IF NOT EXISTS sq_schema("
                       "module TEXT PRIMARY KEY, version BIGINT NOT NULL)",
                       NULL, 0, NULL, NULL, d);
    while (st == SQ_OK && !done) {
        if ((st = sq_store_begin(s, d)) != SQ_OK)
            break;
        st = store_migrate_one(s, module, steps, nsteps, &done, d);
        if (st == SQ_OK)
            st = sq_store_commit(s, d);
        else
            (void)sq_store_rollback(s, NULL);
    }
    return st;
}
