/*
 * watermark.c - how far `squeaky scan` got in each log file, in the
 * store, keyed by the file's fingerprint (sha256 of its first line), so
 * that a watermark follows the content through rotation (auth.log ->
 * auth.log.1) and compression (auth.log.2.gz: offsets count
 * decompressed bytes).  path, dev and ino are kept for display only.
 *
 * Table (module "scan_wm", sq_store_migrate):
 *   scan_wm(fingerprint TEXT PRIMARY KEY, path, dev, ino, pos,
 *           last_hash, updated)
 * pos is the offset just after the last line handed out, last_hash the
 * sha256 hex of that line with its newline.  dev and ino are stored as
 * the two's-complement BIGINT of the unsigned values (round trip exact).
 *
 * Ownership: sq_scan_wm borrows the store.  Limits: paths up to
 * WM_PATH_MAX bytes (longer ones are cut for display).
 */
#include <squeaky/logsrc.h>

#include "core/core_int.h"
#include "scan/logsrc_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { WM_PATH_MAX = 4096 };

struct sq_scan_wm {
    sq_store *st;
};

static const char *const wm_steps[] = {
    /* version 1 */
    "CREATE TABLE scan_wm(fingerprint TEXT PRIMARY KEY,"
    " path TEXT NOT NULL, dev BIGINT NOT NULL, ino BIGINT NOT NULL,"
    " pos BIGINT NOT NULL, last_hash TEXT NOT NULL,"
    " updated BIGINT NOT NULL)",
};

sq_status
sq_scan_wm_open(sq_store *st, sq_diag *d, sq_scan_wm **out)
{
    sq_scan_wm *w;
    sq_status r;

    if (st == NULL || out == NULL)
        return SQ_EINVAL;
    r = sq_store_migrate(st, "scan_wm", wm_steps,
                         sizeof(wm_steps) / sizeof(wm_steps[0]), d);
    if (r != SQ_OK)
        return r;
    if ((w = calloc(1, sizeof(*w))) == NULL)
        return SQ_ENOMEM;
    w->st = st;
    *out = w;
    return SQ_OK;
}

void
sq_scan_wm_free(sq_scan_wm *w)
{
    free(w);
}

typedef struct wm_row {
    int found;
    sq_status st;
    long long pos, dev, ino, updated;
    char hash[65];
    char *path;
} wm_row;

static int
wm_row_fn(void *arg, const sq_value *c, size_t n)
{
    wm_row *r = arg;

    r->found = 1;
    if (n != 6 || c[0].type != SQ_VAL_INT || c[0].i < 0 ||
        c[1].type != SQ_VAL_TEXT || c[1].len != 64 ||
        c[2].type != SQ_VAL_TEXT || c[3].type != SQ_VAL_INT ||
        c[4].type != SQ_VAL_INT || c[5].type != SQ_VAL_INT) {
        r->st = SQ_EPARSE;
        return 1;
    }
    memcpy(r->hash, c[1].s, 64);
    r->hash[64] = '\0';
    if (!ls_hex64(r->hash)) {
        r->st = SQ_EPARSE;
        return 1;
    }
    r->pos = c[0].i;
    r->dev = c[3].i;
    r->ino = c[4].i;
    r->updated = c[5].i;
    if ((r->path = malloc(c[2].len + 1)) == NULL) {
        r->st = SQ_ENOMEM;
        return 1;
    }
    memcpy(r->path, c[2].s, c[2].len);
    r->path[c[2].len] = '\0';
    return 1;
}

sq_status
sq_scan_wm_get(sq_scan_wm *w, const char *fingerprint,
               unsigned long long *offset, char last_hash[65], char **path,
               unsigned long long *dev, unsigned long long *ino,
               long long *updated, sq_diag *d)
{
    wm_row r = {0};
    sq_value p[1];
    sq_status st;

    if (w == NULL || !ls_hex64(fingerprint))
        return SQ_EINVAL;
    p[0] = SQ_VTEXT(fingerprint);
    st = sq_store_exec(w->st,
                       "SELECT pos, last_hash, path, dev, ino, updated"
                       " FROM scan_wm WHERE fingerprint = $1",
                       p, 1, wm_row_fn, &r, d);
    if (st == SQ_OK)
        st = r.st;
    if (st == SQ_OK && !r.found)
        st = SQ_ENOTFOUND;
    if (st == SQ_EPARSE)
        sq_diag_addf(d, NULL, 0, "scan_wm: bad row for %.16s...", fingerprint);
    if (st != SQ_OK) {
        free(r.path);
        return st;
    }
    if (offset != NULL)
        *offset = (unsigned long long)r.pos;
    if (last_hash != NULL)
        memcpy(last_hash, r.hash, 65);
    if (dev != NULL)
        *dev = (unsigned long long)r.dev;
    if (ino != NULL)
        *ino = (unsigned long long)r.ino;
    if (updated != NULL)
        *updated = r.updated;
    if (path != NULL)
        *path = r.path;
    else
        free(r.path);
    return SQ_OK;
}

sq_status
sq_scan_wm_put(sq_scan_wm *w, const char *fingerprint, const char *path,
               unsigned long long dev, unsigned long long ino,
               unsigned long long offset, const char *last_hash, sq_diag *d)
{
    sq_value p[7];
    size_t plen;

    if (w == NULL || path == NULL || !ls_hex64(fingerprint) ||
        !ls_hex64(last_hash) || offset > (unsigned long long)LLONG_MAX)
        return SQ_EINVAL;
    plen = strnlen(path, WM_PATH_MAX);
    p[0] = SQ_VTEXT(fingerprint);
    p[1] = SQ_VTEXTN(path, plen);
    p[2] = SQ_VINT((long long)dev);
    p[3] = SQ_VINT((long long)ino);
    p[4] = SQ_VINT((long long)offset);
    p[5] = SQ_VTEXT(last_hash);
    p[6] = SQ_VINT((long long)time(NULL));
    return sq_store_exec(
        w->st,
        "INSERT INTO scan_wm(fingerprint, path, dev, ino, pos, last_hash,"
        " updated) VALUES($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT(fingerprint) DO UPDATE SET path = excluded.path,"
        " dev = excluded.dev, ino = excluded.ino, pos = excluded.pos,"
        " last_hash = excluded.last_hash, updated = excluded.updated",
        p, 7, NULL, NULL, d);
}

/* ---- the dance for the CLI ---- */

sq_status
sq_logsrc_resume_from(sq_logsrc *s, sq_scan_wm *w, sq_diag *d, int *resumed)
{
    unsigned long long off;
    char hash[65];
    sq_status st;

    if (s == NULL || w == NULL || resumed == NULL)
        return SQ_EINVAL;
    *resumed = 0;
    if (s->stream)
        return SQ_OK; /* stdin and pipes have no watermark */
    st = sq_logsrc_identify(s, d);
    if (st == SQ_ENOTFOUND)
        return SQ_OK; /* no whole first line yet: no watermark */
    if (st != SQ_OK)
        return st;
    st = sq_scan_wm_get(w, s->fp, &off, hash, NULL, NULL, NULL, NULL, d);
    if (st == SQ_ENOTFOUND)
        return SQ_OK;
    if (st != SQ_OK)
        return st;
    st = sq_logsrc_resume(s, off, hash, d);
    if (st == SQ_OK)
        *resumed = 1;
    return st == SQ_ENOTFOUND ? SQ_OK : st;
}

sq_status
sq_logsrc_save(sq_logsrc *s, sq_scan_wm *w, sq_diag *d)
{
    sq_status st;

    if (s == NULL || w == NULL)
        return SQ_EINVAL;
    if (s->stream)
        return SQ_OK;
    if (s->prev.valid) {
        st = sq_scan_wm_put(w, s->prev.fp, s->path, s->prev.dev, s->prev.ino,
                            s->prev.off, s->prev.last, d);
        if (st != SQ_OK)
            return st;
        s->prev.valid = 0;
    }
    if (s->fp[0] == '\0' || s->off == 0 || s->last[0] == '\0')
        return SQ_OK;
    return sq_scan_wm_put(w, s->fp, s->path, s->dev, s->ino, s->off, s->last,
                          d);
}
